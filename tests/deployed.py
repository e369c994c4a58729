"""Where the tests find the model the stack deploys: the manifest's ``default``, the one place
that names it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "models" / "manifest.yaml"


def deployed_model_path() -> Path:
    from genba_common.manifest import default_model_path

    return default_model_path(MANIFEST)

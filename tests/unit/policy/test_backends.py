"""The backend chain (one place decides where the student runs) and TensorRT's engine cache."""

import pytest

from genba_common.errors import ModelRejected
from genba_common.inference import CHAIN, chain
from genba_common.inference.tensorrt import EngineKey, engine_build_dir, publish_engine_dir
from genba_policy.backends.placeholder import PlaceholderPolicy
from genba_policy.runtime import OnnxPolicy, open_policy


def test_auto_backend_falls_down_to_cpu_and_says_why(exported):
    _, path, manifest = exported
    logs = []
    pol = OnnxPolicy(str(path), str(manifest), "auto", log=logs.append)
    assert pol.backend == "cpu" and pol.session.get_providers()[0] == "CPUExecutionProvider"
    assert any("tensorrt" in a for a in pol.attempts) and any("runs on cpu" in line for line in logs)
    with pytest.raises(ModelRejected, match="no inference backend"):
        OnnxPolicy(str(path), str(manifest), "cuda", log=lambda s: None)


def test_engine_cache_key_changes_with_every_field(tmp_path):
    base = EngineKey("a" * 64, "10.3", "Orin", "8.7", "fp16", "batch1")
    folders = {base.folder(tmp_path)}
    for field in ("onnx_sha256", "trt_version", "gpu_name", "compute_capability", "precision", "shapes"):
        folders.add(EngineKey(**{**base.__dict__, field: "changed"}).folder(tmp_path))
    assert len(folders) == 7


def test_engine_is_built_aside_and_published_in_one_rename(tmp_path):
    final = EngineKey("a" * 64, "10.3", "Orin", "8.7", "fp16", "batch1").folder(tmp_path)
    use, staging = engine_build_dir(final)
    assert staging == use and use != final and not final.exists()  # nothing under the key while building
    (use / "model.engine").write_bytes(b"engine")
    assert publish_engine_dir(staging, final) and (final / "model.engine").read_bytes() == b"engine"
    assert not staging.exists()
    assert engine_build_dir(final) == (final, None)  # cached: used as is
    # a second process that built the same key meanwhile loses the race cleanly
    other = tmp_path / ".other.building-1"
    other.mkdir()
    (other / "model.engine").write_bytes(b"other")
    assert not publish_engine_dir(other, final) and not other.exists()
    assert (final / "model.engine").read_bytes() == b"engine"


def test_the_chain_is_decided_in_one_place():
    assert chain("auto") == CHAIN == ("tensorrt", "cuda", "cpu")
    assert chain("cpu") == ("cpu",)
    with pytest.raises(ModelRejected, match="unknown backend 'gpu'"):
        chain("gpu")


def test_open_policy_gives_the_placeholder_or_the_approved_student(exported):
    _, path, manifest = exported
    said, warned = [], []
    assert isinstance(open_policy("placeholder", log=said.append, warn=warned.append), PlaceholderPolicy)
    assert warned and "PLACEHOLDER" in warned[0] and not said
    pol = open_policy(
        "onnx", model_path=str(path), manifest_path=str(manifest), onnx_backend="cpu", log=said.append
    )
    assert isinstance(pol, OnnxPolicy) and pol.backend == "cpu" and any("runs on cpu" in s for s in said)
    with pytest.raises(ModelRejected, match="unknown policy backend 'neural'"):
        open_policy("neural")

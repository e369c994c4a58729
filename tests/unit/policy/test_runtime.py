import math

import numpy as np
import pytest
import torch
from deployed import MANIFEST

from genba_common.errors import ModelRejected
from genba_common.manifest import check_manifest, default_model_path
from genba_policy.observation import INPUT_NAMES, ScanHistory, observe
from genba_policy.runtime import OnnxPolicy
from genba_training.export import approve, export_onnx
from genba_training.student import Ensemble, Student, parameter_count


def sample_obs(seed=0):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
    ranges = rng.uniform(0.3, 10.0, 360)
    history = ScanHistory((0.20, 0.0, 0.0))
    observe(img, rng.uniform(0.3, 10.0, 360), 0.12, 12.0, 0.3, 0.1, (3.0, 1.0), (1.4, 0.5), history, 0.0,
            (0.0, 0.0, 0.0))
    return observe(img, ranges, 0.12, 12.0, 0.3, 0.1, (3.0, 1.0), (1.4, 0.5), history, 0.5,
                   (0.15, 0.0, 0.05))


def test_student_is_small_and_observation_matches_contract():
    assert parameter_count(Student()) <= 2_000_000
    obs = sample_obs()
    assert {k: obs[k].shape for k in INPUT_NAMES} == {
        "image": (1, 3, 48, 64),
        "scan": (1, 64),
        "scan_prev": (1, 64),
        "state": (1, 2),
        "goal": (1, 3),
        "route": (1, 3),
        "motion": (1, 2, 64),
    }
    assert all(o.dtype == np.float32 and np.isfinite(o).all() for o in obs.values())


def test_unapproved_model_is_refused_with_one_line(exported, tmp_path):
    _, path, manifest = exported
    other = tmp_path / "manifest.yaml"
    other.write_text("models:\n  - {file: x.onnx, sha256: deadbeef}\n")
    with pytest.raises(ModelRejected) as e:
        check_manifest(path, other)
    assert "not approved" in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ModelRejected, match="not found"):
        check_manifest(tmp_path / "missing.onnx", manifest)
    assert check_manifest(path, manifest)["file"] == "student.onnx"
    tampered = tmp_path / "student.onnx"
    tampered.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ModelRejected, match="not approved"):
        check_manifest(tampered, manifest)


def test_model_built_for_another_observation_contract_is_refused(tmp_path):
    path, manifest = tmp_path / "old.onnx", tmp_path / "manifest.yaml"
    export_onnx(Student().eval(), path, {"dataset_sha256": "test", "obs_version": "1"})
    approve(path, manifest, "approved, but for an older contract")
    with pytest.raises(ModelRejected, match="observation version 1") as e:
        OnnxPolicy(str(path), str(manifest), "cpu", log=lambda s: None)
    assert "\n" not in str(e.value)


def _worst_torch_onnxruntime_difference(model, path, manifest, seeds: range) -> float:
    """Largest absolute difference in v, w or the OOD score between torch and ONNX Runtime (CPU) on
    observations from ``seeds``; every inference must be valid and timed."""
    pol = OnnxPolicy(str(path), str(manifest), "cpu", log=lambda s: None)
    worst = 0.0
    for seed in seeds:
        obs = sample_obs(seed)
        with torch.no_grad():
            cmd, ood = model(*(torch.from_numpy(obs[k]) for k in INPUT_NAMES))
        v, w, o, ms, valid = pol.infer(obs)
        assert valid and ms > 0
        worst = max(worst, abs(v - float(cmd[0, 0])), abs(w - float(cmd[0, 1])), abs(o - float(ood[0, 0])))
    return worst


def test_torch_and_onnxruntime_agree(exported):
    model, path, manifest = exported
    worst = _worst_torch_onnxruntime_difference(model, path, manifest, range(10))
    assert worst <= 1e-4, worst


def test_an_ensemble_exports_and_agrees_with_torch(tmp_path):
    torch.manual_seed(1)
    model = Ensemble([Student(), Student(), Student()]).eval()
    path, manifest = tmp_path / "ensemble.onnx", tmp_path / "manifest.yaml"
    export_onnx(model, path, {"dataset_sha256": "test"})
    approve(path, manifest, "test ensemble")
    worst = _worst_torch_onnxruntime_difference(model, path, manifest, range(5))
    assert worst <= 1e-4, worst
    assert parameter_count(model) <= 2_000_000


def test_broken_outputs_are_guarded(exported, monkeypatch):
    _, path, manifest = exported
    pol = OnnxPolicy(str(path), str(manifest), "cpu", log=lambda s: None)
    for bad in ([[math.nan, 0.0]], [[5.0, 0.0]], [[0.1, math.inf]]):
        monkeypatch.setattr(
            pol.session, "run", lambda *_a, b=bad: [np.array(b, np.float32), np.zeros((1, 1))]
        )
        assert pol.infer(sample_obs()) == (0.0, 0.0, 1.0, pytest.approx(pol.latencies_ms[-1], abs=1e3), False)


def test_tensorrt_fp16_parity(exported, tmp_path, tensorrt_provider):
    _, path, manifest = exported
    trt = OnnxPolicy(str(path), str(manifest), "tensorrt", str(tmp_path / "cache"), log=lambda s: None)
    cpu = OnnxPolicy(str(path), str(manifest), "cpu", log=lambda s: None)
    assert trt.backend == "tensorrt"
    worst = max(
        abs(a - b)
        for seed in range(10)
        for a, b in zip(trt.infer(sample_obs(seed))[:3], cpu.infer(sample_obs(seed))[:3], strict=False)
    )
    assert worst <= 1e-2, worst


def test_the_manifest_default_names_the_deployed_model(exported, tmp_path):
    _, path, manifest = exported
    shipped = default_model_path(MANIFEST)
    assert shipped.is_file() and check_manifest(shipped, MANIFEST)["file"] == shipped.name
    text = manifest.read_text()
    with pytest.raises(ModelRejected, match="field 'default': names no model"):
        default_model_path(manifest)
    other = tmp_path / "manifest.yaml"
    other.write_text(text + "default: missing.onnx\n")
    with pytest.raises(ModelRejected, match="missing.onnx is not one of the approved models"):
        default_model_path(other)
    other.write_text(text + f"default: {path.name}\n")
    assert default_model_path(other) == tmp_path / path.name
    approve(path, other, "approved again")  # approving keeps the deployed default
    assert default_model_path(other) == tmp_path / path.name

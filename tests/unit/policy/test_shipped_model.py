"""The model the stack deploys (the manifest's default): approved by hash, carries its contract and
its evaluation.

These tests check the governance and runtime contract and that the evaluation the release recorded
is complete and matches the card; whether it meets its driving target is in its card (the model's
name with .md), measured by `genba-policy release`.
"""

import json

import numpy as np
import onnx
import pytest
from deployed import MANIFEST, deployed_model_path

from genba_common.manifest import sha256_file
from genba_policy.runtime import OnnxPolicy
from genba_sim.simulation import Simulation
from genba_training.dataset import CAMERA, map_route, sim_observation, sim_scan_history
from genba_training.scenarios import generate

MODEL = deployed_model_path()
CARD = MODEL.with_suffix(".md")


def test_model_is_small_approved_and_documented():
    assert MODEL.stat().st_size < 2_000_000
    assert sha256_file(MODEL) in MANIFEST.read_text()
    meta = {p.key: p.value for p in onnx.load(str(MODEL)).metadata_props}
    assert {"inputs", "normalisation", "outputs", "dataset_sha256", "eval_metrics", "obs_version"} <= set(
        meta
    )
    metrics = json.loads(meta["eval_metrics"])
    card = CARD.read_text()
    assert sha256_file(MODEL) in card and meta["dataset_sha256"] in card
    for key in (
        "selection",
        "selection_all",
        "report",
        "student_onnx_with_supervisor",
        "ood",
        "latency_batch1",
    ):
        assert key in metrics, key
    kept_apart = metrics["report"]
    assert kept_apart["seeds"] == "5000-5099"
    for who in ("teacher", "student_torch", "student_onnx"):
        assert kept_apart[who]["episodes"] == 100
    ratio = kept_apart["student_onnx"]["success_rate"] / kept_apart["teacher"]["success_rate"]
    assert f"{ratio:.0%}" in card  # the card states the ratio the issue is judged on
    # the OOD targets, as the release measured them
    assert metrics["ood"]["normal_flagged"] <= 0.05
    assert metrics["ood"]["black_camera_flagged"] >= 0.95 and metrics["ood"]["lidar_all_max_flagged"] >= 0.95


def test_model_gives_bounded_commands_on_a_real_observation():
    pol = OnnxPolicy(str(MODEL), str(MANIFEST), "cpu", log=lambda s: None)
    sc = generate(9001)
    sim = Simulation(sc, camera=CAMERA)
    v, w, ood, ms, valid = pol.infer(sim_observation(sim, map_route(sc), sim_scan_history()))
    assert valid and ood < 0.8 and abs(v) <= 0.8 and abs(w) <= 1.5
    sim.close()


@pytest.mark.parametrize("field", ["image", "scan"])
def test_non_finite_inputs_never_become_motion(field):
    pol = OnnxPolicy(str(MODEL), str(MANIFEST), "cpu", log=lambda s: None)
    sc = generate(9002)
    obs = sim_observation(Simulation(sc, camera=CAMERA), map_route(sc), sim_scan_history())
    obs[field] = np.full_like(obs[field], np.nan)
    v, w, ood, _, valid = pol.infer(obs)
    assert (not valid and (v, w) == (0.0, 0.0)) or ood > 0.8


def test_model_flags_a_black_camera_and_a_blind_lidar_as_out_of_distribution():
    pol = OnnxPolicy(str(MODEL), str(MANIFEST), "cpu", log=lambda s: None)
    sc = generate(9004)
    sim = Simulation(sc, camera=CAMERA)
    obs = sim_observation(sim, map_route(sc), sim_scan_history())
    sim.close()
    black = {**obs, "image": np.full_like(obs["image"], -2.0)}  # (0/255 - 0.5) / 0.25
    blind = {
        **obs,
        "scan": np.ones_like(obs["scan"]),
        "scan_prev": np.ones_like(obs["scan"]),
        "motion": np.zeros_like(obs["motion"]),
    }
    assert pol.infer(obs)[2] < 0.8
    assert pol.infer(black)[2] > 0.8
    assert pol.infer(blind)[2] > 0.8

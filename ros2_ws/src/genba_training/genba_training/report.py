"""Figures for the model card beside the closed-loop ones (``evaluation.py``): OOD flag rates on normal
and corrupted inputs, batch-1 latency of torch eager against ONNX Runtime."""

from __future__ import annotations

import time

import numpy as np
import torch

from genba_policy.observation import IMAGE_H, IMAGE_W, INPUT_NAMES, SCAN_BINS
from genba_training.dataset import map_route, sim_observation, sim_scan_history
from genba_training.scenarios import generate
from genba_training.student import Student


def ood_rates(model: Student, seeds: range, threshold: float = 0.8) -> dict:
    """Fraction of observations flagged OOD: normal ones from held-out scenarios, and the same
    with the camera black or the LiDAR seeing nothing (all beams at max range)."""
    from genba_sim.simulation import Simulation
    from genba_training.dataset import CAMERA
    from genba_training.teacher import Teacher

    normal, black, blind = [], [], []
    for seed in seeds:
        sc = generate(seed)
        teacher, sim, route = Teacher(sc), Simulation(sc, camera=CAMERA), map_route(sc)
        history = sim_scan_history()
        for _ in range(40):  # 4 s of driving, sampled every 0.1 s
            obs = sim_observation(sim, route, history)
            for bucket, o in (
                (normal, obs),
                (black, {**obs, "image": np.full_like(obs["image"], -2.0)}),  # (0/255-0.5)/0.25
                (
                    blind,
                    {
                        **obs,
                        "scan": np.ones_like(obs["scan"]),
                        "scan_prev": np.ones_like(obs["scan"]),
                        "motion": np.zeros_like(obs["motion"]),
                    },
                ),
            ):
                with torch.no_grad():
                    _, ood = model(*(torch.from_numpy(o[k]) for k in INPUT_NAMES))
                bucket.append(float(ood[0, 0]) > threshold)
            sim.set_body_velocity(*teacher.act(sim.pose(), sim.time))
            sim.step(50)
        sim.close()
    return {
        "normal_flagged": float(np.mean(normal)),
        "black_camera_flagged": float(np.mean(black)),
        "lidar_all_max_flagged": float(np.mean(blind)),
        "samples_each": len(normal),
    }


def latency_inputs() -> dict[str, np.ndarray]:
    """The fixed batch-1 observation every latency figure is measured on."""
    rng = np.random.default_rng(0)
    return {
        "image": rng.normal(size=(1, 3, IMAGE_H, IMAGE_W)).astype(np.float32),
        "scan": rng.random((1, SCAN_BINS), np.float32),
        "scan_prev": np.full((1, SCAN_BINS), 0.5, np.float32),
        "state": np.zeros((1, 2), np.float32),
        "goal": np.array([[0.5, 1.0, 0.0]], np.float32),
        "route": np.array([[0.75, 1.0, 0.0]], np.float32),
        "motion": np.zeros((1, 2, SCAN_BINS), np.float32),
    }


def onnx_latencies(policy, obs: dict[str, np.ndarray], n: int) -> list[float]:
    """Per-inference latency (ms) of ``n`` runs of an OnnxPolicy on ``obs`` (latency_inputs())."""
    policy.latencies_ms.clear()
    for _ in range(n):
        policy.infer(obs)
    return list(policy.latencies_ms)


def percentiles(samples_ms: dict[str, list[float]]) -> dict:
    """{name: {p50_ms, p99_ms}} of each list of latencies."""
    return {
        k: {"p50_ms": round(float(np.percentile(v, 50)), 4), "p99_ms": round(float(np.percentile(v, 99)), 4)}
        for k, v in samples_ms.items()
    }


def latency(model: Student, onnx_path: str, manifest: str, n: int = 500) -> dict:
    """Batch-1 latency (ms) of torch eager and ONNX Runtime CPU with 1 and 2 threads, same inputs."""
    from genba_policy.runtime import OnnxPolicy

    obs = latency_inputs()
    out = {}
    torch.set_num_threads(1)
    x = [torch.from_numpy(obs[k]) for k in INPUT_NAMES]
    ts = []
    with torch.no_grad():
        for i in range(n + 50):
            t0 = time.perf_counter()
            model(*x)
            if i >= 50:
                ts.append((time.perf_counter() - t0) * 1e3)
    out["torch_eager_1thread"] = ts
    for threads in (1, 2):
        pol = OnnxPolicy(onnx_path, manifest, "cpu", threads=threads, log=lambda s: None)
        out[f"onnxruntime_cpu_{threads}thread"] = onnx_latencies(pol, obs, n)
    return percentiles(out)

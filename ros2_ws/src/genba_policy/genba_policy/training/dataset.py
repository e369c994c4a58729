"""Data collection in MuJoCo: the teacher labels every visited state (DAgger: whoever drives)."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from genba_policy.observation import observe
from genba_policy.placeholder import goal_in_base
from genba_policy.training.episodes import CONTROL_HZ, EpisodeResult
from genba_policy.training.scenarios import generate
from genba_policy.training.teacher import Teacher
from genba_sim.simulation import CameraConfig, Simulation

CAMERA = CameraConfig(128, 96, 60.0)  # the simulated robot's camera (calibration/sim_front_camera.yaml)


def sim_observation(sim: Simulation) -> dict[str, np.ndarray]:
    x, y, yaw = sim.pose()
    v, w = sim.body_twist()
    cfg = sim.lidar_cfg
    return observe(sim.render(), sim.lidar(), cfg.range_min_m, cfg.range_max_m, v, w,
                   goal_in_base((sim.sc.goal.x, sim.sc.goal.y), (x, y, yaw)))


def rollout(seed: int, driver: Callable[[dict], tuple[float, float]] | None, beta: float,
            rng: np.random.Generator, record: list | None = None) -> EpisodeResult:
    """One episode. Each step the teacher labels the observation; the teacher drives with
    probability ``beta``, else ``driver`` (the student) does. ``driver=None``: teacher only."""
    sc = generate(seed)
    teacher = Teacher(sc)
    sim = Simulation(sc, camera=CAMERA, stop_on_collision=True)
    steps = int(round(1.0 / CONTROL_HZ / float(sim.model.opt.timestep)))
    try:
        while sim.episode.status == "running":
            obs = sim_observation(sim)
            label = teacher.act(sim.pose(), sim.time)
            if record is not None:
                record.append((obs, label))
            v, w = label if (driver is None or rng.random() < beta) else driver(obs)
            if not (math.isfinite(v) and math.isfinite(w)):
                v, w = 0.0, 0.0
            sim.set_body_velocity(v, w)
            sim.step(steps)
            sim.min_obstacle_distance()
        ep = sim.episode
        return EpisodeResult(sc.name, ep.status == "goal_reached" and ep.collisions == 0, ep.status,
                             round(sim.time, 2), ep.collisions, round(ep.min_obstacle_distance_m, 3))
    finally:
        sim.close()


def stack(records: list) -> dict[str, np.ndarray]:
    keys = ("image", "scan", "state", "goal")
    out = {k: np.concatenate([o[k] for o, _ in records]) for k in keys}
    out["label"] = np.asarray([lab for _, lab in records], np.float32)
    return out

"""Data collection in MuJoCo: the teacher labels every visited state (DAgger: whoever drives)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from genba_common.geometry import to_base
from genba_perception.scan import clean_ranges
from genba_policy.observation import INPUT_NAMES, ScanHistory, observe
from genba_policy.route import Grid, RouteFollower
from genba_sim.occupancy import static_occupancy
from genba_sim.scenario import Scenario
from genba_sim.simulation import CameraConfig, Simulation
from genba_sim.world import LASER_XYZ
from genba_training.episodes import EpisodeResult, run_episode
from genba_training.scenarios import generate
from genba_training.teacher import Teacher

TRAIN_PEDESTRIANS = (1, 3)  # more people crossing than in evaluation (0-2): more yielding to learn from
CAMERA = CameraConfig(128, 96, 60.0)  # the simulated robot's camera (calibration/sim_front_camera.yaml)


def map_route(sc: Scenario) -> RouteFollower:
    """The robot's route follower on the scenario's static map, exactly as the policy node builds
    it from /map (the map knows no clutter and no people)."""
    occ, origin = static_occupancy(sc)
    return RouteFollower(Grid.from_occupancy(occ, origin, 0.1))


def sim_scan_history() -> ScanHistory:
    """The scan history for the simulated robot, whose laser sits at LASER_XYZ facing forward."""
    return ScanHistory((LASER_XYZ[0], LASER_XYZ[1], 0.0))


def sim_observation(sim: Simulation, route: RouteFollower, history: ScanHistory) -> dict[str, np.ndarray]:
    pose = sim.pose()
    v, w = sim.body_twist()
    cfg = sim.lidar_cfg
    goal = (sim.sc.goal.x, sim.sc.goal.y)
    ranges = sim.lidar()
    route.see(history.obstacles(pose, clean_ranges(ranges, cfg.range_min_m, cfg.range_max_m)))
    return observe(sim.render(), ranges, cfg.range_min_m, cfg.range_max_m, v, w,
                   to_base(goal, pose), to_base(route.carrot(pose, goal), pose), history, sim.time, pose)


def student_act(
    sc: Scenario, drive: Callable[[dict], tuple[float, float]]
) -> Callable[[Simulation], tuple[float, float]]:
    """The student ``drive(obs) -> (v, w)`` as an episode's act: observations built as on the robot."""
    route, history = map_route(sc), sim_scan_history()
    return lambda sim: drive(sim_observation(sim, route, history))


def rollout(
    seed: int,
    driver: Callable[[dict], tuple[float, float]] | None,
    beta: float,
    rng: np.random.Generator,
    record: list | None = None,
) -> EpisodeResult:
    """One episode. Each step the teacher labels the observation ((v, w), then its privileged
    auxiliary targets, teacher.AUX_NAMES); the teacher drives with
    probability ``beta``, else ``driver`` (the student) does. ``driver=None``: teacher only."""
    sc = generate(seed, TRAIN_PEDESTRIANS)
    teacher = Teacher(sc)
    route, history = map_route(sc), sim_scan_history()

    def act(sim: Simulation) -> tuple[float, float]:
        obs = sim_observation(sim, route, history)
        label = teacher.label(sim.pose(), sim.time)
        if record is not None:
            record.append((obs, label))
        return label[:2] if (driver is None or rng.random() < beta) else driver(obs)

    return run_episode(sc, act, camera=CAMERA)


def stack(records: list) -> dict[str, np.ndarray]:
    keys = INPUT_NAMES
    out = {k: np.concatenate([r[0][k] for r in records]) for k in keys}
    out["label"] = np.asarray([r[1] for r in records], np.float32)
    return out

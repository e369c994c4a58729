"""Closed-loop episodes as the robot runs them: every command of the policy passes the real safety
supervisor core (limits, collision zones, time-to-collision, rate limiter) before it reaches the
wheels. The policy runs at 10 Hz, the supervisor at 100 Hz, odometry at 50 Hz, as on the robot.

Not what the issue's student/teacher ratio measures (that is the policy alone, episodes.py): this
answers "how often does the deployed pair get there", and how often the supervisor had to step in.
The health input reports a healthy, fast policy (OOD 0): episodes here test the zones, not the OOD
gate, which the OOD table of the model card covers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from genba_safety.supervisor import HealthInput, Inputs, OdomInput, ScanInput, Supervisor, SupervisorConfig
from genba_safety.watchdog import Now
from genba_safety.zones import ScanGeometry
from genba_sim.scenario import Scenario
from genba_sim.simulation import CameraConfig, Simulation
from genba_sim.world import LASER_XYZ
from genba_training.episodes import EpisodeResult, episode_result

TICK_S = 0.01
POLICY_EVERY = 10  # ticks: 10 Hz
ODOM_EVERY = 2     # ticks: 50 Hz
ROS_EPOCH = 1.7e9  # any wall-clock-like origin for the supervisor's ROS stamps


@dataclass(frozen=True)
class NoisyLidar:
    """A worse LiDAR on the supervisor's input only: extra range noise, dropped beams (NaN) and
    spurious returns (random beams reading a random short range), drawn from the scenario's seed."""

    range_std_m: float = 0.03
    drop_fraction: float = 0.02
    spurious_per_scan: int = 3

    def apply(self, ranges: np.ndarray, rng: np.random.Generator, range_max: float) -> np.ndarray:
        r = ranges + rng.normal(0.0, self.range_std_m, ranges.shape)
        r[rng.uniform(size=r.size) < self.drop_fraction] = np.nan
        k = rng.choice(r.size, self.spurious_per_scan, replace=False)
        r[k] = rng.uniform(0.3, range_max, k.size)
        return r


def run_supervised_episode(sc: Scenario, act: Callable[[Simulation], tuple[float, float]],
                           camera: CameraConfig | None = None,
                           cfg: SupervisorConfig | None = None,
                           lidar_faults: bool | NoisyLidar = False) -> tuple[EpisodeResult, int]:
    """Run until goal, collision or time limit with ``act`` (the policy, 10 Hz) gated by the
    supervisor; returns the episode and the number of supervisor interventions (stops). The
    episode says whether a collision came with the robot standing: the sim's people avoid no one
    and walk into a robot the supervisor has stopped, which a real person would not."""
    cfg = cfg or SupervisorConfig()
    sup, inputs = Supervisor(cfg), Inputs(cfg)
    sim = Simulation(sc, camera=camera, stop_on_collision=True)
    lc = sim.lidar_cfg
    geom = ScanGeometry(
        -math.pi, 2 * math.pi / lc.beams, lc.range_min_m, lc.range_max_m, LASER_XYZ[0], 0.0, 0.0
    )
    substeps = int(round(TICK_S / float(sim.model.opt.timestep)))
    noisy = NoisyLidar() if lidar_faults is True else (lidar_faults or None)
    noise_rng = np.random.default_rng([sc.seed, 17])
    k = 0
    try:
        while sim.episode.status == "running":
            t = k * TICK_S
            now = Now(t, ROS_EPOCH + t)
            if k % POLICY_EVERY == 0:
                v, w = act(sim)
                valid = math.isfinite(v) and math.isfinite(w)
                scan = sim.lidar()
                if noisy is not None:
                    scan = noisy.apply(scan, noise_rng, lc.range_max_m)
                inputs.offer("scan", ScanInput(scan, geom), now.ros, now)
                inputs.offer("cmd", (v, w), now.ros, now)
                inputs.offer("health", HealthInput(0.0, 1.0, valid), now.ros, now)
                inputs.offer("camera", True, now.ros, now)
                inputs.offer("cloud", "ok", now.ros, now)
            if k % ODOM_EVERY == 0:
                x, y, yaw = sim.pose()
                inputs.offer("odom", OdomInput(x, y, yaw, *sim.body_twist()), now.ros, now)
            out = sup.step(now, inputs)
            sim.set_body_velocity(out.v, out.w)
            sim.step(substeps)
            if k % POLICY_EVERY == 0:
                sim.min_obstacle_distance()
            k += 1
        return episode_result(sim), sup.interventions
    finally:
        sim.close()

"""Closed-loop episodes in MuJoCo without ROS: a policy function drives, the sim keeps score."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from genba_safety.separation import AT_REST_MPS
from genba_sim.scenario import Scenario
from genba_sim.simulation import CameraConfig, Simulation

CONTROL_HZ = 10.0


@dataclass(frozen=True)
class EpisodeResult:
    name: str
    success: bool
    status: str
    time_s: float
    collisions: int
    min_distance_m: float
    hit: str = ""  # what the first collision was with: person, wall, clutter, pillar, ...
    hit_standing: bool = False  # the collision came with the robot at rest (a person walked into it)
    contact_speed_mps: float = 0.0  # fastest chassis point at the collision
    min_person_distance_m: float = math.inf  # closest the chassis came to a person
    path_length_m: float = 0.0
    trajectory: tuple = field(default=(), repr=False, compare=False)  # (t, x, y, yaw) every 0.1 s


def collision_kinds(results: list[EpisodeResult]) -> dict[str, int]:
    """How many episodes ended in a collision with each kind of thing (person, wall, clutter...)."""
    kinds: dict[str, int] = {}
    for r in results:
        if r.status == "collision":
            kinds[r.hit or "unknown"] = kinds.get(r.hit or "unknown", 0) + 1
    return kinds


def run_episode(sc: Scenario, act: Callable[[Simulation], tuple[float, float]],
                camera: CameraConfig | None = None) -> EpisodeResult:
    """Run until goal, collision or time limit; ``act`` sees the live simulation each 0.1 s."""
    sim = Simulation(sc, camera=camera, stop_on_collision=True)
    steps = int(round(1.0 / CONTROL_HZ / float(sim.model.opt.timestep)))
    try:
        while sim.episode.status == "running":
            v, w = act(sim)
            if not (math.isfinite(v) and math.isfinite(w)):
                v, w = 0.0, 0.0
            sim.set_body_velocity(v, w)
            sim.step(steps)
            sim.min_obstacle_distance()
        return episode_result(sim)
    finally:
        sim.close()


def episode_result(sim: Simulation) -> EpisodeResult:
    """The finished episode of ``sim``; a collision is "at rest" when the chassis moved slower than
    :data:`genba_safety.separation.AT_REST_MPS` at contact (the supervisor's passive-safety threshold)."""
    ep = sim.episode
    collided = ep.status == "collision"
    return EpisodeResult(sim.sc.name, ep.status == "goal_reached" and ep.collisions == 0, ep.status,
                         round(sim.time, 2), ep.collisions, round(ep.min_obstacle_distance_m, 3), ep.hit,
                         collided and ep.contact_speed_mps < AT_REST_MPS, round(ep.contact_speed_mps, 3),
                         round(ep.min_person_distance_m, 3), round(ep.path_length_m, 2), tuple(ep.trajectory))

"""Seeded scenario generation for training and held-out evaluation (the factory hall map, random
start, goal, crates and people crossing the way)."""

from __future__ import annotations

import math

import numpy as np

from genba_sim import scenario as scenario_mod
from genba_training.planner import Grid

EVAL_PEDESTRIANS = (0, 2)  # people per scenario, as evaluated (training may ask for more)


PERSON_WALL_MARGIN_M = 0.3


def generate(seed: int, pedestrians: tuple[int, int] = EVAL_PEDESTRIANS) -> scenario_mod.Scenario:
    """A valid scenario for ``seed``: start and goal >= 7 m apart in free space, 2-5 crates,
    people walking across the straight line between them."""
    rng = np.random.default_rng(seed)
    base = scenario_mod.from_mapping(
        {"map": "factory_hall", "start": {"x": 0, "y": 0}, "goal": {"x": 1, "y": 0}}
    )
    grid = Grid(base, inflate_m=0.8)  # start and goal with room to turn on the spot

    def inside(x: float, y: float) -> list[float]:  # people walk inside the hall, never through its walls
        lx, ly = base.hall_x / 2 - PERSON_WALL_MARGIN_M, base.hall_y / 2 - PERSON_WALL_MARGIN_M
        return [min(lx, max(-lx, x)), min(ly, max(-ly, y))]

    free = np.argwhere(grid.free)
    for _ in range(200):
        a, b = (grid.centre(*free[k]) for k in rng.choice(len(free), 2, replace=False))
        if math.dist(a, b) < 7.0:
            continue
        n_ped = int(rng.integers(pedestrians[0], pedestrians[1] + 1))
        peds = []
        for _ in range(n_ped):
            f = float(rng.uniform(0.35, 0.65))
            mx, my = a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])
            ang = math.atan2(b[1] - a[1], b[0] - a[0]) + math.pi / 2 + float(rng.uniform(-0.4, 0.4))
            half = 2.0
            p0 = inside(mx - half * math.cos(ang), my - half * math.sin(ang))
            p1 = inside(mx + half * math.cos(ang), my + half * math.sin(ang))
            peds.append(
                {
                    "path": [p0, p1],
                    "speed_mps": float(rng.uniform(0.4, 0.8)),
                    "start_offset_s": float(rng.uniform(0.0, 10.0)),
                }
            )
        data = {
            "name": f"generated_{seed}",
            "map": "factory_hall",
            "seed": int(seed),
            "start": {"x": a[0], "y": a[1], "yaw": float(rng.uniform(-math.pi, math.pi))},
            "goal": {"x": b[0], "y": b[1], "tolerance_m": 0.4},
            "time_limit_s": 90,
            "random_boxes": {
                "count": int(rng.integers(2, 6)),
                "region": [[-6.5, -4.0], [6.5, 4.0]],
                "keep_out_m": 1.5,
            },
            "pedestrians": peds,
        }
        sc = scenario_mod.from_mapping(data)
        from genba_policy.route import astar

        if astar(Grid(sc, inflate_m=0.36), (a[0], a[1]), (b[0], b[1])) is not None:
            return sc
    raise RuntimeError(f"seed {seed}: no valid scenario found")

"""Seeded site layouts beyond the factory hall, for held-out evaluation only (never trained on):
narrow aisles between racking, a T-junction whose cross aisle the shelving hides, a doorway in a
wall, and a large open hall with a crowd. People are ``oblivious`` or ``aware`` (genba_sim.crowd),
and are timed to meet the robot's way.
"""

from __future__ import annotations

import math

import numpy as np

from genba_sim import scenario as scenario_mod
from genba_training.planner import Grid

FAMILIES = ("narrow_aisles", "t_junction", "doorway", "open_hall")
ROBOT_SPEED_GUESS_MPS = 0.6  # to time people to reach the robot's way when it does


def _shelf(x: float, y: float, sx: float, sy: float) -> dict:
    return {
        "x": round(x, 3),
        "y": round(y, 3),
        "size_x_m": round(sx, 3),
        "size_y_m": round(sy, 3),
        "height_m": 2.0,
    }


def _walker(rng, a, b, speed: float, meet_s: float, meet_frac: float, behavior: str) -> dict:
    """Walks a -> b -> a...; ``meet_frac`` of the way from a at about ``meet_s`` s into the episode."""
    length = math.dist(a, b)
    period = 2.0 * length / speed
    offset = (meet_frac * length / speed - meet_s + float(rng.uniform(-2.0, 2.0))) % period
    return {
        "path": [list(map(float, a)), list(map(float, b))],
        "speed_mps": float(speed),
        "start_offset_s": float(offset),
        "behavior": behavior,
    }


def _behavior(rng, aware_share: float) -> str:
    return "aware" if rng.uniform() < aware_share else "oblivious"


def _narrow_aisles(rng, aware_share: float) -> dict:
    aisle = float(rng.uniform(1.2, 1.6))
    rows = int(rng.integers(3, 5))
    depth, length = 0.8, float(rng.uniform(7.0, 9.0))
    pitch = aisle + depth
    hall_y = rows * pitch + aisle + 2.0
    hall_x = length + 6.0
    y0 = -(rows - 1) * pitch / 2
    shelves = [_shelf(0.0, y0 + k * pitch, length, depth) for k in range(rows)]
    # aisles lie between the rows (and beside the outer ones)
    aisles = [y0 - pitch / 2 + k * pitch for k in range(rows + 1)]
    a_in, a_out = (int(k) for k in rng.choice(len(aisles), 2, replace=True))
    sx = -length / 2 - 0.2 if rng.uniform() < 0.5 else length / 2 + 0.2
    start = (sx * 0.6, aisles[a_in])
    goal = (-sx * 0.6 + float(rng.uniform(-0.5, 0.5)), aisles[a_out])
    if a_in != a_out:  # the goal down the cross aisle's other side
        goal = (-sx + math.copysign(1.0, -sx) * 1.0, aisles[a_out])
    peds = []
    cross_x = -sx + math.copysign(1.2, -sx)
    for _ in range(int(rng.integers(1, 4))):
        kind = rng.uniform()
        speed = float(rng.uniform(0.5, 1.1))
        if kind < 0.4:  # along the cross aisle, past the aisle ends
            a, b = (cross_x, -hall_y / 2 + 0.8), (cross_x, hall_y / 2 - 0.8)
            peds.append(
                _walker(
                    rng,
                    a,
                    b,
                    speed,
                    abs(cross_x - start[0]) / ROBOT_SPEED_GUESS_MPS,
                    0.5,
                    _behavior(rng, aware_share),
                )
            )
        else:  # down an aisle, towards or away from the robot
            ay = aisles[int(rng.integers(len(aisles)))]
            a, b = (-length / 2 - 0.8, ay), (length / 2 + 0.8, ay)
            peds.append(
                _walker(
                    rng,
                    a,
                    b,
                    speed,
                    float(rng.uniform(2.0, 12.0)),
                    float(rng.uniform()),
                    _behavior(rng, aware_share),
                )
            )
    return {"hall": (hall_x, hall_y), "shelves": shelves, "start": start, "goal": goal, "people": peds}


def _t_junction(rng, aware_share: float) -> dict:
    main_w, cross_w = float(rng.uniform(1.8, 2.4)), float(rng.uniform(1.4, 2.0))
    hall_x, hall_y = 16.0, 12.0
    xj = float(rng.uniform(-1.5, 1.5))
    side = 1.0 if rng.uniform() < 0.5 else -1.0  # the cross aisle opens to +y or -y
    depth = 3.0
    y_edge = side * (main_w / 2 + depth / 2)
    shelves = [  # shelving along the main aisle, cut by the cross aisle on one side
        _shelf((xj - cross_w / 2 - 6.5) / 2 - 0.5, y_edge, (xj - cross_w / 2) + 7.5, depth),
        _shelf((xj + cross_w / 2 + 7.5) / 2, y_edge, 7.5 - (xj + cross_w / 2), depth),
        _shelf(0.0, -y_edge, 14.0, depth),
    ]
    start, goal = (-6.0, float(rng.uniform(-0.3, 0.3))), (6.0, float(rng.uniform(-0.3, 0.3)))
    meet = (xj - start[0]) / ROBOT_SPEED_GUESS_MPS
    peds = []
    for _ in range(int(rng.integers(1, 3))):
        top = side * (hall_y / 2 - 0.6)
        a, b = (xj + float(rng.uniform(-0.3, 0.3)), top), (xj, -side * (main_w / 2 - 0.2))
        frac = abs(top - 0.0) / math.dist(a, b)
        peds.append(
            _walker(
                rng, a, b, float(rng.uniform(0.6, 1.3)), meet, min(frac, 1.0), _behavior(rng, aware_share)
            )
        )
    if rng.uniform() < 0.5:  # and someone walking the main aisle the other way
        a, b = (6.5, float(rng.uniform(-0.5, 0.5))), (-6.5, 0.0)
        peds.append(_walker(rng, a, b, float(rng.uniform(0.5, 1.0)), 6.0, 0.5, _behavior(rng, aware_share)))
    return {"hall": (hall_x, hall_y), "shelves": shelves, "start": start, "goal": goal, "people": peds}


def _doorway(rng, aware_share: float) -> dict:
    hall_x, hall_y = 14.0, 10.0
    door = float(rng.uniform(1.1, 1.5))
    yd = float(rng.uniform(-2.5, 2.5))
    lo, hi = -hall_y / 2, hall_y / 2
    shelves = [
        _shelf(0.0, (lo + yd - door / 2) / 2, 0.3, (yd - door / 2) - lo),
        _shelf(0.0, (yd + door / 2 + hi) / 2, 0.3, hi - (yd + door / 2)),
    ]
    start = (-5.0, float(rng.uniform(-3.5, 3.5)))
    goal = (5.0, float(rng.uniform(-3.5, 3.5)))
    meet = math.dist(start, (0.0, yd)) / ROBOT_SPEED_GUESS_MPS
    peds = []
    for _ in range(int(rng.integers(1, 3))):
        a, b = (4.5, yd + float(rng.uniform(-2.0, 2.0))), (-4.5, yd + float(rng.uniform(-2.0, 2.0)))
        if rng.uniform() < 0.5:
            a, b = b, a
        p = _walker(rng, a, b, float(rng.uniform(0.5, 1.1)), meet, 0.5, _behavior(rng, aware_share))
        door_pt = [0.0, yd + float(rng.uniform(-0.2, 0.2))]
        p["path"] = [p["path"][0], door_pt, p["path"][1], door_pt]  # through the door both ways
        peds.append(p)
    return {"hall": (hall_x, hall_y), "shelves": shelves, "start": start, "goal": goal, "people": peds}


def _open_hall(rng, aware_share: float) -> dict:
    hall_x, hall_y = 24.0, 16.0
    shelves = [
        _shelf(
            float(rng.uniform(-9, 9)),
            float(rng.uniform(-6, 6)),
            float(rng.uniform(0.6, 1.4)),
            float(rng.uniform(0.6, 1.4)),
        )
        for _ in range(int(rng.integers(3, 7)))
    ]
    ang = float(rng.uniform(-math.pi, math.pi))
    start = (8.0 * math.cos(ang), 5.0 * math.sin(ang))
    goal = (-start[0] + float(rng.uniform(-1, 1)), -start[1] + float(rng.uniform(-1, 1)))
    peds = []
    for _ in range(int(rng.integers(10, 15))):
        f = float(rng.uniform(0.15, 0.85))
        mx, my = start[0] + f * (goal[0] - start[0]), start[1] + f * (goal[1] - start[1])
        d = math.atan2(goal[1] - start[1], goal[0] - start[0]) + math.pi / 2 + float(rng.uniform(-0.8, 0.8))
        half = float(rng.uniform(2.0, 5.0))
        a = (mx - half * math.cos(d), my - half * math.sin(d))
        b = (mx + half * math.cos(d), my + half * math.sin(d))
        if rng.uniform() < 0.5:
            a, b = b, a
        meet = f * math.dist(start, goal) / ROBOT_SPEED_GUESS_MPS
        peds.append(_walker(rng, a, b, float(rng.uniform(0.4, 1.3)), meet, 0.5, _behavior(rng, aware_share)))
    return {"hall": (hall_x, hall_y), "shelves": shelves, "start": start, "goal": goal, "people": peds}


def _inside(p, hx: float, hy: float) -> list[float]:
    return [
        float(np.clip(p[0], -hx / 2 + 0.5, hx / 2 - 0.5)),
        float(np.clip(p[1], -hy / 2 + 0.5, hy / 2 - 0.5)),
    ]


BUILDERS = {
    "narrow_aisles": _narrow_aisles,
    "t_junction": _t_junction,
    "doorway": _doorway,
    "open_hall": _open_hall,
}


def generate_site(seed: int, family: str | None = None, aware_share: float = 0.5) -> scenario_mod.Scenario:
    """A valid scenario of ``family`` (by default ``FAMILIES[seed % 4]``) for ``seed``: a path from
    start to goal exists, and people inside the hall; ``aware_share`` of them are aware."""
    family = family or FAMILIES[seed % len(FAMILIES)]
    rng = np.random.default_rng([seed, FAMILIES.index(family)])
    from genba_policy.route import astar

    for _ in range(50):
        lay = BUILDERS[family](rng, aware_share)
        hx, hy = lay["hall"]
        for p in lay["people"]:
            p["path"] = [_inside(q, hx, hy) for q in p["path"]]
        (sx, sy), (gx, gy) = lay["start"], lay["goal"]
        data = {
            "name": f"{family}_{seed}",
            "map": {
                "hall": {"size_x_m": hx, "size_y_m": hy, "wall_height_m": 2.5},
                "shelves": lay["shelves"],
            },
            "seed": int(seed),
            "start": {"x": float(sx), "y": float(sy), "yaw": float(math.atan2(gy - sy, gx - sx))},
            "goal": {"x": float(gx), "y": float(gy), "tolerance_m": 0.4},
            "time_limit_s": 90,
            "pedestrians": lay["people"],
        }
        try:
            sc = scenario_mod.from_mapping(data)
        except Exception:  # a draw outside the hall: draw again
            continue
        grid = Grid(sc, inflate_m=0.36)
        if (
            grid.free[grid.cell(sx, sy)]
            and grid.free[grid.cell(gx, gy)]
            and astar(grid, (sx, sy), (gx, gy)) is not None
        ):
            return sc
    raise RuntimeError(f"seed {seed}: no valid {family} layout found")

"""Privileged planning grid: exact clearance from the scenario's ground truth (every box, the
clutter included), for the teacher. The robot's own route uses genba_policy.route on its map."""

from __future__ import annotations

import numpy as np

from genba_policy.route import Grid as _Grid
from genba_policy.route import astar  # noqa: F401  (re-exported for the teacher and scenarios)
from genba_sim.occupancy import box_distance
from genba_sim.scenario import Scenario


class Grid(_Grid):
    """Occupancy of the hall at ``res`` metres per cell; obstacles inflated by ``inflate_m``."""

    def __init__(self, sc: Scenario, res: float = 0.1, inflate_m: float = 0.45) -> None:
        self.sc = sc
        x0, y0 = -sc.hall_x / 2, -sc.hall_y / 2
        nx, ny = int(round(sc.hall_x / res)), int(round(sc.hall_y / res))
        xs = x0 + (np.arange(nx) + 0.5) * res
        ys = y0 + (np.arange(ny) + 0.5) * res
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        clearance = np.minimum.reduce([gx - x0, -x0 - gx, gy - y0, -y0 - gy])
        for b in sc.obstacles:
            clearance = np.minimum(clearance, box_distance(b, gx, gy))
        super().__init__(clearance, (x0, y0), res, inflate_m)

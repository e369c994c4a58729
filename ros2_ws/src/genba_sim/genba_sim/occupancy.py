"""The robot's static map as an occupancy grid (what a map server would publish on /map).

Only the map's walls, racking, pillars and pallets are marked: the scenario's seeded clutter and
its people are not on the map, as on a real shop floor.
"""

from __future__ import annotations

import math

import numpy as np

from genba_sim.scenario import Scenario

OCCUPIED, FREE = 100, 0


def static_occupancy(sc: Scenario, resolution_m: float = 0.1) -> tuple[np.ndarray, tuple[float, float]]:
    """(grid [ny, nx] int8 in {0, 100}, origin (x, y) of cell [0, 0]'s corner), row-major like
    nav_msgs/OccupancyGrid. A cell is occupied if any part of an obstacle may reach it; the outer
    ring of cells is the hall wall."""
    x0, y0 = -sc.hall_x / 2, -sc.hall_y / 2
    nx, ny = int(round(sc.hall_x / resolution_m)), int(round(sc.hall_y / resolution_m))
    xs = x0 + (np.arange(nx) + 0.5) * resolution_m
    ys = y0 + (np.arange(ny) + 0.5) * resolution_m
    gx, gy = np.meshgrid(xs, ys)  # [ny, nx]
    occ = np.zeros((ny, nx), bool)
    half_cell = resolution_m / math.sqrt(2)
    for b in sc.static_obstacles:
        occ |= b.distance(gx, gy) <= half_cell
    occ[0, :] = occ[-1, :] = occ[:, 0] = occ[:, -1] = True
    return np.where(occ, OCCUPIED, FREE).astype(np.int8), (x0, y0)

"""Privileged planning grid: exact clearance from the scenario's ground truth (every box, the
clutter included), and the cost to the goal from every cell of it, for the teacher. The robot's own
route uses genba_policy.route on its map."""

from __future__ import annotations

import heapq
import math

import numpy as np

from genba_policy.route import Grid as _Grid
from genba_policy.route import Path, line_of_sight
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
            clearance = np.minimum(clearance, b.distance(gx, gy))
        super().__init__(clearance, (x0, y0), res, inflate_m)


_MOVES = ((1, 0, 1.0), (-1, 0, 1.0), (0, 1, 1.0), (0, -1, 1.0),
          (1, 1, math.sqrt(2)), (1, -1, math.sqrt(2)), (-1, 1, math.sqrt(2)), (-1, -1, math.sqrt(2)))


class CostToGo:
    """The cheapest way to the goal from every free cell of ``grid`` (Dijkstra from the goal, with
    astar's costs: cells, plus a penalty near obstacles), so that the cost-to-go path from wherever the robot
    is depends on where it is and nothing else: a robot that left the planned path, or went round an
    obstacle the other way, gets the cost-to-go path from there, not a line back through the obstacle."""

    def __init__(self, grid: _Grid, goal: tuple[float, float]) -> None:
        self.grid, self.goal = grid, goal
        penalty = 0.6 * np.clip(1.0 - grid.clearance / 1.2, 0.0, 1.0)
        g = grid.nearest_free(*grid.cell(*goal))
        cost = np.full((grid.nx, grid.ny), np.inf)
        self.next = np.full((grid.nx, grid.ny, 2), -1, np.int32)  # the neighbour one step nearer the goal
        cost[g] = 0.0
        heap = [(0.0, g)]
        free = grid.free
        while heap:
            c, cur = heapq.heappop(heap)
            if c > cost[cur]:
                continue
            step_in = penalty[cur]  # moving from a neighbour into cur costs the step plus cur's penalty
            for dx, dy, step in _MOVES:
                nb = (cur[0] + dx, cur[1] + dy)
                if not (0 <= nb[0] < grid.nx and 0 <= nb[1] < grid.ny) or not free[nb]:
                    continue
                nc = c + step + step_in
                if nc < cost[nb]:
                    cost[nb] = nc
                    self.next[nb] = cur
                    heapq.heappush(heap, (nc, nb))
        self.cost, self.goal_cell = cost, g

    def reachable(self, xy: tuple[float, float]) -> bool:
        return bool(np.isfinite(self.cost[self.grid.nearest_free(*self.grid.cell(*xy))]))

    def path_from(self, xy: tuple[float, float], cells: int = 40) -> Path:
        """The way to the goal from ``xy`` over its next ``cells`` cells (about 4-5 m), cut short
        between cells that see each other with room to spare, as astar's routes are."""
        grid = self.grid
        cur = grid.nearest_free(*grid.cell(*xy))
        chain = [cur]
        while len(chain) < cells and cur != self.goal_cell and self.next[cur][0] >= 0:
            cur = (int(self.next[cur][0]), int(self.next[cur][1]))
            chain.append(cur)
        pts = [grid.centre(*c) for c in line_of_sight(grid, chain)]
        pts[0] = xy
        if chain[-1] == self.goal_cell:
            pts[-1] = self.goal
        return Path(pts)

"""Global planning on an occupancy grid built from the scenario's ground truth (privileged)."""

from __future__ import annotations

import heapq
import math

import numpy as np

from genba_sim.scenario import Scenario


class Grid:
    """Occupancy of the hall at ``res`` metres per cell; obstacles inflated by ``inflate_m``."""

    def __init__(self, sc: Scenario, res: float = 0.1, inflate_m: float = 0.45) -> None:
        self.res, self.sc = res, sc
        self.x0, self.y0 = -sc.hall_x / 2, -sc.hall_y / 2
        self.nx, self.ny = int(round(sc.hall_x / res)), int(round(sc.hall_y / res))
        xs = self.x0 + (np.arange(self.nx) + 0.5) * res
        ys = self.y0 + (np.arange(self.ny) + 0.5) * res
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        clearance = np.minimum.reduce([gx - self.x0, -self.x0 - gx, gy - self.y0, -self.y0 - gy])
        for b in sc.obstacles:
            c, s = math.cos(b.yaw), math.sin(b.yaw)
            lx, ly = c * (gx - b.x) + s * (gy - b.y), -s * (gx - b.x) + c * (gy - b.y)
            dx, dy = np.maximum(np.abs(lx) - b.sx, 0.0), np.maximum(np.abs(ly) - b.sy, 0.0)
            clearance = np.minimum(clearance, np.hypot(dx, dy))
        self.clearance = clearance            # metres to the nearest static obstacle or wall
        self.free = clearance > inflate_m
        # Shortcuts between waypoints must keep a wider berth: path tracking cuts corners.
        self.roomy = clearance > inflate_m + 0.2

    def cell(self, x: float, y: float) -> tuple[int, int]:
        return (min(self.nx - 1, max(0, int((x - self.x0) / self.res))),
                min(self.ny - 1, max(0, int((y - self.y0) / self.res))))

    def centre(self, i: int, j: int) -> tuple[float, float]:
        return self.x0 + (i + 0.5) * self.res, self.y0 + (j + 0.5) * self.res

    def nearest_free(self, i: int, j: int) -> tuple[int, int]:
        if self.free[i, j]:
            return i, j
        idx = np.argwhere(self.free)
        k = int(np.argmin((idx[:, 0] - i) ** 2 + (idx[:, 1] - j) ** 2))
        return int(idx[k, 0]), int(idx[k, 1])

    def line_roomy(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        n = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
        for t in np.linspace(0.0, 1.0, n + 1):
            if not self.roomy[int(round(a[0] + t * (b[0] - a[0]))), int(round(a[1] + t * (b[1] - a[1])))]:
                return False
        return True


def astar(grid: Grid, start: tuple[float, float], goal: tuple[float, float]) -> list[tuple[float, float]] | None:
    """Shortest 8-connected path between two points, pruned to line-of-sight waypoints (metres)."""
    s, g = grid.nearest_free(*grid.cell(*start)), grid.nearest_free(*grid.cell(*goal))
    moves = [(1, 0, 1.0), (-1, 0, 1.0), (0, 1, 1.0), (0, -1, 1.0),
             (1, 1, math.sqrt(2)), (1, -1, math.sqrt(2)), (-1, 1, math.sqrt(2)), (-1, -1, math.sqrt(2))]

    def h(c: tuple[int, int]) -> float:
        dx, dy = abs(c[0] - g[0]), abs(c[1] - g[1])
        return max(dx, dy) + (math.sqrt(2) - 1) * min(dx, dy)
    # prefer cells with more clearance: a small penalty keeps paths off the walls
    penalty = 0.6 * np.clip(1.0 - grid.clearance / 1.2, 0.0, 1.0)
    openq = [(h(s), 0.0, s)]
    came: dict[tuple[int, int], tuple[int, int]] = {}
    cost = {s: 0.0}
    while openq:
        _, c, cur = heapq.heappop(openq)
        if cur == g:
            break
        if c > cost.get(cur, math.inf):
            continue
        for dx, dy, step in moves:
            nxt = (cur[0] + dx, cur[1] + dy)
            if not (0 <= nxt[0] < grid.nx and 0 <= nxt[1] < grid.ny) or not grid.free[nxt]:
                continue
            nc = c + step + penalty[nxt]
            if nc < cost.get(nxt, math.inf):
                cost[nxt], came[nxt] = nc, cur
                heapq.heappush(openq, (nc + h(nxt), nc, nxt))
    if g not in cost:
        return None
    cells = [g]
    while cells[-1] != s:
        cells.append(came[cells[-1]])
    cells.reverse()
    pruned = [cells[0]]
    k = 0
    while k < len(cells) - 1:
        far = len(cells) - 1
        while far > k + 1 and not grid.line_roomy(cells[k], cells[far]):
            far -= 1
        pruned.append(cells[far])
        k = far
    pts = [grid.centre(*c) for c in pruned]
    pts[0], pts[-1] = start, goal
    return pts

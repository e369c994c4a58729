"""Global route on the robot's static map: A* over an occupancy grid, and the route point a little
ahead of the robot that the student policy steers by.

The map (nav_msgs/OccupancyGrid on /map) knows walls, racking and pallets, not the day's clutter or
people: avoiding those is the policy's job, from its camera and LiDAR.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

LOOKAHEAD_M = 1.5      # route point this far along the route from the robot's nearest point
REPLAN_OFF_ROUTE_M = 1.0
RETRY_MOVED_M = 0.5    # an unreachable goal is tried again once the robot has moved this far
AHEAD_M = 3.0          # seen obstacles this far along the route make it replan around them
GOAL_MOVED_M = 0.05  # a goal that moves less (a localizer's correction brought into odom) keeps the route
REPLAN_MIN_CALLS = 5   # at most one replan around seen obstacles every this many route points


class Grid:
    """Free space of a map: ``clearance[i, j]`` (metres to the nearest obstacle) of the cell whose
    centre is (x0 + (i + 0.5) res, y0 + (j + 0.5) res). Cells with clearance <= ``inflate_m`` are
    blocked for the robot's centre."""

    def __init__(self, clearance: np.ndarray, origin: tuple[float, float], res: float,
                 inflate_m: float = 0.45) -> None:
        self.clearance, self.res, self.inflate = clearance, res, inflate_m
        self.x0, self.y0 = origin
        self.nx, self.ny = clearance.shape
        self.free = clearance > inflate_m
        # Shortcuts between waypoints must keep a wider berth: path tracking cuts corners.
        self.roomy = clearance > inflate_m + 0.2

    @classmethod
    def from_occupancy(cls, occupancy: np.ndarray, origin: tuple[float, float], res: float,
                       inflate_m: float = 0.45, threshold: int = 50) -> "Grid":
        """From a row-major occupancy grid [ny, nx] (nav_msgs/OccupancyGrid data, -1 unknown counts
        as occupied)."""
        occ = np.asarray(occupancy).T  # -> [nx, ny]
        blocked = (occ >= threshold) | (occ < 0)
        return cls(clearance_of(blocked, res), origin, res, inflate_m)

    def cell(self, x: float, y: float) -> tuple[int, int]:
        return (min(self.nx - 1, max(0, int((x - self.x0) / self.res))),
                min(self.ny - 1, max(0, int((y - self.y0) / self.res))))

    def centre(self, i: int, j: int) -> tuple[float, float]:
        return self.x0 + (i + 0.5) * self.res, self.y0 + (j + 0.5) * self.res

    def nearest_free(self, i: int, j: int) -> tuple[int, int]:
        if self.free[i, j]:
            return i, j
        idx = np.argwhere(self.free)
        if len(idx) == 0:
            return i, j
        k = int(np.argmin((idx[:, 0] - i) ** 2 + (idx[:, 1] - j) ** 2))
        return int(idx[k, 0]), int(idx[k, 1])

    def line_roomy(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        n = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
        for t in np.linspace(0.0, 1.0, n + 1):
            if not self.roomy[int(round(a[0] + t * (b[0] - a[0]))), int(round(a[1] + t * (b[1] - a[1])))]:
                return False
        return True


def occupancy_in_frame(
    occupancy: np.ndarray, origin: tuple[float, float, float], res: float
) -> tuple[np.ndarray, tuple[float, float]]:
    """A row-major occupancy grid whose origin pose (x, y, yaw) is ``origin`` in some frame, as an
    axis-aligned grid of the same resolution in that frame (nearest cell; outside the map: -1,
    unknown). An unrotated origin is returned as it is."""
    occ = np.asarray(occupancy)
    x0, y0, yaw = origin
    if abs(math.sin(yaw)) < 1e-9 and math.cos(yaw) > 0.0:
        return occ, (x0, y0)
    ny, nx = occ.shape
    c, s = math.cos(yaw), math.sin(yaw)
    corners = np.array([[0, 0], [nx, 0], [0, ny], [nx, ny]], float) * res
    xs, ys = x0 + c * corners[:, 0] - s * corners[:, 1], y0 + s * corners[:, 0] + c * corners[:, 1]
    ox, oy = float(xs.min()), float(ys.min())
    mx, my = int(math.ceil((xs.max() - ox) / res)), int(math.ceil((ys.max() - oy) / res))
    cx, cy = np.meshgrid(ox + (np.arange(mx) + 0.5) * res, oy + (np.arange(my) + 0.5) * res)
    dx, dy = cx - x0, cy - y0  # each new cell's centre, back in the map's own axes
    i = np.floor((c * dx + s * dy) / res).astype(int)
    j = np.floor((-s * dx + c * dy) / res).astype(int)
    inside = (i >= 0) & (i < nx) & (j >= 0) & (j < ny)
    out = np.full((my, mx), -1, occ.dtype)
    out[inside] = occ[j[inside], i[inside]]
    return out, (ox, oy)


def clearance_of(blocked: np.ndarray, res: float, chunk: int = 4096) -> np.ndarray:
    """Euclidean distance (metres) from each cell centre to the nearest blocked cell's edge."""
    nx, ny = blocked.shape
    pad = np.pad(blocked, 1, constant_values=True)
    # only blocked cells with a free neighbour can be the nearest one
    edge = blocked & ~(pad[:-2, 1:-1] & pad[2:, 1:-1] & pad[1:-1, :-2] & pad[1:-1, 2:])
    src = np.argwhere(edge).astype(np.float32)
    out = np.zeros(nx * ny, np.float32)
    if len(src) == 0:
        out[:] = np.inf
        return out.reshape(nx, ny)
    cells = np.argwhere(np.ones((nx, ny), bool)).astype(np.float32)
    for a in range(0, len(cells), chunk):
        c = cells[a:a + chunk]
        d2 = ((c[:, None, :] - src[None, :, :]) ** 2).sum(-1).min(1)
        out[a:a + chunk] = np.sqrt(d2)
    clearance = np.maximum(out.reshape(nx, ny) - 0.5, 0.0) * res
    clearance[blocked] = 0.0
    return clearance


def line_of_sight(grid: Grid, cells: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The cells of a chain that a path needs: from each kept cell, the farthest later one it sees
    with room to spare (``Grid.line_roomy``)."""
    pruned, k = [cells[0]], 0
    while k < len(cells) - 1:
        far = len(cells) - 1
        while far > k + 1 and not grid.line_roomy(cells[k], cells[far]):
            far -= 1
        pruned.append(cells[far])
        k = far
    return pruned


def astar(
    grid: Grid, start: tuple[float, float], goal: tuple[float, float]
) -> list[tuple[float, float]] | None:
    """Shortest 8-connected path between two points, pruned to line-of-sight waypoints (metres);
    None if the goal cannot be reached."""
    s, g = grid.nearest_free(*grid.cell(*start)), grid.nearest_free(*grid.cell(*goal))
    moves = [
        (1, 0, 1.0),
        (-1, 0, 1.0),
        (0, 1, 1.0),
        (0, -1, 1.0),
        (1, 1, math.sqrt(2)),
        (1, -1, math.sqrt(2)),
        (-1, 1, math.sqrt(2)),
        (-1, -1, math.sqrt(2)),
    ]

    def h(c: tuple[int, int]) -> float:
        dx, dy = abs(c[0] - g[0]), abs(c[1] - g[1])
        return max(dx, dy) + (math.sqrt(2) - 1) * min(dx, dy)

    # prefer cells with more clearance: a small penalty keeps paths off the walls
    penalty = 0.6 * np.clip(1.0 - grid.clearance / 1.2, 0.0, 1.0)
    free = grid.free
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
            if not (0 <= nxt[0] < grid.nx and 0 <= nxt[1] < grid.ny) or not free[nxt]:
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
    pts = [grid.centre(*c) for c in line_of_sight(grid, cells)]
    pts[0], pts[-1] = start, goal
    return pts


class Path:
    """A polyline with arc length: nearest-point progress and the point at a given arc length."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        self.points = np.asarray(points, float)
        if len(self.points) == 1:
            self.points = np.vstack([self.points, self.points])
        seg = np.diff(self.points, axis=0)
        self.s = np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])

    @property
    def length(self) -> float:
        return float(self.s[-1])

    def point_at(self, s: float) -> np.ndarray:
        s = min(max(s, 0.0), self.s[-1])
        k = min(int(np.searchsorted(self.s, s, side="right")) - 1, len(self.points) - 2)
        f = (s - self.s[k]) / max(self.s[k + 1] - self.s[k], 1e-9)
        return self.points[k] + f * (self.points[k + 1] - self.points[k])

    def nearest(self, x: float, y: float) -> tuple[float, float]:
        """(arc length of the nearest path point, distance to it)."""
        a, b = self.points[:-1], self.points[1:]
        ab = b - a
        t = np.clip(
            ((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / np.maximum((ab**2).sum(1), 1e-12),
            0.0,
            1.0,
        )
        p = a + t[:, None] * ab
        d = np.hypot(x - p[:, 0], y - p[:, 1])
        k = int(np.argmin(d))
        return float(self.s[k] + t[k] * math.hypot(*ab[k])), float(d[k])


class RouteFollower:
    """Keeps a route from the robot to the goal on a static map and gives the route point
    LOOKAHEAD_M ahead; replans when the goal moves by more than GOAL_MOVED_M or the robot is
    REPLAN_OFF_ROUTE_M off it."""

    def __init__(
        self, grid: Grid, lookahead_m: float = LOOKAHEAD_M, replan_off_route_m: float = REPLAN_OFF_ROUTE_M
    ) -> None:
        self.grid, self.lookahead, self.replan_off = grid, lookahead_m, replan_off_route_m
        self.path: Path | None = None
        self.goal: tuple[float, float] | None = None
        self.plans = 0
        self.unreachable = False
        self._tried_from: tuple[float, float] | None = None
        self.obstacles = np.zeros((0, 2))
        self._calls_since_plan = 0
        k = int(math.ceil(1.0 / grid.res))  # seen obstacles lower the clearance within 1 m of them
        ii, jj = np.mgrid[-k : k + 1, -k : k + 1]
        self._stamp = np.maximum(np.hypot(ii, jj) - 0.5, 0.0) * grid.res

    def see(self, points: np.ndarray) -> None:
        """LiDAR returns ([n, 2], map frame) of things the static map does not know (the day's
        clutter; leave out people walking, genba_perception.tracker). When the route ahead runs
        into them, the route is planned again around them."""
        pts = np.asarray(points, float).reshape(-1, 2)
        if len(pts):
            cells = np.array([self.grid.cell(x, y) for x, y in pts])
            pts = pts[self.grid.clearance[cells[:, 0], cells[:, 1]] > 2 * self.grid.res]  # not the map's own
        self.obstacles = pts

    def _blocked_ahead(self, s: float) -> bool:
        if self.path is None or not len(self.obstacles):
            return False
        ahead = np.array([self.path.point_at(s + d) for d in np.arange(0.0, AHEAD_M, self.grid.res)])
        d = np.hypot(
            ahead[:, None, 0] - self.obstacles[None, :, 0], ahead[:, None, 1] - self.obstacles[None, :, 1]
        )
        return bool((d.min(1) <= self.grid.inflate).any())

    def _grid_with_obstacles(self) -> Grid:
        g = self.grid
        clearance = g.clearance.copy()
        k = self._stamp.shape[0] // 2
        for i, j in {g.cell(x, y) for x, y in self.obstacles}:
            a0, a1, b0, b1 = max(0, i - k), min(g.nx, i + k + 1), max(0, j - k), min(g.ny, j + k + 1)
            window = clearance[a0:a1, b0:b1]
            np.minimum(window, self._stamp[a0 - i + k : a1 - i + k, b0 - j + k : b1 - j + k], out=window)
        return Grid(clearance, (g.x0, g.y0), g.res, g.inflate)

    def carrot(self, pose: tuple[float, float, float], goal: tuple[float, float]) -> tuple[float, float]:
        """The route point to steer by (map frame). Falls back to the goal itself if no route."""
        x, y, _ = pose
        near = None
        if self.goal is None or math.dist(goal, self.goal) > GOAL_MOVED_M:
            self._plan((x, y), goal)
        elif self.path is None:
            # unreachable on the map: A* would fail the same way until the robot gets elsewhere
            if self._tried_from is None or math.dist(self._tried_from, (x, y)) >= RETRY_MOVED_M:
                self._plan((x, y), goal)
        else:
            near = self.path.nearest(x, y)
            self._calls_since_plan += 1
            if near[1] > self.replan_off or (
                self._calls_since_plan >= REPLAN_MIN_CALLS and self._blocked_ahead(near[0])
            ):
                self._plan((x, y), goal)
                near = None
        if self.path is None:
            return goal
        s, _ = self.path.nearest(x, y) if near is None else near
        return tuple(self.path.point_at(s + self.lookahead))

    def _plan(self, start: tuple[float, float], goal: tuple[float, float]) -> None:
        self.goal, self._tried_from = goal, start
        self._calls_since_plan = 0
        pts = astar(self._grid_with_obstacles(), start, goal) if len(self.obstacles) else None
        if pts is None:  # nothing seen, or no way round it: the static map's route
            pts = astar(self.grid, start, goal)
        self.plans += 1
        self.unreachable = pts is None
        self.path = Path(pts) if pts else None

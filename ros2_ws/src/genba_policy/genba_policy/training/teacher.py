"""The privileged teacher: plans on the true map, tracks the path, and yields to people it can
see perfectly (their true positions and future paths). Used to label data for the student."""

from __future__ import annotations

import math

import numpy as np

from genba_policy.training.planner import Grid, astar
from genba_sim.scenario import Scenario

SAFE_M = 1.1       # centre-to-centre: robot circumradius 0.39 + person radius 0.25 + margin
PATIENT_SAFE_M = 0.85  # after waiting PATIENCE_S, accept this (still > 0.64 m contact distance)
PATIENCE_S = 5.0


class Teacher:
    def __init__(self, sc: Scenario, max_speed_mps: float = 0.7, lookahead_m: float = 0.7) -> None:
        self.sc, self.max_speed, self.lookahead = sc, max_speed_mps, lookahead_m
        self.grid = Grid(sc)
        path = astar(self.grid, (sc.start.x, sc.start.y), (sc.goal.x, sc.goal.y))
        if path is None:
            self.grid = Grid(sc, inflate_m=0.36)
            path = astar(self.grid, (sc.start.x, sc.start.y), (sc.goal.x, sc.goal.y))
        if path is None:
            raise ValueError(f"scenario {sc.name}: no path from start to goal")
        self.path = np.asarray(path)
        self._waiting_since: float | None = None
        seg = np.diff(self.path, axis=0)
        self.s = np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])

    def _point_at(self, s: float) -> np.ndarray:
        s = min(max(s, 0.0), self.s[-1])
        k = min(int(np.searchsorted(self.s, s, side="right")) - 1, len(self.path) - 2)
        f = (s - self.s[k]) / max(self.s[k + 1] - self.s[k], 1e-9)
        return self.path[k] + f * (self.path[k + 1] - self.path[k])

    def _progress(self, x: float, y: float) -> float:
        """Arc length of the path point nearest to (x, y)."""
        best, best_s = math.inf, 0.0
        for k in range(len(self.path) - 1):
            a, b = self.path[k], self.path[k + 1]
            ab = b - a
            t = float(np.clip(np.dot([x - a[0], y - a[1]], ab) / max(np.dot(ab, ab), 1e-12), 0.0, 1.0))
            p = a + t * ab
            d = math.hypot(x - p[0], y - p[1])
            if d < best:
                best, best_s = d, self.s[k] + t * math.hypot(*ab)
        return best_s

    def act(self, pose: tuple[float, float, float], t: float) -> tuple[float, float]:
        """(v, w) for the robot at ``pose`` at simulated time ``t``."""
        x, y, yaw = pose
        dist_goal = math.hypot(self.sc.goal.x - x, self.sc.goal.y - y)
        s_now = self._progress(x, y)
        target = self._point_at(s_now + self.lookahead)
        alpha = math.atan2(target[1] - y, target[0] - x) - yaw
        alpha = math.atan2(math.sin(alpha), math.cos(alpha))
        if abs(alpha) > math.radians(50):
            return 0.0, math.copysign(1.2, alpha)  # turn toward the path first
        v = self.max_speed * min(1.0, dist_goal / 1.2 + 0.15) * (1.0 - 0.5 * abs(alpha) / math.radians(50))
        # slow near static obstacles (ground-truth clearance of the robot's cell)
        clear = float(self.grid.clearance[self.grid.cell(x, y)])
        v *= float(np.clip((clear - 0.30) / 0.5, 0.35, 1.0))
        if self.sc.pedestrians:
            v = self._yield_speed(s_now, v, t)
        if v < 0.0:
            return v, 0.0  # backing off along the way we came
        w = 2.0 * max(v, 0.15) * math.sin(alpha) / self.lookahead
        return v, float(np.clip(w, -1.5, 1.5))

    def _yield_speed(self, s_now: float, v: float, t: float) -> float:
        """Pick go / slow / wait / back off, whichever keeps people (whose true future positions
        the teacher knows) at least SAFE_M away over the next 3 s; else the one keeping them farthest."""
        best_v, best_d = 0.0, -math.inf
        impatient = self._waiting_since is not None and t - self._waiting_since > PATIENCE_S
        safe = PATIENT_SAFE_M if impatient else SAFE_M
        for cand in (v, 0.5 * v, 0.0, -0.25):
            d_min = math.inf
            for dt in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
                rx, ry = self._point_at(s_now + cand * dt)
                for ped in self.sc.pedestrians:
                    px, py, _ = ped.position(t + dt)
                    d_min = min(d_min, math.hypot(px - rx, py - ry))
            if d_min >= safe:
                best_v, best_d = cand, math.inf
                break
            if d_min > best_d:
                best_v, best_d = cand, d_min
        if best_v > 0.0:
            self._waiting_since = None
        elif self._waiting_since is None:
            self._waiting_since = t
        return best_v

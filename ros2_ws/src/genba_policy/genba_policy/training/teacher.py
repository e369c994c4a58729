"""The privileged teacher: plans on the true map, tracks the path, and yields to people it can
see perfectly (their true positions and future paths). Used to label data for the student.

Its control law is continuous in the robot's state (speed falls smoothly to a turn on the spot as
the heading error grows) and it replans from wherever the student has driven it, so that its
labels are a function a student can learn: no jump between nearby states, no pull back to a path
it left long ago."""

from __future__ import annotations

import math

import numpy as np

from genba_policy.training.planner import Grid, astar
from genba_sim.scenario import Scenario

SAFE_M = 1.1       # centre-to-centre: robot circumradius 0.39 + person radius 0.25 + margin
PATIENT_SAFE_M = 0.85  # after waiting PATIENCE_S, accept this (still > 0.64 m contact distance)
PATIENCE_S = 5.0
REPLAN_OFF_PATH_M = 0.5
REPLAN_EVERY_S = 1.0


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
        self._set_path(path)
        self._waiting_since: float | None = None
        self._last_replan = -math.inf

    def _set_path(self, path) -> None:
        self.path = np.asarray(path)
        seg = np.diff(self.path, axis=0)
        self.s = np.concatenate([[0.0], np.cumsum(np.hypot(seg[:, 0], seg[:, 1]))])

    def _replan_if_off_path(self, x: float, y: float, t: float) -> None:
        p = self._point_at(self._progress(x, y))
        if math.hypot(p[0] - x, p[1] - y) > REPLAN_OFF_PATH_M and t - self._last_replan >= REPLAN_EVERY_S:
            self._last_replan = t
            path = astar(self.grid, (x, y), (self.sc.goal.x, self.sc.goal.y))
            if path is not None:
                self._set_path(path)

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
        self._replan_if_off_path(x, y, t)
        dist_goal = math.hypot(self.sc.goal.x - x, self.sc.goal.y - y)
        s_now = self._progress(x, y)
        target = self._point_at(s_now + self.lookahead)
        alpha = math.atan2(target[1] - y, target[0] - x) - yaw
        alpha = math.atan2(math.sin(alpha), math.cos(alpha))
        # slower the more the path lies to the side; beyond 60 degrees turn on the spot
        v = self.max_speed * min(1.0, dist_goal / 1.2 + 0.15) * max(0.0, 1.0 - abs(alpha) / math.radians(60))
        # slow near static obstacles (ground-truth clearance of the robot's cell)
        clear = float(self.grid.clearance[self.grid.cell(x, y)])
        v *= float(np.clip((clear - 0.30) / 0.5, 0.35, 1.0))
        if self.sc.pedestrians:
            v = self._yield_speed(s_now, v, t)
        if v < 0.0:
            return v, 0.0  # backing off along the way we came
        return v, float(np.clip(2.0 * alpha, -1.2, 1.2))

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

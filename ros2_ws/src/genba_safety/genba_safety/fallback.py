"""Classical reactive LiDAR controller: heads for the goal through the freest corridor.

Used by the supervisor in FALLBACK mode, and as the placeholder policy of ``genba_policy``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ReactiveConfig:
    max_speed_mps: float = 0.5
    max_yaw_rate_radps: float = 1.2
    corridor_half_width_m: float = 0.38   # robot half width + margin
    lookahead_m: float = 2.0
    min_free_m: float = 0.45
    goal_tolerance_m: float = 0.25
    heading_gain: float = 1.8
    n_headings: int = 72
    goal_weight: float = 1.0
    free_weight: float = 1.0
    stickiness: float = 0.15


class ReactiveController:
    """Stateless apart from the last chosen heading (a small bias that damps dithering)."""

    def __init__(self, cfg: ReactiveConfig = ReactiveConfig()) -> None:
        self.cfg = cfg
        self._headings = np.linspace(-math.pi, math.pi, cfg.n_headings, endpoint=False)
        self._cos, self._sin = np.cos(self._headings), np.sin(self._headings)
        self._last_heading = 0.0

    def free_distances(self, pts: np.ndarray) -> np.ndarray:
        """Free travel along each candidate heading, for a corridor as wide as the robot."""
        cfg = self.cfg
        if pts.size == 0:
            return np.full(self._headings.shape, cfg.lookahead_m)
        along = np.outer(self._cos, pts[:, 0]) + np.outer(self._sin, pts[:, 1])
        lateral = np.outer(-self._sin, pts[:, 0]) + np.outer(self._cos, pts[:, 1])
        blocking = (along > 0.0) & (np.abs(lateral) < cfg.corridor_half_width_m)
        free = np.where(blocking, along, np.inf).min(axis=1)
        return np.minimum(free, cfg.lookahead_m)

    def command(self, pts: np.ndarray, goal_xy: tuple[float, float] | None) -> tuple[float, float]:
        """(v, w) from scan points in base_link and the goal in base_link (None: stop)."""
        cfg = self.cfg
        if goal_xy is None:
            return 0.0, 0.0
        gx, gy = goal_xy
        dist = math.hypot(gx, gy)
        if dist < cfg.goal_tolerance_m:
            return 0.0, 0.0
        goal_ang = math.atan2(gy, gx)
        free = self.free_distances(pts)
        # Reaching the goal needs no more free space than the distance to it.
        enough = np.minimum(free, dist) / min(cfg.lookahead_m, max(dist, 1e-3))
        d_goal = np.abs(np.angle(np.exp(1j * (self._headings - goal_ang))))
        d_last = np.abs(np.angle(np.exp(1j * (self._headings - self._last_heading))))
        score = (
            cfg.free_weight * enough - cfg.goal_weight * d_goal / math.pi - cfg.stickiness * d_last / math.pi
        )
        score = np.where(free >= min(cfg.min_free_m, dist), score, -np.inf)
        if not np.isfinite(score).any():
            # Boxed in: turn toward the most open direction without translating.
            best = int(np.argmax(free))
            return 0.0, math.copysign(cfg.max_yaw_rate_radps * 0.5, self._headings[best] or 1.0)
        best = int(np.argmax(score))
        heading = float(self._headings[best])
        self._last_heading = heading
        w = max(-cfg.max_yaw_rate_radps, min(cfg.max_yaw_rate_radps, cfg.heading_gain * heading))
        if abs(heading) > math.pi / 2.5:
            return 0.0, w  # turn on the spot first
        v = cfg.max_speed_mps * min(1.0, free[best] / cfg.lookahead_m, dist / 0.8) * math.cos(heading)
        return max(0.0, v), w

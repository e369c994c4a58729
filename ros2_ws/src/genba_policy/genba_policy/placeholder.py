"""PLACEHOLDER POLICY: a classical reactive controller standing in for the distilled multimodal
policy (issue #5). It uses the LiDAR and goal only, ignores the camera, and reports an OOD score
of 0.0 because it has no learned model to be out of distribution for.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from genba_safety.fallback import ReactiveConfig, ReactiveController
from genba_safety.zones import ScanGeometry, scan_points

IS_PLACEHOLDER = True


@dataclass(frozen=True)
class PolicyOutput:
    v: float
    w: float
    ood_score: float
    inference_ms: float
    output_valid: bool


def goal_in_base(goal_xy: tuple[float, float], pose: tuple[float, float, float]) -> tuple[float, float]:
    """Goal (odom frame) expressed in base_link given the robot pose (x, y, yaw)."""
    x, y, yaw = pose
    dx, dy = goal_xy[0] - x, goal_xy[1] - y
    c, s = math.cos(yaw), math.sin(yaw)
    return c * dx + s * dy, -s * dx + c * dy


class PlaceholderPolicy:
    name = "placeholder-reactive"

    def __init__(self, max_speed_mps: float = 0.8) -> None:
        self.ctl = ReactiveController(ReactiveConfig(max_speed_mps=max_speed_mps))

    def act(self, ranges: np.ndarray, geometry: ScanGeometry, goal_base: tuple[float, float] | None) -> PolicyOutput:
        t0 = time.perf_counter()
        v, w = self.ctl.command(scan_points(ranges, geometry), goal_base)
        ms = (time.perf_counter() - t0) * 1e3
        valid = math.isfinite(v) and math.isfinite(w)
        return PolicyOutput(v if valid else 0.0, w if valid else 0.0, 0.0, ms, valid)

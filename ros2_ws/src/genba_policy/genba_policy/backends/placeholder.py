"""The placeholder policy: a classical reactive controller that drives without a learned model.

It uses the LiDAR and the goal only, ignores the camera, and reports an OOD score of 0.0 because it
has no learned model to be out of distribution for. The stack runs it unless asked for the student
(``backend: onnx``).
"""

from __future__ import annotations

import math
import time

import numpy as np

from genba_policy.backends import PolicyOutput
from genba_safety.fallback import ReactiveConfig, ReactiveController
from genba_safety.zones import ScanGeometry, scan_points


class PlaceholderPolicy:
    name = "placeholder-reactive"

    def __init__(self, max_speed_mps: float = 0.8) -> None:
        self.ctl = ReactiveController(ReactiveConfig(max_speed_mps=max_speed_mps))

    def act(
        self, ranges: np.ndarray, geometry: ScanGeometry, goal_base: tuple[float, float] | None
    ) -> PolicyOutput:
        t0 = time.perf_counter()
        v, w = self.ctl.command(scan_points(ranges, geometry), goal_base)
        ms = (time.perf_counter() - t0) * 1e3
        valid = math.isfinite(v) and math.isfinite(w)
        return PolicyOutput(v if valid else 0.0, w if valid else 0.0, 0.0, ms, valid)

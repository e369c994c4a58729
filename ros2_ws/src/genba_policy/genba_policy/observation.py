"""The student policy's inputs, built identically at training time (from the simulator) and on the
robot (from ROS messages). Changing anything here changes the model contract: bump OBS_VERSION.

    image  float32 [1, 3, 48, 64]  RGB, (x/255 - 0.5) / 0.25
    scan   float32 [1, 64]         min range per 5.625-degree sector from -pi, / SCAN_MAX_M, in [0, 1]
    state  float32 [1, 2]          measured v [m/s], w [rad/s]
    goal   float32 [1, 3]          min(distance, 10) / 10, cos(bearing), sin(bearing), in base_link
    route  float32 [1, 3]          the same for the route point route.LOOKAHEAD_M ahead on the global route
                                   (genba_policy.route on the static map), distance / 2 (max 1)
"""

from __future__ import annotations

import math

import numpy as np

from genba_perception.image import normalise, resize_area
from genba_perception.scan import bin_ranges, clean_ranges

OBS_VERSION = 2
IMAGE_H, IMAGE_W = 48, 64
SCAN_BINS = 64
SCAN_MAX_M = 8.0
INPUT_NAMES = ("image", "scan", "state", "goal", "route")
ROUTE_SCALE_M = 2.0


def observe(image_rgb: np.ndarray, ranges: np.ndarray, range_min: float, range_max: float,
            v: float, w: float, goal_base: tuple[float, float],
            route_base: tuple[float, float]) -> dict[str, np.ndarray]:
    """One observation (batch of 1). ``ranges`` is a full 360-degree scan starting at -pi; goal and
    route point are (x, y) in base_link."""
    img = normalise(resize_area(image_rgb, IMAGE_H, IMAGE_W))[None]
    cleaned = clean_ranges(ranges, range_min, range_max)
    scan = (bin_ranges(cleaned, SCAN_BINS, SCAN_MAX_M) / SCAN_MAX_M)[None].astype(np.float32)
    return {"image": img.astype(np.float32), "scan": scan,
            "state": np.array([[v, w]], np.float32),
            "goal": _polar(goal_base, 10.0), "route": _polar(route_base, ROUTE_SCALE_M)}


def _polar(xy: tuple[float, float], scale_m: float) -> np.ndarray:
    dist, bearing = math.hypot(*xy), math.atan2(xy[1], xy[0])
    return np.array([[min(dist, scale_m) / scale_m, math.cos(bearing), math.sin(bearing)]], np.float32)

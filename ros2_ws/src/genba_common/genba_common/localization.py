"""Goals in the map or odom frame: the map -> odom transform from a localizer's pose.

A localizer (AMCL, a fleet's localization, the simulator's ground truth) reports where base_link
is in ``map``; odometry says where it is in ``odom``. Their composition is ``map -> odom``
(REP-105), the transform a map-frame goal is brought into the odom frame with. Without a
localizer, a goal in ``map`` is not taken to be one in ``odom``: it waits until one is heard.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from genba_common import frames

Pose2D = tuple[float, float, float]  # x, y, yaw
ODOM_HISTORY = 200  # odometry poses kept to pair with a localizer's (4 s at 50 Hz)


def compose(a: Pose2D, b: Pose2D) -> Pose2D:
    """``a * b``: the pose ``b`` (given in a's frame) in the frame ``a`` is given in."""
    c, s = math.cos(a[2]), math.sin(a[2])
    yaw = a[2] + b[2]
    return a[0] + c * b[0] - s * b[1], a[1] + s * b[0] + c * b[1], math.atan2(math.sin(yaw), math.cos(yaw))


def inverse(a: Pose2D) -> Pose2D:
    c, s = math.cos(a[2]), math.sin(a[2])
    return -c * a[0] - s * a[1], s * a[0] - c * a[1], -a[2]


def apply(a: Pose2D, xy: tuple[float, float]) -> tuple[float, float]:
    """The point ``xy`` (given in a's frame) in the frame ``a`` is given in."""
    x, y, _ = compose(a, (xy[0], xy[1], 0.0))
    return x, y


def transform_points(a: Pose2D, points) -> np.ndarray:
    """:func:`apply` to an (N, 2) array of points."""
    pts = np.asarray(points, float).reshape(-1, 2)
    c, s = math.cos(a[2]), math.sin(a[2])
    return np.column_stack((a[0] + c * pts[:, 0] - s * pts[:, 1], a[1] + s * pts[:, 0] + c * pts[:, 1]))


def map_to_odom(base_in_map: Pose2D, base_in_odom: Pose2D) -> Pose2D:
    """The ``map -> odom`` transform from where base_link is in each frame at the same moment."""
    return compose(base_in_map, inverse(base_in_odom))


class UnknownFrame(ValueError):
    """A goal in a frame genba cannot bring into ``odom``."""


@dataclass
class GoalFrames:
    """The latest goal as given, and ``map -> odom`` once a localizer has been heard.

    :meth:`goal_in_odom` is computed at each call, so a goal in ``map`` follows the localizer's
    corrections."""

    goal: tuple[str, float, float] | None = None  # frame, x, y
    map_in_odom: Pose2D | None = None  # map -> odom inverted: where map's origin lies in odom
    _odom: deque = field(default_factory=lambda: deque(maxlen=ODOM_HISTORY))  # (stamp, pose)

    def set_goal(self, frame_id: str, x: float, y: float) -> None:
        """Raises :class:`UnknownFrame` for frames other than odom, map (and '' = odom)."""
        if frame_id not in frames.GOAL_FRAMES:
            raise UnknownFrame(f"goal ignored: frame '{frame_id}' (use {frames.ODOM} or {frames.MAP})")
        if not (math.isfinite(x) and math.isfinite(y)):
            raise UnknownFrame("goal ignored: position is not finite")
        self.goal = (frame_id or frames.ODOM, x, y)

    def on_odom(self, pose: Pose2D, stamp: float = 0.0) -> None:
        self._odom.append((stamp, pose))

    def on_localization(self, base_in_map: Pose2D, stamp: float | None = None) -> None:
        """A localizer's pose of base_link in ``map`` at ``stamp``, paired with the odometry pose
        stamped nearest to it (the latest without a stamp): a moving robot's two poses must be of
        the same moment, or map -> odom is off by the distance driven in between."""
        if not self._odom or not all(math.isfinite(v) for v in base_in_map):
            return
        if stamp is None:
            odom = self._odom[-1][1]
        else:
            odom = min(self._odom, key=lambda sample: abs(sample[0] - stamp))[1]
        self.map_in_odom = inverse(map_to_odom(base_in_map, odom))

    def goal_in_odom(self) -> tuple[float, float] | None:
        """The goal in ``odom``; None without a goal, or for a map goal before any localization."""
        if self.goal is None:
            return None
        frame, x, y = self.goal
        if frame == frames.ODOM:
            return x, y
        if self.map_in_odom is None:
            return None
        return apply(self.map_in_odom, (x, y))

"""Planar pose helpers: yaw and quaternions, points from the odom frame into base_link."""

from __future__ import annotations

import math


def yaw_of_quaternion(x: float, y: float, z: float, w: float) -> float:
    """Yaw (rad, about z) of a unit quaternion."""
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def pose_of(msg_pose) -> tuple[float, float, float]:
    """(x, y, yaw) of a geometry_msgs/Pose."""
    q = msg_pose.orientation
    return msg_pose.position.x, msg_pose.position.y, yaw_of_quaternion(q.x, q.y, q.z, q.w)


def quaternion_of_yaw(yaw: float) -> tuple[float, float, float, float]:
    """(x, y, z, w) of a rotation by ``yaw`` about z."""
    return 0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0)


def to_base(point_xy: tuple[float, float], pose: tuple[float, float, float]) -> tuple[float, float]:
    """A point given in the odom frame, in base_link of the robot at ``pose`` (x, y, yaw)."""
    x, y, yaw = pose
    dx, dy = point_xy[0] - x, point_xy[1] - y
    c, s = math.cos(yaw), math.sin(yaw)
    return c * dx + s * dy, -s * dx + c * dy

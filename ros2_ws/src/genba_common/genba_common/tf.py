"""Transforms on /tf, where tf2_msgs is installed (a ROS install; the PyPI ROS wheels have none)."""

from __future__ import annotations

from typing import Any

from genba_common import frames
from genba_common.qos import COMMAND


def tf_message_type() -> type | None:
    """tf2_msgs/TFMessage, or None where tf2_msgs is not installed."""
    try:
        from tf2_msgs.msg import TFMessage
    except ImportError:
        return None
    return TFMessage


class OdomTf:
    """Publishes ``odom -> base_link`` (REP-105) on /tf from an odometry pose."""

    def __init__(self, node: Any, tf_message: type) -> None:
        self._tf_message = tf_message
        self._pub = node.create_publisher(tf_message, "/tf", COMMAND)

    @classmethod
    def create(cls, node: Any) -> OdomTf | None:
        """An OdomTf for ``node``, or None where tf2_msgs is not installed."""
        tf_message = tf_message_type()
        return cls(node, tf_message) if tf_message is not None else None

    def publish(self, stamp: Any, x: float, y: float, orientation: Any) -> None:
        from geometry_msgs.msg import TransformStamped

        t = TransformStamped(child_frame_id=frames.BASE_LINK)
        t.header.stamp, t.header.frame_id = stamp, frames.ODOM
        t.transform.translation.x, t.transform.translation.y = x, y
        t.transform.rotation = orientation
        self._pub.publish(self._tf_message(transforms=[t]))

"""The goal a node drives to, in its odom frame: ``/goal_pose`` in odom or map, and the localizer's
pose (``localization/pose``, geometry_msgs/PoseWithCovarianceStamped in map: remap it to AMCL's
``amcl_pose`` or a fleet localizer's topic) that brings map goals into odom."""

from __future__ import annotations

from collections.abc import Callable

from geometry_msgs.msg import PoseStamped, PoseWithCovarianceStamped

from genba_common import frames
from genba_common.geometry import pose_of, quaternion_of_yaw
from genba_common.localization import GoalFrames, Pose2D, UnknownFrame
from genba_common.qos import subscribe_latched_and_live
from genba_common.stamps import stamp_to_sec


def goal_message(stamp, frame: str, x: float, y: float, yaw: float = 0.0) -> PoseStamped:
    """A ``/goal_pose`` message, as every sender makes it (rviz, ``genba goal``, the simulator)."""
    msg = PoseStamped()
    msg.header.frame_id, msg.header.stamp = frame, stamp
    msg.pose.position.x, msg.pose.position.y = x, y
    q = msg.pose.orientation
    q.x, q.y, q.z, q.w = quaternion_of_yaw(yaw)
    return msg


class GoalInput:
    """Subscribes ``goal_pose`` (transient-local and volatile publishers both connect) and
    ``localization/pose``; the node passes its odometry pose to :meth:`on_odom`. ``on_goal`` is
    called with the goal message's stamp whenever a goal is accepted."""

    def __init__(self, node, on_goal: Callable[[object], None] | None = None) -> None:
        self.frames = GoalFrames()
        self._node = node
        self._on_goal = on_goal
        self._warned_no_localization = False
        subscribe_latched_and_live(node, PoseStamped, "goal_pose", self._goal)
        subscribe_latched_and_live(node, PoseWithCovarianceStamped, "localization/pose", self._localization)

    def on_odom(self, pose: Pose2D, stamp: float = 0.0) -> None:
        self.frames.on_odom(pose, stamp)

    def goal_in_odom(self) -> tuple[float, float] | None:
        goal = self.frames.goal_in_odom()
        if goal is None and self.frames.goal is not None and not self._warned_no_localization:
            self._warned_no_localization = True
            self._node.get_logger().warning(
                "goal in map held: no localization on localization/pose yet (map -> odom unknown)"
            )
        return goal

    def _goal(self, msg: PoseStamped) -> None:
        previous = self.frames.goal
        try:
            self.frames.set_goal(msg.header.frame_id, msg.pose.position.x, msg.pose.position.y)
        except UnknownFrame as exc:
            self._node.get_logger().warning(str(exc), throttle_duration_sec=5.0)
            return
        if self.frames.goal != previous:
            frame, x, y = self.frames.goal
            self._node.get_logger().info(f"goal ({x:.2f}, {y:.2f}) in {frame}")
            self._warned_no_localization = False
        if self._on_goal is not None:
            self._on_goal(msg.header.stamp)

    def _localization(self, msg: PoseWithCovarianceStamped) -> None:
        if msg.header.frame_id not in (frames.MAP, ""):
            self._node.get_logger().warning(
                f"localization ignored: frame '{msg.header.frame_id}' (expected {frames.MAP})",
                throttle_duration_sec=5.0,
            )
            return
        self.frames.on_localization(pose_of(msg.pose.pose), stamp_to_sec(msg.header.stamp))

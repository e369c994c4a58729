"""``genba goal X Y [YAW]``: send the robot a goal the way rviz's "2D Goal Pose" tool does
(geometry_msgs/PoseStamped on ``/goal_pose``, reliable, volatile), to a stack on this ROS domain."""

from __future__ import annotations

import os
import time

from genba_common import frames
from genba_common.errors import ConfigError
from genba_common.goal_input import goal_message
from genba_common.qos import COMMAND


def send_goal(x: float, y: float, yaw: float = 0.0, frame: str = frames.ODOM, timeout_s: float = 10.0,
              log=print) -> None:
    """Publish the goal once a subscriber (the policy, the supervisor) is matched; ConfigError if none
    comes within ``timeout_s``."""
    if frame not in frames.GOAL_FRAMES:
        raise ConfigError(f"goal frame '{frame}' is not one of {', '.join(frames.GOAL_FRAMES)}")
    import rclpy
    from geometry_msgs.msg import PoseStamped

    rclpy.init()
    try:
        node = rclpy.create_node("genba_goal")
        pub = node.create_publisher(PoseStamped, "goal_pose", COMMAND)
        end = time.monotonic() + timeout_s
        while pub.get_subscription_count() == 0:
            if time.monotonic() > end:
                raise ConfigError(
                    f"no subscriber on /goal_pose within {timeout_s:g} s on ROS_DOMAIN_ID="
                    f"{os.environ.get('ROS_DOMAIN_ID', '0')} (is the stack running? genba run prints its "
                    "domain)"
                )
            rclpy.spin_once(node, timeout_sec=0.05)
        msg = goal_message(node.get_clock().now().to_msg(), frame, x, y, yaw)
        time.sleep(0.2)  # let every matched subscriber finish matching before the one message goes
        pub.publish(msg)
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            rclpy.spin_once(node, timeout_sec=0.05)
        log(f"genba: goal ({x:.2f}, {y:.2f}, yaw {yaw:.2f}) in {frame} sent to "
            f"{pub.get_subscription_count()} subscriber(s)")
        node.destroy_node()
    finally:
        rclpy.try_shutdown()

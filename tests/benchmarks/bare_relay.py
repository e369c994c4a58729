"""Baseline for the relay-overhead benchmark: the least an rclpy node can do with a command."""

import rclpy
from geometry_msgs.msg import TwistStamped
from rclpy.node import Node


class BareRelay(Node):
    def __init__(self) -> None:
        super().__init__("bare_relay")
        pub = self.create_publisher(TwistStamped, "relay/cmd_vel", 10)
        self.create_subscription(TwistStamped, "policy/cmd_vel", pub.publish, 10)


if __name__ == "__main__":
    rclpy.init()
    try:
        rclpy.spin(BareRelay())
    except KeyboardInterrupt:
        pass

"""Baseline for the relay benchmarks: the least an rclpy node can do with a command.
Usage: bare_relay.py [IN_TOPIC OUT_TOPIC]   (default policy/cmd_vel -> relay/cmd_vel)"""

import sys

import rclpy
from geometry_msgs.msg import TwistStamped
from rclpy.node import Node


class BareRelay(Node):
    def __init__(self, source: str, sink: str) -> None:
        super().__init__("bare_relay_" + sink.replace("/", "_"))
        pub = self.create_publisher(TwistStamped, sink, 10)
        self.create_subscription(TwistStamped, source, pub.publish, 10)


if __name__ == "__main__":
    rclpy.init()
    try:
        rclpy.spin(BareRelay(*(sys.argv[1:3] if len(sys.argv) >= 3 else ("policy/cmd_vel", "relay/cmd_vel"))))
    except KeyboardInterrupt:
        pass

"""Helpers for integration tests: real rclpy nodes in one executor, spun until a condition holds."""

from __future__ import annotations

import math
import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from geometry_msgs.msg import TwistStamped
from nav_msgs.msg import Odometry
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image, LaserScan
from std_msgs.msg import Header


def params(**kw) -> list[Parameter]:
    return [Parameter(k, value=v) for k, v in kw.items()]


def active(node):
    """A managed node configured and activated, as the lifecycle manager brings it up."""
    from rclpy.lifecycle import TransitionCallbackReturn

    ok = TransitionCallbackReturn.SUCCESS
    assert node.trigger_configure() == ok, f"{node.get_name()}: configure failed"
    assert node.trigger_activate() == ok
    return node


class Spinner:
    def __init__(self, *nodes: Node) -> None:
        self.ex = SingleThreadedExecutor()
        for n in nodes:
            self.ex.add_node(n)

    def add(self, node: Node) -> None:
        self.ex.add_node(node)

    def until(self, cond, timeout_s: float) -> bool:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            self.ex.spin_once(timeout_sec=0.005)
            if cond():
                return True
        return False

    def for_(self, seconds: float) -> None:
        self.until(lambda: False, seconds)


class FakeRobot(Node):
    """Publishes every input the supervisor watches; each stream can be switched off."""

    def __init__(self, name: str = "fake_robot") -> None:
        super().__init__(name)
        self.enabled = {
            "scan": True,
            "odom": True,
            "camera": True,
            "cloud": True,
            "health": True,
            "cmd": True,
        }
        self.cmd = (0.6, 0.0)
        self.scan_range = math.inf
        self.scan_fn = None  # t (s since start) -> 360 ranges, instead of scan_range everywhere
        self.scan_fields: dict = {}  # LaserScan fields to override (a broken geometry)
        self.odom_follows_command = False  # odometry twist: the last /cmd_vel_safe (obedient wheels), not 0
        self.t0 = time.monotonic()
        self.last_cmd_sent: float | None = None
        self.pub = {
            "scan": self.create_publisher(LaserScan, "scan", qos_profile_sensor_data),
            "odom": self.create_publisher(Odometry, "odom", qos_profile_sensor_data),
            "camera": self.create_publisher(Image, "perception/image", qos_profile_sensor_data),
            "cloud": self.create_publisher(Header, "cloud/heartbeat", 10),
            "health": self.create_publisher(DiagnosticArray, "policy/health", 10),
            "cmd": self.create_publisher(TwistStamped, "policy/cmd_vel", 10),
        }
        self.create_timer(0.05, self._tick)
        self.received: list[tuple[float, TwistStamped]] = []
        self.create_subscription(
            TwistStamped, "cmd_vel_safe", lambda m: self.received.append((time.monotonic(), m)), 50
        )

    def _tick(self) -> None:
        stamp = self.get_clock().now().to_msg()
        if self.enabled["scan"]:
            m = LaserScan(
                angle_min=-math.pi,
                angle_max=math.pi - 2 * math.pi / 360,
                angle_increment=2 * math.pi / 360,
                range_min=0.12,
                range_max=12.0,
            )
            for k, v in self.scan_fields.items():
                setattr(m, k, v)
            m.header.stamp, m.header.frame_id = stamp, "laser"
            m.ranges = (
                [float(r) for r in self.scan_fn(time.monotonic() - self.t0)]
                if self.scan_fn else [self.scan_range] * 360
            )
            self.pub["scan"].publish(m)
        if self.enabled["odom"]:
            o = Odometry()
            o.header.stamp = stamp
            o.pose.pose.orientation.w = 1.0
            if self.odom_follows_command and self.received:
                twist = self.received[-1][1].twist
                o.twist.twist.linear.x, o.twist.twist.angular.z = twist.linear.x, twist.angular.z
            self.pub["odom"].publish(o)
        if self.enabled["camera"]:
            c = Image(height=48, width=64, encoding="rgb8", step=192, data=bytes(range(256)) * 36)
            c.header.stamp = stamp
            self.pub["camera"].publish(c)
        if self.enabled["cloud"]:
            self.pub["cloud"].publish(Header(stamp=stamp, frame_id="test"))
        if self.enabled["health"]:
            st = DiagnosticStatus(
                name="genba/policy",
                values=[
                    KeyValue(key="ood_score", value="0.1"),
                    KeyValue(key="inference_ms", value="1.0"),
                    KeyValue(key="output_valid", value="true"),
                ],
            )
            d = DiagnosticArray(status=[st])
            d.header.stamp = stamp
            self.pub["health"].publish(d)
        if self.enabled["cmd"]:
            self.last_cmd_sent = time.monotonic()
            t = TwistStamped()
            t.header.stamp = stamp
            t.twist.linear.x, t.twist.angular.z = self.cmd
            self.pub["cmd"].publish(t)

    def last_v(self) -> float | None:
        return self.received[-1][1].twist.linear.x if self.received else None

"""Policy node: perception scan + odometry + goal -> TwistStamped command and health report."""

from __future__ import annotations

import math

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped, TwistStamped
from nav_msgs.msg import Odometry
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from sensor_msgs.msg import LaserScan

from genba_policy.placeholder import PlaceholderPolicy, goal_in_base
from genba_safety.rosutil import declare, diagnostics, run_node
from genba_safety.zones import ScanGeometry

LATCHED = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL, reliability=ReliabilityPolicy.RELIABLE)


class PolicyNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("policy", **node_kwargs)
        self.backend = declare(self, "backend", "placeholder",
                               "Policy implementation; only 'placeholder' exists until the distilled model lands",
                               read_only=True)
        max_speed = declare(self, "max_speed_mps", 0.8, "Cruise speed of the policy", 0.0, 3.0)
        self.laser = (declare(self, "laser_x_m", 0.20, "Laser x in base_link", -5.0, 5.0),
                      declare(self, "laser_y_m", 0.0, "Laser y in base_link", -5.0, 5.0),
                      declare(self, "laser_yaw", 0.0, "Laser yaw in base_link", -math.pi, math.pi))
        self.policy = PlaceholderPolicy(max_speed)
        self.get_logger().warn("running the PLACEHOLDER reactive policy (no learned model yet)")
        self.pose: tuple[float, float, float] | None = None
        self.goal: tuple[float, float] | None = None
        self.pub_cmd = self.create_publisher(TwistStamped, "policy/cmd_vel", 10)
        self.pub_health = self.create_publisher(DiagnosticArray, "policy/health", 10)
        self.create_subscription(LaserScan, "perception/scan", self._on_scan, qos_profile_sensor_data)
        self.create_subscription(Odometry, "odom", self._on_odom, qos_profile_sensor_data)
        self.create_subscription(PoseStamped, "goal_pose", self._on_goal, LATCHED)

    def _on_odom(self, msg: Odometry) -> None:
        q = msg.pose.pose.orientation
        yaw = math.atan2(2.0 * (q.w * q.z + q.x * q.y), 1.0 - 2.0 * (q.y * q.y + q.z * q.z))
        self.pose = (msg.pose.pose.position.x, msg.pose.pose.position.y, yaw)

    def _on_goal(self, msg: PoseStamped) -> None:
        self.goal = (msg.pose.position.x, msg.pose.position.y)
        self.get_logger().info(f"goal ({self.goal[0]:.2f}, {self.goal[1]:.2f}) in {msg.header.frame_id}")

    def _on_scan(self, msg: LaserScan) -> None:
        g = ScanGeometry(msg.angle_min, msg.angle_increment, msg.range_min, msg.range_max, *self.laser)
        goal = goal_in_base(self.goal, self.pose) if (self.goal and self.pose) else None
        out = self.policy.act(np.asarray(msg.ranges, dtype=np.float64), g, goal)
        cmd = TwistStamped()
        cmd.header.stamp = msg.header.stamp  # the sensor stamp travels with the decision
        cmd.header.frame_id = "base_link"
        cmd.twist.linear.x, cmd.twist.angular.z = out.v, out.w
        self.pub_cmd.publish(cmd)
        self.pub_health.publish(diagnostics(
            self, "genba/policy", self.policy.name, DiagnosticStatus.OK if out.output_valid else DiagnosticStatus.ERROR,
            "placeholder policy" if out.output_valid else "invalid output",
            {"ood_score": f"{out.ood_score:.4f}", "inference_ms": f"{out.inference_ms:.3f}",
             "output_valid": "true" if out.output_valid else "false", "backend": self.backend},
            stamp=msg.header.stamp))


def main(args: list[str] | None = None) -> None:
    run_node(PolicyNode, args)


if __name__ == "__main__":
    main()

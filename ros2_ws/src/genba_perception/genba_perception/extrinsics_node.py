"""Publishes the sensor extrinsics (calibration/extrinsics_*.yaml) as static transforms.

On a ROS install with tf2_msgs this is /tf_static (tf2_msgs/TFMessage), what rviz and tf2 read.
The PyPI ROS wheels have no tf2_msgs: there each transform goes out as a latched
geometry_msgs/TransformStamped on /extrinsics instead, and the node says so once.
"""

from __future__ import annotations

from geometry_msgs.msg import TransformStamped
from rclpy.node import Node

from genba_common.entry import run_node
from genba_common.params import Parameters
from genba_common.qos import latched
from genba_common.tf import tf_message_type
from genba_perception.extrinsics import load_extrinsics


class ExtrinsicsNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("extrinsics", **node_kwargs)
        param = Parameters(self, "genba_perception", "extrinsics.yaml")
        path = param("extrinsics_file", "Extrinsics YAML (calibration/extrinsics_*.yaml)")
        param.check_all_declared()
        self.transforms = load_extrinsics(path)  # an ExtrinsicsError is a ConfigError: one line, exit 2
        msgs = []
        now = self.get_clock().now().to_msg()
        for t in self.transforms:
            m = TransformStamped()
            m.header.stamp, m.header.frame_id, m.child_frame_id = now, t.parent, t.child
            m.transform.translation.x, m.transform.translation.y, m.transform.translation.z = t.xyz
            q = t.quaternion()
            m.transform.rotation.x, m.transform.rotation.y, m.transform.rotation.z, m.transform.rotation.w = q
            msgs.append(m)
        qos = latched(len(msgs))
        tf_message = tf_message_type()
        if tf_message is None:
            self.get_logger().warning("tf2_msgs not available (PyPI ROS wheels): publishing "
                                   "geometry_msgs/TransformStamped on /extrinsics instead of /tf_static")
            pub = self.create_publisher(TransformStamped, "/extrinsics", qos)
            for m in msgs:
                pub.publish(m)
            self.topic = "/extrinsics"
        else:
            self.create_publisher(tf_message, "/tf_static", qos).publish(tf_message(transforms=msgs))
            self.topic = "/tf_static"
        self.get_logger().info(f"{len(msgs)} static transforms from {path} on {self.topic}")


def main(args: list[str] | None = None) -> None:
    run_node(ExtrinsicsNode, args)


if __name__ == "__main__":
    main()

"""The link monitor over real rclpy topics: heartbeats while a real TCP server accepts, none (and an
ERROR diagnostic) once it is gone."""

import socket

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from ros_helpers import Spinner, params
from std_msgs.msg import Header

from genba_bringup.link_node import LinkMonitorNode
from genba_common.qos import COMMAND


def test_heartbeats_follow_the_real_link(ros):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    node = LinkMonitorNode(
        parameter_overrides=params(endpoint=f"tcp://127.0.0.1:{port}", period_ms=100.0, timeout_ms=50.0)
    )
    probe = Node("link_probe_listener")
    beats, diags = [], []
    probe.create_subscription(Header, "cloud/heartbeat", beats.append, COMMAND)
    probe.create_subscription(DiagnosticArray, "diagnostics", diags.append, 10)
    spin = Spinner(node, probe)
    try:
        assert spin.until(lambda: len(beats) >= 5, 5.0)
        assert beats[-1].frame_id == f"tcp://127.0.0.1:{port}"
        server.close()  # the link goes
        spin.for_(0.4)
        n = len(beats)
        spin.for_(1.5)
        assert len(beats) == n  # no heartbeat while the port refuses
        status = [s for d in diags for s in d.status if s.name == "genba/link_monitor"][-1]
        assert status.level == DiagnosticStatus.ERROR and "link lost" in status.message
        assert "ConnectionRefused" in status.message
    finally:
        node.close()
        node.destroy_node()
        probe.destroy_node()
        server.close()

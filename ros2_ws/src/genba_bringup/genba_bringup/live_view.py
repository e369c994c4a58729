"""``genba run --view``: a live view of the run in Foxglove, without a ROS install.

A Foxglove WebSocket server (the ``foxglove-sdk``) streams the run's topics as they are: ROS 2 CDR
messages with their ``ros2msg`` schemas (from rosbags' typestore), which Foxglove's panels draw
natively (3D: scan, TF, map, robot description, zones; Image: the anonymized camera). The data
policy decides what may be streamed: on the loopback interface (the default, 127.0.0.1: the viewer
runs on the robot) public and restricted topics; on any other address only public ones. Secret
topics, such as the raw camera, are never offered.
"""

from __future__ import annotations

import ipaddress
import socket

from genba_bringup.data_policy import DataPolicy

VIEW_TOPICS = ("/safety/zones", "/sim/map_markers")  # shown live beside what is recorded


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


class LiveView:
    """A Foxglove WebSocket server; ``add`` a topic to offer it, ``write`` raw CDR messages to it."""

    def __init__(self, data_policy: DataPolicy, typestore, host: str = "127.0.0.1", port: int = 8765) -> None:
        import foxglove

        self._foxglove = foxglove
        self.data_policy, self.typestore = data_policy, typestore
        self.on_robot = is_loopback(host)
        self.server = foxglove.start_server(name="genba", host=host, port=port)
        self.port = self.server.port
        self.channels: dict[str, object] = {}
        self.refused: dict[str, str] = {}

    def may_stream(self, topic: str) -> bool:
        cls = self.data_policy.classify(topic)
        allowed = cls == "public" or (self.on_robot and cls == "restricted")
        if not allowed:
            self.refused[topic] = cls
        return allowed

    def add(self, topic: str, type_name: str) -> bool:
        """Offer ``topic`` (ROS type ``pkg/msg/Name``); False if the data policy forbids it."""
        if not self.may_stream(topic):
            return False
        if topic not in self.channels:
            msgdef, _ = self.typestore.generate_msgdef(type_name, ros_version=2)
            schema = self._foxglove.Schema(name=type_name, encoding="ros2msg", data=msgdef.encode())
            self.channels[topic] = self._foxglove.Channel(topic, schema=schema, message_encoding="cdr")
        return True

    def write(self, topic: str, data: bytes, t_ns: int) -> None:
        ch = self.channels.get(topic)
        if ch is not None:
            ch.log(bytes(data), log_time=t_ns)

    def close(self) -> None:
        self.server.stop()

"""The CLI's own node: records topics to MCAP, measures per-stage latency, follows the episode."""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path

from diagnostic_msgs.msg import DiagnosticArray
from nav_msgs.msg import Odometry
from rclpy.node import Node
from rosgraph_msgs.msg import Clock
from std_msgs.msg import String

from genba_bringup.data_policy import DataPolicy
from genba_common.qos import COMMAND, LATCHED, SENSOR
from genba_common.stamps import stamp_to_sec

SENSOR_TOPICS = {"/scan", "/odom", "/perception/scan", "/perception/image", "/camera/image_raw",
                 "/camera/camera_info"}
LATCHED_TOPICS = {"/goal_pose", "/sim/episode", "/safety/mode"}


def _msg_class(type_name: str) -> type:
    pkg, _, name = type_name.split("/")
    return getattr(importlib.import_module(f"{pkg}.msg"), name)


class McapRecorder:
    """Writes raw CDR messages into a rosbag2 MCAP folder readable by the ``rosbags`` library.

    The data policy is enforced here, at the only place that writes: a topic the data policy does not
    allow to be recorded is refused whatever the caller asks.
    """

    def __init__(self, path: Path, data_policy: DataPolicy) -> None:
        self.data_policy = data_policy
        self.refused: dict[str, str] = {}
        from rosbags.rosbag2 import StoragePlugin, Writer
        from rosbags.typesys import Stores, get_typestore

        self.typestore = get_typestore(Stores.ROS2_KILTED)
        self.writer = Writer(path, version=9, storage_plugin=StoragePlugin.MCAP)
        self.writer.open()
        self.connections: dict[str, object] = {}
        self.counts: dict[str, int] = {}

    def add(self, topic: str, type_name: str) -> bool:
        """Open a connection for the topic; False (and nothing written, ever) if it is refused."""
        if not self.data_policy.may_record(topic):
            self.refused[topic] = self.data_policy.classify(topic)
            return False
        if topic not in self.connections:
            self.connections[topic] = self.writer.add_connection(topic, type_name, typestore=self.typestore)
            self.counts[topic] = 0
        return True

    def write(self, topic: str, data: bytes, t_ns: int) -> None:
        self.writer.write(self.connections[topic], t_ns, data)
        self.counts[topic] += 1

    def close(self) -> None:
        self.writer.close()


class MonitorNode(Node):
    def __init__(
        self, record_topics: tuple[str, ...], latency_stages: dict, recorder: McapRecorder | None
    ) -> None:
        super().__init__("genba_monitor")
        self.recorder = recorder
        self.pending = set(record_topics) if recorder else set()
        self.latency: dict[str, list[float]] = {stage: [] for stage in latency_stages}
        self._stage_topics = dict(latency_stages)
        self._stage_subscribed: set[str] = set()
        self._last_stamp: dict[str, float] = {}
        self.episode: dict | None = None
        self.mode = "MRM"  # the supervisor starts there until its inputs are fresh
        self.sim_time = 0.0
        self.mode_log: list[tuple[float, str]] = [(0.0, "MRM")]  # (sim time, mode)
        self.interventions = 0
        self.pose: tuple[float, float] | None = None
        self.create_subscription(String, "/sim/episode", self._on_episode, LATCHED)
        self.create_subscription(String, "/safety/mode", self._on_mode, LATCHED)
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diag, 50)
        self.create_subscription(Odometry, "/odom", self._on_odom, SENSOR)
        self.create_subscription(Clock, "/clock", self._on_clock, COMMAND)
        self.create_timer(0.5, self._discover)

    def _discover(self) -> None:
        types = dict(self.get_topic_names_and_types())
        for topic in list(self.pending):
            if topic in types:
                type_name = types[topic][0]
                self.pending.discard(topic)
                if not self.recorder.add(topic, type_name):
                    continue
                qos = SENSOR if topic in SENSOR_TOPICS else (LATCHED if topic in LATCHED_TOPICS else 50)
                self.create_subscription(
                    _msg_class(type_name), topic, lambda data, t=topic: self._on_raw(t, data), qos, raw=True
                )
        for stage, topic in self._stage_topics.items():
            if stage not in self._stage_subscribed and topic in types:
                qos = SENSOR if topic in SENSOR_TOPICS else 50
                self.create_subscription(
                    _msg_class(types[topic][0]), topic, lambda msg, s=stage: self._on_stage(s, msg), qos
                )
                self._stage_subscribed.add(stage)

    def _on_raw(self, topic: str, data: bytes) -> None:
        self.recorder.write(topic, data, time.time_ns())

    def _on_stage(self, stage: str, msg) -> None:
        stamp = stamp_to_sec(msg.header.stamp)
        # Count the first arrival of each decision only: the supervisor (100 Hz) and the bridge
        # (50 Hz) re-send the latest command, which would otherwise count its age again and again.
        if stamp > 0 and stamp != self._last_stamp.get(stage):
            self._last_stamp[stage] = stamp
            age_ms = (self.get_clock().now().nanoseconds * 1e-9 - stamp) * 1000.0
            if age_ms < 1000.0:  # older stamps are supervisor-generated holds, not pipeline latency
                self.latency[stage].append(age_ms)

    def _on_episode(self, msg: String) -> None:
        self.episode = json.loads(msg.data)

    def _on_mode(self, msg: String) -> None:
        if msg.data != self.mode:
            self.mode = msg.data
            self.mode_log.append((self.sim_time, msg.data))

    def _on_diag(self, msg: DiagnosticArray) -> None:
        for st in msg.status:
            if st.name == "genba/safety_supervisor":
                for kv in st.values:
                    if kv.key == "interventions":
                        self.interventions = max(self.interventions, int(kv.value))

    def _on_clock(self, msg: Clock) -> None:
        self.sim_time = stamp_to_sec(msg.clock)

    def _on_odom(self, msg: Odometry) -> None:
        self.pose = (msg.pose.pose.position.x, msg.pose.pose.position.y)

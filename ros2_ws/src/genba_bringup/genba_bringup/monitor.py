"""The CLI's own node: records topics to MCAP, measures per-stage latency, follows the episode."""

from __future__ import annotations

import functools
import importlib
import json
import time
from pathlib import Path

from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PoseStamped, PoseWithCovarianceStamped, TransformStamped
from nav_msgs.msg import Odometry
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock
from std_msgs.msg import Bool, String

from genba_bringup.data_policy import DataPolicy
from genba_bringup.live_view import VIEW_TOPICS
from genba_common.goal_input import goal_message
from genba_common.qos import COMMAND, LATCHED, SENSOR, latched
from genba_common.stamps import stamp_to_sec
from genba_common.tf import tf_message_type

SENSOR_TOPICS = {"/scan", "/odom", "/perception/scan", "/perception/image", "/camera/image_raw",
                 "/camera/image_anonymized", "/camera/camera_info"}
RECORD_DEPTH = 50  # history kept by each recording subscription
TF_TYPE = "tf2_msgs/msg/TFMessage"


def recording_qos(offered: list) -> tuple[QoSProfile, bool]:
    """The QoS to record a topic with, from its publishers' offered profiles (as rosbag2 chooses it):
    reliable only if every publisher is, transient local (latched) only if every publisher is; and
    whether the publishers disagree."""
    reliable = all(q.reliability == ReliabilityPolicy.RELIABLE for q in offered)
    latched = all(q.durability == DurabilityPolicy.TRANSIENT_LOCAL for q in offered)
    disagree = len({(q.reliability, q.durability) for q in offered}) > 1
    qos = QoSProfile(depth=RECORD_DEPTH,
                     reliability=ReliabilityPolicy.RELIABLE if reliable else ReliabilityPolicy.BEST_EFFORT,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL if latched else DurabilityPolicy.VOLATILE)
    return qos, disagree


def _qos_time(duration) -> object:
    from rosbags.interfaces import QosTime

    ns = duration.nanoseconds
    if ns >= 2**63 - 1 or ns < 0:  # "infinite", as rosbag2 writes it
        return QosTime(2147483647, 4294967295)
    return QosTime(ns // 1_000_000_000, ns % 1_000_000_000)


def rosbag_qos(q) -> object:
    """An rclpy QoS profile as rosbags' Qos (the fields of rosbag2's offered_qos_profiles)."""
    from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, QosReliability

    return Qos(QosHistory(int(q.history)), int(q.depth), QosReliability(int(q.reliability)),
               QosDurability(int(q.durability)), _qos_time(q.deadline), _qos_time(q.lifespan),
               QosLiveliness(int(q.liveliness)), _qos_time(q.liveliness_lease_duration),
               bool(q.avoid_ros_namespace_conventions))


def _msg_class(type_name: str) -> type:
    pkg, _, name = type_name.split("/")
    return getattr(importlib.import_module(f"{pkg}.msg"), name)


def tf_cdr(typestore, transforms: list) -> bytes:
    """A tf2_msgs/TFMessage of ``transforms`` ((parent, child, stamp_s, xyz, quaternion xyzw)) as CDR,
    serialized by rosbags' typestore: for where tf2_msgs itself is not installed."""
    t = typestore.types
    msgs = []
    for parent, child, stamp, xyz, q in transforms:
        sec = int(stamp // 1)
        stamp_msg = t["builtin_interfaces/msg/Time"](sec, int((stamp - sec) * 1e9))
        pose = t["geometry_msgs/msg/Transform"](t["geometry_msgs/msg/Vector3"](*xyz),
                                                t["geometry_msgs/msg/Quaternion"](*q))
        header = t["std_msgs/msg/Header"](stamp_msg, parent)
        msgs.append(t["geometry_msgs/msg/TransformStamped"](header, child, pose))
    return bytes(typestore.serialize_cdr(t[TF_TYPE](msgs), TF_TYPE))


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

    def may_record(self, topic: str) -> bool:
        """False (and nothing will ever be written) if the data policy refuses the topic."""
        if not self.data_policy.may_record(topic):
            self.refused[topic] = self.data_policy.classify(topic)
            return False
        return True

    def add(self, topic: str, type_name: str, offered_qos_profiles: tuple = ()) -> bool:
        """Open a connection for the topic, storing its publishers' QoS (rosbags ``Qos``) so a replay
        can restore them; False if it is refused."""
        if not self.may_record(topic):
            return False
        if topic not in self.connections:
            self.connections[topic] = self.writer.add_connection(
                topic, type_name, typestore=self.typestore, offered_qos_profiles=offered_qos_profiles)
            self.counts[topic] = 0
        return True

    def write(self, topic: str, data: bytes, t_ns: int) -> None:
        self.writer.write(self.connections[topic], t_ns, data)
        self.counts[topic] += 1

    def close(self) -> None:
        self.writer.close()


class MonitorNode(Node):
    def __init__(
        self, record_topics: tuple[str, ...], latency_stages: dict, recorder: McapRecorder | None,
        robot_description: str | None = None, view=None,
    ) -> None:
        super().__init__("genba_monitor")
        self.recorder, self.view = recorder, view
        self.record_topics = set(record_topics) if recorder else set()
        self.view_topics = (set(record_topics) | set(VIEW_TOPICS)) if view else set()
        self.pending = self.record_topics | self.view_topics
        self.sinks: dict[str, list] = {}  # topic -> the recorder and/or the view, as they accepted it
        if robot_description is not None:
            pub = self.create_publisher(String, "/robot_description", LATCHED)
            pub.publish(String(data=robot_description))
        # Without tf2_msgs (the PyPI ROS wheels) no node publishes /tf or /tf_static: write them from
        # /odom and the extrinsics node's /extrinsics, so a recording still has its frames.
        self.typestore = recorder.typestore if recorder else (view.typestore if view else None)
        if (recorder or view) and tf_message_type() is None:
            for topic, qos in (("/tf", COMMAND), ("/tf_static", latched(1))):
                if topic in self.pending:
                    self._add_sinks(topic, TF_TYPE, (rosbag_qos(qos),))
                self.pending.discard(topic)
            if self.sinks.get("/tf_static"):
                self.create_subscription(TransformStamped, "/extrinsics", self._on_extrinsics, latched(16))
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
        # where the robot is in the scenario's frame: the localizer's pose (odom is the wheels' own
        # frame on the robot stack); in the simulated stack the two coincide
        self.create_subscription(
            PoseWithCovarianceStamped, "/localization/pose", self._on_localization, LATCHED
        )
        self.policy_status = ""
        self.create_subscription(String, "/policy/status", self._on_policy_status, LATCHED)
        self._pub_goal = None  # created by offer_goal only: the simulated stack's goal is the sim's
        self.create_subscription(Clock, "/clock", self._on_clock, COMMAND)
        self.create_timer(0.5, self._discover)
        self._pub_estop = self.create_publisher(Bool, "/estop", COMMAND)

    def offer_goal(self, x: float, y: float, frame: str) -> bool:
        """Send a goal on /goal_pose, latched as a fleet manager's is (the policy and the supervisor get
        it whenever they come up). True once the policy reports it has one."""
        if self._pub_goal is None:
            self._pub_goal = self.create_publisher(PoseStamped, "/goal_pose", LATCHED)
            self._pub_goal.publish(goal_message(self.get_clock().now().to_msg(), frame, x, y))
        return self.policy_status not in ("", "no_goal")

    def stop_robot(self) -> None:
        """E-stop the robot (supervisor and bridge zero the wheels): the first step of a shutdown."""
        self._pub_estop.publish(Bool(data=True))

    def _discover(self) -> None:
        types = dict(self.get_topic_names_and_types())
        for topic in list(self.pending):
            publishers = self.get_publishers_info_by_topic(topic) if topic in types else []
            if not publishers:
                continue  # not published yet: its QoS is not known
            type_name = types[topic][0]
            self.pending.discard(topic)
            offered = [info.qos_profile for info in publishers]
            if not self._add_sinks(topic, type_name, tuple(rosbag_qos(q) for q in offered)):
                continue
            qos, disagree = recording_qos(offered)
            if disagree:
                self.get_logger().warning(f"{topic}: its {len(offered)} publishers offer different QoS; "
                                          f"recording it {qos.reliability.name} {qos.durability.name}")
            self.create_subscription(
                _msg_class(type_name), topic, lambda data, t=topic: self._on_raw(t, data), qos, raw=True
            )
        for stage, topic in self._stage_topics.items():
            if stage not in self._stage_subscribed and topic in types:
                qos = SENSOR if topic in SENSOR_TOPICS else 50
                self.create_subscription(  # (msg, info): rclpy hands over the DDS timestamps
                    _msg_class(types[topic][0]), topic, functools.partial(self._on_stage, stage), qos
                )
                self._stage_subscribed.add(stage)

    def _add_sinks(self, topic: str, type_name: str, offered: tuple) -> bool:
        """Hand ``topic`` to the recorder and the view, where each wants it and the data policy allows."""
        sinks = []
        if topic in self.record_topics and self.recorder.add(topic, type_name, offered):
            sinks.append(self.recorder)
        if topic in self.view_topics and self.view.add(topic, type_name):
            sinks.append(self.view)
        self.sinks[topic] = sinks
        return bool(sinks)

    def _on_raw(self, topic: str, data: bytes) -> None:
        t_ns = time.time_ns()
        for sink in self.sinks.get(topic, ()):
            sink.write(topic, data, t_ns)

    def _on_stage(self, stage: str, msg, info: dict) -> None:
        """A stage's latency: its message's sensor stamp to when the stage published it (the DDS
        source timestamp, so this node's own delays do not count), or to its arrival here where the
        middleware gives no source timestamp."""
        stamp = stamp_to_sec(msg.header.stamp)
        # Count the first arrival of each decision only: the supervisor (100 Hz) and the bridge
        # (50 Hz) re-send the latest command, which would otherwise count its age again and again.
        if stamp > 0 and stamp != self._last_stamp.get(stage):
            self._last_stamp[stage] = stamp
            published_ns = info.get("source_timestamp") or self.get_clock().now().nanoseconds
            age_ms = (published_ns * 1e-9 - stamp) * 1000.0
            if age_ms < 1000.0:  # older: the supervisor holding a stop on a scan that stopped coming
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

    def _on_localization(self, msg: PoseWithCovarianceStamped) -> None:
        self.pose = (msg.pose.pose.position.x, msg.pose.pose.position.y)

    def _on_policy_status(self, msg: String) -> None:
        self.policy_status = msg.data

    def _on_odom(self, msg: Odometry) -> None:
        if self.sinks.get("/tf"):
            p, q = msg.pose.pose.position, msg.pose.pose.orientation
            self._on_raw("/tf", tf_cdr(self.typestore, [(msg.header.frame_id, msg.child_frame_id,
                                                         stamp_to_sec(msg.header.stamp), (p.x, p.y, p.z),
                                                         (q.x, q.y, q.z, q.w))]))

    def _on_extrinsics(self, msg: TransformStamped) -> None:
        t, r = msg.transform.translation, msg.transform.rotation
        self._on_raw("/tf_static", tf_cdr(self.typestore, [(msg.header.frame_id, msg.child_frame_id,
                                                            stamp_to_sec(msg.header.stamp), (t.x, t.y, t.z),
                                                            (r.x, r.y, r.z, r.w))]))

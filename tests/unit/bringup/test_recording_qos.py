"""The recorder subscribes with the QoS a topic's publishers offer, as rosbag2 chooses it, and stores
them in rosbag2's terms."""

from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

from genba_bringup.monitor import recording_qos, rosbag_qos
from genba_common.qos import COMMAND, LATCHED, SENSOR


def test_latched_and_reliable_only_when_every_publisher_is():
    q, disagree = recording_qos([LATCHED])
    assert q.durability == DurabilityPolicy.TRANSIENT_LOCAL and q.reliability == ReliabilityPolicy.RELIABLE
    assert not disagree
    q, disagree = recording_qos([SENSOR])
    assert q.reliability == ReliabilityPolicy.BEST_EFFORT and q.durability == DurabilityPolicy.VOLATILE
    q, disagree = recording_qos([COMMAND, SENSOR])  # one best-effort publisher: a reliable reader misses it
    assert q.reliability == ReliabilityPolicy.BEST_EFFORT and disagree
    q, disagree = recording_qos([LATCHED, COMMAND])  # one volatile publisher: transient local misses it
    assert q.durability == DurabilityPolicy.VOLATILE and disagree


def test_profiles_are_stored_as_rosbag2_writes_them():
    q = rosbag_qos(QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL,
                              reliability=ReliabilityPolicy.RELIABLE))
    assert (q.reliability.name, q.durability.name, q.depth) == ("RELIABLE", "TRANSIENT_LOCAL", 1)
    assert q.deadline.sec >= 0 and q.liveliness.name in ("SYSTEM_DEFAULT", "AUTOMATIC")

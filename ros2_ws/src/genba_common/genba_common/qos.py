"""The QoS profiles of genba's topics, each defined once.

| profile | used for |
|---|---|
| ``SENSOR`` | scans, images: best effort, keep last 5 (``qos_profile_sensor_data``) |
| ``LATEST`` | a sensor input decided on once per message (the policy's scan): best effort, keep last 1 |
| ``ODOMETRY`` | publishing ``/odom``: reliable, keep last 10, volatile (as ROS base drivers do) |
| ``COMMAND`` | commands, health, heartbeats, e-stop: reliable, keep last 10, volatile |
| ``LATCHED`` | goal, map, safety mode, episode: reliable, transient local, keep last 1 |
| ``DIAGNOSTICS`` | ``/diagnostics``: reliable, keep last 10, volatile |

``LATEST`` makes a callback that runs late take the newest message, never a backlog. Subscribers of
``/odom`` take ``SENSOR``: a best-effort subscription matches reliable and
best-effort publishers alike.
"""

from __future__ import annotations

from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy, qos_profile_sensor_data


def latched(depth: int) -> QoSProfile:
    """``LATCHED`` keeping the last ``depth`` messages (a latched topic that carries several)."""
    return QoSProfile(
        depth=max(1, depth),
        durability=DurabilityPolicy.TRANSIENT_LOCAL,
        reliability=ReliabilityPolicy.RELIABLE,
    )


SENSOR = qos_profile_sensor_data
LATEST = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT, durability=DurabilityPolicy.VOLATILE)
ODOMETRY = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)
LATCHED = latched(1)
COMMAND = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)
DIAGNOSTICS = QoSProfile(
    depth=10, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE
)


def subscribe_latched_and_live(node, msg_type, topic: str, callback) -> None:
    """Two subscriptions to ``topic``: LATCHED, for the last message of a transient-local publisher
    (the simulator's goal), and volatile, for publishers that are (rviz's "2D Goal Pose" tool), which
    a transient-local subscription cannot match. A latched message may arrive on both."""
    node.create_subscription(msg_type, topic, callback, LATCHED)
    node.create_subscription(msg_type, topic, callback, COMMAND)

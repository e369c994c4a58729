"""A goal from rviz's "2D Goal Pose" tool (volatile, reliable, fixed frame odom or map) reaches the
policy and the supervisor, as the simulator's latched goal does; a goal in another frame is refused."""

from geometry_msgs.msg import PoseStamped
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from ros_helpers import Spinner, active

from genba_policy.node import PolicyNode
from genba_safety.node import SafetySupervisorNode

RVIZ_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)


def _goal(frame: str, x: float, y: float) -> PoseStamped:
    g = PoseStamped()
    g.header.frame_id, g.pose.position.x, g.pose.position.y = frame, x, y
    return g


def both_have(policy, safety):
    """The goal in odom as the policy and the supervisor hold it."""
    return policy.goals.goal_in_odom(), safety.inputs.samples["goal"].value


def test_a_volatile_goal_reaches_policy_and_supervisor(ros):
    policy, safety, rviz = PolicyNode(), active(SafetySupervisorNode()), Node("fake_rviz")
    pub = rviz.create_publisher(PoseStamped, "goal_pose", RVIZ_QOS)
    spin = Spinner(policy, safety, rviz)
    try:
        assert spin.until(lambda: pub.get_subscription_count() >= 2, 5.0)
        pub.publish(_goal("odom", 3.0, -1.5))
        assert spin.until(lambda: both_have(policy, safety) == ((3.0, -1.5), (3.0, -1.5)), 5.0)
        pub.publish(_goal("base_link", 9.0, 9.0))  # relative goals are not understood: refused
        spin.for_(0.5)
        assert both_have(policy, safety) == ((3.0, -1.5), (3.0, -1.5))
    finally:
        safety.close()
        for n in (policy, safety, rviz):
            n.destroy_node()


def test_the_policy_says_when_the_goal_is_reached(ros):
    from nav_msgs.msg import Odometry
    from std_msgs.msg import String

    from genba_common.qos import LATCHED, ODOMETRY

    policy, probe = PolicyNode(), Node("status_probe")
    statuses = []
    probe.create_subscription(String, "policy/status", lambda m: statuses.append(m.data), LATCHED)
    goal_pub = probe.create_publisher(PoseStamped, "goal_pose", RVIZ_QOS)
    odom_pub = probe.create_publisher(Odometry, "odom", ODOMETRY)

    def odom_at(x: float) -> Odometry:
        o = Odometry()
        o.header.frame_id, o.pose.pose.position.x, o.pose.pose.orientation.w = "odom", x, 1.0
        return o

    spin = Spinner(policy, probe)
    try:
        assert spin.until(lambda: statuses == ["no_goal"], 5.0), statuses  # latched: a late listener hears it
        assert spin.until(lambda: goal_pub.get_subscription_count() >= 1, 5.0)
        goal_pub.publish(_goal("odom", 2.0, 0.0))
        assert spin.until(lambda: (odom_pub.publish(odom_at(0.0)), statuses[-1] == "driving")[1], 5.0), (
            statuses
        )
        assert spin.until(lambda: (odom_pub.publish(odom_at(1.7)), statuses[-1] == "goal_reached")[1], 5.0)
        assert statuses == ["no_goal", "driving", "goal_reached"]  # each change once, nothing repeated
    finally:
        for n in (policy, probe):
            n.destroy_node()

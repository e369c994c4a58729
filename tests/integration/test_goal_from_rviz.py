"""A goal from rviz's "2D Goal Pose" tool (volatile, reliable, fixed frame odom or map) reaches the
policy and the supervisor, as the simulator's latched goal does; a goal in another frame is refused."""

from geometry_msgs.msg import PoseStamped
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from ros_helpers import Spinner

from genba_policy.node import PolicyNode
from genba_safety.node import SafetySupervisorNode

RVIZ_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)


def _goal(frame: str, x: float, y: float) -> PoseStamped:
    g = PoseStamped()
    g.header.frame_id, g.pose.position.x, g.pose.position.y = frame, x, y
    return g


def test_a_volatile_goal_reaches_policy_and_supervisor(ros):
    policy, safety, rviz = PolicyNode(), SafetySupervisorNode(), Node("fake_rviz")
    pub = rviz.create_publisher(PoseStamped, "goal_pose", RVIZ_QOS)
    spin = Spinner(policy, safety, rviz)
    try:
        assert spin.until(lambda: pub.get_subscription_count() >= 2, 5.0)
        pub.publish(_goal("map", 3.0, -1.5))
        assert spin.until(lambda: policy.goal == (3.0, -1.5)
                          and safety.inputs.samples["goal"].value == (3.0, -1.5), 5.0)
        pub.publish(_goal("base_link", 9.0, 9.0))  # relative goals are not understood: refused
        spin.for_(0.5)
        assert policy.goal == (3.0, -1.5) and safety.inputs.samples["goal"].value == (3.0, -1.5)
    finally:
        safety.close()
        for n in (policy, safety, rviz):
            n.destroy_node()

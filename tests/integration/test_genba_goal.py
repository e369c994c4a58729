"""`genba goal X Y [YAW]` reaches the policy and the supervisor as rviz's goal does; with no stack to
hear it, one line and exit 2."""

import os
import subprocess
import sys
import threading
from pathlib import Path

from ros_helpers import Spinner, active

from genba_policy.node import PolicyNode
from genba_safety.node import SafetySupervisorNode

ROOT = Path(__file__).resolve().parents[2]


def genba_goal(*args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genba_bringup.cli", "goal", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, GENBA_ROOT=str(ROOT)),
        cwd=ROOT,
        timeout=timeout,
    )


def test_genba_goal_in_map_reaches_the_policy_and_the_supervisor_in_odom(ros):
    """A map goal waits for the localizer; then both nodes hold it in odom, through map -> odom."""
    from geometry_msgs.msg import PoseWithCovarianceStamped
    from nav_msgs.msg import Odometry
    from rclpy.node import Node

    from genba_common.qos import COMMAND, ODOMETRY

    policy, safety, probe = PolicyNode(), active(SafetySupervisorNode()), Node("localizer_probe")
    odom_pub = probe.create_publisher(Odometry, "odom", ODOMETRY)
    loc_pub = probe.create_publisher(PoseWithCovarianceStamped, "localization/pose", COMMAND)
    odom = Odometry()
    odom.header.frame_id, odom.pose.pose.position.x, odom.pose.pose.orientation.w = "odom", 1.0, 1.0
    loc = PoseWithCovarianceStamped()  # the localizer: base_link at (2, 1) in map, so odom's origin is (1, 1)
    loc.header.frame_id, loc.pose.pose.position.x, loc.pose.pose.position.y = "map", 2.0, 1.0
    loc.pose.pose.orientation.w = 1.0
    probe.create_timer(0.05, lambda: odom_pub.publish(odom))
    spin = Spinner(policy, safety, probe)
    result = {}
    sender = threading.Thread(
        target=lambda: result.update(r=genba_goal("2.5", "-1.25", "1.57", "--frame", "map"))
    )
    sender.start()
    try:
        assert spin.until(lambda: policy.goals.frames.goal == ("map", 2.5, -1.25), 30.0)
        spin.for_(0.3)
        assert policy.goals.goal_in_odom() is None and safety.inputs.samples["goal"].value is None
        probe.create_timer(0.1, lambda: loc_pub.publish(loc))

        def heard() -> bool:
            p, s = policy.goals.goal_in_odom(), safety.inputs.samples["goal"].value
            return p is not None and s is not None and max(
                abs(p[0] - 1.5), abs(p[1] + 2.25), abs(s[0] - 1.5), abs(s[1] + 2.25)) < 1e-9

        assert spin.until(heard, 10.0), (policy.goals.goal_in_odom(), safety.inputs.samples["goal"].value)
        sender.join(30.0)
        r = result["r"]
        assert r.returncode == 0 and "goal (2.50, -1.25, yaw 1.57) in map sent to" in r.stdout, r.stderr
    finally:
        sender.join(30.0)
        safety.close()
        for n in (policy, safety, probe):
            n.destroy_node()


def test_genba_goal_without_a_stack_is_one_line_and_exit_2():
    r = genba_goal("1", "2", "--timeout-s", "0.5")
    assert r.returncode == 2 and "no subscriber on /goal_pose within 0.5 s" in r.stderr
    assert len([ln for ln in r.stderr.splitlines() if ln.strip()]) == 1


def test_genba_goal_refuses_a_nan_and_an_unknown_frame():
    for args, needle in ((["nan", "1"], "x"), (["1", "2", "--frame", "base_link"], "invalid choice")):
        r = genba_goal(*args)
        assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr

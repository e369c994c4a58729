"""The command mux in front of the supervisor, over rclpy: a joystick wins over the policy while
it is fresh, the policy again once it is released, and the e-stop topic holds zero over both; the
supervisor gates whatever wins."""

import time

from geometry_msgs.msg import Twist
from rclpy.node import Node
from ros_helpers import FakeRobot, Spinner, active, params
from std_msgs.msg import Bool, String

from genba_common.qos import COMMAND, LATCHED
from genba_safety.mux_node import CommandMuxNode
from genba_safety.node import SafetySupervisorNode

REMAP = ["--ros-args", "-r", "policy/cmd_vel:=mux/cmd_vel", "-r", "policy/health:=mux/health"]


def test_teleop_over_policy_then_back_and_estop_over_all(ros, tmp_path):
    mux = CommandMuxNode()
    safety = active(SafetySupervisorNode(
        cli_args=REMAP, parameter_overrides=params(audit_log_path=str(tmp_path / "audit.jsonl"))))
    robot = FakeRobot()  # every supervisor input fresh; the policy asks for 0.6 m/s straight on
    joy = Node("joystick")
    teleop = {"on": False}
    pub = joy.create_publisher(Twist, "teleop/cmd_vel", COMMAND)

    def stick():
        if teleop["on"]:
            t = Twist()
            t.linear.x, t.angular.z = 0.2, 0.3
            pub.publish(t)

    joy.create_timer(0.05, stick)
    estop = joy.create_publisher(Bool, "estop", COMMAND)
    sources: list[str] = []
    joy.create_subscription(String, "mux/active_source", lambda m: sources.append(m.data), LATCHED)
    spin = Spinner(mux, safety, robot, joy)

    def gated(since: float):
        return [(m.twist.linear.x, m.twist.angular.z) for t, m in robot.received if t > since]

    try:
        assert spin.until(lambda: sources and sources[-1] == "policy", 5.0), sources
        assert spin.until(lambda: any(v > 0.55 for v, _ in gated(0.0)), 5.0), "the policy never drove"
        teleop["on"] = True
        assert spin.until(lambda: sources[-1] == "teleop", 2.0), sources
        t0 = time.monotonic()

        def driving_by_stick() -> bool:  # once the supervisor's rate limits have brought the speed down
            late = gated(t0)[-10:]
            return len(late) == 10 and all(abs(v - 0.2) < 1e-6 and abs(w - 0.3) < 1e-6 for v, w in late)

        assert spin.until(driving_by_stick, 3.0), gated(t0)[-3:]
        teleop["on"] = False  # released: after its 0.5 s timeout the policy drives again
        assert spin.until(lambda: sources[-1] == "policy", 2.0), sources
        t1 = time.monotonic()
        assert spin.until(lambda: any(v > 0.55 for v, _ in gated(t1)), 3.0)
        teleop["on"] = True
        estop.publish(Bool(data=True))  # over every source, the joystick too
        assert spin.until(lambda: sources[-1] == "lock:estop", 2.0), sources
        t2 = time.monotonic()
        spin.for_(1.5)
        assert all(v == 0.0 for v, _ in gated(t2 + 1.0))
        assert safety.sup.ladder.mode.name == "ESTOP"
        # each switch said once (a late listener may also hear the latched "" of the start, no source)
        seen = sources[sources.index("policy"):]
        assert seen[:3] == ["policy", "teleop", "policy"] and seen[-1] == "lock:estop", sources
        assert "" not in seen and all(a != b for a, b in zip(seen, seen[1:], strict=False)), sources
    finally:
        safety.close()
        for n in (mux, safety, robot, joy):
            n.destroy_node()

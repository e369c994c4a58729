"""The actuation bridge node against the controller emulator on a real pseudo-terminal."""

import os

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import TwistStamped
from nav_msgs.msg import Odometry
from rclpy.node import Node
from ros_helpers import Spinner, active, params

from genba_actuation.emulator import PtyController
from genba_actuation.kinematics import DiffDrive
from genba_actuation.node import ActuationBridgeNode
from genba_common.qos import ODOMETRY


def test_commands_reach_the_controller_and_odometry_comes_back(ros, tmp_path):
    link = str(tmp_path / "ttyMOTOR")
    ctl = PtyController(link_path=link).start()
    bridge = active(ActuationBridgeNode(parameter_overrides=params(port=link)))
    probe = Node("probe_act")
    pub = probe.create_publisher(TwistStamped, "cmd_vel_safe", 10)
    odom: list[Odometry] = []
    probe.create_subscription(Odometry, "odom", odom.append, ODOMETRY)
    probe.create_timer(0.02, lambda: pub.publish(TwistStamped(twist=_twist(0.4, 0.2))))
    spin = Spinner(bridge, probe)
    try:
        assert spin.until(lambda: ctl.core.connected, 3.0), "no handshake"
        want = DiffDrive().wheel_speeds(0.4, 0.2)
        assert spin.until(
            lambda: abs(ctl.core.target[0] - want[0]) < 1e-3 and abs(ctl.core.target[1] - want[1]) < 1e-3, 2.0
        )
        assert spin.until(lambda: odom and odom[-1].twist.twist.linear.x > 0.3, 3.0)
        last = odom[-1]
        assert (last.header.frame_id, last.child_frame_id) == ("odom", "base_link")
        # the encoder model's covariances: the pose's grow with the distance driven, z/roll/pitch unknown
        cov = last.pose.covariance
        assert 0.0 < cov[0] < 0.01 and 0.0 < cov[35] < 0.1 and cov[14] == cov[21] == cov[28] == 1e6
        assert spin.until(lambda: odom[-1].pose.covariance[0] > cov[0], 1.0)
        assert 0.0 < last.twist.covariance[0] < 0.1
        assert ctl.core.watchdog_trips == 0
    finally:
        bridge.destroy_node()
        probe.destroy_node()
        ctl.close()


def test_missing_port_leaves_the_bridge_unconfigured_until_the_device_is_there(ros, tmp_path):
    from rclpy.lifecycle import TransitionCallbackReturn

    link = str(tmp_path / "ttyLATE")
    bridge = ActuationBridgeNode(parameter_overrides=params(port=link, reconnect_backoff_max_s=0.2))
    assert bridge.trigger_configure() == TransitionCallbackReturn.FAILURE
    probe = Node("probe_diag")
    diags: list[DiagnosticArray] = []
    probe.create_subscription(DiagnosticArray, "diagnostics", diags.append, 10)
    spin = Spinner(bridge, probe)
    ctl = None
    try:

        def error_seen():
            return any(
                s.name == "genba/actuation_bridge" and s.level == DiagnosticStatus.ERROR
                for d in diags
                for s in d.status
            )

        assert spin.until(error_seen, 3.0)
        msg = next(s.message for d in diags for s in d.status if s.name == "genba/actuation_bridge")
        assert link in msg and "does not exist" in msg and "\n" not in msg
        assert bridge._state_machine.current_state[1] == "unconfigured"
        # The device appears later (plugged in): configured again (its manager asks), the bridge
        # connects and starts from zero.
        ctl = PtyController(link_path=link).start()
        spin.for_(0.3)  # the backoff of the failed open
        active(bridge)
        assert spin.until(lambda: ctl.core.connected, 3.0)
        assert ctl.core.target == [0.0, 0.0]
        assert os.path.islink(link)
    finally:
        bridge.destroy_node()
        probe.destroy_node()
        if ctl:
            ctl.close()


def _twist(v, w):
    from geometry_msgs.msg import Twist

    t = Twist()
    t.linear.x, t.angular.z = v, w
    return t


def test_device_vanishing_is_survived_and_reconnect_starts_from_zero(ros, tmp_path):
    link = str(tmp_path / "ttyUSB")
    ctl = PtyController(link_path=link).start()
    bridge = active(ActuationBridgeNode(parameter_overrides=params(port=link, reconnect_backoff_max_s=0.2)))
    probe = Node("probe_unplug")
    pub = probe.create_publisher(TwistStamped, "cmd_vel_safe", 10)
    probe.create_timer(0.02, lambda: pub.publish(TwistStamped(twist=_twist(0.5, 0.0))))
    spin = Spinner(bridge, probe)
    ctl2 = None
    try:
        assert spin.until(lambda: ctl.core.target[0] > 1.0, 3.0)
        ctl.close()  # USB unplug: the device and its node disappear
        assert spin.until(lambda: not bridge.link.is_open, 2.0), "bridge did not notice the device vanished"
        ctl2 = PtyController(link_path=link).start()  # plugged back in (new pty behind the same link)
        seen_zero_first = []

        def connected_and_driving():
            if ctl2.core.connected and not seen_zero_first:
                seen_zero_first.append(list(ctl2.core.target))
            return ctl2.core.connected and ctl2.core.target[0] > 1.0

        assert spin.until(connected_and_driving, 4.0)
        assert seen_zero_first[0] == [0.0, 0.0]
        assert bridge.link.reconnects == 2
    finally:
        bridge.destroy_node()
        probe.destroy_node()
        if ctl2:
            ctl2.close()


def test_a_new_decision_goes_on_the_wire_as_it_arrives_a_faster_repeat_waits_for_the_keepalive(ros, tmp_path):
    """The bridge's timer is never spun between a command and the check: what reached the controller was
    sent from the command's own callback (the controller's watchdog is long here, so nothing else moves)."""
    import time

    from genba_actuation.controller import ControllerConfig

    link = str(tmp_path / "ttyEVENT")
    ctl = PtyController(ControllerConfig(watchdog_ms=5000), link_path=link).start()
    bridge = active(ActuationBridgeNode(parameter_overrides=params(port=link, command_rate_hz=5.0,
                                                                   cmd_timeout_ms=2000.0)))
    spin = Spinner(bridge)

    def command(v: float, stamp_s: int) -> None:
        msg = TwistStamped(twist=_twist(v, 0.0))
        msg.header.stamp.sec = stamp_s
        bridge._on_cmd(msg)

    def wheel_target_becomes(pred, within_s: float = 1.0) -> bool:
        end = time.monotonic() + within_s
        while time.monotonic() < end:  # the emulator reads the pty on its own thread
            if pred(ctl.core.target[0]):
                return True
            time.sleep(0.002)
        return False

    try:
        assert spin.until(lambda: ctl.core.connected and bridge.sent_zero_after_connect, 3.0), "no handshake"
        spin.for_(0.5)
        command(0.2, 100)
        assert wheel_target_becomes(lambda t: t > 1e-6), "a new decision waited for the timer"
        first = ctl.core.target[0]  # ramped by the link's acceleration limit
        command(0.3, 100)  # the same decision, faster: it goes with the keepalive
        assert not wheel_target_becomes(lambda t: abs(t - first) > 1e-6, within_s=0.3)
        command(0.0, 100)  # slowing down never waits
        assert wheel_target_becomes(lambda t: t == 0.0)
        command(0.2, 101)  # a newer decision
        assert wheel_target_becomes(lambda t: t > 1e-6)
    finally:
        bridge.destroy_node()
        ctl.close()

"""Actuation bridge node: gated command -> serial frames; telemetry -> Odometry, BatteryState, diagnostics.

A managed node: the controller's port is opened on configure (a missing device leaves it
unconfigured, with one error line); while active, a port lost at runtime is reopened with backoff
and every new link starts from zero; on deactivate the wheels are commanded to zero."""

from __future__ import annotations

import math
import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import TwistStamped
from nav_msgs.msg import Odometry
from sensor_msgs.msg import BatteryState
from std_msgs.msg import Bool

from genba_actuation import protocol as p
from genba_actuation.bridge import BridgeCore, LinkLimits
from genba_actuation.kinematics import DiffDrive
from genba_actuation.odometry import EncoderNoise, fill_odometry_msg
from genba_common import frames
from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.lifecycle import ManagedNode, open_serial
from genba_common.params import Parameters
from genba_common.qos import COMMAND, DIAGNOSTICS, ODOMETRY
from genba_common.serial_link import SerialLink
from genba_common.tf import OdomTf


class ActuationBridgeNode(ManagedNode):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("actuation_bridge", **node_kwargs)
        param = Parameters(self, "genba_actuation", "actuation_bridge.yaml")
        self.port = param("port", "Serial device of the motor controller")
        baud = param("baudrate", "Serial baud rate", 1200, 4000000)
        self.rate_hz = param("command_rate_hz", "Keepalive rate: a frame goes out at least this often (each "
                             "new gated command goes out as it arrives)", 5.0, 1000.0)
        self.cmd_timeout_ms = param("cmd_timeout_ms", "Send zero when no gated command came for this long",
                                1.0, 10000.0)
        self.drive = DiffDrive(param("wheel_radius_m", "Wheel radius", 0.001, 2.0),
                               param("track_width_m", "Distance between the wheels", 0.01, 5.0),
                               param("ticks_per_rev", "Encoder ticks per wheel revolution", 1, 10 ** 7))
        self.core = BridgeCore(self.drive, LinkLimits(
            param("max_wheel_speed_radps", "Controller's top wheel speed: faster encoder counts are rejected",
                  0.1, 1000.0),
            param("max_accel_mps2", "After a gap, speeding up starts from the measured speed at this rate",
                  0.01, 20.0),
            param("max_yaw_accel_radps2", "The same for the yaw rate", 0.01, 100.0),
            2.5 / self.rate_hz,
        ), EncoderNoise(param("wheel_slip_fraction", "Odometry error model: distance error per wheel, as a "
                              "fraction of its travel (grows the pose covariance)", 0.0, 1.0)))
        self.link = SerialLink(
            self.port,
            baud,
            param("reconnect_backoff_initial_s", "First retry delay", 0.01, 10.0),
            param("reconnect_backoff_max_s", "Longest retry delay", 0.1, 60.0),
        )
        self.odom_frame = param("odom_frame_id", "Frame of /odom's pose (and parent of base_link on /tf)")
        self.publish_tf = param("publish_tf", "Publish odom -> base_link on /tf from the wheel odometry "
                                "(a robot; the simulator publishes its own)")
        autostart = param("autostart", "Configure and activate at start (no lifecycle manager)")
        param.check_all_declared()
        self.cmd = (0.0, 0.0)
        self.cmd_header = None
        self.cmd_received: float | None = None
        self.estop = False
        self.sent_zero_after_connect = False
        self.frames_sent = 0
        self._last_cmd_stamp: tuple[int, int] | None = None
        self._last_sent: float | None = None  # monotonic time of the last velocity frame
        self.create_subscription(TwistStamped, "cmd_vel_safe", self._on_cmd, COMMAND)
        self.create_subscription(Bool, "estop", self._on_estop, COMMAND)
        self.pub_odom = self.create_publisher(Odometry, "odom", ODOMETRY)
        self.odom_tf = OdomTf.create(self) if self.publish_tf else None
        if self.publish_tf and self.odom_tf is None:
            self.get_logger().warning("publish_tf: tf2_msgs is not installed (PyPI ROS wheels): no /tf")
        self.pub_batt = self.create_publisher(BatteryState, "battery", COMMAND)
        self.pub_sent = self.create_publisher(TwistStamped, "actuation/cmd_sent", COMMAND)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.create_timer(1.0 / self.rate_hz, self._tick)
        self.create_timer(0.5, self._diagnostics)
        self._last_error_logged = ""
        self.start_if_autostart(autostart)

    def open_device(self) -> None:
        open_serial(self.link, time.monotonic())
        self._opened()

    def _opened(self) -> None:
        self.core.reset_link()
        self.sent_zero_after_connect = False
        self._last_error_logged = ""
        self.get_logger().info(f"opened {self.port} (connection #{self.link.reconnects})")

    def on_inactive(self) -> None:
        if self.link.is_open and self.core.handshake_done:
            self.link.write(self.core.velocity(0.0, 0.0))

    def _on_cmd(self, msg: TwistStamped) -> None:
        self.cmd = (msg.twist.linear.x, msg.twist.angular.z)
        self.cmd_header = msg.header
        self.cmd_received = time.monotonic()
        stamp = (msg.header.stamp.sec, msg.header.stamp.nanosec)
        new = self._last_cmd_stamp is None or stamp > self._last_cmd_stamp
        if new or self._slower_than_sent(*self.cmd):
            # a new decision, or any slowing down, goes on the wire now; the supervisor's other
            # repeats of a decision (the same stamp, ramped up by its rate limits) go with the keepalive
            self._last_cmd_stamp = max(stamp, self._last_cmd_stamp or stamp)
            self._send(self.cmd_received)

    def _on_estop(self, msg: Bool) -> None:
        if bool(msg.data) != self.estop:
            self.estop = bool(msg.data)
            self.link.write(self.core.estop(self.estop))

    def _tick(self) -> None:
        if not self.active:
            return
        now = time.monotonic()
        if not self.link.is_open:
            if self.link.try_open(now):
                self._opened()
            elif self.link.last_error and self.link.last_error != self._last_error_logged:
                self.get_logger().error(self.link.last_error)
                self._last_error_logged = self.link.last_error
            if not self.link.is_open:
                return
        received = self.core.on_bytes(self.link.read(), now)
        if received:  # the odometry integrates every frame; one message carries the newest of them
            self._publish_telemetry(received[-1])
        if not self.link.is_open:
            self.get_logger().error(self.link.last_error)
            return
        if not self.core.handshake_done:
            self.link.write(self.core.hello())
            return
        if not self.sent_zero_after_connect:
            self.link.write(self.core.velocity(0.0, 0.0))  # a fresh link always starts from standstill
            self.sent_zero_after_connect = True
            return
        if self._last_sent is None or now - self._last_sent >= 0.9 / self.rate_hz:
            self._send(now)  # keepalive: the latest command (zero once it is stale) when none went out

    def _slower_than_sent(self, v: float, w: float) -> bool:
        sent = self.core.last_sent
        return sent is not None and (abs(v) < abs(sent[0]) - 1e-3 or abs(w) < abs(sent[1]) - 1e-3)

    def _send(self, now: float) -> None:
        """One velocity frame for the latest gated command, zero when it is older than
        ``cmd_timeout_ms`` or the e-stop is engaged; only on a live, greeted link."""
        link_ready = self.link.is_open and self.core.handshake_done and self.sent_zero_after_connect
        if not (self.active and link_ready):
            return
        fresh = self.cmd_received is not None and (now - self.cmd_received) * 1000.0 <= self.cmd_timeout_ms
        v, w = self.cmd if (fresh and not self.estop) else (0.0, 0.0)
        v, w = self.core.limit(v, w, now)
        if self.link.write(self.core.velocity(v, w)):
            self.frames_sent += 1
            self._last_sent = now
            sent = TwistStamped()
            if self.cmd_header is not None and fresh:
                sent.header = self.cmd_header
            else:
                sent.header.stamp = self.get_clock().now().to_msg()
            sent.twist.linear.x, sent.twist.angular.z = v, w
            self.pub_sent.publish(sent)

    def _publish_telemetry(self, t: p.Telemetry) -> None:
        o = self.core.odom
        msg = Odometry(child_frame_id=frames.BASE_LINK)
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = self.odom_frame
        fill_odometry_msg(msg, o)
        self.pub_odom.publish(msg)
        if self.odom_tf is not None:  # odom -> base_link from the wheels, on a robot
            self.odom_tf.publish(msg.header.stamp, o.x, o.y, msg.pose.pose.orientation)
        b = BatteryState(
            voltage=t.battery_mv / 1000.0,
            current=-(t.left_current_ma + t.right_current_ma) / 1000.0,
            present=True,
            percentage=math.nan,
            charge=math.nan,
            capacity=math.nan,
            design_capacity=math.nan,
            temperature=math.nan,
        )
        b.header = msg.header
        self.pub_batt.publish(b)

    def _diagnostics(self) -> None:
        t = self.core.last_telemetry
        if not self.link.is_open:
            level, message = DiagnosticStatus.ERROR, self.link.last_error or "not connected"
        elif not self.core.handshake_done:
            level, message = DiagnosticStatus.WARN, "waiting for controller handshake"
        elif t is not None and t.faults:
            level, message = DiagnosticStatus.WARN, f"controller faults: {p.Fault(t.faults)!r}"
        elif self.core.encoder_jumps:
            level, message = DiagnosticStatus.WARN, f"{self.core.encoder_jumps} encoder jumps rejected"
        else:
            level, message = DiagnosticStatus.OK, "ok"
        vals = {
            "frames_sent": self.frames_sent,
            "frames_ok": self.core.decoder.frames_ok,
            "frames_bad": self.core.decoder.frames_bad,
            "last_frame_error": self.core.decoder.last_error,
            "reconnects": self.link.reconnects,
            "controller_watchdog_ms": self.core.controller_watchdog_ms,
            "faults": t.faults if t else "none",
            "encoder_jumps_rejected": self.core.encoder_jumps,
        }
        self.pub_diag.publish(diagnostics(self, "genba/actuation_bridge", self.port, level, message, vals))


    def close_device(self) -> None:
        """The wheels are commanded to zero before the port closes (the controller's watchdog would
        stop them too, a period later)."""
        self.on_inactive()
        self.link.close()


def main(args: list[str] | None = None) -> None:
    run_node(ActuationBridgeNode, args)


if __name__ == "__main__":
    main()

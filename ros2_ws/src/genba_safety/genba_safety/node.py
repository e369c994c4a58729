"""Thin rclpy node around :class:`genba_safety.supervisor.Supervisor`.

Subscribes to every input, publishes the gated command on its own timer (never only from a
callback), plus mode, diagnostics, zone markers and an audit log. A managed node: it gates (and
publishes commands) only while active; on deactivate it sends one zero command.
"""

from __future__ import annotations

import math
import time

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import Point, TwistStamped
from nav_msgs.msg import Odometry
from sensor_msgs.msg import Image, LaserScan
from std_msgs.msg import Bool, Header, String
from std_srvs.srv import Trigger
from visualization_msgs.msg import Marker, MarkerArray

from genba_common import frames
from genba_common.audit import AuditLog, finite_or_none
from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError
from genba_common.geometry import pose_of
from genba_common.goal_input import GoalInput
from genba_common.lifecycle import ManagedNode
from genba_common.params import Parameters
from genba_common.qos import COMMAND, DIAGNOSTICS, LATCHED, SENSOR
from genba_common.stamps import sec_to_stamp, stamp_to_sec
from genba_safety.arbitration import health_of_values
from genba_safety.beams import BeamConfig
from genba_safety.fallback import ReactiveConfig
from genba_safety.limits import Limits
from genba_safety.modes import Mode
from genba_safety.separation import SeparationConfig
from genba_safety.supervisor import HealthInput, Inputs, OdomInput, ScanInput, Supervisor, SupervisorConfig
from genba_safety.tracker import TrackerConfig
from genba_safety.watchdog import Now
from genba_safety.zones import Footprint, ScanGeometry, ZoneConfig, stop_zone

RING = [(math.cos(a), math.sin(a)) for a in np.linspace(0.0, 2.0 * math.pi, 17)]  # a track's S ring


class SafetySupervisorNode(ManagedNode):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("safety_supervisor", **node_kwargs)
        param = Parameters(self, "genba_safety", "safety_supervisor.yaml")
        timeouts = {
            "cmd": param("cmd_timeout_ms", "Policy command older than this is stale", 1.0, 10000.0),
            "scan": param("scan_timeout_ms", "LaserScan older than this means perception lost", 1.0, 10000.0),
            "odom": param("odom_timeout_ms", "Odometry older than this means perception lost", 1.0, 10000.0),
            "camera": param("camera_timeout_ms", "No usable camera frame for this long -> FALLBACK",
                        1.0, 10000.0),
            "cloud": param("cloud_timeout_ms", "Cloud heartbeat older than this -> DEGRADED", 1.0, 600000.0),
            "health": param("health_timeout_ms", "Policy health older than this -> FALLBACK", 1.0, 10000.0),
            "goal": 1.0e9,
        }
        lim = Limits(
            max_speed_mps=param("max_speed_mps", "Forward speed limit", 0.0, 5.0),
            max_reverse_mps=param(
                "max_reverse_mps", "Reverse speed limit (the policy backs off from people at 0.4)", 0.0, 5.0
            ),
            max_yaw_rate_radps=param("max_yaw_rate_radps", "Yaw rate limit", 0.0, 10.0),
            max_accel_mps2=param("max_accel_mps2", "Acceleration limit when speeding up", 0.01, 20.0),
            max_decel_mps2=param("max_decel_mps2", "Deceleration limit when slowing down", 0.01, 20.0),
            max_yaw_accel_radps2=param("max_yaw_accel_radps2", "Yaw acceleration limit", 0.01, 50.0),
            max_jerk_mps3=param("max_jerk_mps3", "Jerk limit (bypassed for emergency stops)", 0.1, 1000.0),
        )
        fp = Footprint(
            param("footprint_front_m", "Footprint: base_link to front edge", 0.01, 5.0),
            param("footprint_rear_m", "Footprint: base_link to rear edge", 0.01, 5.0),
            param("footprint_half_width_m", "Footprint half width", 0.01, 5.0),
        )
        zones = ZoneConfig(
            footprint=fp,
            stop_margin_m=param("stop_margin_m", "Stop zone margin around the footprint", 0.0, 3.0),
            slow_margin_m=param("slow_margin_m", "Slow-down zone margin around the footprint", 0.0, 5.0),
            slow_speed_mps=param("slow_speed_mps", "Speed cap inside the slow-down zone", 0.0, 5.0),
            reaction_time_s=param("reaction_time_s", "Reaction time used to grow the stop zone", 0.0, 2.0),
            ttc_stop_s=param("ttc_stop_s", "Stop when time-to-collision falls below this", 0.0, 10.0),
            ttc_slow_s=param("ttc_slow_s", "Slow down when time-to-collision falls below this", 0.0, 20.0),
            turn_margin_m=param("turn_margin_m", "Margin of the footprint a turn sweeps (turning guard)",
                                0.0, 1.0),
        )
        beams = BeamConfig(
            hold_s=param("unknown_hold_ms", "A NaN beam keeps its last valid reading this long",
                         0.0, 5000.0) / 1000.0,
            slow_s=param("unknown_slow_ms", "Then it blocks from the slow-down zone this long, then stops",
                         0.0, 10000.0) / 1000.0,
            degraded_fraction=param(
                "scan_degraded_fraction", "Unknown share of the beams ahead above this: SCAN_DEGRADED",
                0.0, 1.0),
        )
        tracker = TrackerConfig(
            max_range_m=param("track_max_range_m", "Returns farther than this are not tracked", 1.0, 50.0),
            cluster_gap_m=param(
                "track_cluster_gap_m", "Neighbouring returns closer than this join a cluster", 0.01, 2.0
            ),
            max_person_extent_m=param(
                "track_max_person_extent_m", "A cluster wider than this is structure", 0.1, 5.0
            ),
            moving_speed_mps=param(
                "track_moving_speed_mps", "A track slower than this is at rest (zones judge it)", 0.0, 2.0
            ),
            static_after_s=param(
                "track_static_after_s", "A place hit without a break this long is structure", 0.1, 60.0
            ),
        )
        separation = SeparationConfig(
            enabled=param("separation_enabled", "Speed and separation monitoring of people"),
            intrusion_m=param("ssm_intrusion_m", "C: reach of a body part beyond its surface", 0.0, 2.0),
            sensor_uncertainty_m=param(
                "ssm_sensor_uncertainty_m", "Z: the LiDAR's share of the uncertainty", 0.0, 1.0
            ),
            actuation_latency_ms=param(
                "ssm_actuation_latency_ms", "Command out to wheels responding, part of T_r", 0.0, 1000.0
            ),
            horizon_s=param("ssm_horizon_s", "Conflict prediction horizon", 0.5, 10.0),
            contact_margin_m=param(
                "ssm_contact_margin_m", "A predicted gap below this is a contact", 0.0, 2.0
            ),
            clear_margin_m=param(
                "ssm_clear_margin_m", "Extra room to pass ahead of a crossing person", 0.0, 3.0
            ),
            retreat_speed_mps=param(
                "ssm_retreat_speed_mps", "Speed of the retreat candidate (0: never retreat)", 0.0, 2.0
            ),
            occlusion_lateral_m=param(
                "occlusion_lateral_m", "Occluding edges this far beside the path slow the robot", 0.0, 10.0
            ),
            occlusion_min_speed_mps=param(
                "occlusion_min_speed_mps", "Blind-corner speed cap never below this", 0.0, 2.0
            ),
        )
        try:
            self.cfg = SupervisorConfig(
                rate_hz=param("rate_hz", "Output rate of the gated command", 100.0, 1000.0),
                timeouts_ms=timeouts,
                max_future_ms=param(
                    "max_future_stamp_ms", "Stamps further ahead than this are rejected", 0.0, 1000.0
                ),
                clock_jump_tolerance_ms=param(
                    "clock_jump_tolerance_ms", "ROS vs monotonic clock drift treated as a jump", 1.0, 10000.0
                ),
                limits=lim,
                zones=zones,
                degraded_max_speed_mps=param("degraded_max_speed_mps", "Speed cap in DEGRADED", 0.0, 5.0),
                fallback=ReactiveConfig(
                    max_speed_mps=param(
                        "fallback_max_speed_mps", "Speed of the reactive controller in FALLBACK", 0.0, 2.0
                    )
                ),
                mrm_decel_mps2=param("mrm_decel_mps2", "Deceleration of the minimal-risk stop", 0.01, 20.0),
                max_ood_score=param("max_ood_score", "Policy OOD score above this -> FALLBACK", 0.0, 1.0),
                max_inference_ms=param(
                    "max_inference_ms", "Policy latency above this -> FALLBACK", 0.1, 10000.0
                ),
                recover_hold_s=param(
                    "recover_hold_s", "A better mode must hold this long before recovery", 0.0, 60.0
                ),
                zone_trigger_scans=param(
                    "zone_trigger_scans", "Consecutive scans to trigger a zone stop", 1, 10
                ),
                zone_release_scans=param(
                    "zone_release_scans", "Consecutive clear scans to release it", 1, 50
                ),
                tracker=tracker,
                separation=separation,
                beams=beams,
                clock_hold_s=param("clock_hold_s", "A stalled or backwards clock holds the stop this long "
                                   "once it runs forward again", 0.0, 60.0),
            )
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        self.laser_xyyaw = (
            param("laser_x_m", "Laser position in base_link (x)", -5.0, 5.0),
            param("laser_y_m", "Laser position in base_link (y)", -5.0, 5.0),
            param("laser_yaw", "Laser yaw in base_link", -math.pi, math.pi),
        )
        audit_path = param("audit_log_path", "JSON-lines audit log file ('' = none)")
        self.step_on_input = param(
            "step_on_input", "Also step and publish as soon as a new command or scan arrives (lower latency)"
        )
        self._autostart = param("autostart", "Configure and activate at start (no lifecycle manager)")
        param.check_all_declared()
        self.sup = Supervisor(self.cfg)
        self.inputs = Inputs(self.cfg)
        self.audit = AuditLog(audit_path or None)
        self._last_cmd_stamp = None

        self.create_subscription(TwistStamped, "policy/cmd_vel", self._on_cmd, COMMAND)
        self.create_subscription(LaserScan, "scan", self._on_scan, SENSOR)
        self.create_subscription(Odometry, "odom", self._on_odom, SENSOR)  # matches either kind
        # Usable frames, as judged by perception (a black or covered camera publishes no usable frame).
        self.create_subscription(Image, "perception/image", self._on_camera, SENSOR)
        self.create_subscription(Header, "cloud/heartbeat", self._on_cloud, COMMAND)
        self.create_subscription(DiagnosticArray, "policy/health", self._on_health, COMMAND)
        self.create_subscription(Bool, "estop", self._on_estop, COMMAND)
        self.goals = GoalInput(self, self._on_goal)
        self.create_service(Trigger, "safety/reset_estop", self._on_reset)
        self.pub_cmd = self.create_publisher(TwistStamped, "cmd_vel_safe", COMMAND)
        self.pub_mode = self.create_publisher(String, "safety/mode", LATCHED)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.pub_markers = self.create_publisher(MarkerArray, "safety/zones", 1)
        self.pub_tracks = self.create_publisher(MarkerArray, "safety/tracks", 1)
        self.create_timer(1.0 / self.cfg.rate_hz, self._timer_tick)
        # Deadline timers react to staleness at its expiry instead of at the next tick.
        self._deadlines = {
            k: self.create_timer(timeouts[k] / 1000.0 + 0.0005, self._tick) for k in ("cmd", "scan", "odom")
        }
        self.create_timer(0.5, self._publish_diagnostics)
        self.create_timer(0.2, self._publish_markers)
        self._last = None
        self._input_steps = 0  # steps taken on input since the last timer step
        self._publish_mode(self.sup.ladder.mode)
        self.get_logger().info(
            f"safety supervisor at {self.cfg.rate_hz:.0f} Hz; worst-case stop time "
            f"{self.cfg.worst_case_stop_time_s():.2f} s"
        )
        self.start_if_autostart(self._autostart)

    def on_inactive(self) -> None:
        stop = TwistStamped()
        stop.header.frame_id, stop.header.stamp = frames.BASE_LINK, self.get_clock().now().to_msg()
        self.pub_cmd.publish(stop)

    # -- inputs ------------------------------------------------------------------------------
    def _now(self) -> Now:
        return Now(time.monotonic(), self.get_clock().now().nanoseconds * 1e-9)

    def _offer(self, name: str, value: object, stamp: float) -> None:
        reason = self.inputs.offer(name, value, stamp, self._now())
        if reason:
            self.get_logger().warning(f"rejected {name}: {reason}", throttle_duration_sec=2.0)
        elif name in self._deadlines:
            self._deadlines[name].reset()  # re-arm: fires the instant this input goes stale

    def _on_cmd(self, msg: TwistStamped) -> None:
        self._last_cmd_stamp = msg.header.stamp
        self._offer(
            "cmd", (float(msg.twist.linear.x), float(msg.twist.angular.z)), stamp_to_sec(msg.header.stamp)
        )
        if self._may_step_on_input():
            self._tick()  # a new decision goes out now; the timer still guarantees the rate

    def _on_scan(self, msg: LaserScan) -> None:
        g = ScanGeometry(msg.angle_min, msg.angle_increment, msg.range_min, msg.range_max, *self.laser_xyyaw)
        ranges = np.asarray(msg.ranges, dtype=np.float64)
        # An impossible geometry is refused (SCAN_INVALID); NaN beams are unknown, never free.
        self._offer("scan", ScanInput(ranges, g, msg.angle_max), stamp_to_sec(msg.header.stamp))
        if self._may_step_on_input():
            self._tick()  # an obstacle is acted on as it is seen, not at the next tick

    def _on_odom(self, msg: Odometry) -> None:
        pose, stamp = pose_of(msg.pose.pose), stamp_to_sec(msg.header.stamp)
        self.goals.on_odom(pose, stamp)
        self._update_goal()
        self._offer("odom", OdomInput(*pose, msg.twist.twist.linear.x, msg.twist.twist.angular.z), stamp)

    def _on_camera(self, msg: Image) -> None:
        self._offer("camera", True, stamp_to_sec(msg.header.stamp))

    def _on_cloud(self, msg: Header) -> None:
        self._offer("cloud", msg.frame_id, stamp_to_sec(msg.stamp))

    def _on_health(self, msg: DiagnosticArray) -> None:
        for st in msg.status:
            h = health_of_values({k.key: k.value for k in st.values})
            self._offer("health", HealthInput(h.ood_score, h.inference_ms, h.output_valid),
                        stamp_to_sec(msg.header.stamp))

    def _on_estop(self, msg: Bool) -> None:
        if msg.data and not self.inputs.estop_requested:
            self.get_logger().warning("E-STOP engaged")
        self.inputs.estop_requested = bool(msg.data)

    def _on_goal(self, stamp) -> None:
        self.inputs.samples["goal"].stamp = stamp_to_sec(stamp)
        self.inputs.samples["goal"].received = time.monotonic()
        self._update_goal()

    def _update_goal(self) -> None:
        """The goal in odom (a map goal moves with the localizer's corrections)."""
        self.inputs.samples["goal"].value = self.goals.goal_in_odom()

    def _on_reset(self, _req: Trigger.Request, res: Trigger.Response) -> Trigger.Response:
        now = self._now()
        res.success, res.message = self.sup.reset_estop(now, self.inputs)
        self.audit.write(
            {"t": now.ros, "event": "estop_reset", "granted": res.success, "message": res.message}
        )
        self.get_logger().info(f"e-stop reset: {res.message}")
        return res

    # -- output ------------------------------------------------------------------------------
    INPUT_STEPS_PER_PERIOD = 4

    def _may_step_on_input(self) -> bool:
        """Step at once on a new command or scan, at most four times between two timer steps: a scan
        and the command decided on it step one after the other, and a flood of messages on /scan or
        /policy/cmd_vel cannot starve the timer (it still steps at rate_hz)."""
        if not self.step_on_input or self._input_steps >= self.INPUT_STEPS_PER_PERIOD:
            return False
        self._input_steps += 1
        return True

    def _timer_tick(self) -> None:
        self._input_steps = 0
        self._tick()

    def _tick(self) -> None:
        if not self.active:
            return
        now = self._now()
        out = self.sup.step(now, self.inputs)
        self._last = out
        msg = TwistStamped()
        msg.header.frame_id = "base_link"
        passthrough = out.mode <= Mode.DEGRADED and self._last_cmd_stamp is not None
        if passthrough:
            msg.header.stamp = self._last_cmd_stamp  # keeps the sensor stamp for latency tracing
        else:  # its own decision, taken on the newest scan (before any scan: now)
            scan_stamp = self.inputs.samples["scan"].stamp
            sec_to_stamp(scan_stamp if math.isfinite(scan_stamp) else now.ros, msg.header.stamp)
        msg.twist.linear.x, msg.twist.angular.z = out.v, out.w
        self.pub_cmd.publish(msg)
        if out.transition:
            self._publish_mode(out.mode)
            self.get_logger().warning(
                f"mode {out.transition[0].name} -> {out.transition[1].name}: "
                f"{', '.join(out.reasons) or 'inputs recovered'}"
            )
        if out.transition or out.altered:
            ages = {k: finite_or_none(v) for k, v in self.inputs.ages_ms(now).items()}
            self.audit.write(
                {
                    "t": round(now.ros, 4),
                    "event": "transition" if out.transition else "altered",
                    "from": out.transition[0].name if out.transition else None,
                    "mode": out.mode.name,
                    "reasons": list(out.reasons),
                    "cmd_in": [round(x, 4) for x in out.requested],
                    "cmd_out": [round(out.v, 4), round(out.w, 4)],
                    "input_ages_ms": ages,
                    "limits": {
                        "max_speed_mps": self.cfg.limits.max_speed_mps,
                        "max_decel_mps2": self.cfg.limits.max_decel_mps2,
                    },
                    "clearance_m": finite_or_none(out.min_clearance_m),
                    "ttc_s": finite_or_none(out.ttc_s),
                    "people": len(self.sup.scan_view.people),
                    "separation": self.sup.decision.reason if self.sup.decision else None,
                }
            )

    def _publish_mode(self, mode: Mode) -> None:
        self.pub_mode.publish(String(data=mode.name))

    def _publish_diagnostics(self) -> None:
        now = self._now()
        out = self._last
        mode = out.mode if out else self.sup.ladder.mode
        level = {
            Mode.NOMINAL: DiagnosticStatus.OK,
            Mode.DEGRADED: DiagnosticStatus.WARN,
            Mode.FALLBACK: DiagnosticStatus.WARN,
        }.get(mode, DiagnosticStatus.ERROR)
        message = f"{mode.name}: {', '.join(out.reasons) if out and out.reasons else 'ok'}"
        vals = {
            "mode": mode.name,
            "interventions": self.sup.interventions,
            "altered_steps": self.sup.altered_steps,
            "audit_records": self.audit.records,
            "worst_case_stop_time_s": round(self.cfg.worst_case_stop_time_s(), 3),
            "min_clearance_m": round(out.min_clearance_m, 3) if out else "nan",
            "scan_fault": self.inputs.scan_fault or "none",
            "unknown_beams": int((self.sup.scan_view.unknown_age > 0.0).sum()),
        }
        for k, age in self.inputs.ages_ms(now).items():
            if k != "goal":
                vals[f"age_{k}_ms"] = round(age, 1) if math.isfinite(age) else "never"
        for reason, n in self.inputs.rejections.items():
            vals[f"rejected_{reason.lower()}"] = n
        self.pub_diag.publish(diagnostics(self, "genba/safety_supervisor", "safety", level, message, vals))

    def _publish_markers(self) -> None:
        """Zones and people for rviz, the live view and the recorder; built only when someone listens
        (they cost the supervisor's process as much as its steps do)."""
        if self.pub_tracks.get_subscription_count():
            self.pub_tracks.publish(self._track_markers())
        if not self.pub_markers.get_subscription_count():
            return
        v = self._last.v if self._last else 0.0
        arr = MarkerArray()
        for i, (fp, rgba) in enumerate(
            (
                (stop_zone(self.cfg.zones, v, self.cfg.limits.max_decel_mps2), (1.0, 0.1, 0.1, 0.9)),
                (self.cfg.zones.footprint.inflated(self.cfg.zones.slow_margin_m), (1.0, 0.8, 0.1, 0.6)),
            )
        ):
            m = Marker(type=Marker.LINE_STRIP, action=Marker.ADD, id=i, ns="safety_zones")
            m.header.frame_id = frames.BASE_LINK
            m.header.stamp = self.get_clock().now().to_msg()
            m.scale.x = 0.03
            m.color.r, m.color.g, m.color.b, m.color.a = rgba
            m.pose.orientation.w = 1.0
            poly = fp.polygon()
            m.points = [Point(x=float(x), y=float(y), z=0.05) for x, y in poly + poly[:1]]
            arr.markers.append(m)
        if self._last is not None:
            arr.markers += self._command_markers(self._last)
        self.pub_markers.publish(arr)

    def _track_markers(self) -> MarkerArray:
        """The supervisor's people (base_link, as of the latest scan): a disc per track (orange while
        its velocity is unknown, red moving), its velocity as an arrow, and a ring of radius S (its protective
        separation distance for the current command) around it: the footprint is to keep outside."""
        stamp = self.get_clock().now().to_msg()
        out = self._last
        v, w = (out.v, out.w) if out else (0.0, 0.0)
        arr = MarkerArray(markers=[Marker(action=Marker.DELETEALL, ns="tracks")])
        for track, s_m in self.sup.protective_distances(self._now(), v, w):
            cx, cy = track.centre
            rgba = (1.0, 0.1, 0.1, 0.8) if track.known else (1.0, 0.6, 0.1, 0.8)
            disc = Marker(type=Marker.CYLINDER, action=Marker.ADD, id=3 * track.id, ns="tracks")
            disc.header.frame_id, disc.header.stamp = frames.BASE_LINK, stamp
            disc.pose.position.x, disc.pose.position.y, disc.pose.position.z = cx, cy, 0.8
            disc.pose.orientation.w = 1.0
            disc.scale.x, disc.scale.y, disc.scale.z = 0.5, 0.5, 1.6
            disc.color.r, disc.color.g, disc.color.b, disc.color.a = rgba
            vel = Marker(type=Marker.ARROW, action=Marker.ADD, id=3 * track.id + 1, ns="tracks")
            vel.header.frame_id, vel.header.stamp = frames.BASE_LINK, stamp
            vel.scale.x, vel.scale.y, vel.scale.z = 0.05, 0.1, 0.1
            vel.color.r, vel.color.g, vel.color.b, vel.color.a = rgba
            vel.pose.orientation.w = 1.0
            vx, vy = track.velocity if track.known else (0.0, 0.0)
            vel.points = [Point(x=cx, y=cy, z=1.7), Point(x=cx + vx, y=cy + vy, z=1.7)]
            ring = Marker(type=Marker.LINE_STRIP, action=Marker.ADD, id=3 * track.id + 2, ns="tracks")
            ring.header.frame_id, ring.header.stamp = frames.BASE_LINK, stamp
            ring.scale.x = 0.02
            ring.color.r, ring.color.g, ring.color.b, ring.color.a = 1.0, 1.0, 0.2, 0.7
            ring.pose.orientation.w = 1.0
            ring.points = [Point(x=cx + s_m * c, y=cy + s_m * s, z=0.05) for c, s in RING]
            ring.text = f"S={s_m:.2f} m"
            arr.markers += [disc, vel, ring]
        return arr

    def _command_markers(self, out) -> list[Marker]:
        """Arrows to where the policy's and the safe command would take the robot in one second (blue:
        asked for, red: let through), and the mode with its reasons above the robot."""
        stamp = self.get_clock().now().to_msg()
        markers = []
        for i, ((v, w), rgba) in enumerate((((out.requested[0], out.requested[1]), (0.2, 0.4, 1.0, 0.9)),
                                            ((out.v, out.w), (1.0, 0.1, 0.1, 0.9)))):
            m = Marker(type=Marker.ARROW, action=Marker.ADD, id=10 + i, ns="commands")
            m.header.frame_id, m.header.stamp = frames.BASE_LINK, stamp
            m.scale.x, m.scale.y, m.scale.z = 0.04, 0.08, 0.08  # shaft, head width and length
            m.color.r, m.color.g, m.color.b, m.color.a = rgba
            m.pose.orientation.w = 1.0
            heading = w * 0.5  # the mean heading over the second
            m.points = [Point(x=0.0, y=0.0, z=0.6 + 0.05 * i),
                        Point(x=v * math.cos(heading), y=v * math.sin(heading), z=0.6 + 0.05 * i)]
            markers.append(m)
        text = Marker(type=Marker.TEXT_VIEW_FACING, action=Marker.ADD, id=20, ns="mode")
        text.header.frame_id, text.header.stamp = frames.BASE_LINK, stamp
        text.pose.position.z, text.pose.orientation.w, text.scale.z = 1.2, 1.0, 0.25
        text.color.r = text.color.g = text.color.b = text.color.a = 1.0
        text.text = out.mode.name + (f": {', '.join(out.reasons[:3])}" if out.reasons else "")
        markers.append(text)
        return markers

    def close(self) -> None:
        self.audit.close()


def main(args: list[str] | None = None) -> None:
    run_node(SafetySupervisorNode, args)


if __name__ == "__main__":
    main()

"""The safety supervisor's pure core: ``Supervisor.step(now, inputs) -> StepOutput``.

Time is injected (:class:`~genba_safety.watchdog.Now`), nothing here imports rclpy, and every
decision carries reason codes so tests, the audit log and diagnostics all tell the same story.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from genba_common.geometry import to_base
from genba_common.ranges import usable_ranges
from genba_safety.beams import BeamConfig, BeamHold, scan_fault, unknown_points, unknown_share_ahead
from genba_safety.fallback import ReactiveConfig, ReactiveController
from genba_safety.limits import Limits, RateLimiter, clamp_velocity, command_is_valid
from genba_safety.modes import Mode, ModeLadder
from genba_safety.reasons import MODE_CALLED_FOR, STOPS, Reason
from genba_safety.separation import (
    Decision,
    SeparationConfig,
    choose,
    directed_speed,
    occlusion_cap,
    protective_distance,
    separations,
)
from genba_safety.tracker import Tracker, TrackerConfig, TrackView
from genba_safety.watchdog import ClockJumpDetector, Now, Stamped, Watchdog
from genba_safety.zones import (
    ScanGeometry,
    ZoneConfig,
    beam_directions,
    evaluate,
    footprint_clearance,
    stop_zone,
    time_to_collision,
)


@dataclass(frozen=True)
class ScanView:
    """One scan as the core uses it: all returns, what is static (structure and tracks at rest),
    the people (tracks moving or not yet known), and every beam in order for occlusion edges."""

    seq: int = -1
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    static: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    people: tuple[TrackView, ...] = ()
    beams: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    beam_ranges: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stamp: float = math.nan
    unknown_age: np.ndarray = field(default_factory=lambda: np.zeros(0))  # s per beam; 0 = known
    unknown: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # virtual returns on unknown rays
    unknown_share: tuple[float, float] = (0.0, 0.0)  # of the beams ahead when driving forward, backward


INPUTS = ("cmd", "scan", "odom", "camera", "cloud", "health", "goal")


@dataclass(frozen=True)
class SupervisorConfig:
    rate_hz: float = 100.0
    timeouts_ms: dict = field(default_factory=lambda: {
        "cmd": 250.0, "scan": 300.0, "odom": 250.0, "camera": 500.0,
        "cloud": 2000.0, "health": 500.0, "goal": 1.0e9})
    max_future_ms: float = 20.0
    clock_jump_tolerance_ms: float = 50.0
    limits: Limits = Limits()
    zones: ZoneConfig = ZoneConfig()
    degraded_max_speed_mps: float = 0.5
    fallback: ReactiveConfig = ReactiveConfig(max_speed_mps=0.3)
    mrm_decel_mps2: float = 1.5
    max_ood_score: float = 0.8
    max_inference_ms: float = 50.0
    recover_hold_s: float = 1.0
    zone_trigger_scans: int = 1
    zone_release_scans: int = 3
    tracker: TrackerConfig = TrackerConfig()
    separation: SeparationConfig = SeparationConfig()
    beams: BeamConfig = BeamConfig()
    clock_hold_s: float = 0.5  # a stalled or backwards clock holds the stop this long once sane again

    def __post_init__(self) -> None:
        missing = [k for k in INPUTS if k not in self.timeouts_ms]
        if missing:
            raise ValueError(f"timeouts_ms lacks {missing}")
        if not 0.0 < self.mrm_decel_mps2 <= self.limits.max_decel_mps2:
            raise ValueError("mrm_decel_mps2 must be in (0, limits.max_decel_mps2]")

    def worst_case_stop_time_s(self) -> float:
        """Bound from the last good input to standstill: longest perception timeout, one tick,
        then braking from top speed at the MRM deceleration."""
        detect = max(self.timeouts_ms["scan"], self.timeouts_ms["odom"]) / 1000.0 + 1.0 / self.rate_hz
        return detect + self.limits.max_speed_mps / self.mrm_decel_mps2


@dataclass
class Inputs:
    """Latest accepted sample of every input, admitted through its watchdog on receipt."""

    cfg: SupervisorConfig

    def __post_init__(self) -> None:
        self.watchdogs = {k: Watchdog(k, self.cfg.timeouts_ms[k], self.cfg.max_future_ms) for k in INPUTS}
        self.samples: dict[str, Stamped] = {k: Stamped() for k in INPUTS}
        self.rejections: Counter[str] = Counter()
        self.estop_requested = False
        self.scan_seq = 0
        self.scan_fault: str | None = None  # why the latest scan message was refused, until a good one

    def offer(self, name: str, value: object, stamp: float, now: Now) -> Reason | None:
        """Admit a sample (stamp in ROS seconds); returns the rejection reason, if any (counted in
        ``rejections`` as ``<INPUT>_<REASON>``)."""
        reason = self.watchdogs[name].admit(stamp, now) if math.isfinite(now.mono) else Reason.BAD_STAMP
        if reason is None and isinstance(value, OdomInput) and not all(
                math.isfinite(x) for x in (value.x, value.y, value.yaw, value.v, value.w)):
            reason = Reason.BAD_VALUE  # a NaN pose or speed is no odometry at all
        if name == "scan" and reason is None and isinstance(value, ScanInput):
            fault = scan_fault(np.size(value.ranges), value.geometry, value.angle_max)
            self.scan_fault = fault
            reason = Reason.SCAN_INVALID if fault else None
        if reason:
            self.rejections[f"{name.upper()}_{reason}"] += 1
            return reason
        self.samples[name] = Stamped(value, stamp, now.mono)
        if name == "scan":
            self.scan_seq += 1
        return None

    def fresh(self, name: str, now: Now) -> bool:
        return self.watchdogs[name].fresh(self.samples[name], now)

    def ages_ms(self, now: Now) -> dict[str, float]:
        return {k: self.watchdogs[k].age_ms(self.samples[k], now) for k in INPUTS}


@dataclass(frozen=True)
class ScanInput:
    ranges: np.ndarray
    geometry: ScanGeometry
    angle_max: float | None = None  # the message's, to check the beam count against (None: unchecked)


@dataclass(frozen=True)
class HealthInput:
    ood_score: float
    inference_ms: float
    output_valid: bool = True


@dataclass(frozen=True)
class OdomInput:
    x: float
    y: float
    yaw: float
    v: float
    w: float


@dataclass(frozen=True)
class StepOutput:
    v: float
    w: float
    mode: Mode
    reasons: tuple[str, ...]
    altered: bool
    transition: tuple[Mode, Mode] | None
    requested: tuple[float, float]
    min_clearance_m: float
    ttc_s: float


def _toward_zero(own: float, measured: float) -> float:
    """``measured`` where it is nearer zero than ``own`` on the same side, zero across it, else ``own``."""
    if own * measured <= 0.0:
        return 0.0
    return measured if abs(measured) < abs(own) else own


class Debouncer:
    """Turns on after ``trigger`` consecutive hits, off after ``release`` consecutive misses."""

    def __init__(self, trigger: int, release: int) -> None:
        self.trigger, self.release = max(1, trigger), max(1, release)
        self.active = False
        self._hits = self._misses = 0

    def feed(self, hit: bool) -> bool:
        if hit:
            self._hits, self._misses = self._hits + 1, 0
            if self._hits >= self.trigger:
                self.active = True
        else:
            self._misses, self._hits = self._misses + 1, 0
            if self._misses >= self.release:
                self.active = False
        return self.active


class Supervisor:
    """Decides, every tick, what may reach the motors."""

    def __init__(self, cfg: SupervisorConfig = SupervisorConfig()) -> None:
        self.cfg = cfg
        # Start in MRM: nothing moves until every input has been seen fresh and held so.
        self.ladder = ModeLadder(cfg.recover_hold_s, Mode.MRM)
        self.limiter = RateLimiter(cfg.limits)
        self.reactive = ReactiveController(cfg.fallback)
        self.clock = ClockJumpDetector(cfg.clock_jump_tolerance_ms)
        self.stop_front = Debouncer(cfg.zone_trigger_scans, cfg.zone_release_scans)
        self.stop_rear = Debouncer(cfg.zone_trigger_scans, cfg.zone_release_scans)
        self._seen_scan_seq = 0
        self._last_mono: float | None = None
        self.tracker = Tracker(cfg.tracker)
        self.beam_hold = BeamHold(cfg.beams)
        self._clock_bad_since: float | None = None  # monotonic time the clock was last found untrustworthy
        self._view = ScanView()
        self._scan_periods: list[float] = []
        self._scan_received: float | None = None
        self._zone_cache: dict[tuple, object] = {}
        self._turn_cache: tuple[tuple, float, float] = ((), math.inf, math.inf)
        self._people_cache: tuple[tuple, Decision | None, float] = ((), None, math.inf)
        self.decision: Decision | None = None  # the separation monitor's last decision
        self.interventions = 0      # rising edges of any safety action (mode drop or zone stop)
        self.altered_steps = 0
        self._was_intervening = False
        self._seen_nominal = False  # start-up MRM is not an intervention

    # -- helpers -----------------------------------------------------------------------------
    def _points(self, inputs: Inputs) -> np.ndarray:
        """Every return of the latest scan (base_link), with the virtual returns of unknown beams."""
        view = self._scan_view(inputs)
        return np.concatenate([view.points, view.unknown]) if view.unknown.size else view.points

    def _scan_view(self, inputs: Inputs) -> "ScanView":
        """The latest scan, split once into structure, tracks and occlusion edges."""
        if self._view.seq == inputs.scan_seq:
            return self._view
        sample = inputs.samples["scan"]
        if sample.value is None:
            return self._view
        scan: ScanInput = sample.value  # type: ignore[assignment]
        g = scan.geometry
        r = usable_ranges(scan.ranges, g.range_min, g.range_max, np.float64)
        r, unknown_age = self.beam_hold.update(r, float(sample.received))
        finite = np.isfinite(r)
        # Every beam in order, for occlusion edges: nothing in range (or no reading) reads as far.
        far = np.where(finite, r, g.range_max)
        cos, sin = beam_directions(g, far.size)
        all_beams = np.column_stack((g.laser_x_m + far * cos, g.laser_y_m + far * sin))
        pts = all_beams[finite]  # the returns, as zones.scan_points gives them
        odom: OdomInput | None = inputs.samples["odom"].value  # type: ignore[assignment]
        pose = (odom.x, odom.y, odom.yaw) if odom is not None else (0.0, 0.0, 0.0)
        if self.cfg.separation.enabled:
            tracks = self.tracker.update(pts, r[finite], g.angle_increment, pose, float(sample.stamp))
            at_rest = [t.points for t in tracks if t.known and not t.moving]
            static = np.concatenate([self.tracker.structure, *at_rest]) if at_rest else self.tracker.structure
            people = tuple(t for t in tracks if not t.known or t.moving)
        else:  # no people layer: the zones judge every return
            static, people = pts, ()
        cfg = self.cfg
        unknown = unknown_points(unknown_age, g, cfg.zones.footprint, cfg.zones.stop_margin_m,
                                 cfg.zones.slow_margin_m, cfg.beams)
        if unknown.size:  # an unknown ray is blocked, for the zones as for any obstacle that stands still
            static = np.concatenate([static, unknown])
        if self._scan_received is not None and sample.received is not None:
            self._scan_periods.append(max(0.0, sample.received - self._scan_received))
            del self._scan_periods[:-20]
        self._scan_received = sample.received
        share = tuple(unknown_share_ahead(unknown_age, g, v, cfg.beams) for v in (1.0, -1.0))
        self._view = ScanView(inputs.scan_seq, pts, static, people, all_beams, far, float(sample.stamp),
                              unknown_age, unknown, share)  # type: ignore[arg-type]
        return self._view

    def reaction_time_s(self, now: Now) -> float:
        """T_r of the separation distance, measured: the longest of the recent scan periods (a
        person moves that long unseen), the age of the scan in use, one supervisor period and the
        configured actuation latency (command out to wheels responding)."""
        cfg = self.cfg
        period = max(self._scan_periods) if self._scan_periods else cfg.timeouts_ms["scan"] / 1000.0
        age = min(max(0.0, now.ros - self._view.stamp), cfg.timeouts_ms["scan"] / 1000.0) \
            if math.isfinite(self._view.stamp) else 0.0
        return period + age + 1.0 / cfg.rate_hz + cfg.separation.actuation_latency_ms / 1000.0

    def _goal_in_base(self, inputs: Inputs) -> tuple[float, float] | None:
        goal, odom = inputs.samples["goal"].value, inputs.samples["odom"].value
        if goal is None or odom is None:
            return None
        return to_base(goal, (odom.x, odom.y, odom.yaw))  # type: ignore[arg-type,union-attr]

    def target_mode(self, fresh: dict[str, bool], inputs: Inputs, clock_jump: bool,
                    clock_stuck: bool = False, scan_degraded: bool = False) -> tuple[Mode, list[Reason]]:
        """The mode the inputs call for, given which are fresh, with the reasons (worst first)."""
        reasons: list[Reason] = []
        if inputs.estop_requested:
            reasons.append(Reason.ESTOP_REQUESTED)
        if clock_stuck:
            reasons.append(Reason.CLOCK_STUCK)
        if clock_jump:
            reasons.append(Reason.CLOCK_JUMP)
        for k in ("scan", "odom"):
            if not fresh[k]:
                reasons.append(Reason.stale(k))
        if inputs.scan_fault:
            reasons.append(Reason.SCAN_INVALID)
        elif scan_degraded and fresh["scan"]:
            reasons.append(Reason.SCAN_DEGRADED)
        cmd = inputs.samples["cmd"].value
        health: HealthInput | None = inputs.samples["health"].value  # type: ignore[assignment]
        if not fresh["cmd"]:
            reasons.append(Reason.CMD_STALE)
        elif not command_is_valid(*cmd):  # type: ignore[misc]
            reasons.append(Reason.CMD_INVALID)
        if not fresh["health"]:
            reasons.append(Reason.HEALTH_STALE)
        elif health is not None:
            if not health.output_valid:
                reasons.append(Reason.POLICY_OUTPUT_INVALID)
            if not (health.ood_score <= self.cfg.max_ood_score):
                reasons.append(Reason.POLICY_OOD)
            if not (health.inference_ms <= self.cfg.max_inference_ms):
                reasons.append(Reason.POLICY_SLOW)
        if not fresh["camera"]:
            reasons.append(Reason.CAMERA_STALE)
        if not fresh["cloud"]:
            reasons.append(Reason.CLOUD_LOST)
        return max((MODE_CALLED_FOR[r] for r in reasons), default=Mode.NOMINAL), reasons

    def reset_blockers(self, now: Now, inputs: Inputs) -> list[str]:
        """What stops an e-stop reset: each required input that is not fresh, an e-stop still held."""
        blockers = [
            f"{k} not fresh" for k in ("scan", "odom", "cmd", "health", "camera") if not inputs.fresh(k, now)
        ]
        if inputs.estop_requested:
            blockers.append("e-stop still engaged")
        return blockers

    def reset_estop(self, now: Now, inputs: Inputs) -> tuple[bool, str]:
        """Leave ESTOP (into MRM) when nothing blocks it; (granted, message)."""
        if self.ladder.mode != Mode.ESTOP:
            return False, "not in ESTOP"
        blockers = self.reset_blockers(now, inputs)
        if blockers:
            return False, "refused: " + ", ".join(blockers)
        self.ladder.reset_estop(now.mono)
        self.limiter.reset()
        return True, "ESTOP released; recovering through MRM"

    def _separate(self, now: Now, inputs: Inputs, view: ScanView, v: float, w: float, emergency: bool,
                  reasons: list, unslowed: tuple[float, float] | None) -> tuple[float, float, bool]:
        """People and blind corners: speed and separation, conflict prediction, occlusion caps."""
        cfg, lim = self.cfg, self.cfg.limits
        if v == 0.0 and w == 0.0 and (unslowed is None or unslowed == (0.0, 0.0)):
            return v, w, emergency
        key = (inputs.scan_seq, v, w, unslowed)
        if self._people_cache[0] != key:
            t_r = self.reaction_time_s(now)
            odom: OdomInput | None = inputs.samples["odom"].value  # type: ignore[assignment]
            v0, w0 = (odom.v, odom.w) if odom is not None else (self.limiter.v, self.limiter.w)
            decision = None
            if view.people:
                decision = choose(list(view.people), cfg.zones.footprint, v, w, v0, w0, lim, t_r,
                                  cfg.separation, self._retreat_clear(view), unslowed)
            cap, _ = occlusion_cap(view.beams, view.beam_ranges, cfg.zones.footprint, t_r, lim.max_decel_mps2,
                                   cfg.separation)
            self._people_cache = (key, decision, cap)
        _, decision, cap = self._people_cache
        self.decision = decision
        if decision is not None and decision.reason:
            v, w = decision.v, decision.w
            reasons.append(Reason(decision.reason))
            emergency = emergency or decision.reason != Reason.CLEAR_CROSSING
        if v > cap:
            v = cap
            reasons.append(Reason.OCCLUSION_SLOW)
        return v, w, emergency

    def _zones(self, view: ScanView, v: float, w: float):
        """Zone and TTC state of the command (v, w) against the latest scan (a pure function of the
        two: the last few are cached). A person in the stop box stops the robot whatever they do."""
        cfg = self.cfg
        key = (view.seq, v, w)
        if key in self._zone_cache:
            return self._zone_cache[key]
        z = evaluate(view.static, cfg.zones, v, w, cfg.limits.max_decel_mps2)
        if view.people:
            people_pts = np.concatenate([t.points for t in view.people])
            inside = stop_zone(cfg.zones, v, cfg.limits.max_decel_mps2).contains(people_pts)
            z = dataclasses.replace(
                z,
                stop_front=z.stop_front or bool((inside & (people_pts[:, 0] > 0)).any()),
                stop_rear=z.stop_rear or bool((inside & (people_pts[:, 0] <= 0)).any()),
                min_clearance_m=min(z.min_clearance_m, footprint_clearance(people_pts, cfg.zones.footprint)),
            )
        if len(self._zone_cache) >= 4:
            self._zone_cache.pop(next(iter(self._zone_cache)))
        self._zone_cache[key] = z
        return z

    def _guard_turn(self, view: ScanView, v: float, w: float, reasons: list) -> tuple[float, float, bool]:
        """The yaw rate, judged on the footprint swept by the full command (v, w): where turning brings
        a collision sooner than going straight would, the yaw rate is slowed (TURN_SLOW) and, within
        ``ttc_stop_s``, zeroed (TURN_STOP); turning away from an obstacle is never held back."""
        zc = self.cfg.zones
        if abs(w) < 1e-3:
            return v, w, False
        key = (view.seq, v, w)
        if self._turn_cache[0] != key:
            pts = view.static
            if view.people:
                pts = np.concatenate([pts, *(t.points for t in view.people)])
            fp = zc.footprint.inflated(zc.turn_margin_m)
            t_turn = time_to_collision(pts, fp, v, w, horizon_s=zc.ttc_slow_s)
            t_straight = time_to_collision(pts, fp, v, 0.0, horizon_s=zc.ttc_slow_s) if t_turn < math.inf \
                else math.inf
            self._turn_cache = (key, t_turn, t_straight)
        _, t_turn, t_straight = self._turn_cache
        if not t_turn < min(t_straight, zc.ttc_slow_s):
            return v, w, False
        if t_turn < zc.ttc_stop_s:
            reasons.append(Reason.TURN_STOP)
            if t_straight < zc.ttc_stop_s and v != 0.0:
                reasons.append(Reason.TTC_STOP)
                return 0.0, 0.0, True
            return v, 0.0, True
        reasons.append(Reason.TURN_SLOW)
        return v, w * (t_turn - zc.ttc_stop_s) / (zc.ttc_slow_s - zc.ttc_stop_s), False

    @property
    def scan_view(self) -> ScanView:
        """The latest scan as split by the core (structure, people, beams)."""
        return self._view

    def protective_distances(self, now: Now, v: float, w: float) -> list[tuple[TrackView, float]]:
        """Each person of the latest scan with its protective separation distance S (m) for the
        command (v, w), as drawn on ``/safety/tracks``."""
        cfg = self.cfg
        t_r = self.reaction_time_s(now)
        people = list(self._view.people)
        seps = separations(people, cfg.zones.footprint, cfg.separation)
        return [
            (t, protective_distance(s.v_h, directed_speed(v, w, s), t_r, cfg.limits.max_decel_mps2,
                                    cfg.separation.intrusion_m, s.z))
            for t, s in zip(people, seps, strict=True)
        ]

    def _retreat_clear(self, view: ScanView) -> bool:
        """Nothing static behind the robot within reach of the retreat, and no one there."""
        cfg = self.cfg
        back = -min(cfg.separation.retreat_speed_mps, cfg.limits.max_reverse_mps)
        z = evaluate(view.static, cfg.zones, back, 0.0, cfg.limits.max_decel_mps2)
        if z.stop_rear or z.ttc_s < cfg.separation.horizon_s:
            return False
        reach = abs(back) * cfg.separation.horizon_s
        fp = cfg.zones.footprint.inflated(cfg.zones.slow_margin_m, rear_extra=reach)
        return not any((fp.contains(t.points) & (t.points[:, 0] < 0)).any() for t in view.people)

    # -- the step ----------------------------------------------------------------------------
    def _clock_untrusted(self, now: Now) -> bool:
        """The monotonic clock stood still or went back since the last step (a step always comes a
        period later): untrusted until it has run forward for ``clock_hold_s`` since."""
        if not math.isfinite(now.mono) or not math.isfinite(now.ros):
            self._clock_bad_since = -math.inf if not math.isfinite(now.mono) else now.mono
            return True
        if self._last_mono is not None and not now.mono > self._last_mono:
            self._clock_bad_since = now.mono
        if self._clock_bad_since is not None and now.mono - self._clock_bad_since >= self.cfg.clock_hold_s:
            self._clock_bad_since = None
        return self._clock_bad_since is not None

    def _start_from_measured(self, inputs: Inputs, now: Now) -> None:
        """After a gap in the steps the rate limiter starts from the measured speed, not its own last
        command: the wheels may have stopped (controller watchdog) or coasted meanwhile."""
        odom: OdomInput | None = inputs.samples["odom"].value  # type: ignore[assignment]
        if odom is not None and inputs.fresh("odom", now) and command_is_valid(odom.v, odom.w):
            # Never above what the core itself last sent: a wheel speed reading higher is no licence
            # to command it (the reading may be wrong), only a lower one is a reason to start lower.
            lim = self.limiter
            lim.v, lim.w, lim.a = _toward_zero(lim.v, float(odom.v)), _toward_zero(lim.w, float(odom.w)), 0.0
        else:
            self.limiter.reset()

    def _scan_degraded(self, inputs: Inputs, v: float) -> bool:
        """Too many beams in the direction of travel are unknown (SCAN_DEGRADED)."""
        share = self._scan_view(inputs).unknown_share[0 if v >= 0.0 else 1]
        return share > self.cfg.beams.degraded_fraction

    def step(self, now: Now, inputs: Inputs) -> StepOutput:
        cfg = self.cfg
        period = 1.0 / cfg.rate_hz
        clock_stuck = self._clock_untrusted(now)
        dt = period if self._last_mono is None else now.mono - self._last_mono
        if not math.isfinite(dt) or dt <= 0.0:
            dt = 0.0
        elif dt > 1.5 * period and self._last_mono is not None:
            self._start_from_measured(inputs, now)
            dt = period
        self._last_mono = now.mono if math.isfinite(now.mono) else self._last_mono
        clock_jump = self.clock.check(now)
        fresh = {k: inputs.fresh(k, now) for k in INPUTS} if not clock_stuck else dict.fromkeys(INPUTS, False)
        cmd0 = inputs.samples["cmd"].value
        v_dir = float(cmd0[0]) if (cmd0 is not None and command_is_valid(*cmd0)) else 0.0  # type: ignore[misc]
        degraded = fresh["scan"] and self._scan_degraded(inputs, v_dir)
        target, reasons = self.target_mode(fresh, inputs, clock_jump, clock_stuck, degraded)
        prev = self.ladder.mode
        mode, changed = self.ladder.update(now.mono, target)
        if mode > target and not changed:
            reasons.append(Reason.hold(mode))

        cmd = inputs.samples["cmd"].value
        requested = cmd if (cmd is not None and fresh["cmd"]) else (0.0, 0.0)
        emergency = False
        speed_cap: float | None = None
        if mode == Mode.ESTOP:
            v_req, w_req = 0.0, 0.0
        elif mode == Mode.MRM:
            v_req, w_req, emergency = 0.0, 0.0, True
        elif mode == Mode.FALLBACK:
            pts = self._points(inputs) if fresh["scan"] else np.zeros((0, 2))
            v_req, w_req = self.reactive.command(pts, self._goal_in_base(inputs))
            speed_cap = cfg.fallback.max_speed_mps
        else:
            v_req, w_req = requested  # type: ignore[misc]
            if not command_is_valid(v_req, w_req):
                v_req, w_req = 0.0, 0.0
            if mode == Mode.DEGRADED:
                speed_cap = cfg.degraded_max_speed_mps
        v_req, w_req = clamp_velocity(v_req, w_req, cfg.limits, speed_cap)
        if (v_req, w_req) != tuple(requested) and mode == Mode.NOMINAL:
            reasons.append(Reason.LIMIT_CLAMP)

        # Collision zones: judged on the command about to be sent, against what stands still.
        clearance, ttc = math.inf, math.inf
        self.decision = None
        if fresh["scan"] and mode != Mode.ESTOP:
            view = self._scan_view(inputs)
            before_zones = (v_req, w_req)
            z = self._zones(view, v_req, w_req)
            clearance, ttc = z.min_clearance_m, z.ttc_s
            # Braking towards something inside the stop distance of the speed the robot has now is an
            # emergency whatever is requested: slowing to a request of zero under the comfort jerk
            # limit would carry the robot into it.
            v_now, w_now = self.limiter.v, self.limiter.w
            if v_now != 0.0 and not (v_req * v_now > 0.0 and abs(v_req) >= abs(v_now)):
                zn = self._zones(view, v_now, w_now)
                blocked = zn.stop_front if v_now > 0.0 else zn.stop_rear
                if blocked or zn.ttc_s < cfg.zones.ttc_stop_s:
                    emergency = True
                    if v_req * v_now > 0.0:
                        v_req = 0.0
                    reasons.append(Reason.ZONE_STOP_FRONT if v_now > 0.0 and blocked else
                                   Reason.ZONE_STOP_REAR if blocked else Reason.TTC_STOP)
            if inputs.scan_seq != self._seen_scan_seq:  # debounce counts scans, not ticks
                self._seen_scan_seq = inputs.scan_seq
                self.stop_front.feed(z.stop_front)
                self.stop_rear.feed(z.stop_rear)
            if (self.stop_front.active or z.stop_front) and v_req > 0.0:
                v_req, emergency = 0.0, True
                reasons.append(Reason.ZONE_STOP_FRONT)
            elif (self.stop_rear.active or z.stop_rear) and v_req < 0.0:
                v_req, emergency = 0.0, True
                reasons.append(Reason.ZONE_STOP_REAR)
            elif z.ttc_s < cfg.zones.ttc_stop_s:
                v_req, emergency = 0.0, True
                reasons.append(Reason.TTC_STOP)
            else:
                if z.slow and abs(v_req) > cfg.zones.slow_speed_mps:
                    v_req = math.copysign(cfg.zones.slow_speed_mps, v_req)
                    reasons.append(Reason.ZONE_SLOW)
                if z.ttc_s < cfg.zones.ttc_slow_s:
                    scale = (z.ttc_s - cfg.zones.ttc_stop_s) / (cfg.zones.ttc_slow_s - cfg.zones.ttc_stop_s)
                    if abs(v_req) * scale < abs(v_req):
                        v_req *= max(0.0, scale)
                        reasons.append(Reason.TTC_SLOW)
            if cfg.separation.enabled:
                # Only the zones' comfort slow-downs may be undone to clear a crossing, never a stop.
                unslowed = None if emergency else before_zones
                v_req, w_req, emergency = self._separate(now, inputs, view, v_req, w_req, emergency, reasons,
                                                         unslowed)
            v_req, w_req, turn_stop = self._guard_turn(view, v_req, w_req, reasons)
            emergency = emergency or turn_stop

        if mode == Mode.ESTOP or clock_stuck:  # no trusted time to brake by: zero at once
            self.limiter.reset()
            v, w = 0.0, 0.0
        else:
            v, w = self.limiter.apply(v_req, w_req, dt, emergency=emergency)
        if (v, w) != (v_req, w_req) and Reason.LIMIT_RATE not in reasons:
            reasons.append(Reason.LIMIT_RATE)

        req = tuple(float(x) for x in requested) if command_is_valid(*requested) else (0.0, 0.0)  # type: ignore[misc]
        altered = mode != Mode.NOMINAL or abs(v - req[0]) > 1e-6 or abs(w - req[1]) > 1e-6
        self._seen_nominal = self._seen_nominal or mode == Mode.NOMINAL
        intervening = (self._seen_nominal and mode != Mode.NOMINAL) or any(r in STOPS for r in reasons)
        if intervening and not self._was_intervening:
            self.interventions += 1
        self._was_intervening = intervening
        if altered:
            self.altered_steps += 1
        return StepOutput(
            v,
            w,
            mode,
            tuple(reasons),
            altered,
            (prev, mode) if changed else None,
            (float(req[0]), float(req[1])),
            clearance,
            ttc,
        )

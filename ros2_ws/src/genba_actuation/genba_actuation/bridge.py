"""Host side of the motor-controller link: handshake, command framing, telemetry -> odometry.

:class:`BridgeCore` is pure (bytes in, bytes out, time injected); the port itself is a
:class:`~genba_actuation.serial_link.SerialLink`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from genba_actuation import protocol as p
from genba_actuation.kinematics import DiffDrive, wrap_int32_delta
from genba_actuation.odometry import EncoderNoise, Odometry2D

VELOCITY_WINDOW_S = 0.015
ENCODER_MIN_SPAN_S = 0.05  # frames read together share a receipt time: judge a jump over at least this


@dataclass(frozen=True)
class LinkLimits:
    """What the link allows: the top wheel speed (encoder deltas beyond it are impossible) and the
    speed-up limits the sent command starts from the measured speed with after a gap."""

    max_wheel_speed_radps: float = 25.0
    max_accel_mps2: float = 1.5
    max_yaw_accel_radps2: float = 6.0
    gap_s: float = 0.05  # no command sent for longer than this is a gap


def _toward(current: float, target: float, step: float) -> float:
    """``target``, except that speeding up (away from zero) moves at most ``step`` from ``current``."""
    if abs(target) <= abs(current) and target * current >= 0.0:
        return target  # slowing down is never delayed
    return max(current - step, min(current + step, target))


@dataclass
class BridgeCore:
    drive: DiffDrive = field(default_factory=DiffDrive)
    limits: LinkLimits = field(default_factory=LinkLimits)
    noise: EncoderNoise = field(default_factory=EncoderNoise)

    def __post_init__(self) -> None:
        self.decoder = p.FrameDecoder()
        self.seq = 0
        self.handshake_done = False
        self.controller_watchdog_ms: int | None = None
        self.firmware: int | None = None
        self.odom = Odometry2D()
        self.last_telemetry: p.Telemetry | None = None
        self.last_telemetry_time: float | None = None
        self._prev_ticks: tuple[int, int] | None = None
        self._acc_l = self._acc_r = 0.0  # wheel distances (m) since the last velocity estimate
        self._vel_since = 0.0
        self.encoder_jumps = 0  # telemetry frames whose tick delta no wheel can make: not integrated
        self._sent: tuple[float, float, float] | None = None  # (time, v, w) of the last command sent

    def reset_link(self) -> None:
        """Call after a (re)connect: the controller must be greeted again."""
        self.handshake_done = False
        self._prev_ticks = None
        self.decoder.discard_partial()

    def _next_seq(self) -> int:
        self.seq = (self.seq + 1) & 0xFF
        return self.seq

    def hello(self) -> bytes:
        return p.encode(p.Hello(), self._next_seq())

    @property
    def last_sent(self) -> tuple[float, float] | None:
        """(v, w) of the last command :meth:`limit` let out, None before the first."""
        return None if self._sent is None else (self._sent[1], self._sent[2])

    def limit(self, v_mps: float, w_radps: float, now: float) -> tuple[float, float]:
        """The twist to send at ``now``: after a gap (nothing sent for longer than ``gap_s``: the
        controller's watchdog may have stopped the wheels) speeding up starts from the measured
        speed, under the link's acceleration limits; slowing down is never delayed."""
        if not (math.isfinite(v_mps) and math.isfinite(w_radps)):
            v_mps = w_radps = 0.0
        lim = self.limits
        if self._sent is None or not 0.0 <= now - self._sent[0] <= lim.gap_s:
            base_v, base_w, dt = self.odom.v, self.odom.w, lim.gap_s
        else:
            base_v, base_w, dt = self._sent[1], self._sent[2], now - self._sent[0]
        v = _toward(base_v, v_mps, lim.max_accel_mps2 * dt)
        w = _toward(base_w, w_radps, lim.max_yaw_accel_radps2 * dt)
        self._sent = (now, v, w)
        return v, w

    def velocity(self, v_mps: float, w_radps: float) -> bytes:
        """Frame for a body twist; non-finite input is sent as zero, and wheel speeds beyond the
        controller's top speed are clipped to it (the controller rejects anything beyond)."""
        if not (math.isfinite(v_mps) and math.isfinite(w_radps)):
            v_mps = w_radps = 0.0
        left, right = self.drive.wheel_speeds(v_mps, w_radps)
        top = self.limits.max_wheel_speed_radps
        clip = lambda x: int(round(max(-top, min(top, x)) * 1000.0))  # noqa: E731
        return p.encode(p.Velocity(clip(left), clip(right)), self._next_seq())

    def estop(self, engaged: bool) -> bytes:
        return p.encode(p.EStop(int(engaged)), self._next_seq())

    def on_bytes(self, data: bytes, now: float) -> list[p.Telemetry]:
        """Feed received bytes; updates handshake state and odometry, returns new telemetry."""
        out = []
        for msg, _seq in self.decoder.feed(data):
            if isinstance(msg, p.HelloAck):
                if msg.version == p.PROTOCOL_VERSION:
                    self.handshake_done = True
                    self.controller_watchdog_ms = msg.watchdog_ms
                    self.firmware = msg.firmware
            elif isinstance(msg, p.Telemetry):
                self._integrate(msg, now)
                out.append(msg)
        return out

    def _integrate(self, t: p.Telemetry, now: float) -> None:
        if self._prev_ticks is None:
            self._acc_l = self._acc_r = 0.0
            self._vel_since = now
        else:
            dl = self.drive.ticks_to_rad(wrap_int32_delta(t.left_ticks, self._prev_ticks[0]))
            dr = self.drive.ticks_to_rad(wrap_int32_delta(t.right_ticks, self._prev_ticks[1]))
            span = max(ENCODER_MIN_SPAN_S, now - self.last_telemetry_time)  # type: ignore[operator]
            if max(abs(dl), abs(dr)) > 2.0 * self.limits.max_wheel_speed_radps * span:
                # No wheel turns that far in that time (a counter reset, a glitch): rejected and
                # counted, and the counter is taken as the new reference.
                self.encoder_jumps += 1
            else:
                self._advance(dl, dr, now)
        self._prev_ticks = (t.left_ticks, t.right_ticks)
        self.last_telemetry = t
        self.last_telemetry_time = now

    def _advance(self, dl: float, dr: float, now: float) -> None:
        """Move the odometry by the wheels' turns (rad) since the last frame."""
        r = self.drive.wheel_radius_m
        self.odom.advance(self.drive, self.noise, dl * r, dr * r)
        # Several frames can arrive in one read with the same receipt time: estimate the
        # velocity from the motion accumulated over at least VELOCITY_WINDOW_S.
        self._acc_l += dl * r
        self._acc_r += dr * r
        span = now - self._vel_since
        if span >= VELOCITY_WINDOW_S:
            self.odom.set_twist(self.drive, self.noise, self._acc_l, self._acc_r, span)
            self._acc_l = self._acc_r = 0.0
            self._vel_since = now

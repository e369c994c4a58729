"""Host side of the motor-controller link: handshake, command framing, telemetry -> odometry.

:class:`BridgeCore` is pure (bytes in, bytes out, time injected); the port itself is a
:class:`~genba_actuation.serial_link.SerialLink`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from genba_actuation import protocol as p
from genba_actuation.kinematics import DiffDrive, wrap_int32_delta

VELOCITY_WINDOW_S = 0.015


@dataclass
class Odometry2D:
    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0
    v: float = 0.0
    w: float = 0.0


@dataclass
class BridgeCore:
    drive: DiffDrive = field(default_factory=DiffDrive)

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
        self._acc_ds = self._acc_dth = 0.0
        self._vel_since = 0.0

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

    def velocity(self, v_mps: float, w_radps: float) -> bytes:
        """Frame for a body twist; non-finite input is sent as zero."""
        if not (math.isfinite(v_mps) and math.isfinite(w_radps)):
            v_mps = w_radps = 0.0
        left, right = self.drive.wheel_speeds(v_mps, w_radps)
        clip = lambda x: int(max(-2 ** 31, min(2 ** 31 - 1, round(x * 1000.0))))  # noqa: E731
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
        if self._prev_ticks is not None:
            dl = self.drive.ticks_to_rad(wrap_int32_delta(t.left_ticks, self._prev_ticks[0]))
            dr = self.drive.ticks_to_rad(wrap_int32_delta(t.right_ticks, self._prev_ticks[1]))
            ds, dth = self.drive.twist(dl, dr)  # distance and heading change since the last frame
            o = self.odom
            o.x += ds * math.cos(o.yaw + dth / 2.0)
            o.y += ds * math.sin(o.yaw + dth / 2.0)
            o.yaw = math.atan2(math.sin(o.yaw + dth), math.cos(o.yaw + dth))
            # Several frames can arrive in one read with the same receipt time: estimate the
            # velocity from the motion accumulated over at least VELOCITY_WINDOW_S.
            self._acc_ds += ds
            self._acc_dth += dth
            span = now - self._vel_since
            if span >= VELOCITY_WINDOW_S:
                o.v, o.w = self._acc_ds / span, self._acc_dth / span
                self._acc_ds = self._acc_dth = 0.0
                self._vel_since = now
        else:
            self._acc_ds = self._acc_dth = 0.0
            self._vel_since = now
        self._prev_ticks = (t.left_ticks, t.right_ticks)
        self.last_telemetry = t
        self.last_telemetry_time = now

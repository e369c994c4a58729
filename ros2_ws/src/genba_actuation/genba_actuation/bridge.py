"""Host side of the motor-controller link: handshake, command framing, telemetry -> odometry.

:class:`BridgeCore` is pure (bytes in, bytes out, time injected). :class:`SerialLink` owns the
pyserial port and reconnects with exponential backoff when the device vanishes.
"""

from __future__ import annotations

import math
import os
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


class SerialLink:
    """A serial port that may vanish: open with backoff, read/write without raising."""

    def __init__(self, port: str, baudrate: int = 115200, backoff_initial_s: float = 0.1,
                 backoff_max_s: float = 2.0) -> None:
        self.port_name = port
        self.baudrate = baudrate
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self._backoff = backoff_initial_s
        self._next_try = 0.0
        self.serial = None
        self.last_error = ""
        self.reconnects = 0

    @property
    def is_open(self) -> bool:
        return self.serial is not None

    def try_open(self, now: float) -> bool:
        """Open if closed and the backoff has elapsed; True when a new connection was made."""
        if self.serial is not None or now < self._next_try:
            return False
        import serial  # pyserial

        try:
            self.serial = serial.Serial(self.port_name, self.baudrate, timeout=0, write_timeout=0.05)
        except (serial.SerialException, OSError) as exc:
            self.last_error = describe_open_error(self.port_name, exc)
            self._next_try = now + self._backoff
            self._backoff = min(self.backoff_max_s, self._backoff * 2.0)
            return False
        self._backoff = self.backoff_initial_s
        self.reconnects += 1
        self.last_error = ""
        return True

    def read(self) -> bytes:
        if self.serial is None:
            return b""
        try:
            n = self.serial.in_waiting
            return self.serial.read(n or 1) if n else b""
        except Exception as exc:  # pyserial raises SerialException/OSError/TypeError on unplug
            self._lost(exc)
            return b""

    def write(self, data: bytes) -> bool:
        if self.serial is None:
            return False
        try:
            self.serial.write(data)
            return True
        except Exception as exc:
            self._lost(exc)
            return False

    def _lost(self, exc: Exception) -> None:
        self.last_error = f"serial port {self.port_name} lost: {exc}"
        self.close()

    def close(self) -> None:
        if self.serial is not None:
            try:
                self.serial.close()
            except Exception:
                pass
        self.serial = None


def describe_open_error(port: str, exc: Exception) -> str:
    """One line naming the port and what is wrong with it."""
    if not os.path.exists(port):
        return f"serial port {port} does not exist (unplugged or wrong path)"
    if not os.access(port, os.R_OK | os.W_OK):
        return f"serial port {port}: permission denied (add the user to the 'dialout' group)"
    return f"serial port {port}: {exc}"

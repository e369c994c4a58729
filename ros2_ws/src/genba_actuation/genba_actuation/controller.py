"""The motor controller's logic: what its firmware does with the genba protocol, in plain Python.

:class:`ControllerCore` is pure (time injected): handshake, set-points, the controller-side
watchdog, e-stop, wheel acceleration limits and encoder counts. The emulator
(:mod:`genba_actuation.emulator`) runs it behind a pseudo-terminal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from genba_actuation import protocol as p


@dataclass
class ControllerConfig:
    watchdog_ms: float = 100.0
    max_wheel_accel_radps2: float = 40.0
    max_wheel_speed_radps: float = 25.0
    ticks_per_rev: int = 4096
    firmware: int = 0x0100
    battery_mv: int = 24000


@dataclass
class ControllerCore:
    """Firmware logic: handshake, set-points, watchdog, e-stop, acceleration limits, encoders."""

    config: ControllerConfig = field(default_factory=ControllerConfig)

    def __post_init__(self) -> None:
        self.connected = False
        self.estop = False
        self.target = [0.0, 0.0]       # rad/s
        self.output = [0.0, 0.0]       # rad/s actually driven
        self.ticks = [0.0, 0.0]
        self.last_cmd_time: float | None = None
        self.last_seq = 0
        self.watchdog_tripped = False
        self.watchdog_trips = 0
        self.protocol_fault = False  # the last command had an impossible field: motors off
        self.protocol_faults = 0     # commands rejected so far
        self._last_update: float | None = None

    def _reject(self) -> list[object]:
        """A command with an impossible field: rejected (not clamped), motors off, counted."""
        self.protocol_fault = True
        self.protocol_faults += 1
        self.target = [0.0, 0.0]
        self.output = [0.0, 0.0]
        return []

    def handle(self, msg: object, seq: int, now: float) -> list[object]:
        """Apply one decoded host message; returns the replies to send."""
        if isinstance(msg, p.Hello):
            if msg.version != p.PROTOCOL_VERSION:
                return []  # unknown version: stay disconnected, motors off
            self.connected = True
            self.last_cmd_time = now
            self.watchdog_tripped = False
            self.target = [0.0, 0.0]
            return [p.HelloAck(p.PROTOCOL_VERSION, self.config.firmware, int(self.config.watchdog_ms))]
        if not self.connected:
            return []
        self.last_seq = seq
        if isinstance(msg, p.Velocity):
            lim_mrad = self.config.max_wheel_speed_radps * 1000.0
            if not (abs(msg.left_mrad_s) <= lim_mrad and abs(msg.right_mrad_s) <= lim_mrad):
                return self._reject()
            self.target = [msg.left_mrad_s / 1000.0, msg.right_mrad_s / 1000.0]
            self.last_cmd_time = now
            self.watchdog_tripped = False
            self.protocol_fault = False
        elif isinstance(msg, p.Heartbeat):
            self.last_cmd_time = now
        elif isinstance(msg, p.EStop):
            if msg.engaged not in (0, 1):
                self.estop = True  # a corrupt e-stop is an e-stop
                return self._reject()
            self.estop = bool(msg.engaged)
            self.last_cmd_time = now
            if self.estop:
                self.target = [0.0, 0.0]
        return []

    def update(self, now: float) -> tuple[float, float]:
        """Advance to ``now``: watchdog, acceleration-limited output, encoder integration."""
        dt = 0.0 if self._last_update is None else max(0.0, now - self._last_update)
        self._last_update = now
        if self.connected and self.last_cmd_time is not None and \
                (now - self.last_cmd_time) * 1000.0 > self.config.watchdog_ms and not self.watchdog_tripped:
            self.watchdog_tripped = True
            self.watchdog_trips += 1
        motors_off = (not self.connected) or self.estop or self.watchdog_tripped or self.protocol_fault
        if motors_off:
            # Motors off means coast-free braking to zero, immediately: the firmware's safe state.
            self.target = [0.0, 0.0]
            self.output = [0.0, 0.0]
        else:
            step = self.config.max_wheel_accel_radps2 * dt
            self.output = [o + max(-step, min(step, t - o))
                           for o, t in zip(self.output, self.target, strict=True)]
        return self.output[0], self.output[1]

    def integrate_encoders(self, left_radps: float, right_radps: float, dt: float) -> None:
        """Count ticks for the measured wheel motion (the sim passes actual joint speeds)."""
        k = self.config.ticks_per_rev / (2.0 * math.pi)
        self.ticks[0] += left_radps * dt * k
        self.ticks[1] += right_radps * dt * k

    @property
    def faults(self) -> int:
        f = p.Fault.NONE
        if self.watchdog_tripped:
            f |= p.Fault.WATCHDOG
        if self.estop:
            f |= p.Fault.ESTOP
        if not self.connected:
            f |= p.Fault.NOT_CONNECTED
        if self.protocol_fault:
            f |= p.Fault.PROTOCOL
        return int(f)

    def telemetry(self) -> p.Telemetry:
        cur = [int(max(-32768, min(32767, 300 * abs(o)))) for o in self.output]
        return p.Telemetry(
            _wrap32(self.ticks[0]),
            _wrap32(self.ticks[1]),
            self.config.battery_mv,
            cur[0],
            cur[1],
            self.faults,
            self.last_seq,
        )


def _wrap32(x: float) -> int:
    v = int(x) & 0xFFFFFFFF
    return v - (1 << 32) if v >= (1 << 31) else v

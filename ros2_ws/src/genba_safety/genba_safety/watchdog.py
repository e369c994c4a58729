"""Freshness of stamped inputs, judged on monotonic receipt time *and* header stamp."""

from __future__ import annotations

import math
from dataclasses import dataclass

from genba_safety.reasons import Reason


@dataclass(frozen=True)
class Now:
    """The two clocks a step needs: monotonic (receipt ages) and ROS time (header stamps), seconds."""
    mono: float
    ros: float


@dataclass
class Stamped:
    """Last accepted sample of one input. ``received`` is monotonic, ``stamp`` ROS time."""
    value: object = None
    stamp: float = math.nan
    received: float | None = None


@dataclass
class Watchdog:
    """One input's deadline. ``timeout_ms`` must be > 0: a zero timeout is a configuration error,
    never a silently disabled check."""

    name: str
    timeout_ms: float
    max_future_ms: float = 20.0

    def __post_init__(self) -> None:
        if not (self.timeout_ms > 0 and math.isfinite(self.timeout_ms)):
            raise ValueError(f"watchdog '{self.name}': timeout_ms must be a finite number > 0, "
                             f"got {self.timeout_ms!r}")

    def admit(self, stamp: float, now: Now) -> Reason | None:
        """Check a sample on receipt; returns the reason if it must be rejected."""
        if not math.isfinite(stamp):
            return Reason.BAD_STAMP
        if stamp - now.ros > self.max_future_ms / 1000.0:
            return Reason.FUTURE_STAMP
        if now.ros - stamp > self.timeout_ms / 1000.0:
            return Reason.STALE_STAMP
        return None

    def age_ms(self, sample: Stamped, now: Now) -> float:
        """Age by receipt time; infinite if never received."""
        if sample.received is None:
            return math.inf
        return (now.mono - sample.received) * 1000.0

    def fresh(self, sample: Stamped, now: Now) -> bool:
        if sample.received is None:
            return False
        return (self.age_ms(sample, now) <= self.timeout_ms
                and (now.ros - sample.stamp) * 1000.0 <= self.timeout_ms)


@dataclass
class ClockJumpDetector:
    """Flags a ROS-time step (NTP slew, sim reset) by comparing it with the monotonic clock."""

    tolerance_ms: float = 50.0
    _last: Now | None = None
    jumps: int = 0

    def check(self, now: Now) -> bool:
        jumped = False
        if self._last is not None:
            d_ros, d_mono = now.ros - self._last.ros, now.mono - self._last.mono
            if abs(d_ros - d_mono) * 1000.0 > self.tolerance_ms:
                jumped = True
                self.jumps += 1
        self._last = now
        return jumped

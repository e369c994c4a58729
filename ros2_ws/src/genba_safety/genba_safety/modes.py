"""Safety modes, ordered by severity, and the ladder that moves between them with hysteresis."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Mode(enum.IntEnum):
    NOMINAL = 0    # policy drives within full limits
    DEGRADED = 1   # cloud link lost: local policy at reduced speed
    FALLBACK = 2   # policy stale / invalid / OOD: classical reactive LiDAR controller, low speed
    MRM = 3        # minimal-risk manoeuvre, perception lost: decelerate to stop and hold
    ESTOP = 4      # latched; released only by the reset service


@dataclass
class ModeLadder:
    """Escalates at once; de-escalates only after the better target has held for ``recover_hold_s``.

    ESTOP is latched: it is never left by :meth:`update`, only by :meth:`reset_estop`.
    """

    recover_hold_s: float = 1.0
    mode: Mode = Mode.NOMINAL
    _better_since: float | None = None

    def update(self, now: float, target: Mode) -> tuple[Mode, bool]:
        """Returns (mode, changed)."""
        if self.mode == Mode.ESTOP:
            return self.mode, False
        if target > self.mode:
            self.mode, self._better_since = target, None
            return self.mode, True
        if target == self.mode:
            self._better_since = None
            return self.mode, False
        if self._better_since is None:
            self._better_since = now
        if now - self._better_since >= self.recover_hold_s:
            self.mode, self._better_since = target, None
            return self.mode, True
        return self.mode, False

    def reset_estop(self, now: float) -> None:
        """Leave ESTOP into MRM; the ladder then recovers through the usual hysteresis."""
        if self.mode == Mode.ESTOP:
            self.mode, self._better_since = Mode.MRM, now

"""Differential-drive kinematics (REP-103: x forward, z up, counter-clockwise positive)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffDrive:
    wheel_radius_m: float = 0.08
    track_width_m: float = 0.40
    ticks_per_rev: int = 4096

    def wheel_speeds(self, v_mps: float, w_radps: float) -> tuple[float, float]:
        """Body twist -> (left, right) wheel angular speed in rad/s."""
        half = self.track_width_m / 2.0
        return ((v_mps - w_radps * half) / self.wheel_radius_m,
                (v_mps + w_radps * half) / self.wheel_radius_m)

    def twist(self, left_radps: float, right_radps: float) -> tuple[float, float]:
        """(left, right) wheel angular speed -> body (v, w)."""
        vl, vr = left_radps * self.wheel_radius_m, right_radps * self.wheel_radius_m
        return (vl + vr) / 2.0, (vr - vl) / self.track_width_m

    def ticks_to_rad(self, ticks: int) -> float:
        return ticks * 2.0 * math.pi / self.ticks_per_rev


def wrap_int32_delta(new: int, old: int) -> int:
    """Difference of two wrapping int32 counters."""
    d = (new - old) & 0xFFFFFFFF
    return d - (1 << 32) if d >= (1 << 31) else d

"""Velocity, acceleration and jerk limits on a (v, w) command."""

from __future__ import annotations

import math
from dataclasses import dataclass

HUGE = 1e3  # |v| or |w| beyond this is a corrupt command, not a fast one


@dataclass(frozen=True)
class Limits:
    max_speed_mps: float = 1.0
    max_reverse_mps: float = 0.4
    max_yaw_rate_radps: float = 1.5
    max_accel_mps2: float = 1.0
    max_decel_mps2: float = 2.0
    max_yaw_accel_radps2: float = 4.0
    max_jerk_mps3: float = 20.0


def command_is_valid(v: float, w: float) -> bool:
    """Finite and not absurdly large."""
    return math.isfinite(v) and math.isfinite(w) and abs(v) < HUGE and abs(w) < HUGE


def clamp_velocity(v: float, w: float, lim: Limits, speed_cap: float | None = None) -> tuple[float, float]:
    top = lim.max_speed_mps if speed_cap is None else min(lim.max_speed_mps, speed_cap)
    return max(-min(lim.max_reverse_mps, top), min(top, v)), \
        max(-lim.max_yaw_rate_radps, min(lim.max_yaw_rate_radps, w))


@dataclass
class RateLimiter:
    """Limits acceleration (speeding up vs slowing down separately) and jerk between steps.

    Slowing toward zero may always use ``max_decel_mps2``; with ``emergency`` the jerk limit is
    bypassed so that a stop is never delayed for comfort.
    """

    lim: Limits
    v: float = 0.0
    w: float = 0.0
    a: float = 0.0

    def apply(self, v_req: float, w_req: float, dt: float, emergency: bool = False) -> tuple[float, float]:
        if dt <= 0.0:
            return self.v, self.w
        speeding_up = abs(v_req) > abs(self.v) and (v_req * self.v >= 0.0)
        a_max = self.lim.max_accel_mps2 if speeding_up else self.lim.max_decel_mps2
        a_req = max(-a_max, min(a_max, (v_req - self.v) / dt))
        if not emergency:
            da = self.lim.max_jerk_mps3 * dt
            a_jerk = max(self.a - da, min(self.a + da, a_req))
            # The jerk limit shapes how acceleration builds up; it may never push the speed away
            # from (or hold it past) the request, e.g. leftover braking once standstill is reached.
            a_req = a_jerk if (v_req - self.v) * a_jerk > 0.0 else 0.0
        v_new = self.v + a_req * dt
        if (v_req - self.v) * (v_req - v_new) < 0.0:  # overshoot
            v_new = v_req
        dw = self.lim.max_yaw_accel_radps2 * dt * (4.0 if emergency else 1.0)
        w_new = self.w + max(-dw, min(dw, w_req - self.w))
        self.a = (v_new - self.v) / dt
        self.v, self.w = v_new, w_new
        return v_new, w_new

    def reset(self) -> None:
        self.v = self.w = self.a = 0.0

"""Velocity limits and the rate limiter, step by step against values worked out by hand
(Limits(): accel 1.0, decel 2.0 m/s^2, jerk 20 m/s^3, yaw accel 4 rad/s^2; steps of 10 ms)."""

import math

import pytest

from genba_safety.limits import HUGE, Limits, RateLimiter, clamp_velocity, command_is_valid

DT = 0.01


@pytest.mark.parametrize("v, w, ok", [
    (0.0, 0.0, True), (HUGE - 1.0, -(HUGE - 1.0), True), (HUGE, 0.0, False), (0.0, -HUGE, False),
    (math.nan, 0.0, False), (0.0, math.inf, False), (-math.inf, 0.0, False),
])
def test_a_command_is_valid_when_finite_and_below_huge(v, w, ok):
    assert command_is_valid(v, w) is ok


def test_clamp_caps_forward_reverse_and_yaw_and_a_speed_cap_caps_reverse_too():
    lim = Limits(max_speed_mps=1.0, max_reverse_mps=0.4, max_yaw_rate_radps=1.5)
    assert clamp_velocity(2.0, 3.0, lim) == (1.0, 1.5)
    assert clamp_velocity(-2.0, -3.0, lim) == (-0.4, -1.5)
    assert clamp_velocity(0.5, -0.5, lim) == (0.5, -0.5)
    assert clamp_velocity(0.8, 0.0, lim, speed_cap=0.3) == (0.3, 0.0)
    assert clamp_velocity(-0.8, 0.0, lim, speed_cap=0.3) == (-0.3, 0.0)
    assert clamp_velocity(1.8, 0.0, lim, speed_cap=2.0) == (1.0, 0.0)


def test_speeding_up_from_rest_builds_acceleration_at_the_jerk_limit():
    rl = RateLimiter(Limits())
    assert rl.apply(1.0, 0.0, DT) == pytest.approx((0.002, 0.0))  # a = 0.2 after one step of jerk
    assert rl.a == pytest.approx(0.2)
    assert rl.apply(1.0, 0.0, DT)[0] == pytest.approx(0.006)  # a = 0.4
    for _ in range(10):
        rl.apply(1.0, 0.0, DT)
    assert rl.a == pytest.approx(1.0)  # held at the acceleration limit


def test_an_emergency_skips_the_jerk_limit_and_speeds_up_at_accel_from_rest():
    rl = RateLimiter(Limits())
    assert rl.apply(1.0, 0.0, DT, emergency=True)[0] == pytest.approx(0.01)


def test_slowing_uses_the_deceleration_limit():
    rl = RateLimiter(Limits(), v=1.0)
    assert rl.apply(0.0, 0.0, DT, emergency=True)[0] == pytest.approx(0.98)
    rl = RateLimiter(Limits(), v=1.0)
    assert rl.apply(0.5, 0.0, DT, emergency=True)[0] == pytest.approx(0.98)
    rl = RateLimiter(Limits(), v=-0.2)  # reversing, asked forward: slowing first, at decel
    assert rl.apply(0.5, 0.0, DT, emergency=True)[0] == pytest.approx(-0.18)


def test_a_jerk_limited_approach_never_overshoots_the_request():
    rl = RateLimiter(Limits(), v=0.995, a=1.0)
    assert rl.apply(1.0, 0.0, DT)[0] == 1.0
    assert rl.a == pytest.approx(0.5)


def test_leftover_braking_never_pushes_past_standstill():
    rl = RateLimiter(Limits(), v=0.0, a=-2.0)
    assert rl.apply(0.0, 0.0, DT) == (0.0, 0.0)
    rl = RateLimiter(Limits(), v=0.01, a=-2.0)
    v, _ = rl.apply(0.0, 0.0, DT)
    assert v == pytest.approx(0.0, abs=1e-12) and v >= 0.0


def test_yaw_rate_changes_at_its_limit_four_times_faster_in_an_emergency():
    rl = RateLimiter(Limits())
    assert rl.apply(0.0, 1.0, DT)[1] == pytest.approx(0.04)
    assert rl.apply(0.0, -1.0, DT)[1] == pytest.approx(0.0)
    assert rl.apply(0.0, 1.0, DT, emergency=True)[1] == pytest.approx(0.16)
    assert rl.apply(0.0, 0.1, DT)[1] == pytest.approx(0.12)


def test_no_time_step_changes_nothing_and_reset_zeroes_the_state():
    rl = RateLimiter(Limits(), v=0.3, w=0.2, a=0.5)
    assert rl.apply(1.0, 1.0, 0.0) == (0.3, 0.2)
    assert rl.apply(1.0, 1.0, -0.01) == (0.3, 0.2)
    assert (rl.v, rl.w, rl.a) == (0.3, 0.2, 0.5)
    rl.reset()
    assert (rl.v, rl.w, rl.a) == (0.0, 0.0, 0.0)

"""Hypothesis properties of the supervisor core."""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safety_harness import Harness, Script, scan_with_obstacle

from genba_safety.limits import Limits, RateLimiter
from genba_safety.modes import Mode
from genba_safety.supervisor import SupervisorConfig

CFG = SupervisorConfig()
LIM = CFG.limits
TICK = 1.0 / CFG.rate_hz
wild = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-3, 3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(wild, wild), min_size=5, max_size=40), st.floats(0.3, 12.0))
def test_output_never_exceeds_limits(commands, obstacle_m):
    cmds = commands

    def cmd(t):
        return cmds[int(t * 10) % len(cmds)]
    h = Harness(CFG, Script(cmd=cmd, scan=lambda t: scan_with_obstacle(obstacle_m)))
    h.run(4.0)
    prev_v = 0.0
    for _, o in h.log:
        assert math.isfinite(o.v) and math.isfinite(o.w)
        assert -LIM.max_reverse_mps - 1e-9 <= o.v <= LIM.max_speed_mps + 1e-9
        assert abs(o.w) <= LIM.max_yaw_rate_radps + 1e-9
        assert abs(o.v - prev_v) <= max(LIM.max_accel_mps2, LIM.max_decel_mps2) * TICK + 1e-9
        prev_v = o.v


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["scan", "odom"]), st.floats(2.0, 4.0), st.floats(0.2, 1.0))
def test_stale_perception_means_zero_within_bound(name, fault_at, speed):
    h = Harness(CFG, Script(cmd=lambda t: (speed, 0.2), stale={name: fault_at}))
    h.run(fault_at + CFG.worst_case_stop_time_s() + 0.05)
    assert all(o.v == 0.0 and o.mode == Mode.MRM
               for t, o in h.log if t >= fault_at + CFG.worst_case_stop_time_s())


@settings(max_examples=40, deadline=None)
@given(st.floats(1.5, 3.0), st.lists(st.tuples(wild, wild), min_size=1, max_size=20),
       st.lists(st.booleans(), min_size=1, max_size=20))
def test_latched_estop_means_no_motion_until_reset(estop_at, commands, estop_pattern):
    def estop(t):
        if t < estop_at:
            return False
        if t < estop_at + 0.05:
            return True
        return estop_pattern[int(t * 10) % len(estop_pattern)]
    h = Harness(CFG, Script(cmd=lambda t: commands[int(t * 10) % len(commands)], estop=estop))
    h.run(estop_at + 3.0)
    assert all(o.v == 0.0 and o.w == 0.0 and o.mode == Mode.ESTOP for t, o in h.log if t >= estop_at + TICK)


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=100), st.booleans())
def test_rate_limiter_bounds(requests, emergency):
    lim = Limits()
    rl = RateLimiter(lim)
    for r in requests:
        before = rl.v
        v, _ = rl.apply(r, 0.0, 0.01, emergency=emergency)
        assert abs(v - before) <= max(lim.max_accel_mps2, lim.max_decel_mps2) * 0.01 + 1e-12
        # never overshoots the request
        assert min(before, r) - 1e-12 <= v <= max(before, r) + 1e-12


def test_rate_limiter_settles_at_zero_without_undershoot():
    # Regression: leftover jerk-limited braking once at standstill used to drive to -0.008 m/s.
    rl = RateLimiter(Limits())
    rl.v = 0.6
    out = [rl.apply(0.0, 0.0, 0.01)[0] for _ in range(100)]
    assert min(out) >= 0.0 and out[-1] == 0.0
    assert all(b <= a for a, b in zip(out, out[1:], strict=False)), "monotone ramp down"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=st.floats(-4.0, 6.0), y=st.floats(2.1, 5.0), side=st.sampled_from([1.0, -1.0]),
       v=st.floats(0.1, 1.0), w=st.floats(-0.3, 0.3))
def test_a_person_at_rest_far_from_the_path_never_changes_the_command(x, y, side, v, w):
    # a person-sized return standing 2 m or more beside the path: the output is exactly what it is
    # with nothing there, from the first scan on (while unknown, too)
    bearing, dist = math.atan2(side * y, x), math.hypot(x, y)

    def run(scan):
        h = Harness(CFG, Script(cmd=lambda t: (v, w), scan=scan))
        h.run(3.0)
        return [(o.v, o.w, o.reasons) for _, o in h.log]

    with_person = run(lambda t: scan_with_obstacle(dist, bearing, width_beams=max(3, int(20 / dist))))
    assert with_person == run(lambda t: scan_with_obstacle(11.9, math.pi))

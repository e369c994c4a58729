"""The supervisor core's smaller parts, exactly: its configuration's checks and stop-time bound,
input ages, moving towards zero, the e-stop reset service's answers, the protective distances it
draws and when a retreat is clear."""

import math

import numpy as np
import pytest
from safety_harness import Harness, Script

from genba_safety.limits import Limits
from genba_safety.modes import Mode
from genba_safety.separation import directed_speed, protective_distance, separations
from genba_safety.supervisor import (
    INPUTS,
    Debouncer,
    Inputs,
    OdomInput,
    ScanView,
    Supervisor,
    SupervisorConfig,
    _toward_zero,
)
from genba_safety.tracker import TrackView
from genba_safety.watchdog import Now
from genba_safety.zones import time_to_collision


def test_every_input_needs_a_timeout():
    timeouts = {k: 100.0 for k in INPUTS if k != "goal"}
    with pytest.raises(ValueError) as err:
        SupervisorConfig(timeouts_ms=timeouts)
    assert str(err.value) == "timeouts_ms lacks ['goal']"
    SupervisorConfig(timeouts_ms={**timeouts, "goal": 1.0})


@pytest.mark.parametrize("decel, ok", [(0.0, False), (-1.0, False), (0.5, True), (2.0, True), (2.01, False)])
def test_the_mrm_deceleration_is_positive_and_within_the_limits(decel, ok):
    lim = Limits(max_decel_mps2=2.0)
    if ok:
        assert SupervisorConfig(mrm_decel_mps2=decel, limits=lim).mrm_decel_mps2 == decel
    else:
        with pytest.raises(ValueError, match=r"^mrm_decel_mps2 must be in \(0, limits.max_decel_mps2\]$"):
            SupervisorConfig(mrm_decel_mps2=decel, limits=lim)


def test_the_worst_case_stop_time_is_detection_one_tick_and_braking_from_top_speed():
    timeouts = {**SupervisorConfig().timeouts_ms, "scan": 300.0, "odom": 400.0}
    cfg = SupervisorConfig(rate_hz=50.0, timeouts_ms=timeouts, mrm_decel_mps2=1.25,
                           limits=Limits(max_speed_mps=1.0, max_decel_mps2=2.0))
    assert cfg.worst_case_stop_time_s() == pytest.approx(0.4 + 0.02 + 0.8)
    cfg = SupervisorConfig(rate_hz=50.0, timeouts_ms={**timeouts, "scan": 500.0}, mrm_decel_mps2=1.25,
                           limits=Limits(max_speed_mps=1.0, max_decel_mps2=2.0))
    assert cfg.worst_case_stop_time_s() == pytest.approx(0.5 + 0.02 + 0.8)


def test_input_ages_are_milliseconds_since_receipt_and_infinite_before_any():
    inputs = Inputs(SupervisorConfig())
    inputs.offer("cmd", (0.1, 0.0), 1000.0, Now(10.0, 1000.0))
    ages = inputs.ages_ms(Now(10.125, 1000.125))
    assert ages["cmd"] == pytest.approx(125.0) and ages["scan"] == math.inf
    assert set(ages) == set(INPUTS)


@pytest.mark.parametrize("own, measured, out", [
    (0.5, 0.3, 0.3), (0.5, 0.7, 0.5), (-0.5, -0.3, -0.3), (-0.5, -0.7, -0.5), (0.5, -0.2, 0.0),
    (-0.5, 0.2, 0.0), (0.5, 0.0, 0.0), (2.0, 1.5, 1.5),
])
def test_toward_zero_takes_the_measurement_only_when_nearer_zero_on_the_same_side(own, measured, out):
    assert _toward_zero(own, measured) == out


def test_the_estop_reset_answers_say_why():
    h = Harness(script=Script(estop=lambda t: 1.0 <= t < 1.5))
    h.run(0.5)
    assert h.sup.reset_estop(h.now(), h.inputs) == (False, "not in ESTOP")
    h.run(0.6)  # engaged at 1.0 and still held
    assert h.sup.ladder.mode == Mode.ESTOP
    assert h.sup.reset_estop(h.now(), h.inputs) == (False, "refused: e-stop still engaged")
    h.run(0.5)
    assert h.sup.reset_estop(h.now(), h.inputs) == (True, "ESTOP released; recovering through MRM")
    assert h.sup.ladder.mode == Mode.MRM
    mono = h.now().mono
    assert h.sup.ladder.update(mono + h.cfg.recover_hold_s, Mode.NOMINAL) == (Mode.NOMINAL, True)


def test_a_refused_reset_names_every_stale_input():
    h = Harness(script=Script(estop=lambda t: 1.0 <= t < 1.1, stale={"scan": 1.2, "health": 1.2}))
    h.run(2.0)
    ok, msg = h.sup.reset_estop(h.now(), h.inputs)
    assert (ok, msg) == (False, "refused: scan not fresh, health not fresh")


def _track(tid, pts, vel=(0.0, 0.0), known=True, moving=True):
    return TrackView(tid, np.array(pts, float), vel, 0.05, 0.1, known, moving)


def test_the_protective_distance_drawn_for_each_person_is_that_of_separation_monitoring():
    cfg = SupervisorConfig()
    sup = Supervisor(cfg)
    people = (_track(3, [[2.0, 0.0], [2.0, 0.1]], (-1.0, 0.0)), _track(4, [[0.0, -1.5]], known=False,
                                                                       moving=False))
    sup._view = ScanView(seq=1, people=people, stamp=99.9)
    now = Now(10.0, 100.0)
    out = sup.protective_distances(now, 0.8, 0.2)
    t_r = sup.reaction_time_s(now)
    seps = separations(list(people), cfg.zones.footprint, cfg.separation)
    expected = [protective_distance(s.v_h, directed_speed(0.8, 0.2, s), t_r, cfg.limits.max_decel_mps2,
                                    cfg.separation.intrusion_m, s.z) for s in seps]
    assert [t.id for t, _ in out] == [3, 4]
    assert [d for _, d in out] == pytest.approx(expected)
    assert out[0][1] > out[1][1] > 0.0  # the one walking at the robot needs more room
    assert sup.protective_distances(now, 0.0, 0.0)[0][1] < out[0][1]


def test_a_retreat_is_clear_only_with_nothing_static_or_anyone_behind_within_its_reach():
    cfg = SupervisorConfig()
    sup = Supervisor(cfg)
    fp = cfg.zones.footprint
    reach = min(cfg.separation.retreat_speed_mps, cfg.limits.max_reverse_mps) * cfg.separation.horizon_s
    assert sup._retreat_clear(ScanView(static=np.array([[2.0, 0.0]])))  # only ahead
    assert not sup._retreat_clear(ScanView(static=np.array([[-fp.rear_m - 0.05, 0.0]])))  # in the stop zone
    wall_behind = np.array([[-fp.rear_m - 0.5, y] for y in np.linspace(-0.3, 0.3, 7)])
    assert not sup._retreat_clear(ScanView(static=wall_behind))  # met within the horizon
    far_behind = np.array([[-fp.rear_m - reach - 1.5, 0.0]])
    assert sup._retreat_clear(ScanView(static=far_behind))
    edge = -fp.rear_m - cfg.zones.slow_margin_m - reach + 0.05
    behind = _track(1, [[edge, 0.0]])
    assert not sup._retreat_clear(ScanView(people=(behind,)))  # someone behind, within the reach
    assert sup._retreat_clear(ScanView(people=(_track(1, [[edge - 0.1, 0.0]]),)))
    assert sup._retreat_clear(ScanView(people=(_track(1, [[1.0, 0.0]]),)))  # ahead is not behind


def test_a_debouncer_turns_on_after_its_trigger_hits_and_off_after_its_release_misses():
    d = Debouncer(2, 3)
    assert [d.feed(h) for h in (True, False, True, True, False, False, True, False, False, False)] == [
        False, False, False, True, True, True, True, True, True, False]
    once = Debouncer(0, 0)  # at least one of each
    assert [once.feed(h) for h in (True, False, True)] == [True, False, True]


def test_the_reaction_time_is_the_longest_scan_period_the_scans_age_a_step_and_the_actuation_latency():
    cfg = SupervisorConfig()
    sup = Supervisor(cfg)
    now = Now(10.0, 100.0)
    base = 1.0 / cfg.rate_hz + cfg.separation.actuation_latency_ms / 1000.0
    scan_timeout = cfg.timeouts_ms["scan"] / 1000.0
    assert sup.reaction_time_s(now) == pytest.approx(scan_timeout + base)  # no scan yet: its timeout
    sup._scan_periods = [0.1, 0.125, 0.0625]
    sup._view = ScanView(stamp=99.95)
    assert sup.reaction_time_s(now) == pytest.approx(0.125 + 0.05 + base)
    sup._view = ScanView(stamp=90.0)  # an old scan counts at most its timeout
    assert sup.reaction_time_s(now) == pytest.approx(0.125 + scan_timeout + base)
    sup._view = ScanView(stamp=100.5)  # a stamp ahead of the clock counts nothing
    assert sup.reaction_time_s(now) == pytest.approx(0.125 + base)


def test_after_a_gap_the_limiter_restarts_from_a_fresh_measured_speed_never_above_its_own():
    cfg = SupervisorConfig()
    now = Now(10.0, 100.0)
    for odom, expected in [((0.3, 0.1), (0.3, 0.1)), ((0.9, 0.5), (0.8, 0.2)), ((-0.1, 0.0), (0.0, 0.0)),
                           ((2000.0, 0.0), (0.0, 0.0))]:
        sup, inputs = Supervisor(cfg), Inputs(cfg)
        sup.limiter.v, sup.limiter.w, sup.limiter.a = 0.8, 0.2, 1.0
        inputs.offer("odom", OdomInput(0.0, 0.0, 0.0, *odom), now.ros, now)
        sup._start_from_measured(inputs, now)
        assert (sup.limiter.v, sup.limiter.w, sup.limiter.a) == (*expected, 0.0)
    sup, inputs = Supervisor(cfg), Inputs(cfg)
    sup.limiter.v, sup.limiter.a = 0.8, 1.0
    inputs.offer("odom", OdomInput(0.0, 0.0, 0.0, 0.3, 0.0), now.ros, now)
    sup._start_from_measured(inputs, Now(11.0, 101.0))  # the odometry is stale by then
    assert (sup.limiter.v, sup.limiter.a) == (0.0, 0.0)


def test_the_goal_is_known_in_base_link_only_with_both_a_goal_and_odometry():
    cfg = SupervisorConfig()
    sup, inputs = Supervisor(cfg), Inputs(cfg)
    assert sup._goal_in_base(inputs) is None
    inputs.samples["goal"].value = (3.0, 1.0)
    assert sup._goal_in_base(inputs) is None
    inputs.samples["odom"].value = OdomInput(1.0, 1.0, math.pi / 2, 0.0, 0.0)
    assert sup._goal_in_base(inputs) == pytest.approx((0.0, -2.0))
    inputs.samples["goal"].value = None
    assert sup._goal_in_base(inputs) is None


def _guard(sup, static=None, people=(), v=0.0, w=0.0, seq=1):
    view = ScanView(seq=seq, static=np.zeros((0, 2)) if static is None else np.array(static, float),
                    people=people)
    reasons: list = []
    out = sup._guard_turn(view, v, w, reasons)
    return out, [str(r) for r in reasons]


def _turn_rule(t_turn, t_straight, v, w, stop_s, slow_s):
    """The turn guard's rule, as its docstring and the reason codes state it."""
    if not t_turn < min(t_straight, slow_s):
        return (v, w, False), []
    if t_turn < stop_s:
        if t_straight < stop_s and v != 0.0:
            return (0.0, 0.0, True), ["TURN_STOP", "TTC_STOP"]
        return (v, 0.0, True), ["TURN_STOP"]
    return (v, w * (t_turn - stop_s) / (slow_s - stop_s), False), ["TURN_SLOW"]


def test_the_turn_guard_judges_the_yaw_rate_on_the_swept_footprint():
    cfg = SupervisorConfig()
    zc = cfg.zones
    fp = zc.footprint.inflated(zc.turn_margin_m)
    sup = Supervisor(cfg)
    front_right = [[fp.front_m + 0.02, -fp.half_width_m + 0.05]]  # 2 cm ahead of the front edge
    far_left = [[1.0, 0.9]]
    # ahead on the path (met at 0.6 s going straight at 0.3 m/s) and beside it (met sooner turning right)
    both = [[fp.front_m + 0.18, 0.0], [fp.front_m + 0.05, -(fp.half_width_m + 0.01)]]
    cases = [(front_right, 0.0, 1.0), (front_right, 0.0, -1.0), (front_right, 0.3, 1.0), (far_left, 0.3, 0.6),
             (far_left, 0.3, -0.6), (front_right, 0.0, 1e-3), (both, 0.3, -1.0)]
    branches = set()
    for seq, (pts, v, w) in enumerate(cases):
        arr = np.array(pts)
        t_turn = time_to_collision(arr, fp, v, w, horizon_s=zc.ttc_slow_s)
        t_straight = time_to_collision(arr, fp, v, 0.0, horizon_s=zc.ttc_slow_s)
        expected = _turn_rule(t_turn, t_straight, v, w, zc.ttc_stop_s, zc.ttc_slow_s)
        got = _guard(sup, pts, v=v, w=w, seq=seq)
        assert got[1] == expected[1] and got[0] == pytest.approx(expected[0]), (pts, v, w)
        branches.add(tuple(expected[1]))
    assert branches == {(), ("TURN_STOP",), ("TURN_STOP", "TTC_STOP"), ("TURN_SLOW",)}
    assert _guard(sup, front_right, v=0.0, w=5e-4, seq=99) == ((0.0, 5e-4, False), [])  # no turn to speak of
    person = TrackView(1, np.array(front_right), (0.0, 0.0), 0.05, 1.6, False, False)
    assert _guard(sup, None, (person,), v=0.0, w=1.0, seq=100) == ((0.0, 0.0, True), ["TURN_STOP"])
    first = _guard(sup, far_left, v=0.3, w=0.6, seq=101)
    assert _guard(sup, far_left, v=0.3, w=0.6, seq=101) == first  # the same, from the cache

import math

import numpy as np
import pytest

from genba_safety.fallback import ReactiveController
from genba_safety.modes import Mode, ModeLadder
from genba_safety.reasons import Reason
from genba_safety.watchdog import ClockJumpDetector, Now, Stamped, Watchdog
from genba_safety.zones import Footprint, ScanGeometry, footprint_clearance, scan_points, time_to_collision


@pytest.mark.parametrize("bad", [0.0, -5.0, math.nan, math.inf])
def test_zero_or_invalid_timeout_is_a_configuration_error(bad):
    with pytest.raises(ValueError, match="timeout_ms must be"):
        Watchdog("cmd", bad)


def test_watchdog_admission_and_freshness():
    wd = Watchdog("cmd", 100.0, max_future_ms=20.0)
    now = Now(10.0, 1000.0)
    assert wd.admit(1000.05, now) == Reason.FUTURE_STAMP == "FUTURE_STAMP"
    assert wd.admit(999.8, now) == Reason.STALE_STAMP
    assert wd.admit(math.nan, now) == Reason.BAD_STAMP
    assert wd.admit(999.95, now) is None
    s = Stamped((0.1, 0.0), 999.95, 10.0)
    assert wd.fresh(s, Now(10.05, 1000.05))
    assert not wd.fresh(s, Now(10.2, 1000.2))
    assert not wd.fresh(Stamped(), now)


def test_clock_jump_detection():
    d = ClockJumpDetector(50.0)
    assert not d.check(Now(0.0, 100.0))
    assert not d.check(Now(0.01, 100.01))
    assert d.check(Now(0.02, 90.0))


# The boundaries below use binary-exact times (0.25 s, 0.5 s) so that "at the limit" is exact.

def test_the_smallest_timeouts_are_valid():
    assert Watchdog("cmd", 0.5).timeout_ms == 0.5


def test_a_stamp_exactly_at_either_admission_limit_is_admitted_and_just_past_it_is_not():
    wd = Watchdog("cmd", 500.0, max_future_ms=250.0)
    now = Now(10.0, 1000.0)
    assert wd.admit(1000.25, now) is None
    assert wd.admit(1000.2501, now) == Reason.FUTURE_STAMP
    assert wd.admit(999.5, now) is None
    assert wd.admit(999.4999, now) == Reason.STALE_STAMP


def test_age_is_milliseconds_of_monotonic_time_since_receipt():
    wd = Watchdog("cmd", 500.0)
    assert wd.age_ms(Stamped(None, 999.0, 10.0), Now(10.25, 0.0)) == 250.0
    assert wd.age_ms(Stamped(), Now(10.25, 0.0)) == math.inf


def test_fresh_needs_both_a_recent_receipt_and_a_recent_stamp_each_up_to_the_timeout_inclusive():
    wd = Watchdog("cmd", 250.0)
    now = Now(10.25, 1000.25)
    assert wd.fresh(Stamped(None, 1000.0, 10.0), now)  # both exactly at the timeout
    assert not wd.fresh(Stamped(None, 1000.25, 9.9), now)  # new stamp, old receipt
    assert not wd.fresh(Stamped(None, 999.9, 10.25), now)  # old stamp (a replay), just received
    assert not wd.fresh(Stamped(None, 1000.25, 9.9999), now)
    assert not wd.fresh(Stamped(None, 999.9999, 10.25), now)


def test_a_clock_step_is_reported_once_counted_and_tolerated_up_to_the_tolerance():
    d = ClockJumpDetector(250.0)
    assert d.check(Now(0.0, 100.0)) is False
    assert d.check(Now(1.0, 101.25)) is False  # 250 ms ahead of monotonic: tolerated
    assert d.jumps == 0
    assert d.check(Now(2.0, 102.5)) is False  # the steps are relative to the last check
    assert d.check(Now(3.0, 103.5001)) is False
    assert d.check(Now(4.0, 104.7502)) is True
    assert d.jumps == 1
    assert d.check(Now(5.0, 105.7502)) is False
    assert d.check(Now(6.0, 106.0)) is True  # a step back is a jump too
    assert d.jumps == 2


def test_ladder_escalates_at_once_and_recovers_after_hold():
    lad = ModeLadder(recover_hold_s=1.0, mode=Mode.NOMINAL)
    assert lad.update(0.0, Mode.MRM) == (Mode.MRM, True)
    assert lad.update(0.5, Mode.NOMINAL) == (Mode.MRM, False)
    assert lad.update(1.49, Mode.NOMINAL) == (Mode.MRM, False)
    assert lad.update(1.5, Mode.NOMINAL) == (Mode.NOMINAL, True)
    lad.update(2.0, Mode.ESTOP)
    assert lad.update(10.0, Mode.NOMINAL) == (Mode.ESTOP, False)


def test_the_recovery_hold_restarts_whenever_the_target_is_not_better():
    lad = ModeLadder(recover_hold_s=1.0, mode=Mode.MRM)
    assert lad.update(0.0, Mode.NOMINAL) == (Mode.MRM, False)
    assert lad.update(0.5, Mode.MRM) == (Mode.MRM, False)  # the target as bad as the mode: hold restarts
    assert lad.update(1.0, Mode.NOMINAL) == (Mode.MRM, False)
    assert lad.update(1.75, Mode.NOMINAL) == (Mode.MRM, False)
    assert lad.update(2.0, Mode.NOMINAL) == (Mode.NOMINAL, True)
    assert lad.update(2.1, Mode.NOMINAL) == (Mode.NOMINAL, False)
    assert lad.update(3.0, Mode.FALLBACK) == (Mode.FALLBACK, True)
    assert lad.update(3.5, Mode.DEGRADED) == (Mode.FALLBACK, False)
    assert lad.update(3.75, Mode.MRM) == (Mode.MRM, True)  # escalation restarts the hold too
    assert lad.update(4.0, Mode.DEGRADED) == (Mode.MRM, False)
    assert lad.update(4.75, Mode.DEGRADED) == (Mode.MRM, False)
    assert lad.update(5.0, Mode.DEGRADED) == (Mode.DEGRADED, True)


def test_estop_is_left_only_by_reset_into_mrm_and_the_hold_counts_from_the_reset():
    lad = ModeLadder(recover_hold_s=1.0, mode=Mode.NOMINAL)
    lad.reset_estop(0.0)
    assert lad.mode == Mode.NOMINAL  # a reset outside ESTOP changes nothing
    assert lad.update(0.0, Mode.ESTOP) == (Mode.ESTOP, True)
    assert lad.update(5.0, Mode.ESTOP) == (Mode.ESTOP, False)
    lad.reset_estop(10.0)
    assert lad.mode == Mode.MRM
    assert lad.update(10.5, Mode.NOMINAL) == (Mode.MRM, False)
    assert lad.update(11.0, Mode.NOMINAL) == (Mode.NOMINAL, True)


def test_scan_points_drop_invalid_and_apply_laser_pose():
    g = ScanGeometry(-math.pi, 2 * math.pi / 4, 0.1, 10.0, laser_x_m=0.2)
    pts = scan_points(np.array([1.0, np.nan, np.inf, 20.0]), g)
    assert pts.shape == (1, 2) and pts[0] == pytest.approx([-0.8, 0.0])


def test_footprint_clearance_and_ttc():
    fp = Footprint(0.3, 0.3, 0.25)
    pts = np.array([[1.25, 0.0]])
    assert footprint_clearance(pts, fp) == pytest.approx(0.95)
    assert time_to_collision(pts, fp, 1.0, 0.0) == pytest.approx(1.0)
    assert time_to_collision(pts, fp, -1.0, 0.0) == math.inf
    assert time_to_collision(np.array([[0.0, 1.0]]), fp, 0.5, 0.0) == math.inf


def test_reactive_controller_goes_around_a_wall_segment():
    ctl = ReactiveController()
    # a wall 1 m ahead spanning y in [-1, 0.5]: the way round is to the left
    ys = np.linspace(-1.0, 0.5, 40)
    pts = np.column_stack((np.full_like(ys, 1.0), ys))
    v, w = ctl.command(pts, (4.0, 0.0))
    assert w > 0.0
    assert ctl.command(pts, None) == (0.0, 0.0)
    assert ctl.command(np.zeros((0, 2)), (0.1, 0.0)) == (0.0, 0.0)  # within goal tolerance

"""The supervisor core with people in its scan (the harness at 100 Hz): a person just behind stops
a reversing robot and one just ahead a forward one; the zones stop for a person in the stop box on
their side, and count them in the clearance; the policy's health limits are inclusive; the scan
periods behind the reaction time."""

import math

import numpy as np
from safety_harness import Harness, Script, open_scan, scan_with_obstacle

from genba_safety.modes import Mode
from genba_safety.supervisor import HealthInput, ScanView, Supervisor, SupervisorConfig
from genba_safety.tracker import TrackView

CFG = SupervisorConfig()
FP = CFG.zones.footprint


def _person_at(distance_m: float, bearing_rad: float) -> np.ndarray:
    return scan_with_obstacle(distance_m, bearing_rad, width_beams=5)


def test_a_person_just_behind_stops_a_reversing_robot_and_not_one_driving_away():
    behind = FP.rear_m + 0.08
    h = Harness(CFG, Script(cmd=lambda t: (-0.3, 0.0) if t >= 3.0 else (0.0, 0.0),
                            scan=lambda t: _person_at(behind, math.pi) if t >= 3.0 else open_scan()))
    h.run(4.0)
    late = [o for t, o in h.log if t >= 3.2]
    assert all(o.v >= 0.0 for o in late), "reversed into a person standing right behind"
    assert all(o.min_clearance_m < 0.1 for o in late)
    h = Harness(CFG, Script(cmd=lambda t: (0.3, 0.0), scan=lambda t: _person_at(behind, math.pi)
                            if t >= 3.0 else open_scan()))
    h.run(4.0)
    assert h.log[-1][1].v > 0.1  # driving away from them is fine


def test_a_person_just_ahead_stops_forward_motion():
    ahead = FP.front_m + 0.08
    h = Harness(CFG, Script(cmd=lambda t: (0.3, 0.0),
                            scan=lambda t: _person_at(ahead, 0.0) if t >= 3.0 else open_scan()))
    h.run(4.0)
    assert all(o.v <= 0.0 for t, o in h.log if t >= 3.2)


def test_the_policy_health_limits_are_inclusive():
    at_limits = HealthInput(CFG.max_ood_score, CFG.max_inference_ms, True)
    h = Harness(CFG, Script(health=lambda t: at_limits))
    h.run(3.0)
    assert h.log[-1][1].mode == Mode.NOMINAL
    over = HealthInput(CFG.max_ood_score + 0.01, CFG.max_inference_ms, True)
    h = Harness(CFG, Script(health=lambda t: over))
    h.run(3.0)
    assert h.log[-1][1].mode == Mode.FALLBACK
    slow = HealthInput(0.0, CFG.max_inference_ms + 0.5, True)
    h = Harness(CFG, Script(health=lambda t: slow))
    h.run(3.0)
    assert h.log[-1][1].mode == Mode.FALLBACK


def test_target_mode_needs_no_clock_or_scan_flags_by_default():
    h = Harness(CFG)
    h.run(1.0)
    fresh = {k: h.inputs.fresh(k, h.now()) for k in h.inputs.samples}
    assert h.sup.target_mode(fresh, h.inputs, clock_jump=False) == (Mode.NOMINAL, [])


def test_the_scan_periods_kept_are_the_last_twenty_measured_between_receipts():
    h = Harness(CFG)
    h.run(3.0)  # 10 Hz scans for 3 s
    periods = h.sup._scan_periods
    assert len(periods) == 20 and all(abs(p - 0.1) < 1e-6 for p in periods)


def test_the_zones_stop_for_a_person_inside_the_stop_box_on_the_side_they_are():
    def person(x, y, tid=1):
        return TrackView(tid, np.array([[x, y], [x, y + 0.05]]), (0.0, 0.0), 0.05, 1.6, False, False)

    sup = Supervisor(CFG)
    behind = ScanView(seq=1, people=(person(-FP.rear_m - 0.05, 0.0),))
    z = sup._zones(behind, -0.3, 0.0)
    assert (z.stop_front, z.stop_rear) == (False, True)
    assert abs(z.min_clearance_m - 0.05) < 1e-9
    ahead = ScanView(seq=2, people=(person(FP.front_m + 0.05, 0.0),))
    z = sup._zones(ahead, 0.3, 0.0)
    assert (z.stop_front, z.stop_rear) == (True, False)
    abreast = ScanView(seq=3, people=(person(0.0, FP.half_width_m + 0.05),))  # x = 0 counts as rear
    z = sup._zones(abreast, 0.0, 0.0)
    assert (z.stop_front, z.stop_rear) == (False, True)
    far = ScanView(seq=4, people=(person(3.0, 0.0),))
    z = sup._zones(far, 0.3, 0.0)
    assert (z.stop_front, z.stop_rear) == (False, False)
    assert abs(z.min_clearance_m - (3.0 - FP.front_m)) < 1e-9
    for seq in range(5, 12):  # the cache holds the last few results only, and returns them unchanged
        sup._zones(ScanView(seq=seq), 0.0, 0.0)
    assert len(sup._zone_cache) == 4 and sup._zones(far, 0.3, 0.0) == z


def test_a_blind_corner_beside_the_path_ahead_caps_the_speed_with_its_reason():
    def corner(t):
        r = open_scan()
        deg = np.arange(360) - 180  # beam k looks at k - 180 degrees
        r[(deg >= 20) & (deg < 65)] = 6.0  # far behind the corner
        r[(deg >= 65) & (deg <= 120)] = 1.2  # the near wall up to the corner, 1.2 m out at 65 degrees
        return r

    h = Harness(CFG, Script(cmd=lambda t: (0.6, 0.0), scan=corner))
    h.run(3.0)
    capped = [o for t, o in h.log if "OCCLUSION_SLOW" in o.reasons]
    assert capped, "a blind corner 0.1 m ahead of the front, 0.84 m beside it, did not cap the speed"
    assert all(0.0 <= o.v < 0.6 for o in capped)

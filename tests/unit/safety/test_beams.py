"""What the safety core makes of each beam: a scan geometry judged with its reason at each limit,
a NaN beam held then unknown, unknown rays as virtual returns (slow zone, then stop zone), the
unknown share ahead, and where an unknown ray leaves the footprint from an off-centre laser."""

import math
import warnings

import numpy as np
import pytest

from genba_safety.beams import (
    MAX_BEAMS,
    MAX_RANGE_M,
    BeamConfig,
    BeamHold,
    _exit_distance,
    scan_fault,
    unknown_points,
    unknown_share_ahead,
)
from genba_safety.zones import Footprint, ScanGeometry

FP = Footprint(front_m=0.5, rear_m=0.3, half_width_m=0.25)
LX, LY = 0.2, -0.05  # the laser, off centre


@pytest.mark.parametrize("cos, sin, expected", [
    (1.0, 0.0, 0.3),  # forward to the front edge
    (-1.0, 0.0, 0.5),  # back to the rear edge
    (0.0, 1.0, 0.3),  # left
    (0.0, -1.0, 0.2),  # right
    (math.sqrt(0.5), math.sqrt(0.5), 0.3 / math.sqrt(0.5)),  # 45 degrees: the left edge first
    (-math.sqrt(0.5), -math.sqrt(0.5), 0.2 / math.sqrt(0.5)),  # 225 degrees: the right edge first
    (0.96, 0.28, 0.3 / 0.96),  # shallow: the front edge first
])
def test_each_ray_leaves_the_rectangle_where_it_crosses_the_nearest_edge(cos, sin, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a division by a zero direction must stay silent
        d = _exit_distance(LX, LY, np.array([cos]), np.array([sin]), FP)
    assert d == pytest.approx([expected])


def test_every_exit_point_is_on_the_rectangles_edge():
    ang = np.linspace(-math.pi, math.pi, 73)
    d = _exit_distance(LX, LY, np.cos(ang), np.sin(ang), FP)
    x, y = LX + d * np.cos(ang), LY + d * np.sin(ang)
    on_edge = np.minimum.reduce([np.abs(x - FP.front_m), np.abs(x + FP.rear_m),
                                 np.abs(np.abs(y) - FP.half_width_m)])
    assert on_edge.max() < 1e-9
    assert (x <= FP.front_m + 1e-9).all() and (x >= -FP.rear_m - 1e-9).all()
    assert (np.abs(y) <= FP.half_width_m + 1e-9).all()


G = ScanGeometry(-math.pi, math.pi / 180, 0.1, 12.0)


@pytest.mark.parametrize("n, g, angle_max, fault", [
    (360, G, None, None),
    (1, G, None, None),
    (MAX_BEAMS, ScanGeometry(0.0, 1e-5, 0.1, 12.0), None, None),
    (0, G, None, f"0 beams (expected 1 to {MAX_BEAMS})"),
    (MAX_BEAMS + 1, G, None, f"{MAX_BEAMS + 1} beams (expected 1 to {MAX_BEAMS})"),
    (360, ScanGeometry(-math.pi, math.nan, 0.1, 12.0), None, "a geometry field is not finite"),
    (360, G, math.inf, "a geometry field is not finite"),
    (360, ScanGeometry(-math.pi, 0.0, 0.1, 12.0), None, "angle_increment 0 is not positive"),
    (360, ScanGeometry(-math.pi, math.pi / 180, 0.0, 12.0), None, None),  # range_min 0 is allowed
    (360, ScanGeometry(-math.pi, math.pi / 180, 0.1, MAX_RANGE_M), None, None),
    (360, ScanGeometry(-math.pi, math.pi / 180, 12.0, 12.0), None,
     "range limits [12, 12] m are not 0 <= range_min < range_max"),
    (360, ScanGeometry(-math.pi, math.pi / 180, -0.1, 12.0), None,
     "range limits [-0.1, 12] m are not 0 <= range_min < range_max"),
    (360, ScanGeometry(-math.pi, math.pi / 180, 0.1, MAX_RANGE_M + 1), None,
     "range limits [0.1, 1001] m are not 0 <= range_min < range_max"),
    (361, ScanGeometry(-math.pi, 2 * math.pi / 360, 0.1, 12.0), None, None),  # exactly a turn
    (362, ScanGeometry(-math.pi, 2 * math.pi / 360, 0.1, 12.0), None,
     "362 beams of 0.0174533 rad span more than a turn"),
    (360, G, math.pi - math.pi / 180, None),  # angle_max of the last beam
    (361, G, math.pi - math.pi / 180, None),  # one beam more: within 1.5
    (8, ScanGeometry(0.0, 0.25, 0.1, 12.0), 0.25 * 8.5, None),  # exactly 1.5 beams off: still within
    (358, G, math.pi - math.pi / 180, "358 beams, but angle_min..angle_max at angle_increment gives 360"),
    (360, G, -math.pi + math.radians(357),
     "360 beams, but angle_min..angle_max at angle_increment gives 358"),
])
def test_a_scan_geometry_is_judged_with_a_clear_reason(n, g, angle_max, fault):
    assert scan_fault(n, g, angle_max) == fault


def test_a_nan_beam_keeps_its_last_reading_for_hold_s_inclusive_then_is_unknown():
    hold = BeamHold(BeamConfig(hold_s=0.25))
    r, age = hold.update(np.array([1.0, np.nan, np.inf]), 0.0)
    assert np.isnan(r[1]) and age[1] == math.inf and age[0] == 0.0 and r[2] == math.inf  # never seen
    hold.update(np.array([1.0, 2.0, 3.0]), 1.0)
    r, age = hold.update(np.array([np.nan, np.nan, 3.5]), 1.25)
    assert r.tolist() == [1.0, 2.0, 3.5] and age.tolist() == [0.0, 0.0, 0.0]  # exactly hold_s: held
    r, age = hold.update(np.array([np.nan, np.nan, 3.5]), 1.5)
    assert np.isnan(r[:2]).all() and age[:2] == pytest.approx([0.25, 0.25])
    r, age = hold.update(np.array([np.nan, 2.5]), 2.0)  # a scan of another size starts afresh
    assert np.isnan(r[0]) and age[0] == math.inf and r[1] == 2.5


def test_unknown_rays_become_virtual_returns_first_from_the_slow_zone_then_from_the_stop_zone():
    fp = Footprint(0.3, 0.3, 0.25)
    cfg = BeamConfig(slow_s=0.3, reach_m=0.45, spacing_m=0.15)
    g = ScanGeometry(0.0, math.pi / 2, 0.1, 12.0, laser_x_m=0.1, laser_y_m=0.0)  # beams 0, 90, 180, 270 deg
    assert unknown_points(np.zeros(4), g, fp, 0.1, 0.6, cfg).shape == (0, 2)
    ahead = unknown_points(np.array([0.1, 0.0, 0.0, 0.0]), g, fp, 0.1, 0.6, cfg)  # unknown, still slow
    slow_exit = 0.3 + 0.6 - 0.02 - 0.1  # the slow zone's front edge (less 2 cm), from the laser
    assert ahead[:, 0] == pytest.approx(0.1 + slow_exit + np.array([0.0, 0.15, 0.3]))
    assert ahead[:, 1] == pytest.approx([0.0, 0.0, 0.0])
    left = unknown_points(np.array([0.0, 0.3, 0.0, 0.0]), g, fp, 0.1, 0.6, cfg)  # exactly slow_s: still slow
    assert left[:, 1] == pytest.approx(0.25 + 0.6 - 0.02 + np.array([0.0, 0.15, 0.3]))
    assert left[:, 0] == pytest.approx([0.1] * 3, abs=1e-12)
    right = unknown_points(np.array([0.0, 0.0, 0.0, 0.31]), g, fp, 0.1, 0.6, cfg)  # longer: stop zone
    assert right[:, 1] == pytest.approx(-(0.25 + 0.1 + 0.02 + np.array([0.0, 0.15, 0.3])))


def test_the_unknown_share_is_of_the_beams_within_the_half_angle_of_the_direction_of_travel():
    cfg = BeamConfig(degraded_half_angle=math.radians(45.0))
    g = ScanGeometry(-math.pi, math.pi / 6, 0.1, 12.0)  # 12 beams, 30 degrees apart: 3 within 45 degrees
    age = np.zeros(12)
    age[6] = 1.0  # straight ahead
    age[7] = 1.0  # 30 degrees left
    age[0] = 1.0  # straight behind
    assert unknown_share_ahead(age, g, 0.5, cfg) == pytest.approx(2 / 3)
    assert unknown_share_ahead(age, g, 0.0, cfg) == pytest.approx(2 / 3)  # standing: as forward
    assert unknown_share_ahead(age, g, -0.5, cfg) == pytest.approx(1 / 3)
    assert unknown_share_ahead(np.zeros(0), g, 0.5, cfg) == 1.0  # no beams: all unknown
    exact = BeamConfig(degraded_half_angle=0.0)
    g4 = ScanGeometry(0.0, math.pi / 2, 0.1, 12.0)  # beams at 0, 90, 180, 270 degrees
    assert unknown_share_ahead(np.ones(4), g4, 0.5, exact) == 1.0  # the beam exactly ahead counts
    narrow = BeamConfig(degraded_half_angle=math.radians(10.0))
    g4 = ScanGeometry(-math.pi / 4, math.pi / 2, 0.1, 12.0)  # beams at -45, 45, 135, 225: none ahead
    assert unknown_share_ahead(np.ones(4), g4, 0.5, narrow) == 0.0

"""One meaning for a LaserScan's ranges: perception (what the policy sees) and safety (what the zones
see) agree beam by beam, and a return too close to measure is never free space."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genba_common.ranges import usable_ranges
from genba_perception.scan import clean_ranges
from genba_safety.zones import ScanGeometry, scan_points

RANGE_MIN, RANGE_MAX = 0.15, 12.0


def test_too_close_is_an_obstacle_at_range_min_unknown_and_nothing_are_kept_apart():
    r = usable_ranges(np.array([-np.inf, 0.10, 0.15, 3.0, 20.0, np.inf, np.nan]), RANGE_MIN, RANGE_MAX)
    assert list(r[:4]) == [np.float32(0.15), np.float32(0.15), np.float32(0.15), np.float32(3.0)]
    assert np.isposinf(r[4]) and np.isposinf(r[5]) and np.isnan(r[6])


@given(arrays(np.float64, 36, elements=st.one_of(
    st.floats(0.0, 30.0), st.just(-math.inf), st.just(math.inf), st.just(math.nan))))
def test_perception_and_safety_see_the_same_obstacles(ranges):
    g = ScanGeometry(-math.pi, 2 * math.pi / 36, RANGE_MIN, RANGE_MAX, 0.0, 0.0, 0.0)
    seen_by_perception = np.isfinite(clean_ranges(ranges, RANGE_MIN, RANGE_MAX))
    points = scan_points(ranges, g)
    assert len(points) == int(seen_by_perception.sum())
    dist = np.hypot(points[:, 0], points[:, 1])
    expected = np.clip(ranges[seen_by_perception], RANGE_MIN, None)
    assert np.allclose(dist, expected)
    too_close = np.isneginf(ranges) | ((ranges >= 0) & (ranges < RANGE_MIN))
    assert seen_by_perception[too_close].all()  # never free

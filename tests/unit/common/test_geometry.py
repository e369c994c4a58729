"""Yaw, quaternions and points in base_link (REP-103: x forward, y left, yaw counter-clockwise)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from genba_common.geometry import quaternion_of_yaw, to_base, yaw_of_quaternion

angles = st.floats(-math.pi + 1e-6, math.pi - 1e-6)


@given(angles)
def test_yaw_survives_a_quaternion(yaw):
    q = quaternion_of_yaw(yaw)
    assert math.isclose(sum(c * c for c in q), 1.0, rel_tol=1e-12)
    assert math.isclose(yaw_of_quaternion(*q), yaw, abs_tol=1e-9)


def test_points_in_base_link():
    assert to_base((2.0, 1.0), (1.0, 1.0, 0.0)) == (1.0, 0.0)  # 1 m ahead
    x, y = to_base((1.0, 2.0), (1.0, 1.0, 0.0))
    assert (x, y) == (0.0, 1.0)  # on the left
    x, y = to_base((1.0, 2.0), (1.0, 1.0, math.pi / 2))  # facing +y: the point is ahead
    assert math.isclose(x, 1.0) and abs(y) < 1e-12

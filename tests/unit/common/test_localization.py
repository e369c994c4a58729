"""Goals in map or odom: map -> odom from a localizer's pose."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genba_common.localization import GoalFrames, UnknownFrame, compose, inverse, map_to_odom

poses = st.tuples(st.floats(-50, 50), st.floats(-50, 50), st.floats(-math.pi, math.pi))


def close(a, b, tol=1e-9):
    return all(abs(x - y) < tol for x, y in zip(a[:2], b[:2], strict=True)) and abs(
        math.remainder(a[2] - b[2], 2 * math.pi)) < tol


def test_compose_known_values():
    # a robot at (1, 2) facing +y; a point 1 m ahead of it is at (1, 3)
    assert close(compose((1.0, 2.0, math.pi / 2), (1.0, 0.0, 0.0)), (1.0, 3.0, math.pi / 2))


@given(poses)
def test_inverse_undoes(a):
    assert close(compose(a, inverse(a)), (0.0, 0.0, 0.0), 1e-7)


@given(poses, poses)
def test_map_to_odom_maps_the_odometry_pose_onto_the_localized_one(in_map, in_odom):
    t = map_to_odom(in_map, in_odom)
    assert close(compose(t, in_odom), in_map, 1e-6)


def test_map_goal_comes_into_odom_through_the_start_pose():
    # odometry started at the map pose (-6.8, 0.5, 90 deg): odom's origin is there
    g = GoalFrames()
    g.set_goal("map", -6.8, 2.5)  # 2 m straight ahead of the start, in map
    assert g.goal_in_odom() is None  # no localizer heard yet: not taken as an odom goal
    g.on_odom((0.0, 0.0, 0.0))
    g.on_localization((-6.8, 0.5, math.pi / 2))
    gx, gy = g.goal_in_odom()
    assert gx == pytest.approx(2.0) and gy == pytest.approx(0.0, abs=1e-12)


def test_map_goal_follows_the_localizer_corrections():
    g = GoalFrames()
    g.set_goal("map", 5.0, 0.0)
    g.on_odom((1.0, 0.0, 0.0))
    g.on_localization((1.0, 0.0, 0.0))
    assert g.goal_in_odom() == pytest.approx((5.0, 0.0))
    g.on_localization((1.5, 0.0, 0.0))  # the localizer finds the robot 0.5 m further on
    assert g.goal_in_odom() == pytest.approx((4.5, 0.0))


def test_odom_goal_needs_no_localizer_and_empty_frame_is_odom():
    g = GoalFrames()
    g.set_goal("", 1.0, 2.0)
    assert g.goal_in_odom() == (1.0, 2.0) and g.goal[0] == "odom"


@pytest.mark.parametrize(
    "frame,x", [("base_link", 1.0), ("world", 1.0), ("odom", math.nan), ("map", math.inf)]
)
def test_bad_goals_are_refused_and_the_previous_kept(frame, x):
    g = GoalFrames()
    g.set_goal("odom", 1.0, 1.0)
    with pytest.raises(UnknownFrame):
        g.set_goal(frame, x, 0.0)
    assert g.goal_in_odom() == (1.0, 1.0)


def test_localization_before_odometry_or_not_finite_is_ignored():
    g = GoalFrames()
    g.on_localization((1.0, 1.0, 0.0))
    assert g.map_in_odom is None
    g.on_odom((0.0, 0.0, 0.0))
    g.on_localization((math.nan, 1.0, 0.0))
    assert g.map_in_odom is None


def test_a_moving_robot_pairs_the_localizer_with_the_odometry_of_the_same_moment():
    g = GoalFrames()
    for k in range(11):  # driving 1 m/s along odom x, 50 Hz; odometry started at map (5, 2)
        g.on_odom((0.02 * k, 0.0, 0.0), stamp=100.0 + 0.02 * k)
    g.on_localization((5.1, 2.0, 0.0), stamp=100.1)  # the localizer's pose of 0.1 s ago
    assert g.map_in_odom == pytest.approx((-5.0, -2.0, 0.0))  # paired with odom at 100.1, not 100.2
    g.set_goal("map", 7.0, 2.0)
    assert g.goal_in_odom() == pytest.approx((2.0, 0.0))


def test_transform_points_agrees_with_apply():
    from genba_common.localization import apply, transform_points

    a = (1.0, -2.0, 0.7)
    pts = [(0.0, 0.0), (1.0, 2.0), (-3.0, 0.5)]
    assert transform_points(a, pts).ravel() == pytest.approx([c for p in pts for c in apply(a, p)])

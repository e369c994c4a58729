"""The reactive fallback controller, case by case with the numbers worked out (ReactiveConfig():
0.5 m/s, 1.2 rad/s, a 0.38 m corridor, 2 m lookahead, 72 headings 5 degrees apart)."""

import math

import numpy as np
import pytest

from genba_safety.fallback import ReactiveConfig, ReactiveController

CFG = ReactiveConfig()
NONE = np.zeros((0, 2))


def polar(deg: float, r: float = 3.0) -> tuple[float, float]:
    return r * math.cos(math.radians(deg)), r * math.sin(math.radians(deg))


def test_free_distance_is_along_each_heading_to_the_first_return_in_its_corridor():
    rc = ReactiveController()
    h = rc._headings
    i0, i90, i180 = int(np.argmin(np.abs(h))), int(np.argmin(np.abs(h - math.pi / 2))), 0
    free = rc.free_distances(np.array([[1.0, 0.0], [0.0, 1.5]]))
    assert free[i0] == pytest.approx(1.0) and free[i90] == pytest.approx(1.5)
    assert free[i180] == CFG.lookahead_m  # both returns behind or beside that heading
    assert rc.free_distances(NONE).tolist() == [CFG.lookahead_m] * CFG.n_headings
    edge = rc.free_distances(np.array([[1.0, CFG.corridor_half_width_m]]))
    assert edge[i0] == CFG.lookahead_m  # on the corridor's edge: not in it
    beside = rc.free_distances(np.array([[0.0, 0.2]]))
    assert beside[i0] == CFG.lookahead_m  # abreast of the laser, not ahead


def test_no_goal_or_a_goal_reached_is_a_stop_and_the_tolerance_is_exclusive():
    rc = ReactiveController()
    assert rc.command(NONE, None) == (0.0, 0.0)
    assert rc.command(NONE, (0.2, 0.1)) == (0.0, 0.0)
    v, _ = rc.command(NONE, (0.0, -CFG.goal_tolerance_m))
    assert rc.command(NONE, (0.0, CFG.goal_tolerance_m - 1e-6)) == (0.0, 0.0) and v == 0.0  # turns first


def test_a_clear_goal_ahead_is_driven_at_full_speed_and_slowed_within_its_last_0_8_m():
    rc = ReactiveController()
    assert rc.command(NONE, (5.0, 0.0)) == pytest.approx((0.5, 0.0))
    assert rc.command(NONE, (0.4, 0.0)) == pytest.approx((0.25, 0.0))


def test_a_goal_off_to_the_left_is_steered_to_by_the_nearest_heading_with_gain():
    rc = ReactiveController()
    ang = math.radians(20.0)
    v, w = rc.command(NONE, (3.0 * math.cos(ang), 3.0 * math.sin(ang)))
    assert w == pytest.approx(1.2 if 1.8 * ang > 1.2 else 1.8 * ang)
    assert v == pytest.approx(0.5 * math.cos(ang))
    rc = ReactiveController()
    v, w = rc.command(NONE, (3.0 * math.cos(ang), -3.0 * math.sin(ang)))
    assert w == pytest.approx(-1.8 * ang) and v == pytest.approx(0.5 * math.cos(ang))


def test_a_goal_beside_or_behind_is_turned_to_on_the_spot():
    rc = ReactiveController()
    assert rc.command(NONE, (0.0, 3.0)) == pytest.approx((0.0, 1.2))
    assert ReactiveController().command(NONE, (0.0, -3.0)) == pytest.approx((0.0, -1.2))
    v, w = ReactiveController().command(NONE, polar(75.0))
    assert v == 0.0 and w == pytest.approx(1.2)  # 75 degrees: beyond 72, on the spot
    v, w = ReactiveController().command(NONE, polar(70.0))
    assert v > 0.0  # 70 degrees: driving while turning


def test_the_speed_is_scaled_by_the_free_distance_ahead():
    rc = ReactiveController(ReactiveConfig(corridor_half_width_m=0.2))
    wall = np.array([[1.0, y] for y in np.linspace(-0.1, 0.1, 5)])  # narrow: only heading 0 is short
    v, w = rc.command(wall, (5.0, 0.0))
    assert w != 0.0  # goes around
    rc = ReactiveController()
    far = np.array([[1.5, y] for y in np.linspace(-3, 3, 121)])  # a wall across: every heading ahead short
    v, w = rc.command(far, (1.4, 0.0))  # the goal is before the wall: enough room to reach it
    assert w == 0.0 and v == pytest.approx(0.5 * min(1.0, 1.5 / 2.0, 1.4 / 0.8))


def test_boxed_in_it_turns_towards_the_most_open_direction_without_moving():
    ang = np.linspace(-math.pi, math.pi, 360, endpoint=False)
    box = np.column_stack((0.3 * np.cos(ang), 0.3 * np.sin(ang)))
    box[(ang > 1.0) & (ang < 1.4)] *= 1.4  # a little more room to the left
    for pts in (box, box * [1.0, -1.0]):  # and mirrored: to the right
        rc = ReactiveController()
        free = rc.free_distances(pts)
        assert free.max() < CFG.min_free_m  # boxed in
        side = math.copysign(1.0, rc._headings[int(np.argmax(free))])
        assert rc.command(pts, (5.0, 0.0)) == pytest.approx((0.0, side * 0.6))


def test_it_keeps_to_the_side_it_chose_around_a_symmetric_obstacle():
    wall = np.array([[1.0, y] for y in np.linspace(-0.6, 0.6, 25)])
    rc = ReactiveController()
    first = rc.command(wall, (5.0, 0.0))
    for _ in range(3):
        assert math.copysign(1.0, rc.command(wall, (5.0, 0.0))[1]) == math.copysign(1.0, first[1])
    assert first[1] != 0.0


def test_boxed_in_with_the_opening_to_the_left_it_turns_left():
    ang = np.linspace(-math.pi, math.pi, 360, endpoint=False)
    ring = np.column_stack((0.42 * np.cos(ang), 0.42 * np.sin(ang)))  # just outside the corridor
    ring = ring[~((ang > 1.0) & (ang < 2.2))]  # a gap to the left, too narrow to drive through
    rc = ReactiveController()
    free = rc.free_distances(ring)
    assert free.max() < CFG.min_free_m and rc._headings[int(np.argmax(free))] > 0.0
    assert rc.command(ring, (5.0, 0.0)) == pytest.approx((0.0, 0.6))


def test_a_goal_exactly_at_the_tolerance_is_still_driven_to():
    assert ReactiveController().command(NONE, (CFG.goal_tolerance_m, 0.0)) == pytest.approx(
        (0.5 * CFG.goal_tolerance_m / 0.8, 0.0))


def test_with_no_past_heading_a_symmetric_obstacle_is_passed_on_the_right():
    wall = np.array([[1.0, y] for y in np.linspace(-0.6, 0.6, 25)])
    assert ReactiveController().command(wall, (5.0, 0.0))[1] < 0.0  # the first of equal headings

"""The robot's route on its static map: what the student steers by."""

import dataclasses
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from genba_policy.route import REPLAN_MIN_CALLS, Grid, Path, RouteFollower, astar, clearance_of
from genba_sim.occupancy import OCCUPIED, static_occupancy
from genba_training.planner import Grid as ExactGrid
from genba_training.scenarios import generate


def open_room(nx=60, ny=40, res=0.1):
    occ = np.zeros((ny, nx), np.int8)
    occ[0, :] = occ[-1, :] = occ[:, 0] = occ[:, -1] = OCCUPIED
    return occ


def test_map_clearance_is_close_to_the_truth_and_never_optimistic():
    sc = generate(9003)
    occ, origin = static_occupancy(sc)
    grid = Grid.from_occupancy(occ, origin, 0.1)
    exact = ExactGrid(dataclasses.replace(sc, obstacles=sc.static_obstacles))
    diff = grid.clearance - exact.clearance
    assert diff.max() <= 1e-6          # the map never claims more room than there is
    assert np.abs(diff).mean() < 0.12  # and is within about a cell of it


def test_static_map_leaves_out_clutter_and_people():
    sc = generate(9003)
    assert len(sc.static_obstacles) < len(sc.obstacles)
    occ, origin = static_occupancy(sc)
    clutter = [b for b in sc.obstacles if b not in sc.static_obstacles]
    for b in clutter:
        i, j = int((b.x - origin[0]) / 0.1), int((b.y - origin[1]) / 0.1)
        if min(math.dist((b.x, b.y), (o.x, o.y)) for o in sc.static_obstacles) > 1.0:
            assert occ[j, i] == 0, "clutter must not be on the robot's map"


def test_route_goes_around_a_wall_and_keeps_clear():
    occ = open_room()
    occ[0:30, 30] = OCCUPIED  # a wall from the bottom, gap at the top
    grid = Grid.from_occupancy(occ, (0.0, 0.0), 0.1)
    pts = astar(grid, (1.0, 1.0), (5.0, 1.0))
    assert pts is not None and pts[0] == (1.0, 1.0) and pts[-1] == (5.0, 1.0)
    dense = Path(pts)
    for s in np.linspace(0.0, dense.length, 200)[1:-1]:
        x, y = dense.point_at(s)
        assert grid.clearance[grid.cell(x, y)] > 0.3
    assert max(p[1] for p in pts) > 3.0  # through the gap at the top
    occ[:, 30] = OCCUPIED
    assert astar(Grid.from_occupancy(occ, (0.0, 0.0), 0.1), (1.0, 1.0), (5.0, 1.0)) is None


def test_follower_gives_a_point_ahead_and_replans_off_route():
    occ = open_room()
    grid = Grid.from_occupancy(occ, (0.0, 0.0), 0.1)
    r = RouteFollower(grid)
    c = r.carrot((1.0, 2.0, 0.0), (5.0, 2.0))
    assert r.plans == 1 and math.isclose(c[0], 2.5, abs_tol=0.05) and math.isclose(c[1], 2.0, abs_tol=0.05)
    r.carrot((1.5, 2.3, 0.0), (5.0, 2.0))
    assert r.plans == 1                       # still on the route
    r.carrot((2.0, 3.5, 0.0), (5.0, 2.0))
    assert r.plans == 2                       # 1.5 m off: replanned from here
    r.carrot((2.0, 3.5, 0.0), (5.0, 3.0))
    assert r.plans == 3                       # new goal
    near = r.carrot((4.5, 3.0, 0.0), (5.0, 3.0))
    assert math.dist(near, (5.0, 3.0)) < 1e-6  # never beyond the goal


def test_unreachable_goal_steers_at_the_goal_and_says_so():
    occ = open_room()
    occ[:, 30] = OCCUPIED
    r = RouteFollower(Grid.from_occupancy(occ, (0.0, 0.0), 0.1))
    assert r.carrot((1.0, 2.0, 0.0), (5.0, 2.0)) == (5.0, 2.0) and r.unreachable


def test_unreachable_goal_is_retried_only_after_moving():
    occ = open_room()
    occ[:, 30] = OCCUPIED
    r = RouteFollower(Grid.from_occupancy(occ, (0.0, 0.0), 0.1))
    for _ in range(5):  # one scan after another from the same place: one A* search, not five
        assert r.carrot((1.0, 2.0, 0.0), (5.0, 2.0)) == (5.0, 2.0)
    assert r.plans == 1 and r.unreachable
    r.carrot((1.3, 2.0, 0.0), (5.0, 2.0))
    assert r.plans == 1
    r.carrot((1.6, 2.0, 0.0), (5.0, 2.0))
    assert r.plans == 2                       # moved 0.6 m: worth another try
    r.carrot((1.6, 2.0, 0.0), (2.0, 3.0))
    assert r.plans == 3 and not r.unreachable  # a new goal is always planned


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 19), st.integers(0, 13)), min_size=1, max_size=20))
def test_clearance_is_zero_on_obstacles_and_grows_by_at_most_one_cell(cells):
    blocked = np.zeros((20, 14), bool)
    for i, j in cells:
        blocked[i, j] = True
    c = clearance_of(blocked, 0.1)
    assert (c[blocked] == 0).all() and (c >= 0).all()
    # 1-Lipschitz between neighbours (distance fields are)
    assert (np.abs(np.diff(c, axis=0)) <= 0.1 + 1e-6).all() and (
        np.abs(np.diff(c, axis=1)) <= 0.1 + 1e-6
    ).all()


def test_a_map_without_obstacles_has_unbounded_clearance():
    assert np.isinf(clearance_of(np.zeros((5, 4), bool), 0.1)).all()


def _crate_points(cx, cy, half=0.25, n=40):
    """LiDAR returns on the near side of a square crate centred at (cx, cy), seen from the -x side."""
    ys = np.linspace(cy - half, cy + half, n)
    return np.column_stack((np.full(n, cx - half), ys))


def test_the_route_bends_round_a_crate_the_lidar_sees_and_not_round_the_maps_own_walls():
    occ = open_room()
    r = RouteFollower(Grid.from_occupancy(occ, (0.0, 0.0), 0.1))
    start, goal = (1.0, 2.0, 0.0), (5.5, 2.0)
    assert abs(r.carrot(start, goal)[1] - 2.0) < 0.05  # straight down the room
    wall = np.column_stack((np.linspace(1.0, 5.0, 30), np.full(30, 0.05)))  # the map's own wall: no effect
    r.see(wall)
    assert len(r.obstacles) == 0
    r.see(_crate_points(3.0, 2.0))
    for _ in range(REPLAN_MIN_CALLS):
        c = r.carrot(start, goal)
    assert r.plans == 2 and abs(c[1] - 2.0) > 0.2  # round the crate
    pts = np.array([r.path.point_at(s) for s in np.arange(0.0, r.path.length, 0.05)])
    gap = np.hypot(pts[:, None, 0] - r.obstacles[None, :, 0], pts[:, None, 1] - r.obstacles[None, :, 1]).min()
    assert gap > 0.45  # with the map's inflation
    r.see(np.zeros((0, 2)))
    for _ in range(2 * REPLAN_MIN_CALLS):
        r.carrot(start, goal)
    assert r.plans == 2  # out of sight: the route stays as planned


def test_with_no_way_round_what_it_sees_the_route_keeps_to_the_map():
    occ = open_room()
    r = RouteFollower(Grid.from_occupancy(occ, (0.0, 0.0), 0.1))
    r.carrot((1.0, 2.0, 0.0), (5.5, 2.0))
    r.see(np.column_stack((np.full(60, 3.0), np.linspace(0.1, 3.9, 60))))  # a line right across the room
    for _ in range(REPLAN_MIN_CALLS):
        c = r.carrot((1.0, 2.0, 0.0), (5.5, 2.0))
    assert not r.unreachable and abs(c[1] - 2.0) < 0.05


def test_a_goal_that_moves_by_a_localizer_correction_keeps_the_route_a_real_move_replans():
    from genba_policy.route import GOAL_MOVED_M

    r = RouteFollower(Grid.from_occupancy(open_room(), (0.0, 0.0), 0.1, 0.3))
    r.carrot((1.0, 1.0, 0.0), (5.0, 3.0))
    assert r.plans == 1
    for k in range(20):  # the same goal, brought into odom through a map -> odom that jitters by mm
        r.carrot((1.0 + 0.01 * k, 1.0, 0.0), (5.0 + 1e-3 * (k % 3), 3.0 - 1e-3 * (k % 2)))
    assert r.plans == 1
    r.carrot((1.2, 1.0, 0.0), (5.0, 3.0 + 2 * GOAL_MOVED_M))
    assert r.plans == 2

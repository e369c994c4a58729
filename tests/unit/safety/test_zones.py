"""The collision zones against independent reference computations: the swept footprint's first
contact (a finely integrated arc, not the closed form), the stop box, clearance and containment."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genba_safety.zones import (
    Footprint,
    ScanGeometry,
    ZoneConfig,
    evaluate,
    footprint_clearance,
    scan_points,
    stop_zone,
    time_to_collision,
)

FP = Footprint(0.35, 0.25, 0.2)  # front and rear differ, so a mirrored mutant shows


def reference_ttc(pts: np.ndarray, fp: Footprint, v: float, w: float, horizon_s: float, dt: float) -> float:
    """First multiple of ``dt`` at which the footprint, driven at (v, w) by fine midpoint steps,
    contains a point."""
    x = y = th = 0.0
    sub = 100
    h = dt / sub
    for k in range(1, int(round(horizon_s / dt)) + 1):
        for _ in range(sub):
            x += v * h * math.cos(th + 0.5 * w * h)
            y += v * h * math.sin(th + 0.5 * w * h)
            th += w * h
        c, s = math.cos(th), math.sin(th)
        lx = c * (pts[:, 0] - x) + s * (pts[:, 1] - y)
        ly = -s * (pts[:, 0] - x) + c * (pts[:, 1] - y)
        if ((lx <= fp.front_m) & (lx >= -fp.rear_m) & (np.abs(ly) <= fp.half_width_m)).any():
            return k * dt
    return math.inf


def grown(fp: Footprint, d: float) -> Footprint:
    return Footprint(fp.front_m + d, fp.rear_m + d, fp.half_width_m + d)


speeds = st.floats(-1.5, 1.5).filter(lambda v: abs(v) > 0.05)
turns = st.one_of(st.just(0.0), st.floats(-2.0, 2.0).filter(lambda w: abs(w) > 0.05))


@settings(max_examples=60, deadline=None)
@given(v=speeds, w=turns, r=st.floats(0.3, 5.5), bearing=st.floats(-math.pi, math.pi),
       horizon_s=st.sampled_from([1.0, 2.0, 3.0]))
def test_the_first_contact_on_the_arc_is_that_of_the_integrated_motion(v, w, r, bearing, horizon_s):
    """Sandwiched between the reference with the footprint 1 cm smaller and 1 cm larger: every point
    the motion reaches within the horizon, including those at the edge of the reach bound, counts."""
    pts = np.array([[r * math.cos(bearing), r * math.sin(bearing)],
                    [r * math.cos(bearing) + 0.05, r * math.sin(bearing) - 0.05]])
    got = time_to_collision(pts, FP, v, w, horizon_s=horizon_s)
    assert reference_ttc(pts, grown(FP, 0.01), v, w, horizon_s, 0.1) <= got
    assert got <= reference_ttc(pts, grown(FP, -0.01), v, w, horizon_s, 0.1)


@pytest.mark.parametrize("v, w, point, horizon_s, expected", [
    (1.0, 0.0, (1.349, 0.0), 3.0, 1.0),  # straight ahead: the front edge passes x = 1.349 at 1 s
    (-0.5, 0.0, (-0.749, 0.1), 3.0, 1.0),  # reversing: the rear edge leads
    (0.5, 0.0, (0.35 + 2.999, 0.0), 6.0, 6.0),  # far beyond 3 s: the reach grows with the horizon
    (0.5, 0.0, (0.35 + 2.999, 0.0), 5.9, math.inf),
    (0.0, 1.0, (0.0, 0.0), 3.0, 0.1),  # a point inside the footprint is hit at the first step
])
def test_known_contacts(v, w, point, horizon_s, expected):
    assert time_to_collision(np.array([point]), FP, v, w, horizon_s=horizon_s) == pytest.approx(expected)


def test_a_quarter_turn_meets_a_point_where_the_closed_form_arc_puts_the_robot():
    """At v = 1, w = pi/2 the robot is at (2/pi, 2/pi) facing +y after 1 s; a point 1 cm ahead of
    inside its front edge then is met at 1.0 s, not earlier, and not on the straight line."""
    v, w = 1.0, math.pi / 2
    x, y = 2 / math.pi, 2 / math.pi
    point = np.array([[x, y + FP.front_m - 0.01]])
    assert time_to_collision(point, FP, v, w, horizon_s=3.0) == pytest.approx(1.0)
    assert time_to_collision(point, FP, v, 0.0, horizon_s=3.0) == math.inf
    assert time_to_collision(point, FP, v, -w, horizon_s=3.0) == math.inf


def test_standing_still_never_collides_and_an_empty_scan_is_clear():
    pts = np.array([[0.4, 0.0]])
    assert time_to_collision(pts, FP, 0.0, 0.0) == math.inf
    assert time_to_collision(np.zeros((0, 2)), FP, 1.0, 0.0) == math.inf
    assert footprint_clearance(np.zeros((0, 2)), FP) == math.inf


def test_clearance_is_the_euclidean_distance_to_the_rectangle():
    pts = np.array([[0.35 + 0.3, 0.2 + 0.4], [-0.25 - 0.5, 0.0], [0.0, -0.2 - 0.7]])
    assert footprint_clearance(pts[:1], FP) == pytest.approx(0.5)
    assert footprint_clearance(pts[1:2], FP) == pytest.approx(0.5)
    assert footprint_clearance(pts[2:], FP) == pytest.approx(0.7)
    assert footprint_clearance(np.array([[0.1, 0.1]]), FP) == 0.0


def test_containment_includes_the_edges_only():
    pts = np.array([[0.35, 0.2], [-0.25, -0.2], [0.3501, 0.0], [0.0, -0.2001], [-0.2501, 0.0]])
    assert FP.contains(pts).tolist() == [True, True, False, False, False]


def test_the_stop_box_grows_ahead_by_reaction_and_braking_distance():
    cfg = ZoneConfig(footprint=FP, stop_margin_m=0.1, reaction_time_s=0.25)
    ahead = stop_zone(cfg, 1.0, 2.0)  # 0.25 m reaction, 0.25 m braking
    assert (ahead.front_m, ahead.rear_m, ahead.half_width_m) == pytest.approx((0.95, 0.35, 0.3))
    back = stop_zone(cfg, -1.0, 2.0)
    assert (back.front_m, back.rear_m, back.half_width_m) == pytest.approx((0.45, 0.85, 0.3))
    corners = np.array(FP.inflated(0.1, 0.2, 0.3).polygon())
    assert corners == pytest.approx(np.array([(0.65, 0.3), (-0.65, 0.3), (-0.65, -0.3), (0.65, -0.3)]))


def test_evaluate_slows_only_for_what_lies_ahead_and_stops_by_side():
    cfg = ZoneConfig(footprint=FP)
    behind = np.array([[-0.25 - 0.3, 0.0]])  # in the slow box, behind the robot
    assert not evaluate(behind, cfg, 0.5, 0.0, 1.0).slow
    assert evaluate(behind, cfg, -0.5, 0.0, 1.0).slow
    assert not evaluate(behind, cfg, 0.0, 0.0, 1.0).slow  # standing: nothing to slow for
    front = evaluate(np.array([[0.35 + 0.05, 0.0]]), cfg, 0.0, 0.0, 1.0)
    assert front.stop_front and not front.stop_rear
    rear = evaluate(np.array([[-0.25 - 0.05, 0.0]]), cfg, 0.0, 0.0, 1.0)
    assert rear.stop_rear and not rear.stop_front
    far = evaluate(np.array([[20.0, 0.0]]), cfg, 0.5, 0.0, 1.0)
    assert (far.stop_front, far.slow, far.ttc_s) == (False, False, math.inf)
    assert far.min_clearance_m == pytest.approx(20.0 - 0.35)


def test_scan_points_put_each_beam_at_its_angle_from_the_laser_pose_in_float64():
    g = ScanGeometry(-math.pi / 2, math.pi / 4, 0.1, 10.0, laser_x_m=0.2, laser_y_m=-0.1,
                     laser_yaw=math.pi / 4)
    ranges = np.array([1.0, 2.0, np.nan, 3.0], dtype=np.float32)  # beams at -45, 0, (45), 90 degrees
    pts = scan_points(ranges, g)
    s = math.sqrt(0.5)
    assert pts.dtype == np.float64 and pts.shape == (3, 2)
    assert pts[0] == pytest.approx([0.2 + s, -0.1 - s])
    assert pts[1] == pytest.approx([2.2, -0.1])
    assert pts[2] == pytest.approx([0.2, 2.9])


def test_a_gentle_arc_meets_a_point_where_the_closed_form_puts_the_robot():
    v, w = 1.0, 0.5  # after 2 s: heading 1 rad, at (2 sin 1, 2 (1 - cos 1))
    x, y = 2 * math.sin(1.0), 2 * (1 - math.cos(1.0))
    d = FP.front_m - 0.01
    point = np.array([[x + d * math.cos(1.0), y + d * math.sin(1.0)]])
    assert time_to_collision(point, FP, v, w, horizon_s=3.0) == pytest.approx(2.0)


def test_turning_on_the_spot_sweeps_the_corners_beyond_the_front_edge():
    corner = math.hypot(FP.front_m, FP.half_width_m)
    r = (FP.front_m + corner) / 2  # beyond the front edge, inside the corners' circle
    point = np.array([[r * math.cos(0.3), r * math.sin(0.3)]])
    assert not FP.contains(point).any()
    assert time_to_collision(point, FP, 0.0, 1.0) < math.inf
    assert time_to_collision(point, FP, 0.0, 0.0) == math.inf


def test_the_default_horizon_is_3_s_and_a_creep_of_1_mm_per_s_is_motion():
    ahead = np.array([[FP.front_m + 0.5 * 3.4, 0.0]])
    assert time_to_collision(ahead, FP, 0.5, 0.0) == math.inf  # met at 3.4 s: beyond the default
    assert time_to_collision(ahead, FP, 0.5, 0.0, horizon_s=3.5) == pytest.approx(3.4)
    touching = np.array([[FP.front_m + 0.0005, 0.0]])
    assert time_to_collision(touching, FP, 1e-3, 0.0) == pytest.approx(0.5)
    beside = np.array([[FP.front_m - 0.001, FP.half_width_m + 0.0005]])
    assert 1.0 < time_to_collision(beside, FP, 0.0, 1e-3) < 3.0  # turning at 1 mrad/s is motion too


def test_the_stop_box_grows_only_in_the_direction_of_travel():
    cfg = ZoneConfig(footprint=FP, stop_margin_m=0.1, reaction_time_s=0.25)
    slow = stop_zone(cfg, 0.5, 2.0)  # 0.125 m reaction, 0.0625 m braking, ahead only
    assert (slow.front_m, slow.rear_m) == pytest.approx((0.35 + 0.1 + 0.1875, 0.25 + 0.1))
    still = stop_zone(cfg, 0.0, 2.0)
    assert (still.front_m, still.rear_m) == pytest.approx((0.45, 0.35))


def test_a_point_on_the_swept_sides_edge_is_a_contact():
    edge = np.array([[FP.front_m + 0.5 - 0.001, FP.half_width_m]])
    assert time_to_collision(edge, FP, 0.5, 0.0) == pytest.approx(1.0)


def test_evaluate_judges_every_point_within_reach_of_its_boxes_and_sweep():
    cfg = ZoneConfig()  # footprint 0.3 / 0.3 / 0.25; stop margin 0.1, slow margin 0.6, TTC to 2 s
    fp = cfg.footprint
    corner = np.array([[0.9 - 0.01, 0.85 - 0.01]])  # inside the slow box's front corner
    assert evaluate(corner, cfg, 0.01, 0.0, 2.0).slow
    assert not evaluate(corner, cfg, 1e-3, 0.0, 2.0).slow  # that slow is standing
    assert not evaluate(corner, cfg, 0.0, 0.0, 2.0).slow
    on_path = np.array([[fp.front_m + 0.05 + 1.8, 0.0]])
    assert evaluate(on_path, cfg, 1.0, 0.0, 2.0).ttc_s == pytest.approx(1.8)
    beyond = np.array([[fp.front_m + 0.05 + 2.45, 0.0]])
    assert evaluate(beyond, cfg, 1.0, 0.0, 2.0).ttc_s == math.inf  # met after ttc_slow_s
    beside = np.array([[2.0, fp.half_width_m + 0.04]])  # within half the stop margin of the path
    assert evaluate(beside, cfg, 1.0, 0.0, 2.0).ttc_s < math.inf
    empty = evaluate(np.zeros((0, 2)), cfg, 0.5, 0.0, 2.0)
    assert (empty.stop_front, empty.stop_rear, empty.slow) == (False, False, False)
    assert all(x is False for x in (empty.stop_front, empty.stop_rear, empty.slow))


def test_a_point_abreast_of_the_axle_is_behind_for_the_stop_and_ahead_for_the_slow_down():
    cfg = ZoneConfig()
    fp = cfg.footprint
    abreast = np.array([[0.0, fp.half_width_m + 0.05]])
    z = evaluate(abreast, cfg, 0.0, 0.0, 2.0)
    assert (z.stop_front, z.stop_rear) == (False, True)
    side = np.array([[0.0, fp.half_width_m + 0.3]])  # in the slow box only
    assert evaluate(side, cfg, 0.5, 0.0, 2.0).slow and evaluate(side, cfg, -0.5, 0.0, 2.0).slow
    front = np.array([[0.5, fp.half_width_m + 0.3]])
    assert not evaluate(front, cfg, -0.5, 0.0, 2.0).slow  # ahead of a reversing robot is behind it

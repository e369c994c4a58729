"""Speed and separation monitoring, conflict prediction and blind corners (pure functions)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genba_safety.limits import Limits
from genba_safety.separation import (
    Rollout,
    Separation,
    SeparationConfig,
    choose,
    directed_speed,
    max_directed_speed,
    occlusion_cap,
    predicted_gaps,
    protective_distance,
    rollout,
    separations,
    ssm_scale,
)
from genba_safety.tracker import HUMAN_SPEED_MPS, TrackView
from genba_safety.zones import Footprint

FP, LIM, CFG = Footprint(), Limits(), SeparationConfig()
T_R = 0.15


def person(
    x: float, y: float, vx: float = 0.0, vy: float = 0.0, known: bool = True, tid: int = 1
) -> TrackView:
    ang = np.linspace(-0.4, 0.4, 7) + math.atan2(-y, -x)
    pts = np.column_stack((x + 0.25 * np.cos(ang), y + 0.25 * np.sin(ang)))
    return TrackView(
        tid,
        pts,
        (vx, vy),
        0.03,
        0.15 if known else HUMAN_SPEED_MPS,
        known,
        known and math.hypot(vx, vy) >= 0.25,
    )


def test_the_worked_example_of_the_safety_doc():
    # person walking at the robot at 1.6 m/s, robot at 1.0 m/s, T_r 0.15 s, a = 2 m/s^2, C 0.1, Z 0.1
    s = protective_distance(1.6, 1.0, 0.15, 2.0, 0.1, 0.1)
    assert s == pytest.approx(1.6 * (0.15 + 0.5) + 1.0 * 0.15 + 0.25 + 0.2)
    assert s == pytest.approx(1.64)
    assert max_directed_speed(1.2, 1.6, 0.15, 2.0, 0.1, 0.1) == pytest.approx(0.68, abs=0.005)
    assert max_directed_speed(0.44, 1.6, 0.15, 2.0, 0.1, 0.1) == 0.0


@given(
    d=st.floats(0.0, 20.0),
    v_h=st.floats(0.0, 3.0),
    t_r=st.floats(0.0, 1.0),
    a=st.floats(0.2, 5.0),
    c=st.floats(0.0, 0.5),
    z=st.floats(0.0, 0.5),
)
def test_the_largest_directed_speed_is_exactly_the_one_whose_separation_distance_is_the_distance(
    d, v_h, t_r, a, c, z
):
    v = max_directed_speed(d, v_h, t_r, a, c, z)
    assert v >= 0.0
    if v > 0.0:
        assert protective_distance(v_h, v, t_r, a, c, z) == pytest.approx(d, rel=1e-6, abs=1e-6)
    else:
        assert protective_distance(v_h, 0.0, t_r, a, c, z) >= d - 1e-9


def test_a_person_far_away_or_behind_the_motion_does_not_limit_the_robot():
    far = separations([person(8.0, 0.0, -0.5, 0.0)], FP, CFG)
    assert ssm_scale(far, 1.0, 0.0, T_R, LIM.max_decel_mps2, CFG)[0] == 1.0
    behind = separations([person(-1.0, 0.0, 0.0, 0.0)], FP, CFG)
    assert ssm_scale(behind, 1.0, 0.0, T_R, LIM.max_decel_mps2, CFG)[0] == 1.0  # driving away from them


def test_a_person_walking_at_the_robot_caps_it_and_an_unknown_one_caps_it_harder():
    known = separations([person(2.0, 0.0, -1.0, 0.0)], FP, CFG)
    unknown = separations([person(2.0, 0.0, known=False)], FP, CFG)
    k_known, tid = ssm_scale(known, 1.0, 0.0, T_R, LIM.max_decel_mps2, CFG)
    k_unknown, _ = ssm_scale(unknown, 1.0, 0.0, T_R, LIM.max_decel_mps2, CFG)
    assert 0.0 < k_known < 1.0 and tid == 1
    assert k_unknown < k_known


def test_turning_towards_a_person_beside_the_robot_is_limited_too():
    beside = separations([person(0.2, 0.8)], FP, CFG)
    assert directed_speed(0.0, 1.5, beside[0]) > 0.0  # the front corner swings towards them
    assert ssm_scale(beside, 0.0, 1.5, T_R, LIM.max_decel_mps2, CFG)[0] < 1.0
    assert ssm_scale(beside, 0.0, -1.5, T_R, LIM.max_decel_mps2, CFG)[0] == 1.0


def test_a_crossing_the_robot_clears_is_let_through_rather_than_slowed_into():
    # someone 2.5 m to the right walks across at 1 m/s; the zones slowed the request to 0.25 m/s for
    # a shelf: at 0.25 the robot would stand in their way, at the 1 m/s asked for it is long past
    p = person(0.6, -2.5, 0.0, 1.0)
    d = choose([p], FP, 0.25, 0.0, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=False, unslowed=(1.0, 0.0))
    assert d.reason == "CLEAR_CROSSING" and (d.v, d.w) == (1.0, 0.0)
    slowed, passing = d.candidates
    assert math.isfinite(slowed.contact_s) and math.isinf(passing.contact_s)
    assert passing.clearance_m > CFG.contact_margin_m + CFG.clear_margin_m


def test_a_crossing_the_robot_cannot_clear_makes_it_wait_before_the_crossing():
    # 1.6 m ahead and 1 m to the left, walking across at 0.6 m/s: at 1 m/s the robot meets them
    p = person(1.6, 1.0, 0.0, -0.6)
    d = choose([p], FP, 1.0, 0.0, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=False)
    assert (d.v, d.reason) == (0.0, "YIELD")
    assert math.isfinite(d.candidates[0].contact_s) and math.isinf(d.candidates[-1].contact_s)


def test_without_moving_people_only_ssm_speaks():
    d = choose([person(1.5, 0.0, known=False)], FP, 1.0, 0.0, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=True)
    assert d.candidates == () and d.v < 1.0 and d.reason in ("SSM_SLOW", "SSM_STOP")


tracks = st.lists(
    st.builds(
        person,
        x=st.floats(-4.0, 6.0),
        y=st.floats(-4.0, 4.0),
        vx=st.floats(-1.5, 1.5),
        vy=st.floats(-1.5, 1.5),
        known=st.booleans(),
        tid=st.integers(1, 50),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(
    tracks=tracks,
    v=st.floats(-0.4, 1.0),
    w=st.floats(-1.5, 1.5),
    v0=st.floats(-0.4, 1.0),
    w0=st.floats(-1.5, 1.5),
)
def test_the_command_out_never_exceeds_the_request_and_keeps_separation_or_stops(tracks, v, w, v0, w0):
    tracks = [t for t in tracks if np.hypot(*t.points.T).min() > 0.0]
    d = choose(tracks, FP, v, w, v0, w0, LIM, T_R, CFG, retreat_clear=False)
    assert math.isfinite(d.v) and math.isfinite(d.w)
    # never faster than asked, never the other way (a retreat is only offered with a clear rear)
    assert abs(d.v) <= abs(v) + 1e-9 and d.v * v >= 0.0
    assert abs(d.w) <= abs(w) + 1e-9 and d.w * w >= 0.0
    if (d.v, d.w) == (0.0, 0.0) or d.reason == "CLEAR_CROSSING":
        if d.reason == "CLEAR_CROSSING":  # passing ahead is allowed only with predicted room to spare
            chosen = [c for c in d.candidates if (c.v, c.w) == (d.v, d.w)]
            assert chosen and math.isinf(chosen[-1].contact_s)
        return
    # otherwise every person moving or not yet known stays outside their protective separation distance
    # (a known track at rest is structure to the zones, not a person to SSM)
    for s in separations([t for t in tracks if t.moving or not t.known], FP, CFG):
        v_dir = directed_speed(d.v, d.w, s)
        if v_dir > 1e-9:
            limit = max_directed_speed(s.distance_m, s.v_h, T_R, LIM.max_decel_mps2, CFG.intrusion_m, s.z)
            assert v_dir <= limit + 1e-6


def test_a_blind_corner_ahead_slows_the_robot_so_it_can_stop_before_it():
    # a wall 0.6 m to the left ends 0.7 m ahead; behind its end, nothing for 5 m
    angles = np.linspace(-math.pi, math.pi, 360, endpoint=False)
    ranges = np.full(360, 6.0)
    pts = np.column_stack((ranges * np.cos(angles), ranges * np.sin(angles)))
    wall = (angles > math.atan2(0.6, 0.7)) & (angles < math.pi / 2)
    ranges[wall] = 0.6 / np.sin(angles[wall])
    pts[wall] = np.column_stack((ranges[wall] * np.cos(angles[wall]), ranges[wall] * np.sin(angles[wall])))
    cap, edge = occlusion_cap(pts, ranges, FP, T_R, LIM.max_decel_mps2, CFG)
    assert edge is not None and edge[0] == pytest.approx(0.7, abs=0.05)
    stop = cap * T_R + cap * cap / (2 * LIM.max_decel_mps2)
    assert stop <= edge[0] - FP.front_m - CFG.intrusion_m + 1e-6
    assert 0.2 <= cap < 1.0
    # no edge, no cap
    open_pts = np.column_stack((6.0 * np.cos(angles), 6.0 * np.sin(angles)))
    assert occlusion_cap(open_pts, np.full(360, 6.0), FP, T_R, LIM.max_decel_mps2, CFG) == (math.inf, None)


# Rollouts and predicted gaps, worked out by hand with binary-exact steps (dt 1/8 s).
LIM8 = Limits(max_accel_mps2=1.0, max_decel_mps2=2.0, max_yaw_accel_radps2=1.0)


def test_a_rollout_holds_the_speed_for_the_reaction_time_then_changes_at_the_limits():
    ts, poses, speeds = rollout(0.5, 0.0, 1.0, 0.0, LIM8, 0.25, 1.0, 0.125)
    assert ts.tolist() == [0.125 * k for k in range(1, 9)]
    # 0.5 m/s for the reaction time (two steps), then +1/8 m/s per step (accel 1 m/s^2)
    assert speeds.tolist() == [0.5, 0.5, 0.625, 0.75, 0.875, 1.0, 1.0, 1.0]
    assert poses[:, 0] == pytest.approx(np.cumsum(speeds) * 0.125)
    assert poses[:, 1:].tolist() == [[0.0, 0.0]] * 8
    _, _, braking = rollout(1.0, 0.0, 0.0, 0.0, LIM8, 0.125, 1.0, 0.125)
    assert braking.tolist() == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0, 0.0]  # decel 2 m/s^2
    _, _, back = rollout(-0.5, 0.0, -1.0, 0.0, LIM8, 0.0, 0.5, 0.125)
    assert back.tolist() == [0.625, 0.75, 0.875, 1.0]  # speeds are magnitudes; reversing faster: accel
    _, _, turn_back = rollout(0.5, 0.0, -0.5, 0.0, LIM8, 0.0, 0.5, 0.125)
    assert turn_back.tolist() == [0.25, 0.0, 0.125, 0.25]  # to zero at decel, then back up at accel


def test_a_rollout_commanded_to_stop_after_a_while_brakes_from_then_on():
    _, _, speeds = rollout(1.0, 0.0, 1.0, 0.0, LIM8, 0.125, 1.0, 0.125, stop_after_s=0.25)
    assert speeds.tolist() == [1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]


def test_a_rollout_turns_at_four_times_the_yaw_acceleration_and_moves_along_the_arc():
    _, poses, _ = rollout(0.0, 0.0, 0.0, 1.0, LIM8, 0.0, 0.5, 0.125)
    assert poses[:, 2] == pytest.approx([0.0625, 0.1875, 0.3125, 0.4375])  # w: 0.5, then 1 rad/s
    _, arc, _ = rollout(1.0, 1.0, 1.0, 1.0, LIM8, 0.0, 0.5, 0.125)
    th = 0.125 * np.arange(1, 5)
    assert arc[:, 0] == pytest.approx(np.sin(th), abs=1e-3)  # the unit circle, to the midpoint rule
    assert arc[:, 1] == pytest.approx(1 - np.cos(th), abs=1e-3)
    assert arc[:, 2] == pytest.approx(th)


def _box_track(x: float, y: float, vx: float, vy: float, pos_std=0.0, vel_std=0.0) -> TrackView:
    return TrackView(1, np.array([[x, y]]), (vx, vy), pos_std, vel_std, True, True)


def test_predicted_gaps_move_each_track_at_its_velocity_into_the_robots_frame():
    fp = Footprint(0.5, 0.25, 0.25)
    cfg = SeparationConfig(sensor_uncertainty_m=0.0, max_spread_m=0.2)
    ts = np.array([0.5, 1.0, 2.0])
    standing = np.zeros((3, 3))
    nominal, cautious = predicted_gaps([_box_track(3.0, 0.0, -1.0, 0.0)], fp, ts, standing, cfg)
    assert nominal == pytest.approx([2.0, 1.5, 0.5])  # walking at the front edge
    assert cautious == pytest.approx(nominal)
    sideways = np.array([[0.0, 0.0, math.pi / 2]] * 3)  # the robot turned to face +y
    nominal, _ = predicted_gaps([_box_track(0.0, 3.0, 0.0, -1.0)], fp, ts, sideways, cfg)
    assert nominal == pytest.approx([2.0, 1.5, 0.5])
    moved = np.array([[0.5, 0.0, 0.0], [1.0, 0.0, 0.0], [1.5, 0.0, 0.0]])
    nominal, _ = predicted_gaps([_box_track(3.0, 1.0, 0.0, 0.0)], fp, ts, moved, cfg)
    assert nominal == pytest.approx([math.hypot(2.0, 0.75), math.hypot(1.5, 0.75), math.hypot(1.0, 0.75)])
    behind = predicted_gaps([_box_track(-1.0, 0.0, 0.0, 0.0)], fp, ts, standing, cfg)[0]
    assert behind == pytest.approx([0.75] * 3)  # to the rear edge
    spread = predicted_gaps([_box_track(3.0, 0.0, 0.0, 0.0, pos_std=0.05, vel_std=0.3)], fp, ts, standing,
                            SeparationConfig(sensor_uncertainty_m=0.1, max_spread_m=0.2))
    assert spread[0] == pytest.approx([2.4] * 3)  # less the sensor's uncertainty
    assert spread[1] == pytest.approx([2.4 - 0.05 - 0.15, 2.4 - 0.05 - 0.2, 2.4 - 0.05 - 0.2])
    empty = predicted_gaps([], fp, ts, standing, cfg)
    assert empty[0].tolist() == [math.inf] * 3 and empty[1].tolist() == [math.inf] * 3


def test_the_nearest_of_several_tracks_sets_the_gap():
    fp = Footprint(0.5, 0.25, 0.25)
    cfg = SeparationConfig(sensor_uncertainty_m=0.0)
    tracks = [_box_track(3.0, 0.0, -1.0, 0.0), _box_track(1.5, 0.0, 0.0, 0.0)]
    nominal, _ = predicted_gaps(tracks, fp, np.array([0.5, 2.0]), np.zeros((2, 3)), cfg)
    assert nominal == pytest.approx([1.0, 0.5])


def test_a_candidate_is_the_first_step_whose_gap_is_within_the_margin():
    r = Rollout("ssm", 0.4, 0.1, np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.4, 0.3, 0.2, 0.1]),
                nominal=np.array([0.5, 0.3, 0.1, 0.0]), cautious=np.array([0.4, 0.2, 0.05, -0.1]))
    c = r.candidate(cautious=True, margin=0.1)
    assert (c.name, c.v, c.w, c.contact_s, c.speed_at_contact_mps, c.clearance_m) == (
        "ssm", 0.4, 0.1, 0.3, 0.2, -0.1)
    c = r.candidate(cautious=False, margin=0.0)
    assert (c.contact_s, c.speed_at_contact_mps, c.clearance_m) == (0.4, 0.1, 0.0)
    c = r.candidate(cautious=False, margin=0.1)
    assert c.contact_s == 0.3  # a gap equal to the margin is a contact
    free = Rollout("stop", 0.0, 0.0, np.array([0.1, 0.2]), np.array([0.0, 0.0]), np.array([1.0, 0.9]),
                   np.array([0.8, 0.7])).candidate(cautious=True, margin=0.1)
    assert (free.contact_s, free.speed_at_contact_mps, free.clearance_m) == (math.inf, 0.0, 0.7)


def test_the_ssm_cap_scales_both_speeds_and_says_how_much():
    unknown = person(1.5, 0.0, known=False)
    d = choose([unknown], FP, 1.0, 0.5, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=True)
    k, _ = ssm_scale(separations([unknown], FP, CFG), 1.0, 0.5, T_R, LIM.max_decel_mps2, CFG)
    assert 0.0 < k < 1.0 and d.ssm_scale == k
    assert (d.v, d.w) == pytest.approx((k, 0.5 * k)) and d.reason == "SSM_SLOW"
    far = choose([person(9.0, 0.0, known=False)], FP, 1.0, 0.5, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=True)
    assert (far.v, far.w, far.reason, far.ssm_scale) == (1.0, 0.5, "", 1.0)
    touching = choose([person(0.55, 0.0, known=False)], FP, 1.0, 0.0, 1.0, 0.0, LIM, T_R, CFG,
                      retreat_clear=True)
    assert (touching.v, touching.w, touching.reason, touching.ssm_scale) == (0.0, 0.0, "SSM_STOP", 0.0)


def test_a_person_at_rest_is_not_predicted_and_a_known_mover_is():
    at_rest = person(2.0, 0.0, 0.0, 0.0)  # known, not moving: the zones judge it
    assert choose([at_rest], FP, 0.5, 0.0, 0.5, 0.0, LIM, T_R, CFG, retreat_clear=True).candidates == ()
    mover = person(3.0, 0.0, -1.0, 0.0)
    d = choose([mover], FP, 0.5, 0.0, 0.5, 0.0, LIM, T_R, CFG, retreat_clear=True)
    assert d.candidates and d.candidates[0].name == "ssm"


def _names(d):
    return [c.name for c in d.candidates]


def test_the_candidates_are_tried_in_order_until_one_keeps_clear():
    # head-on at 0.5 m/s, 2 m ahead, the robot at 0.5 m/s: driving on and stopping both meet them;
    # with the rear clear, the retreat (0.3 m/s, within the 0.4 m/s reverse limit) keeps clear
    p = person(2.0, 0.0, -0.5, 0.0)
    d = choose([p], FP, 0.5, 0.0, 0.5, 0.0, LIM, T_R, CFG, retreat_clear=True)
    assert (d.v, d.w, d.reason, _names(d)) == (-0.3, 0.0, "YIELD", ["ssm", "stop", "retreat"])
    assert [math.isinf(c.contact_s) for c in d.candidates] == [False, False, True]
    # 4 m ahead at 1 m/s: a stop keeps clear, so no retreat is tried
    d = choose([person(4.0, 0.0, -1.0, 0.0)], FP, 0.5, 0.0, 0.5, 0.0, LIM, T_R, CFG, retreat_clear=True)
    assert (d.v, d.w, d.reason, _names(d)) == (0.0, 0.0, "YIELD", ["ssm", "stop"])
    # the rear not clear: no retreat; a stop keeps clear of them where they are predicted (nominal)
    d = choose([p], FP, 0.5, 0.0, 0.5, 0.0, LIM, T_R, CFG, retreat_clear=False)
    assert (d.v, d.reason, _names(d)) == (0.0, "YIELD", ["ssm", "stop"])


def test_no_retreat_while_an_unknown_person_caps_the_speed():
    unknown = person(1.2, 0.0, known=False, tid=2)
    assert ssm_scale(separations([unknown], FP, CFG), 0.5, 0.0, T_R, LIM.max_decel_mps2, CFG)[0] < 1.0
    d = choose([person(2.0, 0.0, -0.5, 0.0), unknown], FP, 0.5, 0.0, 0.5, 0.0, LIM, T_R, CFG,
               retreat_clear=True)
    assert "retreat" not in _names(d)


def test_a_slow_down_is_undone_only_for_an_unslowed_request_clearly_faster():
    p = person(0.6, -2.5, 0.0, 1.0)
    same = choose([p], FP, 0.25, 0.0, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=False, unslowed=(0.25, 0.0))
    assert "unslowed" not in [c.name for c in same.candidates]
    faster = choose([p], FP, 0.25, 0.0, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=False, unslowed=(1.0, 0.2))
    assert (faster.v, faster.w, faster.reason) == (1.0, 0.2, "CLEAR_CROSSING")


def test_a_separation_is_measured_from_the_nearest_footprint_point_with_the_persons_directed_speed():
    fp = Footprint(0.3, 0.3, 0.25)
    cfg = SeparationConfig(sensor_uncertainty_m=0.05, uncertainty_sigmas=2.0)
    t = TrackView(5, np.array([[2.0, 0.5], [2.5, 0.5]]), (-1.0, 0.2), 0.03, 0.1, True, True)
    (s,) = separations([t], fp, cfg)
    d = math.hypot(1.7, 0.25)
    u = (1.7 / d, 0.25 / d)
    assert (s.track_id, s.nearest) == (5, (0.3, 0.25))
    assert s.distance_m == pytest.approx(d) and s.towards == pytest.approx(u)
    assert s.v_h == pytest.approx(-(-1.0 * u[0] + 0.2 * u[1]) + 2.0 * 0.1)
    assert s.z == pytest.approx(0.05 + 2.0 * 0.03)
    behind = TrackView(6, np.array([[-1.3, -0.25]]), (0.0, -1.0), 0.0, 0.0, True, True)  # walking away
    (s,) = separations([behind], fp, cfg)
    assert s.nearest == (-0.3, -0.25) and s.v_h == 0.0 and s.towards == pytest.approx((-1.0, 0.0))
    inside = TrackView(7, np.array([[0.1, 0.0], [0.1, 0.1]]), (0.0, 0.0), 0.0, 0.0, True, True)
    (s,) = separations([inside], fp, cfg)
    c = np.array([0.1, 0.05])
    assert s.distance_m == 0.0 and s.towards == pytest.approx(tuple(c / np.linalg.norm(c)))
    centred = TrackView(8, np.array([[0.0, 0.0]]), (0.0, 0.0), 0.0, 0.0, True, True)
    assert separations([centred], fp, cfg)[0].towards == (0.0, 0.0)


def test_the_directed_speed_is_that_of_the_nearest_footprint_point_towards_the_person():
    left_corner = Separation(1, 1.0, (0.3, 0.25), (0.0, 1.0), 0.0, 0.0)
    assert directed_speed(0.5, 1.0, left_corner) == pytest.approx(0.3)  # the corner swings left at w x
    ahead = Separation(1, 1.0, (0.3, 0.25), (1.0, 0.0), 0.0, 0.0)
    assert directed_speed(0.5, 1.0, ahead) == pytest.approx(0.5 - 0.25)  # turning left takes it back


def test_ssm_takes_the_tightest_binding_person_and_ignores_those_it_moves_away_from():
    away = separations([person(-1.5, 0.0, -1.0, 0.0, tid=1)], FP, CFG)
    near = separations([person(1.4, 0.0, -0.5, 0.0, tid=2)], FP, CFG)
    nearer = separations([person(1.2, 0.0, -0.5, 0.0, tid=3)], FP, CFG)
    k2, _ = ssm_scale(near, 1.0, 0.0, T_R, 2.0, CFG)
    k3, _ = ssm_scale(nearer, 1.0, 0.0, T_R, 2.0, CFG)
    assert 0.0 < k3 < k2 < 1.0
    s = nearer[0]
    v_max = max_directed_speed(s.distance_m, s.v_h, T_R, 2.0, CFG.intrusion_m, s.z)
    assert k3 == pytest.approx(v_max / directed_speed(1.0, 0.0, s))
    assert ssm_scale(away + near + nearer, 1.0, 0.0, T_R, 2.0, CFG) == (pytest.approx(k3), 3)
    assert ssm_scale(away, 1.0, 0.0, T_R, 2.0, CFG) == (1.0, None)
    touching = separations([person(0.3 + 0.25, 0.0, tid=4)], FP, CFG)  # its returns on the front edge
    assert touching[0].distance_m == pytest.approx(0.0, abs=1e-9)


def test_a_contact_at_the_first_step_is_found():
    r = Rollout("ssm", 0.5, 0.0, np.array([0.1, 0.2]), np.array([0.5, 0.5]), np.array([0.0, 0.5]),
                np.array([-0.1, 0.4]))
    c = r.candidate(cautious=True, margin=0.1)
    assert (c.contact_s, c.speed_at_contact_mps) == (0.1, 0.5)


def test_the_request_and_the_unslowed_request_are_candidates_by_name():
    p = person(0.6, -2.5, 0.0, 1.0)
    d = choose([p], FP, 0.25, 0.0, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=False, unslowed=(1.0, 0.0))
    assert [(c.name, c.v, c.w) for c in d.candidates] == [("ssm", 0.25, 0.0), ("unslowed", 1.0, 0.0)]
    walking_at = person(1.5, 0.0, -1.5, 0.0)
    d = choose([walking_at], FP, 0.5, 0.2, 0.5, 0.0, LIM, T_R, CFG, retreat_clear=True)
    k = d.ssm_scale
    assert 0.0 < k < 1.0
    assert [(c.name, c.v, c.w) for c in d.candidates][:2] == [("ssm", pytest.approx(0.5 * k),
                                                               pytest.approx(0.2 * k)), ("request", 0.5, 0.2)]


def test_with_every_candidate_met_the_last_resort_commits_briefly_or_stops():
    # head-on at 1 m/s from 2.5 m: driving on for commit_s and then braking leaves the robot at rest
    # before the predicted contact, so the command goes on (the next decision can still stop)
    d = choose([person(2.5, 0.0, -1.0, 0.0)], FP, 1.0, 0.0, 1.0, 0.0, LIM, T_R, CFG, retreat_clear=True)
    assert (d.v, d.w, d.reason, d.ssm_scale) == (1.0, 0.0, "", 1.0)
    assert all(math.isfinite(c.contact_s) for c in d.candidates)
    # from 1.5 m at 1.5 m/s nothing is at rest in time: a stop, whatever turn was asked for
    d = choose([person(1.5, 0.0, -1.5, 0.0)], FP, 0.5, 0.2, 0.5, 0.0, LIM, T_R, CFG, retreat_clear=True)
    assert (d.v, d.w, d.reason) == (0.0, 0.0, "SSM_STOP")


def test_an_occluding_edge_caps_the_speed_by_its_distance_ahead_of_the_front():
    cfg = SeparationConfig(occlusion_depth_m=0.5, intrusion_m=0.1, occlusion_lateral_m=1.5,
                           occlusion_lookahead_m=4.0, occlusion_min_speed_mps=0.2)
    fp = Footprint(0.3, 0.3, 0.25)
    ranges = np.array([5.0, 1.0, 1.0, 5.0, 5.0, 1.9])
    pts = np.array([[4.0, 3.0], [1.0, 0.8], [1.1, 0.9], [4.0, -3.0], [4.0, -3.5], [1.2, -1.75]])
    # edges: the nearer returns of 5 -> 1, 1 -> 5 and 5 -> 1.9: (1.0, 0.8), (1.1, 0.9), (1.2, -1.75)
    cap, edge = occlusion_cap(pts, ranges, fp, 0.2, 2.0, cfg)
    assert edge == (1.0, 0.8) and cap == pytest.approx(2.0 * (-0.2 + math.sqrt(0.04 + 2.0 * 0.6 / 2.0)))
    cap, edge = occlusion_cap(pts[3:], ranges[3:], fp, 0.2, 2.0, cfg)
    assert edge == (1.2, -1.75)  # 1.5 m beside the footprint: still counted
    assert cap == pytest.approx(2.0 * (-0.2 + math.sqrt(0.04 + 2.0 * 0.8 / 2.0)))
    two = occlusion_cap(pts[:2], ranges[:2], fp, 0.2, 2.0, cfg)
    assert two[1] == (1.0, 0.8)  # two beams are enough for an edge
    shallow = occlusion_cap(np.array([[1.0, 0.8], [1.5, 1.2]]), np.array([2.0, 2.5]), fp, 0.2, 2.0, cfg)
    assert shallow == (math.inf, None)  # a jump of exactly the depth hides no one
    near = occlusion_cap(np.array([[0.45, 0.8], [2.0, 2.0]]), np.array([1.0, 3.0]), fp, 0.2, 2.0, cfg)
    assert near[0] == pytest.approx(0.2)  # never below the minimum

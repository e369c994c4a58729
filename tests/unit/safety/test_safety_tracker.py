"""The supervisor's own people tracker: clusters, association, velocity, structure, determinism."""

import math

import numpy as np
import pytest

from genba_safety.tracker import HUMAN_SPEED_MPS, Track, Tracker, TrackerConfig, segment_labels

INC = 2 * math.pi / 360


def person_points(x: float, y: float, r: float = 0.25) -> np.ndarray:
    """The side of a disc of radius ``r`` at (x, y) that faces the origin, sampled like a 1-degree scan."""
    bearing, dist = math.atan2(y, x), math.hypot(x, y)
    half = math.asin(min(1.0, r / dist))
    angles = np.arange(bearing - half, bearing + half, INC)
    # ray-disc intersection, nearest side
    pts = []
    for a in angles:
        b = dist * math.cos(a - bearing)
        disc = b * b - dist * dist + r * r
        if disc >= 0:
            t = b - math.sqrt(disc)
            pts.append((t * math.cos(a), t * math.sin(a)))
    return np.array(pts)


def wall_points(x: float, y0: float, y1: float) -> np.ndarray:
    ys = np.arange(y0, y1, 0.05)
    return np.column_stack((np.full_like(ys, x), ys))


def feed(tracker: Tracker, pts: np.ndarray, t: float, pose=(0.0, 0.0, 0.0)):
    return tracker.update(pts, np.hypot(*pts.T), INC, pose, t)


def test_a_walking_person_is_unknown_at_first_then_tracked_with_its_velocity():
    tr = Tracker()
    views = []
    for k in range(15):
        t = 0.1 * k
        views.append(feed(tr, person_points(3.0, -1.5 + 0.8 * t), t))
    assert all(len(v) == 1 for v in views)
    assert not views[0][0].known and not views[2][0].known  # new: assume 1.6 m/s any way
    last = views[-1][0]
    assert last.known and last.moving
    assert last.velocity[0] == pytest.approx(0.0, abs=0.1)
    assert last.velocity[1] == pytest.approx(0.8, abs=0.15)  # the seen arc turns as the bearing does
    assert len({v[0].id for v in views}) == 1  # one track throughout


def test_a_wall_is_structure_and_never_a_track():
    tr = Tracker()
    for k in range(5):
        views = feed(tr, wall_points(2.0, -3.0, 3.0), 0.1 * k)
        assert views == []
    assert len(tr.structure) == len(wall_points(2.0, -3.0, 3.0))


def test_a_box_that_stays_put_while_the_robot_drives_by_is_at_rest():
    tr = Tracker()
    for k in range(20):
        t = 0.1 * k
        rx = 0.5 * t  # the robot drives along x at 0.5 m/s: the box moves in base_link, not in odom
        views = feed(tr, person_points(4.0 - rx, 1.0), t, pose=(rx, 0.0, 0.0))
    (box,) = views
    assert box.known and not box.moving
    assert math.hypot(*box.velocity) < 0.15


def test_a_place_occupied_for_long_enough_becomes_structure():
    cfg = TrackerConfig(static_after_s=1.0)
    tr = Tracker(cfg)
    for k in range(30):
        views = feed(tr, person_points(3.0, 0.0), 0.1 * k)
    assert views == [] and len(tr.structure) > 0


def test_the_velocity_of_an_unknown_track_defaults_to_the_human_speed_bound():
    tr = Tracker()
    (v,) = feed(tr, person_points(3.0, 0.0), 0.0)
    assert not v.known
    assert v.velocity_std_mps == pytest.approx(HUMAN_SPEED_MPS)


def test_a_scan_not_newer_than_the_last_starts_the_tracks_afresh():
    tr = Tracker()
    for k in range(6):
        feed(tr, person_points(3.0, 0.1 * k), 0.1 * k)
    (v,) = feed(tr, person_points(3.0, 0.5), 0.3)  # the clock went back
    assert not v.known


def test_the_same_scans_give_the_same_tracks():
    def run():
        tr = Tracker()
        rng = np.random.default_rng(3)
        out = []
        for k in range(12):
            pts = np.concatenate((person_points(3.0, -1 + 0.1 * k), person_points(2.0, 2 - 0.05 * k)))
            pts = pts + rng.normal(0, 0.01, pts.shape)
            out.append([(v.id, v.known, v.velocity) for v in feed(tr, pts, 0.1 * k)])
        return out

    assert run() == run()


def test_segment_splits_at_gaps_and_joins_across_the_seam():
    pts = np.array([[1.0, 0.0], [1.0, 0.05], [3.0, 0.0], [3.0, 0.05], [1.0, -0.05]])
    labels, k = segment_labels(pts, np.hypot(*pts.T), INC, 0.2)
    clusters = [np.flatnonzero(labels == j) for j in range(k)]
    assert sorted(sorted(c.tolist()) for c in clusters) == [[0, 1, 4], [2, 3]]


def _reference_kalman(x, P, dt, z, q, r):
    """One predict (and, with a measurement z, correct) step of the constant-velocity Kalman filter
    with white-acceleration noise, in matrix form, for one axis: x = [p, v]."""
    F = np.array([[1.0, dt], [0.0, 1.0]])
    Q = q * np.array([[dt**4 / 4, dt**3 / 2], [dt**3 / 2, dt**2]])
    x, P = F @ x, F @ P @ F.T + Q
    if z is not None:
        H = np.array([[1.0, 0.0]])
        S = H @ P @ H.T + r
        K = P @ H.T / S
        x = x + (K * (z - x[0])).ravel()
        P = (np.eye(2) - K @ H) @ P
    return x, P


def test_the_filter_steps_are_those_of_the_constant_velocity_kalman_filter():
    cfg = TrackerConfig(process_accel_mps2=1.5, meas_std_m=0.05)
    tr = Tracker(cfg)
    P0 = np.array([[0.04, 0.01], [0.01, 0.3]])
    t = Track(1, np.array([1.0, 2.0, 0.5, -0.25]), P0.copy())
    ref = [(np.array([1.0, 0.5]), P0.copy()), (np.array([2.0, -0.25]), P0.copy())]
    for dt, z in [(0.1, (1.06, 1.97)), (0.125, (1.12, 1.95)), (0.25, None), (0.1, (1.3, 1.9))]:
        tr._predict(t, dt)
        if z is not None:
            tr._correct(t, np.array(z))
        for axis in (0, 1):
            ref[axis] = _reference_kalman(*ref[axis], dt, None if z is None else z[axis], 1.5**2, 0.05**2)
            assert [t.x[axis], t.x[2 + axis]] == pytest.approx(ref[axis][0].tolist(), abs=1e-12)
            assert t.P == pytest.approx(ref[axis][1], abs=1e-12)
    before = (t.x.copy(), t.P.copy())
    tr._predict(t, 0.0)  # no time: nothing moves
    assert (t.x == before[0]).all() and (t.P == before[1]).all()


def test_a_track_is_known_and_moving_exactly_at_its_thresholds():
    cfg = TrackerConfig(confirm_scans=4, confirm_velocity_std_mps=0.25, moving_speed_mps=0.25)
    tr = Tracker(cfg)
    rot = np.eye(2)
    pts = np.zeros((1, 2))

    def view(hits, vel_std, vx, vy=0.0):
        return tr._view(Track(7, np.array([0.0, 0.0, vx, vy]), np.diag([0.01, vel_std**2]), hits), pts, rot)

    assert view(4, 0.25, 0.375).known and view(4, 0.25, 0.375).moving  # 0.375 = 1.5 sigma exactly
    assert not view(3, 0.25, 0.375).known and not view(4, 0.2501, 0.375).known
    assert not view(4, 0.25, 0.3749).moving
    at_rest = view(4, 0.125, 0.25)
    assert at_rest.moving and not view(4, 0.125, 0.2499).moving  # the moving speed, exactly
    assert view(4, 0.125, 0.0, 0.3).velocity == (0.0, 0.3) and at_rest.id == 7
    turned = tr._view(Track(7, np.array([0.0, 0.0, 0.0, 0.5]), np.diag([0.01, 0.01]), 4), pts,
                      np.array([[0.0, -1.0], [1.0, 0.0]]))  # the robot faces +y in the odometry frame
    assert turned.velocity == pytest.approx((0.5, 0.0))  # the person walks straight ahead of it

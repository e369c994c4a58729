"""The observation contract's scan history: the scan half a second ago, seen from where the robot is now."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scan_shapes import room_scan

from genba_perception.scan import bin_ranges
from genba_policy.observation import SCAN_BINS, SCAN_MAX_M, ScanHistory, rebin_from

BEAMS = 360
LASER_IN_BASE = (0.20, 0.0, 0.0)  # x, y, yaw of the laser in base_link


def _laser_pose(pose):
    x, y, yaw = pose
    lx, ly, lyaw = LASER_IN_BASE
    return (
        x + math.cos(yaw) * lx - math.sin(yaw) * ly,
        y + math.sin(yaw) * lx + math.cos(yaw) * ly,
        yaw + lyaw,
    )


def scan_of(pose, walls_r=6.0, posts=()):
    """A 360-beam scan from base_link at ``pose`` inside a round room of radius ``walls_r`` centred on
    the origin, with round posts (x, y, radius) in it."""
    return room_scan(_laser_pose(pose), walls_r, posts, BEAMS)


def binned(ranges):
    return (bin_ranges(ranges, SCAN_BINS, SCAN_MAX_M) / SCAN_MAX_M)[None]


def test_history_gives_the_scan_from_half_a_second_ago_and_starts_afresh_when_time_goes_back():
    h = ScanHistory(LASER_IN_BASE, 0.5)
    scans = [np.full(BEAMS, 1.0 + k / 10) for k in range(10)]
    out = [h.push(k * 0.1, (0.0, 0.0, 0.0), s) for k, s in enumerate(scans)]
    near = [float(np.median(o)) * SCAN_MAX_M for o in out]
    assert near[0] == near[3] == near[5] == 1.0  # less than 0.5 s of history: the oldest scan
    assert abs(near[9] - 1.4) < 1e-6  # then exactly 0.5 s before
    assert len(h.items) <= 7  # bounded
    assert abs(float(np.median(h.push(0.0, (0.0, 0.0, 0.0), scans[1]))) * SCAN_MAX_M - 1.1) < 1e-6


def test_without_motion_the_rebinned_scan_is_the_binned_scan():
    r = scan_of((0.5, -0.3, 0.4), posts=[(2.0, 0.5, 0.3), (-1.0, 2.0, 0.2)])
    same = rebin_from(r, (0.0, 0.0, 0.0))
    assert np.mean(np.abs(same - binned(r)) * SCAN_MAX_M < 0.05) > 0.95


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-1.0, 1.0),
    st.floats(-1.0, 1.0),
    st.floats(-math.pi, math.pi),
    st.floats(0.0, 0.5),
    st.floats(-0.6, 0.6),
)
def test_in_a_still_world_the_moved_scan_matches_the_scan_now(x, y, yaw, forward_m, turn_rad):
    """The robot drives and turns for half a second: the old scan, moved by the odometry, is what
    the laser sees now (the raw old scan is not, for any real motion)."""
    posts = [(2.5, 0.0, 0.3), (-1.5, 2.0, 0.25), (0.0, -2.5, 0.4)]
    then = (x, y, yaw)
    now = (x + forward_m * math.cos(yaw), y + forward_m * math.sin(yaw), yaw + turn_rad)
    h = ScanHistory(LASER_IN_BASE, 0.5)
    h.push(0.0, then, scan_of(then, posts=posts))
    moved = h.push(0.5, now, scan_of(now, posts=posts))
    err = np.abs(moved - binned(scan_of(now, posts=posts)))[0] * SCAN_MAX_M
    assert np.median(err) < 0.05 and np.mean(err < 0.25) > 0.85, np.round(err, 2)


def test_a_person_who_moved_shows_in_the_difference_and_the_still_world_does_not():
    then, now = (0.0, 0.0, 0.0), (0.4, 0.0, 0.1)  # the robot drove 0.4 m and turned a little
    person_then, person_now = (2.5, -1.0, 0.25), (2.5, -0.5, 0.25)  # walked 0.5 m to the robot's left
    h = ScanHistory(LASER_IN_BASE, 0.5)
    h.push(0.0, then, scan_of(then, posts=[person_then]))
    now_scan = binned(scan_of(now, posts=[person_now]))
    diff = np.abs(now_scan - h.push(0.5, now, scan_of(now, posts=[person_now])))[0] * SCAN_MAX_M
    bearing = math.atan2(-0.5 - 0.0, 2.5 - 0.4 - LASER_IN_BASE[0]) - 0.1
    person_sector = int((bearing + math.pi) * SCAN_BINS / (2 * math.pi))
    assert diff[person_sector] > 1.0  # the room wall behind, then the person
    elsewhere = np.delete(diff, range(person_sector - 4, person_sector + 5))
    assert np.mean(elsewhere < 0.1) > 0.9


def test_nothing_in_range_stays_nothing_in_range():
    r = np.full(BEAMS, np.inf)
    out = ScanHistory(LASER_IN_BASE).push(0.0, (0.0, 0.0, 0.0), r)
    assert np.all(out == 1.0)


def test_motion_carries_a_walking_persons_ground_velocity_where_they_are_and_nothing_for_still_things():
    """The robot drives and turns; a person walks at 0.6 m/s across its way; a post stands still.
    After a second of scans the motion input shows the person's velocity over the ground (not
    relative to the robot), radial and tangential to their bearing, in their sectors only."""
    h = ScanHistory(LASER_IN_BASE, 0.5)
    post = (1.5, 2.0, 0.25)
    for k in range(12):
        t = k * 0.1
        pose = (0.3 * t, 0.0, 0.2 * t)
        person = (3.0, -1.5 + 0.6 * t, 0.25)
        h.push(t, pose, scan_of(pose, posts=[post, person]))
    lx, ly, lyaw = _laser_pose(pose)
    c, s = math.cos(lyaw), math.sin(lyaw)
    px, py = c * (person[0] - lx) + s * (person[1] - ly), -s * (person[0] - lx) + c * (person[1] - ly)
    vx, vy = s * 0.6, c * 0.6  # (0, 0.6) in the world, seen in the laser frame
    b = math.atan2(py, px)
    sector = int((b + math.pi) * SCAN_BINS / (2 * math.pi))
    radial, tangential = h.motion[0, :, sector]
    assert radial == pytest.approx(math.cos(b) * vx + math.sin(b) * vy, abs=0.12)
    assert tangential == pytest.approx(-math.sin(b) * vx + math.cos(b) * vy, abs=0.12)
    moving = np.flatnonzero(np.hypot(*h.motion[0]) > 0.2)
    assert set(moving) <= set(range(sector - 3, sector + 4)), moving  # the post and the wall: no motion


def test_obstacle_points_leave_out_people_walking_and_keep_still_things():
    from genba_perception.tracker import Track
    from genba_policy.observation import obstacle_points

    r = scan_of((0.0, 0.0, 0.0), walls_r=20.0, posts=[(2.0, 0.0, 0.25), (0.0, 2.0, 0.25)])
    laser = _laser_pose((0.0, 0.0, 0.0))
    walking = Track(0, np.array([0.0, 2.0, 0.6, 0.0]), np.eye(4), 0.0, hits=5)
    standing = Track(1, np.array([2.0, 0.0, 0.05, 0.0]), np.eye(4), 0.0, hits=5)
    pts = obstacle_points(r, laser, [walking, standing])
    # the post only; walls beyond range
    assert len(pts) > 5 and np.all(np.hypot(pts[:, 0] - 2.0, pts[:, 1]) < 0.4)
    assert len(obstacle_points(r, laser, [])) > len(pts)

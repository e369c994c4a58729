"""The LiDAR object tracker (genba_perception.tracker): small things are cut out of the scan, walls
are not, and a walking person's velocity comes out of a second of scans."""

import math

import numpy as np
import pytest
from scan_shapes import room_scan

from genba_perception.tracker import CONFIRM_HITS, FORGET_S, Tracker, segments

BEAMS = 360
ANGLE_MIN, INC = -math.pi, 2 * math.pi / BEAMS


def scan_from(laser, walls_r=6.0, posts=()):
    return room_scan(laser, walls_r, posts, BEAMS)


def test_posts_are_segments_and_the_wall_is_not():
    segs = segments(scan_from((0.0, 0.0, 0.0), posts=[(2.0, 0.0, 0.25), (-1.0, -2.0, 0.2)]), ANGLE_MIN, INC)
    centres = sorted(tuple(np.round(s.mean(0), 1)) for s in segs)
    assert len(segs) == 2, centres
    assert math.dist(centres[1], (1.8, 0.0)) < 0.15 and math.dist(centres[0], (-0.9, -1.8)) < 0.2


def test_a_segment_across_the_scans_ends_is_one_segment():
    # behind: beams 359 and 0
    segs = segments(scan_from((0.0, 0.0, 0.0), posts=[(-2.0, 0.0, 0.25)]), ANGLE_MIN, INC)
    assert len(segs) == 1 and len(segs[0]) >= 6


def test_nothing_to_see_gives_no_segments():
    assert segments(np.full(BEAMS, np.inf), ANGLE_MIN, INC) == []
    assert segments(np.full(BEAMS, np.nan), ANGLE_MIN, INC) == []


def _walk(tracker, seconds, laser_at, person_at, t0=0.0, still=(1.5, 2.0, 0.2)):
    out = []
    for k in range(int(round(seconds * 10))):
        t = t0 + k * 0.1
        out = tracker.update(
            t, laser_at(t), scan_from(laser_at(t), posts=[still, (*person_at(t), 0.25)]), ANGLE_MIN, INC
        )
    return out


@pytest.mark.parametrize("vx, vy", [(0.0, 0.6), (-0.5, 0.3), (0.8, 0.0)])
def test_a_walking_persons_velocity_over_the_ground_while_the_robot_drives_and_turns(vx, vy):
    tr = Tracker()
    tracks = _walk(tr, 1.5, lambda t: (0.3 * t, 0.0, 0.3 * t), lambda t: (2.5 + vx * t, -1.0 + vy * t))
    person = min(tracks, key=lambda t: math.dist(t.state[:2], (2.5 + vx * 1.4, -1.0 + vy * 1.4)))
    post = min(tracks, key=lambda t: math.dist(t.state[:2], (1.5, 2.0)))
    assert math.dist(person.state[:2], (2.5 + vx * 1.4, -1.0 + vy * 1.4)) < 0.1
    assert person.state[2:] == pytest.approx((vx, vy), abs=0.1)
    assert math.hypot(*post.state[2:]) < 0.1


def test_tracks_are_reported_once_confirmed_and_forgotten_when_gone():
    tr = Tracker()
    laser = (0.0, 0.0, 0.0)
    with_post = scan_from(laser, posts=[(2.0, 0.0, 0.25)])
    seen = [len(tr.update(k * 0.1, laser, with_post, ANGLE_MIN, INC)) for k in range(CONFIRM_HITS)]
    assert seen == [0] * (CONFIRM_HITS - 1) + [1]
    empty, last = scan_from(laser), (CONFIRM_HITS - 1) * 0.1
    for gap in np.arange(0.1, FORGET_S - 0.01, 0.1):
        assert len(tr.update(last + gap, laser, empty, ANGLE_MIN, INC)) == 1  # kept through a short gap
    assert tr.update(last + FORGET_S + 0.05, laser, empty, ANGLE_MIN, INC) == []


def test_time_going_back_starts_afresh_and_the_same_scans_give_the_same_tracks():
    def run():
        tr = Tracker()
        a = _walk(tr, 1.0, lambda t: (0.0, 0.0, 0.0), lambda t: (2.5, -1.0 + 0.5 * t))
        b = _walk(tr, 0.3, lambda t: (0.0, 0.0, 0.0), lambda t: (2.5, -1.0 + 0.5 * t))  # time back to 0
        return a, b

    (a1, b1), (a2, _) = run(), run()
    assert len(a1) == 2 and [t.state.tolist() for t in a1] == [t.state.tolist() for t in a2]
    assert len(b1) == 2 and all(t.hits == CONFIRM_HITS for t in b1)  # new tracks, not the old ones

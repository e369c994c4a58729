"""Synthetic people for training (genba_training.augment): the label of a state with a person
added must be what the teacher says with that person really there."""

import dataclasses
import math

import numpy as np
import pytest

from genba_policy.observation import SCAN_BINS
from genba_sim.world import LASER_XYZ, PED_RADIUS_M
from genba_training.augment import N_LABEL, add_person, person_ranges
from genba_training.scenarios import generate
from genba_training.teacher import (
    AUX_NAMES,
    GEOMETRY_NAMES,
    MAX_PEOPLE,
    Teacher,
    candidate_speeds,
    safest_speed,
    steer,
)

AUX = {n: 2 + i for i, n in enumerate(AUX_NAMES)}


def _teacher_on_path(people=()):
    sc = generate(9003)
    teacher = Teacher(dataclasses.replace(sc, pedestrians=()))
    robot, nxt = teacher.path.point_at(1.0), teacher.path.point_at(1.1)
    pose = (float(robot[0]), float(robot[1]), math.atan2(nxt[1] - robot[1], nxt[0] - robot[0]) + 0.2)
    teacher.people_now = lambda t: list(people)
    return teacher, pose


def _replay(label: np.ndarray) -> tuple[float, float, float]:
    g = {n: N_LABEL + i for i, n in enumerate(GEOMETRY_NAMES)}
    fut = label[g["future_0_0_x"]:g["future_0_0_x"] + 84].reshape(1, 6, 7, 2)
    ppl = label[g["person0_x"]:g["person0_x"] + 20].reshape(1, 4, 5)
    vp = safest_speed(fut, ppl[..., :4], ppl[..., 4] > 0.5, candidate_speeds(0.7))
    v, w = steer(label[g["bearing"]], label[g["path_speed"]], vp, 0.7)
    return float(v[0]), float(w[0]), float(vp[0])


@pytest.mark.parametrize("person", [(0.0, 0.0, 0.0, 0.0), (1.5, 0.5, -0.6, 0.0), (0.3, -1.0, 0.0, 0.7)])
def test_a_states_geometry_gives_back_the_teachers_label(person):
    teacher, pose = _teacher_on_path()
    dx, dy, vx, vy = person
    world = (pose[0] + 2.0 + dx, pose[1] + dy, vx, vy)
    teacher.people_now = lambda t: [world]
    label = np.asarray(teacher.label(pose, 0.0), np.float32)
    v, w, vp = _replay(label)
    assert (v, w) == pytest.approx(tuple(label[:2]), abs=1e-5)
    assert vp / 0.7 == pytest.approx(label[AUX["people_speed"]], abs=1e-5)


def test_person_ranges_sees_a_person_where_they_stand():
    r = person_ranges(np.array([[2.0, 0.0], [0.0, -3.0]]))
    ahead, right = SCAN_BINS // 2, SCAN_BINS // 4
    assert r[0, ahead] == pytest.approx(2.0 - PED_RADIUS_M, abs=0.01)
    assert r[1, right] == pytest.approx(3.0 - PED_RADIUS_M, abs=0.01)
    assert np.isinf(r[0, :ahead - 3]).all() and np.isinf(r[0, ahead + 3:]).all()
    assert np.isfinite(r[1]).sum() <= 4


def test_an_added_person_gets_the_label_the_teacher_gives_with_them_really_there():
    teacher, pose = _teacher_on_path()
    label = np.asarray(teacher.label(pose, 0.0), np.float32)
    n = 300
    scan = np.ones((n, SCAN_BINS), np.float32)  # nothing in range: every placement is visible
    motion = np.zeros((n, 2, SCAN_BINS), np.float32)
    new_scan, new_prev, new_motion, out, added = add_person(
        scan, scan.copy(), motion, np.repeat(label[None], n, 0), np.random.default_rng(3), fraction=1.0
    )
    assert out.shape == (n, N_LABEL) and added.sum() > 100
    assert not np.array_equal(new_scan[added], scan[added]) and np.array_equal(new_scan[~added], scan[~added])
    assert not new_motion[~added].any()
    tracked = (new_motion != 0).any((1, 2))
    assert 0.7 < tracked[added].mean() < 0.9  # the tracker follows TRACKED of them
    c, s = math.cos(pose[2]), math.sin(pose[2])
    slowed = 0
    for k in np.flatnonzero(added)[:60]:
        px, py = out[k, AUX["person_x"]] * 4.0, out[k, AUX["person_y"]] * 4.0
        vx, vy = out[k, AUX["person_vx"]], out[k, AUX["person_vy"]]
        if tracked[k]:  # the motion channels carry their velocity (with the tracker's error) where they are
            lx, ly = px - LASER_XYZ[0], py
            b = math.atan2(ly, lx)
            sector = int((b + math.pi) * SCAN_BINS / (2 * math.pi)) % SCAN_BINS
            radial, tangential = new_motion[k, :, sector]
            assert radial == pytest.approx(math.cos(b) * vx + math.sin(b) * vy, abs=0.4), k
            assert tangential == pytest.approx(-math.sin(b) * vx + math.cos(b) * vy, abs=0.4), k
        # the LiDAR shows them where the label says they are now, and where they were 0.5 s ago
        for scan_k, (qx, qy) in ((new_scan[k], (px, py)), (new_prev[k], (px - 0.5 * vx, py - 0.5 * vy))):
            lx, ly = qx - LASER_XYZ[0], qy
            sector = int((math.atan2(ly, lx) + math.pi) * SCAN_BINS / (2 * math.pi)) % SCAN_BINS
            assert scan_k[sector] * 8.0 == pytest.approx(math.hypot(lx, ly) - PED_RADIUS_M, abs=0.03), k
        world = (pose[0] + c * px - s * py, pose[1] + s * px + c * py, c * vx - s * vy, s * vx + c * vy)
        teacher.people_now = lambda t, p=world: [p]
        truth = teacher.label(pose, 0.0)
        assert out[k, :2] == pytest.approx(truth[:2], abs=1e-4), k
        assert out[k, 2:N_LABEL] == pytest.approx(truth[2:N_LABEL], abs=1e-4), k
        slowed += truth[0] < label[0] - 0.05
    assert slowed > 10  # the people are placed to matter: many make the teacher slow down


def test_no_person_is_added_where_the_lidar_could_not_see_one():
    teacher, pose = _teacher_on_path()
    label = np.repeat(np.asarray(teacher.label(pose, 0.0), np.float32)[None], 100, 0)
    walled = np.full((100, SCAN_BINS), 1.0 / 8.0, np.float32)  # a wall 1 m away all round
    still = np.zeros((100, 2, SCAN_BINS), np.float32)
    scan, prev, motion, out, added = add_person(
        walled, walled.copy(), still, label, np.random.default_rng(0), fraction=1.0
    )
    assert not added.any() and np.array_equal(scan, walled) and np.array_equal(out, label[:, :N_LABEL])
    assert not motion.any()
    _, _, _, out, added = add_person(
        np.ones((100, SCAN_BINS), np.float32),
        np.ones((100, SCAN_BINS), np.float32),
        still,
        label,
        np.random.default_rng(0),
        fraction=0.0,
    )
    assert not added.any() and out.shape == (100, N_LABEL)


def test_a_state_with_more_people_than_its_geometry_keeps_is_refused():
    teacher, pose = _teacher_on_path([(pose_x, 5.0, 0.0, 0.0) for pose_x in range(MAX_PEOPLE + 1)])
    with pytest.raises(ValueError, match="MAX_PEOPLE"):
        teacher.label(pose, 0.0)

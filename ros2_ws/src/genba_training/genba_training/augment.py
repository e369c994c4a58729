"""Synthetic people for training: one more person put into a recorded state, seen by the LiDAR
(scan and scan_prev) and by the tracker (motion, with the tracker's errors), and labelled by the
teacher's own rule (teacher.safest_speed, teacher.steer).

Why: the student fitted the teacher's yielding on its training scenarios but not on new ones; it
had met a few hundred crossings, too few to learn a rule from (models/genba_student_v4.md, "How it
got here"). A recorded state carries its geometry (teacher.GEOMETRY_NAMES: path bearing,
path speed, where the robot would be at each candidate speed, the people there), so a person
walking in at any place and velocity can be added and the teacher's answer worked out exactly,
without the simulator. Every epoch sees new crossings.

The camera cannot see the added person, so the sample's camera features are dropped (as the
modality dropout does), and the LiDAR alone must carry the decision.
"""

from __future__ import annotations

import math

import numpy as np

from genba_policy.observation import SCAN_BINS, SCAN_HISTORY_S, SCAN_MAX_M, motion_channels, sector_of
from genba_sim.world import LASER_XYZ, PED_RADIUS_M
from genba_training.teacher import (
    AUX_NAMES,
    GEOMETRY_NAMES,
    HORIZON_S,
    LOOKAHEAD_M,
    MAX_PEOPLE,
    MAX_SPEED_MPS,
    PERSON_RANGE_M,
    candidate_speeds,
    safest_speed,
    steer,
)

ADD_PERSON = 1.0  # fraction of training samples offered one more person (about 40% of the
# placements are ones the LiDAR could see, and kept)
SPEED_MPS = (0.4, 0.8)  # as the scenario generator's people walk
MEET_SPREAD_M = 0.5  # how far from the robot's future position the person passes (1 sigma)
RAYS_PER_SECTOR = 8
# the tracker as measured on people within 4 m of the robot (seeds 7000-7059, teacher driving): it
# followed 79% of them; velocity error median 0.04 m/s, 90th percentile 0.36 (new tracks, turns)
TRACKED = 0.8
TRACK_VELOCITY_STD_MPS = 0.08

N_LABEL = 2 + len(AUX_NAMES)  # (v, w) + auxiliary targets; the geometry follows
LABEL_COLUMNS = N_LABEL + len(GEOMETRY_NAMES)  # a recorded label, as Teacher.label gives it
_AUX = {n: 2 + i for i, n in enumerate(AUX_NAMES)}
_GEO = {n: N_LABEL + i for i, n in enumerate(GEOMETRY_NAMES)}
N_FUTURES = sum(n.startswith("future_") for n in GEOMETRY_NAMES) // 2


def person_ranges(centre: np.ndarray) -> np.ndarray:
    """[B, SCAN_BINS] range (m) at which each sector first meets a person of radius PED_RADIUS_M at
    ``centre`` [B, 2] (laser frame); inf where it does not."""
    ang = -math.pi + 2 * math.pi * (np.arange(SCAN_BINS * RAYS_PER_SECTOR) + 0.5) / (
        SCAN_BINS * RAYS_PER_SECTOR
    )
    ux, uy = np.cos(ang), np.sin(ang)
    along = centre[:, :1] * ux + centre[:, 1:] * uy  # [B, rays]
    off2 = (centre**2).sum(1, keepdims=True) - along**2
    inside = PED_RADIUS_M**2 - off2
    hit = np.where((inside >= 0) & (along > 0), along - np.sqrt(np.maximum(inside, 0.0)), np.inf)
    return hit.reshape(len(centre), SCAN_BINS, RAYS_PER_SECTOR).min(2)


def add_person(
    scan: np.ndarray,
    scan_prev: np.ndarray,
    motion: np.ndarray,
    label: np.ndarray,
    rng: np.random.Generator,
    fraction: float = ADD_PERSON,
    lookahead_m: float = LOOKAHEAD_M,
    max_speed_mps: float = MAX_SPEED_MPS,
) -> tuple[np.ndarray, ...]:
    """Put one more person into a ``fraction`` of the samples. ``label`` carries (v, w), the
    auxiliary targets and the geometry (teacher.Teacher.label). Returns new (scan, scan_prev,
    motion, label without the geometry) and the boolean mask of samples that got a person. The
    tracker follows TRACKED of the people added, with Gaussian velocity errors; where it does, the
    person's velocity goes into the motion channels of the sectors where they are the nearest thing.

    The person is placed to pass near where the robot would be after a random horizon at a random
    forward candidate speed, walking at 0.4-0.8 m/s in a random direction; a placement that the
    LiDAR could not see (behind something, inside something, out of PERSON_RANGE_M) is dropped."""
    b = len(label)
    scan, scan_prev, motion, out = scan.copy(), scan_prev.copy(), motion.copy(), label[:, :N_LABEL].copy()
    futures = label[:, _GEO["future_0_0_x"] : _GEO["future_0_0_x"] + 2 * N_FUTURES].reshape(
        b, -1, len(HORIZON_S), 2
    )
    people = label[:, _GEO["person0_x"] : _GEO["person0_x"] + 5 * MAX_PEOPLE].reshape(b, MAX_PEOPLE, 5)
    pick = rng.random(b) < fraction
    h = rng.integers(1, len(HORIZON_S), b)
    c = rng.integers(0, 4, b)  # a forward candidate (full speed down to a quarter)
    meet = futures[np.arange(b), c, h] + rng.normal(0.0, MEET_SPREAD_M, (b, 2))
    speed = rng.uniform(*SPEED_MPS, b)
    heading = rng.uniform(-math.pi, math.pi, b)
    vel = np.stack([speed * np.cos(heading), speed * np.sin(heading)], 1)
    now = meet - vel * np.asarray(HORIZON_S)[h][:, None]
    then = now - vel * SCAN_HISTORY_S
    laser = np.array(LASER_XYZ[:2])
    seen, seen_then = person_ranges(now - laser), person_ranges(then - laser)
    dist = np.hypot(*now.T)
    # visible: where the person is, the recorded scan reaches past them (else they would stand in a
    # wall or behind one), now and 0.5 s ago
    behind = scan[np.arange(b), sector_of(*(now - laser).T)] * SCAN_MAX_M
    behind_then = scan_prev[np.arange(b), sector_of(*(then - laser).T)] * SCAN_MAX_M
    pick &= (dist > 0.9) & (dist < PERSON_RANGE_M) & (behind > np.hypot(*(now - laser).T) + 2 * PED_RADIUS_M)
    pick &= behind_then > np.hypot(*(then - laser).T) + 2 * PED_RADIUS_M
    tracked = rng.random(b) < TRACKED
    vel_seen = vel + rng.normal(0.0, TRACK_VELOCITY_STD_MPS, (b, 2))
    if not pick.any():
        return scan, scan_prev, motion, out, pick
    i = np.flatnonzero(pick)
    for k in i[tracked[i]]:
        m = motion_channels(np.array([[*now[k], *vel_seen[k]]]), (*laser, 0.0))[0]
        nearest = (m != 0).any(0) & (seen[k] <= scan[k] * SCAN_MAX_M + 1e-6)
        motion[k][:, nearest] = m[:, nearest]
    scan[i] = np.minimum(scan[i], np.minimum(seen[i], SCAN_MAX_M) / SCAN_MAX_M)
    scan_prev[i] = np.minimum(scan_prev[i], np.minimum(seen_then[i], SCAN_MAX_M) / SCAN_MAX_M)
    everyone = np.concatenate([people[i, :, :4], np.concatenate([now[i], vel[i]], 1)[:, None]], 1)
    present = np.concatenate([people[i, :, 4] > 0.5, np.ones((len(i), 1), bool)], 1)
    v_people = safest_speed(futures[i], everyone, present, candidate_speeds(max_speed_mps))
    v, w = steer(label[i, _GEO["bearing"]], label[i, _GEO["path_speed"]], v_people, lookahead_m)
    out[i, 0], out[i, 1] = v, w
    out[i, _AUX["people_speed"]] = v_people / max_speed_mps
    nearer = (out[i, _AUX["person_present"]] < 0.5) | (
        dist[i] < PERSON_RANGE_M * np.hypot(out[i, _AUX["person_x"]], out[i, _AUX["person_y"]])
    )
    j = i[nearer]
    out[j, _AUX["person_x"]], out[j, _AUX["person_y"]] = (
        now[j, 0] / PERSON_RANGE_M,
        now[j, 1] / PERSON_RANGE_M,
    )
    out[j, _AUX["person_vx"]], out[j, _AUX["person_vy"]] = vel[j, 0], vel[j, 1]
    out[j, _AUX["person_present"]] = 1.0
    return scan, scan_prev, motion, out, pick

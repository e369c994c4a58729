"""Moving-object tracker for a 2D LiDAR: the scan cut into small segments (people, crates, legs of
things), each followed over time by a constant-velocity Kalman filter in the odometry frame.

Why it exists: the policy must know which way people walk and how fast. Two binned scans half a
second apart tell it badly (a sector is 0.3 m wide at 3 m; the student's velocity estimate was off
by 0.4 m/s, the level of error at which the teacher itself starts hitting people). A track over a
second of full-resolution scans is off by about a tenth of that.

Plain numpy: no ROS, deterministic (no random numbers), driven by (stamp, laser pose, ranges).
Walls and other long surfaces are not tracked; small static things are, with a velocity near zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

JUMP_M = 0.25            # a range jump larger than this (plus JUMP_PER_M * range) starts a new segment
JUMP_PER_M = 0.03
MAX_WIDTH_M = 0.8        # segments larger than this (bounding-box diagonal) are walls, not objects
MIN_POINTS = 3
CENTRE_BEHIND_M = 0.15  # a segment's centre lies this far behind its visible surface (a person's radius 0.25)
GATE_M = 0.7  # farthest a measurement may be from a track's prediction to update it
ACCEL_STD_MPS2 = 1.5  # process noise: how sharply tracked things change velocity (people turn round)
MEAS_STD_M = 0.06
CONFIRM_HITS = 3  # measurements before a track is reported
FORGET_S = 0.5  # a track not seen for this long is dropped


@dataclass
class Track:
    """A tracked object in the odometry frame: state (x, y, vx, vy) and its covariance."""

    track_id: int
    state: np.ndarray
    cov: np.ndarray
    stamp_s: float
    hits: int = 1
    last_seen_s: float = 0.0

    @property
    def confirmed(self) -> bool:
        return self.hits >= CONFIRM_HITS


def segments(ranges: np.ndarray, angle_min: float, angle_increment: float) -> list[np.ndarray]:
    """Points [n, 2] (laser frame) of each small object in a scan: runs of valid beams without a
    range jump, at most MAX_WIDTH_M across and at least MIN_POINTS long. A run crossing the end of a
    full-circle scan is joined up."""
    r = np.asarray(ranges, np.float64)
    n = r.size
    ang = angle_min + angle_increment * np.arange(n)
    valid = np.isfinite(r)
    if not valid.any():
        return []
    full_circle = abs(angle_increment * n - 2 * math.pi) < 1e-6
    breaks = np.ones(n, bool)  # breaks[i]: beam i starts a new run
    prev = np.roll(r, 1)
    ok = valid & np.roll(valid, 1)
    breaks[ok] = np.abs(r[ok] - prev[ok]) > JUMP_M + JUMP_PER_M * np.minimum(r[ok], prev[ok])
    if not full_circle:
        breaks[0] = True
    starts = np.flatnonzero(breaks | ~valid)
    order = np.roll(np.arange(n), -int(starts[0]) if starts.size else 0)
    runs, cur = [], []
    for i in order:
        if not valid[i]:
            if cur:
                runs.append(cur)
            cur = []
            continue
        if breaks[i] and cur:
            runs.append(cur)
            cur = []
        cur.append(i)
    if cur:
        runs.append(cur)
    out = []
    for run in runs:
        if len(run) < MIN_POINTS:
            continue
        idx = np.asarray(run)
        pts = np.column_stack((r[idx] * np.cos(ang[idx]), r[idx] * np.sin(ang[idx])))
        if np.hypot(*np.ptp(pts, 0)) <= MAX_WIDTH_M:  # the extent, not the ends: a run may curl round
            out.append(pts)
    return out


def centre_of(points: np.ndarray) -> np.ndarray:
    """Where a small object's centre lies: the mean of its visible points, pushed CENTRE_BEHIND_M
    further along the ray from the laser."""
    c = points.mean(0)
    d = float(np.hypot(*c))
    return c * (d + CENTRE_BEHIND_M) / d if d > 1e-6 else c


class Tracker:
    """Tracks small objects over scans. ``update`` takes one scan with the laser's pose (x, y, yaw)
    in the odometry frame and returns the confirmed tracks."""

    def __init__(self) -> None:
        self.tracks: list[Track] = []
        self.next_id = 0
        self.stamp_s: float | None = None

    def reset(self) -> None:
        self.tracks, self.stamp_s = [], None

    def update(
        self,
        stamp_s: float,
        laser_pose: tuple[float, float, float],
        ranges: np.ndarray,
        angle_min: float,
        angle_increment: float,
    ) -> list[Track]:
        if self.stamp_s is not None and stamp_s < self.stamp_s:
            self.reset()  # time went backwards (sim reset, bag loop): start afresh
        self.stamp_s = stamp_s
        lx, ly, lyaw = laser_pose
        c, s = math.cos(lyaw), math.sin(lyaw)
        meas = []
        for pts in segments(ranges, angle_min, angle_increment):
            px, py = centre_of(pts)
            meas.append((lx + c * px - s * py, ly + s * px + c * py))
        for t in self.tracks:
            _predict(t, stamp_s)
        # greedy nearest-neighbour association, closest pairs first
        pairs = sorted(
            (math.dist(t.state[:2], m), ti, mi)
            for ti, t in enumerate(self.tracks)
            for mi, m in enumerate(meas)
        )
        used_t, used_m = set(), set()
        for d, ti, mi in pairs:
            if d > GATE_M or ti in used_t or mi in used_m:
                continue
            used_t.add(ti)
            used_m.add(mi)
            _correct(self.tracks[ti], np.asarray(meas[mi]))
            self.tracks[ti].hits += 1
            self.tracks[ti].last_seen_s = stamp_s
        for mi, m in enumerate(meas):
            if mi not in used_m:
                cov = np.diag([MEAS_STD_M**2, MEAS_STD_M**2, 1.0, 1.0])
                self.tracks.append(
                    Track(self.next_id, np.array([m[0], m[1], 0.0, 0.0]), cov, stamp_s, last_seen_s=stamp_s)
                )
                self.next_id += 1
        self.tracks = [t for t in self.tracks if stamp_s - t.last_seen_s <= FORGET_S]
        return [t for t in self.tracks if t.confirmed]


def _predict(t: Track, stamp_s: float) -> None:
    dt = stamp_s - t.stamp_s
    if dt <= 0:
        return
    f = np.eye(4)
    f[0, 2] = f[1, 3] = dt
    q1 = np.array([[dt**4 / 4, dt**3 / 2], [dt**3 / 2, dt**2]]) * ACCEL_STD_MPS2**2
    q = np.zeros((4, 4))
    q[np.ix_([0, 2], [0, 2])] = q1
    q[np.ix_([1, 3], [1, 3])] = q1
    t.state = f @ t.state
    t.cov = f @ t.cov @ f.T + q
    t.stamp_s = stamp_s


def _correct(t: Track, z: np.ndarray) -> None:
    h = np.zeros((2, 4))
    h[0, 0] = h[1, 1] = 1.0
    s = h @ t.cov @ h.T + np.eye(2) * MEAS_STD_M**2
    k = t.cov @ h.T @ np.linalg.inv(s)
    t.state = t.state + k @ (z - h @ t.state)
    t.cov = (np.eye(4) - k @ h) @ t.cov

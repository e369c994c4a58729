"""The supervisor's own tracks of what moves, from the raw scan alone (not from perception).

Each scan is cut into clusters of neighbouring returns; a cluster wider than a person is
structure. The rest are associated across scans in the odometry frame and filtered with a
constant-velocity Kalman filter. A track whose velocity is not yet estimated is *unknown* and
is assumed to move at the conservative human speed (1.6 m/s, ISO 13855) in any direction.
Pure numpy, time injected through the scan stamps, deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

HUMAN_SPEED_MPS = 1.6  # ISO 13855 walking speed for a person approaching a machine


@dataclass(frozen=True)
class TrackerConfig:
    cluster_gap_m: float = 0.20  # neighbouring returns closer than this (plus beam spread) join
    max_person_extent_m: float = 0.9  # a cluster wider than this is structure, not a person
    max_range_m: float = 8.0  # returns farther than this are not tracked
    gate_m: float = 0.6  # association gate around the predicted position
    meas_std_m: float = 0.05  # position noise of a cluster centre
    process_accel_mps2: float = 1.5  # white-acceleration process noise of the filter
    confirm_scans: int = 4  # scans before a velocity counts as estimated
    confirm_velocity_std_mps: float = 0.3  # ...and its standard deviation must be below this
    static_cell_m: float = 0.25  # grid in the odometry frame that remembers what stays put
    static_after_s: float = 2.5  # a cell hit without a break for this long holds structure
    static_gap_s: float = 0.5  # ...a break longer than this starts its run afresh
    person_radius_m: float = 0.4  # returns this close to where a followed person should be are theirs
    max_tracks: int = 24  # at most this many clusters are followed (the nearest); the rest are structure
    max_speed_mps: float = 2.5  # faster than this is a wrong association: the velocity starts afresh
    moving_speed_mps: float = 0.25  # known tracks slower than this (or 1.5 sigma) are at rest
    max_missed_scans: int = 3  # a track not seen for this many scans is dropped
    unknown_speed_mps: float = HUMAN_SPEED_MPS


@dataclass
class Track:
    """One cluster followed over scans, in the odometry frame."""

    id: int
    x: np.ndarray  # [px, py, vx, vy]
    P: np.ndarray  # 2x2 covariance of (position, velocity), the same for both axes (same noise, same start)
    hits: int = 1
    missed: int = 0

    @property
    def velocity(self) -> tuple[float, float]:
        return float(self.x[2]), float(self.x[3])

    @property
    def speed(self) -> float:
        return math.hypot(self.x[2], self.x[3])

    @property
    def position_std_m(self) -> float:
        return math.sqrt(self.P[0, 0])

    @property
    def velocity_std_mps(self) -> float:
        return math.sqrt(self.P[1, 1])


@dataclass(frozen=True)
class TrackView:
    """A track as the separation monitor sees it, in base_link at the scan's time."""

    id: int
    points: np.ndarray  # the cluster's returns (N, 2), base_link
    velocity: tuple[float, float]  # base_link axes, m/s (of the track over ground)
    position_std_m: float
    velocity_std_mps: float
    known: bool  # velocity estimated; otherwise assume unknown_speed_mps any way
    moving: bool  # known and at least moving_speed_mps

    @property
    def centre(self) -> tuple[float, float]:
        c = self.points.mean(axis=0)
        return float(c[0]), float(c[1])


def segment_labels(
    points: np.ndarray, ranges: np.ndarray, angle_increment: float, gap_m: float
) -> tuple[np.ndarray, int]:
    """The cluster of each return (labels 0..k-1) and k. A cluster is a run of consecutive returns
    (in beam order) whose neighbours are closer than ``gap_m`` plus the spread of two beams at that
    range; the run that crosses the scan's seam joins its other end (label 0) when they are close."""
    n = len(points)
    if n == 0:
        return np.zeros(0, np.int64), 0
    labels = np.zeros(n, np.int64)
    if n > 1:
        d = np.hypot(*(points[1:] - points[:-1]).T)
        spread = 2.5 * abs(angle_increment) * np.minimum(ranges[1:], ranges[:-1])
        labels[1:] = np.cumsum(d > gap_m + spread)
    k = int(labels[-1]) + 1
    seam = gap_m + 2.5 * abs(angle_increment) * min(ranges[0], ranges[-1])
    if k > 1 and math.hypot(*(points[0] - points[-1])) <= seam:
        labels[labels == k - 1] = 0
        k -= 1
    return labels, k


@dataclass
class Tracker:
    """Associates clusters across scans and filters them; :meth:`update` once per scan."""

    cfg: TrackerConfig = TrackerConfig()
    tracks: list[Track] = field(default_factory=list)
    structure: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # base_link, last scan
    _next_id: int = 1
    _stamp: float | None = None
    _cells: dict = field(default_factory=dict)  # (i, j) -> (first, last) stamp of an unbroken run of hits

    def reset(self) -> None:
        self.tracks.clear()
        self._cells.clear()
        self._stamp = None

    def _persistent(self, pts_odom: np.ndarray, stamp: float) -> np.ndarray:
        """Which returns fall in cells hit without a break for ``static_after_s``; records this scan."""
        cfg = self.cfg
        keys = [tuple(k) for k in np.floor(pts_odom / cfg.static_cell_m).astype(np.int64).tolist()]
        cells = self._cells
        out = np.zeros(len(keys), bool)
        for n, k in enumerate(keys):
            run = cells.get(k)
            if run is None or stamp - run[1] > cfg.static_gap_s:
                run = (stamp, stamp)
            else:
                run = (run[0], stamp)
            cells[k] = run
            out[n] = run[1] - run[0] >= cfg.static_after_s
        if len(cells) > 4 * len(keys) + 256:
            self._cells = {k: r for k, r in cells.items() if stamp - r[1] <= cfg.static_gap_s}
        return out

    def update(
        self,
        points: np.ndarray,
        ranges: np.ndarray,
        angle_increment: float,
        pose: tuple[float, float, float],
        stamp: float,
    ) -> list[TrackView]:
        """Feed one scan: ``points`` (N, 2) in base_link in beam order with their ``ranges``, the
        robot's odometry ``pose`` (x, y, yaw) and the scan's stamp (s). Returns the tracks seen in
        this scan, in base_link; :attr:`structure` holds the returns that are not tracked."""
        cfg = self.cfg
        if self._stamp is not None and not (stamp > self._stamp):
            # A scan not newer than the last: its velocities cannot be trusted, start afresh.
            self.reset()
        dt = 0.0 if self._stamp is None else stamp - self._stamp
        self._stamp = stamp
        if dt > 1.0:  # too long a gap to associate across
            self.tracks.clear()
            dt = 0.0
        x0, y0, yaw = pose
        c, s = math.cos(yaw), math.sin(yaw)
        rot = np.array([[c, -s], [s, c]])
        near = np.isfinite(ranges) & (ranges <= cfg.max_range_m)
        idx_near = np.flatnonzero(near)
        near_odom = points[idx_near] @ rot.T + (x0, y0)
        for t in self.tracks:
            self._predict(t, dt)
        # A person already followed claims the returns round where they should be now, whatever else
        # lies next to them (a shelf, a box, their own footprints in the static grid).
        persistent = self._persistent(near_odom, stamp)
        followed = [i for i, t in enumerate(self.tracks)
                    if t.hits >= cfg.confirm_scans and t.speed >= cfg.moving_speed_mps and t.missed == 0]
        owner = np.full(len(idx_near), -1)
        if followed and len(idx_near):
            centres_t = np.array([self.tracks[i].x[:2] for i in followed])
            d2 = ((near_odom[:, None, :] - centres_t[None, :, :]) ** 2).sum(axis=2)
            k = d2.argmin(axis=1)
            close = d2[np.arange(len(k)), k] <= cfg.person_radius_m**2
            owner[close] = np.asarray(followed)[k[close]]
        free = owner < 0
        # Returns where something has stood for a while are structure.
        static = persistent & free
        structure = [points[~near], points[idx_near[static]]]
        dyn = free & ~persistent
        idx_dyn = idx_near[dyn]
        dyn_odom = near_odom[dyn]
        pts_dyn, r_dyn = points[idx_dyn], ranges[idx_dyn]
        labels, k = segment_labels(pts_dyn, r_dyn, angle_increment, cfg.cluster_gap_m)
        small, meas, claimed = [], [], {}
        for i in followed:
            mine = owner == i
            if mine.any():
                claimed[len(meas)] = i
                small.append(points[idx_near[mine]])
                meas.append(near_odom[mine])
        if k:
            # Per cluster, without a Python loop over them: its extent and its nearest return.
            lo, hi, nearest = np.full((k, 2), np.inf), np.full((k, 2), -np.inf), np.full(k, np.inf)
            np.minimum.at(lo, labels, pts_dyn)
            np.maximum.at(hi, labels, pts_dyn)
            np.minimum.at(nearest, labels, r_dyn)
            person_sized = np.flatnonzero(np.hypot(*(hi - lo).T) <= cfg.max_person_extent_m)
            # Bounded work whatever the scan holds (rain, foliage, a broken sensor): the nearest clusters
            # are followed, the rest count as structure (the zones judge them as obstacles).
            room = max(0, cfg.max_tracks - len(small))
            chosen = person_sized[np.argsort(nearest[person_sized], kind="stable")][:room]
            for j in chosen:
                mine = labels == j
                small.append(pts_dyn[mine])
                meas.append(dyn_odom[mine])
            followed_cluster = np.zeros(k, bool)
            followed_cluster[chosen] = True
            structure.append(pts_dyn[~followed_cluster[labels]])
        self.structure = np.concatenate(structure)
        centres = np.array([m.mean(axis=0) for m in meas]).reshape(-1, 2)
        pairs = []
        if self.tracks and len(centres):
            pos = np.array([t.x[:2] for t in self.tracks])
            gate = cfg.gate_m + 3.0 * np.array([t.position_std_m for t in self.tracks])
            dist = np.hypot(pos[:, None, 0] - centres[None, :, 0], pos[:, None, 1] - centres[None, :, 1])
            taken_t = set(claimed.values())
            for i, j in zip(*np.nonzero(dist <= gate[:, None]), strict=True):
                if int(i) not in taken_t and int(j) not in claimed:
                    pairs.append((float(dist[i, j]), self.tracks[i].id, int(i), int(j)))
        pairs.sort()
        used_t, used_m, matched = set(claimed.values()), set(claimed), dict(claimed)
        for _, _, i, j in pairs:
            if i not in used_t and j not in used_m:
                used_t.add(i)
                used_m.add(j)
                matched[j] = i
        kept: list[Track] = []
        views: list[TrackView] = []
        for j in range(len(meas)):
            if j in matched:
                t = self.tracks[matched[j]]
                self._correct(t, centres[j])
                if t.speed > cfg.max_speed_mps:
                    t.x[2:] = 0.0
                    t.P = np.array([[t.P[0, 0], 0.0], [0.0, cfg.unknown_speed_mps**2]])
                    t.hits = 0
                t.hits += 1
                t.missed = 0
            else:
                v0 = cfg.unknown_speed_mps**2
                t = Track(self._next_id, np.array([*centres[j], 0.0, 0.0]), np.diag([cfg.meas_std_m**2, v0]))
                self._next_id += 1
            kept.append(t)
            views.append(self._view(t, small[j], rot))
        for i, t in enumerate(self.tracks):
            if i not in used_t:
                t.missed += 1
                if t.missed < cfg.max_missed_scans:
                    kept.append(t)
        self.tracks = sorted(kept, key=lambda t: t.id)
        return views

    def _view(self, t: Track, pts_base: np.ndarray, rot: np.ndarray) -> TrackView:
        cfg = self.cfg
        known = t.hits >= cfg.confirm_scans and t.velocity_std_mps <= cfg.confirm_velocity_std_mps
        v_base = rot.T @ t.x[2:4]
        return TrackView(
            t.id,
            pts_base,
            (float(v_base[0]), float(v_base[1])),
            t.position_std_m,
            t.velocity_std_mps,
            known,
            known and t.speed >= max(cfg.moving_speed_mps, 1.5 * t.velocity_std_mps),
        )

    def _predict(self, t: Track, dt: float) -> None:
        """Constant velocity over ``dt`` with white-acceleration noise, per axis."""
        if dt <= 0.0:
            return
        q = self.cfg.process_accel_mps2**2
        (pp, pv), (_, vv) = t.P
        t.x[0] += dt * t.x[2]
        t.x[1] += dt * t.x[3]
        pp = pp + 2 * dt * pv + dt * dt * vv + q * dt**4 / 4
        pv = pv + dt * vv + q * dt**3 / 2
        vv = vv + q * dt * dt
        t.P = np.array([[pp, pv], [pv, vv]])

    def _correct(self, t: Track, z: np.ndarray) -> None:
        """A position measurement of the cluster centre, per axis."""
        (pp, pv), (_, vv) = t.P
        s = pp + self.cfg.meas_std_m**2
        kp, kv = pp / s, pv / s
        for axis in (0, 1):
            y = z[axis] - t.x[axis]
            t.x[axis] += kp * y
            t.x[2 + axis] += kv * y
        t.P = np.array([[(1 - kp) * pp, (1 - kp) * pv], [(1 - kp) * pv, vv - kv * pv]])

"""Turns a stream of LiDAR measurements into LaserScans with a fixed beam count.

SLAM tools reject scans whose beam count varies, so every scan has exactly ``beams`` beams from
-pi to pi (REP-103: counter-clockwise, x forward). Each beam keeps the nearest return that fell
into it; a beam with no measurement is NaN, a return beyond range_max +inf, closer than range_min
-inf (REP-117). The stamp is the time of the revolution's first measurement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from genba_perception.lidar_protocols import Measurement


@dataclass(frozen=True)
class ScanFrame:
    stamp: float
    ranges: np.ndarray        # float32, len == beams
    intensities: np.ndarray
    scan_time: float
    time_increment: float
    angle_min: float
    angle_increment: float
    points: int


class ScanAssembler:
    def __init__(self, beams: int = 360, range_min: float = 0.02, range_max: float = 12.0,
                 clockwise: bool = True, yaw_offset_rad: float = 0.0) -> None:
        if beams < 8:
            raise ValueError("beams must be >= 8")
        self.beams, self.range_min, self.range_max = beams, range_min, range_max
        self.sign = -1.0 if clockwise else 1.0
        self.yaw_offset = yaw_offset_rad
        self.increment = 2.0 * math.pi / beams
        self._angles: list[float] = []
        self._dists: list[float] = []
        self._intens: list[float] = []
        self._start: float | None = None
        self._last_angle: float | None = None
        self._last_rev_start: float | None = None
        self.scans = 0

    def add(self, m: Measurement, now: float) -> ScanFrame | None:
        """Add one measurement; returns the finished scan when a revolution completes."""
        wrapped = m.new_revolution or (
            self._last_angle is not None and m.angle_deg < self._last_angle - 180.0
        )
        self._last_angle = m.angle_deg
        frame = None
        if wrapped and self._angles:
            frame = self._finish(now)
        if self._start is None:
            self._start = now
        self._angles.append(m.angle_deg)
        self._dists.append(m.distance_m)
        self._intens.append(m.intensity)
        return frame

    def _finish(self, now: float) -> ScanFrame:
        start = self._start if self._start is not None else now
        scan_time = (start - self._last_rev_start) if self._last_rev_start is not None else (now - start)
        self._last_rev_start = start
        ang = self.sign * np.radians(np.asarray(self._angles)) + self.yaw_offset
        idx = (np.round((np.mod(ang + math.pi, 2 * math.pi)) / self.increment).astype(int)) % self.beams
        d = np.asarray(self._dists, dtype=np.float32)
        q = np.asarray(self._intens, dtype=np.float32)
        r = d.copy()
        r[d <= 0.0] = np.nan  # no echo / invalid reading
        r[d > self.range_max] = np.inf
        r[(d > 0.0) & (d < self.range_min)] = -np.inf
        ranges = np.full(self.beams, np.nan, np.float32)
        intens = np.zeros(self.beams, np.float32)
        # nearest return per beam: sort so the smallest finite value is written last
        key = np.where(np.isnan(r), np.inf, np.where(np.isneginf(r), -1.0, r))
        order = np.argsort(-key, kind="stable")
        valid_first = ~np.isnan(r[order])
        ranges[idx[order][valid_first]] = r[order][valid_first]
        intens[idx[order][valid_first]] = q[order][valid_first]
        n = len(self._angles)
        self._angles, self._dists, self._intens = [], [], []
        self._start = None
        self.scans += 1
        scan_time = max(scan_time, 1e-6)
        return ScanFrame(
            start, ranges, intens, scan_time, scan_time / self.beams, -math.pi, self.increment, n
        )

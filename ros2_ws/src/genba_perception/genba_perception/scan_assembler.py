"""Turns a stream of LiDAR measurements into LaserScans with a fixed beam count.

SLAM tools reject scans whose beam count varies, so every scan has exactly ``beams`` beams from
-pi to pi (REP-103: counter-clockwise, x forward). A device angle theta (degrees, clockwise for
``clockwise`` units) lands at ``angle_offset_rad - theta`` (``+ theta`` counter-clockwise). Each beam
keeps the nearest return that fell into it; a beam with no measurement is NaN, a return beyond
range_max +inf, closer than range_min -inf (REP-117).

A revolution ends where the scan's angles wrap (at +-pi), so its beams are measured in index order,
and LaserScan's per-beam timing holds: beam i at ``stamp + i * time_increment``. A unit turning
clockwise measures beam 0 last: its stamp is the time of beam 0, and time_increment is negative.
The first revolution after start-up is partial and is dropped, as the vendors' drivers do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from genba_perception.lidar_protocols import Measurement

# (device angles deg, distances m, intensities) of one revolution -> mask of the returns to keep
PointFilter = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ScanFrame:
    stamp: float  # time of beam 0
    ranges: np.ndarray  # float32, len == beams
    intensities: np.ndarray
    scan_time: float
    time_increment: float  # beam i was measured at stamp + i * time_increment
    angle_min: float
    angle_increment: float
    points: int


class ScanAssembler:
    def __init__(self, beams: int = 360, range_min: float = 0.02, range_max: float = 12.0,
                 clockwise: bool = True, angle_offset_rad: float = 0.0,
                 point_filter: PointFilter | None = None) -> None:
        if beams < 8:
            raise ValueError("beams must be >= 8")
        self.beams, self.range_min, self.range_max = beams, range_min, range_max
        self.sign = -1.0 if clockwise else 1.0
        self.angle_offset = angle_offset_rad
        self.point_filter = point_filter
        self.increment = 2.0 * math.pi / beams
        self._angles: list[float] = []  # device angles (deg), for the point filter
        self._scan_angles: list[float] = []  # the same in the scan, computed once on arrival
        self._dists: list[float] = []
        self._intens: list[float] = []
        self._start: float | None = None
        self._first_angle = 0.0
        self._last_angle: float | None = None
        self._last_rev_start: float | None = None
        self._started = False
        self.scans = 0
        self.partial_dropped = 0  # revolutions dropped because they were not whole (start-up)
        self.filtered = 0  # returns the point filter removed
        self.too_close = 0  # returns closer than range_min

    def scan_angle(self, device_deg: float) -> float:
        """The REP-103 angle, in [-pi, pi), of a device angle."""
        a = self.angle_offset + self.sign * math.radians(device_deg)
        return (a + math.pi) % (2.0 * math.pi) - math.pi

    def add(self, m: Measurement, now: float) -> ScanFrame | None:
        """Add one measurement; returns the finished scan when a revolution completes."""
        angle = self.scan_angle(m.angle_deg)
        wrapped = self._last_angle is not None and abs(angle - self._last_angle) > math.pi
        self._last_angle = angle
        frame = None
        if wrapped:
            if self._started:
                frame = self._finish(now)
            else:
                self._started = True
                self.partial_dropped += 1
                self._clear()
        if self._start is None:
            self._start, self._first_angle = now, angle
        self._angles.append(m.angle_deg)
        self._scan_angles.append(angle)
        self._dists.append(m.distance_m)
        self._intens.append(m.intensity)
        return frame

    def _clear(self) -> None:
        self._angles, self._scan_angles, self._dists, self._intens = [], [], [], []
        self._start = None

    def _finish(self, now: float) -> ScanFrame:
        start = self._start if self._start is not None else now
        scan_time = (start - self._last_rev_start) if self._last_rev_start is not None else (now - start)
        scan_time = max(scan_time, 1e-6)
        self._last_rev_start = start
        dev = np.asarray(self._angles)
        idx = np.round((np.asarray(self._scan_angles) + math.pi) / self.increment).astype(int) % self.beams
        d = np.asarray(self._dists, dtype=np.float32)
        q = np.asarray(self._intens, dtype=np.float32)
        if self.point_filter is not None:
            keep = self.point_filter(dev, d, q)
            self.filtered += int(np.count_nonzero(~keep & (d > 0.0)))
            d = np.where(keep, d, 0.0).astype(np.float32)
        r = d.copy()
        r[d <= 0.0] = np.nan  # no echo / invalid reading
        r[d > self.range_max] = np.inf
        close = (d > 0.0) & (d < self.range_min)
        r[close] = -np.inf
        self.too_close += int(np.count_nonzero(close))
        ranges = np.full(self.beams, np.nan, np.float32)
        intens = np.zeros(self.beams, np.float32)
        # nearest return per beam: sort so the smallest finite value is written last
        key = np.where(np.isnan(r), np.inf, np.where(np.isneginf(r), -1.0, r))
        order = np.argsort(-key, kind="stable")
        valid_first = ~np.isnan(r[order])
        ranges[idx[order][valid_first]] = r[order][valid_first]
        intens[idx[order][valid_first]] = q[order][valid_first]
        n = len(self._angles)
        # beam 0 (-pi) in time: the first measurement was at _first_angle, the unit turns at
        # 2 pi / scan_time; clockwise it reaches -pi last, counter-clockwise it has just passed it
        frac = ((self._first_angle + math.pi) % (2 * math.pi)) / (2 * math.pi)
        if self.sign < 0:
            stamp, time_increment = start + frac * scan_time, -scan_time / self.beams
        else:
            stamp, time_increment = start - frac * scan_time, scan_time / self.beams
        self._clear()
        self.scans += 1
        return ScanFrame(stamp, ranges, intens, scan_time, time_increment, -math.pi, self.increment, n)

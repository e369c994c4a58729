"""Collision zones in base_link from a 2D scan: footprint-aware stop / slow-down boxes and TTC."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from genba_common.ranges import usable_ranges


@dataclass(frozen=True)
class Footprint:
    """Rectangle around base_link (metres): x in [-rear, front], y in [-half_width, half_width]."""
    front_m: float = 0.30
    rear_m: float = 0.30
    half_width_m: float = 0.25

    def inflated(self, margin: float, front_extra: float = 0.0, rear_extra: float = 0.0) -> "Footprint":
        return Footprint(self.front_m + margin + front_extra, self.rear_m + margin + rear_extra,
                         self.half_width_m + margin)

    def polygon(self) -> list[tuple[float, float]]:
        return [(self.front_m, self.half_width_m), (-self.rear_m, self.half_width_m),
                (-self.rear_m, -self.half_width_m), (self.front_m, -self.half_width_m)]

    def contains(self, pts: np.ndarray) -> np.ndarray:
        x, y = pts[:, 0], pts[:, 1]
        return (x <= self.front_m) & (x >= -self.rear_m) & (np.abs(y) <= self.half_width_m)


@dataclass(frozen=True)
class ScanGeometry:
    """What's needed to turn ranges into points: beam angles and the laser pose in base_link."""
    angle_min: float
    angle_increment: float
    range_min: float
    range_max: float
    laser_x_m: float = 0.0
    laser_y_m: float = 0.0
    laser_yaw: float = 0.0


def scan_points(ranges: np.ndarray, g: ScanGeometry) -> np.ndarray:
    """Returns as an (N, 2) array in base_link, by :func:`genba_common.ranges.usable_ranges`: a return
    too close to measure is a point at range_min; NaN and +inf beams give no point."""
    r = usable_ranges(ranges, g.range_min, g.range_max, np.float64)
    cos, sin = beam_directions(g, r.size)
    ok = np.isfinite(r)
    r = r[ok]
    return np.column_stack((g.laser_x_m + r * cos[ok], g.laser_y_m + r * sin[ok]))


@functools.lru_cache(maxsize=8)
def beam_directions(g: ScanGeometry, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of the beams in base_link; a scanner's geometry never changes, so cache them."""
    ang = g.angle_min + g.angle_increment * np.arange(n) + g.laser_yaw
    return np.cos(ang), np.sin(ang)


@dataclass(frozen=True)
class ZoneConfig:
    footprint: Footprint = Footprint()
    stop_margin_m: float = 0.10
    slow_margin_m: float = 0.60
    slow_speed_mps: float = 0.25
    reaction_time_s: float = 0.10
    ttc_stop_s: float = 0.8
    ttc_slow_s: float = 2.0
    turn_margin_m: float = 0.03  # margin of the footprint a turn sweeps (the turning guard)


@dataclass(frozen=True)
class ZoneResult:
    stop_front: bool
    stop_rear: bool
    slow: bool
    min_clearance_m: float  # distance from footprint edge to nearest return
    ttc_s: float            # time to collision along the commanded arc (inf if none)


def stop_zone(cfg: ZoneConfig, v: float, max_decel: float) -> Footprint:
    """Stop box grown in the direction of travel by reaction distance + braking distance."""
    grow = abs(v) * cfg.reaction_time_s + v * v / (2.0 * max_decel)
    return cfg.footprint.inflated(cfg.stop_margin_m, grow if v > 0 else 0.0, grow if v < 0 else 0.0)


def footprint_clearance(pts: np.ndarray, fp: Footprint) -> float:
    """Distance from the footprint rectangle to the nearest point (0 inside)."""
    if pts.size == 0:
        return math.inf
    dx = np.maximum(np.maximum(pts[:, 0] - fp.front_m, -fp.rear_m - pts[:, 0]), 0.0)
    dy = np.maximum(np.abs(pts[:, 1]) - fp.half_width_m, 0.0)
    return float(np.sqrt(dx * dx + dy * dy).min())


def time_to_collision(pts: np.ndarray, fp: Footprint, v: float, w: float,
                      horizon_s: float = 3.0, dt: float = 0.1) -> float:
    """First time the footprint, moved along the constant-(v, w) arc, contains a scan point."""
    if pts.size == 0 or (abs(v) < 1e-3 and abs(w) < 1e-3):
        return math.inf
    # Only points the footprint can reach within the horizon matter.
    reach = abs(v) * horizon_s + math.hypot(max(fp.front_m, fp.rear_m), fp.half_width_m)
    near = pts[np.einsum("ij,ij->i", pts, pts) <= reach * reach]
    if near.size == 0:
        return math.inf
    t = dt * np.arange(1, int(round(horizon_s / dt)) + 1)
    th = w * t
    if abs(w) > 1e-6:
        pose = (v / w) * (np.sin(th) + 1j * (1.0 - np.cos(th)))
    else:
        pose = v * t + 0j
    # Points in each future robot frame, as complex numbers: (p - pose) * e^{-i th}.
    z = (near[:, 0] + 1j * near[:, 1])[None, :] - pose[:, None]
    z *= np.exp(-1j * th)[:, None]
    cx, hx = (fp.front_m - fp.rear_m) / 2.0, (fp.front_m + fp.rear_m) / 2.0
    hit = ((np.abs(z.real - cx) <= hx) & (np.abs(z.imag) <= fp.half_width_m)).any(axis=1)
    k = np.flatnonzero(hit)
    return float(t[k[0]]) if k.size else math.inf


def evaluate(pts: np.ndarray, cfg: ZoneConfig, v: float, w: float, max_decel: float) -> ZoneResult:
    """Zone and TTC state for the command (v, w) about to be sent."""
    stop_fp = stop_zone(cfg, v, max_decel)
    slow_fp = cfg.footprint.inflated(cfg.slow_margin_m)
    ttc_fp = cfg.footprint.inflated(cfg.stop_margin_m / 2)
    # Only points within reach of a zone or of the swept footprint can matter: filter once.
    reach = max(math.hypot(max(fp.front_m, fp.rear_m), fp.half_width_m) for fp in (stop_fp, slow_fp)) + \
        abs(v) * cfg.ttc_slow_s
    near = pts[np.einsum("ij,ij->i", pts, pts) <= reach * reach] if pts.size else pts
    if near.size == 0:
        return ZoneResult(False, False, False, footprint_clearance(pts, cfg.footprint), math.inf)
    x = near[:, 0]
    inside = stop_fp.contains(near)
    front = bool((inside & (x > 0)).any())
    rear = bool((inside & (x <= 0)).any())
    # Slow down only for what lies in the direction of travel, not for a wall behind the robot.
    ahead = (x >= 0.0) if v >= 0.0 else (x <= 0.0)
    slow = bool((slow_fp.contains(near) & ahead).any()) if abs(v) > 1e-3 else False
    # Beyond ttc_slow_s a collision changes nothing, so the sweep need not look further.
    ttc = time_to_collision(near, ttc_fp, v, w, horizon_s=cfg.ttc_slow_s)
    return ZoneResult(front, rear, slow, footprint_clearance(near, cfg.footprint), ttc)

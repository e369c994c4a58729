"""Collision zones in base_link from a 2D scan: footprint-aware stop / slow-down boxes and TTC."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


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
    """Valid returns as an (N, 2) array in base_link; NaN/inf/out-of-range beams are dropped."""
    r = np.asarray(ranges, dtype=np.float64)
    ang = g.angle_min + g.angle_increment * np.arange(r.size) + g.laser_yaw
    ok = np.isfinite(r) & (r >= g.range_min) & (r <= g.range_max)
    r, ang = r[ok], ang[ok]
    return np.column_stack((g.laser_x_m + r * np.cos(ang), g.laser_y_m + r * np.sin(ang)))


@dataclass(frozen=True)
class ZoneConfig:
    footprint: Footprint = Footprint()
    stop_margin_m: float = 0.10
    slow_margin_m: float = 0.60
    slow_speed_mps: float = 0.25
    reaction_time_s: float = 0.10
    ttc_stop_s: float = 0.8
    ttc_slow_s: float = 2.0


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
        px, py = v / w * np.sin(th), v / w * (1.0 - np.cos(th))
    else:
        px, py = v * t, np.zeros_like(t)
    c, s = np.cos(th)[:, None], np.sin(th)[:, None]
    dx, dy = near[None, :, 0] - px[:, None], near[None, :, 1] - py[:, None]
    lx, ly = c * dx + s * dy, -s * dx + c * dy
    hit = ((lx <= fp.front_m) & (lx >= -fp.rear_m) & (np.abs(ly) <= fp.half_width_m)).any(axis=1)
    k = np.flatnonzero(hit)
    return float(t[k[0]]) if k.size else math.inf


def evaluate(pts: np.ndarray, cfg: ZoneConfig, v: float, w: float, max_decel: float) -> ZoneResult:
    """Zone and TTC state for the command (v, w) about to be sent."""
    stop_fp = stop_zone(cfg, v, max_decel)
    inside = stop_fp.contains(pts) if pts.size else np.zeros(0, bool)
    front = bool((inside & (pts[:, 0] > 0)).any()) if pts.size else False
    rear = bool((inside & (pts[:, 0] <= 0)).any()) if pts.size else False
    # Slow down only for what lies in the direction of travel, not for a wall behind the robot.
    slow_fp = cfg.footprint.inflated(cfg.slow_margin_m)
    ahead = (pts[:, 0] >= 0.0) if v >= 0.0 else (pts[:, 0] <= 0.0)
    slow = bool((slow_fp.contains(pts) & ahead).any()) if pts.size and abs(v) > 1e-3 else False
    ttc = time_to_collision(pts, cfg.footprint.inflated(cfg.stop_margin_m / 2), v, w)
    return ZoneResult(front, rear, slow, footprint_clearance(pts, cfg.footprint), ttc)

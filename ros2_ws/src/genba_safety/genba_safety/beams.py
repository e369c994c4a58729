"""What the safety core makes of each LiDAR beam: a bad message is a fault, an unknown beam is not free.

* :func:`scan_fault` judges a scan's geometry once per message (finite positive increment, a beam
  count matching the angles, sane limits); a scan that fails is refused with ``SCAN_INVALID``.
* :class:`BeamHold` keeps each beam's last valid reading for ``hold_s`` when it reads NaN (no
  measurement), then calls it *unknown*.
* :func:`unknown_points` turns unknown beams into virtual returns along their rays, so the zones and
  time-to-collision treat an unknown sector as blocked: first from the slow-down zone outwards
  (slow), after ``slow_s`` more from just outside the stop zone (stop).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from genba_safety.zones import Footprint, ScanGeometry, beam_directions

MAX_BEAMS = 100_000  # more beams than any 2D scanner gives: a corrupt message
MAX_RANGE_M = 1000.0


def scan_fault(n: int, g: ScanGeometry, angle_max: float | None = None) -> str | None:
    """Why a scan of ``n`` beams with geometry ``g`` cannot be used, or None when it can."""
    if not 0 < n <= MAX_BEAMS:
        return f"{n} beams (expected 1 to {MAX_BEAMS})"
    values = (g.angle_min, g.angle_increment, g.range_min, g.range_max, g.laser_x_m, g.laser_y_m, g.laser_yaw)
    if not all(math.isfinite(x) for x in values) or (angle_max is not None and not math.isfinite(angle_max)):
        return "a geometry field is not finite"
    if not g.angle_increment > 0.0:
        return f"angle_increment {g.angle_increment:g} is not positive"
    if not 0.0 <= g.range_min < g.range_max <= MAX_RANGE_M:
        return f"range limits [{g.range_min:g}, {g.range_max:g}] m are not 0 <= range_min < range_max"
    if g.angle_increment * (n - 1) > 2.0 * math.pi + 1e-6:
        return f"{n} beams of {g.angle_increment:g} rad span more than a turn"
    if angle_max is not None:
        expected = (angle_max - g.angle_min) / g.angle_increment + 1.0
        if abs(expected - n) > 1.5:
            return f"{n} beams, but angle_min..angle_max at angle_increment gives {expected:.0f}"
    return None


@dataclass(frozen=True)
class BeamConfig:
    hold_s: float = 0.25          # a NaN beam keeps its last valid reading this long (two 10 Hz scans)
    slow_s: float = 0.30          # then it blocks from the slow-down zone for this long, then stops
    reach_m: float = 1.5          # how far along an unknown ray the virtual returns go
    spacing_m: float = 0.15
    degraded_fraction: float = 0.30  # unknown share of the beams ahead above this: SCAN_DEGRADED
    degraded_half_angle: float = math.radians(60.0)


class BeamHold:
    """Per-beam memory of the last valid reading (NaN = no measurement; +inf and hits are valid)."""

    def __init__(self, cfg: BeamConfig) -> None:
        self.cfg = cfg
        self._ranges: np.ndarray | None = None
        self._valid_at: np.ndarray | None = None

    def update(self, r: np.ndarray, mono: float) -> tuple[np.ndarray, np.ndarray]:
        """Ranges with held readings filled in, and each beam's unknown age in seconds (0 = known)."""
        valid = ~np.isnan(r)
        if self._ranges is None or self._ranges.size != r.size:
            self._ranges = np.full(r.size, np.nan)
            self._valid_at = np.full(r.size, -np.inf)
        self._ranges[valid] = r[valid]
        self._valid_at[valid] = mono  # type: ignore[index]
        since = mono - self._valid_at  # type: ignore[operator]
        since = np.where(np.isfinite(since), np.maximum(since, 0.0), np.inf)
        held = ~valid & (since <= self.cfg.hold_s)
        out = r.copy()
        out[held] = self._ranges[held]
        unknown_age = np.where(valid | held, 0.0, since - self.cfg.hold_s)
        return out, unknown_age


def _exit_distance(lx: float, ly: float, cos: np.ndarray, sin: np.ndarray, fp: Footprint) -> np.ndarray:
    """Distance along each ray from the laser to where it leaves the rectangle ``fp``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(cos > 0, (fp.front_m - lx) / cos, np.where(cos < 0, (-fp.rear_m - lx) / cos, np.inf))
        ty = np.where(sin > 0, (fp.half_width_m - ly) / sin,
                      np.where(sin < 0, (-fp.half_width_m - ly) / sin, np.inf))
    return np.maximum(np.minimum(tx, ty), 0.0)


def unknown_points(
    unknown_age: np.ndarray, g: ScanGeometry, fp: Footprint, stop_margin_m: float, slow_margin_m: float,
    cfg: BeamConfig,
) -> np.ndarray:
    """Virtual returns (base_link) along every unknown ray, starting in the slow-down zone while the
    beam has been unknown for less than ``slow_s``, just outside the stop zone after that."""
    idx = np.flatnonzero(unknown_age > 0.0)
    if idx.size == 0:
        return np.zeros((0, 2))
    cos, sin = beam_directions(g, unknown_age.size)
    cos, sin = cos[idx], sin[idx]
    near = _exit_distance(g.laser_x_m, g.laser_y_m, cos, sin, fp.inflated(stop_margin_m + 0.02))
    slow = _exit_distance(g.laser_x_m, g.laser_y_m, cos, sin, fp.inflated(slow_margin_m - 0.02))
    start = np.where(unknown_age[idx] > cfg.slow_s, near, np.maximum(near, slow))
    steps = np.arange(0.0, cfg.reach_m, cfg.spacing_m)
    d = start[:, None] + steps[None, :]
    x, y = g.laser_x_m + d * cos[:, None], g.laser_y_m + d * sin[:, None]
    return np.column_stack((x.ravel(), y.ravel()))


def unknown_share_ahead(unknown_age: np.ndarray, g: ScanGeometry, v: float, cfg: BeamConfig) -> float:
    """Share of the beams within ``degraded_half_angle`` of the direction of travel that are unknown."""
    if unknown_age.size == 0:
        return 1.0
    cos, _ = beam_directions(g, unknown_age.size)
    ahead = (cos if v >= 0.0 else -cos) >= math.cos(cfg.degraded_half_angle)
    n = int(ahead.sum())
    return float((unknown_age[ahead] > 0.0).sum()) / n if n else 0.0

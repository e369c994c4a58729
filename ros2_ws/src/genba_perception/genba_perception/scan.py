"""LaserScan preprocessing: invalid beams made explicit, fixed bins for the policy."""

from __future__ import annotations

import numpy as np

from genba_common.ranges import usable_ranges


def clean_ranges(ranges: np.ndarray, range_min: float, range_max: float) -> np.ndarray:
    """NaN = no valid measurement, +inf = nothing within range, a return too close to measure at
    ``range_min``: the one rule of :func:`genba_common.ranges.usable_ranges`, which safety applies too."""
    return usable_ranges(ranges, range_min, range_max)


def bin_ranges(ranges: np.ndarray, n_bins: int, max_range: float) -> np.ndarray:
    """Min-pool a scan into ``n_bins`` sectors, clipped to ``max_range``; NaN-only sectors read
    as ``max_range`` only if the whole scan is not invalid (the caller checks validity)."""
    r = np.asarray(ranges, dtype=np.float32)
    if r.size % n_bins:
        idx = np.linspace(0, r.size, n_bins + 1).astype(int)
        sectors = [r[a:b] for a, b in zip(idx[:-1], idx[1:], strict=False)]
    else:
        sectors = list(r.reshape(n_bins, -1))
    out = np.empty(n_bins, np.float32)
    for i, s in enumerate(sectors):
        s = s[~np.isnan(s)]
        out[i] = min(float(s.min()), max_range) if s.size else max_range
    return np.clip(out, 0.0, max_range)


def valid_fraction(ranges: np.ndarray) -> float:
    r = np.asarray(ranges)
    return float(np.mean(~np.isnan(r))) if r.size else 0.0

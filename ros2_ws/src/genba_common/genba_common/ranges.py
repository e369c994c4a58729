"""What a LaserScan's ranges mean, the same for every consumer (perception, policy, safety).

REP-117, made uniform: NaN = no valid measurement (unknown), +inf = nothing within ``range_max``,
and a return closer than ``range_min`` (-inf, or a finite value below it) = something is there, too
close to measure: it reads as an obstacle at ``range_min``, never as free space.
"""

from __future__ import annotations

import numpy as np


def usable_ranges(ranges: np.ndarray, range_min: float, range_max: float,
                  dtype: type = np.float32) -> np.ndarray:
    """A copy of ``ranges`` with the rule above applied: NaN, +inf or a range in [range_min, range_max]."""
    r = np.array(ranges, dtype=dtype)
    too_close = np.isneginf(r) | (np.isfinite(r) & (r < range_min))
    r[too_close] = range_min
    r[np.isfinite(r) & (r > range_max)] = np.inf
    return r

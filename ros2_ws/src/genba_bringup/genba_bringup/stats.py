"""Latency statistics helpers (pure)."""

from __future__ import annotations

import numpy as np


def percentiles(samples_ms: list[float]) -> dict[str, float | int | None]:
    if not samples_ms:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    a = np.asarray(samples_ms, dtype=np.float64)
    return {"n": int(a.size), "p50_ms": round(float(np.percentile(a, 50)), 3),
            "p99_ms": round(float(np.percentile(a, 99)), 3), "max_ms": round(float(a.max()), 3)}

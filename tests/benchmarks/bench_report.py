"""Printing helper shared by the benchmarks."""

import numpy as np


def report(name: str, samples, unit: str = "ms", target: str = "") -> dict:
    a = np.asarray(samples, dtype=float)
    row = {"n": int(a.size), "p50": float(np.percentile(a, 50)), "p99": float(np.percentile(a, 99)),
           "max": float(a.max())}
    print(f"  {name:<44} n={row['n']:5d}  p50 {row['p50']:9.3f} {unit}  p99 {row['p99']:9.3f} {unit}  "
          f"max {row['max']:9.3f} {unit}  {target}", flush=True)
    return row

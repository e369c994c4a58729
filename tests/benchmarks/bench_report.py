"""Printing helper shared by the benchmarks: percentiles, the figure's budget (budgets.yaml) and its
ratio against a baseline measured in the same run. With GENBA_BENCH_ROWS set (``genba bench``),
each figure is also appended to that file as one JSON line."""

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from genba_bringup.bench import budget_text, judge

BUDGETS = yaml.safe_load((Path(__file__).with_name("budgets.yaml")).read_text())


@contextlib.contextmanager
def busy_core():
    """One core kept busy by a competing process for the duration."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)
        yield
    finally:
        hog.kill()
        hog.wait()


class FirstStampAges:
    """Per stream, the age (ms) of each decision's first message: from its header stamp to when its
    publisher sent it (the DDS source timestamp), so the receiver's own delays do not count. Repeats of
    a stamp (the supervisor's timer, the bridge's keepalives) are not counted again."""

    def __init__(self, *streams: str) -> None:
        self.ms: dict[str, list[float]] = {s: [] for s in streams}
        self._seen: dict[str, set] = {s: set() for s in streams}

    def callback(self, stream: str, also=None):
        """A (msg, info) subscription callback for ``stream``; ``also(msg)`` sees every message."""

        def cb(m, info) -> None:
            if also is not None:
                also(m)
            key = (m.header.stamp.sec, m.header.stamp.nanosec)
            if key not in self._seen[stream]:
                self._seen[stream].add(key)
                self.ms[stream].append((info["source_timestamp"] * 1e-9 - key[0] - key[1] * 1e-9) * 1000.0)

        return cb

    def clear(self) -> None:
        for v in self.ms.values():
            v.clear()



def _write(row: dict) -> None:
    path = os.environ.get("GENBA_BENCH_ROWS")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(row) + "\n")


def report(name: str, samples, unit: str = "ms", target: str = "", figure: str | None = None,
           baseline: dict | None = None) -> dict:
    """Print (and record) p50/p99/max of ``samples``; ``figure`` names its budget in budgets.yaml,
    ``baseline`` is another report's row from the same run, printed as a ratio."""
    a = np.asarray(samples, dtype=float)
    row = {"n": int(a.size), "p50": float(np.percentile(a, 50)), "p99": float(np.percentile(a, 99)),
           "max": float(a.max())}
    extra = target
    if baseline is not None:
        extra += f" ratio p50 {row['p50'] / baseline['p50']:.2f}x p99 {row['p99'] / baseline['p99']:.2f}x " \
                 f"against {baseline['name']}"
    if figure is not None:
        stat = BUDGETS[figure]["stat"]
        extra += f" (budget {budget_text(BUDGETS[figure])}: {judge(BUDGETS[figure], row[stat])})"
    print(f"  {name:<44} n={row['n']:5d}  p50 {row['p50']:9.3f} {unit}  p99 {row['p99']:9.3f} {unit}  "
          f"max {row['max']:9.3f} {unit}  {extra}", flush=True)
    row["name"] = name
    stats = {k: row[k] for k in ("n", "p50", "p99", "max")}
    base = {k: baseline[k] for k in ("name", "p50", "p99")} if baseline else None
    _write({"figure": figure or name, "name": name, "unit": unit, **stats,
            "budget": BUDGETS.get(figure) if figure else None, "baseline": base})
    return row


def report_value(figure: str, value: float, detail: str = "") -> None:
    """Print (and record) a single figure, such as a speed-up ratio, against its budget."""
    b = BUDGETS[figure]
    print(f"  {b['what']}: {value:.2f} {b['unit']} {detail} (budget {budget_text(b)}: {judge(b, value)})",
          flush=True)
    _write({"figure": figure, "name": b["what"], "unit": b["unit"], "value": float(value), "budget": b,
            "baseline": None})

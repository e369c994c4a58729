"""Jitter from the garbage collector: the supervisor's step loop in a process that has imported what
the supervisor node imports, first with the collector as Python starts it, then after
genba_common.entry.freeze_startup_heap() (what every genba node does once it is built), same run.
Prints the step times and the collector's own pauses per generation (gc.callbacks) for each.
Run: ./genba test tests/benchmarks/test_bench_jitter.py --run-benchmarks -s
"""

import json
import subprocess
import sys

from bench_report import report

CHILD = r"""
import gc, json, math, time
import numpy as np
import genba_safety.node  # noqa: F401  (the node's imports: rclpy, messages, numpy, the core)
from genba_common.entry import freeze_startup_heap
from genba_safety.supervisor import HealthInput, Inputs, OdomInput, ScanInput, Supervisor, SupervisorConfig
from genba_safety.watchdog import Now
from genba_safety.zones import ScanGeometry

pauses, started = [], [0.0]
def on_gc(phase, info):
    if phase == "start":
        started[0] = time.perf_counter()
    else:
        pauses.append((info["generation"], (time.perf_counter() - started[0]) * 1e3))
gc.callbacks.append(on_gc)

def run(steps):
    cfg = SupervisorConfig()
    sup, inputs = Supervisor(cfg), Inputs(cfg)
    geom = ScanGeometry(-math.pi, 2 * math.pi / 360, 0.12, 12.0, 0.2)
    rng = np.random.default_rng(0)
    out = []
    for k in range(steps):
        now = Now(k * 0.01, 1.7e9 + k * 0.01)
        t0 = time.perf_counter()
        for name, val in (("cmd", (0.8, 0.2)), ("odom", OdomInput(0, 0, 0, 0.5, 0)), ("camera", True),
                          ("cloud", "c"), ("health", HealthInput(0.1, 1.0, True))):
            inputs.offer(name, val, now.ros, now)
        if k % 10 == 0:  # a room 4 m round, nobody in it: the step's own cost stays small
            inputs.offer("scan", ScanInput(4.0 + rng.normal(0.0, 0.01, 360), geom), now.ros, now)
        sup.step(now, inputs)
        [{"k": k, "v": [float(x) for x in range(8)]} for _ in range(20)]  # a node's messages and dicts
        out.append((time.perf_counter() - t0) * 1e6)
    return out

result = {}
for label in ("default", "frozen"):
    if label == "frozen":
        freeze_startup_heap()
    pauses.clear()
    steps = run(20000)
    result[label] = {"steps_us": steps[500:], "gc_ms": list(pauses),
                     "tracked": len(gc.get_objects())}
print(json.dumps(result))
"""


def test_step_jitter_with_and_without_a_frozen_startup_heap():
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    print("\nsupervisor step loop, 20,000 steps (same process, same run):")
    rows = {}
    for label, what in (("default", "the collector as Python starts it"),
                        ("frozen", "after freeze_startup_heap()")):
        r = res[label]
        rows[label] = report(f"step, {what}", r["steps_us"], "us", baseline=rows.get("default"))
        for gen in (0, 1, 2):
            ms = [t for g, t in r["gc_ms"] if g == gen]
            print(f"    generation {gen} collections: {len(ms):5d}, longest {max(ms, default=0.0):.3f} ms")
        print(f"    objects the collector tracks at the end: {r['tracked']}")
    assert rows["default"]["n"] == rows["frozen"]["n"] == 19500

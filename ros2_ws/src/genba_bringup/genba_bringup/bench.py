"""``genba bench``: the benchmark suite (tests/benchmarks) in one command. Each benchmark appends its
figures (p50/p99/max, the budget from tests/benchmarks/budgets.yaml, the baseline measured in the same
run) to a rows file; this module turns the rows into ``results.json`` and a Markdown table (figure,
budget, measured, pass/fail, the machine) and compares them with a previous results file as ratios,
flagging regressions beyond :data:`REGRESSION`."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

# The suite `genba bench` runs; `--all` adds the long ones (about 10 and 5 minutes on 2 cores).
SUITE = ("test_bench_chain.py", "test_bench_safety.py", "test_bench_jitter.py", "test_bench_policy.py",
         "test_bench_serial.py", "test_bench_perception.py")
LONG = ("test_bench_privacy.py", "test_bench_safety_hostile.py")
REGRESSION = 0.20  # a figure more than 20 % worse than in the previous results is a regression


def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kib = 0
    try:
        ort = metadata.version("onnxruntime")
    except metadata.PackageNotFoundError:
        ort = "not installed"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 2**20, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "onnxruntime": ort}


def load_rows(path: Path) -> list[dict]:
    """The rows the benchmarks wrote, one JSON object per line (none: an empty list)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def value_of(row: dict) -> float:
    """The number a row is judged by: its value, or its budget's statistic (p99 unless said otherwise)."""
    if "value" in row:
        return float(row["value"])
    return float(row[(row.get("budget") or {}).get("stat", "p99")])


def judge(budget: dict, value: float) -> str:
    """'pass' or 'FAIL': ``value`` against a budget's ``max`` (at most) or ``min`` (at least)."""
    return "pass" if (value <= budget["max"] if "max" in budget else value >= budget["min"]) else "FAIL"


def verdict(row: dict) -> str:
    """'pass', 'FAIL', or '' for a figure without a budget."""
    b = row.get("budget")
    return judge(b, value_of(row)) if b else ""


def compare(rows: list[dict], previous: list[dict]) -> dict[str, dict]:
    """Per figure present in both: the ratio now / before of the judged number, and whether it is a
    regression (worse by more than REGRESSION; higher is better only for a budget with a minimum)."""
    before = {r["figure"]: r for r in previous}
    out = {}
    for r in rows:
        p = before.get(r["figure"])
        if p is None or value_of(p) == 0.0:
            continue
        ratio = value_of(r) / value_of(p)
        higher_better = "min" in (r.get("budget") or {})
        worse = ratio < 1.0 / (1.0 + REGRESSION) if higher_better else ratio > 1.0 + REGRESSION
        out[r["figure"]] = {"ratio": ratio, "regression": worse}
    return out


def results(rows: list[dict], command: str, previous_path: str | None, previous: list[dict]) -> dict:
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": command,
        "machine": machine(),
        "figures": [dict(r, verdict=verdict(r)) for r in rows],
        "compared_with": previous_path,
        "comparison": compare(rows, previous),
    }


def _num(x: float) -> str:
    """A figure as people read it: 8512, 39.9, 0.742."""
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def budget_text(b: dict | None) -> str:
    """A budget as it reads: 'p99 ≤ 10 ms'."""
    if not b:
        return ""
    bound = f"≤ {b['max']:g}" if "max" in b else f"≥ {b['min']:g}"
    return f"{b['stat']} {bound} {b['unit']}"


def markdown(res: dict) -> str:
    """The results as a Markdown table, with the machine and, where compared, the ratios."""
    m = res["machine"]
    lines = [
        "# genba bench", "",
        f"{res['created']}, `{res['command']}`", "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, Python {m['python']}, "
        f"ONNX Runtime {m['onnxruntime']}", "",
    ]
    compared = res["comparison"]
    head = "| figure | n | p50 | p99 | max | unit | budget | result |"
    rule = "|---|---:|---:|---:|---:|---|---|---|"
    if res["compared_with"]:
        head += " vs previous |"
        rule += "---:|"
    lines += [head, rule]
    for r in res["figures"]:
        if "value" in r:
            stats = ["", "", _num(r["value"]), ""]
        else:
            stats = [str(r["n"]), _num(r["p50"]), _num(r["p99"]), _num(r["max"])]
        if r.get("baseline"):
            b = r["baseline"]
            stats[2] += f" ({r['p99'] / b['p99']:.2f}x {b['name']})" if b.get("p99") else ""
        cells = [r["name"], *stats, r["unit"], budget_text(r.get("budget")), r["verdict"]]
        if res["compared_with"]:
            c = compared.get(r["figure"])
            flag = " **regression**" if c and c["regression"] else ""
            cells.append("" if c is None else f"{c['ratio']:.2f}x{flag}")
        lines.append("| " + " | ".join(cells) + " |")
    judged = [r for r in res["figures"] if r["verdict"]]
    lines += ["", f"{sum(r['verdict'] == 'pass' for r in judged)} of {len(judged)} budgets hold."]
    if res["compared_with"]:
        worse = [f for f, c in compared.items() if c["regression"]]
        lines.append(f"Compared with {res['compared_with']}: "
                     + (f"{len(worse)} regression(s) over {REGRESSION:.0%}: {', '.join(worse)}." if worse
                        else f"no regression over {REGRESSION:.0%}."))
    return "\n".join(lines) + "\n"


def run_suite(root: Path, files: tuple[str, ...], rows_path: Path, pytest_args: list[str]) -> int:
    """pytest over the named benchmark files (figures printed as they come); its exit code."""
    env = dict(os.environ, GENBA_BENCH_ROWS=str(rows_path))
    paths = [str(root / "tests" / "benchmarks" / f) for f in files]
    cmd = [sys.executable, "-m", "pytest", *paths, "--run-benchmarks", "-s", "-q", "-p", "no:cacheprovider",
           *pytest_args]
    return subprocess.run(cmd, cwd=root, env=env).returncode

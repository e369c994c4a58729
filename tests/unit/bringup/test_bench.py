"""genba bench: the rows the benchmarks write, judged against their budgets, compared with a previous
run, tabulated; and the command's refusal of a bad previous file."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from genba_bringup import bench

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))
import bench_report  # noqa: E402


def test_the_benchmarks_rows_carry_their_figures_budget_and_baseline(tmp_path, monkeypatch):
    monkeypatch.setenv("GENBA_BENCH_ROWS", str(tmp_path / "rows.jsonl"))
    base = bench_report.report("bare relays", [1.0, 2.0, 3.0])
    bench_report.report("chain", [2.0, 4.0, 30.0], figure="sensor_to_wire", baseline=base)
    bench_report.report_value("ort_cpu_speedup", 7.5)
    rows = bench.load_rows(tmp_path / "rows.jsonl")
    assert [r["figure"] for r in rows] == ["bare relays", "sensor_to_wire", "ort_cpu_speedup"]
    chain = rows[1]
    assert chain["n"] == 3 and chain["max"] == 30.0 and chain["baseline"]["name"] == "bare relays"
    assert chain["budget"] == bench_report.BUDGETS["sensor_to_wire"]
    assert bench.value_of(chain) == pytest.approx(29.48)  # p99 of the three samples
    assert bench.verdict(chain) == "FAIL" and bench.verdict(rows[2]) == "pass"
    assert bench.verdict(rows[0]) == ""  # no budget: a figure to read, not judged


def _row(figure, p99, budget=None, value=None):
    r = {"figure": figure, "name": figure, "budget": budget, "baseline": None}
    if value is not None:
        return {**r, "unit": "x", "value": value}
    return {**r, "unit": "ms", "n": 100, "p50": p99 / 2, "p99": p99, "max": p99 * 2}


LATENCY = {"stat": "p99", "max": 10.0, "unit": "ms"}
SPEEDUP = {"stat": "value", "min": 5.0, "unit": "x"}


def test_a_regression_is_worse_by_more_than_a_fifth_in_the_figures_own_direction():
    now = [_row("lat", 12.5, LATENCY), _row("lat_ok", 11.9, LATENCY), _row("speed", None, SPEEDUP, 6.0),
           _row("speed_up", None, SPEEDUP, 9.0), _row("new", 1.0)]
    before = [_row("lat", 10.0, LATENCY), _row("lat_ok", 10.0, LATENCY), _row("speed", None, SPEEDUP, 7.5),
              _row("speed_up", None, SPEEDUP, 7.5)]
    c = bench.compare(now, before)
    assert set(c) == {"lat", "lat_ok", "speed", "speed_up"}  # a figure new in this run is not compared
    assert c["lat"]["regression"] and c["lat"]["ratio"] == pytest.approx(1.25)
    assert not c["lat_ok"]["regression"]  # 19 % slower: within the tolerance
    assert c["speed"]["regression"]  # a speed-up that fell from 7.5x to 6x (20 % lower, 25 % worse)
    assert not c["speed_up"]["regression"]  # higher is better for a minimum budget


def test_the_table_has_a_line_per_figure_with_its_budget_and_result(monkeypatch):
    monkeypatch.setattr(bench, "machine", lambda: {"cpu": "Test CPU", "cores": 2, "memory_gib": 24.0,
                                                   "os": "Linux", "python": "3.11", "onnxruntime": "1.0"})
    rows = [_row("lat", 12.5, LATENCY), _row("speed", None, SPEEDUP, 6.0), _row("info", 3.0)]
    res = bench.results(rows, "genba bench", "old.json", [_row("lat", 10.0, LATENCY)])
    md = bench.markdown(res)
    lines = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(lines) == 1 + 3  # header and one line per figure
    assert "| lat | 100 | 6.25 | 12.5 | 25 | ms | p99 ≤ 10 ms | FAIL | 1.25x **regression** |" in md
    assert "| speed |  |  | 6 |  | x | value ≥ 5 x | pass |  |" in md
    assert "Test CPU, 2 cores" in md and "1 of 2 budgets hold." in md
    assert "1 regression(s) over 20%: lat." in md
    assert json.loads(json.dumps(res))["figures"][0]["verdict"] == "FAIL"


def test_a_previous_file_that_is_not_a_results_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "old.json"
    bad.write_text("[1, 2]")
    r = subprocess.run([sys.executable, "-m", "genba_bringup.cli", "bench", "--compare", str(bad)],
                       capture_output=True, text=True, cwd=ROOT,
                       env={"GENBA_ROOT": str(ROOT), "PATH": "/usr/bin"})
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert f"--compare {bad}: not a genba bench results file" in r.stderr

"""The fast subset of mutation testing, run by ./genba test: the mutants on lines of the safety and
protocol cores changed since the last full run (tests/mutation/full_run.yaml), a fixed sample of
at most ``changed_max_mutants``; any survivor that is not listed as equivalent fails the suite.
The full run is ``./genba mutate`` (README, "Tests and benchmarks")."""

import shutil
from pathlib import Path

import pytest

from genba_bringup import mutate as mu

ROOT = Path(__file__).resolve().parents[2]


def test_no_mutant_of_a_changed_line_survives(capsys):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git history to know which lines changed")
    code = mu.mutate(ROOT, changed="", dest=ROOT / "build" / "mutation-changed")
    out = capsys.readouterr().err
    print(out)
    assert code == 0, f"mutants on changed lines survived (build/mutation-changed/report.md):\n{out}"

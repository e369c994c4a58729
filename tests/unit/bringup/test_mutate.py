"""genba mutate on a project of its own (one module, its tests, a git history): mutants found and
placed on their lines, lines changed since a commit, the sample, equivalents, the report; and the
fast subset failing when a weakened test lets a mutant of a changed line survive."""

import subprocess
import textwrap
from pathlib import Path

import pytest

from genba_bringup import mutate as mu
from genba_common.errors import ConfigError

CORE = '''\
def fresh(age_ms: float, timeout_ms: float) -> bool:
    """Within the timeout, inclusive."""
    return age_ms <= timeout_ms


def scaled(v: float, k: float) -> float:
    return v * k
'''
STRONG = '''\
from demo.core import fresh, scaled


def test_fresh_up_to_the_timeout_inclusive():
    assert fresh(100.0, 100.0) and fresh(0.0, 100.0) and not fresh(100.5, 100.0)


def test_scaled():
    assert scaled(2.0, 3.0) == 6.0
'''
WEAK = STRONG.replace("fresh(100.0, 100.0) and ", "")  # the boundary no longer pinned
CONFIG = '''\
modules: [ros2_ws/src/demo/demo/core.py]
tests: [tests/unit/demo]
examples: 5
min_score: 0.9
changed_max_mutants: 20
'''


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def _project(root: Path, test_text: str) -> str:
    """A genba-shaped project; returns the commit before the change to ``fresh``."""
    (root / "ros2_ws/src/demo/demo").mkdir(parents=True)
    (root / "ros2_ws/src/demo/demo/__init__.py").write_text("")
    (root / "ros2_ws/src/demo/demo/core.py").write_text(CORE)
    (root / "tests/unit/demo").mkdir(parents=True)
    (root / "tests/unit/demo/test_core.py").write_text(test_text)
    (root / "tests/mutation").mkdir(parents=True)
    (root / "tests/mutation/config.yaml").write_text(CONFIG)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    base = _git(root, "rev-parse", "HEAD")
    # the change under review: the comparison of fresh() is rewritten (same behaviour)
    (root / "ros2_ws/src/demo/demo/core.py").write_text(CORE.replace("return age_ms <= timeout_ms",
                                                                     "return not age_ms > timeout_ms"))
    return base


def test_mutants_are_placed_on_their_lines_and_selected_by_the_lines_a_change_touched(tmp_path):
    base = _project(tmp_path, STRONG)
    cfg = mu.load_config(tmp_path)
    stage = tmp_path / "build/mutation"
    mu.stage(tmp_path, cfg, stage)
    mu.generate(stage, cfg)
    mutants = mu.mutants_of(stage, cfg)
    assert {m.function for m in mutants} == {"fresh", "scaled"}
    assert {m.line for m in mutants if m.function == "fresh"} == {3}
    assert {m.line for m in mutants if m.function == "scaled"} == {7}
    assert all(m.path == "ros2_ws/src/demo/demo/core.py" for m in mutants)
    assert any(m.mutated == "return v / k" for m in mutants)
    touched = mu.touched_lines(tmp_path, base, cfg.modules)
    assert touched == {"ros2_ws/src/demo/demo/core.py": {3}}
    picked = mu.on_touched_lines(mutants, touched)
    assert picked and {m.function for m in picked} == {"fresh"}
    assert mu.sample(picked, 1) == mu.sample(list(reversed(picked)), 1)  # deterministic
    assert len(mu.sample(picked, 1)) == 1 and mu.sample(picked, 99) == sorted(picked, key=lambda m: m.name)


def test_the_fast_subset_passes_with_the_tests_and_fails_with_a_weakened_one(tmp_path, capsys):
    strong, weak = tmp_path / "strong", tmp_path / "weak"
    strong.mkdir()
    weak.mkdir()
    assert mu.mutate(strong, changed=_project(strong, STRONG)) == 0
    report = (strong / "build/mutation/report.md").read_text()
    assert "| ros2_ws/src/demo/demo/core.py |" in report and "## Survivors (0)" in report
    capsys.readouterr()
    assert mu.mutate(weak, changed=_project(weak, WEAK)) == 1
    err = capsys.readouterr().err
    assert "survivor ros2_ws/src/demo/demo/core.py:3 fresh" in err
    report = (weak / "build/mutation/report.md").read_text()
    assert "`ros2_ws/src/demo/demo/core.py:3` in `fresh`" in report
    # listed as equivalent (with its reason), the same survivor no longer fails the subset
    survivor = next(s for s in mu.summarize(
        mu.mutants_of(weak / "build/mutation", mu.load_config(weak)), mu.verdicts(weak / "build/mutation"),
        mu.load_config(weak))["survivors"])
    (weak / "tests/mutation/equivalent.yaml").write_text(textwrap.dedent(f"""\
        equivalent:
          - module: {survivor['module']}
            function: {survivor['function']}
            original: "{survivor['original']}"
            mutant: "{survivor['mutated']}"
            why: a test of this project deliberately leaves the boundary open
        """))
    cfg = mu.load_config(weak)
    summary = mu.summarize(mu.mutants_of(weak / "build/mutation", cfg), mu.verdicts(weak / "build/mutation"),
                           cfg)
    assert summary["total"]["equivalent"] == 1
    assert summary["equivalents"][0]["why"].startswith("a test of this project")


def test_summary_scores_killed_over_non_equivalent_and_the_report_lists_survivors():
    def m(n, line, orig="a", new="b"):
        return mu.Mutant(f"demo.core.x_f__mutmut_{n}", "demo.core", "f", "p/core.py", line, (line,), orig,
                         new)

    mutants = [m(1, 3), m(2, 3, "x < 1", "x <= 1"), m(3, 4), m(4, 5), m(5, 6)]
    verdict = {mutants[0].name: "killed", mutants[1].name: "survived", mutants[2].name: "timeout",
               mutants[3].name: "no tests"}
    cfg = mu.MutationConfig(("p/core.py",), ("t",), 5, 0.9, 5, (
        mu.Equivalent("demo.core", "f", "x < 1", "x <= 1", "x is an integer here"),
        mu.Equivalent("demo.core", "f", "gone", "never", "stale")))
    s = mu.summarize(mutants, verdict, cfg)
    assert s["total"] == {"total": 5, "killed": 2, "survived": 1, "equivalent": 1, "not_run": 1,
                          "score": pytest.approx(2 / 3, abs=1e-4)}
    assert [x["name"] for x in s["survivors"]] == [mutants[3].name]  # "no tests" is a survivor
    text = mu.markdown(s, "genba mutate", 12.0)
    assert "| p/core.py | 5 | 2 | 1 | 1 | 1 | 66.7 % |" in text
    assert "- `p/core.py:5` in `f` (no tests;" in text


@pytest.mark.parametrize("body, message", [
    ("modules: [nope.py]\ntests: [t]\nexamples: 5\nmin_score: 0.9\nchanged_max_mutants: 3\n",
     "nope.py does not exist"),
    ("modules: []\ntests: []\nexamples: 0\nmin_score: 0.9\nchanged_max_mutants: 3\n", "examples in 1..1000"),
    ("modules: []\ntests: []\n", "needs modules"),
    ("modules: []\nmodules: []\n", "given twice"),
    ("moduls: []\n", "did you mean 'modules'"),
])
def test_a_bad_configuration_is_one_line(tmp_path, body, message):
    (tmp_path / "config.yaml").write_text(body)
    with pytest.raises(ConfigError, match=message) as err:
        mu.load_config(tmp_path, tmp_path / "config.yaml")
    assert "\n" not in str(err.value)

"""`genba-policy eval --compare-supervisor --json`: per-episode records and totals, collisions split
robot moving / at rest, person / static, minimum separation and supervisor harm."""

import json

import pytest

from genba_training.cli import main
from genba_training.episodes import EpisodeResult
from genba_training.evaluation import outcome_report, outcome_table


def _ep(status: str, hit: str = "", at_rest: bool = False, sep: float = 1.0) -> EpisodeResult:
    return EpisodeResult(
        "s",
        status == "goal_reached",
        status,
        10.0,
        int(status == "collision"),
        sep,
        hit,
        at_rest,
        0.0 if at_rest else 0.4,
        sep,
    )


def test_harm_and_help_are_counted_per_seed_and_collisions_split_by_motion_and_kind():
    alone = [
        _ep("goal_reached"),
        _ep("goal_reached"),
        _ep("collision", "person"),
        _ep("collision", "clutter"),
    ]
    behind = [
        _ep("goal_reached"),
        _ep("collision", "person", at_rest=True, sep=0.0),
        _ep("goal_reached"),
        _ep("timeout"),
    ]
    rep = outcome_report([7, 8, 9, 10], {"alone": alone, "supervised": behind})
    assert rep["supervisor"] == {
        "harm": 1,
        "harm_rate": 0.25,
        "harm_seeds": [8],
        "helped": 1,
        "helped_seeds": [9],
    }
    a, s = rep["totals"]["alone"], rep["totals"]["supervised"]
    assert (
        a["collisions_moving"],
        a["collisions_at_rest"],
        a["collisions_person"],
        a["collisions_static"],
    ) == (2, 0, 1, 1)
    assert (s["collisions_moving"], s["collisions_at_rest"], s["timeouts"], s["success_rate"]) == (
        0,
        1,
        1,
        0.5,
    )
    assert s["min_person_separation_m"] == 0.0
    assert [r["seed"] for r in rep["episodes"]["supervised"]] == [7, 8, 9, 10]
    assert rep["episodes"]["alone"][2]["collision_while_moving"] is True
    assert "supervisor harm: 1 of 4 (25.0%; seeds 8)" in outcome_table("p", rep, 1.0)


@pytest.mark.slow
def test_the_cli_writes_records_and_totals_that_match_its_table(tmp_path, capsys):
    out = tmp_path / "eval.json"
    with pytest.raises(SystemExit) as done:
        main(
            [
                "eval",
                "--policy",
                "teacher",
                "--seeds",
                "9000:9002",
                "--compare-supervisor",
                "--json",
                str(out),
                "--plots",
                str(tmp_path / "plots"),
            ]
        )
    assert done.value.code == 0
    rep = json.loads(out.read_text())
    assert set(rep["episodes"]) == {"alone", "supervised"} and len(rep["episodes"]["alone"]) == 2
    for run in ("alone", "supervised"):
        eps, tot = rep["episodes"][run], rep["totals"][run]
        assert tot["success_rate"] == sum(e["success"] for e in eps) / 2
        assert tot["collisions_moving"] == sum(e["collision_while_moving"] for e in eps)
    assert rep["supervisor"]["harm"] == sum(
        a["success"] and not b["success"]
        for a, b in zip(rep["episodes"]["alone"], rep["episodes"]["supervised"], strict=True)
    )
    text = capsys.readouterr().out
    assert "| teacher, factory_hall | supervised | 2 |" in text and "supervisor harm:" in text
    for png in ("min_separation.png", "worst_alone.png", "worst_supervised.png"):
        assert (tmp_path / "plots" / png).read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--lidar-faults"], "--lidar-faults is for the supervisor's input"),
        (["--json", "/nonexistent/dir/x.json", "--with-supervisor"], "does not exist"),
        (["--workers", "0"], "--workers must be 1-64"),
        (["--aware-share", "2"], "a share must be in [0, 1]"),
    ],
)
def test_bad_eval_options_are_one_line(args, needle, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["eval", "--policy", "teacher", "--seeds", "9000:9001", *args])
    err = capsys.readouterr().err
    assert exc.value.code == 2 or needle in str(exc.value.code)
    assert needle in (err + str(exc.value.code))

"""The model card judges the issue's student/teacher ratio on the seeds kept apart, not on the seeds
recipes were chosen on."""

from genba_training.episodes import EpisodeResult
from genba_training.evaluation import REPORT_SEEDS, SELECTION_SEEDS, outcome_report
from genba_training.evaluation import span as _span
from genba_training.model_card import model_card


def _deployed() -> dict:
    """Alone 3 of 4 pass; behind the supervisor 2 of 4: one harm (seed 2, a person walked into the robot
    at rest), one help (seed 4), one collision while moving (seed 3, as alone)."""
    ok = EpisodeResult("s", True, "goal_reached", 20.0, 0, 0.4, min_person_distance_m=0.6)
    rest = EpisodeResult("s", False, "collision", 9.0, 1, 0.0, "person", True, 0.01, 0.0)
    moving = EpisodeResult("s", False, "collision", 9.0, 1, 0.0, "person", False, 0.5, 0.0)
    alone = [ok, ok, moving, rest]
    behind = [ok, rest, moving, ok]
    report = outcome_report([1, 2, 3, 4], {"alone": alone, "supervised": behind})
    return {k: v for k, v in report.items() if k != "episodes"}


def _summary(rate: float, n: int, failed=(), hits=None) -> dict:
    return {
        "success_rate": rate,
        "episodes": n,
        "collisions": sum((hits or {}).values()),
        "collisions_with": hits or {},
        "collisions_standing": 0,
        "timeouts": 0,
        "failed_seeds": list(failed),
    }


def _metrics(chosen: dict, kept: dict) -> dict:
    n_sets = [len(s) for s in SELECTION_SEEDS]
    return {
        "selection": [
            {"seeds": _span(s), **{k: _summary(r, n) for k, r in chosen.items()}}
            for s, n in zip(SELECTION_SEEDS, n_sets, strict=False)
        ],
        "selection_all": {k: _summary(r, sum(n_sets)) for k, r in chosen.items()},
        "report": {
            "seeds": _span(REPORT_SEEDS),
            **{
                k: _summary(r, len(REPORT_SEEDS), [5003] if r < 1 else [], {"person": 1} if r < 1 else None)
                for k, r in kept.items()
            },
        },
        "student_onnx_with_supervisor": _deployed(),
        "ood": {
            "normal_flagged": 0.01,
            "black_camera_flagged": 1.0,
            "lidar_all_max_flagged": 1.0,
            "samples_each": 400,
        },
        "latency_batch1": {"onnxruntime_cpu_1thread": {"p50_ms": 0.2, "p99_ms": 0.3}},
    }


def _card(chosen: dict, kept: dict) -> str:
    log = {
        "seed": 0,
        "fast": False,
        "samples": 10,
        "train_seconds": 1.0,
        "dataset_sha256": "ab",
        "rounds": [{"round": "bc", "samples": 10, "loss": 0.1}],
    }
    return model_card("m", _metrics(chosen, kept), log, 1000, "cd", 123)


def test_the_ratio_and_the_status_come_from_the_seeds_kept_apart():
    flattering = _card(
        {"teacher": 1.0, "student_torch": 0.95, "student_onnx": 0.95},
        {"teacher": 1.0, "student_torch": 0.6, "student_onnx": 0.6},
    )
    assert "the 100 seeds kept apart): 60% (target >= 85%)" in flattering
    assert "below target" in flattering
    assert "| student, ONNX Runtime CPU | 95% | 95% | 95% | 95% | **60%** | 1 (1 person) | 0 |" in flattering
    assert "student, ONNX Runtime CPU: 5003" in flattering
    honest = _card(
        {"teacher": 1.0, "student_torch": 0.6, "student_onnx": 0.6},
        {"teacher": 0.9, "student_torch": 0.8, "student_onnx": 0.8},
    )
    assert "the 100 seeds kept apart): 89% (target >= 85%)" in honest
    assert "meets the driving and OOD targets" in honest and "below target" not in honest


def test_the_card_says_when_the_model_is_an_ensemble():
    rates = {"teacher": 1.0, "student_torch": 0.9, "student_onnx": 0.9}
    log = {
        "seed": 0,
        "fast": True,
        "samples": 10,
        "train_seconds": 1.0,
        "dataset_sha256": "ab",
        "snapshots": 3,
        "rounds": [{"round": "bc", "samples": 10, "loss": 0.1}],
    }
    assert "An ensemble of 3 such students" in model_card("m", _metrics(rates, rates), log, 3000, "cd", 123)
    assert "ensemble" not in _card(rates, rates)


def test_the_card_shows_the_deployed_outcomes_split_by_motion_and_the_supervisor_harm():
    card = _card({"teacher": 1.0, "student_torch": 0.9, "student_onnx": 0.9},
                 {"teacher": 1.0, "student_torch": 0.9, "student_onnx": 0.9})
    assert "| student alone | 50% | 1 (1) | 1 | 0 | 0 | 0.00 / 0.60 |" in card
    assert "| **as deployed** | 50% | 1 (1) | 1 | 0 | 0 | 0.00 / 0.60 |" in card
    assert "Supervisor harm (alone reaches the goal, as deployed does not): 1 episodes (25%)" in card
    assert "helped (the other way round): 1" in card

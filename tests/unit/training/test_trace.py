"""genba-policy eval --trace-failures: a failed episode's last steps beside the teacher's commands."""

import math

import pytest

from genba_training.cli import main
from genba_training.evaluation import evaluate
from genba_training.scenarios import generate
from genba_training.teacher import Teacher
from genba_training.trace import Step, Tracer, format_trace


def test_a_failed_episode_prints_its_last_steps_beside_the_teacher(capsys):
    # full speed straight on, whatever is ahead: the hall stops it with a collision
    results = evaluate(range(9003, 9004), lambda obs: (0.8, 0.0), "rammer", trace_steps=5)
    assert results[0].status == "collision"
    printed = capsys.readouterr().out
    head = f"{results[0].name}: {results[0].status}"
    assert head in printed, printed
    rows = [
        line
        for line in printed[printed.index(head) :].splitlines()[2:]
        if line.startswith("  ") and "|" in line
    ]
    assert len(rows) == 5
    times = [float(r.split("|")[0]) for r in rows]
    # consecutive steps
    assert all(b - a == pytest.approx(0.1, abs=1e-6) for a, b in zip(times, times[1:], strict=False))
    assert times[-1] <= results[0].time_s <= times[-1] + 0.2  # ... and the last ones
    assert all(r.split("|")[1].split() == ["+0.80", "+0.00"] for r in rows)


def test_the_tracer_records_what_the_teacher_does_in_the_same_state():
    sc = generate(9001)
    teacher = Teacher(sc)

    class FakeSim:  # the tracer reads the pose and the time, nothing else
        time = 2.0

        def pose(self):
            return (sc.start.x, sc.start.y, 0.3)

    tracer = Tracer(sc, lambda sim: (0.1, -0.2), steps=2)
    for _ in range(3):
        assert tracer(FakeSim()) == (0.1, -0.2)
    assert len(tracer.steps) == 2
    s = tracer.steps[-1]
    assert (s.teacher_v_mps, s.teacher_w_radps) == teacher.act(FakeSim().pose(), 2.0)
    if sc.pedestrians:
        assert s.person is not None


def test_the_table_names_the_failure_and_each_step():
    from genba_training.episodes import EpisodeResult

    r = EpisodeResult("generated_1", False, "collision", 12.3, 1, 0.0, "person")
    text = format_trace(
        r, [Step(12.2, 0.4, -0.1, -0.4, 0.0, (0.3, 0.8, 0.0, -0.7)), Step(12.3, 0.3, 0.0, 0.0, 0.0, None)]
    )
    lines = text.splitlines()
    assert lines[0].startswith("generated_1: collision with person at 12.3 s")
    assert "+0.40" in lines[2] and "-0.40" in lines[2] and f"{math.hypot(0.3, 0.8):4.2f}" in lines[2]
    assert lines[3].rstrip().endswith("| -")


def test_trace_failures_is_refused_for_the_teacher_and_below_zero():
    with pytest.raises(SystemExit, match="--trace-failures compares a student with the teacher"):
        main(["eval", "--policy", "teacher", "--trace-failures", "3"])
    with pytest.raises(SystemExit, match="--trace-failures must be >= 0, got -1"):
        main(["eval", "--policy", "torch", "--checkpoint", "x.pt", "--trace-failures", "-1"])

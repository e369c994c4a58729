import math

import numpy as np
import pytest

from genba_policy.training.cli import HELD_OUT_SEEDS, evaluate, parse_seeds
from genba_policy.training.planner import Grid, astar
from genba_policy.training.scenarios import generate
from genba_sim import scenario


def test_planner_path_stays_clear_of_obstacles():
    sc = scenario.load("hall_crossing")
    grid = Grid(sc)
    path = astar(grid, (sc.start.x, sc.start.y), (sc.goal.x, sc.goal.y))
    assert path and path[0] == (sc.start.x, sc.start.y) and path[-1] == (sc.goal.x, sc.goal.y)
    for a, b in zip(path[:-1], path[1:]):
        for t in np.linspace(0, 1, 30):
            x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            assert grid.clearance[grid.cell(x, y)] > 0.4, f"path passes {x:.2f},{y:.2f} too close"


def test_generated_scenarios_are_reproducible_and_valid():
    a, b = generate(1234), generate(1234)
    assert a == b and generate(1235) != a
    assert math.dist((a.start.x, a.start.y), (a.goal.x, a.goal.y)) >= 7.0


def test_seed_range_parsing():
    assert parse_seeds("5:8") == range(5, 8)
    with pytest.raises(Exception, match="9000:9020"):
        parse_seeds("x")


@pytest.mark.slow
def test_teacher_reaches_goal_in_95_percent_of_held_out_scenarios():
    results = evaluate(HELD_OUT_SEEDS, None, "eval teacher")
    assert len(results) == 20
    rate = sum(r.success for r in results) / len(results)
    assert rate >= 0.95, [(r.name, r.status) for r in results if not r.success]
    assert not any(r.status == "collision" for r in results)


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



def test_collision_kinds_and_the_eval_table_name_what_was_hit():
    from genba_policy.training.cli import _collisions
    from genba_policy.training.episodes import EpisodeResult, collision_kinds
    res = [EpisodeResult("a", False, "collision", 3.0, 1, 0.0, "person"),
           EpisodeResult("b", False, "collision", 4.0, 1, 0.0, "person"),
           EpisodeResult("c", False, "collision", 5.0, 1, 0.0, "pillar"),
           EpisodeResult("d", False, "timeout", 90.0, 0, 0.4),
           EpisodeResult("e", True, "goal_reached", 20.0, 0, 0.3)]
    kinds = collision_kinds(res)
    assert kinds == {"person": 2, "pillar": 1}
    assert _collisions({"collisions": 3, "collisions_with": kinds}) == "3 (2 person, 1 pillar)"
    assert _collisions({"collisions": 0, "collisions_with": {}}) == "0"

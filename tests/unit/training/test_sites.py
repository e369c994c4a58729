"""Seeded site layouts for held-out evaluation: valid, reproducible, each family what it says."""

import math

import pytest

from genba_policy.route import astar
from genba_training.evaluation import LAYOUTS, PEOPLE_SEEDS, scenario_for
from genba_training.planner import Grid
from genba_training.sites import FAMILIES, generate_site


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_gives_valid_reproducible_scenarios_with_people(family):
    for seed in list(PEOPLE_SEEDS)[:6]:
        sc = generate_site(seed, family)
        assert sc == generate_site(seed, family)
        assert astar(Grid(sc, inflate_m=0.36), (sc.start.x, sc.start.y), (sc.goal.x, sc.goal.y)) is not None
        assert sc.pedestrians and all(p.behavior in ("aware", "oblivious") for p in sc.pedestrians)
        for p in sc.pedestrians:
            assert all(abs(x) < sc.hall_x / 2 and abs(y) < sc.hall_y / 2 for x, y in p.waypoints)


def test_the_families_are_what_they_say():
    aisles = generate_site(6000, "narrow_aisles")
    shelves = sorted(b.y for b in aisles.obstacles)
    gaps = [b - a - 0.8 for a, b in zip(shelves, shelves[1:], strict=False)]
    assert all(1.2 <= g <= 1.6 + 1e-9 for g in gaps)  # aisles 1.2-1.6 m between the racking
    hall = generate_site(6003, "open_hall")
    assert len(hall.pedestrians) >= 10 and hall.hall_x * hall.hall_y >= 300
    door = generate_site(6002, "doorway")
    assert len(door.obstacles) == 2 and all(b.sx < 0.2 for b in door.obstacles)  # one wall, one gap
    assert (door.start.x < 0) != (door.goal.x < 0)  # the goal is through the door


def test_mixed_takes_every_layout_and_aware_share_marks_people():
    kinds = {scenario_for(s, "mixed").name.rsplit("_", 1)[0] for s in range(6000, 6005)}
    assert kinds == {"generated", *FAMILIES} and len(LAYOUTS) == 5
    aware = scenario_for(5000, "factory_hall", aware_share=1.0)
    assert aware.pedestrians and all(p.behavior == "aware" for p in aware.pedestrians)
    assert all(p.behavior == "oblivious" for p in scenario_for(5000).pedestrians)
    assert math.isfinite(aware.start.x)

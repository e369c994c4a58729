import pytest

from genba_common.errors import ConfigError
from genba_sim import scenario


def write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_builtin_scenarios_load():
    names = scenario.available()
    assert {"hall_crossing", "short_run", "cloud_outage", "sensor_faults"} <= set(names)
    for n in names:
        sc = scenario.load(n)
        assert sc.obstacles and sc.time_limit_s > 0


def test_unknown_scenario_names_the_choices():
    with pytest.raises(ConfigError, match=r"unknown scenario 'nope' \(available: .*hall_crossing"):
        scenario.load("nope")


def test_malformed_yaml_names_file_and_line(tmp_path):
    p = write(tmp_path, "map: factory_hall\nstart: {x: 1, y: 2\ngoal: {x: 0, y: 0}\n")
    with pytest.raises(ConfigError) as e:
        scenario.load(p)
    msg = str(e.value)
    assert p in msg and "malformed YAML" in msg and "line" in msg and "\n" not in msg


@pytest.mark.parametrize("body, field", [
    ("start: {x: 0, y: 0}\ngoal: {x: 1, y: 0}\n", "map"),
    ("map: factory_hall\ngoal: {x: 1, y: 0}\n", "start"),
    ("map: factory_hall\nstart: {x: 0, y: zero}\ngoal: {x: 1, y: 0}\n", "start.y"),
    ("map: factory_hall\nstart: {x: 0, y: 0}\ngoal: {x: 100, y: 0}\n", "goal"),
    ("map: warehouse_9\nstart: {x: 0, y: 0}\ngoal: {x: 1, y: 0}\n", "map"),
    ("map: factory_hall\nstart: {x: 0, y: 0}\ngoal: {x: 1, y: 0}\npedestrians: [{path: [[0, 0], [1]]}]\n",
     "pedestrians[0].path"),
    ("map: factory_hall\nstart: {x: 0, y: 0}\ngoal: {x: 1, y: 0}\nfaults: {cloud_outages: [[5, 2]]}\n",
     "faults.cloud_outages"),
    ("map: factory_hall\nstart: {x: 0, y: 0}\ngoal: {x: 1, y: 0}\ntime_limit_s: .nan\n", "time_limit_s"),
])
def test_bad_fields_are_named(tmp_path, body, field):
    p = write(tmp_path, body)
    with pytest.raises(ConfigError, match=f"field '{field}'".replace("[", r"\[").replace("]", r"\]")):
        scenario.load(p)


def test_seeded_boxes_are_deterministic_and_differ_between_seeds(tmp_path):
    base = ("map: factory_hall\nstart: {x: -6, y: 0}\ngoal: {x: 6, y: 0}\n"
            "random_boxes: {count: 5, region: [[-3, -3], [3, 3]]}\nseed: ")
    a1 = scenario.load(write(tmp_path, base + "1", "a.yaml")).obstacles
    a2 = scenario.load(write(tmp_path, base + "1", "b.yaml")).obstacles
    b = scenario.load(write(tmp_path, base + "2", "c.yaml")).obstacles
    assert a1 == a2 and a1 != b


def test_pedestrian_walks_ping_pong():
    p = scenario.Pedestrian(((0.0, 0.0), (2.0, 0.0)), 1.0)
    assert p.position(1.0)[:2] == pytest.approx((1.0, 0.0))
    assert p.position(3.0)[:2] == pytest.approx((1.0, 0.0))
    assert p.position(4.0)[:2] == pytest.approx((0.0, 0.0))

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


BASE = "map: factory_hall\nstart: {x: -6.8, y: 0.0}\ngoal: {x: 6.8, y: 0.0}\n"


@pytest.mark.parametrize("extra, needle", [
    ("time_lmit_s: 30\n", "unknown key 'time_lmit_s' (did you mean 'time_limit_s'?)"),
    ("pedestrians: [{path: [[0, 0], [1, 0]], sped_mps: 1.0}]\n", "did you mean 'speed_mps'?"),
    ("faults: {lidar_dropout: [[1, 2]]}\n", "did you mean 'lidar_dropouts'?"),
    ("name: 'x\"<geom name=\"evil'\n", "is not an identifier"),
    ("name: ../../etc/escape\n", "is not an identifier"),
    ("name: " + "a" * 65 + "\n", "is not an identifier"),
    ("pedestrians: [{path: [[0, -24], [0, 2]]}]\n", "outside the hall"),
    ("pedestrians:\n" + "  - {path: [[0, 0], [1, 0]]}\n" * 65, "65 entries, at most 64"),
    ("pedestrians: [{path: [" + ", ".join(["[0, 0]"] * 65) + "]}]\n", "1 to 64 [x, y] pairs"),
])
def test_strict_scenario_fields_name_file_and_key(tmp_path, extra, needle):
    p = write(tmp_path, BASE + extra)
    with pytest.raises(ConfigError) as e:
        scenario.load(p)
    msg = str(e.value)
    assert needle in msg and p in msg and "\n" not in msg


@pytest.mark.parametrize("start, needle", [
    ("{x: -5.0, y: -1.8}", "is not free: within"),      # on a pallet of factory_hall
    ("{x: -2.0, y: 0.6}", "is not free: within"),       # against a pillar
    ("{x: -7.8, y: 0.0}", "within 0.49 m of its wall"),  # half inside the hall's wall
])
def test_start_and_goal_must_be_free_with_room_for_the_robot(tmp_path, start, needle):
    p = write(tmp_path, f"map: factory_hall\nstart: {start}\ngoal: {{x: 6.8, y: 0.0}}\n")
    with pytest.raises(ConfigError, match="field 'start'") as e:
        scenario.load(p)
    assert needle in str(e.value)


def test_the_scenario_argument_is_a_name_or_a_path_never_anything_else():
    for bad in ("a\0b", "x" * 5000, "a<b", "..", "name with space"):
        with pytest.raises(ConfigError):
            scenario.resolve(bad)


def test_the_mjcf_never_holds_a_scenario_name_unescaped():
    import dataclasses
    from xml.etree import ElementTree

    from genba_sim.world import build_mjcf

    sc = dataclasses.replace(scenario.load("short_run"), name='x"/><geom name="evil')
    root = ElementTree.fromstring(build_mjcf(sc))
    assert root.get("model") == 'genba_x"/><geom name="evil'
    assert not [g for g in root.iter("geom") if g.get("name") == "evil"]

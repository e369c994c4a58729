import math

import numpy as np
import pytest

from genba_sim import scenario
from genba_sim.simulation import CameraConfig, Simulation


@pytest.fixture(scope="module")
def hall():
    return scenario.load("hall_crossing")


def test_lidar_sees_the_west_wall_at_the_right_distance(hall):
    sim = Simulation(hall, camera=None)
    r = sim.lidar()
    # robot at x=-6.8 facing +x, laser 0.2 m ahead; the west wall's face is at x=-8.0
    behind = r[0]  # beam 0 points at -pi (backwards)
    assert behind == pytest.approx(-8.0 - (-6.8 + 0.2), abs=0.05) or behind == pytest.approx(1.4, abs=0.05)
    assert r.shape == (360,) and np.isfinite(r).sum() > 300


def test_world_is_deterministic_per_seed(hall):
    a, b = Simulation(hall, camera=None), Simulation(hall, camera=None)
    for sim in (a, b):
        sim.set_body_velocity(0.5, 0.3)
        sim.step(500)
    assert a.pose() == b.pose()
    assert np.array_equal(a.lidar(), b.lidar())


def test_driving_into_a_wall_is_a_collision(tmp_path):
    p = tmp_path / "wall.yaml"
    p.write_text("map: factory_hall\nstart: {x: -7.0, y: 0.0, yaw: 3.14159}\ngoal: {x: 7, y: 0}\n")
    sim = Simulation(scenario.load(str(p)), camera=None, stop_on_collision=True)
    sim.set_body_velocity(0.8, 0.0)
    for _ in range(40):
        sim.step(50)
    assert sim.episode.status == "collision" and sim.episode.collisions == 1 and sim.episode.hit == "wall"
    assert sim.min_obstacle_distance() == pytest.approx(0.0, abs=0.01)


def test_the_episode_says_what_was_hit(tmp_path):
    p = tmp_path / "person.yaml"
    p.write_text("map: factory_hall\nstart: {x: -6.0, y: 0.0, yaw: 0.0}\ngoal: {x: 0, y: 0}\n"
                 "pedestrians: [{path: [[-4.5, 0.0], [-4.5, 0.0]], speed_mps: 0.0}]\n")
    sim = Simulation(scenario.load(str(p)), camera=None, stop_on_collision=True)
    assert sim.episode.hit == ""
    sim.set_body_velocity(0.8, 0.0)
    for _ in range(40):
        sim.step(50)
    assert sim.episode.status == "collision" and sim.episode.hit == "person"


def test_velocity_tracking_and_twist(hall):
    sim = Simulation(hall, camera=None)
    sim.set_body_velocity(0.5, 0.0)
    sim.step(500)
    v, w = sim.body_twist()
    assert v == pytest.approx(0.5, abs=0.02) and abs(w) < 0.01
    assert sim.pose()[0] == pytest.approx(-6.8 + 0.5, abs=0.05)


def test_camera_renders_and_blackout_is_black(tmp_path):
    p = tmp_path / "cam.yaml"
    p.write_text(
        "map: factory_hall\nstart: {x: -6, y: 0}\ngoal: {x: 6, y: 0}\nfaults: {camera_blackouts: [[1, 2]]}\n"
    )
    sim = Simulation(scenario.load(str(p)), camera=CameraConfig(128, 96, 60.0))
    img = sim.render()
    assert img.shape == (96, 128, 3) and img.std() > 5
    sim.step(600)  # t = 1.2 s
    assert sim.render().max() == 0
    sim.close()


def test_goal_reached(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text("map: factory_hall\nstart: {x: -6, y: 0}\ngoal: {x: -5, y: 0, tolerance_m: 0.3}\n")
    sim = Simulation(scenario.load(str(p)), camera=None)
    sim.set_body_velocity(0.5, 0.0)
    for _ in range(30):
        sim.step(50)
    assert sim.episode.status == "goal_reached" and math.isfinite(sim.episode.path_length_m)

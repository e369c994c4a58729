"""Simulated people: oblivious ones walk their script, aware ones steer round the robot."""

import math

import pytest

from genba_sim.crowd import AwarePerson, rectangle_distance
from genba_sim.scenario import Pedestrian
from genba_sim.world import CHASSIS_HALF, PED_RADIUS_M

HALF = CHASSIS_HALF[:2]


def walk(person: AwarePerson, robot_pose, seconds: float, dt: float = 0.01) -> float:
    """Steps the person; returns the closest they came to the robot's rectangle."""
    closest = math.inf
    for _ in range(int(seconds / dt)):
        person.step(dt, robot_pose, HALF, PED_RADIUS_M)
        closest = min(closest, rectangle_distance(person.x, person.y, robot_pose, HALF)[0])
    return closest


def test_an_aware_person_walks_round_a_robot_standing_in_their_way():
    ped = Pedestrian(((-4.0, 0.0), (4.0, 0.0)), 1.0, behavior="aware")
    robot = (0.0, 0.05, 0.3)  # standing on their line
    closest = walk(AwarePerson(ped), robot, 8.0)
    assert closest > 0.15  # the script would walk straight through the robot
    oblivious = min(rectangle_distance(*ped.position(t / 100)[:2], robot, HALF)[0] for t in range(800))
    assert oblivious == 0.0


def test_an_aware_person_with_nobody_in_the_way_keeps_to_the_route_and_pace():
    ped = Pedestrian(((-4.0, 1.0), (4.0, 1.0)), 0.8, behavior="aware")
    p = AwarePerson(ped)
    walk(p, (0.0, -20.0, 0.0), 5.0)
    assert abs(p.y - 1.0) < 0.05
    assert math.hypot(p.vx, p.vy) == pytest.approx(0.8, abs=0.05)
    assert p.x == pytest.approx(0.0, abs=0.15)  # 4 m in 5 s at 0.8 m/s from x = -4


def test_an_aware_person_turns_at_the_end_of_their_route():
    ped = Pedestrian(((0.0, 0.0), (1.0, 0.0)), 1.0, behavior="aware")
    p = AwarePerson(ped)
    walk(p, (0.0, -20.0, 0.0), 3.0)
    assert -0.3 < p.x < 1.3  # walks back and forth between the two waypoints

"""The deployed-pair evaluation: a policy's commands pass the real supervisor core before the wheels."""

import dataclasses
import math

from genba_training.scenarios import generate
from genba_training.supervised import run_supervised_episode
from genba_training.teacher import Teacher


def _no_people(seed: int, time_limit_s: float):
    return dataclasses.replace(generate(seed), pedestrians=(), time_limit_s=time_limit_s)


def test_a_good_policy_gets_through_the_supervisor_to_the_goal():
    sc = _no_people(9003, 60)
    teacher = Teacher(sc)
    result, _ = run_supervised_episode(sc, lambda sim: teacher.act(sim.pose(), sim.time))
    assert result.success and not result.hit_standing, result


def test_the_supervisor_holds_back_a_policy_that_drives_at_whatever_is_ahead():
    # full speed straight on for 20 s: alone it would hit whatever the hall puts in its way
    sc = _no_people(9003, 20)
    poses = []

    def rammer(sim):
        poses.append(sim.pose())
        return 1.0, 0.0
    result, _ = run_supervised_episode(sc, rammer)
    assert result.status == "timeout" and result.collisions == 0, result
    travelled = math.dist(poses[0][:2], poses[-1][:2])
    assert travelled > 0.5, "the supervisor must let it drive where the way is clear"
    assert result.min_distance_m < 1.0, "it must have been stopped in front of something"

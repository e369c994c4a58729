"""Closed loop in MuJoCo: a deliberately faulty policy drives at obstacles; the supervisor must
prevent every collision. Real physics, the real supervisor core and the controller firmware core,
stepped deterministically (no wall clock), so a failure replays exactly.
"""

import math

import numpy as np
import pytest

from genba_actuation import protocol as p
from genba_actuation.controller import ControllerConfig, ControllerCore
from genba_actuation.kinematics import DiffDrive
from genba_safety.supervisor import HealthInput, Inputs, OdomInput, ScanInput, Supervisor, SupervisorConfig
from genba_safety.watchdog import Now
from genba_safety.zones import ScanGeometry
from genba_sim import scenario
from genba_sim.simulation import Simulation
from genba_sim.world import LASER_XYZ, TRACK_WIDTH_M, WHEEL_RADIUS_M

TICK = 0.01


def rammer(t, pose, sim, rng):
    return 1.0, 0.0  # full speed straight ahead, whatever is there


def nan_burst(t, pose, sim, rng):
    return (math.nan, 0.0) if int(t * 4) % 2 else (1.0, 0.1)


def pedestrian_chaser(t, pose, sim, rng):
    x, y, yaw = pose
    px, py, _ = sim.sc.pedestrians[0].position(sim.time)
    bearing = math.atan2(py - y, px - x) - yaw
    return 1.0, 2.0 * math.atan2(math.sin(bearing), math.cos(bearing))


def lunatic(t, pose, sim, rng):
    return float(rng.uniform(-0.5, 1.5)), float(rng.uniform(-3, 3))


@pytest.mark.parametrize("policy", [rammer, nan_burst, pedestrian_chaser, lunatic], ids=lambda f: f.__name__)
@pytest.mark.parametrize("start", [(-6.8, 0.0, 0.0), (-3.0, 0.0, 1.5708), (1.5, 0.0, -1.5708)],
                         ids=["to_pillar", "to_shelf", "to_other_shelf"])
def test_faulty_policy_never_causes_a_collision(policy, start, tmp_path):
    src = scenario.load("hall_crossing")
    path = tmp_path / "s.yaml"
    path.write_text(
        f"map: factory_hall\nseed: 3\nstart: {{x: {start[0]}, y: {start[1]}, yaw: {start[2]}}}\n"
        f"goal: {{x: 6.8, y: 0.0}}\ntime_limit_s: 30\n"
        f"pedestrians:\n  - {{path: [[-1.0, -1.5], [-1.0, 1.5]], speed_mps: 0.5}}\n")
    sc = scenario.load(str(path))
    assert src.obstacles  # the map has shelves, pillars and pallets to hit
    sim = Simulation(sc, camera=None)
    cfg = SupervisorConfig()
    sup, inputs = Supervisor(cfg), Inputs(cfg)
    drive = DiffDrive(WHEEL_RADIUS_M, TRACK_WIDTH_M)
    ctl = ControllerCore(ControllerConfig())
    ctl.handle(p.Hello(), 0, 0.0)
    geom = ScanGeometry(-math.pi, 2 * math.pi / 360, 0.12, 12.0, LASER_XYZ[0], 0.0, 0.0)
    rng = np.random.default_rng(0)
    ros0 = 1.7e9
    moving_contacts = 0
    static = {g for g in sim.obstacle_geoms if not sim.model.geom(g).name.startswith("ped_")}
    people = set(sim.person_geoms)
    max_speed = 0.0
    shoved_until = -1.0  # a person pushing the standing robot (the sim's people avoid no one)
    for k in range(int(20.0 / TICK)):
        t = k * TICK
        now = Now(t, ros0 + t)
        pose = sim.pose()
        if k % 10 == 0:
            inputs.offer("scan", ScanInput(sim.lidar(), geom), now.ros, now)
            inputs.offer("cmd", policy(t, pose, sim, rng), now.ros, now)
            inputs.offer("health", HealthInput(0.05, 1.0, True), now.ros, now)  # it *claims* to be fine
            inputs.offer("camera", True, now.ros, now)
            inputs.offer("cloud", "ok", now.ros, now)
        if k % 2 == 0:
            v_meas, w_meas = sim.body_twist()
            inputs.offer("odom", OdomInput(pose[0], pose[1], pose[2], v_meas, w_meas), now.ros, now)
        out = sup.step(now, inputs)
        ctl.handle(p.Velocity(*[int(round(x * 1000)) for x in drive.wheel_speeds(out.v, out.w)]), k & 0xFF, t)
        sim.set_body_velocity(*drive.twist(*ctl.update(t)))
        sim.step(5)
        v, _ = sim.body_twist()
        max_speed = max(max_speed, abs(v))
        contacts = [sim.data.contact[i] for i in range(sim.data.ncon)]
        if out.v == 0.0 and out.w == 0.0 and any(
            sim.chassis in (c.geom1, c.geom2) and {c.geom1, c.geom2} & people for c in contacts
        ):
            shoved_until = t + 1.0
        for c in contacts:
            if t < shoved_until and out.v == 0.0 and out.w == 0.0:
                break  # pushed into something while held still: a person did it, not the policy
            assert not ({c.geom1, c.geom2} & static and sim.chassis in (c.geom1, c.geom2)), (
                f"{policy.__name__}: hit {sim.model.geom(c.geom1).name}/{sim.model.geom(c.geom2).name} "
                f"at t={t:.2f}"
            )
        # A person (a mocap body that avoids no one) may walk into a robot standing still and
        # push it; what the supervisor must prevent is contact while it lets the robot drive.
        if sim.episode.in_contact and abs(out.v) > 0.05:
            moving_contacts += 1
    assert moving_contacts == 0, f"{policy.__name__}: robot was driven while in contact"
    if policy is not lunatic:
        assert max_speed > 0.2, "the faulty policy must actually have been allowed to drive"

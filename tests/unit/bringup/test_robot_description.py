"""The robot description: one set of dimensions for the URDF, the simulator and the safety footprint,
and the sensors where the calibration puts them."""

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from genba_bringup.robot_description import sim_robot_urdf
from genba_common.params import node_defaults
from genba_perception.extrinsics import load_extrinsics
from genba_sim.world import CAMERA_XYZ, CHASSIS_HALF, LASER_XYZ

ROOT = Path(__file__).resolve().parents[3]
EXTRINSICS = ROOT / "calibration" / "extrinsics_sim_robot.yaml"


def test_the_simulator_the_footprint_and_the_calibration_agree():
    safety = node_defaults("genba_safety", "safety_supervisor.yaml")
    assert CHASSIS_HALF[:2] == (safety["footprint_front_m"], safety["footprint_half_width_m"])
    assert safety["footprint_rear_m"] == CHASSIS_HALF[0]
    poses = {t.child: t.xyz for t in load_extrinsics(str(EXTRINSICS))}
    assert poses["laser"] == LASER_XYZ and poses["camera_link"] == CAMERA_XYZ


def test_the_urdf_has_the_chassis_and_every_calibrated_sensor():
    robot = ET.fromstring(sim_robot_urdf(ROOT))
    links = {link.get("name") for link in robot.iter("link")}
    assert {"base_link", "wheel_left", "wheel_right", "laser", "camera_link", "camera_optical_frame"} <= links
    box = [float(v) for v in robot.find("link[@name='base_link']/visual/geometry/box").get("size").split()]
    assert box[:2] == [2 * CHASSIS_HALF[0], 2 * CHASSIS_HALF[1]]
    joints = {j.find("child").get("link"): j for j in robot.iter("joint")}
    for t in load_extrinsics(str(EXTRINSICS)):
        j = joints[t.child]
        assert j.find("parent").get("link") == t.parent and j.get("type") == "fixed"
        xyz = [float(v) for v in j.find("origin").get("xyz").split()]
        rpy = [float(v) for v in j.find("origin").get("rpy").split()]
        assert xyz == pytest.approx(list(t.xyz)) and rpy == pytest.approx(list(t.rpy), abs=1e-6)
    assert joints["camera_optical_frame"].find("parent").get("link") == "camera_link"
    roll = float(joints["camera_optical_frame"].find("origin").get("rpy").split()[0])
    assert math.isclose(roll, -math.pi / 2, abs_tol=1e-6)

"""The robot description (URDF) of the simulated robot, built from the sources the rest of the stack
reads: the chassis and wheels of the simulator's model (``genba_sim.world``), which match the safety
supervisor's footprint, and the sensor poses of the calibration's extrinsics file. It is published
on ``/robot_description`` (latched) and recorded, so rviz and Foxglove can draw the robot."""

from __future__ import annotations

import math
from pathlib import Path

from genba_common import frames
from genba_perception.extrinsics import Transform, load_extrinsics
from genba_sim.world import CHASSIS_HALF, CHASSIS_Z, TRACK_WIDTH_M, WHEEL_RADIUS_M


def _origin(xyz, rpy=(0.0, 0.0, 0.0)) -> str:
    return (f'<origin xyz="{xyz[0]:g} {xyz[1]:g} {xyz[2]:g}" '
            f'rpy="{rpy[0]:.7g} {rpy[1]:.7g} {rpy[2]:.7g}"/>')


def robot_urdf(sensors: list[Transform], name: str = "genba_robot") -> str:
    """URDF with base_link (the chassis box), two wheels and a link per sensor frame."""
    cx, cy, cz = CHASSIS_HALF
    box, chassis = f'<box size="{2 * cx:g} {2 * cy:g} {2 * cz:g}"/>', _origin((0, 0, CHASSIS_Z))
    parts = [f'<?xml version="1.0"?>\n<robot name="{name}">',
             '  <material name="body"><color rgba="0.9 0.55 0.1 1"/></material>',
             '  <material name="tyre"><color rgba="0.05 0.05 0.05 1"/></material>',
             f'  <link name="{frames.BASE_LINK}">',
             f'    <visual>{chassis}<geometry>{box}</geometry><material name="body"/></visual>',
             f'    <collision>{chassis}<geometry>{box}</geometry></collision>',
             '  </link>']
    for side, y in (("left", TRACK_WIDTH_M / 2), ("right", -TRACK_WIDTH_M / 2)):
        parts += [f'  <link name="wheel_{side}"><visual>{_origin((0, 0, 0), (math.pi / 2, 0, 0))}<geometry>'
                  f'<cylinder radius="{WHEEL_RADIUS_M:g}" length="0.05"/></geometry><material name="tyre"/>'
                  '</visual></link>',
                  f'  <joint name="wheel_{side}_joint" type="continuous"><parent link="{frames.BASE_LINK}"/>'
                  f'<child link="wheel_{side}"/>{_origin((0, y, WHEEL_RADIUS_M))}<axis xyz="0 1 0"/></joint>']
    for t in sensors:
        parts += [f'  <link name="{t.child}"/>',
                  f'  <joint name="{t.child}_joint" type="fixed"><parent link="{t.parent}"/>'
                  f'<child link="{t.child}"/>{_origin(t.xyz, t.rpy)}</joint>']
    parts.append("</robot>\n")
    return "\n".join(parts)


def sim_robot_urdf(root: Path) -> str:
    """The simulated robot's URDF, with the sensors of ``calibration/extrinsics_sim_robot.yaml``."""
    return robot_urdf(load_extrinsics(str(root / "calibration" / "extrinsics_sim_robot.yaml")))

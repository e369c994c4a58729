"""Builds the MJCF of a scenario: hall, shelves/boxes, pedestrians (mocap), diff-drive robot."""

from __future__ import annotations

import math
from xml.sax.saxutils import quoteattr

from genba_sim.robot_body import (  # noqa: F401 (the world's users read the body from here too)
    CAMERA_XYZ,
    CHASSIS_HALF,
    CHASSIS_Z,
    LASER_XYZ,
    PED_RADIUS_M,
    TRACK_WIDTH_M,
    WHEEL_RADIUS_M,
)
from genba_sim.scenario import Scenario


def _quat_z(yaw: float) -> str:
    return f"{math.cos(yaw / 2):.6f} 0 0 {math.sin(yaw / 2):.6f}"


def build_mjcf(sc: Scenario, camera_fovy_deg: float = 60.0) -> str:
    hx, hy, wh = sc.hall_x / 2, sc.hall_y / 2, sc.wall_height / 2
    t = 0.1
    walls = "\n".join(
        f'<geom name="wall_{n}" type="box" pos="{x} {y} {wh}" size="{sx} {sy} {wh}" material="wall"/>'
        for n, x, y, sx, sy in (("n", 0, hy + t, hx + 2 * t, t), ("s", 0, -hy - t, hx + 2 * t, t),
                                ("e", hx + t, 0, t, hy), ("w", -hx - t, 0, t, hy)))
    mats = {"shelf": "shelf", "box": "crate", "clutter": "crate", "pillar": "pillar"}
    obstacles = "\n".join(
        f'<geom name="obs_{i}_{b.kind}" type="box" pos="{b.x} {b.y} {b.sz}" size="{b.sx} {b.sy} {b.sz}" '
        f'quat="{_quat_z(b.yaw)}" material="{mats.get(b.kind, "crate")}"/>'
        for i, b in enumerate(sc.obstacles))
    peds = "\n".join(
        f'<body name="ped_{i}" mocap="true" pos="{p.waypoints[0][0]} {p.waypoints[0][1]} 0">'
        f'<geom name="ped_{i}_body" type="capsule" fromto="0 0 {PED_RADIUS_M} 0 0 1.45" '
        f'size="{PED_RADIUS_M}" '
        f'material="person"/><geom name="ped_{i}_head" type="sphere" pos="0 0 1.62" size="0.12" '
        f'material="skin" contype="0" conaffinity="0"/></body>'
        for i, p in enumerate(sc.pedestrians)
    )
    cx, cy, cz = CHASSIS_HALF
    s = sc.start
    return f"""<mujoco model={quoteattr("genba_" + sc.name)}>
  <compiler angle="radian"/>
  <option timestep="0.002" integrator="implicitfast" gravity="0 0 -9.81"/>
  <visual><quality shadowsize="0" offsamples="0"/><global offwidth="640" offheight="480"/>
    <headlight ambient="0.45 0.45 0.45" diffuse="0.5 0.5 0.5"/></visual>
  <asset>
    <texture name="floor" type="2d" builtin="checker" rgb1="0.55 0.55 0.52" rgb2="0.48 0.48 0.46"
             width="64" height="64"/>
    <material name="floor" texture="floor" texrepeat="{sc.hall_x / 2} {sc.hall_y / 2}"/>
    <material name="wall" rgba="0.75 0.78 0.8 1"/>
    <material name="shelf" rgba="0.15 0.35 0.7 1"/>
    <material name="crate" rgba="0.7 0.5 0.25 1"/>
    <material name="pillar" rgba="0.9 0.8 0.1 1"/>
    <material name="person" rgba="0.85 0.25 0.2 1"/>
    <material name="skin" rgba="0.9 0.75 0.6 1"/>
    <material name="robot" rgba="0.2 0.2 0.22 1"/>
  </asset>
  <worldbody>
    <light pos="0 0 6" dir="0 0 -1" directional="true" castshadow="false"/>
    <geom name="floor" type="plane" size="{hx + 1} {hy + 1} 0.1" material="floor"/>
    {walls}
    {obstacles}
    {peds}
    <body name="base_link" pos="{s.x} {s.y} 0">
      <joint name="x" type="slide" axis="1 0 0" damping="0"/>
      <joint name="y" type="slide" axis="0 1 0" damping="0"/>
      <joint name="yaw" type="hinge" axis="0 0 1" damping="0"/>
      <geom name="chassis" type="box" pos="0 0 {CHASSIS_Z}" size="{cx} {cy} {cz}" mass="30" material="robot"/>
      <geom name="wheel_l" type="cylinder" pos="0 {TRACK_WIDTH_M / 2} {WHEEL_RADIUS_M}" zaxis="0 1 0"
            size="{WHEEL_RADIUS_M} 0.025" contype="0" conaffinity="0" rgba="0.05 0.05 0.05 1"/>
      <geom name="wheel_r" type="cylinder" pos="0 {-TRACK_WIDTH_M / 2} {WHEEL_RADIUS_M}" zaxis="0 1 0"
            size="{WHEEL_RADIUS_M} 0.025" contype="0" conaffinity="0" rgba="0.05 0.05 0.05 1"/>
      <geom name="laser_housing" type="cylinder" pos="{LASER_XYZ[0]} 0 {LASER_XYZ[2] - 0.03}" size="0.04 0.03"
            contype="0" conaffinity="0" rgba="0.1 0.1 0.1 1"/>
      <site name="laser" pos="{LASER_XYZ[0]} {LASER_XYZ[1]} {LASER_XYZ[2]}"/>
      <camera name="front_camera" pos="{CAMERA_XYZ[0]} {CAMERA_XYZ[1]} {CAMERA_XYZ[2]}" xyaxes="0 -1 0 0 0 1"
              fovy="{camera_fovy_deg}"/>
    </body>
  </worldbody>
  <actuator>
    <velocity name="vx" joint="x" kv="1500" ctrlrange="-3 3"/>
    <velocity name="vy" joint="y" kv="1500" ctrlrange="-3 3"/>
    <velocity name="wz" joint="yaw" kv="60" ctrlrange="-6 6"/>
  </actuator>
</mujoco>
"""

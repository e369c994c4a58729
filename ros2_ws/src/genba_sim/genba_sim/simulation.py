"""ROS-free simulation core: MuJoCo physics, 2D LiDAR by ray casting, camera, episode bookkeeping."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from genba_common.errors import ConfigError
from genba_sim.crowd import AwarePerson
from genba_sim.scenario import Faults, Scenario
from genba_sim.world import CHASSIS_HALF, LASER_XYZ, PED_RADIUS_M, build_mjcf


def import_mujoco():
    """Import MuJoCo for offscreen EGL rendering, or fail with one line saying what is missing."""
    os.environ.setdefault("MUJOCO_GL", "egl")
    os.environ.setdefault("PYOPENGL_PLATFORM", os.environ["MUJOCO_GL"])
    try:
        import mujoco  # noqa: F401
    except ImportError as exc:
        raise ConfigError(f"MuJoCo is not installed ({exc}); run the README set-up command") from None
    except Exception as exc:  # the GL backend named by MUJOCO_GL failed to load (PyOpenGL raises oddly)
        raise ConfigError(f"MuJoCo could not load its OpenGL backend MUJOCO_GL={os.environ['MUJOCO_GL']} "
                          f"({type(exc).__name__}: {exc}); use MUJOCO_GL=egl with libegl1 and "
                          f"libgl1-mesa-dri installed, or pass --no-camera") from None
    return mujoco


@dataclass(frozen=True)
class LidarConfig:
    beams: int = 360
    range_min_m: float = 0.12
    range_max_m: float = 12.0
    noise_std_m: float = 0.01


@dataclass(frozen=True)
class CameraConfig:
    width: int = 128
    height: int = 96
    fovy_deg: float = 60.0


@dataclass
class EpisodeState:
    status: str = "running"      # running | goal_reached | collision | timeout
    collisions: int = 0
    min_obstacle_distance_m: float = math.inf
    path_length_m: float = 0.0
    trajectory: list = field(default_factory=list)   # (t, x, y, yaw)
    in_contact: bool = False
    hit: str = ""                # what the first collision was with: person, wall, or a box's kind
    contact_speed_mps: float = 0.0  # fastest chassis point at the first collision (|v| + |w| r)
    min_person_distance_m: float = math.inf


def _kind_of(geom_name: str) -> str:
    """'ped_0_body' -> 'person', 'obs_3_clutter' -> 'clutter', 'wall_2' -> 'wall' (world.py's names)."""
    if geom_name.startswith("ped_"):
        return "person"
    if geom_name.startswith("obs_"):
        return geom_name.split("_", 2)[-1]
    return geom_name.split("_", 1)[0] or "unknown"


class Simulation:
    """One scenario in MuJoCo. Call :meth:`advance` with wall-clock time or fixed steps."""

    def __init__(self, scenario: Scenario, lidar: LidarConfig = LidarConfig(),
                 camera: CameraConfig | None = CameraConfig(), stop_on_collision: bool = False) -> None:
        mj = import_mujoco()
        self.mj = mj
        self.sc = scenario
        self.lidar_cfg = lidar
        self.stop_on_collision = stop_on_collision
        self.model = mj.MjModel.from_xml_string(build_mjcf(scenario, camera.fovy_deg if camera else 60.0))
        self.data = mj.MjData(self.model)
        m = self.model
        self._jx, self._jy, self._jyaw = (m.joint(n).qposadr[0] for n in ("x", "y", "yaw"))
        self._vx, self._vy, self._vyaw = (m.joint(n).dofadr[0] for n in ("x", "y", "yaw"))
        self.data.qpos[self._jyaw] = scenario.start.yaw
        self.robot_body = m.body("base_link").id
        self.chassis = m.geom("chassis").id
        self.floor = m.geom("floor").id
        self.obstacle_geoms = [g for g in range(m.ngeom)
                               if m.geom_bodyid[g] != self.robot_body and g != self.floor and
                               (m.geom_contype[g] or m.geom_conaffinity[g])]
        ped_bodies = {m.body(f"ped_{i}").id for i in range(len(scenario.pedestrians))}
        self.person_geoms = {g for g in self.obstacle_geoms if m.geom_bodyid[g] in ped_bodies}
        self.ped_mocap = [m.body(f"ped_{i}").mocapid[0] for i in range(len(scenario.pedestrians))]
        self.aware = [AwarePerson(p) if p.behavior == "aware" else None for p in scenario.pedestrians]
        self.rng = np.random.default_rng(scenario.seed)
        n = lidar.beams
        self.scan_angles = -math.pi + (2 * math.pi / n) * np.arange(n)
        self._ray_geom = np.zeros(n, np.int32)
        self._ray_dist = np.zeros(n, np.float64)
        self.renderer = None
        if camera is not None:
            try:
                self.renderer = mj.Renderer(m, camera.height, camera.width)
            except Exception as exc:  # no EGL / GL library: say so in one line
                raise ConfigError(f"offscreen rendering failed with MUJOCO_GL={os.environ.get('MUJOCO_GL')}: "
                                  f"{str(exc).splitlines()[0]} (install libegl1 and libgl1-mesa-dri, "
                                  f"or run headless without camera)") from None
        self.episode = EpisodeState()
        self.cmd = (0.0, 0.0)
        mj.mj_forward(m, self.data)
        self._update_pedestrians()

    # -- state ------------------------------------------------------------------------------
    @property
    def time(self) -> float:
        return float(self.data.time)

    def pose(self) -> tuple[float, float, float]:
        q = self.data.qpos
        yaw = math.atan2(math.sin(q[self._jyaw]), math.cos(q[self._jyaw]))
        return self.sc.start.x + float(q[self._jx]), self.sc.start.y + float(q[self._jy]), yaw

    def body_twist(self) -> tuple[float, float]:
        """Measured (v, w) in base_link."""
        qv = self.data.qvel
        yaw = self.pose()[2]
        return (float(qv[self._vx] * math.cos(yaw) + qv[self._vy] * math.sin(yaw)), float(qv[self._vyaw]))

    def set_body_velocity(self, v: float, w: float) -> None:
        """Velocity set-point for the drive (what the wheels deliver), in base_link."""
        self.cmd = (v, w)

    # -- stepping ---------------------------------------------------------------------------
    def pedestrian_pose(self, i: int) -> tuple[float, float, float]:
        """Where person ``i`` is now (x, y, heading): their script, or their own way if aware."""
        aware = self.aware[i]
        return aware.pose() if aware is not None else self.sc.pedestrians[i].position(self.time)

    def _update_pedestrians(self, dt: float = 0.0) -> None:
        if dt > 0.0 and any(a is not None for a in self.aware):
            pose = self.pose()
            for a in self.aware:
                if a is not None:
                    a.step(dt, pose, CHASSIS_HALF[:2], PED_RADIUS_M)
        for i, mocap in enumerate(self.ped_mocap):
            x, y, yaw = self.pedestrian_pose(i)
            self.data.mocap_pos[mocap] = (x, y, 0.0)
            self.data.mocap_quat[mocap] = (math.cos(yaw / 2), 0.0, 0.0, math.sin(yaw / 2))

    def step(self, n: int = 1) -> None:
        m, d, mj = self.model, self.data, self.mj
        for _ in range(n):
            if self.episode.status != "running":
                v, w = 0.0, 0.0
            else:
                v, w = self.cmd
            yaw = self.pose()[2]
            d.ctrl[0], d.ctrl[1], d.ctrl[2] = v * math.cos(yaw), v * math.sin(yaw), w
            self._update_pedestrians(float(m.opt.timestep))
            x0, y0, _ = self.pose()
            mj.mj_step(m, d)
            x1, y1, _ = self.pose()
            self.episode.path_length_m += math.hypot(x1 - x0, y1 - y0)
        self._bookkeep()

    def _bookkeep(self) -> None:
        ep = self.episode
        x, y, yaw = self.pose()
        if not ep.trajectory or self.time - ep.trajectory[-1][0] >= 0.1:
            ep.trajectory.append((round(self.time, 3), round(x, 4), round(y, 4), round(yaw, 4)))
        touching = self._robot_in_contact()
        if touching and not ep.in_contact:
            ep.collisions += 1
            if not ep.hit:
                ep.hit = touching
                v, w = self.body_twist()
                ep.contact_speed_mps = abs(v) + abs(w) * math.hypot(CHASSIS_HALF[0], CHASSIS_HALF[1])
        ep.in_contact = bool(touching)
        if ep.status == "running":
            if touching and self.stop_on_collision:
                ep.status = "collision"
            elif math.hypot(x - self.sc.goal.x, y - self.sc.goal.y) <= self.sc.goal_tolerance_m:
                ep.status = "goal_reached"
            elif self.time >= self.sc.time_limit_s:
                ep.status = "timeout"

    def _robot_in_contact(self) -> str:
        """What the robot touches ('person', 'wall', a box's kind such as 'clutter'), '' if nothing."""
        d, m = self.data, self.model
        for i in range(d.ncon):
            c = d.contact[i]
            b1, b2 = m.geom_bodyid[c.geom1], m.geom_bodyid[c.geom2]
            if (b1 == self.robot_body) != (b2 == self.robot_body) and self.floor not in (c.geom1, c.geom2):
                other = c.geom2 if b1 == self.robot_body else c.geom1
                return _kind_of(self.mj.mj_id2name(m, self.mj.mjtObj.mjOBJ_GEOM, other) or "")
        return ""

    def min_obstacle_distance(self, search_m: float = 3.0) -> float:
        """Exact distance from the chassis to the nearest obstacle or person (0 when touching)."""
        best = person = search_m
        fromto = np.zeros(6)
        for g in self.obstacle_geoms:
            dist = self.mj.mj_geomDistance(self.model, self.data, self.chassis, g, search_m, fromto)
            best = min(best, dist)
            if g in self.person_geoms:
                person = min(person, dist)
        best = max(0.0, best)
        self.episode.min_obstacle_distance_m = min(self.episode.min_obstacle_distance_m, best)
        self.episode.min_person_distance_m = min(self.episode.min_person_distance_m, max(0.0, person))
        return best

    # -- sensors ----------------------------------------------------------------------------
    def lidar(self) -> np.ndarray:
        """360 ranges (m), beam 0 at -pi in the laser frame; out-of-range returns are +inf (REP-117)."""
        cfg = self.lidar_cfg
        if Faults.active(self.sc.faults.lidar_dropouts, self.time):
            return np.full(cfg.beams, np.nan)
        x, y, yaw = self.pose()
        c, s = math.cos(yaw), math.sin(yaw)
        origin = np.array([x + c * LASER_XYZ[0] - s * LASER_XYZ[1], y + s * LASER_XYZ[0] + c * LASER_XYZ[1],
                           LASER_XYZ[2]])
        ang = self.scan_angles + yaw
        vec = np.column_stack((np.cos(ang), np.sin(ang), np.zeros_like(ang))).ravel()
        self.mj.mj_multiRay(self.model, self.data, origin, vec, None, 1, self.robot_body, self._ray_geom,
                            self._ray_dist, None, cfg.beams, cfg.range_max_m)
        r = self._ray_dist.copy()
        miss = (self._ray_geom < 0) | (r < 0)
        if cfg.noise_std_m > 0:
            r = r + self.rng.normal(0.0, cfg.noise_std_m, r.shape)
        r[miss | (r > cfg.range_max_m)] = np.inf
        r[r < cfg.range_min_m] = -np.inf  # too close to measure (REP-117)
        return r

    def render(self) -> np.ndarray | None:
        """RGB image from the front camera, or a black frame during a scripted blackout."""
        if self.renderer is None:
            return None
        if Faults.active(self.sc.faults.camera_blackouts, self.time):
            return np.zeros((self.renderer.height, self.renderer.width, 3), np.uint8)
        self.renderer.update_scene(self.data, camera="front_camera")
        return self.renderer.render()

    def close(self) -> None:
        if self.renderer is not None:
            self.renderer.close()
            self.renderer = None


"""Simulator node: steps MuJoCo in real time, publishes sensors, hosts the motor-controller emulator.

The robot's wheels are driven only through the emulated controller on a pseudo-terminal: the
actuation bridge talks to it with the real serial protocol, so the whole command path is real.

With ``device_emulation`` the simulator publishes no sensor topics: it is the robot's devices
instead (genba_sim.devices), an LD06 on a pty, a camera writing frames into a folder and a fleet
server's TCP port, so the robot stack's own drivers run on it unchanged. It then publishes the
static map in ``map`` and the ground-truth pose there as a localizer would; the goal comes from
outside (``genba goal``, rviz), as on a robot.
"""

from __future__ import annotations

import json
import math
import os
import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped, PoseWithCovarianceStamped
from nav_msgs.msg import OccupancyGrid, Odometry
from rclpy.node import Node
from rosgraph_msgs.msg import Clock
from sensor_msgs.msg import CameraInfo, Image, LaserScan
from std_msgs.msg import Header, String
from visualization_msgs.msg import Marker, MarkerArray

from genba_actuation.controller import ControllerConfig
from genba_actuation.emulator import PtyController
from genba_actuation.kinematics import DiffDrive
from genba_actuation.odometry import EncoderNoise, Odometry2D, fill_odometry_msg
from genba_common import frames
from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError
from genba_common.geometry import quaternion_of_yaw
from genba_common.goal_input import goal_message
from genba_common.params import Parameters
from genba_common.qos import COMMAND, DIAGNOSTICS, LATCHED, ODOMETRY, SENSOR
from genba_common.stamps import sec_to_stamp
from genba_common.tf import OdomTf
from genba_perception.camera_info import load_camera_info
from genba_perception.messages import camera_info, rgb_image
from genba_sim import scenario as scenario_mod
from genba_sim.devices import FleetEndpoint, FrameFolder, Ld06Stream, PtyDevice
from genba_sim.occupancy import static_occupancy
from genba_sim.simulation import CameraConfig, LidarConfig, Simulation
from genba_sim.world import TRACK_WIDTH_M, WHEEL_RADIUS_M


class SimNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("sim", **node_kwargs)
        param = Parameters(self, "genba_sim", "sim.yaml")
        scen = param("scenario", "Scenario name (package scenarios/) or path to a YAML file")
        cam_url = param("camera_info_url", "camera_info YAML of the simulated camera ('' = 128x96, 60 deg)")
        self.camera_enabled = param("camera_enabled", "Render the front camera (EGL, offscreen)")
        self.rtf = param("realtime_factor", "Simulated seconds per wall-clock second", 0.1, 10.0)
        self.scan_hz = param("scan_rate_hz", "LaserScan rate", 1.0, 50.0)
        self.camera_hz = param("camera_rate_hz", "Camera rate", 1.0, 60.0)
        self.odom_hz = param("odom_rate_hz", "Odometry rate", 1.0, 200.0)
        self.localization_hz = param(
            "localization_rate_hz", "Rate of the ground-truth pose in map on localization/pose", 0.5, 100.0
        )
        self.cloud_hz = param("cloud_heartbeat_hz", "Simulated cloud-link heartbeat rate", 0.1, 50.0)
        port = param("controller_port", "Symlink created to the emulated controller's pty")
        wd_ms = param("controller_watchdog_ms", "Controller-side watchdog period", 10.0, 5000.0)
        self.wait_for_link_s = param(
            "wait_for_controller_s",
            "Hold simulated time until the bridge has shaken hands (0 = don't wait)",
            0.0,
            600.0,
        )
        self.episode_file = param("episode_file", "Write the episode result (JSON) here when it ends")
        self.emulation = param(
            "device_emulation", "Be the robot's devices (LD06 pty, camera folder, fleet TCP port) instead "
            "of publishing sensor topics, for the robot stack"
        )
        lidar_port = param("lidar_port", "Device emulation: symlink created to the emulated LD06's pty")
        camera_folder = param("camera_folder", "Device emulation: folder the camera frames are written to")
        fleet_port = param("fleet_port", "Device emulation: TCP port of the emulated fleet server "
                           "(127.0.0.1; refused during cloud outages)", 1, 65535)
        param.check_all_declared()
        # a bad scenario or calibration raises a ConfigError: run_node prints its one line and exits 2
        self.sc = scenario_mod.load(scen)
        cal = load_camera_info(cam_url) if cam_url else None
        cam = CameraConfig(cal.width, cal.height, cal.fovy_deg) if cal else CameraConfig()
        self.sim = Simulation(
            self.sc, LidarConfig(noise_std_m=self.sc.lidar_noise_std_m), cam if self.camera_enabled else None
        )
        self.calibration = cal
        self.lidar_dev = self.ld06 = self.frames_out = self.fleet = None
        # the world's frame: odom when this simulator's /odom is ground truth, map when the robot's
        # own wheel odometry (which starts at zero) is /odom
        self.world_frame = frames.MAP if self.emulation else frames.ODOM
        if self.emulation:
            try:
                self.lidar_dev = PtyDevice(lidar_port)
                self.ld06 = Ld06Stream(self.sim.lidar_cfg.beams, self.scan_hz)
                self.frames_out = FrameFolder(camera_folder) if self.camera_enabled else None
                self.fleet = FleetEndpoint(fleet_port)
            except (OSError, ValueError) as exc:
                raise ConfigError(f"device emulation: {exc}") from None
        self.drive = DiffDrive(WHEEL_RADIUS_M, TRACK_WIDTH_M)
        # /odom as the bridge publishes it on a robot: the pose is ground truth, the covariances
        # those of the same encoder model (so nothing downstream can tell the two apart)
        self.odom, self.odom_noise = Odometry2D(), EncoderNoise()
        self.odom_time: float | None = None
        self.controller = PtyController(
            ControllerConfig(watchdog_ms=wd_ms), link_path=port, self_integrate=False
        ).start()
        self.get_logger().info(
            f"scenario '{self.sc.name}' (seed {self.sc.seed}); motor controller on "
            f"{self.controller.port} -> {port}"
        )
        self.pub_scan = self.create_publisher(LaserScan, "scan", SENSOR)
        self.pub_img = self.create_publisher(Image, "camera/image_raw", SENSOR)
        self.pub_info = self.create_publisher(CameraInfo, "camera/camera_info", SENSOR)
        self.pub_odom = self.create_publisher(Odometry, "odom", ODOMETRY)
        self.odom_tf = OdomTf.create(self)  # None without tf2_msgs: genba run's recorder writes /tf then
        # ground truth as a localizer reports it (base_link in map, latched as AMCL's): map goals come
        # into odom by it
        self.pub_localization = self.create_publisher(PoseWithCovarianceStamped, "localization/pose", LATCHED)
        self.pub_clock = self.create_publisher(Clock, "clock", COMMAND)
        self.pub_cloud = self.create_publisher(Header, "cloud/heartbeat", COMMAND)
        self.pub_goal = self.create_publisher(PoseStamped, "goal_pose", LATCHED)
        self.pub_episode = self.create_publisher(String, "sim/episode", LATCHED)
        self.pub_map = self.create_publisher(MarkerArray, "sim/map_markers", LATCHED)
        self.pub_grid = self.create_publisher(OccupancyGrid, "map", LATCHED)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        if not self.emulation:
            self._publish_goal()
        self._publish_map()
        self.dt = float(self.sim.model.opt.timestep)
        self.started_mono: float | None = None
        self.created_mono = time.monotonic()
        self.next_due = dict.fromkeys(("scan", "camera", "odom", "localization", "cloud", "dist"), 0.0)
        self.ended = False
        self.late_steps = 0
        self.create_timer(0.01, self._tick)
        self.create_timer(1.0, self._diagnostics)

    # -- stepping ---------------------------------------------------------------------------
    def _tick(self) -> None:
        now = time.monotonic()
        if self.started_mono is None:
            waited = now - self.created_mono
            if (
                self.wait_for_link_s > 0
                and not self.controller.core.connected
                and waited < self.wait_for_link_s
            ):
                self._publish_clock()
                return
            if not self.controller.core.connected and self.wait_for_link_s > 0:
                self.get_logger().error(
                    f"no actuation bridge after {self.wait_for_link_s:.0f} s; starting anyway"
                )
            self.started_mono = now
            self.get_logger().info("episode started")
        target = (now - self.started_mono) * self.rtf
        n = int((target - self.sim.time) / self.dt)
        if n > 100:  # more than 0.2 s behind: don't try to catch up in one go
            self.late_steps += n - 100
            n = 100
        if n > 0:
            left, right = self.controller.wheel_outputs()
            self.sim.set_body_velocity(*self.drive.twist(left, right))
            self.sim.step(n)
            v, w = self.sim.body_twist()
            self.controller.integrate_encoders(*self.drive.wheel_speeds(v, w), n * self.dt)
        self._publish_clock()
        t = self.sim.time
        if self.emulation:
            self._emulate_devices(t)
            streams = (
                ("scan", self.scan_hz, self._refresh_ld06),
                ("camera", self.camera_hz, self._write_frame),
            )
        else:
            streams = (
                ("scan", self.scan_hz, self._publish_scan),
                ("camera", self.camera_hz, self._publish_camera),
                ("odom", self.odom_hz, self._publish_odom),
                ("cloud", self.cloud_hz, self._publish_cloud),
            )
        for key, hz, fn in (
            *streams,
            ("localization", self.localization_hz, self._publish_localization),
            ("dist", 10.0, self.sim.min_obstacle_distance),
        ):
            if t >= self.next_due[key]:
                self.next_due[key] = t + 1.0 / hz
                fn()
        if not self.ended and self.sim.episode.status != "running":
            self._end_episode()

    # -- device emulation -------------------------------------------------------------------
    def _emulate_devices(self, t: float) -> None:
        """The LD06 pty unplugged during the scenario's LiDAR dropouts, the fleet port closed during
        its cloud outages; the LD06 streams the packets swept since the last tick."""
        faults = self.sc.faults
        if scenario_mod.Faults.active(faults.lidar_dropouts, t):
            if self.lidar_dev.plugged:
                self.get_logger().warning(f"LiDAR unplugged ({self.lidar_dev.link_path})")
            self.lidar_dev.unplug()
        elif not self.lidar_dev.plugged:
            self.lidar_dev.plug()
            self.get_logger().info(f"LiDAR plugged back in ({self.lidar_dev.link_path})")
        self.fleet.set_up(not scenario_mod.Faults.active(faults.cloud_outages, t))
        self.fleet.serve()
        self.lidar_dev.write(self.ld06.packets(t))

    def _refresh_ld06(self) -> None:
        self.ld06.set_scan(self.sim.lidar())

    def _write_frame(self) -> None:
        img = self.sim.render() if self.frames_out is not None else None
        if img is not None:
            self.frames_out.write(img)

    def _stamp(self, header) -> None:
        header.stamp = self.get_clock().now().to_msg()

    def _publish_clock(self) -> None:
        c = Clock()
        sec_to_stamp(self.sim.time, c.clock)
        self.pub_clock.publish(c)

    def _publish_scan(self) -> None:
        cfg = self.sim.lidar_cfg
        msg = LaserScan(
            angle_min=-math.pi,
            angle_max=math.pi - 2 * math.pi / cfg.beams,
            angle_increment=2 * math.pi / cfg.beams,
            time_increment=0.0,
            scan_time=1.0 / self.scan_hz,
            range_min=cfg.range_min_m,
            range_max=cfg.range_max_m,
        )
        self._stamp(msg.header)
        msg.header.frame_id = "laser"
        msg.ranges = self.sim.lidar().astype(float).tolist()
        self.pub_scan.publish(msg)

    def _publish_camera(self) -> None:
        img = self.sim.render()
        if img is None:
            return
        msg = rgb_image(img, self.get_clock().now().to_msg(), frames.CAMERA_OPTICAL)
        self.pub_img.publish(msg)
        self.pub_info.publish(camera_info(msg, self.calibration))

    def _publish_odom(self) -> None:
        v, w = self.sim.body_twist()
        o, noise = self.odom, self.odom_noise
        dt = self.sim.time - self.odom_time if self.odom_time is not None else 0.0
        left, right = (s * self.drive.wheel_radius_m * dt for s in self.drive.wheel_speeds(v, w))
        o.advance(self.drive, noise, left, right)  # grows the covariances
        if dt > 0.0:
            o.set_twist(self.drive, noise, left, right, dt)
        o.x, o.y, o.yaw = self.sim.pose()
        o.v, o.w = v, w
        self.odom_time = self.sim.time
        msg = Odometry(child_frame_id=frames.BASE_LINK)
        self._stamp(msg.header)
        msg.header.frame_id = frames.ODOM
        fill_odometry_msg(msg, o)
        self.pub_odom.publish(msg)
        if self.odom_tf is not None:
            self.odom_tf.publish(msg.header.stamp, o.x, o.y, msg.pose.pose.orientation)

    def _publish_localization(self) -> None:
        loc = PoseWithCovarianceStamped()
        self._stamp(loc.header)
        loc.header.frame_id = frames.MAP
        x, y, yaw = self.sim.pose()
        loc.pose.pose.position.x, loc.pose.pose.position.y = x, y
        loc.pose.pose.orientation.z, loc.pose.pose.orientation.w = quaternion_of_yaw(yaw)[2:]
        loc.pose.covariance[0] = loc.pose.covariance[7] = 1e-4  # ground truth, as a good localizer says
        loc.pose.covariance[35] = 1e-4
        self.pub_localization.publish(loc)

    def _publish_cloud(self) -> None:
        if scenario_mod.Faults.active(self.sc.faults.cloud_outages, self.sim.time):
            return
        h = Header(frame_id="sim_cloud")
        self._stamp(h)
        self.pub_cloud.publish(h)

    def _publish_goal(self) -> None:
        self.pub_goal.publish(
            goal_message(self.get_clock().now().to_msg(), self.world_frame, self.sc.goal.x, self.sc.goal.y)
        )

    def _publish_map(self) -> None:
        arr = MarkerArray()
        for i, b in enumerate(self.sc.obstacles):
            m = Marker(type=Marker.CUBE, action=Marker.ADD, id=i, ns="obstacles")
            m.header.frame_id = self.world_frame
            m.pose.position.x, m.pose.position.y, m.pose.position.z = b.x, b.y, b.sz
            m.pose.orientation.z, m.pose.orientation.w = quaternion_of_yaw(b.yaw)[2:]
            m.scale.x, m.scale.y, m.scale.z = 2 * b.sx, 2 * b.sy, 2 * b.sz
            m.color.r, m.color.g, m.color.b, m.color.a = 0.3, 0.4, 0.7, 0.8
            arr.markers.append(m)
        self.pub_map.publish(arr)
        # The robot's static map, as a map server would serve it: no clutter, no people.
        occ, (x0, y0) = static_occupancy(self.sc, 0.1)
        grid = OccupancyGrid()
        self._stamp(grid.header)
        grid.header.frame_id = self.world_frame
        grid.info.resolution = 0.1
        grid.info.height, grid.info.width = occ.shape
        grid.info.origin.position.x, grid.info.origin.position.y = x0, y0
        grid.info.origin.orientation.w = 1.0
        grid.data = occ.ravel().tolist()
        self.pub_grid.publish(grid)

    def episode_summary(self) -> dict:
        ep = self.sim.episode
        x, y, _ = self.sim.pose()
        return {
            "scenario": self.sc.name,
            "seed": self.sc.seed,
            "status": ep.status,
            "sim_time_s": round(self.sim.time, 3),
            "collisions": ep.collisions,
            "first_hit": ep.hit or None,
            "min_obstacle_distance_m": round(ep.min_obstacle_distance_m, 4)
            if math.isfinite(ep.min_obstacle_distance_m)
            else None,
            "path_length_m": round(ep.path_length_m, 3),
            "final_distance_to_goal_m": round(math.hypot(x - self.sc.goal.x, y - self.sc.goal.y), 3),
            "controller_watchdog_trips": self.controller.core.watchdog_trips,
            "sim_late_steps": self.late_steps,
        }

    def _end_episode(self, status: str | None = None) -> None:
        self.ended = True
        summary = self.episode_summary()
        if status:
            summary["status"] = status
        summary["trajectory"] = self.sim.episode.trajectory
        if self.episode_file:
            tmp = self.episode_file + ".tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(summary, fh)
            os.replace(tmp, self.episode_file)
        try:
            self.pub_episode.publish(
                String(data=json.dumps({k: v for k, v in summary.items() if k != "trajectory"}))
            )
            self.get_logger().info(f"episode ended: {summary['status']} at t={summary['sim_time_s']} s")
        except Exception:  # shutting down: the context is gone, the file above is the record
            pass

    def _diagnostics(self) -> None:
        core = self.controller.core
        vals = {
            "sim_time_s": round(self.sim.time, 2),
            "controller_connected": core.connected,
            "controller_faults": core.faults,
            "controller_frames_bad": self.controller.decoder.frames_bad,
            "late_steps": self.late_steps,
        }
        self.pub_diag.publish(
            diagnostics(self, "genba/sim", "mujoco", DiagnosticStatus.OK, self.sim.episode.status, vals)
        )

    def close(self) -> None:
        if not self.ended and self.started_mono is not None:
            # Stopped before the episode ended (Ctrl-C, SIGTERM, another node died): the episode as
            # far as it went (collisions, distance) is still written, as "interrupted".
            self._end_episode("interrupted")
        self.controller.close()
        for dev in (self.lidar_dev, self.fleet):
            if dev is not None:
                dev.close()
        self.sim.close()


def main(args: list[str] | None = None) -> None:
    run_node(SimNode, args)


if __name__ == "__main__":
    main()

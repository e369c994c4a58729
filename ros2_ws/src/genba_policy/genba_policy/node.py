"""Policy node: perception scan + camera + odometry + goal (+ route on /map) -> TwistStamped command
and health report."""

from __future__ import annotations

import math

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import PoseStamped, TwistStamped
from nav_msgs.msg import OccupancyGrid, Odometry, Path
from rclpy.node import Node
from sensor_msgs.msg import Image, LaserScan
from std_msgs.msg import String

from genba_common import frames
from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError, ModelRejected
from genba_common.geometry import pose_of, to_base
from genba_common.goal_input import GoalInput
from genba_common.inference import ONNX_BACKENDS
from genba_common.localization import Pose2D, apply, compose, inverse, transform_points
from genba_common.params import Parameters
from genba_common.qos import COMMAND, DIAGNOSTICS, LATCHED, LATEST, SENSOR
from genba_common.stamps import stamp_to_sec
from genba_perception.scan import clean_ranges
from genba_policy.observation import ScanHistory, observe
from genba_policy.route import Grid, RouteFollower, occupancy_in_frame
from genba_policy.runtime import OnnxPolicy, open_policy
from genba_safety.zones import ScanGeometry


class PolicyNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("policy", **node_kwargs)
        param = Parameters(self, "genba_policy", "policy.yaml")
        self.backend = param(
            "backend",
            "'onnx' (the distilled student, approved by hash) or 'placeholder' (reactive)",
        )
        max_speed = param("max_speed_mps", "Cruise speed of the placeholder policy", 0.0, 3.0)
        model_path = param("model_path", "ONNX student (backend onnx); '' = the manifest's default model")
        manifest_path = param(
            "manifest_path", "models/manifest.yaml listing approved hashes and the default model"
        )
        onnx_backend = param("onnx_backend", "Where the student runs: " + " | ".join(ONNX_BACKENDS))
        cache_dir = param("engine_cache_dir", "TensorRT engine cache folder")
        self.inflation_m = param(
            "route_inflation_m",
            "Route planning keeps the robot centre this far from mapped obstacles",
            0.1,
            2.0,
        )
        self.goal_tolerance_m = param(
            "goal_tolerance_m", "/policy/status: goal_reached within this distance (m)", 0.01, 10.0
        )
        # the laser mount: the placeholder's geometry, and how the student's older scan is moved
        # (by the odometry pose change) to where the laser is now
        self.laser = (
            param("laser_x_m", "Laser x in base_link", -5.0, 5.0),
            param("laser_y_m", "Laser y in base_link", -5.0, 5.0),
            param("laser_yaw", "Laser yaw in base_link", -math.pi, math.pi),
        )
        param.check_all_declared()
        if self.backend not in ("onnx", "placeholder"):
            raise ConfigError(
                f"parameter 'backend': unknown policy backend '{self.backend}' (use onnx or placeholder)"
            )
        self.route: RouteFollower | None = None
        self.history = ScanHistory(self.laser)
        self.image = None
        self.model_error = ""
        self.policy = None
        try:
            self.policy = open_policy(
                self.backend,
                model_path=model_path,
                manifest_path=manifest_path,
                onnx_backend=onnx_backend,
                engine_cache_dir=cache_dir,
                max_speed_mps=max_speed,
                log=self.get_logger().info,
                warn=self.get_logger().warning,
            )
        except ModelRejected as exc:
            # Never drive with an unapproved or unloadable model: publish nothing, so the
            # supervisor sees a stale policy and falls back to its own controller.
            self.model_error = str(exc)
            self.get_logger().error(self.model_error)
        self.onnx = self.policy if isinstance(self.policy, OnnxPolicy) else None
        if self.backend == "onnx":
            self.create_subscription(Image, "perception/image", self._on_image, SENSOR)
            self.create_subscription(OccupancyGrid, "map", self._on_map, LATCHED)
        self.pose: tuple[float, float, float] | None = None
        self.twist: tuple[float, float] | None = None
        self.goals = GoalInput(self, lambda _stamp: self._publish_status())
        self.route_frame = frames.ODOM
        self.pub_cmd = self.create_publisher(TwistStamped, "policy/cmd_vel", COMMAND)
        self.pub_route = self.create_publisher(Path, "policy/route", LATCHED)  # the route, as replanned
        self._route_published = None
        self.pub_health = self.create_publisher(DiagnosticArray, "policy/health", COMMAND)
        self.pub_status = self.create_publisher(String, "policy/status", LATCHED)  # on each change
        self.status = ""
        self._publish_status()
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.create_timer(1.0, self._diagnostics)
        self.create_subscription(LaserScan, "perception/scan", self._on_scan, LATEST)  # decide on the newest
        self.create_subscription(Odometry, "odom", self._on_odom, SENSOR)  # matches either kind

    def _on_odom(self, msg: Odometry) -> None:
        self.pose = pose_of(msg.pose.pose)
        self.twist = (msg.twist.twist.linear.x, msg.twist.twist.angular.z)
        self.goals.on_odom(self.pose, stamp_to_sec(msg.header.stamp))
        self._publish_status()

    def _publish_status(self) -> None:
        """``no_goal``, ``driving`` or ``goal_reached`` (within ``goal_tolerance_m``), latched, on change."""
        goal = self.goals.goal_in_odom()
        if goal is None or self.pose is None:
            status = "no_goal" if self.goals.frames.goal is None else "driving"
        else:
            away = math.hypot(goal[0] - self.pose[0], goal[1] - self.pose[1])
            status = "goal_reached" if away <= self.goal_tolerance_m else "driving"
        if status != self.status:
            self.status = status
            self.pub_status.publish(String(data=status))

    def _on_map(self, msg: OccupancyGrid) -> None:
        """The route grid, in the map's own frame (odom or map): built once per map. Queries are
        brought into it through :meth:`_grid_in_odom`, so a localizer's corrections move no cell."""
        info = msg.info
        if info.width * info.height != len(msg.data) or msg.header.frame_id not in frames.GOAL_FRAMES:
            self.get_logger().error(
                f"map ignored: frame '{msg.header.frame_id}' (use odom or map), data "
                f"{info.width}x{info.height} cells (got {len(msg.data)})"
            )
            return
        cells = np.asarray(msg.data, np.int8).reshape(info.height, info.width)
        occ, xy = occupancy_in_frame(cells, pose_of(info.origin), info.resolution)
        self.route = RouteFollower(Grid.from_occupancy(occ, xy, info.resolution, self.inflation_m))
        self.route_frame = msg.header.frame_id or frames.ODOM
        self.get_logger().info(
            f"map {info.width}x{info.height} at {info.resolution:.2f} m in {self.route_frame}: routing on it"
        )

    def _grid_in_odom(self) -> Pose2D | None:
        """Where the route grid's frame lies in odom; None for a map grid before any localization."""
        if self.route_frame == frames.MAP:
            return self.goals.frames.map_in_odom
        return (0.0, 0.0, 0.0)

    def _diagnostics(self) -> None:
        lat = self.onnx.latencies_ms if self.onnx else []
        vals = {"backend": self.backend, "onnx_backend": self.onnx.backend if self.onnx else "none"}
        if self.backend == "onnx":
            vals.update(
                map_received=self.route is not None,
                route_plans=self.route.plans if self.route else 0,
                goal_unreachable_on_map=bool(self.route and self.route.unreachable),
            )
        if lat:
            vals.update(
                inference_p50_ms=round(float(np.percentile(lat, 50)), 3),
                inference_p99_ms=round(float(np.percentile(lat, 99)), 3),
            )
        level, message = DiagnosticStatus.OK, "ok"
        if self.model_error:
            level, message = DiagnosticStatus.ERROR, self.model_error
        elif self.backend == "onnx" and self.route is None:
            level, message = (
                DiagnosticStatus.WARN,
                "waiting for the static map on /map (the student steers by it)",
            )
        self.pub_diag.publish(diagnostics(self, "genba/policy_node", self.backend, level, message, vals))

    def _publish_route(self, stamp, grid_in_odom: Pose2D) -> None:
        """The route (odom frame) whenever it was replanned, for rviz and the recording."""
        path = self.route.path if self.route else None
        if path is None or path is self._route_published:
            return
        self._route_published = path
        msg = Path()
        msg.header.stamp, msg.header.frame_id = stamp, frames.ODOM
        for x, y in transform_points(grid_in_odom, path.points):
            p = PoseStamped()
            p.header = msg.header
            p.pose.position.x, p.pose.position.y, p.pose.orientation.w = float(x), float(y), 1.0
            msg.poses.append(p)
        self.pub_route.publish(msg)

    def _on_image(self, msg: Image) -> None:
        if msg.encoding == "rgb8" and len(msg.data) == msg.height * msg.width * 3:
            self.image = np.frombuffer(msg.data, np.uint8).reshape(msg.height, msg.width, 3)

    def _on_scan(self, msg: LaserScan) -> None:
        goal_odom = self.goals.goal_in_odom()
        grid_in_odom = self._grid_in_odom()
        goal = to_base(goal_odom, self.pose) if (goal_odom and self.pose) else None
        ranges = np.asarray(msg.ranges, dtype=np.float64)
        if self.backend == "onnx":
            if (
                self.onnx is None
                or self.image is None
                or goal is None
                or self.twist is None
                or self.route is None
                or grid_in_odom is None
            ):
                return  # nothing trustworthy to say: the supervisor's policy watchdog takes over
            odom_in_grid = inverse(grid_in_odom)
            seen = self.history.obstacles(self.pose, clean_ranges(ranges, msg.range_min, msg.range_max))
            self.route.see(transform_points(odom_in_grid, seen))
            carrot = self.route.carrot(compose(odom_in_grid, self.pose), apply(odom_in_grid, goal_odom))
            route_point = to_base(apply(grid_in_odom, carrot), self.pose)
            self._publish_route(msg.header.stamp, grid_in_odom)
            out = self.onnx.act(
                observe(
                    self.image,
                    ranges,
                    msg.range_min,
                    msg.range_max,
                    *self.twist,
                    goal,
                    route_point,
                    self.history,
                    stamp_to_sec(msg.header.stamp),
                    self.pose,
                )
            )
        elif self.policy is not None:
            g = ScanGeometry(msg.angle_min, msg.angle_increment, msg.range_min, msg.range_max, *self.laser)
            out = self.policy.act(ranges, g, goal)
        else:
            return
        cmd = TwistStamped()
        cmd.header.stamp = msg.header.stamp  # the sensor stamp travels with the decision
        cmd.header.frame_id = frames.BASE_LINK
        cmd.twist.linear.x, cmd.twist.angular.z = out.v, out.w
        self.pub_cmd.publish(cmd)
        self.pub_health.publish(
            diagnostics(
                self,
                "genba/policy",
                self.policy.name,
                DiagnosticStatus.OK if out.output_valid else DiagnosticStatus.ERROR,
                ("placeholder policy" if self.onnx is None else f"student on {self.onnx.backend}")
                if out.output_valid
                else "invalid output",
                {
                    "ood_score": f"{out.ood_score:.4f}",
                    "inference_ms": f"{out.inference_ms:.3f}",
                    "output_valid": "true" if out.output_valid else "false",
                    "backend": self.backend,
                },
                stamp=msg.header.stamp,
            )
        )


def main(args: list[str] | None = None) -> None:
    run_node(PolicyNode, args)


if __name__ == "__main__":
    main()

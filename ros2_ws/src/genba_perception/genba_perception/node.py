"""Perception node: cleans the LiDAR scan and shrinks camera frames to the policy's input size.

Raw camera images stay on the robot: this node only republishes a downscaled copy on
``perception/image`` for the on-board policy.
"""

from __future__ import annotations

import time

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from sensor_msgs.msg import Image, LaserScan

from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.params import Parameters
from genba_common.qos import DIAGNOSTICS, SENSOR
from genba_perception.image import resize_area
from genba_perception.scan import clean_ranges, valid_fraction


class PerceptionNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("perception", **node_kwargs)
        param = Parameters(self, "genba_perception", "perception.yaml")
        self.out_w = param("image_width", "Width of the image handed to the policy (px)", 8, 1024)
        self.out_h = param("image_height", "Height of the image handed to the policy (px)", 8, 1024)
        self.min_valid = param(
            "min_valid_fraction", "Scans with fewer valid beams are reported as degraded", 0.0, 1.0
        )
        self.min_image_std = param(
            "min_image_std",
            "Frames flatter than this (grey-level std) are blind: covered, dark or "
            "dead; they are not passed on",
            0.0,
            128.0,
        )
        param.check_all_declared()
        self.pub_scan = self.create_publisher(LaserScan, "perception/scan", SENSOR)
        self.pub_img = self.create_publisher(Image, "perception/image", SENSOR)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.create_subscription(LaserScan, "scan", self._on_scan, SENSOR)
        self.create_subscription(Image, "camera/image_raw", self._on_image, SENSOR)
        self.create_timer(1.0, self._diagnostics)
        self.counts = {"scans": 0, "images": 0, "bad_images": 0, "blind_frames": 0, "degraded_scans": 0}
        self.camera_blind = False
        self.last_valid_fraction = float("nan")
        self.proc_ms: list[float] = []

    def _on_scan(self, msg: LaserScan) -> None:
        t0 = time.perf_counter()
        r = clean_ranges(np.asarray(msg.ranges, dtype=np.float32), msg.range_min, msg.range_max)
        self.last_valid_fraction = valid_fraction(r)
        if self.last_valid_fraction < self.min_valid:
            self.counts["degraded_scans"] += 1
        out = LaserScan(
            header=msg.header,
            angle_min=msg.angle_min,
            angle_max=msg.angle_max,
            angle_increment=msg.angle_increment,
            time_increment=msg.time_increment,
            scan_time=msg.scan_time,
            range_min=msg.range_min,
            range_max=msg.range_max,
        )
        out.ranges = r.tolist()
        self.pub_scan.publish(out)
        self.counts["scans"] += 1
        self.proc_ms.append((time.perf_counter() - t0) * 1e3)

    def _on_image(self, msg: Image) -> None:
        if (
            msg.encoding not in ("rgb8", "bgr8")
            or msg.step != msg.width * 3
            or len(msg.data) != msg.step * msg.height
        ):
            self.counts["bad_images"] += 1
            self.get_logger().warning(
                f"dropping image: encoding {msg.encoding!r}, {msg.width}x{msg.height}, {len(msg.data)} bytes",
                throttle_duration_sec=5.0,
            )
            return
        img = np.frombuffer(msg.data, np.uint8).reshape(msg.height, msg.width, 3)
        small = resize_area(img, self.out_h, self.out_w)
        if float(small.std()) < self.min_image_std:
            # A blind camera is no camera: withholding the frame lets the supervisor's camera
            # watchdog see it as lost (-> FALLBACK) instead of trusting a black picture.
            self.counts["blind_frames"] += 1
            self.camera_blind = True
            return
        self.camera_blind = False
        out = Image(
            header=msg.header,
            height=self.out_h,
            width=self.out_w,
            encoding=msg.encoding,
            is_bigendian=0,
            step=self.out_w * 3,
        )
        out.data = small.tobytes()
        self.pub_img.publish(out)
        self.counts["images"] += 1

    def _diagnostics(self) -> None:
        degraded = self.last_valid_fraction < self.min_valid or self.camera_blind
        p = np.percentile(self.proc_ms, [50, 99]) if self.proc_ms else [float("nan")] * 2
        vals = dict(
            self.counts,
            valid_fraction=round(self.last_valid_fraction, 3),
            scan_proc_p50_ms=round(float(p[0]), 3),
            scan_proc_p99_ms=round(float(p[1]), 3),
        )
        self.proc_ms = self.proc_ms[-1000:]
        self.pub_diag.publish(
            diagnostics(
                self,
                "genba/perception",
                "perception",
                DiagnosticStatus.WARN if degraded else DiagnosticStatus.OK,
                ("camera blind; " if self.camera_blind else "")
                + ("scan mostly invalid" if self.last_valid_fraction < self.min_valid else "")
                if degraded
                else "ok",
                vals,
            )
        )


def main(args: list[str] | None = None) -> None:
    run_node(PerceptionNode, args)


if __name__ == "__main__":
    main()

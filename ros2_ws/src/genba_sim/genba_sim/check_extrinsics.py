"""``genba-check-extrinsics``: the simulated robot's LiDAR points drawn over its camera image, from the
calibration files (camera_info YAML and extrinsics), to see that the two agree."""

from __future__ import annotations

import argparse
import math
import sys

from genba_perception.calibration import overlay_png, project_scan
from genba_perception.camera_info import load_camera_info
from genba_perception.extrinsics import chain, load_extrinsics


def main(argv: list[str] | None = None) -> None:
    """Overlay the simulated robot's LiDAR on its camera image, using calibration/ files."""
    ap = argparse.ArgumentParser(
        prog="genba-check-extrinsics", description="LiDAR points over the camera image"
    )
    ap.add_argument("--scenario", default="hall_crossing")
    ap.add_argument("--camera-info", required=True)
    ap.add_argument("--extrinsics", required=True)
    ap.add_argument("--out", default="extrinsics_check.png")
    a = ap.parse_args(argv)
    try:
        from genba_common.errors import ConfigError
        from genba_sim import scenario
        from genba_sim.simulation import CameraConfig, LidarConfig, Simulation
    except ImportError:
        print("genba-check-extrinsics: error: genba_sim is not installed", file=sys.stderr)
        sys.exit(2)
    try:
        cal = load_camera_info(a.camera_info)
        tfs = load_extrinsics(a.extrinsics)
        sim = Simulation(
            scenario.load(a.scenario),
            LidarConfig(noise_std_m=0.0),
            CameraConfig(cal.width * 4, cal.height * 4, cal.fovy_deg),
        )
    except ConfigError as exc:
        print(f"genba-check-extrinsics: error: {exc}", file=sys.stderr)
        sys.exit(2)
    img = sim.render()
    ranges = sim.lidar()
    cam_from_laser = chain(tfs, "camera_optical_frame", "laser")
    k = tuple(v * 4 if i in (0, 2, 4, 5) else v for i, v in enumerate(cal.k))
    uvz = project_scan(
        ranges, -math.pi, 2 * math.pi / ranges.size, cam_from_laser, k, img.shape[1], img.shape[0]
    )
    overlay_png(img, uvz, a.out)
    print(f"{len(uvz)} LiDAR points projected -> {a.out}")

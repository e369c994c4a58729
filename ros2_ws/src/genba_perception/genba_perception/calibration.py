"""Calibration tools: camera intrinsics from checkerboard images, and a LiDAR-on-image check.

    genba-calibrate-camera IMAGES_DIR --board 9x6 --square-m 0.025 --out calibration/front_camera.yaml
    genba-check-extrinsics --scenario hall_crossing --out overlay.png     (the simulated robot)
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from genba_perception.camera_info import CameraCalibration
from genba_perception.camera_source import IMAGE_SUFFIXES


class CalibrationFailed(Exception):
    """One line saying why the images did not give a calibration."""


def calibrate_camera(images: list[np.ndarray], board: tuple[int, int], square_m: float,
                     progress=None) -> tuple[CameraCalibration, float, int]:
    """Intrinsics (plumb_bob) from RGB images of a checkerboard with ``board`` inner corners.

    Returns (calibration, RMS reprojection error in px, images used).
    """
    import cv2

    obj = np.zeros((board[0] * board[1], 3), np.float32)
    obj[:, :2] = np.mgrid[0:board[0], 0:board[1]].T.reshape(-1, 2) * square_m
    obj_pts, img_pts, size = [], [], None
    for i, img in enumerate(images):
        gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        if size is None:
            size = gray.shape[::-1]
        elif gray.shape[::-1] != size:
            raise CalibrationFailed(
                f"image {i} is {gray.shape[1]}x{gray.shape[0]}, the first was {size[0]}x{size[1]}"
            )
        ok, corners = cv2.findChessboardCorners(
            gray, board, cv2.CALIB_CB_ADAPTIVE_THRESH | cv2.CALIB_CB_NORMALIZE_IMAGE
        )
        if ok:
            corners = cv2.cornerSubPix(
                gray,
                corners,
                (5, 5),
                (-1, -1),
                (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 1e-3),
            )
            obj_pts.append(obj)
            img_pts.append(corners)
        if progress:
            progress(i + 1, len(images), ok)
    if len(obj_pts) < 4:
        raise CalibrationFailed(
            f"checkerboard ({board[0]}x{board[1]} inner corners) found in {len(obj_pts)} of "
            f"{len(images)} images; need at least 4"
        )
    rms, k, dist, _, _ = cv2.calibrateCamera(obj_pts, img_pts, size, None, None)
    d = tuple(float(v) for v in dist.ravel()[:5])
    kk = tuple(float(v) for v in k.ravel())
    p = (kk[0], 0.0, kk[2], 0.0, 0.0, kk[4], kk[5], 0.0, 0.0, 0.0, 1.0, 0.0)
    cal = CameraCalibration(
        "camera", size[0], size[1], "plumb_bob", kk, d, (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0), p
    )
    return cal, float(rms), len(obj_pts)


def write_camera_info(cal: CameraCalibration, path: str, name: str) -> None:
    """camera_calibration_parsers YAML, the format ROS camera drivers load."""

    def mat(rows: int, cols: int, data) -> str:
        return f"\n  rows: {rows}\n  cols: {cols}\n  data: [{', '.join(f'{v:.6g}' for v in data)}]"

    text = (
        f"image_width: {cal.width}\nimage_height: {cal.height}\ncamera_name: {name}\n"
        f"camera_matrix:{mat(3, 3, cal.k)}\ndistortion_model: {cal.distortion_model}\n"
        f"distortion_coefficients:{mat(1, len(cal.d), cal.d)}\nrectification_matrix:{mat(3, 3, cal.r)}\n"
        f"projection_matrix:{mat(3, 4, cal.p)}\n"
    )
    Path(path).write_text(text, encoding="utf-8")


def project_scan(
    ranges: np.ndarray,
    angle_min: float,
    angle_inc: float,
    cam_from_laser: np.ndarray,
    k: tuple[float, ...],
    width: int,
    height: int,
) -> np.ndarray:
    """Pixel coordinates (N, 2) and depth of scan points that land in front of the camera."""
    r = np.asarray(ranges, dtype=np.float64)
    a = angle_min + angle_inc * np.arange(r.size)
    ok = np.isfinite(r)
    pts = np.stack([r[ok] * np.cos(a[ok]), r[ok] * np.sin(a[ok]), np.zeros(ok.sum()), np.ones(ok.sum())])
    cam = cam_from_laser @ pts
    front = cam[2] > 0.05
    cam = cam[:, front]
    u = k[0] * cam[0] / cam[2] + k[2]
    v = k[4] * cam[1] / cam[2] + k[5]
    inside = (u >= 0) & (u < width) & (v >= 0) & (v < height)
    return np.column_stack((u[inside], v[inside], cam[2][inside]))


def overlay_png(image: np.ndarray, uvz: np.ndarray, path: str) -> None:
    """The image with scan points drawn on it, coloured by distance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h, w = image.shape[:2]
    fig, ax = plt.subplots(figsize=(w / 40, h / 40 + 0.6), dpi=100)
    ax.imshow(image)
    if uvz.size:
        sc = ax.scatter(
            uvz[:, 0], uvz[:, 1], c=uvz[:, 2], s=10, cmap="turbo", vmin=0, vmax=max(1.0, uvz[:, 2].max())
        )
        fig.colorbar(sc, ax=ax, fraction=0.03, label="distance [m]")
    ax.set_title(f"LiDAR points on the camera image ({len(uvz)} points)")
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _load_images(folder: str) -> list[np.ndarray]:
    import cv2

    files = (
        sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if Path(folder).is_dir()
        else []
    )
    if not files:
        raise CalibrationFailed(f"no images ({'/'.join(IMAGE_SUFFIXES)}) in {folder}")
    out = []
    for f in files:
        img = cv2.imread(str(f), cv2.IMREAD_COLOR)
        if img is None:
            raise CalibrationFailed(f"cannot decode image {f}")
        out.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    return out


def calibrate_main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="genba-calibrate-camera", description="camera intrinsics from checkerboards"
    )
    ap.add_argument("images", help="folder of checkerboard images")
    ap.add_argument("--board", default="9x6", help="inner corners, COLSxROWS (default 9x6)")
    ap.add_argument("--square-m", type=float, default=0.025, help="square size in metres")
    ap.add_argument("--name", default="camera", help="camera_name in the YAML")
    ap.add_argument("--out", required=True, help="camera_info YAML to write")
    a = ap.parse_args(argv)
    try:
        cols, rows = (int(v) for v in a.board.lower().split("x"))
        imgs = _load_images(a.images)
        cal, rms, used = calibrate_camera(
            imgs,
            (cols, rows),
            a.square_m,
            progress=lambda i, n, ok: print(f"[{i}/{n}] {'board found' if ok else 'no board'}", flush=True),
        )
    except ValueError:
        print(f"genba-calibrate-camera: error: --board must look like 9x6, got '{a.board}'", file=sys.stderr)
        sys.exit(2)
    except CalibrationFailed as exc:
        print(f"genba-calibrate-camera: error: {exc}", file=sys.stderr)
        sys.exit(2)
    write_camera_info(cal, a.out, a.name)
    fovy = math.degrees(2 * math.atan2(cal.height / 2, cal.k[4]))
    print(
        f"calibrated from {used} images: fx {cal.k[0]:.1f} fy {cal.k[4]:.1f} "
        f"cx {cal.k[2]:.1f} cy {cal.k[5]:.1f} "
        f"(vertical FOV {fovy:.1f} deg), RMS reprojection error {rms:.3f} px -> {a.out}"
    )

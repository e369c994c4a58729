import math

import cv2
import numpy as np
import pytest

from genba_perception.calibration import CalibrationFailed, calibrate_camera, project_scan, write_camera_info
from genba_perception.camera_info import load_camera_info
from genba_perception.extrinsics import ExtrinsicsError, Transform, chain, load_extrinsics

K_TRUE = np.array([[420.0, 0, 320.0], [0, 415.0, 240.0], [0, 0, 1]])


def render_board(rvec, tvec, board=(9, 6), square=0.03, size=(640, 480)):
    """A synthetic photo of a checkerboard seen by a camera with K_TRUE (no distortion)."""
    cols, rows = board[0] + 1, board[1] + 1
    img = np.full((size[1], size[0]), 255, np.uint8)
    for i in range(cols):
        for j in range(rows):
            if (i + j) % 2:
                continue
            sq = np.array([[i, j, 0], [i + 1, j, 0], [i + 1, j + 1, 0], [i, j + 1, 0]], np.float64) * square
            sq -= np.array([square, square, 0])  # inner corners start at the origin
            pts, _ = cv2.projectPoints(sq, rvec, tvec, K_TRUE, None)
            cv2.fillConvexPoly(img, np.round(pts.reshape(-1, 2) * 16).astype(np.int32), 0, shift=4,
                               lineType=cv2.LINE_AA)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)


def test_intrinsics_recovered_from_synthetic_checkerboards(tmp_path):
    rng = np.random.default_rng(0)
    imgs = []
    for _ in range(10):
        rvec = rng.uniform(-0.35, 0.35, 3)
        tvec = np.array([rng.uniform(-0.15, 0.0), rng.uniform(-0.1, 0.0), rng.uniform(0.5, 0.8)])
        imgs.append(render_board(rvec, tvec))
    seen = []
    cal, rms, used = calibrate_camera(imgs, (9, 6), 0.03, progress=lambda i, n, ok: seen.append(ok))
    assert used >= 8 and len(seen) == 10 and rms < 1.0
    assert cal.k[0] == pytest.approx(420.0, rel=0.02) and cal.k[4] == pytest.approx(415.0, rel=0.02)
    assert cal.k[2] == pytest.approx(320.0, abs=8) and cal.k[5] == pytest.approx(240.0, abs=8)
    out = tmp_path / "cam.yaml"
    write_camera_info(cal, str(out), "test_cam")
    back = load_camera_info(str(out))
    assert back.camera_name == "test_cam" and back.k[0] == pytest.approx(cal.k[0], rel=1e-5)


def test_too_few_boards_is_a_clear_failure():
    with pytest.raises(CalibrationFailed, match="found in 0 of 2 images"):
        calibrate_camera([np.zeros((100, 100, 3), np.uint8)] * 2, (9, 6), 0.03)


def test_extrinsics_file_and_chain():
    tfs = load_extrinsics("calibration/extrinsics_sim_robot.yaml")
    names = {t.child: t for t in tfs}
    assert set(names) == {"laser", "camera_link", "camera_optical_frame"}
    # A point 1 m ahead of the laser is 1 m ahead of the camera's optical frame: +z (optical).
    m = chain(tfs, "camera_optical_frame", "laser")
    p = m @ np.array([1.0 + 0.08, 0.0, 0.13, 1.0])  # laser -> camera offset: x 0.08, z 0.13
    assert p[:3] == pytest.approx([0.0, 0.0, 1.0], abs=1e-6)
    q = Transform("a", "b", (0, 0, 0), (0.0, 0.0, math.pi / 2)).quaternion()
    assert q == pytest.approx((0.0, 0.0, math.sqrt(0.5), math.sqrt(0.5)))


def test_bad_extrinsics_named(tmp_path):
    p = tmp_path / "e.yaml"
    p.write_text("frames:\n  laser: {x: 0.1, yaw: nope}\n")
    with pytest.raises(ExtrinsicsError, match=r"field 'frames.laser.yaw'"):
        load_extrinsics(str(p))
    p.write_text("frames:\n  laser: {parent: nowhere}\n")
    with pytest.raises(ExtrinsicsError, match="unknown frame 'nowhere'"):
        load_extrinsics(str(p))


def test_scan_points_project_into_the_image_center():
    k = (100.0, 0, 64.0, 0, 100.0, 48.0, 0, 0, 1)
    cam_from_laser = np.array([[0, -1, 0, 0], [0, 0, -1, 0], [1, 0, 0, 0], [0, 0, 0, 1]], float)  # optical
    ranges = np.full(360, np.inf)
    ranges[180] = 2.0  # straight ahead
    uvz = project_scan(ranges, -math.pi, 2 * math.pi / 360, cam_from_laser, k, 128, 96)
    assert uvz.shape == (1, 3) and uvz[0] == pytest.approx([64.0, 48.0, 2.0])

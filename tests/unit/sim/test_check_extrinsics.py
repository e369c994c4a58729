"""`genba-check-extrinsics`: the simulated LiDAR drawn over the simulated camera, from the calibration
files."""

from pathlib import Path

import numpy as np
import pytest

from genba_sim.check_extrinsics import main

ROOT = Path(__file__).resolve().parents[3]
CAL = ROOT / "calibration"


def test_lidar_points_are_drawn_over_the_camera_image(tmp_path, capsys):
    import matplotlib.image

    out = tmp_path / "overlay.png"
    main(
        [
            "--camera-info",
            str(CAL / "sim_front_camera.yaml"),
            "--extrinsics",
            str(CAL / "extrinsics_sim_robot.yaml"),
            "--out",
            str(out),
        ]
    )
    n = int(capsys.readouterr().out.split()[0])
    assert n > 20  # the hall's walls and racking in front of the camera
    img = matplotlib.image.imread(out)
    assert img.ndim == 3 and img.shape[0] > 100 and np.ptp(img) > 0


def test_a_bad_calibration_file_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "cam.yaml"
    bad.write_text("image_width: [\n")
    with pytest.raises(SystemExit) as e:
        main(
            [
                "--camera-info",
                str(bad),
                "--extrinsics",
                str(CAL / "extrinsics_sim_robot.yaml"),
                "--out",
                str(tmp_path / "o.png"),
            ]
        )
    err = capsys.readouterr().err.strip()
    assert e.value.code == 2 and err.startswith("genba-check-extrinsics: error: ") and "\n" not in err

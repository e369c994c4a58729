import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from genba_perception.camera_info import CalibrationError, load_camera_info
from genba_perception.image import normalise, resize_area
from genba_perception.scan import bin_ranges, clean_ranges, valid_fraction


def test_clean_ranges_semantics():
    r = clean_ranges(np.array([np.nan, np.inf, -np.inf, 0.01, 5.0, 50.0]), 0.1, 12.0)
    assert np.isnan(r[0]) and np.isposinf(r[1]) and r[2] == pytest.approx(0.1)
    assert r[3] == pytest.approx(0.1) and r[4] == 5.0 and np.isposinf(r[5])  # too close: at range_min


@given(arrays(np.float32, 360, elements=st.floats(width=32, allow_nan=True, allow_infinity=True)))
def test_bins_are_finite_and_bounded(r):
    b = bin_ranges(clean_ranges(r, 0.1, 12.0), 36, 12.0)
    assert b.shape == (36,) and np.all(np.isfinite(b)) and np.all((b >= 0) & (b <= 12.0))


def test_bins_keep_the_nearest_return():
    r = np.full(360, np.inf, np.float32)
    r[5] = 1.5
    assert bin_ranges(r, 36, 10.0)[0] == pytest.approx(1.5)
    assert valid_fraction(np.array([np.nan, 1.0])) == 0.5


def test_resize_and_normalise():
    img = np.arange(96 * 128 * 3, dtype=np.uint8).reshape(96, 128, 3)
    small = resize_area(img, 48, 64)
    assert small.shape == (48, 64, 3)
    assert resize_area(img, 50, 60).shape == (50, 60, 3)
    x = normalise(np.full((4, 4, 3), 255, np.uint8))
    assert x.shape == (3, 4, 4) and x.max() == pytest.approx(2.0)


def test_sim_camera_info_loads(tmp_path):
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[3]
    cal = load_camera_info(str(root / "calibration" / "sim_front_camera.yaml"))
    assert (cal.width, cal.height) == (128, 96) and cal.fovy_deg == pytest.approx(60.0, abs=0.01)
    bad = tmp_path / "bad.yaml"
    bad.write_text("image_width: 10\nimage_height: 10\ncamera_matrix: {data: [1, 2]}\n")
    with pytest.raises(CalibrationError, match=r"field 'camera_matrix.data'"):
        load_camera_info(str(bad))
    with pytest.raises(CalibrationError, match="cannot read"):
        load_camera_info(str(tmp_path / "missing.yaml"))

import cv2
import numpy as np
import pytest

from genba_perception.camera_source import CameraError, ImageFolderSource, open_source, parse_source


def test_parse_source_kinds(tmp_path):
    assert parse_source("/dev/video0").kind == "v4l2" and parse_source("0").kind == "v4l2"
    assert parse_source("gst:nvarguscamerasrc ! appsink").kind == "gstreamer"
    assert parse_source("v4l2src ! videoconvert ! appsink").kind == "gstreamer"
    assert parse_source(str(tmp_path)).kind == "folder"
    assert parse_source(str(tmp_path / "clip.mp4")).kind == "file"
    with pytest.raises(CameraError, match="empty"):
        parse_source("  ")


@pytest.mark.parametrize("spec, needle", [
    ("/dev/video97", "does not exist"),
    ("{tmp}/missing.avi", "not found"),
    ("{tmp}/empty_dir", "holds no"),
])
def test_bad_sources_are_one_line_errors(tmp_path, spec, needle):
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(CameraError) as e:
        open_source(spec.format(tmp=tmp_path))
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_video_file_and_folder_give_rgb_frames(tmp_path):
    frames = [np.full((48, 64, 3), (i * 40, 0, 255 - i * 40), np.uint8) for i in range(5)]
    path = tmp_path / "clip.avi"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for f in frames:
        w.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    w.release()
    src = open_source(str(path))
    got = [src.read() for _ in range(5)]
    assert all(g is not None and g.shape == (48, 64, 3) for g in got)
    assert got[0][..., 2].mean() > 200 and got[0][..., 0].mean() < 30  # RGB order, not BGR
    assert src.read() is None
    src.rewind()
    assert src.read() is not None
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i, f in enumerate(frames):
        cv2.imwrite(str(folder / f"{i:03d}.png"), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    fs = open_source(str(folder))
    assert isinstance(fs, ImageFolderSource) and np.array_equal(fs.read(), frames[0])

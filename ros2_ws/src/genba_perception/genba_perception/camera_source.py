"""Camera sources behind one interface: V4L2 device, GStreamer pipeline (Jetson CSI), video file,
or a folder of images. Frames come out as RGB uint8 arrays.

Source strings:
    /dev/video0 or 0              V4L2 device (path or index)
    gst:nvarguscamerasrc ! ...    GStreamer pipeline ending in appsink (OpenCV built with GStreamer)
    path/to/video.mp4             a video file
    path/to/folder/               a folder of .png/.jpg images, in name order
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


class CameraError(Exception):
    """One-line description of what is wrong with a camera source."""


@dataclass(frozen=True)
class SourceSpec:
    kind: str      # v4l2 | gstreamer | file | folder
    target: str

    @property
    def live(self) -> bool:
        return self.kind in ("v4l2", "gstreamer")


def parse_source(spec: str) -> SourceSpec:
    s = spec.strip()
    if not s:
        raise CameraError("camera source is empty")
    if s.startswith("gst:") or "!" in s:
        return SourceSpec("gstreamer", s[4:] if s.startswith("gst:") else s)
    if s.isdigit() or s.startswith("/dev/video"):
        return SourceSpec("v4l2", s)
    if os.path.isdir(s):
        return SourceSpec("folder", s)
    return SourceSpec("file", s)


class FrameSource:
    """Base: ``read()`` returns an RGB frame or None (no frame now / device gone)."""

    spec: SourceSpec

    def read(self) -> np.ndarray | None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class OpenCvSource(FrameSource):
    def __init__(self, spec: SourceSpec) -> None:
        import cv2

        self.spec = spec
        if spec.kind == "v4l2":
            if not spec.target.isdigit() and not os.path.exists(spec.target):
                raise CameraError(f"camera device {spec.target} does not exist (unplugged or wrong path)")
            target = int(spec.target) if spec.target.isdigit() else spec.target
            self.cap = cv2.VideoCapture(target, cv2.CAP_V4L2)
        elif spec.kind == "gstreamer":
            self.cap = cv2.VideoCapture(spec.target, cv2.CAP_GSTREAMER)
        else:
            if not os.path.isfile(spec.target):
                raise CameraError(f"video file {spec.target} not found")
            self.cap = cv2.VideoCapture(spec.target)
        if not self.cap.isOpened():
            hint = " (is OpenCV built with GStreamer?)" if spec.kind == "gstreamer" else ""
            raise CameraError(f"OpenCV could not open {spec.kind} source '{spec.target}'{hint}")
        self._cv2 = cv2

    def read(self) -> np.ndarray | None:
        ok, frame = self.cap.read()
        if not ok or frame is None:
            return None
        return self._cv2.cvtColor(frame, self._cv2.COLOR_BGR2RGB)

    def rewind(self) -> None:
        self.cap.set(self._cv2.CAP_PROP_POS_FRAMES, 0)

    def close(self) -> None:
        self.cap.release()


class ImageFolderSource(FrameSource):
    def __init__(self, spec: SourceSpec) -> None:
        import cv2

        self.spec = spec
        self.files = sorted(p for p in Path(spec.target).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise CameraError(f"image folder {spec.target} holds no {'/'.join(IMAGE_SUFFIXES)} files")
        self.index = 0
        self._cv2 = cv2

    def read(self) -> np.ndarray | None:
        if self.index >= len(self.files):
            return None
        path = self.files[self.index]
        self.index += 1
        img = self._cv2.imread(str(path), self._cv2.IMREAD_COLOR)
        if img is None:
            raise CameraError(f"cannot decode image {path}")
        return self._cv2.cvtColor(img, self._cv2.COLOR_BGR2RGB)

    def rewind(self) -> None:
        self.index = 0


def open_source(spec: str | SourceSpec) -> FrameSource:
    s = parse_source(spec) if isinstance(spec, str) else spec
    return ImageFolderSource(s) if s.kind == "folder" else OpenCvSource(s)

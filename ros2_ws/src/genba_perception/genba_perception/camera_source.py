"""Camera sources behind one interface: V4L2 device, GStreamer pipeline (Jetson CSI), video file,
or a folder of images. Frames come out as RGB uint8 arrays.

Source strings:
    /dev/video0 or 0              V4L2 device (path or index)
    gst:nvarguscamerasrc ! ...    GStreamer pipeline ending in appsink (OpenCV built with GStreamer)
    path/to/video.mp4             a video file
    path/to/folder/               a folder of .png/.jpg images, in name order (``follow``: the newest
                                  image each time one is new, for a camera or emulator writing there)
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


def _images(folder: str) -> list[Path]:
    try:
        return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
                      and not p.name.startswith("."))
    except OSError as exc:
        raise CameraError(f"image folder {folder}: {exc.strerror or exc}") from None


class ImageFolderSource(FrameSource):
    """The folder's images in name order; with ``follow``, the newest image whenever there is a new
    one (None until then), for a folder something keeps writing frames into."""

    def __init__(self, spec: SourceSpec, follow: bool = False) -> None:
        import cv2

        self.spec, self.follow = spec, follow
        self.files = _images(spec.target)
        if not self.files and not follow:
            raise CameraError(f"image folder {spec.target} holds no {'/'.join(IMAGE_SUFFIXES)} files")
        self.index = 0
        self._last: str | None = None
        self._cv2 = cv2

    def _decode(self, path: Path) -> np.ndarray:
        img = self._cv2.imread(str(path), self._cv2.IMREAD_COLOR)
        if img is None:
            raise CameraError(f"cannot decode image {path}")
        return self._cv2.cvtColor(img, self._cv2.COLOR_BGR2RGB)

    def read(self) -> np.ndarray | None:
        if self.follow:
            files = _images(self.spec.target)
            if not files or (self._last is not None and files[-1].name <= self._last):
                return None
            self._last = files[-1].name
            try:
                return self._decode(files[-1])
            except CameraError:
                return None  # removed as it was read (the writer keeps only the newest): the next one
        if self.index >= len(self.files):
            return None
        path = self.files[self.index]
        self.index += 1
        return self._decode(path)

    def rewind(self) -> None:
        self.index = 0


def open_source(spec: str | SourceSpec, follow: bool = False) -> FrameSource:
    """The source for ``spec``; ``follow`` applies to folders (see :class:`ImageFolderSource`)."""
    s = parse_source(spec) if isinstance(spec, str) else spec
    return ImageFolderSource(s, follow) if s.kind == "folder" else OpenCvSource(s)

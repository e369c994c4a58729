"""On-robot anonymisation: find faces and people, blur them before an image may leave the robot.

Faces: OpenCV's Haar cascades (frontal; profile optional); people: OpenCV's HOG pedestrian detector. Both
ship inside opencv-python, so nothing is downloaded at run time. Detected regions are padded and
pixelated (pixelation, unlike a light blur, cannot be inverted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PrivacyConfig:
    detect_faces: bool = True
    detect_people: bool = True
    detect_profile_faces: bool = False  # +40-70 ms a frame on a 2-core x86 at 320 px
    face_scale_step: float = 1.2
    pad_fraction: float = 0.15
    pixel_block: int = 12
    min_face_px: int = 20
    people_min_height_px: int = 96   # HOG's window is 64x128; smaller images are upscaled for it
    detection_width_px: int = 320    # detect on a copy this wide (boxes are mapped back)


class Anonymizer:
    def __init__(self, cfg: PrivacyConfig = PrivacyConfig()) -> None:
        import cv2

        self.cv2 = cv2
        self.cfg = cfg
        base = cv2.data.haarcascades
        names = ["haarcascade_frontalface_default.xml"]
        if cfg.detect_profile_faces:
            names.append("haarcascade_profileface.xml")
        self.faces = [cv2.CascadeClassifier(base + f) for f in names]
        if any(c.empty() for c in self.faces):
            raise RuntimeError(f"OpenCV face cascades missing under {base}")
        self.hog = cv2.HOGDescriptor()
        self.hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def detect(self, rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Boxes (x, y, w, h) of faces and people."""
        cv2, cfg = self.cv2, self.cfg
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        shrink = min(1.0, cfg.detection_width_px / gray.shape[1])
        if shrink < 1.0:
            gray = cv2.resize(gray, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        boxes = [tuple(int(round(v / shrink)) for v in b) for b in self._detect_gray(gray)]
        return boxes

    def _detect_gray(self, gray: np.ndarray) -> list[tuple[int, int, int, int]]:
        cv2, cfg = self.cv2, self.cfg
        boxes: list[tuple[int, int, int, int]] = []
        if cfg.detect_faces:
            for c in self.faces:
                found = c.detectMultiScale(gray, scaleFactor=cfg.face_scale_step, minNeighbors=5,
                                           minSize=(cfg.min_face_px, cfg.min_face_px))
                boxes += [tuple(int(v) for v in b) for b in found]
        if cfg.detect_people:
            scale = max(1.0, cfg.people_min_height_px * 1.35 / gray.shape[0])
            g = cv2.resize(gray, None, fx=scale, fy=scale) if scale > 1.0 else gray
            found, _ = self.hog.detectMultiScale(g, winStride=(8, 8), padding=(8, 8), scale=1.1)
            boxes += [tuple(int(v / scale) for v in b) for b in found]
        return boxes

    def anonymise(self, rgb: np.ndarray) -> tuple[np.ndarray, int]:
        """Copy of the image with every detection pixelated; returns (image, detections)."""
        boxes = self.detect(rgb)
        out = rgb.copy()
        h, w = out.shape[:2]
        for x, y, bw, bh in boxes:
            px, py = int(bw * self.cfg.pad_fraction), int(bh * self.cfg.pad_fraction)
            x0, y0, x1, y1 = max(0, x - px), max(0, y - py), min(w, x + bw + px), min(h, y + bh + py)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            roi = out[y0:y1, x0:x1]
            small = self.cv2.resize(roi, (max(1, (x1 - x0) // self.cfg.pixel_block),
                                          max(1, (y1 - y0) // self.cfg.pixel_block)),
                                    interpolation=self.cv2.INTER_AREA)
            out[y0:y1, x0:x1] = self.cv2.resize(
                small, (x1 - x0, y1 - y0), interpolation=self.cv2.INTER_NEAREST
            )
        return out, len(boxes)

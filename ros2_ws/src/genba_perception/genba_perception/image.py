"""Image preprocessing for the policy: area resize and normalisation, numpy only."""

from __future__ import annotations

import numpy as np


def resize_area(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """Downscale HxWxC by averaging blocks (exact when sizes divide, nearest blocks otherwise)."""
    h, w = img.shape[:2]
    if (h, w) == (height, width):
        return img
    ys = np.linspace(0, h, height + 1).astype(int)
    xs = np.linspace(0, w, width + 1).astype(int)
    if h % height == 0 and w % width == 0:
        fy, fx = h // height, w // width
        return img.reshape(height, fy, width, fx, -1).mean(axis=(1, 3)).astype(img.dtype)
    out = np.empty((height, width) + img.shape[2:], dtype=np.float32)
    for i in range(height):
        for j in range(width):
            out[i, j] = img[ys[i] : max(ys[i + 1], ys[i] + 1), xs[j] : max(xs[j + 1], xs[j] + 1)].mean(
                axis=(0, 1)
            )
    return out.astype(img.dtype)


def normalise(img: np.ndarray, mean: float = 0.5, std: float = 0.25) -> np.ndarray:
    """uint8 HxWxC -> float32 CxHxW, (x/255 - mean) / std."""
    x = img.astype(np.float32) / 255.0
    return ((x - mean) / std).transpose(2, 0, 1).copy()

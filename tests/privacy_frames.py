"""The privacy filter's test set: real photographs that a pinned registry package ships, placed in
640x480 camera frames at robot distances, and frames without people.

Every image comes from scikit-image 0.26.0 (``skimage.data``, pinned in requirements-test.txt); the
licence of each, as its docstring in ``skimage/data/_fetchers.py`` states it, is in ``LICENCES``.
Faces: the astronaut Eileen Collins (NASA, public domain) and the cameraman (public domain, no known
copyright restrictions: a face partly in profile). Each is scaled so that its face box is ``size`` px
wide, rolled by ``tilt`` degrees, pasted on a background at several positions, in normal and dim light.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage import data

FRAME_H, FRAME_W = 480, 640
SIZES_PX = (12, 20, 30, 50, 90)
TILTS_DEG = (0, 20, 35, 45)
LIGHT = {"normal": 1.0, "dim": 0.3}

LICENCES = {
    "astronaut": "public domain (NASA Great Images database; skimage: 'No known copyright restrictions')",
    "camera": "public domain (skimage: 'No known copyright restrictions, released into the public domain')",
    "coffee": "CC0 (Rachel Michetti)",
    "chelsea": "public domain (Stefan van der Walt)",
    "rocket": "public domain (SpaceX)",
    "brick": "CC0 (CC0Textures)",
    "gravel": "CC0 (CC0Textures)",
    "grass": "CC0 (CC0Textures)",
    "immunohistochemistry": "CC0 (Stefan van der Walt)",
    "hubble_deep_field": "public domain (NASA)",
    "motorcycle": "public domain (Middlebury stereo data, skimage)",
    "page": "public domain (skimage)",
    "text": "public domain (Wikipedia File:Corner.png)",
}
# face boxes (x0, y0, x1, y1) in the original photographs, measured once with CenterFace
FACES = {"astronaut": (181, 58, 270, 178), "camera": (202, 119, 258, 197)}


def _rgb(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB) if img.ndim == 2 else np.ascontiguousarray(img[..., :3])


def photo(name: str) -> np.ndarray:
    if name == "motorcycle":
        return _rgb(data.stereo_motorcycle()[0])
    return _rgb(getattr(data, name)())


def backgrounds() -> dict[str, np.ndarray]:
    """640x480 frames without people (they are also the backgrounds the faces are placed on)."""
    names = [n for n in LICENCES if n not in FACES]
    return {n: cv2.resize(photo(n), (FRAME_W, FRAME_H), interpolation=cv2.INTER_AREA) for n in names}


@dataclass(frozen=True)
class FaceFrame:
    image: np.ndarray
    face: tuple[float, float, float, float]  # where the face box landed (upright box of the rolled face)
    subject: str
    size_px: int
    tilt_deg: int
    light: str
    background: str


def place(
    subject: str,
    size_px: int,
    tilt_deg: float,
    background: np.ndarray,
    at: tuple[int, int],
    light: float = 1.0,
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """``background`` with the head of ``subject`` (face ``size_px`` wide, rolled ``tilt_deg``) at ``at``."""
    src = photo(subject)
    x0, y0, x1, y1 = FACES[subject]
    fw, fh = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    r = int(1.5 * max(fw, fh))
    H, W = src.shape[:2]
    top, left = max(0, int(cy - r)), max(0, int(cx - r))
    crop = src[top : min(H, int(cy + r)), left : min(W, int(cx + r))]
    s = size_px / fw
    side = int(2 * r * s) + 2
    m = cv2.getRotationMatrix2D((cx - left, cy - top), tilt_deg, s)
    m[:, 2] += np.array([side / 2, side / 2]) - np.array([cx - left, cy - top])
    head = cv2.warpAffine(crop, m, (side, side), flags=cv2.INTER_AREA)
    inside = cv2.warpAffine(np.full(crop.shape[:2], 255, np.uint8), m, (side, side)) > 0
    out = background.copy()
    px = int(np.clip(at[0] - side / 2, 0, FRAME_W - side))
    py = int(np.clip(at[1] - side / 2, 0, FRAME_H - side))
    region = out[py : py + side, px : px + side]
    region[inside] = head[inside]
    out = (out.astype(np.float32) * light).astype(np.uint8)
    # the rolled face's upright bounding box
    a = np.radians(tilt_deg)
    bw = abs(fw * s * np.cos(a)) + abs(fh * s * np.sin(a))
    bh = abs(fw * s * np.sin(a)) + abs(fh * s * np.cos(a))
    c = (px + side / 2, py + side / 2)
    return out, (c[0] - bw / 2, c[1] - bh / 2, c[0] + bw / 2, c[1] + bh / 2)


POSITIONS = ((320, 240), (120, 150), (540, 380), (330, 60))


def face_frames(
    backdrops: tuple[str, ...] = ("coffee", "rocket", "brick"),
    positions: tuple[tuple[int, int], ...] = POSITIONS,
) -> list[FaceFrame]:
    """Every subject x size x tilt x light, on each backdrop, at each position."""
    bgs = backgrounds()
    frames = []
    for subject in FACES:
        for size in SIZES_PX:
            for tilt in TILTS_DEG:
                for light, gain in LIGHT.items():
                    for name in backdrops:
                        for at in positions:
                            img, box = place(subject, size, tilt, bgs[name], at, gain)
                            frames.append(FaceFrame(img, box, subject, size, tilt, light, name))
    return frames


def hidden(
    face: tuple[float, float, float, float],
    regions: list[tuple[int, int, int, int]],
    shape: tuple[int, int] = (FRAME_H, FRAME_W),
) -> bool:
    """Whether the face lies inside what the filter pixelated: every pixel of the middle 60% of its
    box (the face itself, not the corners of the upright box round a rolled face) in some region."""
    covered = np.zeros(shape, bool)
    for x0, y0, x1, y1 in regions:
        covered[y0:y1, x0:x1] = True
    x0, y0, x1, y1 = face
    cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, 0.3 * (x1 - x0), 0.3 * (y1 - y0)
    inner = covered[
        int(max(0, cy - hh)) : int(np.ceil(cy + hh)), int(max(0, cx - hw)) : int(np.ceil(cx + hw))
    ]
    return bool(inner.size and inner.all())


def altered_share(original: np.ndarray, filtered: np.ndarray) -> float:
    """Share of pixels the filter changed."""
    return float((np.abs(original.astype(int) - filtered.astype(int)).sum(-1) > 0).mean())

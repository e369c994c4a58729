"""Synthetic 2D LiDAR scans for tests: a round room with round posts, ray-cast exactly."""

import math

import numpy as np


def room_scan(
    laser: tuple[float, float, float], walls_r: float = 6.0, posts=(), beams: int = 360
) -> np.ndarray:
    """Ranges of a full scan (beam 0 at -pi) from ``laser`` (x, y, yaw) inside a round room of radius
    ``walls_r`` centred on the origin, with round posts (x, y, radius) in it."""
    ox, oy, oyaw = laser
    ang = -math.pi + 2 * math.pi * np.arange(beams) / beams + oyaw
    d = np.stack([np.cos(ang), np.sin(ang)], 1)
    p = np.array([ox, oy])
    b = d @ p
    out = -b + np.sqrt(b * b - (p @ p - walls_r**2))  # inside the room: the far root
    for cx, cy, r in posts:
        q = p - np.array([cx, cy])
        bq = d @ q
        disc = bq * bq - (q @ q - r * r)
        t = -bq - np.sqrt(np.where(disc > 0, disc, 0))
        out = np.where((disc > 0) & (t > 0), np.minimum(out, t), out)
    return out

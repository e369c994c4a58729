"""Sensor extrinsics YAML (calibration/extrinsics_*.yaml) -> transforms between frames.

Format: ``parent_frame`` plus ``frames: {child: {x, y, z, roll, pitch, yaw[, parent]}}`` in metres
and radians (REP-103); a frame's parent defaults to ``parent_frame``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from genba_common.errors import ConfigError
from genba_common.yaml_file import read_yaml_mapping


class ExtrinsicsError(ConfigError):
    """Bad extrinsics file; one line naming the file and field."""


@dataclass(frozen=True)
class Transform:
    parent: str
    child: str
    xyz: tuple[float, float, float]
    rpy: tuple[float, float, float]

    def quaternion(self) -> tuple[float, float, float, float]:
        """(x, y, z, w) from roll, pitch, yaw (fixed-axis XYZ, as tf2)."""
        r, p, y = (a / 2.0 for a in self.rpy)
        cr, sr, cp, sp, cy, sy = math.cos(r), math.sin(r), math.cos(p), math.sin(p), math.cos(y), math.sin(y)
        return (sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy,
                cr * cp * sy - sr * sp * cy, cr * cp * cy + sr * sp * sy)

    def matrix(self) -> np.ndarray:
        """4x4 homogeneous transform mapping child coordinates into the parent frame."""
        r, p, y = self.rpy
        rx = np.array([[1, 0, 0], [0, math.cos(r), -math.sin(r)], [0, math.sin(r), math.cos(r)]])
        ry = np.array([[math.cos(p), 0, math.sin(p)], [0, 1, 0], [-math.sin(p), 0, math.cos(p)]])
        rz = np.array([[math.cos(y), -math.sin(y), 0], [math.sin(y), math.cos(y), 0], [0, 0, 1]])
        m = np.eye(4)
        m[:3, :3] = rz @ ry @ rx
        m[:3, 3] = self.xyz
        return m


def load_extrinsics(path: str) -> list[Transform]:
    data = read_yaml_mapping(path, "extrinsics", ExtrinsicsError)
    if not isinstance(data.get("frames"), dict):
        raise ExtrinsicsError(f"{path}: field 'frames': expected a mapping of frame -> pose")
    root = data.get("parent_frame", "base_link")
    out = []
    for child, pose in data["frames"].items():
        if not isinstance(pose, dict):
            raise ExtrinsicsError(f"{path}: field 'frames.{child}': expected a mapping")
        vals = []
        for k in ("x", "y", "z", "roll", "pitch", "yaw"):
            v = pose.get(k, 0.0)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ExtrinsicsError(
                    f"{path}: field 'frames.{child}.{k}': expected a finite number, got {v!r}"
                )
            vals.append(float(v))
        out.append(Transform(str(pose.get("parent", root)), str(child), tuple(vals[:3]), tuple(vals[3:])))
    known = {root} | {t.child for t in out}
    for t in out:
        if t.parent not in known:
            raise ExtrinsicsError(f"{path}: field 'frames.{t.child}.parent': unknown frame '{t.parent}'")
    return out


def chain(transforms: list[Transform], target: str, source: str) -> np.ndarray:
    """4x4 transform mapping ``source`` coordinates into ``target`` (both must share a root)."""
    by_child = {t.child: t for t in transforms}

    def to_root(frame: str) -> np.ndarray:
        m = np.eye(4)
        seen = set()
        while frame in by_child:
            if frame in seen:
                raise ExtrinsicsError(f"cycle in extrinsics at frame '{frame}'")
            seen.add(frame)
            t = by_child[frame]
            m = t.matrix() @ m
            frame = t.parent
        return m

    return np.linalg.inv(to_root(target)) @ to_root(source)

"""Standard camera_info YAML (camera_calibration_parsers format): load and validate."""

from __future__ import annotations

import math
from dataclasses import dataclass

from genba_common.errors import ConfigError
from genba_common.yaml_file import read_yaml_mapping


class CalibrationError(ConfigError):
    """Bad calibration file; ``str()`` is one line naming the file and field."""


@dataclass(frozen=True)
class CameraCalibration:
    camera_name: str
    width: int
    height: int
    distortion_model: str
    k: tuple[float, ...]   # 3x3 row-major
    d: tuple[float, ...]
    r: tuple[float, ...]   # 3x3
    p: tuple[float, ...]   # 3x4

    @property
    def fovy_deg(self) -> float:
        return math.degrees(2.0 * math.atan2(self.height / 2.0, self.k[4]))


def load_camera_info(path: str) -> CameraCalibration:
    data = read_yaml_mapping(path, "camera_info", CalibrationError)

    def matrix(key: str, n: int) -> tuple[float, ...]:
        m = data.get(key)
        vals = m.get("data") if isinstance(m, dict) else None
        if not isinstance(vals, list) or (n and len(vals) != n) or \
                not all(isinstance(v, (int, float)) and math.isfinite(v) for v in vals):
            raise CalibrationError(f"{path}: field '{key}.data': expected {n or 'a list of'} finite numbers")
        return tuple(float(v) for v in vals)

    for key in ("image_width", "image_height"):
        if not isinstance(data.get(key), int) or data[key] <= 0:
            raise CalibrationError(f"{path}: field '{key}': expected a positive integer")
    cal = CameraCalibration(str(data.get("camera_name", "camera")), data["image_width"], data["image_height"],
                            str(data.get("distortion_model", "plumb_bob")), matrix("camera_matrix", 9),
                            matrix("distortion_coefficients", 0), matrix("rectification_matrix", 9),
                            matrix("projection_matrix", 12))
    if cal.k[0] <= 0 or cal.k[4] <= 0:
        raise CalibrationError(f"{path}: field 'camera_matrix.data': focal lengths must be > 0")
    return cal

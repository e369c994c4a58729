"""sensor_msgs for camera frames: an RGB image and the camera_info that goes with it."""

from __future__ import annotations

from typing import Any

import numpy as np
from sensor_msgs.msg import CameraInfo, Image

from genba_perception.camera_info import CameraCalibration


def rgb_image(frame: np.ndarray, stamp: Any, frame_id: str) -> Image:
    """An ``rgb8`` sensor_msgs/Image of an HxWx3 uint8 frame."""
    msg = Image(height=frame.shape[0], width=frame.shape[1], encoding="rgb8", is_bigendian=0,
                step=frame.shape[1] * 3)
    msg.header.stamp, msg.header.frame_id = stamp, frame_id
    msg.data = frame.tobytes()
    return msg


def camera_info(image: Image, calibration: CameraCalibration | None) -> CameraInfo:
    """The CameraInfo for ``image`` (same header and size); uncalibrated when ``calibration`` is None."""
    info = CameraInfo(header=image.header, height=image.height, width=image.width)
    if calibration is not None:
        c = calibration
        info.distortion_model, info.d, info.k, info.r, info.p = (
            c.distortion_model, list(c.d), list(c.k), list(c.r), list(c.p))
    return info

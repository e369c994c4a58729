"""Frame names (REP-105): one spelling each."""

MAP = "map"
ODOM = "odom"
BASE_LINK = "base_link"
LASER = "laser"
CAMERA = "camera_link"
CAMERA_OPTICAL = "camera_optical_frame"

"""Frame names (REP-105): one spelling each."""

MAP = "map"
ODOM = "odom"
BASE_LINK = "base_link"
LASER = "laser"
CAMERA = "camera_link"
CAMERA_OPTICAL = "camera_optical_frame"
# Goals may be given in these frames ('' is odom). genba drives in odom; a map goal is brought into it
# by the localizer's pose (genba_common.localization).
GOAL_FRAMES = (ODOM, MAP, "")

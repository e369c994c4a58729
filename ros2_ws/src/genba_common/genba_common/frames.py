"""Frame names (REP-105): one spelling each."""

MAP = "map"
ODOM = "odom"
BASE_LINK = "base_link"
LASER = "laser"
CAMERA = "camera_link"
CAMERA_OPTICAL = "camera_optical_frame"
# Goals may be given in these frames. genba drives by odometry and has no localization: map and odom
# are taken to coincide (true in the simulator, and on a robot until a localizer publishes map -> odom).
GOAL_FRAMES = (ODOM, MAP, "")

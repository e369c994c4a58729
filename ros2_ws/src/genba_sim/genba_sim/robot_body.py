"""The simulated robot's body and the simulated people's size (base_link at floor level under the
axle centre, REP-103; metres). Read by the world, the scenario checks and the robot description."""

CHASSIS_HALF = (0.30, 0.25, 0.12)   # x, y, z half extents of the collision box
CHASSIS_Z = 0.16
WHEEL_RADIUS_M = 0.08
TRACK_WIDTH_M = 0.40
LASER_XYZ = (0.20, 0.0, 0.32)
CAMERA_XYZ = (0.28, 0.0, 0.45)
PED_RADIUS_M = 0.25

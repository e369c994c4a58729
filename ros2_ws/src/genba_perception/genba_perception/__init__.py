"""genba_perception: camera and LiDAR drivers, calibration files, preprocessing for the policy."""

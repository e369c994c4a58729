"""genba_sim: the embedded MuJoCo world (factory hall, differential-drive robot, pedestrians)."""

"""genba_safety: the gate between every motion command and the motors (rclpy + numpy only)."""

"""Wheel odometry with an encoder error model: pose, twist and their covariances.

The error model (per wheel, over each step): a distance error of ``slip_fraction`` times the
distance the wheel turned, plus the encoder's quantization (one tick, uniform). The variances are
propagated through the differential-drive step to x, y and yaw (diagonal, cross terms left out);
they only grow, as odometry's do. Used by the actuation bridge (from encoder frames) and by the
simulator (from the simulated base), so both publish the same ``/odom``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from genba_actuation.kinematics import DiffDrive

UNKNOWN_VARIANCE = 1e6  # z, roll, pitch: a planar base does not measure them (REP-105 practice)
LATERAL_VARIANCE = 1e-6  # sideways speed: a differential drive cannot have any


@dataclass(frozen=True)
class EncoderNoise:
    slip_fraction: float = 0.02  # distance error per wheel, as a fraction of the distance it turned

    def wheel_variance(self, drive: DiffDrive, wheel_m: float) -> float:
        """Variance (m^2) of one wheel's distance over a step of ``wheel_m`` metres."""
        tick_m = 2.0 * math.pi * drive.wheel_radius_m / drive.ticks_per_rev
        return (self.slip_fraction * wheel_m) ** 2 + tick_m**2 / 12.0


@dataclass
class Odometry2D:
    """Pose (odom frame), twist (base_link) and the variances of both."""

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0
    v: float = 0.0
    w: float = 0.0
    var_x: float = 0.0
    var_y: float = 0.0
    var_yaw: float = 0.0
    var_v: float = 0.0
    var_w: float = 0.0

    def advance(self, drive: DiffDrive, noise: EncoderNoise, left_m: float, right_m: float) -> None:
        """Move by the wheels' distances (m) over one step, growing the pose variances."""
        ds, dth, var_ds, var_dth = _body_step(drive, noise, left_m, right_m)
        heading = self.yaw + dth / 2.0
        c, s = math.cos(heading), math.sin(heading)
        self.var_x += c * c * var_ds + (ds * s) ** 2 * self.var_yaw
        self.var_y += s * s * var_ds + (ds * c) ** 2 * self.var_yaw
        self.var_yaw += var_dth
        self.x += ds * c
        self.y += ds * s
        self.yaw = math.atan2(math.sin(self.yaw + dth), math.cos(self.yaw + dth))

    def set_twist(self, drive: DiffDrive, noise: EncoderNoise, left_m: float, right_m: float,
                  span_s: float) -> None:
        """The twist from the wheels' distances over ``span_s`` seconds, with its variances."""
        ds, dth, var_ds, var_dth = _body_step(drive, noise, left_m, right_m)
        self.v, self.w = ds / span_s, dth / span_s
        self.var_v, self.var_w = var_ds / span_s**2, var_dth / span_s**2


def _body_step(drive: DiffDrive, noise: EncoderNoise, left_m: float, right_m: float):
    """Distance and heading change of the body for the wheels' distances, and their variances."""
    var_l, var_r = noise.wheel_variance(drive, left_m), noise.wheel_variance(drive, right_m)
    return ((left_m + right_m) / 2.0, (right_m - left_m) / drive.track_width_m,
            (var_l + var_r) / 4.0, (var_l + var_r) / drive.track_width_m**2)


def fill_odometry_msg(msg, odom: Odometry2D) -> None:
    """Pose, twist and their 6x6 row-major covariances into a nav_msgs/Odometry (frames and stamp
    are the caller's)."""
    msg.pose.pose.position.x, msg.pose.pose.position.y = odom.x, odom.y
    msg.pose.pose.orientation.z = math.sin(odom.yaw / 2.0)
    msg.pose.pose.orientation.w = math.cos(odom.yaw / 2.0)
    msg.twist.twist.linear.x, msg.twist.twist.angular.z = odom.v, odom.w
    msg.pose.covariance = _diagonal(odom.var_x, odom.var_y, odom.var_yaw)
    msg.twist.covariance = _diagonal(odom.var_v, LATERAL_VARIANCE, odom.var_w)


def _diagonal(xx: float, yy: float, yawyaw: float) -> list[float]:
    """A 6x6 (x, y, z, roll, pitch, yaw) diagonal covariance; z, roll and pitch unknown."""
    cov = [0.0] * 36
    cov[0], cov[7], cov[35] = xx, yy, yawyaw
    cov[14] = cov[21] = cov[28] = UNKNOWN_VARIANCE
    return cov

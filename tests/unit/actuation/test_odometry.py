"""The encoder error model of the wheel odometry: what the covariances of /odom say."""

import math

from hypothesis import given
from hypothesis import strategies as st

from genba_actuation.kinematics import DiffDrive
from genba_actuation.odometry import EncoderNoise, Odometry2D, fill_odometry_msg

DRIVE = DiffDrive(0.08, 0.40, 4096)


def test_straight_metre_in_steps():
    o, noise = Odometry2D(), EncoderNoise(0.02)
    for _ in range(100):
        o.advance(DRIVE, noise, 0.01, 0.01)
    assert abs(o.x - 1.0) < 1e-12 and o.y == 0.0 and o.yaw == 0.0
    per_wheel = noise.wheel_variance(DRIVE, 0.01)
    # ds is the mean of the wheels: var(ds) = (var_l + var_r) / 4 per step, along x only
    assert math.isclose(o.var_x, 100 * per_wheel / 2.0, rel_tol=1e-9)
    assert math.isclose(o.var_yaw, 100 * 2 * per_wheel / 0.40**2, rel_tol=1e-9)
    # heading uncertainty spreads sideways as the robot goes on
    assert o.var_y > 0.0 and o.var_y < o.var_x * 50


def test_standing_still_grows_only_by_quantization():
    o, noise = Odometry2D(), EncoderNoise(0.02)
    o.advance(DRIVE, noise, 0.0, 0.0)
    tick_m = 2 * math.pi * 0.08 / 4096
    assert math.isclose(o.var_x, tick_m**2 / 12 / 2, rel_tol=1e-9)


def test_turn_on_the_spot():
    o, noise = Odometry2D(), EncoderNoise()
    quarter = math.pi / 2 * 0.20  # each wheel's travel for a quarter turn about the centre
    o.advance(DRIVE, noise, -quarter, quarter)
    assert math.isclose(o.yaw, math.pi / 2, abs_tol=1e-12) and abs(o.x) < 1e-12


def test_twist_variance_shrinks_with_a_longer_window():
    a, b, noise = Odometry2D(), Odometry2D(), EncoderNoise()
    a.set_twist(DRIVE, noise, 0.01, 0.01, 0.02)
    b.set_twist(DRIVE, noise, 0.02, 0.02, 0.04)
    assert math.isclose(a.v, 0.5) and math.isclose(b.v, 0.5)
    assert b.var_v < a.var_v


@given(st.lists(st.tuples(st.floats(-0.05, 0.05), st.floats(-0.05, 0.05)), min_size=1, max_size=50))
def test_variances_never_shrink(steps):
    o, noise = Odometry2D(), EncoderNoise()
    prev = (0.0, 0.0, 0.0)
    for left, right in steps:
        o.advance(DRIVE, noise, left, right)
        now = (o.var_x, o.var_y, o.var_yaw)
        assert all(n >= p for n, p in zip(now, prev, strict=True))
        prev = now


def test_message_carries_pose_twist_and_covariances():
    from nav_msgs.msg import Odometry

    o = Odometry2D(1.0, 2.0, math.pi / 2, 0.3, -0.1, 1e-3, 2e-3, 3e-3, 4e-4, 5e-4)
    msg = Odometry()
    fill_odometry_msg(msg, o)
    assert (msg.pose.pose.position.x, msg.pose.pose.position.y) == (1.0, 2.0)
    assert math.isclose(msg.pose.pose.orientation.z, math.sqrt(0.5))
    assert (msg.twist.twist.linear.x, msg.twist.twist.angular.z) == (0.3, -0.1)
    pc, tc = list(msg.pose.covariance), list(msg.twist.covariance)
    assert (pc[0], pc[7], pc[35]) == (1e-3, 2e-3, 3e-3) and pc[14] == pc[21] == pc[28] == 1e6
    assert (tc[0], tc[35]) == (4e-4, 5e-4) and tc[7] == 1e-6
    assert sum(1 for i, c in enumerate(pc) if c and i % 7) == 0  # diagonal

import math

import pytest

from genba_actuation import protocol as p
from genba_actuation.bridge import BridgeCore
from genba_actuation.emulator import ControllerConfig, ControllerCore
from genba_actuation.kinematics import DiffDrive, wrap_int32_delta


def connected(now=0.0, **cfg):
    c = ControllerCore(ControllerConfig(**cfg))
    assert c.handle(p.Hello(), 1, now) == [
        p.HelloAck(p.PROTOCOL_VERSION, c.config.firmware, int(c.config.watchdog_ms))
    ]
    return c


def test_motors_stay_off_before_handshake():
    c = ControllerCore()
    c.handle(p.Velocity(5000, 5000), 1, 0.0)
    assert c.update(0.5) == (0.0, 0.0)
    assert c.faults & p.Fault.NOT_CONNECTED


def test_wrong_protocol_version_is_not_acknowledged():
    c = ControllerCore()
    assert c.handle(p.Hello(version=99), 1, 0.0) == []
    assert not c.connected


def test_acceleration_limit():
    c = connected(max_wheel_accel_radps2=10.0)
    c.handle(p.Velocity(20000, -20000), 2, 0.0)
    c.update(0.0)
    left, right = c.update(0.1)
    assert left == pytest.approx(1.0) and right == pytest.approx(-1.0)


@pytest.mark.parametrize("watchdog_ms", [50.0, 100.0, 250.0])
def test_watchdog_trips_after_period_and_clears_on_next_command(watchdog_ms):
    c = connected(watchdog_ms=watchdog_ms, max_wheel_accel_radps2=1e6)
    c.handle(p.Velocity(3000, 3000), 2, 0.0)
    c.update(0.0)
    assert c.update(watchdog_ms / 1000.0 - 0.001) == (3.0, 3.0)
    assert c.update(watchdog_ms / 1000.0 + 0.001) == (0.0, 0.0)
    assert c.faults & p.Fault.WATCHDOG and c.watchdog_trips == 1
    c.handle(p.Velocity(1000, 1000), 3, 1.0)
    assert c.update(1.0) == (1.0, 1.0) and not c.faults & p.Fault.WATCHDOG


def test_heartbeat_feeds_watchdog_without_changing_setpoint():
    c = connected(watchdog_ms=100.0, max_wheel_accel_radps2=1e6)
    c.handle(p.Velocity(2000, 2000), 2, 0.0)
    c.update(0.0)
    for k in range(1, 10):
        c.handle(p.Heartbeat(), 2 + k, 0.08 * k)
        assert c.update(0.08 * k) == (2.0, 2.0)


def test_estop_cuts_motors_until_released():
    c = connected(max_wheel_accel_radps2=1e6)
    c.handle(p.Velocity(2000, 2000), 2, 0.0)
    c.handle(p.EStop(1), 3, 0.01)
    c.handle(p.Velocity(2000, 2000), 4, 0.02)
    assert c.update(0.02) == (0.0, 0.0) and c.faults & p.Fault.ESTOP
    c.handle(p.EStop(0), 5, 0.03)
    c.handle(p.Velocity(2000, 2000), 6, 0.04)
    assert c.update(0.04) == (2.0, 2.0)


def test_diffdrive_roundtrip():
    dd = DiffDrive()
    left, right = dd.wheel_speeds(0.5, 0.8)
    assert dd.twist(left, right) == pytest.approx((0.5, 0.8))


def test_int32_wrap():
    assert wrap_int32_delta(-(2**31) + 5, 2**31 - 5) == 10
    assert wrap_int32_delta(2**31 - 5, -(2**31) + 5) == -10


def test_bridge_odometry_from_ticks_straight_and_turning():
    dd = DiffDrive(wheel_radius_m=0.1, track_width_m=0.5, ticks_per_rev=1000)
    b = BridgeCore(dd)
    ticks_per_m = 1000 / (2 * math.pi * 0.1)
    b.on_bytes(p.encode(p.Telemetry(0, 0, 24000, 0, 0, 0, 0), 1), 0.0)
    t = int(round(ticks_per_m))
    b.on_bytes(p.encode(p.Telemetry(t, t, 24000, 0, 0, 0, 0), 2), 1.0)
    assert b.odom.x == pytest.approx(1.0, abs=2e-3) and b.odom.v == pytest.approx(1.0, abs=2e-3)
    # Spin in place a quarter turn: wheels move +-(pi/2 * track/2) metres.
    arc = math.pi / 2 * 0.25 * ticks_per_m
    b.on_bytes(p.encode(p.Telemetry(t - int(round(arc)), t + int(round(arc)), 24000, 0, 0, 0, 0), 3), 2.0)
    assert b.odom.yaw == pytest.approx(math.pi / 2, abs=5e-3)
    assert b.odom.x == pytest.approx(1.0, abs=5e-3)


def test_bridge_sends_zero_for_non_finite_command():
    b = BridgeCore()
    ((msg, _),) = p.FrameDecoder().feed(b.velocity(float("nan"), 1.0))
    assert msg == p.Velocity(0, 0)

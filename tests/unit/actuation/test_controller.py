import math
import struct

import pytest

from genba_actuation import protocol as p
from genba_actuation.bridge import BridgeCore
from genba_actuation.controller import ControllerConfig, ControllerCore
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


NAN_BITS = struct.unpack("<i", struct.pack("<f", math.nan))[0]


@pytest.mark.parametrize("left,right", [(NAN_BITS, 0), (2**31 - 1, 2**31 - 1), (-(2**31), 100), (25001, 0)])
def test_an_impossible_set_point_is_rejected_not_clamped(left, right):
    c = connected()
    c.update(0.0)
    c.handle(p.Velocity(5000, 5000), 2, 0.0)
    assert c.update(0.05) != (0.0, 0.0)
    c.handle(p.Velocity(left, right), 3, 0.05)
    assert c.update(0.06) == (0.0, 0.0) and c.target == [0.0, 0.0]
    assert c.faults & p.Fault.PROTOCOL and c.protocol_faults == 1
    c.handle(p.Velocity(1000, 1000), 4, 0.07)  # the next valid command clears it
    assert not c.faults & p.Fault.PROTOCOL and c.update(0.1) != (0.0, 0.0)


def test_a_corrupt_estop_value_is_an_estop_and_a_protocol_fault():
    c = connected()
    c.handle(p.Velocity(5000, 5000), 2, 0.0)
    c.handle(p.EStop(7), 3, 0.1)
    assert c.estop and c.faults & p.Fault.PROTOCOL and c.update(0.2) == (0.0, 0.0)


def test_bridge_never_frames_a_set_point_beyond_the_controller_top_speed():
    b = BridgeCore()
    msg, _ = p.decode_frame(b.velocity(1e6, -1e6)[:-1])
    top = b.limits.max_wheel_speed_radps * 1000
    assert abs(msg.left_mrad_s) <= top and abs(msg.right_mrad_s) <= top
    c = connected(max_wheel_speed_radps=b.limits.max_wheel_speed_radps)
    c.handle(msg, 2, 0.0)
    assert not c.faults & p.Fault.PROTOCOL


def test_bridge_rejects_an_encoder_jump_no_wheel_can_make():
    dd = DiffDrive(wheel_radius_m=0.1, track_width_m=0.5, ticks_per_rev=1000)
    b = BridgeCore(dd)
    b.on_bytes(p.encode(p.Telemetry(0, 0, 24000, 0, 0, 0, 0), 1), 0.0)
    b.on_bytes(p.encode(p.Telemetry(2**31 - 1, 2**31 - 1, 24000, 0, 0, 0, 0), 2), 0.01)
    assert b.odom.x == 0.0 and b.encoder_jumps == 1
    step = 20  # 20 ticks in 10 ms: 1.3 m/s, possible
    wrapped = 2**31 - 1 + step - 2**32
    b.on_bytes(p.encode(p.Telemetry(wrapped, wrapped, 24000, 0, 0, 0, 0), 3), 0.02)
    assert b.odom.x == pytest.approx(step / 1000 * 2 * math.pi * 0.1) and b.encoder_jumps == 1


def test_after_a_gap_the_bridge_speeds_up_from_the_measured_wheel_speed():
    b = BridgeCore()
    for k in range(100):  # cruising at 0.8 m/s, commands every 20 ms
        b.limit(0.8, 0.0, k * 0.02)
    assert b.limit(0.8, 0.0, 2.0) == (0.8, 0.0)
    # frozen for 0.5 s; the controller's watchdog stopped the wheels (the odometry says 0)
    b.odom.v = 0.0
    v, _ = b.limit(0.8, 0.0, 2.5)
    assert v <= b.limits.max_accel_mps2 * b.limits.gap_s + 1e-9
    v2, _ = b.limit(0.8, 0.0, 2.52)
    assert v < v2 <= v + b.limits.max_accel_mps2 * 0.02 + 1e-9
    assert b.limit(0.0, 0.0, 2.54) == (0.0, 0.0)  # slowing down is never delayed


def test_the_controller_watchdog_trips_just_past_its_period_once_and_only_when_connected():
    c = connected(watchdog_ms=250.0, max_wheel_accel_radps2=1e6)
    c.handle(p.Velocity(1000, 1000), 2, 0.0)
    c.update(0.0)
    assert c.update(0.25) == (1.0, 1.0)  # exactly the period: still driving
    assert c.update(0.2501) == (0.0, 0.0)
    c.update(0.5)
    c.update(0.75)
    assert c.watchdog_trips == 1 and c.faults == p.Fault.WATCHDOG
    idle = ControllerCore(ControllerConfig(watchdog_ms=50.0))
    idle.update(0.0)
    idle.update(10.0)
    assert idle.watchdog_trips == 0 and idle.faults == p.Fault.NOT_CONNECTED


def test_a_new_handshake_clears_a_tripped_watchdog_with_the_wheels_at_rest():
    c = connected(watchdog_ms=100.0, max_wheel_accel_radps2=1e6)
    c.handle(p.Velocity(1000, 1000), 2, 0.0)
    c.update(0.0)
    c.update(0.2)
    assert c.faults == p.Fault.WATCHDOG
    c.handle(p.Hello(), 3, 5.0)
    assert c.faults == p.Fault.NONE and c.target == [0.0, 0.0]
    assert c.update(5.05) == (0.0, 0.0) and c.faults == p.Fault.NONE  # fed by the handshake


def test_messages_before_the_handshake_are_ignored_and_not_acknowledged():
    c = ControllerCore()
    assert c.handle(p.Heartbeat(), 7, 0.0) == [] and c.handle(p.EStop(0), 8, 0.0) == []
    assert c.telemetry().last_seq == 0 and c.last_cmd_time is None
    c.handle(p.Hello(), 9, 1.0)
    c.handle(p.Heartbeat(), 10, 1.0)
    assert c.telemetry().last_seq == 10


def test_an_estop_clears_the_set_point_so_a_release_does_not_resume_the_old_one():
    c = connected(max_wheel_accel_radps2=1e6)
    c.handle(p.Velocity(2000, 2000), 2, 0.0)
    c.handle(p.EStop(1), 3, 0.01)
    c.handle(p.EStop(0), 4, 0.02)
    assert c.update(0.03) == (0.0, 0.0) and c.faults == p.Fault.NONE
    c.handle(p.EStop(1), 5, 0.04)
    assert c.faults == p.Fault.ESTOP and c.last_cmd_time == 0.04  # an e-stop feeds the watchdog too


def test_the_output_ramps_at_the_wheel_acceleration_limit_from_the_first_update_on():
    c = connected(max_wheel_accel_radps2=40.0)
    c.handle(p.Velocity(2000, -2000), 2, 0.0)
    assert c.update(0.0) == (0.0, 0.0)  # no time has passed yet
    assert c.update(0.01) == pytest.approx((0.4, -0.4))
    assert c.update(0.005) == pytest.approx((0.4, -0.4))  # time going back moves nothing
    assert c.update(0.025) == pytest.approx((1.2, -1.2))  # 20 ms on from the last update
    assert c.update(0.06) == pytest.approx((2.0, -2.0))  # and stops at the set-point


def test_telemetry_reports_ticks_current_battery_faults_and_the_last_sequence():
    c = connected(max_wheel_accel_radps2=1e6, ticks_per_rev=4096, battery_mv=23500)
    c.handle(p.Velocity(2000, -500), 42, 0.0)
    c.update(0.0)
    c.update(0.01)
    c.integrate_encoders(1.0, -0.5, 0.1)  # 4096 / 2 pi ticks per radian
    assert c.ticks == pytest.approx([0.1 * 4096 / (2 * math.pi), -0.05 * 4096 / (2 * math.pi)])
    t = c.telemetry()
    assert (t.left_ticks, t.right_ticks) == (65, -32)  # truncated towards zero
    assert (t.left_current_ma, t.right_current_ma) == (600, 150)
    assert (t.battery_mv, t.faults, t.last_seq) == (23500, 0, 42)
    c.ticks = [2.0**31 + 5, -(2.0**31) - 3]
    c.output = [200.0, -200.0]
    t = c.telemetry()
    assert (t.left_ticks, t.right_ticks) == (-(2**31) + 5, 2**31 - 3)  # int32 wrap
    assert (t.left_current_ma, t.right_current_ma) == (32767, 32767)
    p.encode(t, 1)  # and it fits its frame


def test_each_fault_has_its_own_bit():
    c = connected()
    c.watchdog_tripped, c.estop, c.protocol_fault, c.connected = True, True, True, False
    assert c.faults == p.Fault.WATCHDOG | p.Fault.ESTOP | p.Fault.PROTOCOL | p.Fault.NOT_CONNECTED == 0x33


def test_a_new_controller_is_disconnected_at_rest_with_no_fault_flags_set():
    c = ControllerCore()
    assert (c.connected, c.estop, c.watchdog_tripped, c.protocol_fault) == (False, False, False, False)
    assert all(x is False for x in (c.connected, c.estop, c.watchdog_tripped, c.protocol_fault))
    assert c.target == [0.0, 0.0] and c.output == [0.0, 0.0] and c.ticks == [0.0, 0.0]
    c.handle(p.Hello(), 1, 0.0)
    assert c.connected is True and c.watchdog_tripped is False
    c.handle(p.Velocity(1000, 1000), 2, 0.0)
    assert c.watchdog_tripped is False and c.protocol_fault is False


def test_an_engaged_estop_keeps_the_motors_off_whatever_set_point_follows():
    c = connected(max_wheel_accel_radps2=1e6)
    c.update(0.0)
    c.handle(p.EStop(1), 2, 0.01)
    c.handle(p.Velocity(2000, 2000), 3, 0.02)
    assert c.update(0.03) == (0.0, 0.0) and c.update(0.04) == (0.0, 0.0)
    c.handle(p.EStop(0), 4, 0.05)
    assert c.update(0.06) == (0.0, 0.0) and c.update(0.07) == (0.0, 0.0)  # the set-point was cleared


def test_a_rejected_command_stops_at_once_and_each_rejection_is_counted():
    c = connected(max_wheel_accel_radps2=1e6)
    c.update(0.0)
    c.handle(p.Velocity(2000, 2000), 2, 0.0)
    c.update(0.01)
    c.handle(p.Velocity(99999, 0), 3, 0.02)
    assert c.target == [0.0, 0.0] and c.output == [0.0, 0.0]  # before any update
    c.handle(p.EStop(9), 4, 0.03)
    assert c.protocol_faults == 2


def test_a_handshake_alone_starts_the_watchdog_and_every_trip_is_counted():
    c = connected(watchdog_ms=100.0)
    c.update(0.0)
    c.update(0.2)
    assert c.faults == p.Fault.WATCHDOG and c.watchdog_trips == 1
    c.handle(p.Velocity(0, 0), 2, 0.3)
    c.update(0.3)
    c.update(0.5)
    assert c.watchdog_trips == 2


def test_encoder_ticks_accumulate_and_wrap_exactly_at_two_to_the_31():
    c = ControllerCore(ControllerConfig(ticks_per_rev=4096))
    c.integrate_encoders(2 * math.pi, -2 * math.pi, 0.5)
    c.integrate_encoders(2 * math.pi, -2 * math.pi, 0.5)
    assert c.ticks == pytest.approx([4096.0, -4096.0])
    c.ticks = [2.0**31, 2.0**31 - 1]
    t = c.telemetry()
    assert (t.left_ticks, t.right_ticks) == (-(2**31), 2**31 - 1)


def test_a_heartbeat_restarts_the_watchdog_period_from_its_own_time():
    c = connected(watchdog_ms=100.0)
    c.update(0.0)
    c.handle(p.Heartbeat(), 2, 0.08)
    c.update(0.17)
    assert c.watchdog_trips == 0
    c.update(0.19)
    assert c.watchdog_trips == 1


def test_an_estop_clears_the_set_point_even_without_an_update_while_engaged():
    c = connected(max_wheel_accel_radps2=1e6)
    c.update(0.0)
    c.handle(p.Velocity(2000, 2000), 2, 0.0)
    assert c.update(0.01) == (2.0, 2.0)
    c.handle(p.EStop(1), 3, 0.02)
    c.handle(p.EStop(0), 4, 0.03)
    assert c.update(0.04) == (0.0, 0.0)

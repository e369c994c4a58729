"""The host side of the link (BridgeCore), pure: handshake, sequence numbers, frames, the restart
after a gap, and odometry from telemetry (the encoder-jump check at its exact bound, the velocity
window). Times and limits are binary-exact where a boundary is tested."""

import math

import pytest

from genba_actuation import protocol as p
from genba_actuation.bridge import VELOCITY_WINDOW_S, BridgeCore, LinkLimits
from genba_actuation.kinematics import DiffDrive

DD = DiffDrive(wheel_radius_m=0.125, track_width_m=0.5, ticks_per_rev=1024)


def decode(frame: bytes):
    return p.decode_frame(frame[:-1])


def telemetry(left: int, right: int) -> bytes:
    return p.encode(p.Telemetry(left, right, 24000, 0, 0, 0, 0), 1)


def test_a_new_bridge_knows_nothing_of_its_controller():
    b = BridgeCore()
    assert (b.seq, b.handshake_done, b.controller_watchdog_ms, b.firmware) == (0, False, None, None)
    assert (b.last_telemetry, b.last_telemetry_time, b.last_sent, b.encoder_jumps) == (None, None, None, 0)


def test_the_handshake_needs_our_protocol_version_and_records_the_controllers_watchdog():
    b = BridgeCore()
    assert decode(b.hello()) == (p.Hello(), 1)
    assert b.on_bytes(p.encode(p.HelloAck(p.PROTOCOL_VERSION + 1, 0x0200, 80), 1), 0.0) == []
    assert not b.handshake_done and b.controller_watchdog_ms is None
    assert b.on_bytes(p.encode(p.HelloAck(p.PROTOCOL_VERSION, 0x0200, 80), 2), 0.0) == []
    assert (b.handshake_done, b.controller_watchdog_ms, b.firmware) == (True, 80, 0x0200)
    b.reset_link()
    assert b.handshake_done is False


def test_every_frame_takes_the_next_sequence_number_wrapping_at_255():
    b = BridgeCore()
    assert [decode(f)[1] for f in (b.hello(), b.velocity(0.1, 0.0), b.estop(True))] == [1, 2, 3]
    b.seq = 254
    assert [decode(b.estop(False))[1] for _ in range(3)] == [255, 0, 1]
    assert decode(b.estop(True))[0] == p.EStop(1) and decode(b.estop(False))[0] == p.EStop(0)


def test_a_twist_is_framed_as_wheel_speeds_in_mrad_per_second_clipped_to_the_top_speed():
    b = BridgeCore(drive=DD, limits=LinkLimits(max_wheel_speed_radps=10.0))
    assert decode(b.velocity(0.5, 0.0))[0] == p.Velocity(4000, 4000)  # 0.5 / 0.125 = 4 rad/s
    assert decode(b.velocity(0.0, 1.0))[0] == p.Velocity(-2000, 2000)  # 0.25 m / 0.125 m
    assert decode(b.velocity(5.0, 0.0))[0] == p.Velocity(10000, 10000)
    assert decode(b.velocity(-5.0, 0.0))[0] == p.Velocity(-10000, -10000)


LIM = LinkLimits(max_accel_mps2=1.0, max_yaw_accel_radps2=2.0, gap_s=0.25)


@pytest.mark.parametrize("v, w", [(math.nan, 0.5), (0.5, math.nan), (math.inf, 0.0), (0.0, -math.inf)])
def test_a_non_finite_request_is_sent_as_a_stop(v, w):
    assert BridgeCore(limits=LIM).limit(v, w, 0.0) == (0.0, 0.0)


def test_after_a_gap_speeding_up_starts_from_the_measured_speed_at_the_links_limits():
    b = BridgeCore(limits=LIM)
    assert b.limit(1.0, 1.0, 0.0) == (0.25, 0.5)  # a gap of gap_s from odometry at rest
    assert b.limit(1.0, 1.0, 0.125) == (0.375, 0.75)  # 125 ms on from what was sent
    assert b.limit(1.0, 1.0, 0.125) == (0.375, 0.75)  # no time: no change
    assert b.limit(1.0, 1.0, 0.375) == (0.625, 1.0)  # exactly gap_s after: still continuous
    b.odom.v = 0.0
    assert b.limit(1.0, 0.0, 0.75) == (0.25, 0.0)  # longer: a gap again, from the odometry
    r = BridgeCore(limits=LIM)
    assert r.limit(-1.0, -1.0, 0.0) == (-0.25, -0.5)  # speeding up backwards and clockwise
    assert r.limit(0.0, 0.0, 0.01) == (0.0, 0.0)  # slowing down is never delayed
    assert r.last_sent == (0.0, 0.0)


def test_telemetry_moves_the_odometry_by_each_wheels_own_ticks():
    b = BridgeCore(drive=DD)
    out = b.on_bytes(telemetry(100, 300), 0.0)  # the reference frame
    assert out == [p.Telemetry(100, 300, 24000, 0, 0, 0, 0)] and b.last_telemetry == out[0]
    assert b.last_telemetry_time == 0.0 and b.odom.x == 0.0
    b.on_bytes(telemetry(100 + 64, 300), 0.5)  # left wheel a sixteenth of a turn forward
    assert b.odom.yaw < 0.0  # turning clockwise
    assert b.odom.x == pytest.approx(0.5 * (2 * math.pi / 16) * 0.125, abs=1e-4)


def test_an_encoder_jump_is_judged_at_twice_the_top_wheel_speed_over_the_span():
    n = 512  # half a turn in 0.5 s: the bound is exactly n ticks when the top speed is their angle
    top = DD.ticks_to_rad(n)
    b = BridgeCore(drive=DD, limits=LinkLimits(max_wheel_speed_radps=top))
    b.on_bytes(telemetry(0, 0), 10.0)
    b.on_bytes(telemetry(n, n), 10.5)  # exactly at the bound: motion
    assert b.encoder_jumps == 0 and b.odom.x == pytest.approx(DD.ticks_to_rad(n) * 0.125)
    x = b.odom.x
    b.on_bytes(telemetry(2 * n + 1, n), 11.0)  # one tick beyond: a jump, not integrated
    assert b.encoder_jumps == 1 and b.odom.x == x
    b.on_bytes(telemetry(2 * n + 1 + 3 * n, n), 11.5)
    assert b.encoder_jumps == 2
    b.on_bytes(telemetry(2 * n + 1 + 3 * n + 8, n + 8), 12.0)  # small again: from the new reference
    assert b.encoder_jumps == 2 and b.odom.x == pytest.approx(x + DD.ticks_to_rad(8) * 0.125)


def test_a_jump_within_a_short_span_is_judged_over_the_minimum_span():
    b = BridgeCore(drive=DD, limits=LinkLimits(max_wheel_speed_radps=10.0))
    b.on_bytes(telemetry(0, 0), 100.0)
    b.on_bytes(telemetry(0, 0), 100.01)
    b.on_bytes(telemetry(500, 500), 100.02)  # 3.07 rad in 10 ms > 2 x 10 rad/s x 50 ms
    assert b.encoder_jumps == 1


def test_a_relink_takes_the_next_frame_as_the_new_reference():
    b = BridgeCore(drive=DD)
    b.on_bytes(telemetry(0, 0), 0.0)
    b.reset_link()
    b.on_bytes(telemetry(10**6, 10**6), 0.5)  # a controller reset its counters while away
    assert b.encoder_jumps == 0 and b.odom.x == 0.0


def test_the_velocity_comes_from_the_motion_over_at_least_the_window():
    b = BridgeCore(drive=DD)
    step = DD.ticks_to_rad(16) * 0.125  # metres per 16 ticks
    b.on_bytes(telemetry(0, 0), 0.0)
    b.on_bytes(telemetry(16, 16), 0.0078125)  # under the window: no estimate yet
    assert b.odom.v == 0.0
    b.on_bytes(telemetry(32, 32), 0.015625)  # past it: both frames' motion over the whole span
    assert b.odom.v == pytest.approx(2 * step / 0.015625)
    b.on_bytes(telemetry(48, 48), 0.03125)  # the next window starts from zero
    assert b.odom.v == pytest.approx(step / 0.015625)
    assert VELOCITY_WINDOW_S < 0.015625
    e = BridgeCore(drive=DD)
    e.on_bytes(telemetry(0, 0), 0.0)
    e.on_bytes(telemetry(16, 16), VELOCITY_WINDOW_S)  # exactly the window: an estimate
    assert e.odom.v > 0.0

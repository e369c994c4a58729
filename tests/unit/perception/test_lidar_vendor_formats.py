"""The LiDAR drivers against the vendors: byte streams built here from the documented formats (LD06/LD19
datasheet, Slamtec's protocol and rplidar_sdk), not with genba's encoders; orientation as the vendors'
ROS drivers publish it; LDRobot's noise filter; minimum ranges; RPLIDAR start-up; span check; the
first partial revolution; per-beam timing."""

import math
import struct

import numpy as np
import pytest

from genba_perception.lidar_filter import NoiseFilterConfig, near_filter_keep
from genba_perception.lidar_models import MODELS
from genba_perception.lidar_protocols import Ld06Decoder, Measurement, RplidarDecoder
from genba_perception.scan_assembler import ScanAssembler

# The example frame of LDRobot's LD06 datasheet ("communication protocol"), byte for byte.
DATASHEET_FRAME = bytes.fromhex(
    "542C6808AB7EE000E4DC00E2D900E5D500E3D300E4D000E9CD00E4CA00E2C700E9C500E5C200E5C000E5BE823A1A50")


def crc8_bitwise(data: bytes) -> int:
    """CRC-8 as the datasheet defines it (polynomial 0x4D, init 0, no reflection), bit by bit."""
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x4D) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def ld_packet(
    speed_dps: int, start_cdeg: int, end_cdeg: int, points: list[tuple[int, int]], ts: int = 0
) -> bytes:
    body = bytes([0x54, 0x2C]) + struct.pack("<HH", speed_dps, start_cdeg % 36000)
    body += b"".join(struct.pack("<HB", d, q) for d, q in points)
    body += struct.pack("<HH", end_cdeg % 36000, ts)
    return body + bytes([crc8_bitwise(body)])


def ld_revolutions(dist_intensity, n_rev: int, speed_dps: int = 3600, start_deg: float = 0.0) -> bytes:
    """``n_rev`` revolutions of 12-point packets starting at ``start_deg``; ``dist_intensity(deg)`` gives
    (mm, intensity) at each device angle. 456 points a revolution (10 Hz, 4560 Hz)."""
    n, step = 456, 360.0 / 456
    out = b""
    for k in range(0, n * n_rev, 12):
        angles = [(start_deg + (k + i) * step) % 360.0 for i in range(12)]
        out += ld_packet(
            speed_dps,
            round(angles[0] * 100),
            round(angles[-1] * 100),
            [dist_intensity(a) for a in angles],
            ts=k,
        )
    return out


def rplidar_node(angle_deg: float, dist_m: float, quality: int, start: bool) -> bytes:
    """A standard-scan measurement node as Slamtec's protocol documents it."""
    s = 1 if start else 0
    q6 = int(round(angle_deg * 64)) & 0x7FFF
    return bytes([(quality << 2) | ((1 - s) << 1) | s, ((q6 & 0x7F) << 1) | 1, q6 >> 7]) + struct.pack(
        "<H", int(round(dist_m * 4000))
    )


def rplidar_revolutions(dist_of, n_rev: int, per_rev: int = 400) -> bytes:
    out = bytes.fromhex("A55A0500004081")  # the scan request's response descriptor
    for k in range(per_rev * n_rev):
        a = (k % per_rev) * 360.0 / per_rev
        out += rplidar_node(a, dist_of(a), 40, k % per_rev == 0)
    return out


def scans_from(
    model: str,
    stream: bytes,
    convention: str = "vendor",
    beams: int = 360,
    point_filter=None,
    dt: float = 1.0 / 4560,
):
    m = MODELS[model]
    asm = ScanAssembler(
        beams,
        m.range_min_m,
        m.range_max_m,
        clockwise=True,
        angle_offset_rad=m.angle_offset_rad(convention),
        point_filter=point_filter,
    )
    dec = Ld06Decoder() if m.family == "ld" else RplidarDecoder()
    items = dec.feed(stream)
    meas = [x for p in items for x in p.measurements()] if m.family == "ld" else items
    frames = []
    for i, x in enumerate(meas):
        f = asm.add(x, i * dt)
        if f is not None:
            frames.append(f)
    return frames, asm, dec


def beam_at(frame, angle_rad: float) -> int:
    return int(round((angle_rad - frame.angle_min) / frame.angle_increment)) % len(frame.ranges)


# --- the datasheet example and the span check ------------------------------------------------------------


def test_the_datasheet_example_frame_decodes_to_the_datasheet_values():
    assert crc8_bitwise(DATASHEET_FRAME[:-1]) == DATASHEET_FRAME[-1] == 0x50
    (p,) = Ld06Decoder().feed(DATASHEET_FRAME)
    assert (p.speed_dps, p.start_angle_deg, p.end_angle_deg, p.timestamp_ms) == (2152, 324.27, 334.70, 6714)
    assert p.points[0] == (224, 228) and p.points[-1] == (192, 229)


def test_a_frame_whose_end_is_just_before_its_start_is_rejected():
    pts = [(1000, 200)] * 12
    dec = Ld06Decoder()
    assert len(dec.feed(ld_packet(3600, 10000, 10880, pts))) == 1  # 100 -> 108.8 deg: fits 3600 deg/s
    assert dec.feed(ld_packet(3600, 10000, 9990, pts)) == []  # 100 -> 99.9 deg: would span 359.9 deg
    assert dec.feed(ld_packet(600, 10000, 14000, pts)) == []  # 40 deg at 600 deg/s: motor too slow for it
    assert dec.packets_bad_span == 2 and dec.packets_ok == 1 and dec.packets_bad == 0


# --- orientation ------------------------------------------------------------------------------------------


def test_rplidar_scans_face_as_rplidar_ros_publishes_them():
    # rplidar_ros publishes device angle theta at pi - theta: its +x is the unit's 180-degree mark and
    # its left (+y) is device 90 degrees. An obstacle there must be on the scan's left.
    frames, _, _ = scans_from("rplidar_a1", rplidar_revolutions(lambda a: 1.0 if 85 <= a <= 95 else 4.0, 3))
    f = frames[-1]
    assert f.ranges[beam_at(f, math.pi / 2)] == pytest.approx(1.0)
    assert f.ranges[beam_at(f, -math.pi / 2)] == pytest.approx(4.0)
    ahead = frames[-1].ranges[beam_at(f, 0.0)]
    frames, _, _ = scans_from("rplidar_a1", rplidar_revolutions(lambda a: 1.0 if 175 <= a <= 185 else 4.0, 3))
    assert ahead == pytest.approx(4.0) and frames[-1].ranges[beam_at(f, 0.0)] == pytest.approx(1.0)


def test_the_genba_convention_puts_the_rplidar_zero_mark_ahead():
    frames, _, _ = scans_from(
        "rplidar_a1", rplidar_revolutions(lambda a: 1.0 if a <= 5 or a >= 355 else 4.0, 3), convention="genba"
    )
    f = frames[-1]
    assert f.ranges[beam_at(f, 0.0)] == pytest.approx(1.0) and f.ranges[beam_at(f, math.pi)] == pytest.approx(
        4.0
    )


def test_ld06_device_270_is_the_left_as_in_ldlidar_ros2():
    frames, _, _ = scans_from(
        "ld06", ld_revolutions(lambda a: (800, 200) if 265 <= a <= 275 else (3000, 200), 3)
    )
    f = frames[-1]
    assert f.ranges[beam_at(f, math.pi / 2)] == pytest.approx(0.8)
    assert f.ranges[beam_at(f, -math.pi / 2)] == pytest.approx(3.0)


# --- minimum range -----------------------------------------------------------------------------------------


def test_each_model_has_its_datasheet_range_and_baud():
    assert {k: (m.range_min_m, m.baudrate) for k, m in MODELS.items()} == {
        "ld06": (0.02, 230400),
        "ld19": (0.02, 230400),
        "rplidar_a1": (0.15, 115200),
        "rplidar_a2m8": (0.15, 115200),
        "rplidar_a2": (0.15, 115200),
        "rplidar_a2m7": (0.15, 256000),
        "rplidar_a2m12": (0.15, 256000),
    }


def test_an_rplidar_return_below_its_minimum_range_is_too_close_not_an_exact_obstacle():
    frames, asm, _ = scans_from(
        "rplidar_a1", rplidar_revolutions(lambda a: 0.10 if 88 <= a <= 92 else 4.0, 3)
    )
    f = frames[-1]
    assert np.isneginf(f.ranges[beam_at(f, math.pi / 2)]) and asm.too_close > 0


# --- the noise filter -----------------------------------------------------------------------------------


def _wall_with(extra: dict):
    def di(a):
        for (lo, hi), v in extra.items():
            if lo <= a <= hi:
                return v
        return (3000, 200)

    return di


def test_weak_isolated_returns_are_filtered_as_ldrobot_does_and_the_filter_can_be_off():
    speck = _wall_with({(100.0, 101.0): (400, 8)})  # 1-2 points at 0.4 m, intensity 8: dust
    stream = ld_revolutions(speck, 3)

    def vendor(a, d, q):
        return near_filter_keep(a, d, q, 3600.0)

    on, asm, _ = scans_from("ld06", stream, point_filter=vendor)
    off, _, _ = scans_from("ld06", stream)
    b = beam_at(on[-1], -math.radians(127 * 360 / 456))  # the speck's point, device 100.26 deg
    assert off[-1].ranges[b] == pytest.approx(0.4)
    assert not np.any(on[-1].ranges < 1.0) and asm.filtered >= 2


def test_the_filter_trade_off_thin_objects_go_unless_they_reflect_strongly():
    angles = np.arange(0, 360, 360 / 456)
    dist = np.full(angles.size, 6.0)  # beyond the filter's 5 m: never filtered
    inten = np.full(angles.size, 200.0)
    leg = (angles >= 90) & (angles < 91.5)  # a chair leg: two beams at 1.2 m
    dist[leg] = 1.2
    assert leg.sum() == 2
    inten[leg] = 100.0
    assert not near_filter_keep(angles, dist, inten, 3600.0)[leg].any()
    inten[leg] = 230.0  # a strong reflector stays
    assert near_filter_keep(angles, dist, inten, 3600.0)[leg].all()
    assert near_filter_keep(angles, dist, inten, 3600.0, NoiseFilterConfig(min_points=1))[leg].all()
    dist[:] = 6.0
    wall = (angles >= 200) & (angles < 210)  # 12-13 returns of a dark wall at 2 m
    dist[wall], inten[wall] = 2.0, 10.0
    assert not near_filter_keep(angles, dist, inten, 3600.0)[wall].any()
    long_wall = (angles >= 200) & (angles < 230)  # more than 15 returns: kept however dark
    dist[long_wall], inten[long_wall] = 2.0, 10.0
    assert near_filter_keep(angles, dist, inten, 3600.0)[long_wall].all()


# --- RPLIDAR start-up -----------------------------------------------------------------------------------


def test_rplidar_start_sequence_is_the_sdks():
    a1, a2 = MODELS["rplidar_a1"].start_sequence(), MODELS["rplidar_a2m8"].start_sequence()
    pwm = bytes([0xA5, 0xF0, 0x02]) + struct.pack("<H", 600)
    checksum = 0
    for b in pwm:
        checksum ^= b
    assert [s for _, s in a2] == [b"\xa5\x25", pwm + bytes([checksum]), b"\xa5\x20"]
    assert [s for _, s in a1] == [b"\xa5\x25", "motor_on", b"\xa5\x20"]  # the A1's motor is on DTR
    times = [t for t, _ in a2]
    assert times[0] == 0.0 and times[1] >= 0.1 and times[2] > times[1]  # the SDK waits after STOP
    assert MODELS["rplidar_a2m8"].stop_sequence()[1] == bytes([0xA5, 0xF0, 0x02, 0, 0, 0xA5 ^ 0xF0 ^ 0x02])
    assert MODELS["ld06"].start_sequence() == []


# --- revolutions and timing -------------------------------------------------------------------------------


def test_the_first_partial_revolution_is_dropped():
    # the stream starts a third of the way round: the first revolution seen is not whole
    frames, asm, _ = scans_from("ld06", ld_revolutions(lambda a: (2000, 200), 3, start_deg=120.0))
    assert asm.partial_dropped == 1 and len(frames) == 2
    assert all(np.isfinite(f.ranges).sum() > 340 for f in frames)


@pytest.mark.parametrize("model", ["ld06", "rplidar_a1"])
def test_each_beam_is_stamped_when_it_was_measured(model):
    m = MODELS[model]
    asm = ScanAssembler(360, m.range_min_m, m.range_max_m, angle_offset_rad=m.angle_offset_rad("vendor"))
    n, dt = 456, 0.1 / 456
    times, frame = {}, None
    for k in range(n * 3):
        device = (k % n) * 360.0 / n
        f = asm.add(Measurement(device, 2.0, 100.0), k * dt)
        if f is not None and frame is None and asm.scans == 1:
            frame = f
        times.setdefault(asm.scans, {})[beam_at_angle(asm, device)] = k * dt
    measured = times[0]  # the revolution the first frame holds
    assert frame.time_increment < 0  # clockwise: beam 0 is measured last
    for beam, t in measured.items():
        assert frame.stamp + beam * frame.time_increment == pytest.approx(t, abs=2 * dt), beam
    assert frame.scan_time == pytest.approx(0.1, rel=0.02)


def beam_at_angle(asm: ScanAssembler, device_deg: float) -> int:
    return int(round((asm.scan_angle(device_deg) + math.pi) / asm.increment)) % asm.beams

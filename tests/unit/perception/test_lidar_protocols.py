import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genba_perception.lidar_protocols import (
    LD_CRC_TABLE,
    RPLIDAR_SCAN_DESCRIPTOR,
    Ld06Decoder,
    RplidarDecoder,
    crc8_ld,
    encode_ld06,
    encode_rplidar_node,
)
from genba_perception.scan_assembler import ScanAssembler

# First entries of the CRC table published in LDRobot's LD06/LD19 development manual.
PUBLISHED_CRC_TABLE_HEAD = [0x00, 0x4D, 0x9A, 0xD7, 0x79, 0x34, 0xE3, 0xAE,
                            0xF2, 0xBF, 0x68, 0x25, 0x8B, 0xC6, 0x11, 0x5C]


def test_crc_table_matches_the_published_one():
    assert LD_CRC_TABLE[:16] == PUBLISHED_CRC_TABLE_HEAD


def ld06_revolution(ranges_mm, speed_dps=3600, t0=0):
    """Bytes of one revolution: consecutive 12-point packets covering 0..360 degrees."""
    n = len(ranges_mm)
    step = 360.0 / n
    out = b""
    for k in range(0, n, 12):
        pts = [(int(ranges_mm[(k + i) % n]), 200) for i in range(12)]
        out += encode_ld06(speed_dps, k * step, ((k + 11) * step) % 360.0, t0 + k, pts)
    return out


def test_ld06_round_trip_and_packet_length():
    pkt = encode_ld06(3600, 10.0, 18.25, 1234, [(1000 + i, 100 + i) for i in range(12)])
    assert len(pkt) == 47 and pkt[:2] == b"\x54\x2c" and crc8_ld(pkt[:-1]) == pkt[-1]
    (p,) = Ld06Decoder().feed(pkt)
    assert p.speed_dps == 3600 and p.start_angle_deg == 10.0 and p.end_angle_deg == 18.25
    ms = p.measurements()
    assert ms[0].angle_deg == pytest.approx(10.0) and ms[-1].angle_deg == pytest.approx(18.25)
    assert ms[3].distance_m == pytest.approx(1.003)


def test_ld06_wrapping_packet_interpolates_across_zero():
    (p,) = Ld06Decoder().feed(encode_ld06(3600, 355.0, 3.8, 0, [(500, 1)] * 12))
    angles = [m.angle_deg for m in p.measurements()]
    assert (
        angles[0] == pytest.approx(355.0)
        and angles[-1] == pytest.approx(3.8)
        and angles[6] == pytest.approx(359.8)
    )


def test_ld06_corrupt_packets_counted_and_dropped_stream_recovers():
    good = encode_ld06(3600, 0.0, 8.8, 0, [(1000, 1)] * 12)
    bad = bytearray(good)
    bad[10] ^= 0x01
    dec = Ld06Decoder()
    out = dec.feed(b"\x54\x2c\x00\x11" + bytes(bad) + good[:20])
    out += dec.feed(good[20:] + good)
    assert len(out) == 2 and dec.packets_bad >= 1


@settings(max_examples=200)
@given(st.binary(max_size=500))
def test_decoders_survive_noise(noise):
    for p in Ld06Decoder().feed(noise):
        assert len(p.points) == 12
    dec = RplidarDecoder()
    dec.feed(RPLIDAR_SCAN_DESCRIPTOR + noise)
    assert dec.packets_ok + dec.packets_bad <= len(noise)


def test_rplidar_nodes_round_trip_and_check_bits():
    dec = RplidarDecoder()
    assert dec.feed(b"\x00\x01garbage") == []  # before the response descriptor: nothing
    data = (
        RPLIDAR_SCAN_DESCRIPTOR
        + encode_rplidar_node(0.5, 1.25, 47, True)
        + encode_rplidar_node(359.75, 0.0, 0, False)
    )
    a, b = dec.feed(data)
    assert (
        a.new_revolution
        and a.angle_deg == pytest.approx(0.5, abs=1 / 64)
        and a.distance_m == pytest.approx(1.25)
    )
    assert a.intensity == 47 and not b.new_revolution and b.distance_m == 0.0
    broken = bytearray(encode_rplidar_node(10.0, 2.0, 10, False))
    broken[1] &= 0xFE  # check bit cleared
    dec.feed(bytes(broken))
    assert dec.packets_bad >= 1


@pytest.mark.parametrize("points_per_rev", [360, 456, 500])
def test_assembled_scans_have_a_fixed_beam_count_and_correct_geometry(points_per_rev):
    asm = ScanAssembler(beams=360, range_min=0.05, range_max=8.0)
    dec = Ld06Decoder()
    ranges = np.full(points_per_rev, 3000)
    ranges[: points_per_rev // 36] = 1000  # an object at device angles 0..10 deg (clockwise)
    stream = ld06_revolution(ranges) * 3
    frames = []
    t = 0.0
    for pkt in dec.feed(stream):
        for m in pkt.measurements():
            t += 0.1 / points_per_rev
            f = asm.add(m, t)
            if f is not None:
                frames.append(f)
    assert len(frames) >= 2  # the first, partial revolution is dropped
    for f in frames:
        assert f.ranges.shape == (360,) and f.angle_min == pytest.approx(-math.pi)
        assert f.angle_increment == pytest.approx(2 * math.pi / 360)
        assert f.scan_time == pytest.approx(0.1, rel=0.05)
        assert f.time_increment == pytest.approx(-f.scan_time / 360)  # clockwise: beam 0 measured last
    f = frames[-1]
    # Device angle +5 deg clockwise is -5 deg in REP-103: beam index 180 - 5.
    assert f.ranges[175] == pytest.approx(1.0) and f.ranges[185] == pytest.approx(3.0)
    assert np.isnan(f.ranges).sum() <= (360 - points_per_rev if points_per_rev < 360 else 360 // 12)


def test_range_semantics_in_assembled_scan():
    asm = ScanAssembler(beams=8, range_min=0.1, range_max=5.0, clockwise=False)
    from genba_perception.lidar_protocols import Measurement

    asm.add(Measurement(170.0, 1.0, 1.0), 0.0)  # a partial revolution: dropped at the seam (+-pi)
    for a, d in ((190.0, 1.0), (0.0, 1.0), (45.0, 0.0), (90.0, 9.0), (135.0, 0.05)):
        assert asm.add(Measurement(a, d, 1.0), 0.0) is None
    f = asm.add(Measurement(190.0, 1.0, 1.0), 0.1)  # past the seam again: the revolution is done
    i0 = 4  # angle 0 -> index (0 + pi) / (pi / 4)
    assert f.ranges[i0] == pytest.approx(1.0) and np.isnan(f.ranges[i0 + 1])
    assert np.isposinf(f.ranges[i0 + 2]) and np.isneginf(f.ranges[i0 + 3])
    assert asm.partial_dropped == 1 and f.time_increment > 0  # counter-clockwise: beam 0 first

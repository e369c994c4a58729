"""Serial 2D LiDAR protocols: LDRobot LD06/LD19 and Slamtec RPLIDAR A1/A2 standard scan.

Pure stream decoders (bytes in, measurements out, bad packets counted and dropped) plus encoders
that produce byte streams following the published formats, for tests and emulators.

LD06/LD19 (LDRobot datasheets): 47-byte packets, little-endian::

    0x54 | 0x2C (ver_len: 12 points) | speed u16 deg/s | start_angle u16 0.01 deg |
    12 x (distance u16 mm, intensity u8) | end_angle u16 0.01 deg | timestamp u16 ms | crc8

CRC-8: polynomial 0x4D, init 0x00, no reflection, over the 46 bytes before it.

RPLIDAR standard scan (Slamtec protocol v2.x): request ``A5 20``; response descriptor
``A5 5A 05 00 00 40 81``; then 5-byte nodes::

    b0: quality(6) << 2 | !S << 1 | S      (S = start of a new revolution)
    b1: angle_q6[6:0] << 1 | C             (C, the check bit, is always 1)
    b2: angle_q6[14:7]
    b3..b4: distance_q2 u16                (mm * 4; 0 = invalid)

Both scanners turn clockwise seen from above; angles here are the device's (degrees, clockwise).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

LD_HEADER = 0x54
LD_VERLEN = 0x2C
LD_POINTS = 12
LD_PACKET_LEN = 47
LD_SAMPLE_RATE_HZ = 4500.0  # LD06/LD19 measurements per second
# LDRobot's driver allows 1.5; the datasheet's own example frame spans 1.82 times that nominal angle
# (10.43 deg at 2152 deg/s), and a stalled motor's frame spans ~360 deg: 2.5 keeps the one, drops the other.
LD_SPAN_TOLERANCE = 2.5

RPLIDAR_SCAN_REQUEST = b"\xa5\x20"
RPLIDAR_STOP_REQUEST = b"\xa5\x25"
RPLIDAR_SCAN_DESCRIPTOR = b"\xa5\x5a\x05\x00\x00\x40\x81"


def _crc8_table(poly: int = 0x4D) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        table.append(crc)
    return table


LD_CRC_TABLE = _crc8_table()


def crc8_ld(data: bytes) -> int:
    crc = 0
    for b in data:
        crc = LD_CRC_TABLE[(crc ^ b) & 0xFF]
    return crc


@dataclass(frozen=True)
class Measurement:
    angle_deg: float      # device angle, clockwise, [0, 360)
    distance_m: float     # 0.0 = no return
    intensity: float
    new_revolution: bool = False


@dataclass(frozen=True)
class LdPacket:
    speed_dps: int
    start_angle_deg: float
    end_angle_deg: float
    timestamp_ms: int
    points: tuple[tuple[int, int], ...]  # (distance mm, intensity)

    def span_ok(self) -> bool:
        """The packet's angular span fits its reported speed: at most LD_SPAN_TOLERANCE times the
        angle turned while its 12 points are sampled. A stalled or slowing motor gives an end angle
        just before the start, which would otherwise spread the packet over the whole circle."""
        span = (self.end_angle_deg - self.start_angle_deg) % 360.0
        return span <= self.speed_dps * LD_POINTS / LD_SAMPLE_RATE_HZ * LD_SPAN_TOLERANCE

    def measurements(self) -> list[Measurement]:
        """Angles interpolated between start and end (the end may wrap past 360)."""
        span = (self.end_angle_deg - self.start_angle_deg) % 360.0
        step = span / (len(self.points) - 1)
        return [Measurement((self.start_angle_deg + i * step) % 360.0, d / 1000.0, float(q))
                for i, (d, q) in enumerate(self.points)]


def encode_ld06(speed_dps: int, start_deg: float, end_deg: float, timestamp_ms: int,
                points: list[tuple[int, int]]) -> bytes:
    if len(points) != LD_POINTS:
        raise ValueError(f"an LD06 packet carries {LD_POINTS} points")
    body = struct.pack("<BBHH", LD_HEADER, LD_VERLEN, speed_dps, int(round(start_deg * 100)) % 36000)
    body += b"".join(struct.pack("<HB", d, q) for d, q in points)
    body += struct.pack("<HH", int(round(end_deg * 100)) % 36000, timestamp_ms & 0xFFFF)
    return body + bytes([crc8_ld(body)])


class Ld06Decoder:
    """Resynchronising stream decoder for LD06 / LD19 (same packet format)."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.packets_ok = 0
        self.packets_bad = 0  # failed the CRC
        self.packets_bad_span = 0  # passed the CRC, but their span does not fit their speed

    def feed(self, data: bytes) -> list[LdPacket]:
        self._buf += data
        out = []
        while True:
            i = self._buf.find(bytes([LD_HEADER, LD_VERLEN]))
            if i < 0:
                # keep a trailing header byte that may start the next packet
                keep = 1 if self._buf[-1:] == bytes([LD_HEADER]) else 0
                del self._buf[:len(self._buf) - keep]
                break
            if i:
                del self._buf[:i]
            if len(self._buf) < LD_PACKET_LEN:
                break
            pkt = bytes(self._buf[:LD_PACKET_LEN])
            if crc8_ld(pkt[:-1]) != pkt[-1]:
                self.packets_bad += 1
                del self._buf[:1]  # not a packet after all: search again from the next byte
                continue
            del self._buf[:LD_PACKET_LEN]
            speed, start = struct.unpack_from("<HH", pkt, 2)
            points = tuple(struct.unpack_from("<HB", pkt, 6 + 3 * k) for k in range(LD_POINTS))
            end, ts = struct.unpack_from("<HH", pkt, 42)
            pkt = LdPacket(speed, start / 100.0, end / 100.0, ts, points)
            if not pkt.span_ok():
                self.packets_bad_span += 1
                continue
            out.append(pkt)
            self.packets_ok += 1
        return out


def encode_rplidar_node(angle_deg: float, distance_m: float, quality: int, start: bool) -> bytes:
    angle_q6 = int(round(angle_deg * 64.0)) & 0x7FFF
    b0 = ((quality & 0x3F) << 2) | ((0 if start else 1) << 1) | (1 if start else 0)
    return struct.pack("<BBBH", b0, ((angle_q6 & 0x7F) << 1) | 1, angle_q6 >> 7,
                       min(0xFFFF, int(round(distance_m * 4000.0))))


class RplidarDecoder:
    """Standard-scan decoder: waits for the response descriptor, then reads 5-byte nodes.

    A node failing its check bits is dropped and the decoder slides one byte to regain alignment.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.synced = False
        self.packets_ok = 0
        self.packets_bad = 0

    def reset(self) -> None:
        self._buf.clear()
        self.synced = False

    def feed(self, data: bytes) -> list[Measurement]:
        self._buf += data
        out: list[Measurement] = []
        if not self.synced:
            i = self._buf.find(RPLIDAR_SCAN_DESCRIPTOR)
            if i < 0:
                del self._buf[:max(0, len(self._buf) - len(RPLIDAR_SCAN_DESCRIPTOR) + 1)]
                return out
            del self._buf[:i + len(RPLIDAR_SCAN_DESCRIPTOR)]
            self.synced = True
        while len(self._buf) >= 5:
            b0, b1, b2, dist_q2 = struct.unpack_from("<BBBH", self._buf, 0)
            s, not_s, check = b0 & 1, (b0 >> 1) & 1, b1 & 1
            if s == not_s or check != 1:
                self.packets_bad += 1
                del self._buf[:1]
                continue
            del self._buf[:5]
            angle = (((b2 << 7) | (b1 >> 1)) / 64.0) % 360.0
            out.append(Measurement(angle, dist_q2 / 4000.0, float(b0 >> 2), bool(s)))
            self.packets_ok += 1
        return out

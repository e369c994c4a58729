"""genba motor-controller wire protocol (v1): COBS frames, CRC-16/CCITT-FALSE, sequence numbers.

A frame on the wire is ``COBS(payload + crc16_be(payload)) + b"\\x00"`` where
``payload = [msg_type u8][seq u8][body ...]``. All integers are little-endian. The full
specification lives in ``docs/protocol.md`` of this package; this module is its reference
implementation, shared by the ROS bridge and the controller emulator.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

PROTOCOL_VERSION = 1
MAX_FRAME = 64  # bytes of decoded payload + CRC; anything longer is garbage


class ProtocolError(ValueError):
    """A frame that cannot be decoded (bad COBS, bad CRC, unknown type, wrong length)."""


# --- CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xorout) ---------------
def _make_crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return table


_CRC_TABLE = _make_crc_table()


def crc16_ccitt(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE; crc16_ccitt(b"123456789") == 0x29B1."""
    for b in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[((crc >> 8) ^ b) & 0xFF]
    return crc


# --- COBS ---------------------------------------------------------------------------------
def cobs_encode(data: bytes) -> bytes:
    """Consistent Overhead Byte Stuffing: output contains no 0x00 byte."""
    out = bytearray()
    block = bytearray()
    for b in data:
        if b == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
        else:
            block.append(b)
            if len(block) == 254:
                out.append(255)
                out += block
                block.clear()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    """Inverse of :func:`cobs_encode`; raises ProtocolError on malformed input."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        code = data[i]
        if code == 0:
            raise ProtocolError("COBS: zero byte inside frame")
        end = i + code
        if end > n:
            raise ProtocolError("COBS: block runs past end of frame")
        block = data[i + 1:end]
        if 0 in block:
            raise ProtocolError("COBS: zero byte inside frame")
        out += block
        i = end
        if code != 255 and i < n:
            out.append(0)
    return bytes(out)


# --- messages -----------------------------------------------------------------------------
class MsgType(enum.IntEnum):
    HELLO = 0x01        # host -> controller: protocol version
    HELLO_ACK = 0x02    # controller -> host: protocol version, firmware id, watchdog ms
    VELOCITY = 0x10     # host -> controller: wheel speeds
    HEARTBEAT = 0x11    # host -> controller: keeps the watchdog fed without a new set-point
    ESTOP = 0x12        # host -> controller: engage (1) / release (0)
    TELEMETRY = 0x20    # controller -> host


class Fault(enum.IntFlag):
    NONE = 0
    WATCHDOG = 0x01      # no valid command within the watchdog period: motors off
    ESTOP = 0x02         # e-stop engaged: motors off until released
    OVERCURRENT = 0x04
    UNDERVOLTAGE = 0x08
    NOT_CONNECTED = 0x10  # no handshake yet: motors off
    PROTOCOL = 0x20      # a command with an impossible field: rejected, motors off until a valid one


@dataclass(frozen=True)
class Hello:
    version: int = PROTOCOL_VERSION
    FMT = "<B"


@dataclass(frozen=True)
class HelloAck:
    version: int
    firmware: int
    watchdog_ms: int
    FMT = "<BHH"


@dataclass(frozen=True)
class Velocity:
    """Wheel angular speed set-points in milliradians per second (left, right)."""
    left_mrad_s: int
    right_mrad_s: int
    FMT = "<ii"


@dataclass(frozen=True)
class Heartbeat:
    FMT = "<"


@dataclass(frozen=True)
class EStop:
    engaged: int
    FMT = "<B"


@dataclass(frozen=True)
class Telemetry:
    """Controller state: encoder ticks (wrapping int32), battery mV, motor current mA, faults."""
    left_ticks: int
    right_ticks: int
    battery_mv: int
    left_current_ma: int
    right_current_ma: int
    faults: int
    last_seq: int  # sequence number of the last accepted host command
    FMT = "<iiHhhBB"


MESSAGES: dict[MsgType, type] = {
    MsgType.HELLO: Hello,
    MsgType.HELLO_ACK: HelloAck,
    MsgType.VELOCITY: Velocity,
    MsgType.HEARTBEAT: Heartbeat,
    MsgType.ESTOP: EStop,
    MsgType.TELEMETRY: Telemetry,
}
_TYPE_OF = {cls: t for t, cls in MESSAGES.items()}


def encode(msg: object, seq: int) -> bytes:
    """Message -> wire bytes (COBS frame + 0x00 delimiter)."""
    mtype = _TYPE_OF[type(msg)]
    fields = [getattr(msg, f) for f in msg.__dataclass_fields__]  # type: ignore[attr-defined]
    payload = bytes([int(mtype), seq & 0xFF]) + struct.pack(msg.FMT, *fields)  # type: ignore[attr-defined]
    return cobs_encode(payload + struct.pack(">H", crc16_ccitt(payload))) + b"\x00"


def decode_frame(frame: bytes) -> tuple[object, int]:
    """One frame without its delimiter -> (message, seq). Raises ProtocolError."""
    raw = cobs_decode(frame)
    if len(raw) < 4:
        raise ProtocolError(f"frame too short ({len(raw)} bytes)")
    payload, crc = raw[:-2], struct.unpack(">H", raw[-2:])[0]
    if crc16_ccitt(payload) != crc:
        raise ProtocolError("CRC mismatch")
    try:
        cls = MESSAGES[MsgType(payload[0])]
    except ValueError:
        raise ProtocolError(f"unknown message type 0x{payload[0]:02x}") from None
    body = payload[2:]
    if len(body) != struct.calcsize(cls.FMT):
        raise ProtocolError(f"{cls.__name__}: body is {len(body)} bytes, expected {struct.calcsize(cls.FMT)}")
    return cls(*struct.unpack(cls.FMT, body)), payload[1]


class FrameDecoder:
    """Stream decoder: feed bytes, get valid (message, seq) pairs; counts what it drops."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.frames_ok = 0
        self.frames_bad = 0
        self.last_error = ""

    def discard_partial(self) -> None:
        """Drop a half-received frame (after a reconnect); counters are kept."""
        self._buf.clear()

    def feed(self, data: bytes) -> list[tuple[object, int]]:
        out: list[tuple[object, int]] = []
        self._buf += data
        while True:
            idx = self._buf.find(0)
            if idx < 0:
                if len(self._buf) > 2 * MAX_FRAME:  # no delimiter in sight: drop the noise
                    self._buf.clear()
                    self.frames_bad += 1
                    self.last_error = "no frame delimiter within 2*MAX_FRAME bytes"
                break
            frame = bytes(self._buf[:idx])
            del self._buf[:idx + 1]
            if not frame:
                continue  # back-to-back delimiters are legal padding
            try:
                out.append(decode_frame(frame))
                self.frames_ok += 1
            except (ProtocolError, struct.error) as exc:
                self.frames_bad += 1
                self.last_error = str(exc)
        return out

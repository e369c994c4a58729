import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genba_actuation import protocol as p


def test_crc16_ccitt_false_check_value():
    # The catalogue check value of CRC-16/CCITT-FALSE.
    assert p.crc16_ccitt(b"123456789") == 0x29B1
    assert p.crc16_ccitt(b"") == 0xFFFF


@pytest.mark.parametrize("raw, encoded", [
    (b"\x00", b"\x01\x01"),
    (b"\x00\x00", b"\x01\x01\x01"),
    (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33"),
    (b"\x11\x22\x33\x44", b"\x05\x11\x22\x33\x44"),
    (b"\x11\x00\x00\x00", b"\x02\x11\x01\x01\x01"),
    (bytes(range(1, 255)), b"\xff" + bytes(range(1, 255)) + b"\x01"),
])
def test_cobs_reference_vectors(raw, encoded):
    # Vectors from the COBS paper / Wikipedia examples.
    assert p.cobs_encode(raw) == encoded
    assert p.cobs_decode(encoded) == raw


@given(st.binary(max_size=600))
def test_cobs_roundtrip_and_no_zero(data):
    enc = p.cobs_encode(data)
    assert 0 not in enc
    assert p.cobs_decode(enc) == data


messages = st.one_of(
    st.builds(p.Hello, st.integers(0, 255)),
    st.builds(p.HelloAck, st.integers(0, 255), st.integers(0, 65535), st.integers(0, 65535)),
    st.builds(p.Velocity, st.integers(-(2**31), 2**31 - 1), st.integers(-(2**31), 2**31 - 1)),
    st.just(p.Heartbeat()),
    st.builds(p.EStop, st.integers(0, 1)),
    st.builds(
        p.Telemetry,
        st.integers(-(2**31), 2**31 - 1),
        st.integers(-(2**31), 2**31 - 1),
        st.integers(0, 65535),
        st.integers(-32768, 32767),
        st.integers(-32768, 32767),
        st.integers(0, 255),
        st.integers(0, 255),
    ),
)


@given(messages, st.integers(0, 255))
def test_encode_decode_roundtrip(msg, seq):
    wire = p.encode(msg, seq)
    assert wire.endswith(b"\x00") and 0 not in wire[:-1]
    dec = p.FrameDecoder()
    assert dec.feed(wire) == [(msg, seq)]


@settings(max_examples=400)
@given(st.binary(max_size=400))
def test_decoder_never_crashes_and_never_yields_bad_crc(noise):
    dec = p.FrameDecoder()
    for msg, _seq in dec.feed(noise):
        # Anything the decoder yields was CRC-valid: re-encoding reproduces a valid frame.
        assert type(msg) in p.MESSAGES.values()


@given(messages, st.integers(0, 255), st.integers(0, 30), st.integers(0, 7))
def test_single_bit_flip_is_rejected(msg, seq, pos, bit):
    wire = bytearray(p.encode(msg, seq))
    pos = pos % (len(wire) - 1)
    wire[pos] ^= 1 << bit
    dec = p.FrameDecoder()
    out = dec.feed(bytes(wire))
    # A flip may split the frame (new 0x00) but can never pass a corrupted message through.
    assert all(m == msg for m, _ in out) or out == []
    assert (msg, seq) not in out or wire == bytearray(p.encode(msg, seq))


def test_decoder_resynchronises_after_garbage_and_counts_it():
    good = p.encode(p.Velocity(1, 2), 9)
    dec = p.FrameDecoder()
    out = dec.feed(b"\x13\x37\xff\x00" + good[:4])
    out += dec.feed(good[4:] + good)
    assert out == [(p.Velocity(1, 2), 9)] * 2
    assert dec.frames_bad == 1 and dec.frames_ok == 2


def test_wrong_length_body_is_a_protocol_error():
    payload = bytes([p.MsgType.VELOCITY, 1]) + b"\x01\x02"
    frame = p.cobs_encode(payload + struct.pack(">H", p.crc16_ccitt(payload)))
    with pytest.raises(p.ProtocolError, match="expected 8"):
        p.decode_frame(frame)


def test_unknown_type_is_a_protocol_error():
    payload = bytes([0x7F, 1])
    frame = p.cobs_encode(payload + struct.pack(">H", p.crc16_ccitt(payload)))
    with pytest.raises(p.ProtocolError, match="unknown message type 0x7f"):
        p.decode_frame(frame)


def _crc_bitwise(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE one bit at a time: the definition the table-driven CRC must equal."""
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def test_the_crc_table_holds_each_bytes_remainder():
    table = p._make_crc_table()  # built again here: the module's copy was built at import
    assert table == [_crc_bitwise(bytes([b]), crc=0) for b in range(256)]
    assert table[1] == 0x1021


@given(st.binary(max_size=64))
def test_the_table_driven_crc_equals_the_bitwise_one(data):
    assert p.crc16_ccitt(data) == _crc_bitwise(data)


@pytest.mark.parametrize("frame, message", [
    (b"\x03\x11\x00\x33", "COBS: zero byte inside frame"),  # a zero inside a block
    (b"\x02\x11\x00", "COBS: zero byte inside frame"),  # a zero where a block code belongs
    (b"\x05\x11\x22", "COBS: block runs past end of frame"),
    (p.cobs_encode(b"\x01\x02\x03"), "frame too short (3 bytes)"),
    (p.cobs_encode(bytes([p.MsgType.HEARTBEAT, 1, 0, 0])), "CRC mismatch"),
])
def test_each_bad_frame_names_what_was_wrong(frame, message):
    with pytest.raises(p.ProtocolError) as err:
        p.decode_frame(frame)
    assert str(err.value) == message
    if 0 not in frame:  # on the wire (a zero would end the frame early)
        dec = p.FrameDecoder()
        assert dec.feed(frame + b"\x00") == [] and dec.last_error == message and dec.frames_bad == 1


def test_leading_and_repeated_delimiters_are_padding():
    good = p.encode(p.Heartbeat(), 3)
    dec = p.FrameDecoder()
    assert dec.last_error == "" and (dec.frames_ok, dec.frames_bad) == (0, 0)
    assert dec.feed(b"\x00\x00" + good + b"\x00" + good) == [(p.Heartbeat(), 3)] * 2
    assert (dec.frames_ok, dec.frames_bad, dec.last_error) == (2, 0, "")


def test_noise_without_a_delimiter_is_dropped_beyond_twice_the_largest_frame_and_counted_each_time():
    dec = p.FrameDecoder()
    dec.feed(b"\x01" * (2 * p.MAX_FRAME))
    assert dec.frames_bad == 0  # still possibly a frame's worth plus its start
    dec.feed(b"\x01")
    assert dec.frames_bad == 1 and dec.last_error == "no frame delimiter within 2*MAX_FRAME bytes"
    dec.feed(b"\x01" * (2 * p.MAX_FRAME + 1))
    assert dec.frames_bad == 2
    good = p.encode(p.Heartbeat(), 4)
    assert dec.feed(b"\x00" + good) == [(p.Heartbeat(), 4)]  # and it resynchronises after
    dec.feed(b"\x05\x11\x00")
    dec.feed(b"\x05\x11\x00")
    assert dec.frames_bad == 4

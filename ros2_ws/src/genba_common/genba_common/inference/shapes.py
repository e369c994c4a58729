"""Set the declared shapes of an ONNX model's inputs and outputs, without the ``onnx`` package.

Some models ship with a fixed example shape (CenterFace: 10x3x32x32) although the network is fully
convolutional; ONNX Runtime refuses any other input until the graph says so. The robot path does not
carry the ``onnx`` package, so this edits the protobuf wire format directly: ``ModelProto.graph``
(field 7) -> ``GraphProto.input`` / ``output`` (11, 12) -> ``ValueInfoProto.type`` (2) ->
``TypeProto.tensor_type`` (1) -> ``shape`` (2) -> ``dim`` (1) -> ``dim_value`` (1). Every other byte
of the model, its weights included, is kept as it is.
"""

from __future__ import annotations

from collections.abc import Iterator

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("truncated or malformed varint")
        b = buf[i]
        value |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return value, i
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _fields(buf: bytes) -> Iterator[tuple[int, int, bytes, bytes]]:
    """(field number, wire type, the field's raw bytes with its key, the payload of a LENGTH field)."""
    i = 0
    while i < len(buf):
        start = i
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        payload = b""
        if wire == VARINT:
            _, i = _varint(buf, i)
        elif wire == FIXED64:
            i += 8
        elif wire == FIXED32:
            i += 4
        elif wire == LENGTH:
            n, i = _varint(buf, i)
            payload = buf[i : i + n]
            i += n
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if i > len(buf):
            raise ValueError("truncated protobuf field")
        yield number, wire, buf[start:i], payload


def _length_field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | LENGTH) + _encode_varint(len(payload)) + payload


def _tensor_type(old_type: bytes, dims: list[int]) -> bytes:
    """A ``TypeProto`` with the tensor's element type kept and its shape set to ``dims``."""
    shape = b"".join(_length_field(1, _encode_varint(1 << 3 | VARINT) + _encode_varint(d)) for d in dims)
    tensor = b""
    for number, wire, _, payload in _fields(old_type):
        if number == 1 and wire == LENGTH:
            tensor = b"".join(r for n, _, r, _ in _fields(payload) if n != 2)  # elem_type and the rest
    return _length_field(1, tensor + _length_field(2, shape))


def _value_info(raw: bytes, payload: bytes, dims: dict[str, list[int]], seen: set[str]) -> bytes:
    name = next((p.decode() for n, w, _, p in _fields(payload) if n == 1 and w == LENGTH), None)
    if name not in dims:
        return raw
    seen.add(name)
    parts = [
        r if n != 2 else _length_field(2, _tensor_type(p, dims[name])) for n, _, r, p in _fields(payload)
    ]
    return _length_field(raw[0] >> 3, b"".join(parts))


def with_shapes(model: bytes, dims: dict[str, list[int]]) -> bytes:
    """``model`` (an ONNX ``ModelProto``) with the named inputs' and outputs' shapes set to ``dims``.

    Raises ValueError when the bytes are not a model or a name is neither an input nor an output."""
    seen: set[str] = set()
    out = []
    for number, wire, raw, payload in _fields(model):
        if number == 7 and wire == LENGTH:
            graph = b"".join(
                _value_info(r, p, dims, seen) if n in (11, 12) and w == LENGTH else r
                for n, w, r, p in _fields(payload)
            )
            raw = _length_field(7, graph)
        out.append(raw)
    missing = set(dims) - seen
    if missing:
        raise ValueError(f"no input or output named {', '.join(sorted(missing))}")
    return b"".join(out)

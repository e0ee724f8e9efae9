"""The wire format of Kapacitor's UDF protocol (udf/agent/udf.proto): protobuf messages, each
preceded by its length as an unsigned varint.

A hand-written codec for exactly udf.proto's messages, so that tickpy needs no protobuf runtime
(whose generated code ties a program to one major version: the cause of most of the UDF set-up
trouble Kapacitor's users report). Messages are dicts keyed by the .proto field names; a oneof
(`Request`, `Response`, `OptionValue.value`) is the one key that is set. Decoding keeps only the
fields present on the wire (proto3 leaves out default values): read them with `.get(name, default)`.
Encoding leaves out proto3 default values, except in a oneof and in map entries, as protoc's
runtimes do.
"""

from __future__ import annotations

import struct
from typing import Any

# Edge and value types (enums EdgeType, ValueType).
STREAM, BATCH = 0, 1
EDGE_NAMES = {STREAM: "stream", BATCH: "batch"}
BOOL, INT, DOUBLE, STRING, DURATION = range(5)
VALUE_TYPE_NAMES = {BOOL: "bool", INT: "int", DOUBLE: "double", STRING: "string", DURATION: "duration"}
VALUE_FIELDS = {BOOL: "boolValue", INT: "intValue", DOUBLE: "doubleValue", STRING: "stringValue",
                DURATION: "durationValue"}

# Field kinds: scalar names, ("message", name), ("map", key kind, value kind); a field is
# (number, name, kind, repeated, oneof).
_STRING_MAP = ("map", "string", "string")

SCHEMA: dict[str, list[tuple[int, str, Any, bool, str | None]]] = {
    "InfoRequest": [],
    "InfoResponse": [
        (1, "wants", "enum", False, None),
        (2, "provides", "enum", False, None),
        (3, "options", ("map", "string", ("message", "OptionInfo")), False, None),
    ],
    "OptionInfo": [(1, "valueTypes", "enum", True, None)],
    "InitRequest": [
        (1, "options", ("message", "Option"), True, None),
        (2, "taskID", "string", False, None),
        (3, "nodeID", "string", False, None),
    ],
    "Option": [(1, "name", "string", False, None), (2, "values", ("message", "OptionValue"), True, None)],
    "OptionValue": [
        (1, "type", "enum", False, None),
        (2, "boolValue", "bool", False, "value"),
        (3, "intValue", "int64", False, "value"),
        (4, "doubleValue", "double", False, "value"),
        (5, "stringValue", "string", False, "value"),
        (6, "durationValue", "int64", False, "value"),
    ],
    "InitResponse": [(1, "success", "bool", False, None), (2, "error", "string", False, None)],
    "SnapshotRequest": [],
    "SnapshotResponse": [(1, "snapshot", "bytes", False, None)],
    "RestoreRequest": [(1, "snapshot", "bytes", False, None)],
    "RestoreResponse": [(1, "success", "bool", False, None), (2, "error", "string", False, None)],
    "KeepaliveRequest": [(1, "time", "int64", False, None)],
    "KeepaliveResponse": [(1, "time", "int64", False, None)],
    "ErrorResponse": [(1, "error", "string", False, None)],
    "BeginBatch": [
        (1, "name", "string", False, None),
        (2, "group", "string", False, None),
        (3, "tags", _STRING_MAP, False, None),
        (4, "size", "int64", False, None),
        (5, "byName", "bool", False, None),
    ],
    "Point": [
        (1, "time", "int64", False, None),
        (2, "name", "string", False, None),
        (3, "database", "string", False, None),
        (4, "retentionPolicy", "string", False, None),
        (5, "group", "string", False, None),
        (6, "dimensions", "string", True, None),
        (7, "tags", _STRING_MAP, False, None),
        (8, "fieldsDouble", ("map", "string", "double"), False, None),
        (9, "fieldsInt", ("map", "string", "int64"), False, None),
        (10, "fieldsString", _STRING_MAP, False, None),
        (11, "byName", "bool", False, None),
        (12, "fieldsBool", ("map", "string", "bool"), False, None),
    ],
    "EndBatch": [
        (1, "name", "string", False, None),
        (2, "group", "string", False, None),
        (3, "tmax", "int64", False, None),
        (4, "tags", _STRING_MAP, False, None),
        (5, "byName", "bool", False, None),
    ],
    "Request": [
        (1, "info", ("message", "InfoRequest"), False, "message"),
        (2, "init", ("message", "InitRequest"), False, "message"),
        (3, "keepalive", ("message", "KeepaliveRequest"), False, "message"),
        (4, "snapshot", ("message", "SnapshotRequest"), False, "message"),
        (5, "restore", ("message", "RestoreRequest"), False, "message"),
        (16, "begin", ("message", "BeginBatch"), False, "message"),
        (17, "point", ("message", "Point"), False, "message"),
        (18, "end", ("message", "EndBatch"), False, "message"),
    ],
    "Response": [
        (1, "info", ("message", "InfoResponse"), False, "message"),
        (2, "init", ("message", "InitResponse"), False, "message"),
        (3, "keepalive", ("message", "KeepaliveResponse"), False, "message"),
        (4, "snapshot", ("message", "SnapshotResponse"), False, "message"),
        (5, "restore", ("message", "RestoreResponse"), False, "message"),
        (6, "error", ("message", "ErrorResponse"), False, "message"),
        (16, "begin", ("message", "BeginBatch"), False, "message"),
        (17, "point", ("message", "Point"), False, "message"),
        (18, "end", ("message", "EndBatch"), False, "message"),
    ],
}

_BY_NAME = {message: {field[1]: field for field in fields} for message, fields in SCHEMA.items()}
_BY_NUMBER = {message: {field[0]: field for field in fields} for message, fields in SCHEMA.items()}

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5
_WIRE_TYPE = {"string": LENGTH, "bytes": LENGTH, "bool": VARINT, "int64": VARINT, "enum": VARINT, "double": FIXED64}
_DEFAULTS = {"string": "", "bytes": b"", "bool": False, "int64": 0, "enum": 0, "double": 0.0}
_MASK64 = (1 << 64) - 1
_DOUBLE = struct.Struct("<d")

# Kapacitor's Python agent reads at most a 32-bit length; a message larger than this is malformed.
MAX_MESSAGE_SIZE = (1 << 32) - 1


class WireError(ValueError):
    """Bytes that are not a message of udf.proto."""


# --------------------------------------------------------------------------- encoding


_ONE_BYTE = [bytes([value]) for value in range(0x80)]


def uvarint(value: int) -> bytes:
    if 0 <= value < 0x80:
        return _ONE_BYTE[value]  # most tags and lengths: no loop
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return uvarint(number << 3 | wire_type)


def _scalar(kind: str, value: Any) -> bytes:
    if kind == "string":
        data = value.encode("utf-8")
        return uvarint(len(data)) + data
    if kind == "bytes":
        return uvarint(len(value)) + bytes(value)
    if kind == "double":
        return _DOUBLE.pack(value)
    return uvarint(int(value) & _MASK64)  # int64, enum, bool: negative numbers take ten bytes


def _length_delimited(data: bytes) -> bytes:
    return uvarint(len(data)) + data


def _value(kind: Any, value: Any) -> bytes:
    if isinstance(kind, tuple):
        return _length_delimited(encode(kind[1], value))
    return _scalar(kind, value)


def _wire_type(kind: Any) -> int:
    return LENGTH if isinstance(kind, tuple) else _WIRE_TYPE[kind]


def encode(message: str, values: dict) -> bytes:
    """The protobuf bytes of `values` as udf.proto's `message`."""
    unknown = set(values) - _BY_NAME[message].keys()
    if unknown:
        raise WireError(f"{message} has no field {sorted(unknown)[0]}")
    out = []
    for number, name, kind, repeated, oneof in SCHEMA[message]:  # in field-number order
        if name not in values:
            continue
        value = values[name]
        if isinstance(kind, tuple) and kind[0] == "map":
            for key, item in value.items():
                entry = _key(1, _wire_type(kind[1])) + _value(kind[1], key)
                entry += _key(2, _wire_type(kind[2])) + _value(kind[2], item)
                out.append(_key(number, LENGTH) + _length_delimited(entry))
        elif repeated:
            if not isinstance(kind, tuple) and _wire_type(kind) != LENGTH:
                if value:  # packed, proto3's default for numbers
                    out.append(_key(number, LENGTH) + _length_delimited(b"".join(_scalar(kind, v) for v in value)))
            else:
                out.extend(_key(number, LENGTH) + _value(kind, item) for item in value)
        elif oneof is not None or isinstance(kind, tuple) or value != _DEFAULTS[kind]:
            out.append(_key(number, _wire_type(kind)) + _value(kind, value))
    return b"".join(out)


def frame(message: str, values: dict) -> bytes:
    """The message with its uvarint length before it, as it goes on the wire."""
    return _length_delimited(encode(message, values))


# --------------------------------------------------------------------------- decoding


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    if pos < len(data) and data[pos] < 0x80:
        return data[pos], pos + 1  # most tags and lengths: one byte
    result = shift = 0
    while True:
        if pos >= len(data):
            raise WireError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result & _MASK64, pos
        shift += 7
        if shift >= 70:
            raise WireError("varint longer than ten bytes")


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _decode_scalar(kind: str, wire_type: int, data: bytes, pos: int) -> tuple[Any, int]:
    expected = _WIRE_TYPE[kind]
    if wire_type != expected:
        raise WireError(f"{kind} field with wire type {wire_type}")
    if kind == "double":
        if pos + 8 > len(data):
            raise WireError("truncated double")
        return _DOUBLE.unpack_from(data, pos)[0], pos + 8
    if expected == VARINT:
        raw, pos = _read_varint(data, pos)
        if kind == "bool":
            return raw != 0, pos
        if kind == "enum":
            return _signed(raw) if raw < 1 << 32 or raw >= 1 << 63 else raw & 0xFFFFFFFF, pos
        return _signed(raw), pos
    chunk, pos = _read_chunk(data, pos)
    if kind == "string":
        try:
            return chunk.decode("utf-8"), pos
        except UnicodeDecodeError:
            raise WireError("a string field that is not UTF-8") from None
    return chunk, pos


def _read_chunk(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = _read_varint(data, pos)
    end = pos + length
    if end > len(data):
        raise WireError(f"a field of {length} bytes runs past the end of its message")
    return data[pos:end], end


def _skip(wire_type: int, data: bytes, pos: int) -> int:
    if wire_type == VARINT:
        return _read_varint(data, pos)[1]
    if wire_type == FIXED64:
        pos += 8
    elif wire_type == FIXED32:
        pos += 4
    elif wire_type == LENGTH:
        return _read_chunk(data, pos)[1]
    else:
        raise WireError(f"wire type {wire_type} (groups are not part of proto3)")
    if pos > len(data):
        raise WireError("truncated field")
    return pos


def _decode_value(kind: Any, wire_type: int, data: bytes, pos: int) -> tuple[Any, int]:
    if isinstance(kind, tuple):
        if wire_type != LENGTH:
            raise WireError(f"a message field with wire type {wire_type}")
        chunk, pos = _read_chunk(data, pos)
        return decode(kind[1], chunk), pos
    return _decode_scalar(kind, wire_type, data, pos)


def _decode_entry(kind: tuple, chunk: bytes) -> tuple[Any, Any]:
    key_kind, value_kind = kind[1], kind[2]
    key: Any = _DEFAULTS[key_kind]
    value: Any = {} if isinstance(value_kind, tuple) else _DEFAULTS[value_kind]
    pos = 0
    while pos < len(chunk):
        tag, pos = _read_varint(chunk, pos)
        number, wire_type = tag >> 3, tag & 7
        if number == 1:
            key, pos = _decode_value(key_kind, wire_type, chunk, pos)
        elif number == 2:
            value, pos = _decode_value(value_kind, wire_type, chunk, pos)
        else:
            pos = _skip(wire_type, chunk, pos)
    return key, value


def decode(message: str, data: bytes) -> dict:
    """The fields of udf.proto's `message` present in `data`; WireError for anything else."""
    fields = _BY_NUMBER[message]
    values: dict[str, Any] = {}
    pos = 0
    while pos < len(data):
        tag, pos = _read_varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if number == 0:
            raise WireError("field number 0")
        field = fields.get(number)
        if field is None:
            pos = _skip(wire_type, data, pos)
            continue
        _, name, kind, repeated, oneof = field
        if isinstance(kind, tuple) and kind[0] == "map":
            if wire_type != LENGTH:
                raise WireError(f"map field {name} with wire type {wire_type}")
            chunk, pos = _read_chunk(data, pos)
            key, value = _decode_entry(kind, chunk)
            values.setdefault(name, {})[key] = value
        elif repeated:
            items = values.setdefault(name, [])
            if wire_type == LENGTH and not isinstance(kind, tuple) and _WIRE_TYPE[kind] != LENGTH:
                chunk, pos = _read_chunk(data, pos)  # packed numbers
                inner = 0
                while inner < len(chunk):
                    item, inner = _decode_scalar(kind, _WIRE_TYPE[kind], chunk, inner)
                    items.append(item)
            else:
                item, pos = _decode_value(kind, wire_type, data, pos)
                items.append(item)
        else:
            if oneof is not None:  # the last member of a oneof on the wire wins
                for other in [n for n, f in _BY_NAME[message].items() if f[4] == oneof and n != name]:
                    values.pop(other, None)
            value, pos = _decode_value(kind, wire_type, data, pos)
            if isinstance(kind, tuple) and name in values:
                value = {**values[name], **value}  # a message field seen twice is merged
            values[name] = value
    return values


def which(values: dict) -> str | None:
    """The member of a Request's or Response's oneof that is set."""
    return next(iter(values), None)


class FrameReader:
    """Splits a byte stream into messages: feed() bytes as they come, then take the complete
    frames with frames()."""

    def __init__(self, message: str = "Response"):
        self.message = message
        self.buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def frames(self) -> list[dict]:
        """The messages complete so far, decoded; WireError for bytes that cannot be one."""
        out = []
        buffer = self.buffer
        pos = 0
        while pos < len(buffer):
            length = shift = 0
            cursor = pos
            complete = False
            while cursor < len(buffer):
                byte = buffer[cursor]
                cursor += 1
                length |= (byte & 0x7F) << shift
                if not byte & 0x80:
                    complete = True
                    break
                shift += 7
                if shift >= 35:
                    raise WireError("a message length longer than five bytes")
            if not complete:
                break  # the length itself is not all here yet
            if length > MAX_MESSAGE_SIZE:
                raise WireError(f"a message of {length} bytes")
            if cursor + length > len(buffer):
                break
            out.append(decode(self.message, bytes(buffer[cursor:cursor + length])))
            pos = cursor + length
        del buffer[:pos]
        return out

    @property
    def pending(self) -> int:
        """Bytes of a message not complete yet."""
        return len(self.buffer)


__all__ = [
    "BATCH",
    "BOOL",
    "DOUBLE",
    "DURATION",
    "EDGE_NAMES",
    "INT",
    "STREAM",
    "STRING",
    "VALUE_FIELDS",
    "VALUE_TYPE_NAMES",
    "FrameReader",
    "WireError",
    "decode",
    "encode",
    "frame",
    "uvarint",
    "which",
]

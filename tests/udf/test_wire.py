"""tickpy's udf.proto codec against Google's protobuf runtime with Kapacitor's generated udf_pb2:
what one encodes the other decodes to the same message, both ways; and bytes that are not a
message are refused."""

from __future__ import annotations

import base64
import importlib.util
import math

import pytest

from tickpy.runtime.udf import wire


@pytest.fixture(scope="module")
def udf_pb2(kapacitor_agents):
    spec = importlib.util.spec_from_file_location("kapacitor_udf_pb2", kapacitor_agents / "kapacitor" / "udf" / "udf_pb2.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REQUESTS = [
    {"info": {}},
    {"init": {"taskID": "t", "nodeID": "customFunc4", "options": [
        {"name": "opt1", "values": [{"type": wire.STRING, "stringValue": "count"}]},
        {"name": "opt2", "values": [
            {"type": wire.BOOL, "boolValue": False}, {"type": wire.INT, "intValue": -1},
            {"type": wire.DOUBLE, "doubleValue": 1.0}, {"type": wire.STRING, "stringValue": "é\u2028"},
            {"type": wire.DURATION, "durationValue": 10**9}]}]}},
    {"keepalive": {"time": 1_700_000_000_123_456_789}},
    {"snapshot": {}},
    {"restore": {"snapshot": b"\x00\xffstate"}},
    {"point": {"time": -5, "name": "cpu", "database": "db", "retentionPolicy": "rp", "group": "host=a",
               "dimensions": ["host", "cpu"], "tags": {"host": "a", "cpu": "x"}, "fieldsDouble": {"v": -0.5, "n": 1e300},
               "fieldsInt": {"i": -(2**63)}, "fieldsString": {"s": ""}, "fieldsBool": {"b": False}, "byName": True}},
    {"begin": {"name": "cpu", "group": "g", "tags": {"a": "b"}, "size": 3, "byName": True}},
    {"end": {"name": "cpu", "group": "g", "tmax": 2**62, "tags": {"a": "b"}, "byName": True}},
]
RESPONSES = [
    {"info": {"wants": wire.BATCH, "options": {"field": {"valueTypes": [wire.STRING]},
                                               "range": {"valueTypes": [wire.DOUBLE, wire.DURATION, wire.BOOL]}}}},
    {"info": {"provides": wire.BATCH}},
    {"init": {"success": True}},
    {"init": {"error": "must supply field name"}},
    {"keepalive": {"time": 7}},
    {"snapshot": {"snapshot": b"{}"}},
    {"restore": {"success": True, "error": ""}},
    {"error": {"error": "error processing request of type point: boom"}},
    {"point": {"time": 1, "fieldsDouble": {"avg": 2.5}}},
]


def _json(values):
    """A codec dict as protobuf's json_format reads it (bytes in base64)."""
    if isinstance(values, dict):
        return {k: _json(v) for k, v in values.items()}
    if isinstance(values, list):
        return [_json(v) for v in values]
    if isinstance(values, bytes):
        return base64.b64encode(values).decode()
    return values


def _without_defaults(values, message):
    """The message as tickpy decodes it: proto3 scalars with their default value are not on the wire."""
    out = {}
    for name, value in values.items():
        number, _, kind, repeated, oneof = wire._BY_NAME[message][name]
        if isinstance(kind, tuple) and kind[0] == "message":
            out[name] = [_without_defaults(v, kind[1]) for v in value] if repeated else _without_defaults(value, kind[1])
        elif oneof is None and not repeated and not isinstance(kind, tuple) and value == wire._DEFAULTS[kind]:
            continue
        elif isinstance(kind, tuple) and kind[0] == "map" and isinstance(kind[2], tuple):
            out[name] = {k: _without_defaults(v, kind[2][1]) for k, v in value.items()}
        else:
            out[name] = value
    return out


@pytest.mark.parametrize(("message", "values"), [("Request", r) for r in REQUESTS] + [("Response", r) for r in RESPONSES])
def test_both_ways_with_protobuf(message, values, udf_pb2):
    from google.protobuf import json_format

    theirs = json_format.ParseDict(_json(values), getattr(udf_pb2, message)())
    # ours -> protobuf
    parsed = getattr(udf_pb2, message)()
    parsed.ParseFromString(wire.encode(message, values))
    assert parsed == theirs
    # protobuf -> ours
    assert wire.decode(message, theirs.SerializeToString()) == _without_defaults(values, message)


def test_packed_and_unpacked_repeated_enums_both_read():
    packed = wire.encode("OptionInfo", {"valueTypes": [wire.INT, wire.STRING]})
    unpacked = b"\x08\x01\x08\x03"
    assert wire.decode("OptionInfo", packed) == wire.decode("OptionInfo", unpacked) == {"valueTypes": [1, 3]}


def test_unknown_fields_are_skipped():
    data = wire.encode("KeepaliveResponse", {"time": 5}) + b"\x7a\x02hi" + b"\x15\x00\x00\x00\x00"  # fields 15, 2
    assert wire.decode("KeepaliveResponse", data) == {"time": 5}


def test_double_special_values_round_trip():
    got = wire.decode("Point", wire.encode("Point", {"fieldsDouble": {"n": math.inf, "m": -0.0}}))
    assert got["fieldsDouble"]["n"] == math.inf and math.copysign(1, got["fieldsDouble"]["m"]) == -1


@pytest.mark.parametrize(("data", "problem"), [
    (b"\x12\x05ab", "runs past the end"),
    (b"\x08\x05\x12\x01", "runs past the end"),
    (b"\x0a\x01a", "int64 field with wire type 2"),
    (b"\x08", "truncated varint"),
    (b"\x08" + b"\xff" * 11, "longer than ten bytes"),
    (b"\x12\x02\xff\xfe", "not UTF-8"),
    (b"\x00", "field number 0"),
    (b"\x0b", "wire type 3"),
    (b"\x79abc", "truncated"),
])
def test_malformed_bytes_are_refused(data, problem):
    with pytest.raises(wire.WireError, match=problem):
        wire.decode("Point", data)


def test_frames_split_anywhere():
    stream = b"".join(wire.frame("Response", r) for r in RESPONSES)
    reader = wire.FrameReader()
    got = []
    for byte in stream:
        reader.feed(bytes([byte]))
        got += reader.frames()
    assert got == [_without_defaults(r, "Response") for r in RESPONSES]
    assert reader.pending == 0


def test_frame_length_is_a_uvarint():
    big = {"snapshot": {"snapshot": b"x" * 300}}
    body = wire.encode("Response", big)
    assert wire.frame("Response", big) == wire.uvarint(len(body)) + body
    assert wire.uvarint(300) == b"\xac\x02"  # protobuf's documented example

"""Go encoding/json output, checked against bytes Kapacitor wrote and Go's documented rules."""

from __future__ import annotations

import json

import pytest

from tests.conformance.conftest import conformance_dir
from tickpy.golang.gojson import (
    GoJSONError,
    RawJSON,
    Struct,
    dumps,
    dumps_bytes,
    encoder_encode,
    format_json_float,
)
from tickpy.golang.gotime import format_time_go_string, format_time_rfc3339nano
from tickpy.lang.values import Duration, Time


def _wire_strings():
    base = conformance_dir()
    if base is None or not (base / "alerts").is_dir():
        return []
    wires = []
    for expected in sorted((base / "alerts").glob("*/expected.json")):
        data = json.loads(expected.read_text())
        for wire in data.get("alerts_wire") or []:
            wires.append(pytest.param(wire, id=f"{expected.parent.name}-{len(wires)}"))
    return wires


@pytest.mark.parametrize("wire", _wire_strings())
def test_reencoding_kapacitor_alert_wire_gives_same_bytes(wire):
    # Objects keep the order Kapacitor wrote (struct order); re-encoding must be byte-identical.
    decoded = json.loads(wire, object_pairs_hook=Struct)
    assert dumps(decoded) == wire


def test_alert_struct_keys_in_struct_order_and_map_keys_sorted():
    series = Struct.omitting_empty(
        [("name", "cpu"), ("tags", {"z": "1", "a": "2"}), ("columns", ["time", "v"]), ("values", [])],
        omitempty={"name", "tags", "columns", "values"},
    )
    event = Struct(id="x", level="OK", data={"series": [series]})
    assert dumps(event) == '{"id":"x","level":"OK","data":{"series":[{"name":"cpu","tags":{"a":"2","z":"1"},"columns":["time","v"]}]}}'


@pytest.mark.parametrize(
    "value, text",
    [
        (100.0, "100"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1234567.0, "1234567"),
        (1e-7, "1e-7"),
        (1.25e-7, "1.25e-7"),
        (1e-6, "0.000001"),
        (1e21, "1e+21"),
        (1.5e21, "1.5e+21"),
        (1e20, "100000000000000000000"),
        (-0.0, "-0"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1e-100, "1e-100"),
    ],
)
def test_floats_follow_go_es6_rule(value, text):
    assert format_json_float(value) == text
    assert dumps([value]) == f"[{text}]"


@pytest.mark.parametrize("value, message", [(float("nan"), "NaN"), (float("inf"), "+Inf"), (float("-inf"), "-Inf")])
def test_non_finite_floats_are_unsupported(value, message):
    with pytest.raises(GoJSONError, match=f"json: unsupported value: {message.replace('+', '[+]')}"):
        dumps({"v": value})


@pytest.mark.parametrize(
    "text, encoded",
    [
        ("<b>&</b>", r'"\u003cb\u003e\u0026\u003c/b\u003e"'),
        ('q"b\\', r'"q\"b\\"'),
        ("\n\r\t\b\f", r'"\n\r\t\b\f"'),
        ("\x00\x1f\x7f", '"\\u0000\\u001f\x7f"'),
        ("a\u2028b\u2029", r'"a\u2028b\u2029"'),
        ("héllo ✓", '"héllo ✓"'),
    ],
)
def test_strings_escaped_like_go(text, encoded):
    assert dumps(text) == encoded


def test_invalid_utf8_becomes_replacement_character_per_byte():
    text = b"a\xff\xfeb".decode("utf-8", errors="surrogateescape")
    assert dumps(text) == r'"a\ufffd\ufffdb"'
    assert dumps_bytes(text) == rb'"a\ufffd\ufffdb"'


def test_scalars_lists_and_special_values():
    assert dumps([None, True, False, -9223372036854775808, "", [], {}]) == '[null,true,false,-9223372036854775808,"",[],{}]'
    assert dumps({"t": Time(1709300730500000000), "d": Duration(90_000_000_000)}) == '{"d":90000000000,"t":"2024-03-01T13:45:30.5Z"}'
    assert dumps(Struct(raw=RawJSON('{"a":1}'))) == '{"raw":{"a":1}}'
    assert dumps(b"hi") == '"aGk="'
    assert encoder_encode({"a": 1}) == '{"a":1}\n'


@pytest.mark.parametrize(
    "ns, rfc, go",
    [
        (0, "1970-01-01T00:00:00Z", "1970-01-01 00:00:00 +0000 UTC"),
        (10_500_000_000, "1970-01-01T00:00:10.5Z", "1970-01-01 00:00:10.5 +0000 UTC"),
        (-1, "1969-12-31T23:59:59.999999999Z", "1969-12-31 23:59:59.999999999 +0000 UTC"),
        (1709300730123456789, "2024-03-01T13:45:30.123456789Z", "2024-03-01 13:45:30.123456789 +0000 UTC"),
        (-9223372036854775808, "1677-09-21T00:12:43.145224192Z", "1677-09-21 00:12:43.145224192 +0000 UTC"),
        (9223372036854775807, "2262-04-11T23:47:16.854775807Z", "2262-04-11 23:47:16.854775807 +0000 UTC"),
    ],
)
def test_time_formats(ns, rfc, go):
    assert format_time_rfc3339nano(ns) == rfc
    assert format_time_go_string(ns) == go

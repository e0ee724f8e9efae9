"""gotime against Go's own expectations (time_test.go's parseDurationTests, Format's layouts)."""

from __future__ import annotations

import random

import pytest

from tickpy.golang.gotime import RFC3339_NANO, format_time, format_time_rfc3339nano, parse_go_duration

MINUTE = 60 * 10**9
SECOND = 10**9


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("1.004s", 1004 * 10**6), (".5s", SECOND // 2), ("1.s", SECOND), ("-0", 0), ("+5s", 5 * SECOND),
        ("52763797000ns", 52763797000),
        ("0.3333333333333333333h", 20 * MINUTE),  # more than 9 digits after the point
        ("9007199254740993ns", (1 << 53) + 1),  # not exact as a float64
        ("9223372036854775807ns", (1 << 63) - 1),
        ("9223372036854775.807us", (1 << 63) - 1),
        ("9223372036s854ms775us807ns", (1 << 63) - 1),
        ("-9223372036854775808ns", -(1 << 63)),
        ("-2562047h47m16.854775808s", -(1 << 63)),
        ("0.100000000000000000000h", 6 * MINUTE),
        ("0.830103483285477580700h", 49 * MINUTE + 48 * SECOND + 372539827),  # leadingFraction's overflow check
    ],
)
def test_parse_duration_as_go_tests_it(text, nanoseconds):
    assert parse_go_duration(text) == nanoseconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'), ("3", 'time: missing unit in duration "3"'),
        (".s", 'time: invalid duration ".s"'), ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
        ("3000000h", 'time: invalid duration "3000000h"'),
        ("1\u00b5x", 'time: unknown unit "\\xc2\\xb5x" in duration "1\\xc2\\xb5x"'),  # time's own quote()
    ],
)
def test_parse_duration_errors_are_gos(text, message):
    with pytest.raises(ValueError) as raised:
        parse_go_duration(text)
    assert str(raised.value) == message


def test_rfc3339nano_is_format_with_that_layout():
    """format_time_rfc3339nano is Time.Format(RFC3339Nano) without the layout walk: same text."""
    rs = random.Random(7)
    times = [rs.randint(-(1 << 63), (1 << 63) - 1) for _ in range(2000)] + [0, -1, 1, 10**9, -62135596800 * 10**9]
    for ns in times:
        assert format_time_rfc3339nano(ns) == format_time(ns, RFC3339_NANO)
    assert format_time_rfc3339nano(1704067200 * 10**9 + 500) == "2024-01-01T00:00:00.0000005Z"


@pytest.mark.parametrize(
    "text",
    ["2015-10-30T17:14:12Z", "1971-01-01T00:00:00.5Z", "2024-02-29T23:59:59.123456789+02:00",
     "1969-12-31T23:59:59-05:30", "0001-01-01T00:00:00Z"],
)
def test_parse_time_rfc3339_agrees_with_datetime(text):
    import datetime

    from tickpy.golang.gotime import parse_time_rfc3339

    body, _, fraction = text.partition(".")
    digits = fraction.rstrip("Z").split("+")[0].split("-")[0] if fraction else ""
    zone = text[len(body) + (len(digits) + 1 if digits else 0):]
    parsed = datetime.datetime.fromisoformat(body + zone.replace("Z", "+00:00"))
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    expected = (parsed - epoch) // datetime.timedelta(microseconds=1) * 1000 + int((digits or "0").ljust(9, "0"))
    assert parse_time_rfc3339(text) == expected


@pytest.mark.parametrize("text", ["2015-10-30 17:14:12Z", "2015-13-01T00:00:00Z", "2015-02-29T00:00:00Z",
                                  "2015-10-30T17:14:12", "2015-10-30T24:00:00Z"])
def test_parse_time_rfc3339_refuses_what_go_refuses(text):
    from tickpy.golang.gotime import parse_time_rfc3339

    with pytest.raises(ValueError):
        parse_time_rfc3339(text)


def test_decode_stream_reads_values_one_after_another():
    from tickpy.golang.gojson import decode_stream

    assert list(decode_stream('{"a":1}{"b":[2.5,"x"]}\n\n  {"c":null} 7')) == [{"a": 1.0}, {"b": [2.5, "x"]},
                                                                             {"c": None}, 7.0]
    with pytest.raises(ValueError, match="line 2"):
        list(decode_stream('{"a":1}\n{x'))

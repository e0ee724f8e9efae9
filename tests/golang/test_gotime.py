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

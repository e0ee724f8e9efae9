"""Go's math special cases and Go's number/duration spellings, as Go documents them."""

from __future__ import annotations

import math

import pytest

from tickpy.golang import goalgorithms, gobessel, gomath
from tickpy.golang.goformat import format_float_f, format_float_v, go_quote, parse_float, parse_int
from tickpy.golang.gotime import format_go_duration, format_influx_duration, parse_influx_duration
from tickpy.golang.gotypes import float_to_int64, float_to_uint64

INF = math.inf
NAN = math.nan
PI = math.pi


def same(a: float, b: float) -> bool:
    if a != a or b != b:
        return a != a and b != b
    return a == b and math.copysign(1, a) == math.copysign(1, b)


# Go's documented special cases for Atan2, in order (math/atan2.go).
@pytest.mark.parametrize(
    ("y", "x", "expected"),
    [
        (1.0, NAN, NAN),
        (NAN, 1.0, NAN),
        (0.0, 1.0, 0.0),
        (-0.0, 1.0, -0.0),
        (0.0, -1.0, PI),
        (-0.0, -1.0, -PI),
        (1.0, 0.0, PI / 2),
        (-1.0, 0.0, -PI / 2),
        (INF, INF, PI / 4),
        (-INF, INF, -PI / 4),
        (INF, -INF, 3 * PI / 4),
        (-INF, -INF, -3 * PI / 4),
        (1.0, INF, 0.0),
        (1.0, -INF, PI),
        (-1.0, -INF, -PI),
        (INF, 1.0, PI / 2),
        (-INF, 1.0, -PI / 2),
    ],
)
def test_atan2_special_cases(y, x, expected):
    assert same(goalgorithms.atan2(y, x), expected)


# Go's documented special cases for Pow (math/pow.go).
@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (NAN, 0.0, 1.0),
        (1.0, NAN, 1.0),
        (2.0, 1.0, 2.0),
        (NAN, 2.0, NAN),
        (2.0, NAN, NAN),
        (0.0, -3.0, INF),
        (-0.0, -3.0, -INF),
        (0.0, -INF, INF),
        (0.0, INF, 0.0),
        (0.0, -2.0, INF),
        (-0.0, 3.0, -0.0),
        (0.0, 2.0, 0.0),
        (-1.0, INF, 1.0),
        (2.0, INF, INF),
        (2.0, -INF, 0.0),
        (0.5, INF, 0.0),
        (0.5, -INF, INF),
        (INF, 2.0, INF),
        (INF, -2.0, 0.0),
        (-INF, 3.0, -INF),
        (-2.0, 0.5, NAN),
        (2.0, 10.0, 1024.0),
    ],
)
def test_pow_special_cases(x, y, expected):
    assert same(goalgorithms.pow(x, y), expected)


@pytest.mark.parametrize(
    ("function", "argument", "expected"),
    [
        (gomath.go_sqrt, -1.5, NAN),
        (goalgorithms.log, 0.0, -INF),
        (goalgorithms.log, -1.0, NAN),
        (goalgorithms.acos, 2.5, NAN),
        (goalgorithms.gamma, 0.0, INF),
        (goalgorithms.gamma, -0.0, -INF),
        (goalgorithms.gamma, -2.0, NAN),
        (goalgorithms.gamma, -INF, NAN),
        (goalgorithms.gamma, 5.0, 24.0),
        (goalgorithms.exp, 0.0, 1.0),
        (goalgorithms.exp, -INF, 0.0),
        (goalgorithms.exp, 1000.0, INF),
        (goalgorithms.log2, 8.0, 3.0),
        (goalgorithms.cbrt, 27.0, 3.0),
        (goalgorithms.sin, -0.0, -0.0),
        (goalgorithms.sin, INF, NAN),
        (goalgorithms.tanh, INF, 1.0),
        (goalgorithms.atanh, 1.0, INF),
        (goalgorithms.logb, 8.0, 3.0),
        (goalgorithms.logb, 0.0, -INF),
        (gobessel.j0, 0.0, 1.0),
        (gobessel.j1, 0.0, 0.0),
        (gobessel.y0, 0.0, -INF),
        (gobessel.y1, -1.0, NAN),
    ],
)
def test_math_special_cases(function, argument, expected):
    assert same(function(argument), expected)


def test_two_argument_special_cases():
    assert same(gomath.go_mod(1.0, 0.0), NAN)
    assert same(gomath.go_max(-0.0, 0.0), 0.0)
    assert same(gomath.go_min(-0.0, 0.0), -0.0)
    assert same(goalgorithms.hypot(3.0, 4.0), 5.0)
    assert same(goalgorithms.hypot(INF, NAN), INF)
    assert same(gobessel.jn(2, 0.0), 0.0)
    assert same(gobessel.yn(-1, 0.0), INF)  # odd negative order
    assert same(gobessel.yn(2, 0.0), -INF)
    assert gomath.go_pow10(2) == 100.0 and gomath.go_pow10(400) == INF and gomath.go_pow10(-400) == 0.0


def test_large_arguments_use_payne_hanek_reduction():
    # sin(x) for x = 2**60 reduced exactly, then evaluated on the small remainder
    value = goalgorithms.sin(float(1 << 60))
    assert -1.0 <= value <= 1.0
    assert same(goalgorithms.sin(-float(1 << 60)), -value)


def test_conversions_out_of_range_give_go_amd64_results():
    assert float_to_int64(NAN) == -(1 << 63)
    assert float_to_int64(1e300) == -(1 << 63)
    assert float_to_int64(-2.9) == -2
    assert float_to_uint64(-1.0) == (1 << 64) - 1


# Go's own examples for time.Duration.String (time/time_test.go).
@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [
        (0, "0s"),
        (1, "1ns"),
        (1100, "1.1µs"),
        (2_200_000, "2.2ms"),
        (3_300_000_000, "3.3s"),
        (245_000_000_000, "4m5s"),
        (245_001_000_000, "4m5.001s"),
        (18_367_001_000_000, "5h6m7.001s"),
        (480_000_000_001, "8m0.000000001s"),
        ((1 << 63) - 1, "2562047h47m16.854775807s"),
        (-(1 << 63), "-2562047h47m16.854775808s"),
    ],
)
def test_go_duration_string(nanoseconds, text):
    assert format_go_duration(nanoseconds) == text


@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [(0, "0s"), (90_000_000_000, "90s"), (604_800_000_000_000, "1w"), (1_500_000, "1500u"), (86_400_000_000_000, "1d"), (-60_000_000_000, "-1m"), (7, "7ns")],
)
def test_influxql_duration_text_round_trips(nanoseconds, text):
    assert format_influx_duration(nanoseconds) == text
    assert parse_influx_duration(text) == nanoseconds


@pytest.mark.parametrize(
    ("value", "v_text", "f_text"),
    [
        (1.0, "1", "1"),
        (2.5, "2.5", "2.5"),
        (1e6, "1e+06", "1000000"),
        (123456.0, "123456", "123456"),
        (0.0001, "0.0001", "0.0001"),
        (0.00001, "1e-05", "0.00001"),
        (1e21, "1e+21", "1000000000000000000000"),
        (-0.0, "-0", "-0"),
        (INF, "+Inf", "+Inf"),
        (NAN, "NaN", "NaN"),
    ],
)
def test_go_float_spellings(value, v_text, f_text):
    assert format_float_v(value) == v_text
    assert format_float_f(value) == f_text


def test_strconv_parsers():
    assert parse_int("-42") == -42
    with pytest.raises(ValueError, match=r'strconv.ParseInt: parsing "1.5": invalid syntax'):
        parse_int("1.5")
    with pytest.raises(ValueError, match="value out of range"):
        parse_int("9223372036854775808")
    # ParseUint's loop stops at the digit that overflows, before it sees the bad one
    with pytest.raises(ValueError, match="value out of range"):
        parse_int("99999999999999999999x")
    assert parse_int("-9223372036854775808") == -(1 << 63)
    assert parse_int("0x_1F", 0) == 31 and parse_int("017", 0) == 15  # base 0: prefixes and '_'
    with pytest.raises(ValueError, match="invalid syntax"):
        parse_int("1_0")  # '_' only with base 0
    assert parse_float("0x1p-2") == 0.25
    assert parse_float("-Inf") == -INF
    with pytest.raises(ValueError, match=r'strconv.ParseFloat: parsing "": invalid syntax'):
        parse_float("")
    # Go 1.13+ takes '_' between digits (atof_test.go: "1_23.50_0_0e+1_2" is 1.235e+14), not
    # elsewhere, and only ASCII digits.
    assert parse_float("1_23.50_0_0e+1_2") == 1.235e14
    for text in ("_123.5e+12", "123_.5e+12", "1__23.5e+12", "0x1_.p0", "\u0661\u0662"):
        with pytest.raises(ValueError, match="invalid syntax"):
            parse_float(text)


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("a\"b\\c", '"a\\"b\\\\c"'),
        ("\x00\x1f\x7f", '"\\x00\\x1f\\x7f"'),  # ASCII controls are \x escapes
        ("\x85\u00a0", '"\\u0085\\u00a0"'),  # not printable above ASCII: \u
        ("é\U0001F600", '"é\U0001F600"'),  # printable runes stay as they are
        ("\U000e0001", '"\\U000e0001"'),
        # Raw bytes that were not valid UTF-8 (surrogate escapes): Go writes each byte \xXX.
        (b"\xc3".decode("utf-8", "surrogateescape"), '"\\xc3"'),
        (b"a\xe2\x82".decode("utf-8", "surrogateescape"), '"a\\xe2\\x82"'),
    ],
)
def test_go_quote_matches_strconv_quote(text, quoted):
    assert go_quote(text) == quoted


"""Go's spellings of numbers and durations, and Go's string-to-value parsers.

Kapacitor's messages and conversions print values the way Go's `fmt` and `strconv` do
(`%v` of 1.0 is "1", of 1e6 is "1e+06"; `time.Duration(90s)` prints "1m30s"; influxql
prints it "90s"), and parse text with `strconv` rules. These helpers reproduce exactly
those spellings and rules.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

from tickpy.golang.gotypes import INT64_MAX, INT64_MIN, Duration, Time, wrap_int64

_NANOSECOND = 1
_MICROSECOND = 1000
_MILLISECOND = 1000 * _MICROSECOND
_SECOND = 1000 * _MILLISECOND
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY
_SINGLE_LETTER_UNITS = {"u": _MICROSECOND, "µ": _MICROSECOND, "m": _MINUTE, "s": _SECOND, "h": _HOUR, "d": _DAY, "w": _WEEK}


class GoSyntaxError(ValueError):
    """strconv's ErrSyntax."""


class GoRangeError(ValueError):
    """strconv's ErrRange."""


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest round-tripping decimal digits of a finite non-zero |value| and the
    decimal point position (value = 0.DIGITS * 10**point)."""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0)
    if whole == "0" or not whole.strip("0"):
        # 0.000123 -> digits "123", point -3
        stripped = fraction.lstrip("0")
        point = -(len(fraction) - len(stripped)) + (int(exponent) if exponent else 0)
        digits = stripped
    digits = digits.rstrip("0") or "0"
    return digits, point


def _special_float(value: float) -> str | None:
    """How Go's float formatting writes NaN, the infinities and the zeros (the same for
    every verb that shows shortest digits); None for any other value."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    return None


def format_float_v(value: float) -> str:
    """Go's `%v` (strconv 'g', shortest) of a float64."""
    special = _special_float(value)
    if special is not None:
        return special
    sign = "-" if value < 0 else ""
    digits, point = _shortest_digits(value)
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp_sign = "-" if exponent < 0 else "+"
        return f"{sign}{mantissa}e{exp_sign}{abs(exponent):02d}"
    return sign + _fixed(digits, point)


def _fixed(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * (-point) + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def format_float_f(value: float) -> str:
    """Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent."""
    special = _special_float(value)
    if special is not None:
        return special
    sign = "-" if value < 0 else ""
    digits, point = _shortest_digits(value)
    return sign + _fixed(digits, point)


def _frac(value: int, precision: int) -> tuple[str, int]:
    """Go's fmtFrac: '.ddd' of value / 10**precision without trailing zeros."""
    scale = 10**precision
    whole, fraction = divmod(value, scale)
    if fraction == 0:
        return "", whole
    text = str(fraction).rjust(precision, "0").rstrip("0")
    return "." + text, whole


def format_go_duration(nanoseconds: int) -> str:
    """Go's `time.Duration.String()`: "1h30m0s", "1.5s", "2µs", "0s"."""
    if nanoseconds == 0:
        return "0s"
    negative = nanoseconds < 0
    magnitude = -nanoseconds if negative else nanoseconds
    if magnitude < _SECOND:
        if magnitude < _MICROSECOND:
            fraction, whole = _frac(magnitude, 0)
            text = f"{whole}{fraction}ns"
        elif magnitude < _MILLISECOND:
            fraction, whole = _frac(magnitude, 3)
            text = f"{whole}{fraction}µs"
        else:
            fraction, whole = _frac(magnitude, 6)
            text = f"{whole}{fraction}ms"
    else:
        fraction, seconds = _frac(magnitude, 9)
        text = f"{seconds % 60}{fraction}s"
        minutes = seconds // 60
        if minutes > 0:
            text = f"{minutes % 60}m" + text
            hours = minutes // 60
            if hours > 0:
                text = f"{hours}h" + text
    return ("-" if negative else "") + text


_INFLUX_UNITS = ((_WEEK, "w"), (_DAY, "d"), (_HOUR, "h"), (_MINUTE, "m"), (_SECOND, "s"), (_MILLISECOND, "ms"), (_MICROSECOND, "u"))


def _go_rem(a: int, b: int) -> int:
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def format_influx_duration(nanoseconds: int) -> str:
    """influxql.FormatDuration: the largest unit that divides the duration exactly."""
    if nanoseconds == 0:
        return "0s"
    for unit, suffix in _INFLUX_UNITS:
        if _go_rem(nanoseconds, unit) == 0:
            return f"{int(nanoseconds / unit) if abs(nanoseconds) < 2**53 else _go_div(nanoseconds, unit)}{suffix}"
    return f"{nanoseconds}ns"


def _go_div(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return -quotient if (a < 0) != (b < 0) else quotient


def parse_influx_duration(text: str) -> int:
    """influxql.ParseDuration: e.g. "1h30m", "-5s", "10u"; raises ValueError when invalid.

    Like Go, each term is added in wrapping int64 arithmetic and overflow is only noticed at
    the end, as a negative total without a leading "-".
    """
    if len(text) < 2:
        raise ValueError("invalid duration")
    position = 0
    negative = False
    if text[0] == "-":
        negative = True
        position = 1
    total = 0
    while position < len(text):
        start = position
        while position < len(text) and "0" <= text[position] <= "9":
            position += 1
        if position >= len(text) or position == start:
            raise ValueError("invalid duration")
        measure = int(text[start:position])
        if measure > INT64_MAX:
            raise ValueError("invalid duration")
        unit = text[position]
        if unit in "nm" and text[position + 1 : position + 2] == "s":
            factor = 1 if unit == "n" else _MILLISECOND
            position += 2
        else:
            factor = _SINGLE_LETTER_UNITS.get(unit)
            if factor is None:
                raise ValueError("invalid duration")
            position += 1
        total = wrap_int64(total + measure * factor)
    if total < 0 and not negative:
        raise ValueError("overflowed duration")
    return wrap_int64(-total) if negative else total


def go_quote(text: str) -> str:
    """Go's `%q` / strconv.Quote for a string.

    A raw byte that was not valid UTF-8 (kept as a surrogate escape, U+DC80..U+DCFF, e.g. from
    strSubstring cutting a character) is written `\\xXX`, as Go writes an invalid byte.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char == "\a":
            out.append("\\a")
        elif char == "\b":
            out.append("\\b")
        elif char == "\f":
            out.append("\\f")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char == "\v":
            out.append("\\v")
        elif is_go_printable(char):
            out.append(char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def is_go_printable(char: str) -> bool:
    """unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space."""
    return char == " " or unicodedata.category(char)[0] in "LMNPS"


def parse_int(text: str) -> int:
    """strconv.ParseInt(text, 10, 64)."""
    body = text
    if body[:1] in ("+", "-"):
        body = body[1:]
    if not body or not all("0" <= c <= "9" for c in body):
        raise GoSyntaxError(f"strconv.ParseInt: parsing {go_quote(text)}: invalid syntax")
    value = int(text)
    if value < INT64_MIN or value > INT64_MAX:
        raise GoRangeError(f"strconv.ParseInt: parsing {go_quote(text)}: value out of range")
    return value


_GO_DECIMAL_FLOAT = re.compile(r"[+-]?(?:\d+(?:_\d+)*\.?(?:\d+(?:_\d+)*)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?\Z")
_GO_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?\d+\Z")


def parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64)."""
    syntax = GoSyntaxError(f"strconv.ParseFloat: parsing {go_quote(text)}: invalid syntax")
    lowered = text.lower()
    body = lowered[1:] if lowered[:1] in ("+", "-") else lowered
    if body in ("inf", "infinity"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == "nan":
        return math.nan
    if _GO_HEX_FLOAT.match(text):
        if "_" in text:
            # Underscores are allowed only between digits after a base prefix.
            if "__" in text or text.rstrip("0123456789").endswith("_"):
                raise syntax
        value = float.fromhex(text.replace("_", ""))
    elif "_" not in text and _GO_DECIMAL_FLOAT.match(text):
        if not any(c.isdigit() for c in text.split("e")[0].split("E")[0]):
            raise syntax
        value = float(Decimal(text)) if len(text) > 30 else float(text)
    else:
        raise syntax
    if math.isinf(value):
        raise GoRangeError(f"strconv.ParseFloat: parsing {go_quote(text)}: value out of range")
    return value


_TRUE_WORDS = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE_WORDS = {"0", "f", "F", "FALSE", "false", "False"}


def parse_bool(text: str) -> bool:
    """strconv.ParseBool."""
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise GoSyntaxError(f"strconv.ParseBool: parsing {go_quote(text)}: invalid syntax")


def format_value_v(value: object) -> str:
    """Go's `%v` of a runtime value, for messages (a Stringer, such as a regex, prints its
    String())."""
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is float:
        return format_float_v(value)
    if type(value) is int:
        return str(value)
    if type(value) is Duration:
        return format_go_duration(value.nanoseconds)
    if type(value) is Time:
        return str(value.nanoseconds)
    if value is None:
        return "<nil>"
    return str(value)

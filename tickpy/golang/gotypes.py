"""Go's value types that Python has no exact equivalent for: time.Duration, time.Time and
fixed-width integer arithmetic (wrap-around, truncating division, float conversions as amd64
does them)."""

from __future__ import annotations

from dataclasses import dataclass

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class Duration:
    """A Go time.Duration: a signed int64 count of nanoseconds."""

    nanoseconds: int

    def __str__(self) -> str:
        # local: gotime imports this module
        from tickpy.golang.gotime import format_go_duration

        return format_go_duration(self.nanoseconds)


@dataclass(frozen=True, slots=True)
class Time:
    """A point in time, as nanoseconds since the Unix epoch, UTC.

    Usually an int64; the value may fall outside int64 for times Go can represent but
    UnixNano cannot (years 1 and 9999), which is why it is a Python int.
    """

    nanoseconds: int


# Go's `%T` of the Go values tickpy holds as Python values.
GO_TYPE_NAMES = {
    bool: "bool",
    int: "int64",
    float: "float64",
    str: "string",
    Duration: "time.Duration",
    Time: "time.Time",
    type(None): "<nil>",
}


def go_type_name(value: object) -> str:
    """Go's `%T` of a value (the Python type's name for a value Go would not hold)."""
    return GO_TYPE_NAMES.get(type(value), type(value).__name__)


def wrap_int64(value: int) -> int:
    """Two's-complement wrap-around of an int to int64, as Go's arithmetic does."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    return ((value + (1 << 63)) & 0xFFFFFFFFFFFFFFFF) - (1 << 63)


def wrap_int(value: int, bits: int, signed: bool) -> int:
    """Go's conversion to an intN or uintN type: the low `bits` bits, two's complement if signed."""
    value &= (1 << bits) - 1
    if signed and value >= 1 << (bits - 1):
        value -= 1 << bits
    return value


def int64_div(numerator: int, denominator: int) -> int:
    """Go's int64 `/` (the divisor is not zero): truncates toward zero; MinInt64 / -1 wraps."""
    quotient = abs(numerator) // abs(denominator)
    if (numerator < 0) != (denominator < 0):
        quotient = -quotient
    return wrap_int64(quotient)


def int64_rem(numerator: int, denominator: int) -> int:
    """Go's int64 `%` (the divisor is not zero): the sign follows the dividend."""
    remainder = abs(numerator) % abs(denominator)
    return -remainder if numerator < 0 else remainder


def file_mode_string(mode: int) -> str:
    """Go's os.FileMode.String(): type letters (dalTLDpSugct?) for the high bits, else "-",
    then rwxrwxrwx for the permission bits: 0o644 is "-rw-r--r--"."""
    letters = "".join(letter for i, letter in enumerate("dalTLDpSugct?") if mode & (1 << (31 - i)))
    permissions = "".join(letter if mode & (1 << (8 - i)) else "-" for i, letter in enumerate("rwxrwxrwx"))
    return (letters or "-") + permissions


def float_to_int64(value: float) -> int:
    """Go's `int64(f)` on amd64: truncation; NaN and out-of-range give MinInt64."""
    if value != value or value >= 9223372036854775808.0 or value < -9223372036854775808.0:
        return INT64_MIN
    return int(value)


def float_to_uint64(value: float) -> int:
    """Go's `uint64(f)` on amd64 (the compiler's two-range conversion sequence)."""
    if value < 9223372036854775808.0:
        return float_to_int64(value) & 0xFFFFFFFFFFFFFFFF
    shifted = value - 9223372036854775808.0
    return (float_to_int64(shifted) & 0xFFFFFFFFFFFFFFFF) | 0x8000000000000000

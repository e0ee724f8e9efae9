"""Go's value types that Python has no exact equivalent for: time.Duration, time.Time and
int64 arithmetic (wrap-around, float conversions as amd64 does them)."""

from __future__ import annotations

from dataclasses import dataclass

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class Duration:
    """A Go time.Duration: a signed int64 count of nanoseconds."""

    nanoseconds: int

    def __str__(self) -> str:
        from tickpy.golang.goformat import format_go_duration  # goformat imports this module

        return format_go_duration(self.nanoseconds)


@dataclass(frozen=True, slots=True)
class Time:
    """A point in time, as nanoseconds since the Unix epoch, UTC.

    Usually an int64; the value may fall outside int64 for times Go can represent but
    UnixNano cannot (years 1 and 9999), which is why it is a Python int.
    """

    nanoseconds: int


def wrap_int64(value: int) -> int:
    """Two's-complement wrap-around of an int to int64, as Go's arithmetic does."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    return ((value + (1 << 63)) & 0xFFFFFFFFFFFFFFFF) - (1 << 63)


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

"""TICKscript's value types that Python has no exact equivalent for, and the type names.

Floats, ints (Go int64), strings and bools are Python's own `float`, `int`, `str`, `bool`
(beware: `bool` is a subclass of `int`, so dispatch on `type(x)`, never `isinstance(x, int)`).

Type names are Kapacitor's `ast.ValueType` spellings ("float", "int", "string", "boolean",
...), because they appear verbatim in Kapacitor's error messages.
"""

from __future__ import annotations

from dataclasses import dataclass

# Kapacitor's ast.ValueType names, as its messages print them.
FLOAT = "float"
INT = "int"
STRING = "string"
BOOL = "boolean"
REGEX = "regex"
TIME = "time"
DURATION = "duration"
LAMBDA = "lambda"
LIST = "list"
STAR_TYPE = "star"
MISSING_TYPE = "missing"
INVALID = "invalid type"

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class Duration:
    """A Go time.Duration: a signed int64 count of nanoseconds."""

    nanoseconds: int

    def __str__(self) -> str:
        from tickpy.lang.goformat import format_go_duration

        return format_go_duration(self.nanoseconds)


@dataclass(frozen=True, slots=True)
class Time:
    """A point in time, as nanoseconds since the Unix epoch, UTC.

    Usually an int64; the value may fall outside int64 for times Go can represent but
    UnixNano cannot (years 1 and 9999), which is why it is a Python int.
    """

    nanoseconds: int


@dataclass(frozen=True, slots=True)
class Regex:
    """A compiled RE2 regex and the pattern it came from."""

    pattern: str
    compiled: object  # re2 pattern

    def matches(self, text: str) -> bool:
        try:
            return self.compiled.search(text) is not None
        except UnicodeEncodeError:
            # Raw bytes of a cut UTF-8 sequence: Go's regexp reads each as U+FFFD.
            from tickpy.lang.functions import go_text

            return self.compiled.search(go_text(text)) is not None


@dataclass(frozen=True, slots=True)
class StarValue:
    """The `*` argument (e.g. `.groupBy(*)`)."""


STAR = StarValue()


class MissingValue:
    """Kapacitor's `ast.MissingValue`: what a field or tag the point lacks evaluates to."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = MissingValue()

_TYPE_NAMES = {
    float: FLOAT,
    int: INT,
    str: STRING,
    bool: BOOL,
    Regex: REGEX,
    Time: TIME,
    Duration: DURATION,
    MissingValue: MISSING_TYPE,
    StarValue: STAR_TYPE,
    list: LIST,
}


def type_of(value: object) -> str:
    """Kapacitor's `ast.TypeOf`: the type name of a runtime value ("invalid type" for nil)."""
    return _TYPE_NAMES.get(type(value), INVALID)


# Go's `%T` spelling of the dynamic type of a value, for messages that print it.
_GO_TYPE_NAMES = {
    float: "float64",
    int: "int64",
    str: "string",
    bool: "bool",
    Regex: "*regexp.Regexp",
    Time: "time.Time",
    Duration: "time.Duration",
    MissingValue: "*ast.Missing",
    type(None): "<nil>",
}


def go_type_name(value: object) -> str:
    return _GO_TYPE_NAMES.get(type(value), type(value).__name__)


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

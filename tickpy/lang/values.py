"""TICKscript's value types that Python has no exact equivalent for, and the type names.

Floats, ints (Go int64), strings and bools are Python's own `float`, `int`, `str`, `bool`
(beware: `bool` is a subclass of `int`, so dispatch on `type(x)`, never `isinstance(x, int)`).

Type names are Kapacitor's `ast.ValueType` spellings ("float", "int", "string", "boolean",
...), because they appear verbatim in Kapacitor's error messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tickpy.golang.gostrings import go_text

# Go's own types, re-exported: TICKscript durations and times are Go's time.Duration and time.Time.
from tickpy.golang.gotypes import GO_TYPE_NAMES, Duration, Time  # noqa: F401

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

@dataclass(frozen=True, slots=True)
class Regex:
    """A compiled RE2 regex and the pattern it came from."""

    pattern: str
    # An re2 pattern (re2 has no type information); None for a pattern the checker could
    # not compile and keeps only to report on.
    compiled: Any

    def __str__(self) -> str:
        return self.pattern  # Go's (*regexp.Regexp).String(), which %v prints

    def matches(self, text: str) -> bool:
        try:
            return self.compiled.search(text) is not None
        except UnicodeEncodeError:
            # Raw bytes of a cut UTF-8 sequence: Go's regexp reads each as U+FFFD.
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
_GO_TYPE_NAMES = {**GO_TYPE_NAMES, Regex: "*regexp.Regexp", MissingValue: "*ast.Missing"}


def lambda_go_type(value: object) -> str:
    """Go's `%T` of a lambda value."""
    return _GO_TYPE_NAMES.get(type(value), type(value).__name__)

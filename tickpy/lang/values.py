"""TICKscript's value types that Python has no exact equivalent for.

Floats, ints (Go int64), strings and bools are Python's own `float`, `int`, `str`, `bool`
(beware: `bool` is a subclass of `int`, so dispatch on `type(x)`, never `isinstance(x, int)`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Duration:
    """A Go time.Duration: a signed int64 count of nanoseconds."""

    nanoseconds: int


@dataclass(frozen=True, slots=True)
class Time:
    """A point in time, as int64 nanoseconds since the Unix epoch, UTC."""

    nanoseconds: int


@dataclass(frozen=True, slots=True)
class Regex:
    """A compiled RE2 regex and the pattern it came from."""

    pattern: str
    compiled: object  # re2 pattern


@dataclass(frozen=True, slots=True)
class StarValue:
    """The `*` argument (e.g. `.groupBy(*)`)."""


STAR = StarValue()

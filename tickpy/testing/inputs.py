"""Input points for tests: line protocol with relative timestamps, and generated series.

    points(text, start=..., precision="ns") -> list[Point]
        Line protocol where the timestamp may also be a duration from `start` (`0s`, `+10s`,
        `1m30s`) or an RFC 3339 time (`2024-01-01T00:00:30Z`). A line without a timestamp gets the time a writer sending the lines one after
        another would give it: the write clock starts at `start` (or `write_start`) and moves
        on by `write_step_ns` (1 ms) per such line. Raises InputError for malformed lines.

    series(measurement, value, start=, stop=, every=, tags=None, field="value") -> list[Point]
        One point per `every` in [start, stop): `value(t)` gives the field value (or a dict of
        fields) at `t`, the offset from `start` in seconds (a float). Times are absolute
        (RFC3339/ns) or relative to `origin` (default: the epoch).

    expand_values("50 40 5x3 _ 60+10x2") -> [50.0, 40.0, 5.0, 5.0, 5.0, 5.0, None, 60.0, 70.0, 80.0]
        promtool's expanding notation: `a+bxn` is a then n more samples each b higher, `a-bxn`
        n more each b lower, `axn` is a n+1 times, `_` a missing sample and `_xn` n of them.

    SeriesInput.from_spec({measurement, field, tags, values, interval, start, type}).points(case_start)
        A test file's `input_series` entry: one point per sample, `interval` apart (default 1m,
        as promtool's evaluation interval), the first at `start` (default the case's start).

    merge_by_time(points, series_points) -> list[Point]
        Both inputs in one stream: each keeps its own order, and a series point goes in before
        the first line-protocol point later than it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tickpy.runtime.lineprotocol import LineProtocolError, iter_blocks, parse_points, precision_multiplier
from tickpy.runtime.point import Point
from tickpy.testing.times import DEFAULT_START_NS, is_relative, is_rfc3339, parse_duration_ns, parse_time_ns

__all__ = ["InputError", "points", "series", "expand_values", "SeriesInput", "series_points", "merge_by_time", "WRITE_STEP_NS"]

# Spacing of lines written without a timestamp: back-to-back HTTP writes, about 1 ms apart.
WRITE_STEP_NS = 1_000_000
TIME_FORMS = ("timestamps in test points are Unix time in the precision's units, RFC 3339 "
              "(2024-01-01T00:00:30Z) or a duration from the start (10s, +1m)")


class InputError(ValueError):
    """Malformed input lines: `errors` holds (line number, reason)."""

    def __init__(self, source: str, errors: list[tuple[int, str]]):
        self.source = source
        self.errors = errors
        shown = "; ".join(f"{source}:{line}: {reason}" for line, reason in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(shown + more)


def _resolve_relative(block: str, start_ns: int, multiplier: int) -> tuple[str, bool]:
    """The entry with a relative (or RFC 3339) timestamp replaced by the absolute one (in
    precision units)."""
    stripped = block.rstrip()
    cut = max(stripped.rfind(" "), stripped.rfind("\t"))
    if cut < 0:
        return block, False
    token = stripped[cut + 1:]
    if is_relative(token):
        absolute = start_ns + parse_duration_ns(token)
        kind = "relative time"
    elif is_rfc3339(token):
        absolute = parse_time_ns(token)
        kind = "time"
    else:
        return block, False
    if absolute % multiplier:
        raise ValueError(f"{kind} {token} is not a whole number of the precision's units")
    return stripped[:cut + 1] + str(absolute // multiplier), True


def _as_written(reason: str, parsed: str, written: str | None) -> str:
    """The parser's reason quoting the line as the user wrote it (`cpu x= 0s`), not as it was
    handed to the parser with its relative time made absolute (`cpu x= 0`)."""
    if written is None:
        return reason
    for shown in (parsed, parsed[:200] + "..."):
        if f"'{shown}'" in reason:
            written_shown = written.rstrip() if len(written) <= 200 else written[:200] + "..."
            return reason.replace(f"'{shown}'", f"'{written_shown}'", 1)
    return reason


def points(text: str | bytes | Iterable[str], *, start=DEFAULT_START_NS, precision: str = "ns",
           write_start=None, write_step_ns: int = WRITE_STEP_NS, source: str = "<points>") -> list[Point]:
    """Points of line-protocol text (see the module docstring)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    lines = text.splitlines() if isinstance(text, str) else [str(line) for line in text]
    start_ns = parse_time_ns(start)
    multiplier = precision_multiplier(precision)
    errors: list[tuple[int, str]] = []
    entries: list[tuple[int, str]] = []
    written: dict[int, str] = {}  # line number -> the text as written, where the time was rewritten
    for line_number, block in iter_blocks(lines):
        if not block.strip() or block.lstrip().startswith("#"):
            continue
        try:
            resolved, rewritten = _resolve_relative(block, start_ns, multiplier)
        except ValueError as error:
            errors.append((line_number, str(error)))
            continue
        if rewritten:
            written[line_number] = block
        entries.append((line_number, resolved))
    parsed: list[Point] = []
    try:
        parsed = parse_points("\n".join(block for _, block in entries), precision=precision, now=None)
    except LineProtocolError:
        parsed = []  # find the culprits entry by entry, with their own line numbers
        for line_number, block in entries:
            try:
                parsed.extend(parse_points(block, precision=precision, now=None))
            except LineProtocolError as error:
                errors.extend((line_number, _as_written(e.reason, block, written.get(line_number))
                               + (f" ({TIME_FORMS})" if "timestamp" in e.reason else ""))
                              for e in error.errors)
    if errors:
        raise InputError(source, errors)
    clock = parse_time_ns(write_start) if write_start is not None else start_ns
    for point in parsed:
        if point.time is None:
            point.time = clock
            clock += write_step_ns
    return parsed


def series(measurement: str, value: Callable[[float], Any], *, start=DEFAULT_START_NS, stop, every,
           tags: dict[str, str] | None = None, field: str = "value", origin=DEFAULT_START_NS) -> list[Point]:
    """Points of `value(t)` over [start, stop) every `every` (see the module docstring)."""
    origin_ns = parse_time_ns(origin)
    start_ns = parse_time_ns(start, origin_ns)
    stop_ns = parse_time_ns(stop, origin_ns)
    step = parse_duration_ns(every)
    if step <= 0:
        raise ValueError("every must be a positive duration")
    shared_tags = dict(tags or {})
    out: list[Point] = []
    at = start_ns
    while at < stop_ns:
        result = value((at - start_ns) / 1e9)
        if result is not None:
            fields = dict(result) if isinstance(result, dict) else {field: result}
            out.append(Point(measurement, dict(shared_tags), fields, at))
        at += step
    return out


_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_EXPANDING = re.compile(rf"({_NUMBER})(?:([+-])({_NUMBER}))?x(\d+)")
_PLAIN = re.compile(_NUMBER)


def expand_values(text: str) -> list[float | None]:
    """The samples of a `values` string in promtool's expanding notation (see the module
    docstring); None is a missing sample. Raises ValueError naming the token it cannot read."""
    samples: list[float | None] = []
    for token in str(text).split():
        if token == "_":
            samples.append(None)
        elif token.startswith("_x") and token[2:].isdigit():
            samples.extend([None] * int(token[2:]))
        elif token == "stale":
            raise ValueError("`stale` marks a Prometheus staleness sample, which Kapacitor has no notion of: "
                             "use `_` for a missing sample")
        elif expanding := _EXPANDING.fullmatch(token):
            first, sign, step_text, count = expanding.groups()
            step = float(step_text or 0) * (-1 if sign == "-" else 1)
            value = float(first)
            for _ in range(int(count) + 1):  # by repeated addition, as promtool computes them
                samples.append(value)
                value += step
        elif _PLAIN.fullmatch(token):
            samples.append(float(token))
        else:
            raise ValueError(f"cannot read {token!r}: a sample is a number, `_` (missing), `a+bxn`, `a-bxn`, "
                             "`axn` or `_xn`")
    return samples


SERIES_KEYS = ("measurement", "field", "tags", "values", "interval", "start", "type")
DEFAULT_SERIES_INTERVAL = "1m"


@dataclass(frozen=True, slots=True)
class SeriesInput:
    """One `input_series` entry of a test file, read and checked (see the module docstring)."""

    measurement: str
    field: str
    tags: tuple[tuple[str, str], ...]
    samples: tuple[float | None, ...]
    interval_ns: int
    start: str | int  # a time (RFC 3339, ns) or a duration from the case's start
    integer: bool

    @classmethod
    def from_spec(cls, spec: Any) -> SeriesInput:
        """Raises ValueError saying what is wrong with `spec`."""
        if not isinstance(spec, dict):
            raise ValueError("an input_series entry is a mapping: {measurement: cpu, field: usage_idle, "
                             "values: '50 40 5x3', interval: 10s}")
        unknown = [key for key in spec if key not in SERIES_KEYS]
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(SERIES_KEYS)})")
        for key in ("measurement", "values"):
            if not isinstance(spec.get(key), (str, int, float)) or isinstance(spec.get(key), bool) \
                    or str(spec.get(key)).strip() == "":
                raise ValueError(f"`{key}` is required (text)")
        tags = spec.get("tags") or {}
        if not isinstance(tags, dict):
            raise ValueError("`tags` is a mapping of tag -> value")
        kind = spec.get("type", "float")
        if kind not in ("float", "integer"):
            raise ValueError(f"`type` is float or integer, got {kind!r}")
        samples = expand_values(str(spec["values"]))
        if kind == "integer":
            fractional = [value for value in samples if value is not None and not float(value).is_integer()]
            if fractional:
                raise ValueError(f"type integer: {fractional[0]!r} is not a whole number")
        interval_ns = parse_duration_ns(spec.get("interval", DEFAULT_SERIES_INTERVAL))
        if interval_ns <= 0:
            raise ValueError("`interval` must be a positive duration")
        start = spec.get("start", "0s")
        parse_time_ns(start, 0)  # raises TimeFormatError (a ValueError) for what is not a time
        return cls(str(spec["measurement"]), str(spec.get("field", "value")),
                   tuple((str(k), str(v)) for k, v in tags.items()), tuple(samples), interval_ns, start,
                   kind == "integer")

    def points(self, case_start_ns: int) -> list[Point]:
        at = parse_time_ns(self.start, case_start_ns)
        out = []
        for value in self.samples:
            if value is not None:
                fields = {self.field: int(value) if self.integer else value}
                out.append(Point(self.measurement, dict(self.tags), fields, at))
            at += self.interval_ns
        return out


def series_points(inputs: Iterable[SeriesInput], case_start_ns: int) -> list[Point]:
    """The points of several series in time order; at one time, in the order the series are listed."""
    generated = [point for series_input in inputs for point in series_input.points(case_start_ns)]
    generated.sort(key=_time_of)  # stable: list order within one time
    return generated


def _time_of(point: Point) -> int:
    assert point.time is not None, "test input points all have their time by now"
    return point.time


def merge_by_time(written: list[Point], generated: list[Point]) -> list[Point]:
    """`written` and `generated` (sorted by time) in one list (see the module docstring)."""
    if not generated:
        return written
    if not written:
        return generated
    merged: list[Point] = []
    index = 0
    for point in written:
        while index < len(generated) and _time_of(generated[index]) < _time_of(point):
            merged.append(generated[index])
            index += 1
        merged.append(point)
    merged.extend(generated[index:])
    return merged

"""Times in test files: absolute (RFC3339, Unix ns), relative to a start (`0s`, `+10s`, `1m30s`).
Written back as Kapacitor writes them (gotime's RFC3339Nano and Duration.String), so that what
`--update` writes reads like what a user would type."""

from __future__ import annotations

import calendar
import datetime as _dt
import re

from tickpy.golang.gotime import format_go_duration, parse_go_duration

__all__ = ["DEFAULT_START_NS", "TimeFormatError", "parse_duration_ns", "parse_time_ns", "is_relative", "is_rfc3339",
           "format_offset"]

# Where relative times count from when a test file names no `start`: the Unix epoch.
DEFAULT_START_NS = 0

_DURATION = re.compile(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+")
_RFC3339 = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)?")


class TimeFormatError(ValueError):
    pass


def is_rfc3339(text: str) -> bool:
    """True for an RFC 3339 time written as one token: 2024-01-01T00:00:30Z, ...T00:00:30.5+02:00."""
    return bool(_RFC3339.fullmatch(text)) and " " not in text


def is_relative(text: str) -> bool:
    """True for a duration such as `0s`, `+10s`, `-1m`, `1h30m` (a time relative to the start)."""
    return bool(_DURATION.fullmatch(text))


def parse_duration_ns(value) -> int:
    """Nanoseconds of a Go duration (`10s`, `1m30s`, `1.5s`, `-500ms`, `+2h`) or an int (ns)."""
    if isinstance(value, bool):
        raise TimeFormatError(f"invalid duration {value!r}")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text == "0":
        return 0
    if _DURATION.fullmatch(text):
        try:
            return parse_go_duration(text)
        except ValueError:
            pass  # longer than a time.Duration holds
    raise TimeFormatError(f"invalid duration {text!r} (write e.g. 10s, 1m30s, 500ms)")


def _datetime_ns(value: _dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    seconds = calendar.timegm(value.utctimetuple())
    return seconds * 10**9 + value.microsecond * 1000


def parse_time_ns(value, start_ns: int = DEFAULT_START_NS) -> int:
    """Unix ns of a time in a test file: an int (ns), RFC3339 text (or a YAML timestamp), or a
    duration relative to `start_ns`."""
    if isinstance(value, bool):
        raise TimeFormatError(f"invalid time {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, _dt.datetime):
        return _datetime_ns(value)
    if isinstance(value, _dt.date):
        return calendar.timegm(value.timetuple()) * 10**9
    text = str(value).strip()
    if is_relative(text):
        return start_ns + parse_duration_ns(text)
    match = _RFC3339.fullmatch(text)
    if match:
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        fraction, zone = match.group(7), match.group(8)
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        if zone and zone not in "Zz":
            offset = int(zone[1:3]) * 3600 + int(zone[4:6]) * 60
            seconds -= offset if zone[0] == "+" else -offset
        nanos = int((fraction[1:] + "000000000")[:9]) if fraction else 0
        return seconds * 10**9 + nanos
    if re.fullmatch(r"-?\d+", text):
        if len(text.lstrip("-").lstrip("0")) > 19:  # past int64 (and past what int() reads)
            raise TimeFormatError(f"invalid time: {len(text)} digits, more nanoseconds than 64 bits hold")
        return int(text)
    raise TimeFormatError(f"invalid time {text!r} (write RFC3339 like 2024-01-01T00:00:00Z, "
                          "Unix nanoseconds, or a duration from the start like 10s)")


def format_offset(ns: int, start_ns: int) -> str:
    """A time as its offset from the start: `0s`, `20s`, `1m30s` (`-5s` before it)."""
    return format_go_duration(ns - start_ns)

"""Kapacitor's stream recording format (`.srpl`): entries of three lines each,

    database
    retention policy
    one line-protocol point

as written by `kapacitor record stream` and read by `kapacitor replay` (see Kapacitor's
integrations/testdata/*.srpl).  Each point line is parsed on its own (a quoted string cannot
run into the next entry) and a trailing carriage return is dropped from every line, as Go's
line scanner does.

    read_srpl(source, precision="ns", source_name="<stdin>", now=None, on_error=None)
        -> Iterator[Point] with `database` and `retention_policy` set.

Kapacitor stops a replay at the first bad entry; tickpy reports it through `on_error` (a
`LineError` with the line number of the point line) and goes on with the next entry.  A file
that ends in the middle of an entry is reported the same way, and so is an entry whose database
or retention policy line is a comment or a line-protocol point (a line-protocol file read as
srpl would otherwise feed points to a dbrp no task reads, silently).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator

from tickpy.runtime.lineprotocol import (
    LineError,
    LineProtocolError,
    _clean,
    _line_batches,
    _print_error,
    parse_line,
    precision_multiplier,
)
from tickpy.runtime.point import Point

__all__ = ["read_srpl"]


def read_srpl(
    source,
    precision: str = "ns",
    source_name: str = "<stdin>",
    now: int | None = None,
    on_error: Callable[[LineError], None] | None = None,
) -> Iterator[Point]:
    precision_multiplier(precision)  # reject an unknown precision before reading anything
    if now is None:
        now = _time.time_ns()
    report = on_error or _print_error
    lines = (line for batch, _ in _line_batches(source) for line in batch)
    lineno = 0
    while True:
        database = next(lines, None)
        if database is None:
            return
        lineno += 1
        retention_policy = next(lines, None)
        point_line = next(lines, None) if retention_policy is not None else None
        if retention_policy is None or point_line is None:
            report(LineError(source_name, lineno, "invalid replay file format, expected another line"))
            return
        lineno += 2
        misplaced = _misplaced_name(database, retention_policy, precision, now)
        if misplaced:
            offset, reason = misplaced
            report(LineError(source_name, lineno - 2 + offset, reason, _clean((database, retention_policy)[offset])))
            continue
        try:
            point = parse_line(_chomp(point_line), precision, now)
        except LineProtocolError as err:
            report(LineError(source_name, lineno, err.errors[0].reason, _clean(point_line)))
            continue
        point.database = _clean(_chomp(database))
        point.retention_policy = _clean(_chomp(retention_policy))
        yield point


def _misplaced_name(database: str, retention_policy: str, precision: str, now: int) -> tuple[int, str] | None:
    """(0 database / 1 retention policy, why) when a name line cannot be one; else None."""
    for offset, (what, line) in enumerate((("database", database), ("retention policy", retention_policy))):
        text = _chomp(line)
        if text.startswith("#"):
            return offset, f"a comment where the entry's {what} should be: is this line protocol? (--input-format lp)"
        if " " in text and "=" in text:
            try:
                parse_line(text, precision, now)
            except LineProtocolError:
                continue
            return offset, (f"a line-protocol point where the entry's {what} should be: is this line protocol? "
                            "(--input-format lp)")
    return None


def _chomp(line: str) -> str:
    if line.endswith("\n"):
        line = line[:-1]
    if line.endswith("\r"):
        line = line[:-1]
    return line

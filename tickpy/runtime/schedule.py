"""When a batch task's queries run, on a virtual clock, as Kapacitor computes it (batch.go's
QueryNode.Queries, what `kapacitor record batch -start -stop` runs):

    current = start
    repeat: current = ticker.Next(current); stop once current is after `stop`
            the query covers [current - offset - period, current - offset)

`.every(d)` ticks d after the previous tick (`.align()`: rounded to a multiple of d, Go's
Time.Round: halfway up, counted from Go's zero time); `.cron(expr)` ticks at the expression's
next time after the previous tick (gorhill/cronexpr, `tickpy.runtime.cron`), in UTC.

    EveryTicker(every, align).next(ns) / CronTicker(expr).next(ns) -> ns or None (no next time)
    query_windows(ticker, start, stop, period, offset) -> Iterator[QueryWindow]
    runs(ticker, period, offset, start, stop, first, last) -> the runs `tickpy run` makes
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tickpy.golang.gotime import parse_go_duration, parse_time_rfc3339, time_round

__all__ = ["EveryTicker", "QueryWindow", "query_windows", "resolve_time", "runs"]


@dataclass(frozen=True, slots=True)
class EveryTicker:
    every: int
    align: bool = False

    def next(self, now: int) -> int | None:
        following = now + self.every
        return time_round(following, self.every) if self.align else following


@dataclass(frozen=True, slots=True)
class QueryWindow:
    """One run of a query: the tick, and the query's time range [start, stop)."""

    tick: int
    start: int
    stop: int


def query_windows(ticker, start: int, stop: int | None, period: int, offset: int) -> Iterator[QueryWindow]:
    """The query runs of ticks after `start` up to `stop` (inclusive); `stop` None: without end
    (the caller stops taking them)."""
    current = start
    while True:
        following = ticker.next(current)
        if following is None or (stop is not None and following > stop):
            return
        current = following
        query_stop = current - offset
        yield QueryWindow(current, query_stop - period, query_stop)


def runs(ticker, period: int, offset: int, start: int | None, stop: int | None, first: int | None,
         last: int | None) -> Iterator[QueryWindow]:
    """A query node's runs over data from `first` to `last` (the times of its first and last
    points). `start`/`stop` as given (`tickpy run --start/--stop`), or by default: from the first
    run whose range ends after the first point to the first whose range ends after the last."""
    if start is None:
        if first is None:
            return
        start = first + offset
    if stop is not None:
        yield from query_windows(ticker, start, stop, period, offset)
        return
    if last is None:
        return
    for window in query_windows(ticker, start, None, period, offset):
        yield window
        if window.stop > last:
            return


def resolve_time(value, first: int | None) -> int | None:
    """`--start`/`--stop`: None, Unix ns, RFC 3339 text, or a duration (`+10m`, `-1h`, `0s`) from
    `first`, the time of the data's first point. ValueError for anything else, and for a duration
    without data to count from."""
    if value is None or (type(value) is int):
        return value
    text = str(value).strip()
    try:
        return parse_time_rfc3339(text)
    except ValueError:
        pass
    try:
        offset = parse_go_duration(text)
    except ValueError:
        raise ValueError(f"{text!r} is neither an RFC 3339 time (2024-01-01T00:00:00Z) nor a duration from the "
                         "data's first point (+10m, -1h)") from None
    if first is None:
        raise ValueError(f"{text!r} counts from the first point, and there is none")
    return first + offset

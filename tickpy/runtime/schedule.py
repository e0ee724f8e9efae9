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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tickpy.golang.gotime import time_round

__all__ = ["EveryTicker", "QueryWindow", "query_windows"]


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

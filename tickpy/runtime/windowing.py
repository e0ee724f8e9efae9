"""Window buffers as Kapacitor's window node keeps them.

Pure logic over anything with a `.time` (int nanoseconds): the node feeds points, a buffer
answers with the batch to emit, as `(tmax, points)`, or None.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tickpy.golang.gotime import time_truncate


class TimeWindow:
    """A window by time for one group.

    With `every` > 0 the window is left-closed: when a point at or past the next emit time
    arrives, the points in [emit - period, emit) are emitted (batch time = emit) before the point
    is buffered; the next emit time is then that point's time + every (truncated to every with
    align). With `every` == 0 every point emits the points in (time - period, time].

    With `every` > 0, adding a point earlier than `next_emit` only appends it to `buffer` (the
    window node does that itself on its hot path).
    """

    __slots__ = ("period", "every", "align", "next_emit", "buffer")

    def __init__(self, first_time: int, period: int, every: int, align: bool, fill_period: bool):
        self.period = period
        self.every = every
        self.align = align
        self.buffer: deque = deque()
        if fill_period:
            next_emit = first_time + period
            if align:
                first_full = next_emit
                next_emit = time_truncate(next_emit, every)
                if next_emit <= first_full:
                    next_emit += every  # skip the first, partial, window
        else:
            next_emit = first_time + every
            if align:
                next_emit = time_truncate(next_emit, every)
        self.next_emit = next_emit

    def _purge(self, oldest: int, inclusive: bool) -> None:
        # Like Kapacitor: drop from the front until the first point still inside.
        buffer = self.buffer
        if inclusive:
            while buffer and buffer[0].time < oldest:
                buffer.popleft()
        else:
            while buffer and buffer[0].time <= oldest:
                buffer.popleft()

    def add(self, point: Any) -> tuple[int, list] | None:
        """Buffer `point`; return (tmax, points) when a window is due."""
        time = point.time
        if self.every == 0:
            self.buffer.append(point)
            if time < self.next_emit:
                return None
            self._purge(time - self.period, inclusive=False)
            self.next_emit = time
            return time, list(self.buffer)
        emitted = None
        if time >= self.next_emit:
            emit_time = self.next_emit
            self._purge(emit_time - self.period, inclusive=True)
            emitted = (emit_time, list(self.buffer))
            next_emit = time + self.every
            self.next_emit = time_truncate(next_emit, self.every) if self.align else next_emit
        self.buffer.append(point)
        return emitted

    def barrier(self, time: int) -> tuple[int, list] | None:
        """A barrier at `time` (no point older will come): the window due by then, if any,
        as `add` would emit it for a point at `time`, without buffering anything."""
        if time < self.next_emit:
            return None
        if self.every == 0:
            self._purge(time - self.period, inclusive=False)
            self.next_emit = time
            return time, list(self.buffer)
        emit_time = self.next_emit
        self._purge(emit_time - self.period, inclusive=True)
        next_emit = time + self.every
        self.next_emit = time_truncate(next_emit, self.every) if self.align else next_emit
        return emit_time, list(self.buffer)

    def flush(self) -> tuple[int, list] | None:
        """The partial window that would be emitted if time reached the next emit time."""
        if self.every == 0:
            return None  # every point has already emitted its window
        self._purge(self.next_emit - self.period, inclusive=True)
        if not self.buffer:
            return None
        emit_time = self.next_emit
        return emit_time, [p for p in self.buffer if p.time < emit_time]


class CountWindow:
    """A window by count for one group: the last `period` points, emitted every `every` points
    (the first time after `period` points with fill_period). The batch time is the newest point's."""

    __slots__ = ("period", "every", "next_emit", "count", "buffer")

    def __init__(self, period: int, every: int, fill_period: bool):
        self.period = period
        self.every = every
        self.next_emit = period if fill_period else every
        self.count = 0
        self.buffer: deque = deque(maxlen=period)

    def add(self, point: Any) -> tuple[int, list] | None:
        self.buffer.append(point)
        self.count += 1
        if self.count != self.next_emit:
            return None
        self.next_emit += self.every
        points = list(self.buffer)
        return points[-1].time, points

    def flush(self) -> tuple[int, list] | None:
        """The points since the last emit, if any arrived."""
        pending = self.count - (self.next_emit - self.every)
        if pending <= 0 or not self.buffer:
            return None
        points = list(self.buffer)
        return points[-1].time, points

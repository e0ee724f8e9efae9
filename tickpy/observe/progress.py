"""A progress line for long runs: points read, points/s, alerts, redrawn in place on stderr.

Shown only when stderr is a terminal (never on a pipe or in a file), only once a run has
taken `delay_s`, and erased before anything else is written to the terminal and at the end,
so it never ends up in anything a program reads. The count comes from a thin generator
around the input points, used only when the line can be shown.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

CHECK_EVERY = 4096  # points between two looks at the clock


def progress_wanted(stream) -> bool:
    """A terminal that can redraw a line."""
    try:
        is_terminal = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return bool(is_terminal) and os.environ.get("TERM", "") != "dumb"


class Progress:
    def __init__(self, stream, alerts: Callable[[], int] = lambda: 0, delay_s: float = 1.0,
                 every_s: float = 0.5, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.alerts = alerts
        self.delay_s = delay_s
        self.every_s = every_s
        self.clock = clock
        self.started = clock()
        self.next_draw = self.started + delay_s
        self.shown = False
        self.points = 0

    def wrap(self, points: Iterable[Any]) -> Iterator[Any]:
        """`points`, counted; the line is redrawn every `every_s` once the run is long."""
        count = 0
        try:
            for count, point in enumerate(points, 1):
                if not count % CHECK_EVERY:
                    self.points = count
                    now = self.clock()
                    if now >= self.next_draw:
                        self.draw(now)
                yield point
        finally:
            self.points = count
            self.clear()

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        alerts = self.alerts()
        return (f"tickpy run: {self.points:,} points read, {self.points / elapsed:,.0f} points/s, "
                f"{alerts:,} alert{'s' if alerts != 1 else ''}")

    def draw(self, now: float) -> None:
        self.next_draw = now + self.every_s
        self.stream.write("\r" + self.line(now) + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the line (call before writing anything else to the terminal)."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


__all__ = ["Progress", "progress_wanted"]

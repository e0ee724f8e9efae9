"""A progress line for long runs, redrawn in place on stderr: points read, points/s, alerts;
for inputs of known size (regular files, gzip ones by their compressed bytes) also the share
of their bytes read and the time left at the rate so far:

    tickpy run: 42% read, 1234567 points read, 98765 points/s, 3 alerts, ETA 0:07
    tickpy run: 1234567 points read, 98765 points/s, 3 alerts      (standard input, pipes)

Numbers are written as the run's summary writes them (plain digits).

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
                 every_s: float = 0.5, clock: Callable[[], float] = time.monotonic, input_bytes=None):
        """`input_bytes`: has `total` (None when unknown) and `read()`, as tickpy.runtime.inputfiles.InputBytes."""
        self.stream = stream
        self.input_bytes = input_bytes if input_bytes is not None and input_bytes.total else None
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
        counts = (f"{self.points} points read, {self.points / elapsed:.0f} points/s, "
                  f"{alerts} alert{'s' if alerts != 1 else ''}")
        if self.input_bytes is None:
            return f"tickpy run: {counts}"
        share = min(self.input_bytes.read() / self.input_bytes.total, 1.0)
        eta = f", ETA {_clock_time(elapsed * (1 - share) / share)}" if share > 0 else ""
        # Reading runs a chunk ahead of the points: the last chunk read is not yet done (the line
        # is erased when it is).
        return f"tickpy run: {min(int(share * 100), 99)}% read, {counts}{eta}"

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


def _clock_time(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour on."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


__all__ = ["Progress", "progress_wanted"]

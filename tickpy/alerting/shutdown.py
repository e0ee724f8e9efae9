"""SIGINT and SIGTERM for `tickpy run` and the API's interruptible runs: whenever a signal comes,
nothing half-done is left behind, and the exit status is 128 + the signal's number (130, 143).

The handler records the signal (`count`, `signal_number`) and raises in two places only:
- while `starting` (imports, checks, set-up: no point read, no alert made yet) it ends the process
  at once with SystemExit;
- while the main thread waits in a read of an input wrapped by `interruptible_input`, it ends that
  read with ShutdownRequested (no point of the chunk being read has reached the engine yet).
Anywhere else it only records, so that no exception can land between two steps of the engine
(counting an alert and queueing it, say). The reading loop stops between two points
(`stop_reading`), and the alert service's drain (`AlertService.close(signals=...)`) watches
`count`: queued alerts get a grace period at the first signal, a second one dead-letters them at
once.

Only the standard library is imported here: `tickpy run` installs this before anything heavy.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_installed: ShutdownSignals | None = None


class ShutdownRequested(BaseException):
    """Raised out of an interruptible read; a BaseException, so `except Exception` blocks do
    not swallow it."""

    def __init__(self, signal_number: int):
        super().__init__(signal_number)
        self.signal_number = signal_number


class ShutdownSignals:
    """The SIGINT/SIGTERM handler of one run (main thread only).

        signals = ShutdownSignals().install()
        try:
            for point in signals.stop_reading(read_points(signals.interruptible_input(handle))):
                engine.process(point)
        except ShutdownRequested:
            pass
        summary = service.close(grace_s=5.0, interrupted=signals.requested, signals=signals)
        signals.restore()
        sys.exit(signals.exit_code or normal_status)
    """

    def __init__(self, starting: bool = False):
        self.count = 0  # signals received
        self.signal_number = 0  # the first one's
        self.starting = starting
        self._in_read = False
        self._previous: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        return self.count > 0

    @property
    def exit_code(self) -> int:
        """130 after SIGINT, 143 after SIGTERM, 0 when no signal came."""
        return 128 + self.signal_number if self.signal_number else 0

    def install(self) -> ShutdownSignals:
        """Handle SIGINT and SIGTERM from now on (a no-op outside the main thread)."""
        global _installed
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self._previous[number] = signal.signal(number, self._on_signal)
            _installed = self
        return self

    def restore(self) -> None:
        """Put back the handlers found by `install`."""
        global _installed
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()
        if _installed is self:
            _installed = None

    def running(self) -> None:
        """The run is about to read its first point: from now on a signal stops it in order."""
        self.starting = False

    def _on_signal(self, number: int, frame) -> None:
        self.count += 1
        if not self.signal_number:
            self.signal_number = number
        if self.starting:
            raise SystemExit(128 + self.signal_number)
        if self._in_read:
            self._in_read = False
            raise ShutdownRequested(number)

    def stop_reading(self, points: Iterable[Any]) -> Iterator[Any]:
        """The points until a signal comes, checked between two points."""
        for point in points:
            if self.count:
                return
            yield point

    def interruptible_input(self, handle) -> _InterruptibleInput:
        """A binary input whose reads a signal ends (with ShutdownRequested), for input that may
        keep the main thread waiting: standard input, a pipe. No chunk is cut: a read either
        returns a whole chunk or raises before any of it is handed on."""
        return _InterruptibleInput(self, handle)


class _InterruptibleInput:
    mode = "rb"  # what tickpy's input readers look for in a binary file

    def __init__(self, signals: ShutdownSignals, handle):
        self._signals = signals
        self._read: Callable[[int], bytes] = getattr(handle, "read1", None) or handle.read

    def read1(self, size: int = -1) -> bytes:
        signals = self._signals
        signals._in_read = True  # before the check: a signal between the two would be missed
        try:
            if signals.count:
                return b""  # a signal came while the last chunk was being processed: read no further
            return self._read(size)
        finally:
            signals._in_read = False

    read = read1


def installed() -> ShutdownSignals | None:
    """The handler `tickpy run` installed, if any (the API's interruptible runs share it)."""
    return _installed

"""Delivery that does not lose alerts.

Every handler that talks to something outside the process (tcp, post, exec, log) gets a
`Worker`: a thread with a bounded queue, so a slow or dead endpoint holds up only its own
handler. tcp and post retry with exponential backoff a bounded number of times; after a final
failure the worker stops retrying (one attempt per event) until the endpoint answers again, so a
dead endpoint cannot make shutdown crawl. Whatever is not delivered goes to the dead-letter
file with the exact payload, and is counted in the `DeliverySummary`.

Kapacitor drops an event when a handler's buffer (5000 events) is full; tickpy dead-letters it.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, TextIO

from tickpy.golang.gotime import format_time_rfc3339nano

DEFAULT_QUEUE_SIZE = 5000  # Kapacitor's alert.DefaultEventBufferSize
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF_S = 0.1
# A full queue makes the engine wait, as Kapacitor's buffered handler channel blocks its sender,
# but only while the endpoint keeps taking events: after this long without one delivery finishing,
# the event is dead-lettered so that a stuck endpoint cannot stall the pipeline forever.
FULL_QUEUE_PATIENCE_S = 5.0
MAX_BACKOFF_S = 2.0
REPORTED_FAILURES_PER_HANDLER = 5


class DeliveryError(Exception):
    """A failed attempt. `retryable` says whether trying again could help."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass(slots=True)
class Delivery:
    """One framed payload for one target."""

    event_id: str
    level: str
    time_ns: int
    topic: str
    payload: bytes
    url: str | None = None  # post: the URL rendered from a URL template, when there is one


@dataclass(slots=True)
class HandlerStats:
    label: str  # e.g. "tcp 127.0.0.1:9100 (topic cpu, handler tcp-cpu)"
    kind: str
    target: str
    delivered: int = 0
    failed: int = 0  # dead-lettered
    captured: int = 0  # external kinds: shown, not sent
    retries: int = 0
    last_error: str = ""


@dataclass(slots=True)
class DeliveryFailure:
    handler: str
    kind: str
    target: str
    event_id: str
    error: str


@dataclass(slots=True)
class DeliverySummary:
    delivered: int = 0
    failed: int = 0
    captured: int = 0
    handlers: list[HandlerStats] = field(default_factory=list)
    failures: list[DeliveryFailure] = field(default_factory=list)
    dead_letter_path: str | None = None
    capture_path: str | None = None
    interrupted: bool = False
    warnings: list[str] = field(default_factory=list)
    dead_letter_errors: int = 0  # records the dead-letter file could not take (disk full, ...)
    dead_letter_error: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing had to be dead-lettered."""
        return self.failed == 0

    def render(self) -> str:
        """The end-of-run summary, a few lines of text."""
        parts = [f"{self.delivered} delivered"]
        if self.failed:
            where = f" to {self.dead_letter_path}" if self.dead_letter_path else " (no --dead-letter file: lost)"
            parts.append(f"{self.failed} NOT delivered, dead-lettered{where}" if self.dead_letter_path
                         else f"{self.failed} NOT delivered{where}")
        if self.dead_letter_errors:
            parts.append(f"{self.dead_letter_errors} of them NOT written to the dead-letter file, lost "
                         f"({self.dead_letter_error})")
        if self.captured:
            where = f" in {self.capture_path}" if self.capture_path else ""
            parts.append(f"{self.captured} captured, not sent{where}")
        lines = ["alert delivery: " + ", ".join(parts)]
        for stats in self.handlers:
            if not (stats.delivered or stats.failed or stats.captured):
                continue
            line = f"  {stats.label}: {stats.delivered} delivered"
            if stats.captured:
                line = f"  {stats.label}: {stats.captured} captured (not sent)"
            if stats.failed:
                line += f", {stats.failed} failed ({stats.last_error})"
            lines.append(line)
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


class DeadLetters:
    """The dead-letter file: one JSON line per undelivered event. Thread-safe."""

    def __init__(self, path: str | None, report: Callable[[str], None] | None = None):
        self.path = path
        self._report = report or stderr_reporter()
        self._lock = threading.Lock()
        self._file = None  # opened at the first failure: no file means nothing was lost
        self.count = 0
        self.errors = 0  # records that could not be written (disk full, folder deleted, ...)
        self.last_error = ""

    def write(self, record: dict) -> None:
        if not self.path:
            return
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                if self._file is None:
                    self._file = open(self.path, "a", encoding="utf-8")
                self._file.write(line)
                self._file.flush()
            except OSError as error:  # reported and counted: the handler's worker keeps going
                self._lost(error)
                return
            self.count += 1

    def _lost(self, error: OSError) -> None:
        self.errors += 1
        self.last_error = f"{self.path}: {error.strerror or error}"
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None  # reopened for the next record: the folder may be back
        if self.errors == 1:
            self._report(f"tickpy: cannot write the dead-letter file {self.last_error}; undelivered alerts "
                         "are lost (counted in the summary)")

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError as error:
                self._lost(error)
            self._file = None


def payload_fields(payload: bytes) -> dict:
    """The payload as the dead-letter record keeps it: text when it is UTF-8, else base64."""
    try:
        return {"payload": payload.decode("utf-8")}
    except UnicodeDecodeError:
        import base64

        return {"payload_base64": base64.b64encode(payload).decode("ascii")}


class Worker:
    """A handler's bounded queue and the thread that empties it through `send`."""

    def __init__(self, stats: HandlerStats, send: Callable[[Delivery], None], dead_letters: DeadLetters,
                 report: Callable[[str], None], *, handler_id: str, retries: int = 0,
                 backoff_s: float = DEFAULT_BACKOFF_S, queue_size: int = DEFAULT_QUEUE_SIZE,
                 full_queue_patience_s: float = FULL_QUEUE_PATIENCE_S):
        self.stats = stats
        self.handler_id = handler_id
        self._send = send
        self._dead_letters = dead_letters
        self._report = report
        self._retries = retries
        self._backoff_s = backoff_s
        self._queue: deque[Delivery] = deque()
        self._queue_size = queue_size
        self._patience_s = full_queue_patience_s
        self._cond = threading.Condition()
        self._closing = False
        self._abort = threading.Event()  # set when the shutdown grace period is over
        self._degraded = False  # the endpoint failed its last event: no retries until it answers
        self._reported = 0
        self._last_progress = time.monotonic()  # when a delivery last started or finished
        self.failures: list[DeliveryFailure] = []
        self._thread = threading.Thread(target=self._run, name=f"tickpy-{stats.kind}", daemon=True)
        self._thread.start()

    # producer side (the engine's thread)
    def submit(self, delivery: Delivery) -> None:
        with self._cond:
            if len(self._queue) >= self._queue_size and not self._closing and not self._degraded:
                self._wait_for_room()
            if self._closing:
                full = "handler is shutting down"
            elif len(self._queue) >= self._queue_size:
                full = f"queue full ({self._queue_size} events waiting): the endpoint is too slow"
            else:
                self._queue.append(delivery)
                self._cond.notify_all()
                return
        self._fail(delivery, full, attempts=0)

    def _wait_for_room(self) -> None:
        """Block (holding the condition) while the queue is full and the endpoint makes progress:
        once one delivery has taken longer than the patience, full means dead-letter at once."""
        while len(self._queue) >= self._queue_size and not self._closing and not self._degraded:
            idle = time.monotonic() - self._last_progress
            if idle >= self._patience_s:
                return
            self._cond.wait(self._patience_s - idle)

    def reject(self, delivery: Delivery, error: str) -> None:
        """Count and dead-letter an event that could not even be prepared (a template failed)."""
        self._fail(delivery, error, attempts=0)

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def abort(self) -> None:
        """Stop trying: what is still queued is dead-lettered."""
        self._abort.set()
        self.close()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # worker side
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                delivery = self._queue.popleft()
                self._last_progress = time.monotonic()
                self._cond.notify_all()  # a producer may be waiting for room
            if self._abort.is_set():
                self._fail(delivery, "not delivered before shutdown", attempts=0)
                continue
            self._deliver(delivery)
            self._last_progress = time.monotonic()

    def _deliver(self, delivery: Delivery) -> None:
        allowed = 1 if self._degraded else 1 + self._retries
        delay = self._backoff_s
        attempt = 0
        while True:
            attempt += 1
            try:
                self._send(delivery)
            except DeliveryError as err:
                if err.retryable and attempt < allowed and not self._abort.is_set():
                    self.stats.retries += 1
                    if self._abort.wait(delay):
                        self._fail(delivery, f"{err} (shutdown during retries)", attempt)
                        return
                    delay = min(delay * 2, MAX_BACKOFF_S)
                    continue
                self._degraded = err.retryable
                self._fail(delivery, str(err), attempt)
                return
            except Exception as err:  # a bug or an OS surprise must not kill the worker silently
                self._fail(delivery, f"{type(err).__name__}: {err}", attempt)
                return
            self._degraded = False
            self.stats.delivered += 1
            return

    def _fail(self, delivery: Delivery, error: str, attempts: int) -> None:
        stats = self.stats
        stats.failed += 1
        stats.last_error = error
        failure = DeliveryFailure(stats.label, stats.kind, stats.target, delivery.event_id, error)
        self.failures.append(failure)
        record = {"handler": self.handler_id, "kind": stats.kind, "target": stats.target,
                  "topic": delivery.topic, "event_id": delivery.event_id, "level": delivery.level,
                  "error": error, "attempts": attempts}
        record.update(payload_fields(delivery.payload))
        self._dead_letters.write(record)
        self._reported += 1
        if self._reported <= REPORTED_FAILURES_PER_HANDLER:
            self._report(f"tickpy: {stats.kind} handler {stats.target}: event {delivery.event_id!r} at "
                         f"{format_time_rfc3339nano(delivery.time_ns)} not delivered: {error}")
            if self._reported == REPORTED_FAILURES_PER_HANDLER:
                self._report(f"tickpy: {stats.kind} handler {stats.target}: further failures are counted in the summary")


def stderr_reporter(stream: TextIO | None = None) -> Callable[[str], None]:
    lock = threading.Lock()

    def report(line: str) -> None:
        with lock:
            target = stream or sys.stderr
            target.write(line + "\n")
            target.flush()

    return report


def wait_all(workers: list[Worker], grace_s: float | None, on_abort: Callable[[], None] | None = None) -> bool:
    """Close every worker and wait; after `grace_s` seconds the rest is dead-lettered (and
    `on_abort` is called once, e.g. to kill exec programs still running). True if none aborted."""
    for worker in workers:
        worker.close()
    deadline = None if grace_s is None else time.monotonic() + grace_s
    clean = True
    for worker in workers:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not worker.join(remaining):
            if clean and on_abort is not None:
                on_abort()
            clean = False
            worker.abort()
    for worker in workers:
        worker.join()
    return clean

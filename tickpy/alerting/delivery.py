"""Delivery that does not lose alerts.

Every handler that talks to something outside the process (tcp, post, exec, log) gets a
`Worker`: a thread with a bounded queue, so a slow or dead endpoint holds up only its own
handler. tcp and post retry with exponential backoff a bounded number of times. A circuit breaker
bounds what a dead or stuck endpoint costs: once an alert has failed (after its retries) and the
last `breaker_failures` attempts in a row failed (connection refused or reset, timeouts, HTTP
5xx, an exec program killed for its time limit), the handler's next alerts are dead-lettered
without an attempt for `breaker_cooldown_s` seconds, reported in one line; then one attempt
tells whether the endpoint is back. Whatever is not delivered goes to the dead-letter file with
the exact payload, and is counted in the `DeliverySummary`.

Kapacitor drops an event when a handler's buffer (5000 events) is full; tickpy dead-letters it.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TextIO

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
DEFAULT_BREAKER_FAILURES = 3
DEFAULT_BREAKER_COOLDOWN_S = 10.0
# At the end of a run, how long the wait for queued alerts goes on before it says what it waits
# for, and how often it looks at the signals meanwhile.
DRAIN_NOTICE_S = 1.0
DRAIN_POLL_S = 0.05


class DeliveryError(Exception):
    """A failed attempt. `retryable` says whether trying again could help; `breaks`, whether the
    failure says the endpoint is down or stuck (it counts towards the circuit breaker): by default,
    when it is retryable."""

    def __init__(self, message: str, retryable: bool = True, breaks: bool | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.breaks = retryable if breaks is None else breaks


class Interruption:
    """How a shutdown cuts short the attempt under way on a worker's thread. A sender wraps each
    step that can block in `cuttable(cut)`; `interrupt()`, from another thread, calls the cuts of
    the steps under way (shut a socket down, kill a process group), and makes any later step fail
    at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cuts: list[Callable[[], object]] = []
        self.requested = False

    @contextmanager
    def cuttable(self, cut: Callable[[], object]) -> Iterator[None]:
        with self._lock:
            if self.requested:
                raise DeliveryError("not attempted: shutting down", retryable=False)
            self._cuts.append(cut)
        try:
            yield
        finally:
            with self._lock:
                self._cuts.remove(cut)

    def interrupt(self) -> None:
        with self._lock:
            self.requested = True
            for cut in self._cuts:
                cut()  # under the lock: the sender cannot close what is being cut meanwhile


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
    skipped: int = 0  # of those, dead-lettered without an attempt (circuit breaker open)
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
                skipped = f", {stats.skipped} of them not attempted: circuit breaker" if stats.skipped else ""
                line += f", {stats.failed} failed ({stats.last_error}{skipped})"
            lines.append(line)
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


class DeadLetters:
    """The dead-letter file: one JSON line per undelivered event. Thread-safe."""

    def __init__(self, path: str | None, report: Callable[[str], None] | None = None):
        self.path = path
        self._report = report or stderr_reporter()
        self._lock = threading.Lock()
        self._file: TextIO | None = None  # opened at the first failure: no file means nothing was lost
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
        return {"payload_base64": base64.b64encode(payload).decode("ascii")}


class Worker:
    """A handler's bounded queue and the thread that empties it through `send`."""

    def __init__(self, stats: HandlerStats, send: Callable[[Delivery, Interruption], None],
                 dead_letters: DeadLetters, report: Callable[[str], None], *, handler_id: str, retries: int = 0,
                 backoff_s: float = DEFAULT_BACKOFF_S, queue_size: int = DEFAULT_QUEUE_SIZE,
                 full_queue_patience_s: float = FULL_QUEUE_PATIENCE_S,
                 breaker_failures: int = DEFAULT_BREAKER_FAILURES,
                 breaker_cooldown_s: float = DEFAULT_BREAKER_COOLDOWN_S):
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
        self.interruption = Interruption()
        self._busy = False  # a delivery is under way
        self._breaker_failures = breaker_failures  # 0: no circuit breaker
        self._cooldown_s = breaker_cooldown_s
        self._failures_in_a_row = 0  # failed attempts that say the endpoint is down or stuck
        self._open_until: float | None = None  # the circuit breaker is open (or half-open past it)
        self._opened_by = ""  # the failure that opened it
        self._skipped_while_open = 0
        self._reported = 0
        self._last_progress = time.monotonic()  # when a delivery last started or finished
        self.failures: list[DeliveryFailure] = []
        self._thread = threading.Thread(target=self._run, name=f"tickpy-{stats.kind}", daemon=True)
        self._thread.start()

    # producer side (the engine's thread)
    def submit(self, delivery: Delivery) -> None:
        with self._cond:
            if len(self._queue) >= self._queue_size and not self._closing:
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
        while len(self._queue) >= self._queue_size and not self._closing:
            idle = time.monotonic() - self._last_progress
            if idle >= self._patience_s:
                return
            self._cond.wait(self._patience_s - idle)

    def reject(self, delivery: Delivery, error: str) -> None:
        """Count and dead-letter an event that could not even be prepared (a template failed)."""
        self._fail(delivery, error, attempts=0)

    def pending(self) -> int:
        """Alerts queued or being delivered."""
        with self._cond:
            return len(self._queue) + self._busy

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def abort(self) -> None:
        """Stop trying: the attempt under way is cut short, what is still queued dead-lettered."""
        self._abort.set()
        self.close()
        self.interruption.interrupt()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def alive(self) -> bool:
        return self._thread.is_alive()

    # worker side
    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    break
                delivery = self._queue.popleft()
                self._busy = True
                self._last_progress = time.monotonic()
                self._cond.notify_all()  # a producer may be waiting for room
            try:
                if self._abort.is_set():
                    self._fail(delivery, "not delivered before shutdown", attempts=0)
                elif self._open_until is not None and time.monotonic() < self._open_until:
                    self._skip(delivery)
                else:
                    self._deliver(delivery)
            finally:
                with self._cond:
                    self._busy = False
                self._last_progress = time.monotonic()
        self._report_skipped()

    def _deliver(self, delivery: Delivery) -> None:
        probing = self._open_until is not None  # the cool-down is over: one attempt says if it is back
        if probing:
            self._report_skipped()
        allowed = 1 if probing else 1 + self._retries
        delay = self._backoff_s
        attempt = 0
        while True:
            attempt += 1
            try:
                self._send(delivery, self.interruption)
            except DeliveryError as err:
                error = str(err)
                if self.interruption.requested:
                    self._fail(delivery, f"{error} (the attempt was cut short by the shutdown)", attempt)
                    return
                self._failures_in_a_row = self._failures_in_a_row + 1 if err.breaks else 0
                if err.retryable and attempt < allowed and not self._abort.is_set():
                    self.stats.retries += 1
                    if self._abort.wait(delay):
                        self._fail(delivery, f"{error} (shutdown during retries)", attempt)
                        return
                    delay = min(delay * 2, MAX_BACKOFF_S)
                    continue
                # Checked once the alert has had its retries, so that each alert gets them all.
                if self._breaker_failures and self._failures_in_a_row >= self._breaker_failures:
                    self._open_until = time.monotonic() + self._cooldown_s
                    self._opened_by = error
                self._fail(delivery, error, attempt)
                return
            except Exception as err:  # a bug or an OS surprise must not kill the worker silently
                self._fail(delivery, f"{type(err).__name__}: {err}", attempt)
                return
            self._failures_in_a_row = 0
            self._open_until = None
            self.stats.delivered += 1
            return

    def _skip(self, delivery: Delivery) -> None:
        """Dead-letter without an attempt while the circuit breaker is open."""
        self.stats.skipped += 1
        self._skipped_while_open += 1
        self._fail(delivery, f"not attempted: circuit breaker open after {self._failures_in_a_row} failed attempts "
                             f"in a row (last: {self._opened_by})", attempts=0, quiet=True)

    def _report_skipped(self) -> None:
        count, self._skipped_while_open = self._skipped_while_open, 0
        if count:
            self._report(f"tickpy: {self.stats.label}: {count} alert{'s' if count != 1 else ''} dead-lettered without "
                         f"an attempt: the circuit breaker opened after {self._breaker_failures} failed attempts in a "
                         f"row ({self._opened_by}) and stays open {self._cooldown_s:g}s at a time")

    def _fail(self, delivery: Delivery, error: str, attempts: int, quiet: bool = False) -> None:
        stats = self.stats
        stats.failed += 1
        if not quiet:
            stats.last_error = error
        failure = DeliveryFailure(stats.label, stats.kind, stats.target, delivery.event_id, error)
        self.failures.append(failure)
        record = {"handler": self.handler_id, "kind": stats.kind, "target": stats.target,
                  "topic": delivery.topic, "event_id": delivery.event_id, "level": delivery.level,
                  "error": error, "attempts": attempts}
        record.update(payload_fields(delivery.payload))
        self._dead_letters.write(record)
        if quiet:
            return
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


class SignalCount(Protocol):
    """What the drain reads of the run's signal handler (tickpy.alerting.shutdown.ShutdownSignals)."""

    count: int


def wait_all(workers: list[Worker], grace_s: float | None, *, interrupted: bool = False,
             signals: SignalCount | None = None, notice: Callable[[str], None] | None = None) -> bool:
    """Close every worker and wait until each has emptied its queue. After an interruption
    (`interrupted`: a signal came before; or one that `signals` counts comes during the wait) the
    queues get `grace_s` more seconds (None: no limit); then, or at once when a further signal
    comes, the attempts under way are cut short and what is left is dead-lettered. `notice` is
    told what the wait is for (once it has lasted DRAIN_NOTICE_S, when `signals` is given, and at
    each interruption). True if nothing was cut short."""
    for worker in workers:
        worker.close()
    started = time.monotonic()
    deadline = started + grace_s if interrupted and grace_s is not None else None
    seen = signals.count if signals is not None else 0
    noticed = False
    if interrupted and notice is not None:
        noticed = _tell(notice, workers, "stopping", _grace_words(grace_s))
    while True:
        busy = [worker for worker in workers if worker.alive()]
        if not busy:
            return True
        now = time.monotonic()
        if signals is not None and signals.count > seen:
            new, seen = signals.count - seen, signals.count
            if interrupted or new > 1:  # a second signal (two may come between two looks)
                break
            interrupted = True
            deadline = None if grace_s is None else now + grace_s
            if notice is not None:
                noticed = _tell(notice, workers, "stopping", _grace_words(grace_s))
        if deadline is not None and now >= deadline:
            break
        if notice is not None and signals is not None and not noticed and now - started >= DRAIN_NOTICE_S:
            noticed = _tell(notice, workers, "", "waiting for them; Ctrl-C (or SIGTERM) to stop waiting")
        busy[0].join(DRAIN_POLL_S)
    if notice is not None:
        _tell(notice, workers, "stopping now", "dead-lettering them")
    for worker in workers:
        worker.abort()
    for worker in workers:
        worker.join()
    return False


def _grace_words(grace_s: float | None) -> str:
    limit = f"they get {grace_s:g}s to be delivered, then are dead-lettered" if grace_s is not None else \
        "they are delivered however long it takes"
    return f"{limit}; a second signal dead-letters them at once"


def _tell(notice: Callable[[str], None], workers: list[Worker], state: str, what: str) -> bool:
    counts = [(worker.pending(), worker.stats.label) for worker in workers]
    counts = [(count, label) for count, label in counts if count]
    total = sum(count for count, _ in counts)
    if total:
        where = "; ".join(f"{count} to {label}" for count, label in counts)
        notice(f"tickpy: {state + ': ' if state else ''}{total} alert{'s' if total != 1 else ''} not delivered "
               f"yet ({where}): {what}")
    return True

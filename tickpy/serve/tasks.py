"""A task of `tickpy serve`: its definition (what Kapacitor's task store keeps) and, while it is
enabled, its runner: one thread that pushes the task's points through the compiled task, fed by a
bounded queue."""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from tickpy import api
from tickpy.check.inputs import var_value

NODE_ERRORS_LOGGED = 10  # per task; the rest are counted
TICK_EVERY_S = 0.05  # how often an idle task with stats()/deadman() looks at the clock


@dataclass(slots=True)
class TaskDefinition:
    id: str
    type: str  # "stream" or "batch"
    dbrps: list[tuple[str, str]]
    script: str
    vars: dict[str, Any] = field(default_factory=dict)  # Kapacitor's client form: name -> {type, value}
    status: str = "disabled"
    template_id: str = ""
    created_ns: int = 0
    modified_ns: int = 0
    last_enabled_ns: int = 0  # 0: never
    error: str = ""

    def to_record(self) -> dict:
        record = asdict(self)
        record["dbrps"] = [list(pair) for pair in self.dbrps]
        return record

    @classmethod
    def from_record(cls, record: dict) -> TaskDefinition:
        record = dict(record)
        record["dbrps"] = [tuple(pair) for pair in record.get("dbrps", [])]
        return cls(**record)


def variables_for_run(client_vars: dict[str, Any]) -> dict[str, Any] | None:
    """Kapacitor's client vars ({"type": ..., "value": ...}) as the checker takes them
    (TickpyError for a value that is not of its type)."""
    return {name: var_value(name, entry, "vars") for name, entry in client_vars.items()} or None


class TaskRunner:
    """Runs one enabled task on its own thread. `put` never blocks: the server asks `has_room`
    first (under its ingest lock), so a write is queued for every task or for none."""

    def __init__(self, definition: TaskDefinition, compile_task, capacity: int, log=None):
        """`compile_task(on_node_error)` gives the api.Task (raising TickpyError)."""
        self.definition = definition
        self.capacity = capacity
        self._batches: deque[list] = deque()
        self._queued = 0  # points queued or being processed
        self._cond = threading.Condition()
        self._closing = False
        self._log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.points_received = 0
        self.points_processed = 0
        self.node_errors = 0
        self.failed: str | None = None
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"tickpy-task-{definition.id}", daemon=True)
        self.task: api.Task = compile_task(self.on_node_error)

    def start(self) -> None:
        self._thread.start()

    @property
    def queued(self) -> int:
        return self._queued

    def has_room(self, count: int) -> bool:
        # An empty queue takes any batch: a write larger than the queue still gets in alone.
        return self.failed is None and (self._queued == 0 or self._queued + count <= self.capacity)

    def put(self, points: list) -> None:
        with self._cond:
            self._batches.append(points)
            self._queued += len(points)
            self.points_received += len(points)
            self._cond.notify_all()

    def stop(self) -> None:
        """Process what is queued, then end (the task finishes as at the end of input)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread.ident is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _points(self):
        # Between two batches (never inside one) the clock-driven nodes tick: stats(), deadman().
        compiled = self.task.compiled
        ticking = compiled.ticks
        if ticking:
            compiled.tick(time.time_ns())
        while True:
            with self._cond:
                if not self._batches and not self._closing:
                    self._cond.wait(TICK_EVERY_S if ticking else None)
                if self._batches:
                    batch = self._batches.popleft()
                elif self._closing:
                    return
                else:
                    batch = None
            if ticking:  # outside the lock: an alert may wait for its handler's queue
                compiled.tick(time.time_ns())
            if batch is None:
                continue
            try:
                yield from batch
            finally:
                with self._cond:
                    self._queued -= len(batch)
                    self.points_processed += len(batch)
                    self._cond.notify_all()

    def _run(self) -> None:
        try:
            self.task.run(self._points())
        except Exception as error:  # a bug in tickpy: the task stops, the server goes on
            self.failed = f"{type(error).__name__}: {error}"
            self._log(f"tickpy serve: task {self.definition.id} stopped: internal error: {self.failed}")
            with self._cond:
                self._batches.clear()
                self._queued = 0
                self._cond.notify_all()

    def on_node_error(self, error) -> None:
        self.node_errors += 1
        if self.node_errors <= NODE_ERRORS_LOGGED:
            self._log(error.log_line(self.definition.id))
            if self.node_errors == NODE_ERRORS_LOGGED:
                self._log(f"tickpy serve: task {self.definition.id}: further node errors are counted "
                          "(/kapacitor/v1/debug/vars)")

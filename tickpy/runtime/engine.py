"""Running a task: compile a checked pipeline into runtime nodes and push points through it.

    compile_task(pipeline, ctx) -> CompiledTask   one Pipeline, one RunContext
    CompiledTask.run(points) / .finish()         push points; close what Kapacitor closes at the end
    CompiledTask.advance_clock(time)             timer-driven nodes (stats, barrier) act as if no data came
    CompiledTask.tick(now)                       stats() on the wall clock (with ctx.wall_clock_ticks)
    with WallClock(task): task.run(points)       ... ticked by a thread while the points are read

`tickpy.api.run` wires this to an alert service and returns a `RunResult`: alerts (list[AlertEvent]
in the order the alert nodes produced them), alert_counts (level -> number of events), httpout
(endpoint name -> result dict; `httpout_json(name)` gives the exact JSON text), influxdb_lines,
stats (node label -> counters), input_errors, node_errors, delivery_failures, points_read,
delivery_summary, interrupted_by, alert_service.
"""

from __future__ import annotations

import shlex
import threading
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tickpy.check import build_pipeline
from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.golang import gojson
from tickpy.runtime.nodes.base import NodeError, ParentPort, RunContext, RuntimeNode, lookup
from tickpy.runtime.nodes.basic import StreamNode
from tickpy.syntax import parse


@dataclass(slots=True, eq=False)
class CompiledTask:
    """The runtime nodes of one task, in pipeline (node id) order; `root` is the stream node."""

    ctx: RunContext
    nodes: list[RuntimeNode]
    specs: list[Any]
    points_read: int = 0
    # Held around each point while a WallClock ticks in another thread.
    lock: Any = None

    @property
    def root(self) -> StreamNode:
        root = self.nodes[0]
        assert isinstance(root, StreamNode), "compile_task builds stream tasks only"
        return root

    def run(self, points: Iterable[Any]) -> int:
        """Push every point through the task; returns how many were read."""
        root = self.root
        fast = getattr(root, "fast_ingest", None)
        ingest = fast() if fast is not None else root.ingest
        skips_root = getattr(ingest, "__self__", None) is not root
        if self.lock is not None:
            ingest = _holding(self.lock, ingest)
        count = 0
        try:
            for count, point in enumerate(points, 1):  # noqa: B007  (count is read after the loop)
                ingest(point)
        finally:
            if skips_root:
                root.count_fast_ingested(count)  # the stream node was skipped
            self.points_read += count
        return count

    @property
    def ticks(self) -> bool:
        """Whether some node (stats(), so deadman()) ticks with time."""
        return bool(self.ctx.shared.get("time_listeners"))

    def tick(self, now_ns: int) -> None:
        """The wall clock reached `now_ns` (with `ctx.wall_clock_ticks`): the nodes that tick
        emit what is due. Called between two points, from the thread that runs the task."""
        for listener in self.ctx.shared.get("time_listeners", ()):
            listener.advance(now_ns)

    def finish(self) -> None:
        for node in self.nodes:
            node.finish()

    def advance_clock(self, time: int) -> None:
        """Move the clock of the timer-driven nodes (stats, so deadman; barrier) to `time`
        without data: what they would do on a server that got no points until then."""
        for node in self.nodes:
            node.advance_clock(time)

    def stats(self) -> dict[str, dict[str, Any]]:
        stats: dict[str, dict[str, Any]] = {}
        by_id = {spec.id: node for spec, node in zip(self.specs, self.nodes)}
        for spec, node in zip(self.specs, self.nodes):
            points_in = sum(by_id[p.id].points_out for p in spec.parents if p.id in by_id)
            batches_in = sum(by_id[p.id].batches_out for p in spec.parents if p.id in by_id)
            if spec is self.specs[0]:
                points_in = node.points_out
            entry = {
                "type": spec.type,
                "points_in": points_in,
                "points_out": node.points_out,
                "batches_in": batches_in,
                "batches_out": node.batches_out,
                "errors": node.errors,
            }
            if spec is self.specs[0]:
                # The points read that the task was not handed (stream0 does not count them).
                root = self.root
                entry["ignored_other_dbrps"] = root.ignored_other_dbrps
                entry["ignored_other_measurements"] = root.ignored_other_measurements
            entry.update(node.extra_stats())
            stats[node.label] = entry
        return stats

    def httpout(self) -> dict[str, Any]:
        results = {}
        for node in self.nodes:
            result = getattr(node, "result", None)
            endpoint = getattr(node, "endpoint", None)
            if result is not None and endpoint is not None:
                results[endpoint] = result()
        return results


def _holding(lock, ingest: Callable[[Any], None]) -> Callable[[Any], None]:
    def ingest_holding_lock(point) -> None:
        with lock:
            ingest(point)
    return ingest_holding_lock


class WallClock:
    """A task's stats() (so deadman()) on the wall clock while its points are read, as Kapacitor's
    ticker runs them: a thread calls `tick` every TICK_S, between two points (the task's lock).
    A node error there is the task's; any other exception is raised on exit. (barrier() stays on
    the data's time.)"""

    TICK_S = 0.05

    def __init__(self, task: CompiledTask, now: Callable[[], int] = _time.time_ns):
        self.task = task
        self.now = now
        self.timed = task.ticks
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def __enter__(self) -> WallClock:
        if not self.timed:
            return self
        task = self.task
        task.lock = threading.Lock()
        task.ctx.wall_clock_ticks = True  # the stream node stops ticking them on event time
        task.tick(self.now())
        self._thread = threading.Thread(target=self._tick, name="tickpy-wall-clock", daemon=True)
        self._thread.start()
        return self

    def _tick(self) -> None:
        task = self.task
        while not self._stop.wait(self.TICK_S):
            try:
                with task.lock:
                    task.tick(self.now())
            except BaseException as error:  # handed to the main thread by __exit__
                self.error = error
                return

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self.task.lock = None
        if self.error is not None and exc is None:
            raise self.error


def unsupported_diagnostic(spec) -> Diagnostic:
    span = spec.span
    if spec.type in ("BatchNode", "QueryNode", "QueryFluxNode"):
        message = (f"batch tasks are not supported by tickpy run yet (node {spec.label}): "
                   "it runs stream tasks over recorded points")
    else:
        first, *rest = spec.name.split("_")
        method = first + "".join(part[:1].upper() + part[1:] for part in rest)  # k8s_autoscale -> k8sAutoscale
        message = f"node {spec.label} (|{method}()) is not supported by tickpy run yet"
    return Diagnostic(
        message,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        code="unsupported",
    )


def compile_task(pipeline, ctx: RunContext) -> CompiledTask:
    """Build the runtime nodes of `pipeline` (all lambdas compiled, all nodes checked)."""
    if pipeline.root.type != "StreamNode":
        raise TickpyError(unsupported_diagnostic(pipeline.root))
    missing = [spec for spec in pipeline.nodes if lookup(spec.type, spec.name) is None]
    if missing:
        raise TickpyError([unsupported_diagnostic(spec) for spec in missing])
    nodes: dict[int, RuntimeNode] = {}
    ctx.shared["nodes_by_id"] = nodes  # nodes built so far, for nodes that watch another (stats)
    ordered: list[RuntimeNode] = []
    problems: list[Diagnostic] = []
    for spec in pipeline.nodes:
        cls = lookup(spec.type, spec.name)
        assert cls is not None, "the nodes tickpy cannot run were refused above"
        try:
            node = cls(spec, ctx)
        except TickpyError as error:
            problems.extend(error.diagnostics)
            continue
        nodes[spec.id] = node
        ordered.append(node)
    if problems:
        raise TickpyError(problems)
    for spec in pipeline.nodes:
        parent = nodes[spec.id]
        for child_spec in spec.children:
            child = nodes[child_spec.id]
            if len(child_spec.parents) > 1:
                index = next(i for i, p in enumerate(child_spec.parents) if p is spec)
                parent.children.append(ParentPort(child, index))
            else:
                parent.children.append(child)
    return CompiledTask(ctx, ordered, list(pipeline.nodes))


# --------------------------------------------------------------------------- results


@dataclass(slots=True, eq=False)
class RunResult:
    alerts: list = field(default_factory=list)
    alert_counts: dict[str, int] = field(default_factory=dict)  # level -> events
    httpout: dict[str, Any] = field(default_factory=dict)
    influxdb_lines: list[str] = field(default_factory=list)
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    input_errors: list = field(default_factory=list)
    node_errors: list[NodeError] = field(default_factory=list)
    delivery_failures: list = field(default_factory=list)
    points_read: int = 0
    task_name: str = ""
    # The alert service's delivery summary (None without one).
    delivery_summary: Any = None
    # The signal (SIGINT 2, SIGTERM 15) that stopped reading, 0 if none.
    interrupted_by: int = 0
    # The alert service the task delivered through (its topics outlive the run).
    alert_service: Any = None

    def httpout_json(self, name: str) -> str:
        """The exact JSON `GET .../tasks/<task>/<name>` would answer with."""
        return gojson.dumps(self.httpout[name])

    @property
    def delivered_ok(self) -> bool:
        return not self.delivery_failures


# --------------------------------------------------------------------------- loading


def load_pipeline(source: str, path: str = "<script>", task_type: str | None = None, variables=None):
    """Parse and check a script into its Pipeline; raises TickpyError with diagnostics."""
    program = parse(source, path)
    # A run needs a task, never a template: a var declared without a value is an error here.
    return build_pipeline(program, task_type=task_type, variables=variables, template=False)


def parse_dbrp(dbrp) -> tuple[str, str] | None:
    """("db", "rp") from "db.rp" or a pair; None when not given."""
    if dbrp is None:
        return None
    if isinstance(dbrp, (tuple, list)):
        return str(dbrp[0]), str(dbrp[1])
    text = str(dbrp)
    if text.startswith('"'):
        # "db"."rp" with quotes (names may hold dots)
        parts = [p for p in shlex.split(text.replace('"."', '" "'))]
        if len(parts) == 2:
            return parts[0], parts[1]
    database, dot, retention_policy = text.partition(".")
    if not dot or not database or not retention_policy:
        raise ValueError(f"invalid dbrp {text!r}: expected DB.RP")
    return database, retention_policy


def default_task_name(path: str | None) -> str:
    if not path or path.startswith("<"):
        return "task"
    return Path(path).stem or "task"


__all__ = [
    "CompiledTask",
    "RunResult",
    "compile_task",
    "default_task_name",
    "load_pipeline",
    "parse_dbrp",
]

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

import heapq
import shlex
import threading
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from tickpy.check import build_pipeline
from tickpy.check.evaluate import sorted_nodes
from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.golang import gojson
from tickpy.runtime.brpl import replay_order
from tickpy.runtime.groups import install_group_bounds
from tickpy.runtime.messages import BatchMessage
from tickpy.runtime.nodes.base import NodeError, ParentPort, RunContext, RuntimeNode, lookup
from tickpy.runtime.nodes.basic import StreamNode
from tickpy.runtime.nodes.batch import BatchNode, QueryNode
from tickpy.syntax import parse


@dataclass(slots=True, eq=False)
class CompiledTask:
    """The runtime nodes of one task, in pipeline (node id) order; `root` is the stream or batch node."""

    ctx: RunContext
    nodes: list[RuntimeNode]
    specs: list[Any]
    points_read: int = 0
    # Held around each point while a WallClock ticks in another thread.
    lock: Any = None

    @property
    def root(self) -> RuntimeNode:
        """The stream node of a stream task, the batch node of a batch task."""
        return self.nodes[0]

    @property
    def is_batch(self) -> bool:
        return isinstance(self.nodes[0], BatchNode)

    @property
    def query_nodes(self) -> list[QueryNode]:
        """A batch task's query nodes in Kapacitor's walk order: the order of the batch node's
        edges, and so of a replay's recordings."""
        by_id = {spec.id: node for spec, node in zip(self.specs, self.nodes)}
        return [cast(QueryNode, by_id[spec.id]) for spec in sorted_nodes([self.specs[0]]) if spec.type == "QueryNode"]

    def run(self, points: Iterable[Any]) -> int:
        """Push every point through a stream task; returns how many were read."""
        root = self.root
        assert isinstance(root, StreamNode), "a batch task is handed batches (replay, query_runs)"
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

    def replay(self, recordings: list[list[BatchMessage]]) -> int:
        """Replay a batch task's recordings (one per query node, `tickpy.runtime.brpl`) as
        `kapacitor replay -rec-time` does; returns how many points they held."""
        queries = self.query_nodes
        if len(recordings) != len(queries):
            raise TickpyError(Diagnostic(
                f"unexpected number of batch collectors. exp {len(recordings)} got {len(queries)}: the task has "
                f"{len(queries)} query node{'s' if len(queries) != 1 else ''}, give one recording for each, in "
                "the script's order", code="usage"))
        for index, batch in replay_order(recordings):
            self.points_read += len(batch.points)
            self.hand_batch(index, batch, replayed=True)
        return self.points_read

    def hand_batch(self, index: int, batch: BatchMessage, replayed: bool = False) -> None:
        """One batch of query node number `index`: the nodes on event time see its time first."""
        for listener in self.ctx.shared.get("time_listeners", ()):
            listener.advance(batch.tmax)
        root = self.root
        assert isinstance(root, BatchNode), "batches are handed to a batch task"
        root.hand(index, batch, replayed)

    def run_queries(self, database, start: int | None, stop: int | None, first: int | None,
                    last: int | None) -> int:
        """Run a batch task's queries against `database` (anything with `select(plan, db, rp)`),
        each query node on its schedule (QueryNode.runs), all of them in the order of their
        ticks (the script's walk order for the same tick); returns how many runs were made."""
        queries = self.query_nodes
        pending = []
        for index, query in enumerate(queries):
            windows = query.runs(start, stop, first, last)
            window = next(windows, None)
            if window is not None:
                pending.append((window.tick, index, window, windows))
        heapq.heapify(pending)
        count = 0
        while pending:
            _, index, window, windows = heapq.heappop(pending)
            count += 1
            self._run_query(index, queries[index], window, database)
            following = next(windows, None)
            if following is not None:
                heapq.heappush(pending, (following.tick, index, following, windows))
        return count

    def _run_query(self, index: int, query: QueryNode, window, database) -> None:
        for listener in self.ctx.shared.get("time_listeners", ()):
            listener.advance(window.tick)
        for batch in query.run(window, database, (self.ctx.database, self.ctx.retention_policy)):
            self.hand_batch(index, batch)

    def finish(self) -> None:
        for node in self.nodes:
            node.finish()

    def close(self) -> None:
        """End what nodes keep running outside the task (UDF agents): after `finish`, or instead
        of it when the task stopped early. Idempotent."""
        close_nodes(self.nodes)
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
            if spec is self.specs[0] and isinstance(self.root, StreamNode):
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
    if spec.type == "QueryFluxNode":
        message = f"queryFlux() is not supported by tickpy run yet (node {spec.label}): only InfluxQL queries are"
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
    if pipeline.root.type not in ("StreamNode", "BatchNode"):
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
        close_nodes(ordered)
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
    install_group_bounds(ordered[0], ordered, ctx)
    compiled = CompiledTask(ctx, ordered, list(pipeline.nodes))
    root = compiled.root
    if isinstance(root, BatchNode):
        # Kapacitor links the batch node's edges to its query nodes in its walk order.
        root.queries = compiled.query_nodes
        root.children = list(root.queries)
    return compiled


def close_nodes(nodes: list[RuntimeNode]) -> None:
    for node in nodes:
        close = getattr(node, "close", None)
        if close is not None:
            close()


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
    # A batch task: the points the embedded database refused, (point, InfluxDB's reason), and
    # how many query runs were made (None: the task ran no queries, a stream task or a replay).
    points_dropped: list = field(default_factory=list)
    query_runs: int | None = None
    # What stopped the task before the end of its input (a TaskFailed: a UDF that failed), or None.
    task_error: Any = None
    # The GroupLimitExceeded that stopped reading (RunOptions.max_groups), None if none.
    group_limit: Any = None

    def httpout_json(self, name: str) -> str:
        """The exact JSON `GET .../tasks/<task>/<name>` would answer with."""
        return gojson.dumps(self.httpout[name])

    @property
    def delivered_ok(self) -> bool:
        return not self.delivery_failures


# --------------------------------------------------------------------------- loading


def load_pipeline(source: str, path: str = "<script>", task_type: str | None = None, variables=None, udfs=None):
    """Parse and check a script into its Pipeline; raises TickpyError with diagnostics. `udfs`:
    name -> UDFInfo of the UDFs the run has."""
    program = parse(source, path)
    # A run needs a task, never a template: a var declared without a value is an error here.
    return build_pipeline(program, task_type=task_type, variables=variables, template=False, udfs=udfs)


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
    "close_nodes",
    "compile_task",
    "default_task_name",
    "load_pipeline",
    "parse_dbrp",
]

"""Running a task: compile a checked pipeline into runtime nodes and push points through it.

Stable Python API (used by `tickpy run` and `tickpy test`):

    run_task(source, points, *, path="<script>", task_name=None, dbrp=None, handlers=(),
             config=None, alert_service=None, flush=False, task_type=None, variables=None,
             input_errors=None, on_node_error=None, line_sink=None, log_sink=None,
             clock=None, report=None, interruptible=False, on_compiled=None,
             keep_alerts=True, dead_letter=None, capture=None) -> RunResult

        `source`: the TICKscript text; `path`: its name in diagnostics.
        `points`: an iterable of `tickpy.runtime.point.Point` (or anything with `name`, `tags`,
            `fields`, `time`), in input order.
        `task_name`: default: the script file's stem ("task" without a path).
        `dbrp`: ("db", "rp") or "db.rp"; default: the script's first `dbrp` statement.
        `handlers`: topic handler files/directories (paths) given to the alert service.
        `config`: the Kapacitor configuration: a TOML file path or a parsed dict
            (`httppost` endpoints with headers, ...).
        `alert_service`: an already built alert service (then `handlers`, `config`,
            `dead_letter` and `capture` are its own, and the caller closes it).
        `flush`: close open windows at the end of input (Kapacitor never does).
        `input_errors`: the caller's list of input `LineError`s, copied into the result.
        `on_node_error`: called with every `NodeError` as it happens (the CLI prints them).
        `line_sink`: called with each line influxDBOut writes; `log_sink`: each log-node line.
        `report`: where the alert service reports delivery problems (default: stderr).
        `keep_alerts`: False keeps only `alert_counts` (long runs: events are not held in memory).
        `interruptible`: SIGINT/SIGTERM stop reading; queued alerts get 5 s to be delivered
            (else dead-lettered); `RunResult.interrupted_by` is the signal. Main thread only.
        `on_compiled`: called with the `CompiledTask` before any point is read (tickpy.observe
            wraps edges there for --trace/--stats; nothing is wrapped when it is None).
        `dead_letter`: a file path; each event a tcp/post/exec/log handler could not deliver
            (after retries) is appended there as one JSON line (handler, kind, target, topic,
            event_id, level, error, attempts, and `payload`: the exact bytes it would have sent,
            as text, or `payload_base64`). Counted in `delivery_summary.failed` either way;
            without a file they are only counted and reported. The file is created only when
            something fails.
        `capture`: a file path; what handlers for external services (slack, pagerduty, smtp,
            ...) would send is appended there as JSON lines marked `"sent": false`, instead of
            one "captured (not sent)" line per event on stderr. tickpy never contacts them.
        An unwritable `dead_letter` or `capture` path is a TickpyError before any point is read.

        Raises `TickpyError` (with diagnostics) for script errors, unsupported nodes and bad
        handler files, before any point is read.

    compile_task(pipeline, ctx) -> CompiledTask        (lower level: one Pipeline, one context)

`RunResult` fields: alerts (list[AlertEvent] in the order the alert nodes produced them),
alert_counts (level -> number of events),
httpout (endpoint name -> result dict, Kapacitor's result JSON as data; `httpout_json(name)`
gives the exact JSON text), influxdb_lines, stats (node label -> counters), input_errors,
node_errors, delivery_failures, points_read, delivery_summary, interrupted_by, alert_service
(the service used, closed when run_task built it: `topics_summary()` is the `--topics` table,
`topic_states()` each topic's event levels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from tickpy.alerting import gojson
from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.lang.depth import recursion_room
from tickpy.runtime.nodes.base import NodeError, ParentPort, RunContext, RuntimeNode, lookup


@dataclass(slots=True, eq=False)
class CompiledTask:
    """The runtime nodes of one task, in pipeline (node id) order; `root` is the stream node."""

    ctx: RunContext
    nodes: list[RuntimeNode]
    specs: list[Any]
    points_read: int = 0

    @property
    def root(self) -> RuntimeNode:
        return self.nodes[0]

    def run(self, points: Iterable[Any]) -> int:
        """Push every point through the task; returns how many were read."""
        root = self.root
        fast = getattr(root, "fast_ingest", None)
        ingest = fast() if fast is not None else root.ingest
        count = 0
        try:
            for count, point in enumerate(points, 1):
                ingest(point)
        finally:
            if getattr(ingest, "__self__", None) is not root:
                root.points_out += count  # the stream node was skipped: it forwards everything
            self.points_read += count
        return count

    def finish(self) -> None:
        for node in self.nodes:
            node.finish()

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
    from tickpy.check import build_pipeline
    from tickpy.syntax import parse

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
        import shlex

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


def run_task(
    source: str,
    points: Iterable[Any],
    *,
    path: str = "<script>",
    task_name: str | None = None,
    dbrp=None,
    handlers: Iterable[str] = (),
    config: dict | None = None,
    alert_service=None,
    flush: bool = False,
    task_type: str | None = None,
    variables=None,
    input_errors: list | None = None,
    on_node_error: Callable[[NodeError], None] | None = None,
    line_sink: Callable[[str], None] | None = None,
    log_sink: Callable[[str], None] | None = None,
    clock: Callable[[], int] | None = None,
    report: Callable[[str], None] | None = None,
    interruptible: bool = False,
    on_compiled: Callable[["CompiledTask"], None] | None = None,
    keep_alerts: bool = True,
    dead_letter: str | None = None,
    capture: str | None = None,
) -> RunResult:
    """Run a script over points. See the module docstring."""
    pipeline = load_pipeline(source, path, task_type=task_type, variables=variables)
    task_name = task_name or default_task_name(path)
    given = parse_dbrp(dbrp)
    chosen = given or (tuple(pipeline.dbrps[0]) if pipeline.dbrps else ("", ""))
    dbrps = [given] if given else [tuple(pair) for pair in pipeline.dbrps]
    own_service = alert_service is None
    if own_service:
        alert_service = make_alert_service(config, list(handlers), report, dead_letter=dead_letter,
                                           capture=capture)
    ctx = RunContext(
        task_name=task_name,
        database=chosen[0],
        retention_policy=chosen[1],
        dbrps=dbrps,
        config=config if isinstance(config, dict) else {},
        alert_service=alert_service,
        flush_at_end=flush,
        on_error=on_node_error,
        line_sink=line_sink,
        log_sink=log_sink,
        keep_alerts=keep_alerts,
    )
    if clock is not None:
        ctx.clock = clock
    try:
        task = compile_task(pipeline, ctx)
        if on_compiled is not None:
            on_compiled(task)
    except BaseException:
        if own_service:
            close_alert_service(alert_service)
        raise
    result = RunResult(task_name=task_name, alert_service=alert_service)
    try:
        # A point goes down the pipeline by calls, one level per node: a chain of thousands
        # of nodes needs more of Python's recursion limit than the default.
        with recursion_room(len(pipeline.nodes)):
            if interruptible:
                result.interrupted_by = _run_interruptible(task, points)
            else:
                task.run(points)
            if not result.interrupted_by:
                task.finish()
    finally:
        result.points_read = task.points_read
        if own_service:
            interrupted = bool(result.interrupted_by)
            summary = alert_service.close(grace_s=INTERRUPT_GRACE_S if interrupted else None,
                                          interrupted=interrupted)
            result.delivery_summary = summary
            result.delivery_failures = list(getattr(summary, "failures", []) or [])
    result.alerts = list(ctx.alerts)
    result.alert_counts = dict(ctx.alert_counts)
    result.httpout = task.httpout()
    result.influxdb_lines = list(ctx.influxdb_lines)
    result.stats = task.stats()
    result.node_errors = list(ctx.node_errors)
    result.input_errors = list(input_errors or [])
    return result


# --------------------------------------------------------------------------- alert service


INTERRUPT_GRACE_S = 5.0


def _run_interruptible(task: CompiledTask, points) -> int:
    """Run until the input ends or SIGINT/SIGTERM arrives; the signal number, or 0."""
    from tickpy.alerting.service import ShutdownRequested, ShutdownSignals

    with ShutdownSignals() as stop:
        try:
            task.run(points)
        except ShutdownRequested:
            pass
    return stop.signal_number if stop.requested else 0


def make_alert_service(config, handler_paths: list, report: Callable[[str], None] | None = None, *,
                       dead_letter: str | None = None, capture: str | None = None):
    """The alert service (topics, handler files, delivery) for one run, loaded: raises
    TickpyError for bad handler files, configuration or unwritable dead-letter/capture files
    before any point is read. Warnings (e.g. a handler directory without handler files) go
    to `report`."""
    from tickpy.alerting.service import AlertService, HandlerLoadError

    service = AlertService(handler_files=handler_paths, config=config or None, dead_letter=dead_letter,
                           capture=capture, report=report)
    warnings = service.load()
    if warnings:
        service.report(HandlerLoadError(warnings).render())
    return service


def close_alert_service(service):
    """Deliver what is queued and return the service's DeliverySummary."""
    return service.close()


__all__ = [
    "CompiledTask",
    "RunResult",
    "compile_task",
    "default_task_name",
    "load_pipeline",
    "parse_dbrp",
    "run_task",
]

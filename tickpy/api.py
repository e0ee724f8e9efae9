"""tickpy's stable Python API: parse, check, compile and run a TICKscript.

The command line, `tickpy.testing` and anything embedding tickpy go through these functions; the
layers below (`syntax`, `check`, `runtime`, `alerting`) may change shape between releases.

    program  = parse(source, path)                      # typed AST (tickpy.syntax.ast.Program)
    pipeline = check(source, path, task_type=None, variables=None)   # Kapacitor's define verdict
    task     = compile(source, RunOptions(handlers=["team.yaml"]))   # nothing read yet
    result   = task.run(points)                         # or: run(source, points, options)

Every function raises `tickpy.diagnostics.TickpyError` (with `diagnostics`, each positioned in the
source) for a script, handler file or configuration that Kapacitor would refuse, before any point
is read. See docs/api.md.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.golang.gotime import parse_go_duration
from tickpy.lang.depth import recursion_room
from tickpy.runtime.engine import (
    CompiledTask,
    RunResult,
    WallClock,
    compile_task,
    default_task_name,
    load_pipeline,
    parse_dbrp,
)
from tickpy.runtime.groups import GroupLimitExceeded
from tickpy.runtime.nodes.base import NodeError, RunContext, TaskFailed
from tickpy.runtime.schedule import resolve_time
from tickpy.syntax import parse as parse_source

# Queued alerts get this long to be delivered after SIGINT/SIGTERM, then they are dead-lettered
# (a second signal dead-letters them at once).
INTERRUPT_GRACE_S = 5.0


@dataclass(slots=True)
class RunOptions:
    """How to run a task. Every field has a default: `RunOptions()` runs the script as
    `tickpy run script.tick` would, minus the terminal."""

    # The script's name in diagnostics, and (by its stem) the default task name.
    path: str = "<script>"
    task_name: str | None = None
    # ("db", "rp") or "db.rp"; default: the script's first `dbrp` statement.
    dbrp: Any = None
    # Every ("db", "rp") the task reads, as Kapacitor's task dbrps (the first is `dbrp`'s when
    # that is not given); default: [dbrp], or the script's dbrp statements.
    dbrps: Any = None
    # Topic handler files or directories, given to the alert service.
    handlers: Iterable[str] = ()
    # The Kapacitor configuration: a TOML file path or a parsed dict.
    config: Any = None
    # An already built alert service (then handlers, config, dead_letter and capture are its
    # own, and the caller closes it).
    alert_service: Any = None
    # Close open windows at the end of input (Kapacitor never does).
    flush: bool = False
    # "stream" or "batch"; default: what the script's first node says.
    task_type: str | None = None
    # Template variables (name -> value or Kapacitor's {"type": ..., "value": ...}).
    variables: Any = None
    # The caller's list of input LineErrors, copied into the result.
    input_errors: list | None = None
    # Called with every NodeError as it happens (the CLI prints them).
    on_node_error: Callable[[NodeError], None] | None = None
    # Called with each line influxDBOut writes, and with each log-node line.
    line_sink: Callable[[str], None] | None = None
    log_sink: Callable[[str], None] | None = None
    # The task's clock (nanoseconds); default: event time.
    clock: Callable[[], int] | None = None
    # What the timer-driven nodes (stats, and so deadman; barrier) tick on. "data" (default): the
    # times of the points read, so that a replay gives the same answer every time; the clock
    # stands at `clock_start` (ns) before the first point (the task's start on a server), and
    # after the last point runs on to `clock_until` (ns), or to `clock_after_last` ns after the
    # latest point read, as on a server that got no more data. "wall": the wall clock, as on a
    # Kapacitor server, while the points are read.
    clock_mode: str = "data"
    clock_start: int | None = None
    clock_until: int | None = None
    clock_after_last: int | None = None
    # stats() (and deadman()) tick on the wall clock, the caller calling task.compiled.tick(now_ns)
    # between two points, instead of on the points' time (a long-running task: tickpy serve).
    # clock_mode="wall" is this with tickpy's own ticking thread.
    wall_clock_ticks: bool = False
    # Where the alert service reports delivery problems (default: stderr).
    report: Callable[[str], None] | None = None
    # SIGINT/SIGTERM stop reading between two points; queued alerts get INTERRUPT_GRACE_S to be
    # delivered, then are dead-lettered (at once after a second signal); a signal while the queues
    # drain at the end does the same. RunResult.interrupted_by is the (first) signal. Main thread
    # only. A read of the input that may wait (a pipe) stops at once if the input is wrapped with
    # tickpy.alerting.shutdown.installed().interruptible_input() (tickpy run does so).
    interruptible: bool = False
    # Called with the CompiledTask before any point is read (tickpy.observe attaches there).
    on_compiled: Callable[[CompiledTask], None] | None = None
    # False keeps only alert_counts (long runs: events are not held in memory).
    keep_alerts: bool = True
    # A file each undeliverable event is appended to as one JSON line (counted either way).
    dead_letter: str | None = None
    # A file what external-service handlers would send is appended to (never sent).
    capture: str | None = None
    # Seconds each wait of a tcp or post delivery attempt may take (connecting, writing, the
    # answer); None: 5 for tcp, 10 for post. A post's own .timeout() wins.
    handler_timeout: float | None = None
    # Seconds an exec handler's program may run before it is killed; None: 10; 0: no limit.
    exec_timeout: float | None = None
    # Failed attempts in a row after which a handler's alerts are dead-lettered without an
    # attempt for a while (circuit breaker); None: 3; 0: never.
    breaker_failures: int | None = None
    # A batch task's recordings to replay (one list of BatchMessages per query node, in
    # Kapacitor's walk order: tickpy.runtime.brpl.read_brpl) instead of running its queries.
    recordings: list | None = None
    # A batch task's schedule: the ticks after `start` up to `stop` run (Unix ns, RFC 3339 text,
    # or a duration such as "+10m" from the first point); default: from the first run whose
    # query range ends after the first point to the first whose range ends after the last.
    start: Any = None
    stop: Any = None
    # The database a batch task queries: anything with select(plan, db, rp), such as
    # tickpy.runtime.influxdb.RemoteInfluxDB (then the points are not read); default: an
    # embedded database holding the points, written under the task's dbrp.
    influxdb: Any = None
    # UDFs besides the configuration's [udf.functions]: name -> a Python UDF (declared with
    # @tickpy.udf.function) or a tickpy.runtime.udf.agent.FunctionConfig (an agent).
    udfs: Any = None
    # Modules of Python UDFs, as --udf-module: "module" (each UDF it declares) or "module:object".
    udf_modules: Iterable[str] = ()
    # The autoscale nodes' resources' current replica counts (Kapacitor asks the cluster): name
    # (k8s: also "namespace/kind/name") -> count; added to the [tickpy.replicas] table of `config`.
    replicas: Any = None
    # Groups are never forgotten in Kapacitor, so a task over ever new series grows without
    # bound. max_groups: reading stops when the task would hold more groups than this
    # (RunResult.group_limit says where; what was produced is still delivered). group_expiry:
    # a group that has received no point for this long in data time (a Go duration such as
    # "10m", or nanoseconds) is forgotten by every node, its open window dropped. Neither is
    # Kapacitor's behaviour; both are off by default (tickpy.runtime.groups).
    max_groups: int | None = None
    group_expiry: str | int | None = None


def parse(source: str, path: str = "<script>"):
    """The typed AST of a script; TickpyError with Kapacitor's parse error otherwise."""
    return parse_source(source, path)


def check(source: str, path: str = "<script>", *, task_type: str | None = None, variables=None):
    """The checked pipeline of a task (Kapacitor's `define` verdict); TickpyError otherwise."""
    return load_pipeline(source, path, task_type=task_type, variables=variables)


def _config_sections(config) -> dict:
    """The raw sections of the configuration (a path or a dict); {} when it cannot be read (the
    alert service, which reads it too, reports why)."""
    if config is None:
        return {}
    if isinstance(config, dict):
        return config
    from tickpy.alerting.config import load_config  # deferred: start-up (only a configuration needs it)

    loaded, _ = load_config(config)
    return loaded.sections


def _replicas(options: RunOptions) -> dict:
    """name -> current replica count for the autoscale nodes: [tickpy.replicas] of the
    configuration, then RunOptions.replicas."""
    counts: dict = {}
    if options.config is not None:
        table = (_config_sections(options.config).get("tickpy") or {}).get("replicas") or {}
        if isinstance(table, dict):
            counts.update({str(k): v for k, v in table.items() if type(v) is int})
    counts.update(options.replicas or {})
    return counts


def load_udfs(source: str, options: RunOptions):
    """(the UDF registry, name -> UDFInfo of the UDFs the script calls) of a run; (None, None)
    without UDFs. Agents the script calls are started once for their info, as Kapacitor does at
    start-up. TickpyError for a UDF that cannot be loaded."""
    sections = _config_sections(options.config)
    if "udf" not in sections and not options.udfs and not options.udf_modules:
        return None, None
    # deferred: start-up (only a run or check with UDFs needs them: subprocess, sockets)
    from tickpy.runtime.udf.agent import ConfigProblem
    from tickpy.runtime.udf.sessions import UDFError, build_registry, called_udfs

    where = {"path": str(options.config)} if isinstance(options.config, (str, os.PathLike)) else {}
    try:
        registry = build_registry(sections, options.udfs, list(options.udf_modules))
    except ConfigProblem as error:
        raise TickpyError(Diagnostic(f"[udf]: {error} (Kapacitor would not start with this configuration)",
                                     code="config", extra=where)) from None
    except (ImportError, ValueError, TypeError) as error:
        raise TickpyError(Diagnostic(f"cannot load Python UDFs: {type(error).__name__}: {error}", code="udf")) from None
    if registry is None:
        return None, None
    try:
        program = parse_source(source, options.path)
    except TickpyError:
        return registry, None  # the check reports it
    try:
        infos = registry.infos(called_udfs(program) & registry.names())
    except UDFError as error:
        message = f"UDF {error.udf}: {error.reason}"
        if error.stderr:
            message += "\n  its last stderr lines:\n" + "\n".join(f"    {line}" for line in error.stderr)
        raise TickpyError(Diagnostic(message, code="udf")) from None
    return registry, infos


def make_alert_service(config, handler_paths: list, report: Callable[[str], None] | None = None, *,
                       dead_letter: str | None = None, capture: str | None = None,
                       handler_timeout: float | None = None, exec_timeout: float | None = None,
                       breaker_failures: int | None = None, full_queue_patience_s: float | None = None):
    """The alert service (topics, handler files, delivery) for one run, loaded: raises
    TickpyError for bad handler files, configuration or unwritable dead-letter/capture files
    before any point is read. Warnings (e.g. a handler directory without handler files) go
    to `report`. The timeouts and `breaker_failures` are RunOptions'. `full_queue_patience_s`:
    how long an alert waits for room in its handler's full queue before it is dead-lettered
    (0: never waits, so a stuck handler cannot hold up the task that sends to it)."""
    # deferred: start-up (parse and check need no alert service, ~0.3 s)
    from tickpy.alerting.service import AlertService, HandlerLoadError

    limits: dict[str, Any] = {"handler_timeout_s": handler_timeout}
    if exec_timeout is not None:
        limits["exec_timeout_s"] = exec_timeout or None
    if breaker_failures is not None:
        limits["breaker_failures"] = breaker_failures
    if full_queue_patience_s is not None:
        limits["full_queue_patience_s"] = full_queue_patience_s
    service = AlertService(handler_files=handler_paths, config=config or None, dead_letter=dead_letter,
                           capture=capture, report=report, **limits)
    warnings = service.load()
    if warnings:
        service.report(HandlerLoadError(warnings).render())
    return service


@dataclass(slots=True, eq=False)
class Task:
    """A checked, compiled task with its alert service, ready for points: what `compile` gives.

    `run(points)` pushes the points through it, finishes it as Kapacitor does at the end of
    input, closes the alert service when the task built it, and returns the RunResult. A Task
    runs once."""

    name: str
    pipeline: Any
    compiled: CompiledTask
    context: RunContext
    alert_service: Any
    options: RunOptions
    owns_service: bool

    def run(self, points: Iterable[Any]) -> RunResult:
        options, task, ctx = self.options, self.compiled, self.context
        result = RunResult(task_name=self.name, alert_service=self.alert_service)
        signals = own_signals = None
        if options.interruptible:
            from tickpy.alerting.shutdown import (  # deferred: start-up (parse and check need no alert service)
                ShutdownSignals,
                installed,
            )

            signals = installed()
            if signals is None:
                signals = own_signals = ShutdownSignals().install()
            signals.running()
        try:
            # A point goes down the pipeline by calls, one level per node: a chain of thousands
            # of nodes needs more of Python's recursion limit than the default.
            with recursion_room(len(self.pipeline.nodes)), _clock(task, options) as points_on_clock:
                points = points_on_clock(points)
                try:
                    if task.is_batch:
                        _run_batch(task, options, points, result, signals)
                    elif signals is not None:
                        _run_interruptible(task, points, signals)
                    else:
                        task.run(points)
                    if not (signals is not None and signals.requested):
                        _run_clock_on(task, options, points)
                        task.finish()
                except TaskFailed as failure:  # the task stops, as Kapacitor stops it; what it produced stays
                    result.task_error = failure
                except GroupLimitExceeded as exceeded:  # reading stops; what was produced is delivered
                    result.group_limit = exceeded
        finally:
            task.close()
            result.points_read = task.points_read
            if self.owns_service:
                interrupted = signals is not None and signals.requested
                summary = self.alert_service.close(grace_s=INTERRUPT_GRACE_S if signals is not None else None,
                                                   interrupted=interrupted, signals=signals)
                result.delivery_summary = summary
                result.delivery_failures = list(getattr(summary, "failures", []) or [])
            if signals is not None:
                result.interrupted_by = signals.signal_number  # also a signal that came during the drain
            if own_signals is not None:
                own_signals.restore()
        result.alerts = list(ctx.alerts)
        result.alert_counts = dict(ctx.alert_counts)
        result.httpout = task.httpout()
        result.influxdb_lines = list(ctx.influxdb_lines)
        result.stats = task.stats()
        result.node_errors = list(ctx.node_errors)
        result.input_errors = list(options.input_errors or [])
        return result


def compile(source: str, options: RunOptions | None = None) -> Task:  # noqa: A001  (the API's verb)
    """Check and compile a script, and build (or take) its alert service; nothing is read yet.
    Raises TickpyError for the script, handler files or configuration before any point."""
    options = options or RunOptions()
    group_expiry_ns = _group_expiry_ns(options.group_expiry)
    udf_registry, udf_infos = load_udfs(source, options)
    pipeline = load_pipeline(source, options.path, task_type=options.task_type, variables=options.variables,
                             udfs=udf_infos)
    task_name = options.task_name or default_task_name(options.path)
    given = parse_dbrp(options.dbrp)
    listed = [parse_dbrp(pair) for pair in options.dbrps or ()]
    if given is None and listed:
        given = listed[0]
    chosen = given or (tuple(pipeline.dbrps[0]) if pipeline.dbrps else ("", ""))
    dbrps = ([given] + [pair for pair in listed if pair != given]) if given else [tuple(pair) for pair in pipeline.dbrps]
    alert_service = options.alert_service
    owns_service = alert_service is None
    if owns_service:
        alert_service = make_alert_service(options.config, list(options.handlers), options.report,
                                           dead_letter=options.dead_letter, capture=options.capture,
                                           handler_timeout=options.handler_timeout,
                                           exec_timeout=options.exec_timeout,
                                           breaker_failures=options.breaker_failures)
    ctx = RunContext(
        task_name=task_name,
        database=chosen[0],
        retention_policy=chosen[1],
        dbrps=dbrps,
        config=options.config if isinstance(options.config, dict) else {},
        alert_service=alert_service,
        flush_at_end=options.flush,
        on_error=options.on_node_error,
        line_sink=options.line_sink,
        log_sink=options.log_sink,
        keep_alerts=options.keep_alerts,
        max_groups=options.max_groups,
        group_expiry_ns=group_expiry_ns,
        wall_clock_ticks=options.wall_clock_ticks,
        udfs=udf_registry,
    )
    if options.clock is not None:
        ctx.clock = options.clock
    replicas = _replicas(options)
    if replicas:
        ctx.shared["replicas"] = replicas
    try:
        compiled = compile_task(pipeline, ctx)
        if options.recordings is not None and not compiled.is_batch:
            raise TickpyError(Diagnostic("batch recordings (.brpl) are replayed into a batch task; this is a "
                                         "stream task (give it line protocol or .srpl)", code="usage"))
        if compiled.is_batch and options.recordings is None:
            _choose_batch_dbrp(compiled)
        if compiled.is_batch and options.clock_mode == "wall":
            raise TickpyError(Diagnostic("the wall clock (--clock wall) is for stream tasks: a batch task runs its "
                                         "queries on its schedule's virtual clock", code="usage"))
        if options.on_compiled is not None:
            options.on_compiled(compiled)
    except BaseException:
        if owns_service:
            alert_service.close()
        raise
    return Task(task_name, pipeline, compiled, ctx, alert_service, options, owns_service)


def _choose_batch_dbrp(compiled: CompiledTask) -> None:
    """Where a batch task's points are written, and what an unqualified FROM reads: --dbrp, the
    script's dbrp, or the first fully qualified FROM (InfluxDB's default retention policy,
    autogen, when it names none)."""
    ctx = compiled.ctx
    if not ctx.database:
        ctx.database, ctx.retention_policy = next(
            ((db, rp) for query in compiled.query_nodes for db, rp in query.sources if db), ("", ""))
    if not ctx.database:
        raise TickpyError(Diagnostic(
            "the batch task's database is not known: give --dbrp DB.RP, a dbrp statement, or a query reading "
            'FROM "db"."rp"."measurement"', code="usage"))
    ctx.retention_policy = ctx.retention_policy or "autogen"
def _group_expiry_ns(expiry: str | int | None) -> int:
    if expiry is None:
        return 0
    nanoseconds = parse_go_duration(expiry) if isinstance(expiry, str) else int(expiry)
    if nanoseconds <= 0:
        raise ValueError(f"group_expiry must be positive, not {expiry!r}")
    return nanoseconds


def run(source: str, points: Iterable[Any], options: RunOptions | None = None, **overrides: Any) -> RunResult:
    """Run a script over points (anything with `name`, `tags`, `fields`, `time`, in input
    order) and return what the task produced. `overrides` replace fields of `options`."""
    options = options or RunOptions()
    if overrides:
        options = replace(options, **overrides)
    return compile(source, options).run(points)


_OPTION_NAMES = frozenset(f.name for f in fields(RunOptions))


def run_task(source: str, points: Iterable[Any], **options: Any) -> RunResult:
    """`run` with the options as keyword arguments (the 0.1 spelling, kept for callers)."""
    unknown = set(options) - _OPTION_NAMES
    if unknown:
        raise TypeError(f"run_task() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    return run(source, points, RunOptions(**options))


def _run_batch(task: CompiledTask, options: RunOptions, points: Iterable[Any], result: RunResult, signals) -> None:
    """Replay the recordings, or write the points to the embedded database (or use the given
    one) and run the task's queries on their schedule."""
    if options.recordings is not None:
        task.replay(options.recordings)
        return
    database, first, last = options.influxdb, None, None
    if database is None:
        from tickpy.runtime.influxdb import EmbeddedDatabase  # deferred: start-up (its live client loads http)

        database = EmbeddedDatabase()
        if signals is not None:
            points = signals.stop_reading(points)
        try:
            first, last = _write_points(database, points, task, result)
        except _shutdown_requested():
            return
    try:
        start, stop = resolve_time(options.start, first), resolve_time(options.stop, first)
    except ValueError as error:
        raise TickpyError(Diagnostic(f"--start/--stop: {error}", code="usage")) from None
    result.query_runs = task.run_queries(database, start, stop, first, last)


def _write_points(database, points: Iterable[Any], task: CompiledTask, result: RunResult) -> tuple[Any, Any]:
    """Write the points as InfluxDB stores them, each under its own database and retention
    policy (.srpl entries) or the task's; (first, last) point time, None without points."""
    ctx = task.ctx
    first = last = None
    chunk: list = []
    chunk_dbrp = None

    def flush() -> None:
        if chunk:
            assert chunk_dbrp is not None, "set with the chunk's first point"
            report = database.write(chunk_dbrp[0], chunk_dbrp[1], chunk)
            result.points_dropped.extend(report.dropped)
            chunk.clear()

    for point in points:
        task.points_read += 1
        time = point.time
        if first is None or time < first:
            first = time
        if last is None or time > last:
            last = time
        database_name = getattr(point, "database", "") or ""
        dbrp = (database_name, point.retention_policy) if database_name else (ctx.database, ctx.retention_policy)
        if dbrp != chunk_dbrp or len(chunk) >= _WRITE_CHUNK:
            flush()
            chunk_dbrp = dbrp
        chunk.append(point)
    flush()
    return first, last


_WRITE_CHUNK = 10_000  # points per write: memory stays flat, as InfluxDB's clients batch their writes


def _shutdown_requested():
    from tickpy.alerting.shutdown import ShutdownRequested  # deferred: start-up (as in _run_interruptible)

    return ShutdownRequested


@contextlib.contextmanager
def _clock(task: CompiledTask, options: RunOptions):
    """The task on the clock `options` asks for (see RunOptions.clock_mode); yields what to
    wrap the points in."""
    if options.clock_mode == "wall":
        with WallClock(task):
            yield lambda points: points
        return
    if options.clock_mode != "data":
        raise ValueError(f"clock_mode is 'data' or 'wall', not {options.clock_mode!r}")
    if options.clock_start is not None:
        task.advance_clock(options.clock_start)
    yield (LatestTime if options.clock_after_last is not None else (lambda points: points))


class LatestTime:
    """The points, remembering the latest time among them (for RunOptions.clock_after_last)."""

    def __init__(self, points: Iterable[Any]):
        self.points = points
        self.latest: int | None = None

    def __iter__(self):
        latest = self.latest
        for point in self.points:
            if latest is None or point.time > latest:
                latest = self.latest = point.time
            yield point


def _run_clock_on(task: CompiledTask, options: RunOptions, points) -> None:
    """After the last point, the data clock runs on to where `options` says."""
    if options.clock_mode != "data":
        return
    if options.clock_until is not None:
        task.advance_clock(options.clock_until)
    if options.clock_after_last is not None and isinstance(points, LatestTime) and points.latest is not None:
        task.advance_clock(points.latest + options.clock_after_last)


def _run_interruptible(task: CompiledTask, points, signals) -> None:
    """Run until the input ends or SIGINT/SIGTERM arrives (checked between two points)."""
    from tickpy.alerting.shutdown import ShutdownRequested  # deferred: start-up (as above)

    try:
        task.run(signals.stop_reading(points))
    except ShutdownRequested:  # raised only out of a read of the input: no point was half-done
        pass


__all__ = [
    "INTERRUPT_GRACE_S",
    "CompiledTask",
    "Diagnostic",
    "GroupLimitExceeded",
    "RunOptions",
    "RunResult",
    "TickpyError",
    "Task",
    "check",
    "compile",
    "default_task_name",
    "make_alert_service",
    "parse",
    "parse_dbrp",
    "load_udfs",
    "run",
    "run_task",
]

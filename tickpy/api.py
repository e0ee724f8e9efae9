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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from tickpy.diagnostics import Diagnostic, TickpyError
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
from tickpy.runtime.nodes.base import NodeError, RunContext
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


def parse(source: str, path: str = "<script>"):
    """The typed AST of a script; TickpyError with Kapacitor's parse error otherwise."""
    return parse_source(source, path)


def check(source: str, path: str = "<script>", *, task_type: str | None = None, variables=None):
    """The checked pipeline of a task (Kapacitor's `define` verdict); TickpyError otherwise."""
    return load_pipeline(source, path, task_type=task_type, variables=variables)


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
                if signals is not None:
                    _run_interruptible(task, points, signals)
                else:
                    task.run(points)
                if not (signals is not None and signals.requested):
                    _run_clock_on(task, options, points)
                    task.finish()
        finally:
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
    pipeline = load_pipeline(source, options.path, task_type=options.task_type, variables=options.variables)
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
        wall_clock_ticks=options.wall_clock_ticks,
    )
    if options.clock is not None:
        ctx.clock = options.clock
    try:
        compiled = compile_task(pipeline, ctx)
        if options.on_compiled is not None:
            options.on_compiled(compiled)
    except BaseException:
        if owns_service:
            alert_service.close()
        raise
    return Task(task_name, pipeline, compiled, ctx, alert_service, options, owns_service)


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
    "run",
    "run_task",
]

"""What `tickpy run` wires in when a run is observed: probes, tracer, progress line, and the
stats and DOT written at the end. Nothing here runs for a plain run (`make_observer` gives None)."""

from __future__ import annotations

import atexit
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from tickpy.observe.probes import install_probes
from tickpy.observe.progress import Progress, progress_wanted
from tickpy.observe.stats import TaskStats, collect_stats, to_dot, to_text
from tickpy.observe.trace import Tracer, compile_filter
from tickpy.runtime.nodes.basic import write_stderr_line


class RunObserver:
    """Used in this order: `wrap_points(points)`, `attach` (run_task's `on_compiled`), the run,
    then `finish(task_name)`."""

    def __init__(self, *, stats: bool = False, graph_out: str | None = None, graph_labels: bool = False,
                 trace: bool = False, trace_filter: str | None = None,
                 trace_write: Callable[[str], None] | None = None, progress_stream=None, input_bytes=None):
        self.want_stats = stats
        self.graph_out = graph_out
        if graph_out is not None:
            open(graph_out, "w").close()  # an unwritable path is a usage error before the run
        self.graph_labels = graph_labels
        self.trace = trace or trace_filter is not None
        # Compiled now so that a bad filter is a usage error before anything runs.
        self.point_filter = compile_filter(trace_filter) if trace_filter is not None else None
        self.trace_write = trace_write
        self.tracer: Tracer | None = None
        self.progress = Progress(progress_stream, input_bytes=input_bytes) if progress_stream is not None else None
        self.task = None
        self.watches: dict[int, Any] = {}
        self.started = time.perf_counter()
        self.stats: TaskStats | None = None
        self.gate: StderrGate | None = None

    @property
    def probing(self) -> bool:
        return self.want_stats or self.graph_out is not None or self.trace

    def wrap_points(self, points: Iterable[Any]) -> Iterable[Any]:
        if self.trace:
            points = self._traced(points)
        if self.progress is not None:
            points = self.progress.wrap(points)
        return points

    def _traced(self, points: Iterable[Any]) -> Iterator[Any]:
        for number, point in enumerate(points, 1):
            if self.tracer is not None:
                self.tracer.begin_point(number, point)
            yield point
        if self.tracer is not None:
            self.tracer.begin_finish()

    def attach(self, task) -> None:
        self.task = task
        if self.probing:
            self.watches = install_probes(task, self)
        if self.trace:
            write = self.trace_write
            if write is None:
                # Handler reports (delivery threads) and log-node lines written while a point's
                # trace block is open are held until the block is written: they come after it.
                self.gate = StderrGate.install()
                write = self.gate.write_through
            self.tracer = Tracer(task, self.watches, write, self.point_filter, gate=self.gate)
        if self.progress is not None:
            self.progress.alerts = lambda: _alerts_so_far(task.ctx)
            self._clear_before_output(task, self.progress)
        self.started = time.perf_counter()

    def _clear_before_output(self, task, progress: Progress) -> None:
        """Erase the progress line before influxDBOut lines (stdout may be the same terminal)
        and log-node lines are written."""

        def clearing(write):
            def write_line(line: str) -> None:
                progress.clear()
                write(line)

            return write_line

        ctx = task.ctx
        if ctx.line_sink is not None:
            ctx.line_sink = clearing(ctx.line_sink)
        ctx.log_sink = clearing(ctx.log_sink or write_stderr_line)

    def traces_errors_now(self) -> bool:
        """Whether a node error now belongs to a traced point (its trace shows it)."""
        return self.tracer is not None and self.tracer.active

    def clear_progress(self) -> None:
        if self.progress is not None:
            self.progress.clear()

    def finish(self, task_name: str) -> str | None:
        """After the run: flush the trace, write the DOT file; the stats text if asked for."""
        elapsed = time.perf_counter() - self.started
        self.clear_progress()
        if self.tracer is not None:
            self.tracer.flush()
        if self.gate is not None:
            self.gate.uninstall()
        if self.task is None or not (self.want_stats or self.graph_out):
            return None
        self.stats = collect_stats(self.task, self.watches, elapsed, task_name)
        if self.graph_out is not None:
            Path(self.graph_out).write_text(to_dot(self.stats, labels=self.graph_labels) + "\n", encoding="utf-8")
        return to_text(self.stats) if self.want_stats else None


def make_observer(*, stats: bool = False, graph_out: str | None = None, graph_labels: bool = False,
                  trace: bool = False, trace_filter: str | None = None,
                  trace_write: Callable[[str], None] | None = None, stderr=None,
                  input_bytes=None) -> RunObserver | None:
    """The observer for these options, or None when nothing is observed (a plain run).
    The progress line is added when `stderr` is a terminal and the trace does not write there;
    `input_bytes` (tickpy.runtime.inputfiles.InputBytes) gives it the share of the input read."""
    stderr = stderr if stderr is not None else sys.stderr
    tracing = trace or trace_filter is not None
    progress_stream = stderr if progress_wanted(stderr) and not (tracing and trace_write is None) else None
    if not (stats or graph_out or tracing or progress_stream is not None):
        return None
    return RunObserver(stats=stats, graph_out=graph_out, graph_labels=graph_labels, trace=trace,
                       trace_filter=trace_filter, trace_write=trace_write, progress_stream=progress_stream,
                       input_bytes=input_bytes)


class StderrGate:
    """Stands in for sys.stderr during a traced run. While a trace block is open (`hold`),
    whatever else is written to stderr, from any thread, is kept; `release` writes the block
    and then what was kept, so a handler's "not delivered" or "captured" line follows the
    trace of the point whose alert caused it instead of coming before it."""

    def __init__(self, real):
        self.real = real
        self.lock = threading.Lock()
        self.holding = False
        self.held: list[str] = []

    @classmethod
    def install(cls) -> StderrGate:
        gate = cls(sys.stderr)
        sys.stderr = gate
        atexit.register(gate.uninstall)  # a run that ends with an error still writes what it held
        return gate

    def uninstall(self) -> None:
        self.release()
        if sys.stderr is self:
            sys.stderr = self.real

    def hold(self) -> None:
        with self.lock:
            self.holding = True

    def release(self, block: str | None = None) -> None:
        with self.lock:
            self.holding = False
            held, self.held = self.held, []
            try:
                if block is not None:
                    self.real.write(block + "\n")
                for text in held:
                    self.real.write(text)
                self.real.flush()
            except (OSError, ValueError):
                pass

    def write_through(self, text: str) -> None:
        """The tracer's own writes: the block, then what was held while it was open."""
        self.release(text)

    def write(self, text: str) -> int:
        # Refused at once, as stderr refuses them: click tells a text stream from a binary one
        # by writing b"" to it, and bytes kept while holding would fail when released.
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self.lock:
            if self.holding:
                self.held.append(text)
                return len(text)
        return self.real.write(text)

    def flush(self) -> None:
        with self.lock:
            if self.holding:
                return
        self.real.flush()

    def __getattr__(self, name: str):  # fileno, isatty, encoding, buffer, ...
        return getattr(self.real, name)


def _alerts_so_far(ctx) -> int:
    counts = getattr(ctx, "alert_counts", None)
    return sum(counts.values()) if counts is not None else len(ctx.alerts)


__all__ = ["RunObserver", "make_observer"]

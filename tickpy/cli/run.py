"""`tickpy run SCRIPT [INPUT ...]`: run a stream task over recorded points, offline."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import click

from tickpy.alerting.shutdown import ShutdownSignals, installed
from tickpy.api import default_task_name, parse, parse_dbrp, run_task
from tickpy.check import check_program
from tickpy.check.inputs import load_vars
from tickpy.cli.guard import stdout_closed
from tickpy.cli.script_text import read_script, shown_message, shown_source
from tickpy.diagnostics import ERROR, Diagnostic, TickpyError, render, visible
from tickpy.golang import gojson
from tickpy.golang.gotime import format_time_rfc3339nano
from tickpy.observe.observer import make_observer
from tickpy.runtime.inputfiles import InputBytes, first_block, input_notes, open_input
from tickpy.runtime.lineprotocol import read_points
from tickpy.runtime.srpl import read_srpl

EXIT_OK = 0
EXIT_INCOMPLETE = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in tickpy
NODE_ERRORS_SHOWN = 10  # per node; the rest are counted
INPUT_ERRORS_SHOWN = 20  # rejected input lines; the rest are counted

HELP = """Run the stream task SCRIPT over the points in INPUT files (line protocol; `-` or no
INPUT reads stdin), as Kapacitor would run it, and deliver its alerts to their real handlers
(tcp, post, log, exec) and to the topic handlers given with --handlers. Handlers for external
services (slack, pagerduty, smtp, ...) are never contacted: what they would send is captured.
SCRIPT may be - for standard input when the points come from INPUT files.

\b
Input is read as Kapacitor reads written points (InfluxDB's parser). Gzip data (a .gz file,
or stdin that starts with gzip's magic bytes) is decompressed as it is read. A rejected line
is reported as `<input>:<line>: <reason>`, control characters shown escaped (\\x0d); the first
20 are shown, then `... and N more` at the end; the summary counts them all. A note says when
an input starts with a byte order mark, has Windows (\\r\\n) line endings, or is not text.

\b
Event time comes from the points. As in Kapacitor, nothing is flushed at end of input: a
window emits only when a point at or past its boundary arrives (--flush closes open windows
at the end instead; this differs from Kapacitor). stats() and deadman() tick on the points'
time too (Kapacitor uses the wall clock): a tick is due when a point's time reaches it.
barrier() .idle()/.period() likewise: a group's barrier is due when the time of the data
reaching the barrier node (any group's) passes it; nothing ticks after the last point.

\b
Outputs:
  influxDBOut lines            stdout, or the --influxdb-out FILE (kapacitorLoopback's too)
  httpOut results              DIR/<name>.json with --httpout-dir (Kapacitor's result JSON)
  undelivered alerts           reported on stderr and counted; kept in the --dead-letter FILE
  external-service alerts      "captured (not sent)" lines on stderr, or the --capture FILE
  log nodes, errors            stderr, then a summary (--topics and --stats add tables to it)
  progress                     stderr when it is a terminal, redrawn in place and erased:
                               points read, points/s, alerts; when every INPUT is a file,
                               also the share of their bytes read (gzip: compressed) and ETA

\b
Exit status:
  0  every input line was read, every alert delivered or captured, and no node error
     dropped a point or an event (lint warnings, as `tickpy validate` shows them before
     any point is read, do not count)
  1  the run completed, but some alert could not be delivered after retries (reported,
     counted in the summary, written to the --dead-letter file if given), some input
     line was rejected (reported as `<input>:<line>: <reason>`, skipped, counted), a gzip
     input was cut short or corrupt (the points before were read), an httpOut result
     holds NaN or an infinity, which JSON cannot carry (its file then holds the error body
     Kapacitor answers with, HTTP 500), or a node error (a lambda or template failing on
     a point, a missing field) dropped a point or an event, as Kapacitor does: logged,
     counted in the summary; --allow-node-errors makes these exit 0
  2  usage error, script error, unsupported node, bad handler file or configuration,
     unreadable input or unwritable output file: found before any point is read
  70  internal error (a bug in tickpy; TICKPY_DEBUG=1 shows the traceback)
  130/143  stopped by SIGINT/SIGTERM, whenever it comes: before any point is read, at once;
     while reading, reading stops between two points; then (and for a signal while the
     queued alerts are being delivered at the end) they get 5 s more, and what is left is
     dead-lettered, an .exec() program still running killed; a second signal does that at
     once. The summary is printed
  141  standard output was closed by its reader (`tickpy run ... | head -1`): reading stops,
     queued alerts are still delivered, nothing more is printed

\b
Delivery: each handler delivers its alerts in order, one at a time, on its own thread, so a
slow endpoint holds up only its own handler's later alerts. tcp and post retry 3 times with
backoff. Nothing waits without a bound: each wait of a tcp or post attempt (connecting,
writing, the answer) is limited by --handler-timeout, an .exec() program's run by
--exec-timeout (Kapacitor waits for it however long it runs), and once an alert has failed
after --breaker-failures failed attempts in a row, the handler's next alerts are
dead-lettered without an attempt for 10 s (one line says how many), then one attempt tells
whether the endpoint is back.
A tcp alert counts as delivered only when the peer has it: after writing the alert (the
bytes Kapacitor writes), tickpy closes its side and waits for the peer to close the
connection, having read everything (as `tickpy listen` does); a reset, or no close within
the timeout, is a failed attempt (Kapacitor counts the write alone).
"""


class RunProblem(Exception):
    """A usage problem found while setting the run up (exit status 2)."""


def _print_error(error: TickpyError, path: str, source: str | None) -> None:
    own_render = getattr(error, "render", None)
    if callable(own_render):  # handler-file and config problems carry their own paths
        click.echo(own_render(), err=True)
        return
    _print_diagnostics(error.diagnostics, path, source)


def _print_diagnostics(diagnostics, path: str, source: str | None) -> None:
    for diagnostic in diagnostics:
        where = diagnostic.extra.get("path", path)
        shown = shown_source(source) if source is not None and where == path else None
        click.echo(shown_message(render(diagnostic, where, shown)), err=True)


def _lint_warnings(source: str, path: str, variables) -> list[Diagnostic]:
    """The warnings `tickpy validate` shows for the script, checked as the run checks it: a
    task (never a template) with the --vars values. A script that does not parse has none:
    the run reports its error."""
    try:
        program = parse(source, path)
    except TickpyError:
        return []
    _, diagnostics = check_program(program, variables=variables, template=False, source=source)
    return [diagnostic for diagnostic in diagnostics if diagnostic.severity != ERROR]


def _read(handle, name: str, input_format: str, precision: str, reporter: _InputReporter, signals):
    source = open_input(handle)  # gzip data (by its magic bytes) is read as what it holds
    for note in input_notes(first_block(source)):
        reporter.say(f"tickpy run: {name}: {note}")
    # Standard input or a pipe may keep the read waiting: a signal ends it between two chunks.
    handle = signals.interruptible_input(source)
    now = time.time_ns()  # what a point without a timestamp gets, as in Kapacitor
    if input_format == "srpl":
        # Each entry names its own database and retention policy.
        points = read_srpl(handle, precision=precision, source_name=name, now=now, on_error=reporter.rejected_line)
    else:
        points = read_points(handle, precision=precision, source_name=name, now=now,
                             on_error=reporter.rejected_line)
    yield from _noting_untimed(points, name, now)
    error = getattr(source, "error", None)  # a gzip stream cut short
    if error is not None:
        reporter.cut_short(name, error)


class _InputReporter:
    """What reading the inputs has to say on stderr: the first INPUT_ERRORS_SHOWN rejected lines
    (control characters escaped; all are counted, only those shown are kept: a binary input can
    have hundreds of thousands), notes on an input, a gzip input cut short."""

    def __init__(self):
        self.rejected_count = 0
        self.shown: list = []
        self.inputs_cut_short: list[str] = []
        self.observer = None  # clears its progress line before each message

    def say(self, text: str) -> None:
        if self.observer is not None:
            self.observer.clear_progress()
        click.echo(text, err=True)

    def rejected_line(self, error) -> None:
        self.rejected_count += 1
        if self.rejected_count <= INPUT_ERRORS_SHOWN:
            self.shown.append(error)
            self.say(visible(str(error)))

    def cut_short(self, name: str, error: str) -> None:
        self.inputs_cut_short.append(name)
        self.say(f"tickpy run: {name}: the gzip data is cut short or corrupt ({error}); the points before "
                 "that were read")

    def hidden_lines_note(self) -> str | None:
        hidden = self.rejected_count - INPUT_ERRORS_SHOWN
        if hidden <= 0:
            return None
        return f"tickpy run: ... and {hidden} more rejected input line{'s' if hidden != 1 else ''} (not shown)"


def _noting_untimed(points, name: str, now: int):
    """The points, saying once per input when one had no timestamp: it got the wall clock,
    which in an offline run over recorded data puts it far from its neighbours."""
    for point in points:
        if point.time == now:
            click.echo(f"tickpy run: {name}: a point without a timestamp got the current time, "
                       f"{format_time_rfc3339nano(now)}, as Kapacitor gives it (and so do any further ones); "
                       "give every point a timestamp for a reproducible run", err=True)
            yield point
            yield from points
            return
        yield point


def _iter_inputs(inputs: tuple[str, ...], input_format: str, precision: str, reporter: _InputReporter, signals,
                 input_bytes: InputBytes):
    for name in inputs or ("-",):
        if name == "-":
            input_bytes.start(sys.stdin.buffer)
            yield from _read(sys.stdin.buffer, "<stdin>", input_format, precision, reporter, signals)
            input_bytes.finish()
            continue
        try:
            handle = open(name, "rb")
        except OSError as error:
            raise RunProblem(f"cannot read input {name}: {error.strerror or error}") from None
        with handle:  # a named pipe may keep a read waiting too
            input_bytes.start(handle)
            yield from _read(handle, name, input_format, precision, reporter, signals)
            input_bytes.finish()


def _node_error_count(result) -> int:
    """Every node error of the run (each dropped a point or an event): the nodes' counters
    count them all, RunResult.node_errors keeps only the first ones."""
    return sum(entry.get("errors", 0) for entry in result.stats.values())


def _summary(result, rejected: int, cut_short: int) -> str:
    levels = result.alert_counts
    total = sum(levels.values())
    by_level = ", ".join(f"{count} {level}" for level, count in sorted(levels.items()))
    parts = [f"{result.points_read} points read"]
    root = next(iter(result.stats.values()), None)
    if root is not None and root.get("type") == "StreamNode":
        ignored = [f"{root[key]} {why}" for key, why in (
            ("ignored_other_dbrps", "for other dbrps"),
            ("ignored_other_measurements", "of measurements no from() selects"),
        ) if root.get(key)]
        if ignored:
            parts[0] += f" ({', '.join(ignored)}, ignored)"
    if rejected:
        parts.append(f"{rejected} input line{'s' if rejected != 1 else ''} rejected")
    if cut_short:
        parts.append(f"{cut_short} gzip input{'s' if cut_short != 1 else ''} cut short")
    alerts = f"{total} alert{'s' if total != 1 else ''}"
    parts.append(alerts + (f" ({by_level})" if by_level else ""))
    node_errors = _node_error_count(result)
    if node_errors:
        parts.append(f"{node_errors} node error{'s' if node_errors != 1 else ''}")
    if result.delivery_failures:
        count = len(result.delivery_failures)
        parts.append(f"{count} alert deliver{'ies' if count != 1 else 'y'} failed")
    if result.interrupted_by:
        parts.append(f"stopped by {signal.Signals(result.interrupted_by).name}")
    return f"tickpy run: task {result.task_name}: " + ", ".join(parts)


@click.command("run", help=HELP)
@click.argument("script", type=click.Path(dir_okay=False))
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option("--handlers", "handler_paths", multiple=True, metavar="PATH",
              help="Topic handler file (YAML or JSON, as `kapacitor define-topic-handler` reads it) "
                   "or a directory of them (repeatable).")
@click.option("--dbrp", metavar="DB.RP", help="The task's database and retention policy "
              "(default: the script's dbrp statement).")
@click.option("--task", "task_name", metavar="NAME", help="Task name (default: the script file's stem).")
@click.option("--precision", type=click.Choice(["ns", "us", "ms", "s"]), default="ns", show_default=True,
              help="Precision of the input timestamps (lp and srpl).")
@click.option("--httpout-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write each httpOut node's final result as DIR/<name>.json.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Kapacitor TOML configuration: [[httppost]] endpoints for .post().endpoint() "
                   "and handler files; service sections ([slack], ...) shape what is captured.")
@click.option("--input-format", type=click.Choice(["lp", "srpl"]), default="lp", show_default=True,
              help="lp: line protocol; srpl: Kapacitor's recording format (db, rp, line).")
@click.option("--influxdb-out", "influxdb_out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write influxDBOut and kapacitorLoopback lines to FILE (replaced) instead of stdout.")
@click.option("--dead-letter", "dead_letter", type=click.Path(dir_okay=False), metavar="FILE",
              help="Append each alert a tcp, post, log or exec handler could not deliver (tcp and post: "
                   "after up to 3 retries with backoff) to FILE, one JSON line each: handler, kind, target, "
                   "topic, event_id, level, error, attempts and the exact payload. Created only when "
                   "something fails; such alerts make the exit status 1 with or without it.")
@click.option("--handler-timeout", "handler_timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="How long each wait of a tcp or post delivery attempt may take: connecting, each write, and "
                   "the answer (tcp: the peer closing the connection; post: the response). Default: 5 for tcp, "
                   "10 for post; a post's own .timeout() or timeout option wins.")
@click.option("--exec-timeout", "exec_timeout", type=click.FloatRange(min=0), metavar="SECONDS",
              help="How long an exec handler's program may run before it is killed (with whatever it started) "
                   "and the alert dead-lettered. Default: 10; 0: no limit (Kapacitor has none).")
@click.option("--breaker-failures", "breaker_failures", type=click.IntRange(min=0), metavar="N",
              help="Circuit breaker: once an alert could not be delivered (after its retries) and the last N "
                   "attempts in a row failed (refused, reset, timed out, HTTP 5xx, an exec program killed for its "
                   "time limit), the handler's next alerts are dead-lettered without an attempt for 10 s, then one "
                   "attempt tells whether the endpoint is back. Default: 3; 0: never.")
@click.option("--capture", "capture", type=click.Path(dir_okay=False), metavar="FILE",
              help="Append what handlers for external services (slack, pagerduty, smtp, ...) would send "
                   "to FILE, one JSON line per alert marked \"sent\": false, instead of a \"captured "
                   "(not sent)\" line on stderr. tickpy never contacts these services.")
@click.option("--topics", is_flag=True,
              help="Print each topic at the end (stderr): its level, events collected and handlers, then "
                   "its events (level, count, last time, message), like `kapacitor list topics` and "
                   "`kapacitor show-topic`. As there, an alert node with handlers of its own (.log(), "
                   ".slack(), ...) has the anonymous topic main:<task>:<node>.")
@click.option("--flush", is_flag=True, help="Close open windows at the end of input (not Kapacitor's behaviour).")
@click.option("--vars", "vars_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Values for the script's template vars (`var x type`): the JSON of `kapacitor define -vars`, "
                   "e.g. {\"crit\": {\"type\": \"lambda\", \"value\": \"\\\"usage\\\" > 90\"}}.")
@click.option("--stats", is_flag=True,
              help="Print each node's counters at the end (stderr): Kapacitor's counter names (as `kapacitor show` "
                   "prints them), plus tickpy's own events_suppressed on alert nodes (events not sent because of "
                   "flapping, .stateChangesOnly() or .noRecoveries()); Kapacitor's avg_exec_time_ns is not measured.")
@click.option("--graph-out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the DOT graph annotated with each node's counters and edge counts, as `kapacitor show` draws "
                   "it (the counters of --stats: with tickpy's events_suppressed, without avg_exec_time_ns).")
@click.option("--graph-view", type=click.Choice(["attributes", "labels"]), default="attributes", show_default=True,
              help="labels: the counters drawn as labels when rendered (Kapacitor's dot-view=labels).")
@click.option("--no-warnings", "no_warnings", is_flag=True,
              help="Do not print the script's lint warnings (those `tickpy validate` shows: a single-quoted "
                   "field name, .stateChangesOnly() without groupBy, ...), printed on stderr before any point "
                   "is read.")
@click.option("--allow-node-errors", "allow_node_errors", is_flag=True,
              help="Exit 0 even if node errors dropped points or events (they are still logged and counted "
                   "in the summary).")
@click.option("--clock", "clock_mode", type=click.Choice(["data", "wall"]), default="data", show_default=True,
              help="What stats (so deadman) and barrier tick on: the times of the points read (data: a replay "
                   "gives the same answer every time; nothing ticks after the last point unless --clock-until "
                   "says), or the wall clock while the input is read, as on a Kapacitor server (wall).")
@click.option("--clock-start", metavar="TIME",
              help="Data clock: where it stands before the first point (the task's start on a server), "
                   "RFC 3339 or Unix ns; stats ticks from there.")
@click.option("--clock-until", metavar="TIME|+DURATION",
              help="Data clock: after the last point it runs on to TIME (RFC 3339 or Unix ns), or DURATION past "
                   "the latest point (+10m), as on a server that got no more data: deadman fires, idle barriers "
                   "close windows.")
@click.option("--trace", is_flag=True, help="Show, on stderr, what each node did with each point (see --trace-filter).")
@click.option("--trace-filter", metavar="EXPR",
              help="Trace only the input points for which this lambda expression is true, e.g. "
                   "\"host\" == 'srv1' (quoted for the shell: --trace-filter \"\\\"host\\\" == 'srv1'\").")
def command(script, inputs, handler_paths, dbrp, task_name, precision, httpout_dir, config_path,
            input_format, influxdb_out, dead_letter, handler_timeout, exec_timeout, breaker_failures, capture,
            topics, flush, stats, graph_out, graph_view, no_warnings, allow_node_errors, trace, trace_filter,
            clock_mode="data", clock_start=None, clock_until=None, vars_path=None):
    sys.exit(run_command(script, inputs, handler_paths=handler_paths, dbrp=dbrp, task_name=task_name,
                         precision=precision, httpout_dir=httpout_dir, config_path=config_path,
                         input_format=input_format, influxdb_out=influxdb_out, flush=flush,
                         stats=stats, graph_out=graph_out, graph_view=graph_view, trace=trace,
                         trace_filter=trace_filter, dead_letter=dead_letter, capture=capture,
                         topics=topics, vars_path=vars_path, handler_timeout=handler_timeout,
                         exec_timeout=exec_timeout, breaker_failures=breaker_failures,
                         show_warnings=not no_warnings, allow_node_errors=allow_node_errors,
                         clock_mode=clock_mode, clock_start=clock_start, clock_until=clock_until))


def _clock_options(mode: str, start: str | None, until: str | None) -> dict:
    """RunOptions' clock fields for --clock, --clock-start and --clock-until; ValueError says
    what is wrong."""
    options: dict = {"clock_mode": mode}
    if not (start or until):
        return options
    # deferred: start-up (only --clock-start/--clock-until read times)
    from tickpy.testing.times import TimeFormatError, parse_duration_ns

    if mode == "wall":
        raise ValueError("--clock-start and --clock-until set the data clock; --clock wall follows the wall clock")
    if start:
        options["clock_start"] = _clock_time("--clock-start", start)
    if until and until.startswith("+"):
        try:
            options["clock_after_last"] = parse_duration_ns(until[1:])
        except TimeFormatError as error:
            raise ValueError(f"--clock-until {until}: {error}") from None
    elif until:
        options["clock_until"] = _clock_time("--clock-until", until)
    return options


def _clock_time(flag: str, text: str) -> int:
    # deferred: start-up (as in _clock_options)
    from tickpy.testing.times import TimeFormatError, is_relative, parse_time_ns

    if is_relative(text):
        raise ValueError(f"{flag} {text}: give a time (RFC 3339 or Unix ns)"
                         + (", or +DURATION after the latest point" if flag == "--clock-until" else ""))
    try:
        return parse_time_ns(int(text) if text.lstrip("-").isdigit() else text)
    except TimeFormatError as error:
        raise ValueError(f"{flag} {text}: {error}") from None


def _unwritable_reason(path: str, error: OSError) -> str:
    """Why a file cannot be created, in the user's terms (which part of the path is wrong)."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        return "is a directory"
    if not os.path.exists(folder):
        return f"cannot create it: the folder {folder} does not exist"
    if not os.path.isdir(folder):
        return f"cannot create it: {folder} is a file, not a folder"
    return f"cannot write it: {error.strerror or error}"


def _same_file_problem(**files: str | None) -> str | None:
    """Two output options naming one file would interleave (or truncate) each other's lines."""
    seen: dict[str, str] = {}
    for option, name in files.items():
        if not name:
            continue
        flag = "--" + option.replace("_", "-")
        key = os.path.realpath(name)
        if key in seen:
            return f"{seen[key]} and {flag} name the same file {name}"
        seen[key] = flag
    return None


def run_command(script, inputs, *, handler_paths=(), dbrp=None, task_name=None, precision="ns",
                httpout_dir=None, config_path=None, input_format="lp", influxdb_out=None, flush=False,
                stats=False, graph_out=None, graph_view="attributes", trace=False, trace_filter=None,
                dead_letter=None, capture=None, topics=False, vars_path=None, handler_timeout=None,
                exec_timeout=None, breaker_failures=None, show_warnings=True, allow_node_errors=False,
                clock_mode="data", clock_start=None, clock_until=None) -> int:
    # `tickpy run` installed the signal handling as it started (tickpy/cli/__init__.py); called
    # from Python, the run handles signals while it lasts.
    signals = installed()
    own_signals = None
    if signals is None:
        signals = own_signals = ShutdownSignals(starting=True).install()
    try:
        status = _run(script, inputs, signals, handler_paths=handler_paths, dbrp=dbrp, task_name=task_name,
                      precision=precision, httpout_dir=httpout_dir, config_path=config_path,
                      input_format=input_format, influxdb_out=influxdb_out, flush=flush, stats=stats,
                      graph_out=graph_out, graph_view=graph_view, trace=trace, trace_filter=trace_filter,
                      dead_letter=dead_letter, capture=capture, topics=topics, vars_path=vars_path,
                      handler_timeout=handler_timeout, exec_timeout=exec_timeout,
                      breaker_failures=breaker_failures, show_warnings=show_warnings,
                      allow_node_errors=allow_node_errors, clock_mode=clock_mode, clock_start=clock_start,
                      clock_until=clock_until)
    finally:
        if own_signals is not None:
            own_signals.restore()
    # A signal while the summary was being printed still says the run was stopped.
    return signals.exit_code or status


def _run(script, inputs, signals, *, handler_paths, dbrp, task_name, precision, httpout_dir, config_path,
         input_format, influxdb_out, flush, stats, graph_out, graph_view, trace, trace_filter, dead_letter,
         capture, topics, vars_path, handler_timeout, exec_timeout, breaker_failures, show_warnings,
         allow_node_errors, clock_mode="data", clock_start=None, clock_until=None) -> int:

    if script == "-" and (not inputs or "-" in inputs):
        click.echo("tickpy run: the script cannot be read from standard input when the points are: "
                   "give the points as INPUT files, or the script as a file", err=True)
        return EXIT_USAGE
    if script == "-" and sys.stdin.isatty():
        click.echo("tickpy run: reading the script from the terminal (end with Ctrl-D)", err=True)
    try:
        source = read_script(script)  # as validate, parse and fmt read it: bytes that are not UTF-8 stay
    except OSError as error:
        click.echo(f"tickpy run: cannot read {script}: {error.strerror or error}", err=True)
        return EXIT_USAGE
    if script == "-":
        script = "<stdin>"  # diagnostics name it so; the task is called "task" unless --task says
    variables = None
    if vars_path:
        try:
            variables = load_vars(vars_path)
        except TickpyError as error:
            click.echo(f"tickpy run: --vars {error.diagnostics[0].message}", err=True)
            return EXIT_USAGE
    try:
        chosen_dbrp = parse_dbrp(dbrp)
    except ValueError as error:
        click.echo(f"tickpy run: {error}", err=True)
        return EXIT_USAGE

    try:
        clock = _clock_options(clock_mode, clock_start, clock_until)
    except ValueError as error:
        click.echo(f"tickpy run: {error}", err=True)
        return EXIT_USAGE

    same = _same_file_problem(influxdb_out=influxdb_out, dead_letter=dead_letter, capture=capture,
                              graph_out=graph_out)
    if same:
        click.echo(f"tickpy run: {same}", err=True)
        return EXIT_USAGE
    if httpout_dir:
        try:
            Path(httpout_dir).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            click.echo(f"tickpy run: cannot write {httpout_dir}: {error.strerror or error}", err=True)
            return EXIT_USAGE

    reporter = _InputReporter()
    observer = None  # tickpy.observe: stats, graph, trace, progress line

    errors_shown: dict[str, int] = {}

    def on_node_error(error) -> None:
        if observer is not None and observer.traces_errors_now():  # shown in the point's trace
            return
        shown = errors_shown[error.node] = errors_shown.get(error.node, 0) + 1
        if shown > NODE_ERRORS_SHOWN:
            return
        if observer is not None:
            observer.clear_progress()
        click.echo(visible(error.log_line(task_name or default_task_name(script))), err=True)
        if shown == NODE_ERRORS_SHOWN:
            click.echo(f"tickpy run: further errors of node {error.node} are counted in the summary", err=True)

    out_file = None
    if influxdb_out:
        try:
            out_file = open(influxdb_out, "w", encoding="utf-8")
        except OSError as error:
            click.echo(f"tickpy run: --influxdb-out {influxdb_out}: {_unwritable_reason(influxdb_out, error)}",
                       err=True)
            return EXIT_USAGE
        line_sink = lambda line: out_file.write(line + "\n")  # noqa: E731
    else:
        line_sink = lambda line: sys.stdout.write(line + "\n")  # noqa: E731

    for name in inputs:
        if name != "-" and not os.access(name, os.R_OK):
            click.echo(f"tickpy run: cannot read input {name}", err=True)
            return EXIT_USAGE
    if show_warnings:  # --no-warnings spares the start-up the lints cost
        # Also for a script that then fails to start: a warning often says why (a single-quoted field).
        _print_diagnostics(_lint_warnings(source, script, variables), script, source)
    if (not inputs or "-" in inputs) and sys.stdin.isatty():
        click.echo("tickpy run: reading points from the terminal (end with Ctrl-D)", err=True)
    # Line-protocol points carry no database: they belong to the task's dbrp.
    input_bytes = InputBytes(tuple(inputs))  # for the progress line's share read
    points = _iter_inputs(tuple(inputs), input_format, precision, reporter, signals, input_bytes)
    try:
        observer = make_observer(stats=stats, graph_out=graph_out, graph_labels=graph_view == "labels",
                                 trace=trace, trace_filter=trace_filter, input_bytes=input_bytes)
    except TickpyError as error:
        _print_error(error, "--trace-filter", trace_filter)
        return EXIT_USAGE
    except OSError as error:
        click.echo(f"tickpy run: cannot write {graph_out}: {error.strerror or error}", err=True)
        return EXIT_USAGE
    if observer is not None:
        reporter.observer = observer
        points = observer.wrap_points(points)
    try:
        result = run_task(
            source,
            points,
            path=script,
            task_name=task_name,
            dbrp=chosen_dbrp,
            handlers=list(handler_paths),
            config=config_path,
            flush=flush,
            variables=variables,
            input_errors=reporter.shown,
            on_node_error=on_node_error,
            line_sink=line_sink,
            interruptible=True,
            keep_alerts=trace or trace_filter is not None,  # only a trace shows events: memory stays flat
            on_compiled=observer.attach if observer is not None else None,
            dead_letter=dead_letter,
            capture=capture,
            handler_timeout=handler_timeout,
            exec_timeout=exec_timeout,
            breaker_failures=breaker_failures,
            **clock,
        )
        sys.stdout.flush()
    except BrokenPipeError:
        return stdout_closed()
    except TickpyError as error:
        _print_error(error, script, source)
        return EXIT_USAGE
    except RunProblem as error:
        click.echo(f"tickpy run: {error}", err=True)
        return EXIT_USAGE
    except Exception as error:  # a bug in tickpy: say so briefly (TICKPY_DEBUG=1 shows the traceback)
        if os.environ.get("TICKPY_DEBUG"):
            raise
        click.echo(f"tickpy run: internal error: {type(error).__name__}: {error} "
                   "(set TICKPY_DEBUG=1 for the traceback, and please report it)", err=True)
        return EXIT_INTERNAL
    finally:
        if out_file is not None:
            out_file.close()

    stats_text = observer.finish(result.task_name) if observer is not None else None
    unencodable = 0
    if httpout_dir:
        directory = Path(httpout_dir)
        for name, data in result.httpout.items():
            try:
                text = gojson.dumps(data)
            except gojson.GoJSONError as error:
                # Kapacitor's json.Marshal fails too: GET answers HTTP 500 with this body.
                unencodable += 1
                text = gojson.http_error_body(str(error))
                click.echo(f"tickpy run: httpOut('{name}'): cannot encode the result: {error} (Kapacitor answers "
                           f"GET .../{name} with HTTP 500 and this error; {directory / f'{name}.json'} holds "
                           "that error body)", err=True)
            try:
                (directory / f"{name}.json").write_text(text, encoding="utf-8")
            except OSError as error:
                click.echo(f"tickpy run: cannot write {directory / f'{name}.json'}: {error.strerror or error}",
                           err=True)
                return EXIT_USAGE
    summary = result.delivery_summary
    if summary is not None and (summary.handlers or summary.failures):
        text = summary.render()
        if text:
            click.echo(text, err=True)
    hidden_lines = reporter.hidden_lines_note()
    if hidden_lines:
        click.echo(hidden_lines, err=True)
    click.echo(_summary(result, reporter.rejected_count, len(reporter.inputs_cut_short)), err=True)
    if topics and result.alert_service is not None:
        click.echo(result.alert_service.topics_summary(), err=True)
    if stats_text:
        click.echo(stats_text, err=True)
    if result.interrupted_by:
        return 128 + result.interrupted_by
    if result.delivery_failures or reporter.rejected_count or reporter.inputs_cut_short or unencodable:
        return EXIT_INCOMPLETE
    if _node_error_count(result) and not allow_node_errors:
        return EXIT_INCOMPLETE
    return EXIT_OK


__all__ = ["command", "run_command", "EXIT_OK", "EXIT_INCOMPLETE", "EXIT_USAGE", "EXIT_INTERNAL"]



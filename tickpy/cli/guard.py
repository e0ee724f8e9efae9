"""How validate, fmt, parse, graph, eval, explain and handlers check end when something outside
the script goes wrong:

- their reader goes away (`tickpy fmt DIR | head -1`): quietly, with the status of a process
  killed by SIGPIPE (141), never with a status that means something else (fmt's 1 is "a
  file is not formatted", validate's 1 "a script is invalid");
- a bug in tickpy: one line saying so, status 70 (INTERNAL_ERROR, sysexits' EX_SOFTWARE, as
  `tickpy run` uses), never a traceback whose status 1 would read as "invalid" in CI
  (TICKPY_DEBUG=1 shows the traceback).

`load_checked_script` is the shared start of graph and explain: an unreadable script or
vars/udfs file is a usage error (2), an invalid script is reported and ends with status 1.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

import click

INTERNAL_ERROR = 70  # EX_SOFTWARE: the same status for a bug in every command
EXIT_STDOUT_CLOSED = 141  # 128 + SIGPIPE: what the shell reports for a writer whose reader left


def color_wanted(stream) -> bool:
    """Colour for diagnostics on `stream`: only on a terminal, and never when NO_COLOR is set
    (https://no-color.org: any non-empty value)."""
    try:
        return stream.isatty() and not os.environ.get("NO_COLOR")
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def stdout_closed() -> int:
    """The reader of stdout went away (`tickpy run ... | head -1`): the status to exit with
    quietly, that of a process killed by SIGPIPE, as `yes | head -1` does. (For run, queued
    alerts were still delivered: the alert service closes on the way out.)"""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail
    except (OSError, ValueError):
        pass
    return EXIT_STDOUT_CLOSED


def guarded_command(command: Callable) -> Callable:
    """Wraps a click callback (put it right above `def`)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            try:
                result = command(*args, **kwargs)
            except SystemExit:
                sys.stdout.flush()  # here, where a closed pipe can still be reported as such
                raise
            sys.stdout.flush()
            return result
        except BrokenPipeError:
            sys.exit(stdout_closed())
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except Exception as error:  # a bug in tickpy
            if os.environ.get("TICKPY_DEBUG"):
                raise
            click.echo(f"tickpy {_command_name()}: internal error: {type(error).__name__}: {error} "
                       "(set TICKPY_DEBUG=1 for the traceback, and please report it)", err=True)
            sys.exit(INTERNAL_ERROR)

    return wrapper


def _command_name() -> str:
    """`validate`, or `handlers check` for a command of a group."""
    context = click.get_current_context()
    names = []
    while context.parent is not None:
        names.append(context.info_name or "")
        context = context.parent
    return " ".join(reversed(names)) or context.info_name or ""


def load_checked_script(script: str, task_type, vars_file, udfs_file, *, brief_read_error: bool = True):
    """Read SCRIPT (- for standard input) and build its checked pipeline:
    (program, pipeline, variables). `brief_read_error=False` keeps the whole OSError text in
    the "cannot read" message (graph's wording) instead of its strerror."""
    from tickpy.check import (
        build_pipeline,  # deferred: start-up (every command loads guard; only graph and explain need this)
    )
    from tickpy.check.inputs import (  # deferred: start-up (every command loads guard; only graph and explain need this)
        load_udfs,
        load_vars,
    )
    from tickpy.diagnostics import (  # deferred: start-up (every command loads guard; only graph and explain need this)
        TickpyError,
        display_path,
        render,
    )
    from tickpy.syntax import parse  # deferred: start-up (every command loads guard; only graph and explain need this)

    try:
        variables = load_vars(vars_file) if vars_file else None
        udfs = load_udfs(udfs_file) if udfs_file else None
    except TickpyError as err:
        raise click.UsageError(err.diagnostics[0].message) from None
    if script == "-":
        source = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        shown = "<stdin>"
    else:
        try:
            with open(script, "rb") as handle:
                source = handle.read().decode("utf-8", errors="replace")
        except OSError as err:
            detail = (err.strerror or err) if brief_read_error else err
            raise click.UsageError(f"cannot read {script}: {detail}") from None
        shown = display_path(script)
    try:
        program = parse(source, shown)
        pipeline = build_pipeline(program, task_type=task_type, variables=variables, udfs=udfs)
    except TickpyError as err:
        for diagnostic in err.diagnostics:
            click.echo(render(diagnostic, shown, source), err=True)
        sys.exit(1)
    return program, pipeline, variables

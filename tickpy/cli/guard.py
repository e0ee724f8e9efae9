"""How validate, fmt, parse, graph, eval and explain end when something outside the script
goes wrong:

- their reader goes away (`tickpy fmt DIR | head -1`): quietly, with the status of a process
  killed by SIGPIPE (141), never with a status that means something else (fmt's 1 is "a
  file is not formatted", validate's 1 "a script is invalid");
- a bug in tickpy: one line saying so, status 70 (INTERNAL_ERROR, sysexits' EX_SOFTWARE, as
  `tickpy run` uses), never a traceback whose status 1 would read as "invalid" in CI
  (TICKPY_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Callable

import click

INTERNAL_ERROR = 70  # EX_SOFTWARE: the same status for a bug in every command


def guarded_command(command: Callable) -> Callable:
    """Wraps a click callback (put it right above `def`)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from tickpy.cli.run import stdout_closed

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
            name = click.get_current_context().info_name
            click.echo(f"tickpy {name}: internal error: {type(error).__name__}: {error} "
                       "(set TICKPY_DEBUG=1 for the traceback, and please report it)", err=True)
            sys.exit(INTERNAL_ERROR)

    return wrapper

"""A command whose reader goes away (`tickpy fmt DIR | head -1`) ends quietly, with the status
of a process killed by SIGPIPE (141), never with a traceback or with a status that means
something else (fmt's 1 is "a file is not formatted", validate's 1 "a script is invalid")."""

from __future__ import annotations

import functools
import sys
from typing import Callable


def quiet_when_stdout_closed(command: Callable) -> Callable:
    """Wraps a click callback (put it right above `def`): a closed stdout exits with 141."""

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

    return wrapper

"""A bug in tickpy ends every command with the same status, 70 (sysexits' EX_SOFTWARE), as
`tickpy run` does: CI can tell it from "invalid" (1) and "usage" (2)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest


@pytest.mark.parametrize("name", ["validate", "fmt", "parse", "graph", "explain", "eval", "run", "handlers check"])
def test_every_command_documents_70_for_an_internal_error(name, cli):
    result = cli(*name.split(), "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert re.search(r"\b70:? (for )?(an )?internal error", text), text
    assert not re.search(r"\b3:? (for )?an internal error", text), text


def test_handlers_check_is_guarded():
    from tickpy.cli.handlers import check

    assert check.callback.__wrapped__.__name__ == "check"  # functools.wraps of guarded_command


def test_a_guarded_subcommand_names_its_group():
    program = textwrap.dedent(
        """
        import click
        from tickpy.cli.guard import guarded_command

        @click.group(name="tickpy")
        def main():
            pass

        @main.group(name="handlers")
        def handlers():
            pass

        @handlers.command(name="check")
        @guarded_command
        def check():
            raise KeyError("lost")

        main(["handlers", "check"])
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 70
    assert result.stderr.startswith("tickpy handlers check: internal error: KeyError")


def test_a_guarded_command_that_hits_a_bug_exits_70_without_a_traceback():
    # a real process: the status it ends with, and no traceback from the interpreter
    program = textwrap.dedent(
        """
        import click
        from tickpy.cli.guard import guarded_command

        @click.command(name="boom")
        @guarded_command
        def boom():
            raise KeyError("lost")

        boom()
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 70
    assert "internal error: KeyError" in result.stderr and "Traceback" not in result.stderr

"""The `cli` fixture runs a `tickpy` command in this process through click's CliRunner: most
command-line tests are about what a command prints and its exit status, and starting a Python
process per call was most of the suite's time. Tests about signals, pipes, terminals or the
process's own exit status keep a real subprocess (each says why)."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import inspect
import io
import os

import pytest
from click.testing import CliRunner

from tickpy.cli import main

pytest_plugins = ["pytester"]  # tests/testing/test_pytest_plugin.py runs pytest in this process

# The width click wraps help to when stdout is not a terminal (80 columns less its margin);
# CliRunner would force 80.
PIPED_HELP_WIDTH = 78


@dataclasses.dataclass(frozen=True)
class CliResult:
    """What subprocess.run(..., capture_output=True) gives: the exit status and each stream
    (text, or bytes when asked for)."""

    returncode: int
    stdout: str | bytes
    stderr: str | bytes


def _runner() -> CliRunner:
    # click < 8.2 mixes stderr into stdout unless told not to; 8.2 dropped the option and keeps them apart
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


def _as_text(data: bytes) -> str:
    """As subprocess's text mode reads a stream: UTF-8, universal newlines."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()


def _argument(value) -> str:
    """A command-line word as the process would see it in sys.argv (bytes and paths decoded
    with the file-system encoding, as Python decodes argv)."""
    if isinstance(value, (bytes, os.PathLike)):
        return os.fsdecode(value)
    return str(value)


def run_cli(*args, stdin: str | bytes | None = None, cwd=None, env: dict[str, str | None] | None = None,
            text: bool = True) -> CliResult:
    """`tickpy ARGS...` with `stdin` as its standard input (empty when None), run in `cwd`, with
    `env` changing the environment (None removes a variable) for the call only. Exceptions that
    escape the command are raised here: a real process would have printed a traceback."""
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = _runner().invoke(main, [_argument(a) for a in args], input=stdin, env=env, prog_name="tickpy",
                                  catch_exceptions=False, terminal_width=PIPED_HELP_WIDTH)
    if text:
        return CliResult(result.exit_code, _as_text(result.stdout_bytes), _as_text(result.stderr_bytes))
    return CliResult(result.exit_code, result.stdout_bytes, result.stderr_bytes)


# Several tests build graphs of millions of objects on purpose (10,000-term lambdas, 20,000-link
# chains); with Python's default thresholds (700, 10, 10) the cyclic garbage collector walks
# them over and over, a third of their time. Collecting less often changes only when garbage
# is freed.
gc.set_threshold(10_000, 50, 50)


def pytest_collection_finish(session):
    # The collected tests (one per conformance case: thousands) live until the run ends: frozen,
    # full collections no longer walk them.
    gc.freeze()


@pytest.fixture
def cli():
    """`cli("validate", path, stdin=..., cwd=..., env=..., text=...)`: see run_cli."""
    return run_cli

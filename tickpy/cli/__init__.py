"""`tickpy` command line. Thin: each command lives in its own module and only wires stages.

To add a command: write `tickpy/cli/<name>.py` defining a click command named `command`,
and add the module name to COMMAND_MODULES.
"""

from __future__ import annotations

import importlib
import sys

import click

from tickpy import __version__

COMMAND_MODULES: list[str] = [
    "run",
    "demo",
    "listen",
    "handlers",
    "validate",
    "graph",
    "fmt",
    "parse",
    "eval",
    "test",
    "explain",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tickpy")
def main() -> None:
    """Kapacitor's TICKscript, offline: parse, validate, format, run and test scripts."""


for _module_name in COMMAND_MODULES:
    _module = importlib.import_module(f"tickpy.cli.{_module_name}")
    main.add_command(_module.command)


def run() -> None:  # pragma: no cover - console entry point alias
    sys.exit(main())

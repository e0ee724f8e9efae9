"""`tickpy` command line. Thin: each command lives in its own module and only wires stages.

A command's module is imported only when that command runs (click's lazy group pattern), so
that `tickpy --help` and each command pay only for what they use; `tickpy --help` lists the
commands from COMMANDS.

To add a command: write `tickpy/cli/<name>.py` defining a click command named `command`, and
add `<name>` to COMMANDS with the first sentence of its help (tests/cli/test_lazy_commands.py
checks that `tickpy --help` reads as if every command were loaded).
"""

from __future__ import annotations

import importlib
import sys

if sys.argv[1:2] == ["run"]:
    # First thing, before click and the rest are imported: from now on SIGINT/SIGTERM end `tickpy
    # run` in order with 130/143, whenever they come (tickpy.alerting.shutdown, standard library only).
    from tickpy.alerting.shutdown import ShutdownSignals

    ShutdownSignals(starting=True).install()

import click  # noqa: E402 (after the signal handling above)

from tickpy import __version__

# Command name (also its module's name) -> the first sentence of its help, what `--help` shows.
COMMANDS: dict[str, str] = {
    "demo": "Run the seed sample (tcp-cpu-alert.tick on cpu.lp) against an in-process TCP listener and "
            "show each alert as it arrives.",
    "eval": "Evaluate a lambda EXPRESSION (what follows `lambda:`) and print its value and type, or "
            "Kapacitor's error.",
    "explain": "Explain, step by step, what the pipeline of SCRIPT does (- for standard input): what it "
               "selects, how it groups, windows and aggregates, when each alert level fires and where "
               "events go.",
    "fmt": "Format TICKscripts as Kapacitor's tickfmt does.",
    "graph": "Print the pipeline graph of SCRIPT (- for standard input).",
    "handlers": "Work with handler files (kapacitor define-topic-handler's YAML/JSON).",
    "listen": "Listen on ADDRESS (host:port, :port or a port; port 0 picks a free one) for alerts from tcp "
              "handlers and print them.",
    "lsp": "Serve TICKscript diagnostics, formatting, completion, hover and var navigation to editors over the "
           "Language Server Protocol, on standard input/output.",
    "parse": "Parse TICKscripts (files, directories, or - for standard input).",
    "run": "Run the task SCRIPT (stream or batch) over the points in INPUT files (line protocol; `-` or no INPUT reads "
           "stdin), as Kapacitor would run it, and deliver its alerts to their real handlers (tcp, post, "
           "log, exec) and to the topic handlers given with --handlers.",
    "serve": "Serve as Kapacitor does: InfluxDB 1.x clients and Telegraf write line protocol to POST /write "
             "(and /kapacitor/v1/write), the kapacitor CLI manages tasks, templates, topics and topic handlers "
             "through Kapacitor 1.5.7's HTTP API (kapacitor -url http://127.0.0.1:9092 ...), and every enabled "
             "stream task runs on the points written to its dbrps, delivering its alerts as `tickpy run` does.",
    "test": "Run the test files in PATH (folders are searched for *.tickpy.yaml and *.tickpy.yml; files "
            "named here are run whatever their name, kapacitor-unit files included) and compare every "
            "alert, handler delivery, httpOut result and influxDBOut line with the expectations.",
    "validate": "Check TICKscripts as `kapacitor define` would: exit 0 when all are valid, 1 otherwise, 2 "
                "for a usage error (a file that cannot be read, a folder without *.tick files, a bad "
                "--vars/--udfs file), 70 for an internal error, 141 when standard output is closed by its "
                "reader.",
}


class LazyGroup(click.Group):
    """A group whose commands are imported from tickpy/cli/<name>.py when they are invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return importlib.import_module(f"tickpy.cli.{cmd_name}").command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists commands, with each one's help from COMMANDS instead of its module."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, click.Command(name, help=COMMANDS[name]).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tickpy")
def main() -> None:
    """Kapacitor's TICKscript, offline: parse, validate, format, run and test scripts."""


def run() -> None:  # pragma: no cover - console entry point alias
    sys.exit(main())

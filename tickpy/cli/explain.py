"""`tickpy explain SCRIPT`: what a script's pipeline does, in plain sentences."""

from __future__ import annotations

import sys

import click

from tickpy.cli.guard import guarded_command
from tickpy.diagnostics import TickpyError, display_path, render


@click.command("explain")
@click.argument("script", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--type", "task_type", type=click.Choice(["stream", "batch"]), default=None, help="Task type; inferred by default.")
@click.option("--vars", "vars_file", type=click.Path(dir_okay=False), default=None, help="Template var values (define -vars JSON).")
@click.option("--udfs", "udfs_file", type=click.Path(dir_okay=False), default=None, help="The UDFs your server has.")
@guarded_command
def command(script, task_type, vars_file, udfs_file):
    """Explain, step by step, what the pipeline of SCRIPT does (- for standard input): what it
    selects, how it groups, windows and aggregates, when each alert level fires and where
    events go.

    Exit status: 0 explained, 1 the script is invalid, 2 a usage error, 70 an internal error,
    141 standard output closed by its reader."""
    from tickpy.check import build_pipeline
    from tickpy.check.inputs import load_udfs, load_vars
    from tickpy.observe.explain import explain_text
    from tickpy.syntax import parse

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
            raise click.UsageError(f"cannot read {script}: {err.strerror or err}") from None
        shown = display_path(script)
    try:
        program = parse(source, shown)
        pipeline = build_pipeline(program, task_type=task_type, variables=variables, udfs=udfs)
    except TickpyError as err:
        for diagnostic in err.diagnostics:
            click.echo(render(diagnostic, shown, source), err=True)
        sys.exit(1)
    click.echo(explain_text(pipeline, program, given_vars=variables or ()))

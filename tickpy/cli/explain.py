"""`tickpy explain SCRIPT`: what a script's pipeline does, in plain sentences."""

from __future__ import annotations

import click

from tickpy.cli.guard import guarded_command, load_checked_script
from tickpy.observe.explain import explain_text


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
    program, pipeline, variables = load_checked_script(script, task_type, vars_file, udfs_file)
    click.echo(explain_text(pipeline, program, given_vars=variables or ()))

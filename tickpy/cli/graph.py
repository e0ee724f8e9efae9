"""`tickpy graph`: draw the pipeline a script builds, as `kapacitor show` does (DOT), or as
Mermaid or a text tree."""

from __future__ import annotations

import click

from tickpy.check.dot import to_dot, to_mermaid, to_text
from tickpy.cli.guard import guarded_command, load_checked_script


@click.command("graph")
@click.argument("script", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(["dot", "mermaid", "text"]), default="dot", show_default=True)
@click.option("--type", "task_type", type=click.Choice(["stream", "batch"]), default=None, help="Task type; inferred by default.")
@click.option("--vars", "vars_file", type=click.Path(dir_okay=False), default=None, help="Template var values (define -vars JSON).")
@click.option("--udfs", "udfs_file", type=click.Path(dir_okay=False), default=None, help="The UDFs your server has.")
@click.option("--name", "graph_name", default="task", show_default=True, help="The task id used in the DOT header.")
@guarded_command
def command(script, output_format, task_type, vars_file, udfs_file, graph_name):
    """Print the pipeline graph of SCRIPT (- for standard input).

    Exit status: 0 drawn, 1 the script is invalid, 2 a usage error, 70 an internal error,
    141 standard output closed by its reader."""
    _, pipeline, _ = load_checked_script(script, task_type, vars_file, udfs_file, brief_read_error=False)
    if output_format == "dot":
        click.echo(to_dot(pipeline, graph_name))
    elif output_format == "mermaid":
        click.echo(to_mermaid(pipeline))
    else:
        click.echo(to_text(pipeline))

"""`tickpy parse`: check that scripts parse; with --json, print their syntax tree."""

from __future__ import annotations

import sys

import click

from tickpy.cli.fmt import collect_paths, failure_status, read_or_report
from tickpy.cli.guard import guarded_command
from tickpy.syntax import parse, parse_lambda_expression
from tickpy.syntax.serialize import dumps, node_to_dict


@click.command("parse")
@click.option("--json", "as_json", is_flag=True, help="Print the syntax tree as JSON (one document per file, one line each).")
@click.option(
    "--indent",
    type=click.IntRange(0, 16),
    default=None,
    metavar="N",
    help="With --json: indent nested levels by N spaces (readable for small scripts; the size grows with the square of a chain's length).",
)
@click.option("--lambda", "as_lambda", is_flag=True, help="The input is a lambda expression (what follows `lambda:`).")
@click.argument("paths", nargs=-1, required=True)
@guarded_command
def command(as_json: bool, indent: int | None, as_lambda: bool, paths: tuple[str, ...]) -> None:
    """Parse TICKscripts (files, directories, or - for standard input).

    Exit status 0 when every script parses, 2 otherwise or when a folder has no *.tick files
    (70: an internal error, 141: standard output closed by its reader); errors go to standard
    error.
    """
    status = 0  # the highest seen: an internal error (70) is never hidden by a later file
    for path in collect_paths(paths):
        shown, source = read_or_report(path)
        if source is None:
            status = max(status, 2)
            continue
        try:
            tree = parse_lambda_expression(source, shown) if as_lambda else parse(source, shown)
            if as_json:
                document = {"path": shown, "ast": node_to_dict(tree)}
                text = dumps(document, indent=indent)
        except Exception as error:
            status = max(status, failure_status(shown, source, error))
            continue
        if as_json:
            sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape") + b"\n")
        else:
            click.echo(f"{shown}: ok")
    sys.stdout.flush()
    sys.exit(status)

"""`tickpy validate`: would `kapacitor define` accept these scripts? Where and why not."""

from __future__ import annotations

import pathlib
import sys

import click

from tickpy.check.inputs import load_udfs, load_vars
from tickpy.check.verdict import validate_source
from tickpy.cli.guard import color_wanted, guarded_command
from tickpy.cli.script_text import read_script, shown_message, shown_source
from tickpy.diagnostics import ERROR, INFO, Diagnostic, TickpyError, display_path, render, to_json_line


def _collect(paths: tuple[str, ...]) -> list[str]:
    files: list[str] = []
    for path in paths:
        if path == "-":
            files.append(path)
            continue
        p = pathlib.Path(path)
        if p.is_dir():
            found = [str(f) for f in sorted(p.rglob("*.tick")) if f.is_file()]
            if not found:  # a mistyped folder in CI must not pass as "0 files valid"
                raise click.UsageError(f"no .tick files found under {path}")
            files.extend(found)
        elif p.exists():
            files.append(path)
        else:
            raise click.UsageError(f"no such file or directory: {path}")
    return files


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github(path: str, diagnostic: Diagnostic) -> str:
    level = {ERROR: "error", INFO: "notice"}.get(diagnostic.severity, "warning")
    props = [f"file={_github_escape(path, True)}"]
    if diagnostic.line:
        props.append(f"line={diagnostic.line}")
        props.append(f"col={diagnostic.column}")
        if diagnostic.end_line:
            props.append(f"endLine={diagnostic.end_line}")
        if diagnostic.end_column and diagnostic.end_line == diagnostic.line:
            props.append(f"endColumn={diagnostic.end_column}")
    if diagnostic.code:
        props.append(f"title={_github_escape('tickpy ' + diagnostic.code, True)}")
    message = diagnostic.message
    if diagnostic.hint:
        message += f" (hint: {diagnostic.hint})"
    return f"::{level} {','.join(props)}::{_github_escape(message)}"


def _running_udfs(source: str, path: str, config_path, udf_modules) -> dict:
    """name -> UDFInfo of the UDFs the script calls, from their agents (started for it) and
    Python UDFs; a usage error for one that cannot be loaded."""
    from tickpy.api import RunOptions, load_udfs  # deferred: start-up (only --config/--udf-module need the runtime)

    try:
        _, infos = load_udfs(source, RunOptions(path=path, config=config_path, udf_modules=tuple(udf_modules)))
    except TickpyError as err:
        raise click.UsageError(err.diagnostics[0].message) from None
    return infos or {}


@click.command("validate")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text", show_default=True)
@click.option("--type", "task_type", type=click.Choice(["stream", "batch"]), default=None, help="Task type; inferred from the script by default, as Kapacitor does.")
@click.option("--vars", "vars_file", type=click.Path(dir_okay=False), default=None, help="Values for template vars: the JSON of `kapacitor define -vars`.")
@click.option("--udfs", "udfs_file", type=click.Path(dir_okay=False), default=None, help="The UDFs your server has (JSON/YAML: name -> {wants, provides, options}).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Kapacitor TOML configuration: the agents of [udf.functions] that a script calls are started and "
                   "asked for their options, and .option() calls checked against them, as `kapacitor define` does.")
@click.option("--udf-module", "udf_modules", multiple=True, metavar="MODULE[:OBJECT]",
              help="Python UDFs (declared with @tickpy.udf.function), as tickpy run takes them (repeatable).")
@click.option("--dbrp", "dbrp_values", multiple=True, metavar="DB.RP", help="The -dbrp given to define (repeatable); enables the server's dbrp rule.")
@click.option("--require-dbrp", is_flag=True, help="Apply the server's rule: a dbrp statement or --dbrp is required.")
@click.option("--syntax-only", is_flag=True, help="Only check the syntax.")
@click.option("--no-warnings", is_flag=True, help="Do not show lint warnings.")
@click.option("--kapacitor-text", is_flag=True, help="Also show each error as Kapacitor words it.")
@guarded_command
def command(
    paths, output_format, task_type, vars_file, udfs_file, config_path, udf_modules, dbrp_values, require_dbrp, syntax_only,
    no_warnings, kapacitor_text
):
    """Check TICKscripts as `kapacitor define` would: exit 0 when all are valid, 1 otherwise,
    2 for a usage error (a file that cannot be read, a folder without *.tick files, a bad
    --vars/--udfs file, a UDF of --config or --udf-module that cannot be loaded), 70 for an
    internal error, 141 when standard output is closed by its reader.

    PATHS are files, directories (every *.tick under them) or - for standard input.
    """

    try:
        variables = load_vars(vars_file) if vars_file else None
        udfs = load_udfs(udfs_file) if udfs_file else None
    except TickpyError as err:
        raise click.UsageError(err.diagnostics[0].message) from None
    dbrps = None
    if dbrp_values or require_dbrp:
        dbrps = []
        for value in dbrp_values:
            database, dot, retention = value.partition(".")
            if not dot or not database or not retention:
                raise click.UsageError(f"--dbrp takes DATABASE.RETENTION_POLICY, got {value!r}")
            dbrps.append((database, retention))
    files = _collect(paths)
    color = output_format == "text" and color_wanted(sys.stdout)
    invalid = 0
    for path in files:
        try:
            source = read_script(path)  # as parse and fmt read it: bytes that are not UTF-8 stay what they are
        except OSError as err:
            raise click.UsageError(f"cannot read {path}: {err}") from None
        shown = "<stdin>" if path == "-" else display_path(path)
        script_udfs = udfs
        if (config_path or udf_modules) and not syntax_only:
            script_udfs = {**(udfs or {}), **_running_udfs(source, shown, config_path, udf_modules)}
        ok, diagnostics, kind = validate_source(
            source, shown, task_type=task_type, variables=variables, udfs=script_udfs, syntax_only=syntax_only,
            dbrps=dbrps
        )
        if no_warnings:
            diagnostics = [d for d in diagnostics if d.severity == ERROR]
        if not ok:
            invalid += 1
        if output_format == "json":
            click.echo(to_json_line(shown, ok, diagnostics, task_type=kind) + "\n", nl=False)
        elif output_format == "github":
            for diagnostic in diagnostics:
                click.echo(_github(shown, diagnostic) + "\n", nl=False)
        else:
            for diagnostic in diagnostics:
                click.echo(shown_message(render(diagnostic, shown, shown_source(source), color=color)) + "\n", nl=False)
                if kapacitor_text and diagnostic.kapacitor_message and diagnostic.severity == ERROR:
                    click.echo(f"  kapacitor: {diagnostic.kapacitor_message}\n", nl=False)
    if output_format == "text":
        total = len(files)
        if invalid:
            click.echo(f"{invalid} of {total} file{'s' * (total != 1)} invalid", err=True)
        else:
            click.echo(f"{total} file{'s' * (total != 1)} valid", err=True)
    sys.exit(1 if invalid else 0)

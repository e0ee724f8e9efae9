"""`tickpy fmt`: print scripts the way Kapacitor's formatter (tickfmt) does, byte for byte."""

from __future__ import annotations

import pathlib
import sys

import click

from tickpy.cli.guard import INTERNAL_ERROR, color_wanted, guarded_command
from tickpy.cli.script_text import read_script, shown_source
from tickpy.diagnostics import Diagnostic, TickpyError, render
from tickpy.syntax import format_source


def encode_script(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def collect_paths(paths: tuple[str, ...]) -> list[str]:
    """Files named on the command line; a directory stands for the *.tick files under it."""
    files: list[str] = []
    for path in paths:
        candidate = pathlib.Path(path)
        if path != "-" and candidate.is_dir():
            found = [str(p) for p in sorted(candidate.rglob("*.tick")) if p.is_file()]
            if not found:  # a mistyped folder in CI must not pass as "nothing to do"
                raise click.UsageError(f"no .tick files found under {path}")
            files.extend(found)
        else:
            files.append(path)
    return files


def internal_error(error: Exception) -> TickpyError:
    return TickpyError(
        Diagnostic(
            f"internal error in tickpy ({type(error).__name__}: {error}); please report it with the script",
            code="internal",
        )
    )


def report_error(path: str, source: str | None, error: TickpyError) -> None:
    color = color_wanted(sys.stderr)
    if source is not None:
        source = shown_source(source)
    stream = sys.stderr.buffer if hasattr(sys.stderr, "buffer") else None
    for diagnostic in error.diagnostics:
        text = render(diagnostic, path, source, color=color) + "\n"
        if stream is None:
            click.echo(text, err=True, nl=False)
            continue
        try:  # undecodable input bytes go back out as they came in
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = text.encode("utf-8", "replace")
        stream.write(data)
    if stream is not None:
        stream.flush()


def read_or_report(path: str) -> tuple[str, str | None]:
    """The name a script is shown by and its text; the text is None when the script cannot
    be read (said on standard error: the caller's status becomes at least 2)."""
    shown = "<stdin>" if path == "-" else path
    try:
        return shown, read_script(path)
    except OSError as error:
        report_error(shown, None, TickpyError(Diagnostic(f"cannot read {shown}: {error.strerror or error}", code="io")))
        return shown, None


def failure_status(shown: str, source: str, error: Exception) -> int:
    """Reports an error met while handling one script and returns the exit status it stands
    for: 2 for the script's own error, INTERNAL_ERROR for a bug of ours (said plainly,
    without a traceback)."""
    if isinstance(error, TickpyError):
        report_error(shown, source, error)
        return 2
    report_error(shown, source, internal_error(error))
    return INTERNAL_ERROR


@click.command("fmt")
@click.option("--check", is_flag=True, help="Print nothing but the names of files that are not formatted; exit 1 if any.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff instead of the formatted script.")
@click.option("-w", "--write", is_flag=True, help="Rewrite the files in place.")
@click.argument("paths", nargs=-1, required=True)
@guarded_command
def command(check: bool, show_diff: bool, write: bool, paths: tuple[str, ...]) -> None:
    """Format TICKscripts as Kapacitor's tickfmt does.

    Byte for byte wherever Kapacitor's output reads back as the same script; where it would not
    (a regex after a name, a comment before a unary minus, ...) tickpy keeps the parentheses or
    moves the comment so that it does. Formatting twice changes nothing.

    PATHS are files, directories (their *.tick files) or - for standard input. By default the
    formatted scripts go to standard output. Exit status: 0 done, 1 a file is not formatted
    (--check or --diff), 2 a script could not be read or parsed (or a folder has no *.tick
    files), 70 an internal error, 141 standard output closed by its reader.
    """
    status = 0  # the highest seen: an internal error (70) is never hidden by a later file
    out = sys.stdout.buffer
    rewritten = unchanged = 0
    for path in collect_paths(paths):
        shown, source = read_or_report(path)
        if source is None:
            status = max(status, 2)
            continue
        try:
            formatted = format_source(source, shown)
        except Exception as error:
            status = max(status, failure_status(shown, source, error))
            continue
        changed = formatted != source
        if check:
            if changed:
                out.write(encode_script(shown + "\n"))
                status = max(status, 1)
            continue
        if show_diff:
            if changed:
                import difflib  # deferred: start-up (only --diff needs it)

                diff = difflib.unified_diff(
                    source.splitlines(keepends=True),
                    formatted.splitlines(keepends=True),
                    fromfile=f"{shown} (original)",
                    tofile=f"{shown} (formatted)",
                )
                for line in diff:
                    if not line.endswith("\n"):
                        line += "\n\\ No newline at end of file\n"
                    out.write(encode_script(line))
                status = max(status, 1)
            if not write:
                continue
        if write and path != "-":
            if changed:
                try:
                    pathlib.Path(path).write_bytes(encode_script(formatted))
                    rewritten += 1
                except OSError as error:
                    report_error(shown, None, TickpyError(Diagnostic(f"cannot write {shown}: {error.strerror or error}", code="io")))
                    status = max(status, 2)
            else:
                unchanged += 1
            continue
        out.write(encode_script(formatted))
    out.flush()
    if write and (rewritten or unchanged):
        click.echo(f"tickpy fmt: {_files(rewritten)} reformatted, {_files(unchanged)} left unchanged", err=True)
    sys.exit(status)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"

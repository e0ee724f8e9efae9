"""`tickpy handlers check PATH ...`: would Kapacitor accept these handler files?

The files are loaded and checked exactly as `tickpy run --handlers` loads them
(tickpy.alerting.handlerfile.check_handler_files): strict keys, option types, kinds, ids, `match`
syntax, functions and compilation, absolute log paths, duplicate ids on a topic, and, with
--config, what building the handlers refuses under that configuration (a post endpoint, a kafka
cluster; without --config these are warnings). Besides: YAML traps (a `match` that starts with a
double quote, numbers where strings belong, modes written in decimal) and publish loops between
topics.
"""

from __future__ import annotations

import json
import sys

import click

from tickpy.alerting.config import load_config
from tickpy.alerting.handlerfile import CheckedFile, Position, check_handler_files, diagnostic
from tickpy.cli.guard import color_wanted, guarded_command
from tickpy.diagnostics import ERROR, render

HELP = """Check handler files (PATH: a file, a directory of .yaml, .yml and .json files, or - for
one file on standard input, YAML or JSON) as `tickpy run --handlers` loads them; with --config,
also what building them refuses under that configuration (post endpoints, kafka clusters).

\b
Exit status:
  0  every file is accepted (warnings are shown, as for a directory without handler files)
  1  some file or the --config file has an error
  2  usage error
  70  internal error (a bug in tickpy; TICKPY_DEBUG=1 shows the traceback)
  141  standard output was closed by its reader (`... | head -1`)
"""


def check_paths(paths: list[str], config_path: str | None = None, stdin_text: str | None = None):
    """[CheckedFile] for the --config file (when it has problems), every handler file under
    `paths`, and the publish loops found, in order."""

    config, config_problems = load_config(config_path) if config_path else (None, [])
    results = [CheckedFile(str(config_path), None, config_problems)] if config_problems else []
    checked = check_handler_files(paths, config, stdin_text)
    results.extend(checked)
    publish_edges: dict[str, list[tuple[str, str]]] = {}
    for entry in checked:
        spec = entry.spec
        if spec is not None and spec.kind in ("publish", "aggregate"):
            targets = spec.options.get("topics", []) if spec.kind == "publish" else [spec.options.get("topic")]
            publish_edges.setdefault(spec.topic, []).extend((t, spec.path) for t in targets if t)
    for loop, path in _publish_loops(publish_edges):
        results.append(CheckedFile(path, None, [diagnostic(
            path, "publish loop between topics: " + " -> ".join(loop), Position(1, 1), code="handler-publish-loop",
            severity="warning", hint="an event would go round forever; tickpy cuts the loop")]))
    return results


def _publish_loops(edges: dict[str, list[tuple[str, str]]]):
    found = []
    reported = set()

    def visit(topic, trail):
        for target, path in edges.get(topic, []):
            if target in trail:
                loop = trail[trail.index(target):] + [target]
                key = frozenset(loop)
                if key not in reported:
                    reported.add(key)
                    found.append((loop, path))
            elif len(trail) < 50:
                visit(target, trail + [target])

    for start in sorted(edges):
        visit(start, [start])
    return found


@click.group("handlers")
def command() -> None:
    """Work with handler files (kapacitor define-topic-handler's YAML/JSON)."""


@command.command("check", help=HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--config", "config_path", type=click.Path(), help="Kapacitor config (TOML): [[httppost]] endpoints, "
              "[[kafka]] clusters, as `tickpy run --config` reads it.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--kapacitor-text", is_flag=True, help="Also show each error as Kapacitor words it (with Go type names).")
@guarded_command
def check(paths: tuple[str, ...], config_path: str | None, output_format: str, kapacitor_text: bool) -> None:
    if paths.count("-") > 1:
        raise click.UsageError("standard input (-) can be given once")
    stdin_text = None
    if "-" in paths:
        if sys.stdin.isatty():
            click.echo("tickpy handlers check: reading a handler file from the terminal (end with Ctrl-D)", err=True)
        stdin_text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    sys.exit(_check(list(paths), config_path, output_format, kapacitor_text, stdin_text))


def _check(paths: list[str], config_path: str | None, output_format: str, kapacitor_text: bool,
           stdin_text: str | None) -> int:

    results = check_paths(paths, config_path, stdin_text)
    color = output_format == "text" and color_wanted(sys.stdout)
    for entry in results:
        spec, errors = entry.spec, entry.errors
        if output_format == "json":
            record = {"path": entry.path, "ok": not errors, "diagnostics": [d.to_json() for d in entry.diagnostics]}
            if spec is not None:
                record.update({"id": spec.id, "topic": spec.topic, "kind": spec.kind, "match": spec.match,
                               "options": spec.options})
            click.echo(json.dumps(record, ensure_ascii=False, default=str))
            continue
        source = entry.text if entry.text is not None else _read(entry.path)
        for d in entry.diagnostics:
            click.echo(render(d, entry.path, source, color=color))
            if kapacitor_text and d.kapacitor_message and d.severity == ERROR:
                lines = ("kapacitor: " + d.kapacitor_message).splitlines()
                click.echo("\n".join("  " + line if line else "" for line in lines))
        if spec is not None and not errors:
            match = f", match {spec.match!r}" if spec.match else ""
            click.echo(f"{entry.path}: ok: handler {spec.id!r} on topic {spec.topic!r}, kind {spec.kind}{match}")
    failed = sum(1 for entry in results if entry.errors)
    if output_format == "text":
        files = sum(1 for entry in results if entry.text is not None)
        click.echo(f"{files} file(s) checked, {failed} with errors", err=True)
    return 1 if failed else 0


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None

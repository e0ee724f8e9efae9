"""`tickpy handlers check PATH ...`: would Kapacitor accept these handler files?

Checks what `kapacitor define-topic-handler` and the alert service check (strict keys, option
types, kinds, ids, `match` syntax and functions, absolute log paths) plus YAML traps (a `match`
that starts with a double quote, numbers where strings belong, modes written in decimal),
duplicate ids on a topic, and publish loops between topics.
"""

from __future__ import annotations

import json
import sys

import click

from tickpy.alerting.config import AlertConfig, load_config
from tickpy.alerting.handlerfile import Position, diagnostic, expand_paths, load_handler_file
from tickpy.diagnostics import ERROR, Diagnostic, render


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def check_paths(paths: list[str], config_path: str | None = None) -> list[tuple[str, object, list[Diagnostic]]]:
    """[(file, spec or None, diagnostics)] for every handler file under `paths`, in order."""
    files, problems = expand_paths(paths)
    results: list[tuple[str, object, list[Diagnostic]]] = [(d.extra["path"], None, [d]) for d in problems]
    config, config_problems = load_config(config_path) if config_path else (None, [])
    if config_problems:
        results.append((config_path, None, config_problems))
    seen: dict[tuple[str, str], str] = {}
    publish_edges: dict[str, list[tuple[str, str]]] = {}
    for file in files:
        spec, diagnostics = load_handler_file(file)
        if spec is not None:
            key = (spec.topic, spec.id)
            if key in seen:
                diagnostics.append(diagnostic(spec.path, f"handler with ID {spec.id!r} already exists on topic "
                                                         f"{spec.topic!r}", spec.position("id"),
                                              code="handler-duplicate-id", hint=f"first defined in {seen[key]}"))
            else:
                seen[key] = spec.path
            if spec.kind == "post" and spec.options.get("endpoint") and not spec.options.get("url"):
                if config is None or spec.options["endpoint"] not in config.httppost:
                    diagnostics.append(diagnostic(
                        spec.path, f"endpoint {spec.options['endpoint']!r} must be defined in the config "
                                   "([[httppost]]) given to tickpy run --config",
                        spec.position("options.endpoint"), code="handler-endpoint", severity="warning"))
            if spec.kind == "kafka":
                clusters = (config or AlertConfig()).kafka_clusters()
                if spec.options.get("cluster", "") not in clusters:
                    # Kapacitor refuses the handler; without --config tickpy cannot know the real clusters.
                    diagnostics.append(diagnostic(
                        spec.path, f"kafka: unknown cluster {spec.options.get('cluster', '')!r}: Kapacitor knows "
                                   f"{', '.join(map(repr, clusters)) or 'none'}"
                                   + ("" if config else " without [[kafka]] sections in the config (--config)"),
                        spec.position("options.cluster"), code="handler-kafka-cluster",
                        severity="error" if config else "warning"))
            if spec.kind in ("publish", "aggregate"):
                targets = spec.options.get("topics", []) if spec.kind == "publish" else [spec.options.get("topic")]
                publish_edges.setdefault(spec.topic, []).extend((t, spec.path) for t in targets if t)
        results.append((str(file), spec, diagnostics))
    for loop, path in _publish_loops(publish_edges):
        results.append((path, None, [diagnostic(path, "publish loop between topics: " + " -> ".join(loop),
                                                Position(1, 1), code="handler-publish-loop", severity="warning",
                                                hint="an event would go round forever; tickpy cuts the loop")]))
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


@command.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--config", "config_path", type=click.Path(), help="Kapacitor config (TOML) with [[httppost]] endpoints.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--kapacitor-text", is_flag=True, help="Also show each error as Kapacitor words it (with Go type names).")
def check(paths: tuple[str, ...], config_path: str | None, output_format: str, kapacitor_text: bool) -> None:
    """Validate handler files and directories of them. Exit 1 if any has an error (141 when
    standard output is closed by its reader, as for `... | head -1`)."""
    from tickpy.cli.run import stdout_closed

    try:
        status = _check(paths, config_path, output_format, kapacitor_text)
        sys.stdout.flush()
    except BrokenPipeError:
        status = stdout_closed()
    sys.exit(status)


def _check(paths: tuple[str, ...], config_path: str | None, output_format: str, kapacitor_text: bool) -> int:
    results = check_paths(list(paths), config_path)
    failed = False
    color = output_format == "text" and sys.stdout.isatty()
    for path, spec, diagnostics in results:
        errors = [d for d in diagnostics if d.severity == ERROR]
        failed = failed or bool(errors)
        if output_format == "json":
            record = {"path": path, "ok": not errors, "diagnostics": [d.to_json() for d in diagnostics]}
            if spec is not None:
                record.update({"id": spec.id, "topic": spec.topic, "kind": spec.kind, "match": spec.match,
                               "options": spec.options})
            click.echo(json.dumps(record, ensure_ascii=False, default=str))
            continue
        source = _read(path)
        for d in diagnostics:
            click.echo(render(d, path, source, color=color))
            if kapacitor_text and d.kapacitor_message and d.severity == ERROR:
                lines = ("kapacitor: " + d.kapacitor_message).splitlines()
                click.echo("\n".join("  " + line if line else "" for line in lines))
        if spec is not None and not errors:
            match = f", match {spec.match!r}" if spec.match else ""
            click.echo(f"{path}: ok: handler {spec.id!r} on topic {spec.topic!r}, kind {spec.kind}{match}")
    if output_format == "text":
        bad = sum(1 for _, _, ds in results if any(d.severity == ERROR for d in ds))
        click.echo(f"{len(results)} file(s) checked, {bad} with errors", err=True)
    return 1 if failed else 0

"""Draw a Pipeline: Kapacitor's DOT (as `kapacitor show` prints it), Mermaid, and a text tree."""

from __future__ import annotations

from tickpy.check.evaluate import sorted_nodes
from tickpy.check.node_words import Unset, method_name, show
from tickpy.check.pipeline import Pipeline, PipelineNode, TimeDimension
from tickpy.golang.gotime import format_influx_duration
from tickpy.lang.values import Duration
from tickpy.syntax import ast


def _label(node: PipelineNode) -> str:
    return node.extra.get("name") or node.label


def _sources(pipeline: Pipeline) -> list[PipelineNode]:
    sources = [pipeline.root]
    sources.extend(n for n in pipeline.nodes if "source" in n.extra and n is not pipeline.root)
    return sources


def to_dot(pipeline: Pipeline, name: str = "task") -> str:
    """Kapacitor's walk order, one `parent -> child;` line per edge; the batch root is not drawn."""
    lines = [f"digraph {name} {{"]
    for node in sorted_nodes(_sources(pipeline)):
        if node.type == "BatchNode":
            continue
        for child in node.children:
            lines.append(f"{_label(node)} -> {_label(child)};")
    lines.append("}")
    return "\n".join(lines)


def to_mermaid(pipeline: Pipeline) -> str:
    lines = ["flowchart TD"]
    for node in sorted_nodes(_sources(pipeline)):
        lines.append(f"    {_label(node)}[\"{_describe_shown(node).replace(chr(34), '#quot;')}\"]")
    for node in sorted_nodes(_sources(pipeline)):
        for child in node.children:
            lines.append(f"    {_label(node)} --> {_label(child)}")
    return "\n".join(lines)


def _describe_shown(node: PipelineNode) -> str:
    """The node as the script writes it: its chaining call under the method's name, then every
    property and alert handler in the order written: `|groupBy('host')`,
    `|window().period(10s).every(5s).align()`, `|alert().crit(lambda: "v" > 1).tcp('h:9').category('c')`."""
    args = ", ".join(_show_arg(a) for a in node.args if not isinstance(a, PipelineNode))
    if node.type in ("StreamNode", "BatchNode"):
        text = node.name
    elif node.type == "UDFNode":
        text = f"@{node.name}({args})"
    else:
        text = f"|{method_name(node)}({args})"
    calls = [(call.span.offset, _show_call(call.name, call.args)) for call in node.properties]
    for handler in node.handlers:
        handler_text = _show_call(handler.kind, handler.args)
        handler_text += "".join(_show_call(call.name, call.args) for call in handler.properties)
        calls.append((handler.span.offset, handler_text))
    # Stable: calls Kapacitor adds itself (deadman()'s) share one place and keep their order.
    calls.sort(key=lambda call: call[0])
    return text + "".join(shown for _, shown in calls)


def _show_call(name: str, args: list) -> str:
    return f".{name}({', '.join(_show_arg(a) for a in args)})"


def _show_arg(value) -> str:
    if isinstance(value, Unset):
        return str(value)
    if isinstance(value, list):
        return ", ".join(_show_arg(item) for item in value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, TimeDimension):
        offset = f", {_show_arg(value.offset)}" if value.offset.nanoseconds else ""
        return f"time({_show_arg(value.length)}{offset})"
    if isinstance(value, ast.Lambda):
        return "lambda: " + (show(value.expression) if value.expression is not None else "?")
    if isinstance(value, Duration):  # as a TICKscript duration literal: 5m, 90s
        return format_influx_duration(value.nanoseconds)
    return show(value)


def to_text(pipeline: Pipeline) -> str:
    """An indented tree; a node with several parents (join, union) is shown under each."""
    out: list[str] = []

    def walk(node: PipelineNode, depth: int, seen: set[int]) -> None:
        suffix = ""
        if len(node.parents) > 1:
            suffix = "  (joins " + ", ".join(_label(p) for p in node.parents) + ")"
        out.append("  " * depth + f"{_label(node)} {_describe_shown(node)}{suffix}")
        if id(node) in seen:
            return
        seen.add(id(node))
        for child in node.children:
            walk(child, depth + 1, seen)

    seen: set[int] = set()
    for source in _sources(pipeline):
        walk(source, 0, seen)
    return "\n".join(out)

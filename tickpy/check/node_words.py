"""How a checked pipeline node is put in words: the building blocks of the sentences each node
kind declares for `tickpy explain` (tickpy.check.node_kinds) and of the graphs' node text.
"""

from __future__ import annotations

from typing import Any

from tickpy.check.catalogue import load
from tickpy.check.pipeline import PipelineNode
from tickpy.golang.gotime import format_go_duration
from tickpy.lang.values import Duration
from tickpy.syntax import ast, format_expression


class Unset(str):
    """A template var without a value, shown as `<var NAME (TYPE), not given>` wherever it is
    used (define-template gives it a zero value, which would read as a real one: '' or TRUE)."""


def show(value: Any) -> str:
    """A value as TICKscript writes it: 'text', 5m0s, lambda text, 10, true, *."""
    if isinstance(value, str):
        return "'" + value.replace("'", "\\'") + "'"
    if isinstance(value, Duration):
        return format_go_duration(value.nanoseconds)
    if isinstance(value, ast.Node):
        return format_expression(value)
    if isinstance(value, (bool, int, float)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return "*" if type(value).__name__ == "StarValue" else type(value).__name__


def method_name(node: PipelineNode) -> str:
    """The chaining method that builds the node, as the script writes it (`httpPost`, `groupBy`,
    `holtWintersWithFit`), where its DOT name is Kapacitor's own (`http_post`, `groupby`)."""
    if node.extra.get("includeFitData"):  # holtWintersWithFit() builds a "holtWinters" node
        return "holtWintersWithFit"
    # A node no method builds (the noop Kapacitor adds under a watched node) keeps its DOT name.
    return load().chain_names.get((node.type, node.name), node.name)


def call_text(node: PipelineNode) -> str:
    """The node as the script calls it: `stream`, `|window()`, `|httpPost('http://x')`, `@smooth()`."""
    if node.type in ("StreamNode", "BatchNode"):
        return node.name
    args = ", ".join(show(a) for a in node.args if not isinstance(a, PipelineNode))
    if node.type == "UDFNode":
        return f"@{node.name}({args})"
    return f"|{method_name(node)}({args})"


def literal(value: Any) -> str:
    if isinstance(value, Unset):
        return str(value)
    if isinstance(value, list):
        return ", ".join(literal(item) for item in value)
    return show(value)


def expression(value: Any) -> str:
    """A lambda as its expression text (without `lambda:`)."""
    if isinstance(value, Unset):
        return str(value)
    if isinstance(value, ast.Lambda):
        if value.expression is None:  # a template's lambda var without a value
            return "<the template's lambda, not given>"
        return format_expression(value.expression)
    return literal(value)


def duration(value: Any) -> str:
    if isinstance(value, Duration):
        return format_go_duration(value.nanoseconds)
    return literal(value)


def prop(node: PipelineNode, name: str, default: Any = None) -> Any:
    call = node.last(name)
    if call is None:
        return default
    return call.args[0] if call.args else True


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def label(node: PipelineNode) -> str:
    return node.extra.get("name") or node.label


def group_words(args: list) -> str:
    names = []
    star = False
    for arg in args:
        items = arg if isinstance(arg, list) else [arg]
        for item in items:
            if type(item).__name__ == "StarValue":
                star = True
            elif isinstance(item, str):
                names.append(item)
            elif type(item).__name__ == "TimeDimension":
                names.append(f"time({duration(item.length)})")
    if star:
        return "every tag"
    return ", ".join(name if name.startswith("time(") else f"'{name}'" for name in names)


def grouping(node: PipelineNode) -> str:
    """How the data reaching `node` is grouped: "" (one group) or words such as "'host'"."""
    seen = set()
    if node.type == "StatsNode" and isinstance(node.extra.get("source"), PipelineNode):
        current = node.extra["source"]  # stats() reports per group of the node it watches
    else:
        current = node.parents[0] if node.parents else None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.type in ("FromNode", "QueryNode"):
            call = current.last("groupBy")
            args = [a for a in (call.args if call is not None else []) if type(a).__name__ != "TimeDimension"]
            return group_words(args)
        if current.type == "GroupByNode":
            return group_words(current.args)
        if current.type == "StatsNode" and isinstance(current.extra.get("source"), PipelineNode):
            # stats() reports per group of the node it watches
            current = current.extra["source"]
            continue
        current = current.parents[0] if current.parents else None
    return ""


def per_group(node: PipelineNode) -> str:
    """", per host" / ", per group of every tag" / "" (everything is one group)."""
    words = grouping(node)
    if not words:
        return ""
    return ", per group of every tag" if words == "every tag" else f", per {words}"


def unit(node: PipelineNode) -> str:
    return "batch" if node.wants == "batch" else "point"


__all__ = ["Unset", "call_text", "duration", "expression", "group_words", "grouping", "label", "literal",
           "method_name", "per_group", "plural", "prop", "show", "unit"]

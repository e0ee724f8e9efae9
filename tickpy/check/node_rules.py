"""The building blocks of Kapacitor's per-node consistency checks (its nodes' `validate()`
methods), which each node kind declares in tickpy.check.node_kinds. They run after the whole
script is evaluated; these messages carry no position in Kapacitor; we point at the node.

The rules read the node's recorded property calls, so they follow Kapacitor's semantics of
each setter: `.as()` replaces the names, `.endpoint()` appends, a field keeps its last value.
"""

from __future__ import annotations

from typing import Any

from tickpy.check.catalogue import load
from tickpy.check.evaluate import with_article
from tickpy.check.pipeline import PipelineNode
from tickpy.check.values import go_type_of, kind_of_value
from tickpy.influxql import InfluxQLError, parse_select
from tickpy.lang.values import Duration, StarValue
from tickpy.syntax import ast
from tickpy.syntax.lexer import utf8_len


class RuleError(Exception):
    def __init__(self, message: str, kapacitor: str, hint: str | None = None, span: ast.Span | None = None):
        self.message = message
        self.kapacitor = kapacitor
        self.hint = hint
        self.span = span  # the call at fault, when it is one call; else the node is shown
        super().__init__(message)


def at_call(span: ast.Span | None):
    """Attach a call's position to a RuleError raised inside the block."""

    class _Attach:
        def __enter__(self):
            return self

        def __exit__(self, kind, err, tb):
            if isinstance(err, RuleError) and err.span is None:
                err.span = span
            return False

    return _Attach()


def last_arg(node: PipelineNode, name: str, default: Any = None) -> Any:
    call = node.last(name)
    if call is None or not call.args:
        return default
    return call.args[0]


def last_args(node: PipelineNode, name: str) -> list | None:
    call = node.last(name)
    return None if call is None else list(call.args)


def nanoseconds(value: Any) -> int:
    return value.nanoseconds if type(value) is Duration else 0


def go_type(value: Any) -> str:
    return go_type_of(value, load())


def value_words(value: Any) -> str:
    return {
        bool: "a bool",
        int: "an int",
        float: "a float",
        Duration: "a duration",
        ast.Reference: 'a double-quoted reference ("...")',
        ast.Lambda: "a lambda",
        list: "a list",
    }.get(type(value)) or _any_words(value)


def _any_words(value: Any) -> str:
    return with_article(kind_of_value(value))


def check_dimensions(dimensions: list, excluded: list) -> None:
    has_star = False
    for d in dimensions:
        if type(d) is str:
            if not d:
                raise RuleError("a group-by tag name cannot be empty", "dimensions cannot not be the empty string")
        elif type(d) is StarValue:
            has_star = True
        else:
            raise RuleError(
                f"groupBy takes tag names in single quotes or *, not {value_words(d)}",
                f"invalid dimension object of type {go_type(d)}",
                hint="write tag names as 'host'" if type(d) is ast.Reference else None,
            )
    if has_star and len(dimensions) > 1:
        raise RuleError("groupBy(*) cannot be combined with named tags", "cannot group by both '*' and named dimensions.")
    if not has_star and excluded:
        raise RuleError(".exclude() only works after groupBy(*)", "exclude requires '*'")


def check_prefixes(node: PipelineNode, count: int, what: str, delimiter: str, combine: bool) -> None:
    names = last_args(node, "as") or []
    if not names:
        raise RuleError(
            f"|{node.name}() needs .as() to name its {what}",
            f"a call to {node.name}.as() is required to specify the output stream prefixes.",
            hint=f".as({', '.join(repr(f'p{i}') for i in range(max(count, 1)))})",
        )
    if len(names) != count:
        if combine:
            raise RuleError(
                f".as() gives {len(names)} names for {count} expressions",
                "number of prefixes specified by combine.as() must match the number of combine expressions",
            )
        raise RuleError(
            f".as() gives {len(names)} names for {count} joined streams",
            "number of prefixes specified by join.as() must match the number of joined streams",
        )
    for name in names:
        if not name:
            raise RuleError(
                "a name given to .as() is empty",
                f"must provide a prefix name for the {node.name} node, see .as() property method",
            )
        if delimiter and delimiter in name:
            if combine:
                kap = f"cannot use name {name} as field prefix, it contains the delimiter character {delimiter}"
            else:
                kap = f'cannot use name {name} as field prefix, it contains the delimiter "{delimiter}"\t'
            raise RuleError(f"the name {name!r} contains the delimiter {delimiter!r}", kap)
    if len(set(names)) != len(names):
        raise RuleError("the names given to .as() must be different", "cannot use the same prefix name see .as() property method")


def check_autoscale(node: PipelineNode, name_field: str, tag_field: str) -> None:
    """The autoscale nodes: exactly one of the resource's name and the tag naming it."""
    name = last_arg(node, name_field, "")
    tag = last_arg(node, tag_field, "")
    if bool(name) == bool(tag):
        go_name = name_field[0].upper() + name_field[1:]
        go_tag = tag_field[0].upper() + tag_field[1:]
        raise RuleError(
            f"set exactly one of .{name_field}() and .{tag_field}()",
            f"must specify exactly one of {go_name} or {go_tag}",
        )


def check_autoscale_replicas(node: PipelineNode) -> None:
    """The autoscale nodes: `.min()` at least 1, a replicas lambda."""
    minimum = last_arg(node, "min", 1)
    if type(minimum) is int and minimum < 1:
        raise RuleError(f".min() must be at least 1, got {minimum}", f"min must be >= 1, got {minimum}")
    if node.last("replicas") is None:
        raise RuleError(f"|{node.name}() needs .replicas(lambda: ...)", "must provide a replicas lambda expression")


def query_error(node: PipelineNode) -> InfluxQLError | None:
    """Why a query node's InfluxQL does not parse, or is outside what tickpy runs (None: fine)."""
    text = node.args[0] if node.args and isinstance(node.args[0], str) else None
    if text is None:
        return None
    try:
        parse_select(text)
    except InfluxQLError as error:
        return error
    return None


def query_span(node: PipelineNode, offset: int) -> ast.Span:
    """Where character `offset` of a query node's statement is in the script: in its string
    literal (a quote written `\\'` counts two), else the node's call."""
    literal = node.extra.get("query_literal")
    if literal is None or not node.args or literal.value != node.args[0] or offset < 0:
        return node.span
    written = literal.value[:offset]
    if not literal.triple_quoted:
        written = written.replace("'", "\\'")
    start = literal.span
    if "\n" in written:
        line = start.line + written.count("\n")
        column = utf8_len(written.rsplit("\n", 1)[1]) + 1
    else:
        line = start.line
        column = start.column + (3 if literal.triple_quoted else 1) + utf8_len(written)
    return ast.Span(line, column, line, column + 1)


__all__ = ["RuleError", "query_error", "query_span", "at_call", "check_autoscale", "check_autoscale_replicas", "check_dimensions",
           "check_prefixes", "go_type", "last_arg", "last_args", "nanoseconds", "value_words"]

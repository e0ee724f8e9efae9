"""Handler `match` expressions, as Kapacitor evaluates them: a lambda body without `lambda:`.

Bare identifiers are the level constants OK, INFO, WARNING, CRITICAL (ints 0-3); any other
identifier is an error when the handler is built ("unknown identifier"). Functions: `level()`
(int), `changed()` (the level differs from the previous level in the topic), `name()`
(measurement), `taskName()`, `alertDuration()` (Kapacitor's name; tickpy also accepts
`duration()`). References (`"host"`) are the event's tags (Kapacitor exposes tags, not fields,
here); a missing tag makes the evaluation fail and the event is not handled. The other lambda
functions (strContains, abs, ...) work as in any lambda.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from tickpy.alerting.event import LEVEL_RANK, AlertEvent
from tickpy.diagnostics import TickpyError
from tickpy.syntax import ast

MATCH_CONSTANTS = {"OK": 0, "INFO": 1, "WARNING": 2, "CRITICAL": 3}
MATCH_FUNCTIONS = ("level", "changed", "name", "taskName", "alertDuration", "duration")


class MatchError(ValueError):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def _children(node):
    for f in dataclasses.fields(node):
        if f.name in ("span", "comment", "operator_span"):
            continue
        value = getattr(node, f.name)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, ast.Node))


def _walk(node):
    yield node
    for child in _children(node):
        yield from _walk(child)


def parse_match(text: str) -> ast.Node:
    """The expression's AST; MatchError with the parser's message when it does not parse."""
    if text.lstrip().startswith("lambda:"):
        raise MatchError("a match expression is written without 'lambda:'",
                         hint="write match: 'level() == CRITICAL', not 'lambda: level() == CRITICAL'")
    try:
        return ast_expr(text)
    except TickpyError as err:
        d = err.diagnostics[0]
        raise MatchError(f"{d.message} (at char {d.column})", hint=d.hint) from None


def ast_expr(text: str):
    from tickpy.syntax import parse_lambda_expression

    return parse_lambda_expression(text, "<match>")


def check_match(text: str) -> list[str]:
    """Warnings about a match expression; MatchError when Kapacitor would refuse it."""
    expression = parse_match(text)
    warnings = []
    for node in _walk(expression):
        if isinstance(node, ast.Identifier) and node.name not in MATCH_CONSTANTS:
            hint = None
            if node.name.upper() in MATCH_CONSTANTS:
                hint = f"the level constants are upper case: {node.name.upper()}"
            elif node.name in ("TRUE", "FALSE", "true", "false"):
                hint = "compare with the bool literal TRUE/FALSE written in capitals, e.g. changed() == TRUE"
            else:
                hint = f'a tag is a reference in double quotes: "{node.name}"'
            if node.name not in ("TRUE", "FALSE"):
                raise MatchError(f"unknown identifier {node.name!r}", hint=hint)
        if isinstance(node, ast.Function) and node.name == "duration" and not node.args:
            warnings.append("Kapacitor calls this function alertDuration(); duration() works only in tickpy")
        if isinstance(node, ast.Function) and node.name in MATCH_FUNCTIONS and node.args:
            raise MatchError(f"{node.name} takes no arguments")
    return warnings


def _replace_identifiers(node):
    """Kapacitor replaces each level identifier with an integer literal before compiling."""
    if isinstance(node, ast.Identifier) and node.name in MATCH_CONSTANTS:
        value = MATCH_CONSTANTS[node.name]
        return ast.NumberLiteral(node.span, True, value, float(value), str(value))
    for f in dataclasses.fields(node):
        if f.name in ("span", "comment", "operator_span"):
            continue
        value = getattr(node, f.name)
        if isinstance(value, ast.Node):
            setattr(node, f.name, _replace_identifiers(value))
        elif isinstance(value, list):
            setattr(node, f.name, [_replace_identifiers(v) if isinstance(v, ast.Node) else v for v in value])
    return node


def compile_match(text: str) -> Callable[[AlertEvent], bool]:
    """A predicate over events (as their topic sees them). MatchError when it cannot be built."""
    check_match(text)
    expression = _replace_identifiers(parse_match(text))
    try:
        from tickpy.lang import compile_lambda
    except ImportError:
        raise MatchError("match expressions need tickpy's lambda compiler (tickpy.lang.compile_lambda), "
                         "which this build lacks") from None
    current: list[AlertEvent] = []

    def event() -> AlertEvent:
        return current[-1]

    functions = {
        "level": lambda: LEVEL_RANK[event().level],
        "changed": lambda: event().level != event().previous_level,
        "name": lambda: event().name,
        "taskName": lambda: event().task_name,
        "alertDuration": lambda: _duration(event().duration_ns),
        "duration": lambda: _duration(event().duration_ns),
    }
    try:
        compiled = compile_lambda(expression, functions=functions)
    except TickpyError as err:
        raise MatchError(err.diagnostics[0].message, hint=err.diagnostics[0].hint) from None

    def predicate(alert: AlertEvent) -> bool:
        current.append(alert)
        try:
            return _evaluate(compiled, alert) is True
        finally:
            current.pop()

    return predicate


def _duration(ns: int):
    from tickpy.lang.values import Duration

    return Duration(ns)


def _evaluate(compiled, alert: AlertEvent):
    """Evaluate with the tags as the scope; a missing tag is Kapacitor's 'no tag exists' error."""
    return compiled(alert.tags)

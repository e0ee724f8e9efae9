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
from collections.abc import Callable

from tickpy.diagnostics import TickpyError
from tickpy.lang import LambdaCompileError, LambdaFunction, compile_lambda
from tickpy.lang.depth import expression_depth, recursion_room
from tickpy.lang.errors import GoError
from tickpy.lang.values import BOOL, DURATION, INT, STRING, Duration
from tickpy.runtime.alert_event import LEVEL_RANK, AlertEvent
from tickpy.syntax import ast, parse_lambda_expression

MATCH_CONSTANTS = {"OK": 0, "INFO": 1, "WARNING": 2, "CRITICAL": 3}
MATCH_FUNCTIONS = ("level", "changed", "name", "taskName", "alertDuration", "duration")


class MatchError(ValueError):
    def __init__(self, message: str, hint: str | None = None, column: int = 0):
        super().__init__(message)
        self.hint = hint
        self.column = column  # 1-based byte column in the expression, 0 if unknown


def parse_match(text: str) -> ast.Node:
    """The expression's AST; MatchError with the parser's message when it does not parse."""
    if text.lstrip().startswith("lambda:"):
        raise MatchError("a match expression is written without 'lambda:'",
                         hint="write match: 'level() == CRITICAL', not 'lambda: level() == CRITICAL'")
    try:
        return ast_expr(text)
    except TickpyError as err:
        d = err.diagnostics[0]
        raise MatchError(d.message, hint=d.hint, column=d.column) from None


def ast_expr(text: str):
    return parse_lambda_expression(text, "<match>")


def check_match(text: str) -> list[str]:
    """Warnings about a match expression; MatchError when Kapacitor would refuse it."""
    return _check_expression(parse_match(text))


def _check_expression(expression: ast.Node) -> list[str]:
    warnings = []
    for node in ast.walk(expression):
        if isinstance(node, ast.Identifier) and node.name not in MATCH_CONSTANTS:
            hint = None
            if node.name.upper() in MATCH_CONSTANTS:
                hint = f"the level constants are upper case: {node.name.upper()}"
            elif node.name in ("TRUE", "FALSE", "true", "false"):
                hint = "compare with the bool literal TRUE/FALSE written in capitals, e.g. changed() == TRUE"
            else:
                hint = f'a tag is a reference in double quotes: "{node.name}"'
            if node.name not in ("TRUE", "FALSE"):
                raise MatchError(f"unknown identifier {node.name!r}", hint=hint, column=node.span.column)
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


def compile_match(text: str, warnings: list[str] | None = None) -> Callable[[AlertEvent], bool]:
    """A predicate over events (as their topic sees them). MatchError when it cannot be built;
    `check_match`'s warnings are added to `warnings`. The predicate raises
    MatchEvaluationError when Kapacitor's evaluation would fail."""

    expression = parse_match(text)
    found = _check_expression(expression)
    if warnings is not None:
        warnings.extend(found)
    # Host allow-lists are long OR chains, as deep as they are long (see tickpy.lang.depth).
    with recursion_room(expression_depth(expression)):
        expression = _replace_identifiers(expression)
    current: list[AlertEvent] = []

    def function(name: str, result_type: str, value: Callable[[AlertEvent], object]) -> LambdaFunction:
        def call(args: list) -> object:
            if args:
                raise GoError(f"{name} takes no arguments")
            return value(current[-1])

        return LambdaFunction(name, {(): result_type}, call, family="alert.match")

    functions = {
        "level": function("level", INT, lambda e: LEVEL_RANK[e.level]),
        "changed": function("changed", BOOL, lambda e: e.level != e.previous_level),
        "name": function("name", STRING, lambda e: e.name),
        "taskName": function("taskName", STRING, lambda e: e.task_name),
        "alertDuration": function("alertDuration", DURATION, lambda e: Duration(e.duration_ns)),
        "duration": function("duration", DURATION, lambda e: Duration(e.duration_ns)),
    }
    try:
        compiled = compile_lambda(expression, mode="predicate", functions=functions)
    except LambdaCompileError as err:
        d = err.diagnostics[0]
        raise MatchError(d.message, hint=d.hint) from None
    evaluator = compiled.new_evaluator()
    references = compiled.references

    def predicate(alert: AlertEvent) -> bool:
        tags = alert.tags
        for name in references:
            if name not in tags:
                raise MatchEvaluationError(f"no tag exists for {name}")
        current.append(alert)
        try:
            return evaluator({}, tags, alert.time_ns) is True
        except Exception as err:  # LambdaRuntimeError and friends: Kapacitor logs and skips the event
            diagnostics = getattr(err, "diagnostics", None)
            raise MatchEvaluationError(diagnostics[0].message if diagnostics else str(err)) from None
        finally:
            current.pop()

    return predicate


class MatchEvaluationError(Exception):
    """Kapacitor's "failed to evaluate match expression": the event is not handled."""

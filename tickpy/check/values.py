"""Values met while evaluating a script, and how Kapacitor's reflection sees their types.

Kapacitor evaluates a script by calling Go methods through reflection with no conversion, so
whether an argument fits depends on its exact Go type. `go_type_of` gives that name (used in
Kapacitor's own messages) and `kind_of_value` the TICKscript word (used in ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tickpy.check.pipeline import HandlerSpec, PipelineNode, TimeDimension
from tickpy.lang.goformat import format_float_f, format_go_duration
from tickpy.lang.values import Duration, Regex, StarValue
from tickpy.syntax import ast


@dataclass(slots=True, eq=False)
class AlertData:
    """The alert's data struct, where `.all()`, `.stateChangesOnly()`, ... leave the chain."""

    alert: PipelineNode


@dataclass(slots=True, eq=False)
class HandlerObject:
    """An alert handler returned by `.slack()`, `.post(url)`, ...; later `.x()` calls resolve on it."""

    alert: PipelineNode
    spec: HandlerSpec
    type_name: str


@dataclass(slots=True, eq=False)
class GoValue:
    """What a non-node chain method such as `|desc()` or `|iD()` returns: a plain Go value."""

    go_type: str
    value: Any = None


@dataclass(slots=True, eq=False)
class GlobalCall:
    """A receiver-less call such as `time(5m)`, not yet called (Kapacitor's unbound function)."""

    function: ast.Function
    args: list


class _Nil:
    __slots__ = ()

    def __repr__(self) -> str:
        return "nil"


NIL = _Nil()  # what a chain method with no result (e.g. |setName()) evaluates to


class _TimeFunction:
    __slots__ = ()

    def __repr__(self) -> str:
        return "time"


TIME_FUNCTION = _TimeFunction()  # the global `time()` as a value in the scope
TIME_FUNCTION_GO = "func(time.Duration, ...time.Duration) (kapacitor.TimeDimension, error)"


def go_type_of(value: Any, catalogue) -> str:
    t = type(value)
    if t is bool:
        return "bool"
    if t is int:
        return "int64"
    if t is float:
        return "float64"
    if t is str:
        return "string"
    if t is Duration:
        return "time.Duration"
    if t is Regex:
        return "*regexp.Regexp"
    if t is ast.Lambda or value is ZERO_LAMBDA:
        return "*ast.LambdaNode"
    if t is ast.Reference:
        return "*ast.ReferenceNode"
    if t is StarValue:
        return "*ast.StarNode"
    if t is list:
        return "[]interface {}"
    if t is PipelineNode:
        entry = catalogue.types.get(value.type)
        return entry.go if entry else f"*pipeline.{value.type}"
    if t is AlertData:
        return "*pipeline.AlertNodeData"
    if t is HandlerObject:
        return catalogue.types[value.type_name].go
    if t is TimeDimension:
        return "kapacitor.TimeDimension"
    if t is GoValue:
        return value.go_type
    if t is GlobalCall:
        return "tick.unboundFunc"
    if value is TIME_FUNCTION:
        return TIME_FUNCTION_GO
    if value is NIL:
        return "<nil>"
    return type(value).__name__


def kind_of_value(value: Any) -> str:
    """The value's type in TICKscript words."""
    t = type(value)
    names = {
        bool: "bool",
        int: "int",
        float: "float",
        str: "string",
        Duration: "duration",
        Regex: "regex",
        ast.Lambda: "lambda",
        ast.Reference: 'double-quoted reference ("...")',
        StarValue: "*",
        list: "list",
        PipelineNode: "node",
        AlertData: "alert",
        HandlerObject: "alert handler",
        TimeDimension: "time() dimension",
    }
    if value is ZERO_LAMBDA:
        return "lambda"
    if t is GoValue:
        return "the value returned by the previous call (not a node)"
    if t is GlobalCall:
        return f"the result of {value.function.name}()"
    if value is TIME_FUNCTION:
        return "the time function"
    return names.get(t, "value")


def is_pointer(value: Any) -> bool:
    """Kapacitor can only look up members on pointers to structs."""
    return type(value) in (PipelineNode, AlertData, HandlerObject, ast.Lambda, ast.Reference, StarValue, Regex) or value is ZERO_LAMBDA


# A template task's `var x lambda` with no value: a nil lambda.
ZERO_LAMBDA = ast.Lambda(span=ast.Span.unknown(), expression=None)  # type: ignore[arg-type]


# Go's time.Duration.String() and strconv.FormatFloat(f, 'f', -1, 64): the lambda
# package's implementations, under the names the checker's callers use.
go_duration_string = format_go_duration
go_float_string = format_float_f

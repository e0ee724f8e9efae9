"""Values met while evaluating a script, and how Kapacitor's reflection sees their types.

Kapacitor evaluates a script by calling Go methods through reflection with no conversion, so
whether an argument fits depends on its exact Go type. `go_type_of` gives that name (used in
Kapacitor's own messages) and `kind_of_value` the TICKscript word (used in ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tickpy.check.pipeline import HandlerSpec, PipelineNode, TimeDimension
from tickpy.golang.gotypes import GO_TYPE_NAMES
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


# Go's `%T` of the checker's values whose Go type follows from their Python type alone.
_GO_TYPE_NAMES = {
    **GO_TYPE_NAMES,
    Regex: "*regexp.Regexp",
    ast.Lambda: "*ast.LambdaNode",  # ZERO_LAMBDA too
    ast.Reference: "*ast.ReferenceNode",
    StarValue: "*ast.StarNode",
    list: "[]interface {}",
    AlertData: "*pipeline.AlertNodeData",
    TimeDimension: "kapacitor.TimeDimension",
    GlobalCall: "tick.unboundFunc",
    _TimeFunction: TIME_FUNCTION_GO,
    _Nil: "<nil>",
}


def go_type_of(value: Any, catalogue) -> str:
    t = type(value)
    name = _GO_TYPE_NAMES.get(t)
    if name is not None:
        return name
    if t is PipelineNode:
        entry = catalogue.types.get(value.type)
        return entry.go if entry else f"*pipeline.{value.type}"
    if t is HandlerObject:
        return catalogue.types[value.type_name].go
    if t is GoValue:
        return value.go_type
    return t.__name__


# TICKscript's names of the literal value types (shared with the evaluator's messages).
SCALAR_KIND_NAMES = {
    bool: "bool",
    int: "int",
    float: "float",
    str: "string",
    Duration: "duration",
    Regex: "regex",
}

# The value's type in TICKscript words, where its Python type says it.
_KIND_NAMES = {
    **SCALAR_KIND_NAMES,
    ast.Lambda: "lambda",  # ZERO_LAMBDA too
    ast.Reference: 'double-quoted reference ("...")',
    StarValue: "*",
    list: "list",
    PipelineNode: "node",
    AlertData: "alert",
    HandlerObject: "alert handler",
    TimeDimension: "time() dimension",
    GoValue: "the value returned by the previous call (not a node)",
    _TimeFunction: "the time function",
}


def kind_of_value(value: Any) -> str:
    """The value's type in TICKscript words."""
    if type(value) is GlobalCall:
        return f"the result of {value.function.name}()"
    return _KIND_NAMES.get(type(value), "value")


def is_pointer(value: Any) -> bool:
    """Kapacitor can only look up members on pointers to structs."""
    return type(value) in (PipelineNode, AlertData, HandlerObject, ast.Lambda, ast.Reference, StarValue, Regex) or value is ZERO_LAMBDA


# A template task's `var x lambda` with no value: a nil lambda.
ZERO_LAMBDA = ast.Lambda(span=ast.Span.unknown(), expression=None)  # type: ignore[arg-type]

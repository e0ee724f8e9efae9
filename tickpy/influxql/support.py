"""The SELECT statements tickpy's embedded InfluxDB runs: which functions, over what."""

from __future__ import annotations

from tickpy.influxql.ast import (
    BinaryExpr,
    Call,
    Distinct,
    Expr,
    ParenExpr,
    RegexLiteral,
    SelectStatement,
    VarRef,
    Wildcard,
)
from tickpy.influxql.errors import InfluxQLUnsupported

SELECTORS = frozenset(("first", "last", "min", "max", "percentile"))
AGGREGATES = frozenset(("count", "sum", "mean", "median", "mode", "spread", "stddev")) | SELECTORS
MULTI_ROW = frozenset(("top", "bottom", "distinct", "sample"))
TRANSFORMS = frozenset(
    (
        "derivative",
        "non_negative_derivative",
        "difference",
        "non_negative_difference",
        "moving_average",
        "cumulative_sum",
        "elapsed",
    )
)
FUNCTIONS = AGGREGATES | MULTI_ROW | TRANSFORMS | {"integral"}


def _offset(expr: Expr) -> int:
    return getattr(expr, "offset", -1)


def top_level_calls(expr: Expr) -> list[Call]:
    """The calls of a field expression, outside other calls (`DISTINCT x` as distinct(x))."""
    if isinstance(expr, Call):
        return [expr]
    if isinstance(expr, Distinct):
        return [Call("distinct", (VarRef(expr.name),), expr.offset)]
    if isinstance(expr, BinaryExpr):
        return top_level_calls(expr.lhs) + top_level_calls(expr.rhs)
    if isinstance(expr, ParenExpr):
        return top_level_calls(expr.expr)
    return []


def check_supported(statement: SelectStatement) -> None:
    """InfluxQLUnsupported for the first part of `statement` the engine does not run."""
    calls = [call for field in statement.fields for call in top_level_calls(field.expr)]
    for call in calls:
        _check_call(call)
    multi = [call for call in calls if call.name in MULTI_ROW]
    if multi and len(calls) > 1:
        raise InfluxQLUnsupported(f"not supported by tickpy: {multi[0].name}() beside other functions",
                                  _offset(multi[0]))


def _check_call(call: Call, top_level: bool = True) -> None:
    if call.name not in FUNCTIONS:
        raise InfluxQLUnsupported(f"not supported by tickpy: the function {call.name}()", _offset(call))
    if not call.args:
        return  # InfluxDB's own error (the engine reports it)
    first = call.args[0]
    if isinstance(first, (Wildcard, RegexLiteral)) and (call.name not in AGGREGATES or not top_level):
        raise InfluxQLUnsupported(
            f"not supported by tickpy: {call.name}() of a wildcard or a regular expression", _offset(call)
        )
    if isinstance(first, Call):
        if call.name not in TRANSFORMS or first.name not in AGGREGATES:
            raise InfluxQLUnsupported(f"not supported by tickpy: {first.name}() inside {call.name}()", _offset(first))
        _check_call(first, top_level=False)
    elif isinstance(first, Distinct):
        raise InfluxQLUnsupported(f"not supported by tickpy: distinct() inside {call.name}()", _offset(call))

"""Binary operators: which operand types each accepts, the result type, and the operation.

This is Kapacitor's `evaluationFuncs` table as data: `(operator, left type, right type) ->
(result type, operation)`. Ints and floats do not mix in arithmetic but do in comparisons
(the int is converted to float64 first, as Go does); `%` takes ints only; durations combine
with ints and floats; integer division truncates toward zero and panics on zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tickpy.golang.gomath import go_divide
from tickpy.golang.gostrings import join_text
from tickpy.golang.gotypes import float_to_int64, int64_div, int64_rem, wrap_int64
from tickpy.lang.errors import GoPanic
from tickpy.lang.values import BOOL, DURATION, FLOAT, INT, REGEX, STRING, Duration

MATH_OPERATORS = ("+", "-", "*", "/", "%")
COMPARISON_OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "=~", "!~")
LOGICAL_OPERATORS = ("AND", "OR")


def operator_kind(operator: str) -> str:
    if operator in MATH_OPERATORS:
        return "math"
    if operator in COMPARISON_OPERATORS:
        return "comparison"
    if operator in LOGICAL_OPERATORS:
        return "logical"
    return "INVALID"


def int_divide(left: int, right: int) -> int:
    """Go's int64 `/`: truncates toward zero; MinInt64 / -1 wraps; zero divisor panics."""
    if right == 0:
        raise GoPanic("runtime error: integer divide by zero")
    return int64_div(left, right)


def int_remainder(left: int, right: int) -> int:
    """Go's int64 `%`: the sign follows the dividend; zero divisor panics."""
    if right == 0:
        raise GoPanic("runtime error: integer divide by zero")
    return int64_rem(left, right)


# The operand types of an operation are the ones its table key names (Any: one table holds all).
Operation = Callable[[Any, Any], object]

_COMPARE: dict[str, Operation] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _table() -> dict[tuple[str, str, str], tuple[str, Operation]]:
    table: dict[tuple[str, str, str], tuple[str, Operation]] = {}
    table[("AND", BOOL, BOOL)] = (BOOL, lambda a, b: a and b)
    table[("OR", BOOL, BOOL)] = (BOOL, lambda a, b: a or b)
    for operator in ("==", "!="):
        table[(operator, BOOL, BOOL)] = (BOOL, _COMPARE[operator])
    for operator, compare in _COMPARE.items():
        # `c=compare` keeps this iteration's comparison. The lambdas are named first: mypy
        # cannot infer a lambda with a default parameter in the table's two-argument context.
        float_int = lambda a, b, c=compare: c(a, float(b))
        int_float = lambda a, b, c=compare: c(float(a), b)
        durations = lambda a, b, c=compare: c(a.nanoseconds, b.nanoseconds)
        table[(operator, FLOAT, FLOAT)] = (BOOL, compare)
        table[(operator, INT, INT)] = (BOOL, compare)
        table[(operator, FLOAT, INT)] = (BOOL, float_int)
        table[(operator, INT, FLOAT)] = (BOOL, int_float)
        table[(operator, STRING, STRING)] = (BOOL, compare)
        table[(operator, DURATION, DURATION)] = (BOOL, durations)
    table[("=~", STRING, REGEX)] = (BOOL, lambda a, b: b.matches(a))
    table[("!~", STRING, REGEX)] = (BOOL, lambda a, b: not b.matches(a))

    table[("+", FLOAT, FLOAT)] = (FLOAT, lambda a, b: a + b)
    table[("-", FLOAT, FLOAT)] = (FLOAT, lambda a, b: a - b)
    table[("*", FLOAT, FLOAT)] = (FLOAT, lambda a, b: a * b)
    table[("/", FLOAT, FLOAT)] = (FLOAT, go_divide)
    table[("+", INT, INT)] = (INT, lambda a, b: wrap_int64(a + b))
    table[("-", INT, INT)] = (INT, lambda a, b: wrap_int64(a - b))
    table[("*", INT, INT)] = (INT, lambda a, b: wrap_int64(a * b))
    table[("/", INT, INT)] = (INT, int_divide)
    table[("%", INT, INT)] = (INT, int_remainder)
    table[("+", STRING, STRING)] = (STRING, join_text)

    table[("+", DURATION, DURATION)] = (DURATION, lambda a, b: Duration(wrap_int64(a.nanoseconds + b.nanoseconds)))
    table[("-", DURATION, DURATION)] = (DURATION, lambda a, b: Duration(wrap_int64(a.nanoseconds - b.nanoseconds)))
    table[("*", DURATION, INT)] = (DURATION, lambda a, b: Duration(wrap_int64(a.nanoseconds * b)))
    table[("*", INT, DURATION)] = (DURATION, lambda a, b: Duration(wrap_int64(a * b.nanoseconds)))
    table[("*", DURATION, FLOAT)] = (DURATION, lambda a, b: Duration(float_to_int64(float(a.nanoseconds) * b)))
    table[("*", FLOAT, DURATION)] = (DURATION, lambda a, b: Duration(float_to_int64(a * float(b.nanoseconds))))
    table[("/", DURATION, INT)] = (DURATION, lambda a, b: Duration(int_divide(a.nanoseconds, b)))
    table[("/", DURATION, FLOAT)] = (DURATION, lambda a, b: Duration(float_to_int64(go_divide(float(a.nanoseconds), b))))
    table[("/", DURATION, DURATION)] = (INT, lambda a, b: int_divide(a.nanoseconds, b.nanoseconds))
    return table


BINARY_OPERATIONS: dict[tuple[str, str, str], tuple[str, Operation]] = _table()


def _operators_by_type() -> dict[str, frozenset[str]]:
    """Kapacitor's typeToBinaryOperators: the operators a type may appear with, on either side."""
    by_type: dict[str, set[str]] = {}
    for operator, left, right in BINARY_OPERATIONS:
        by_type.setdefault(left, set()).add(operator)
        by_type.setdefault(right, set()).add(operator)
    return {name: frozenset(operators) for name, operators in by_type.items()}


OPERATORS_BY_TYPE: dict[str, frozenset[str]] = _operators_by_type()


def binary_result_type(operator: str, left: str, right: str) -> str | None:
    entry = BINARY_OPERATIONS.get((operator, left, right))
    return entry[0] if entry else None

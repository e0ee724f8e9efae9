"""The generated fast path must agree with the exact evaluator on every point.

The exact evaluator follows Kapacitor's node protocol step by step (and passes the whole
conformance set); the fast path is Python source specialised to operand types. Here both
evaluate the same expressions over points of every type, in sequence (so that stateful
functions and type changes between points are covered), and must give the same values,
types and errors."""

from __future__ import annotations

import itertools
import math
import struct

import pytest

from tickpy.lang import LambdaRuntimeError, compile_lambda
from tickpy.lang.nodes import ExecutionState
from tickpy.syntax.parser import parse_lambda_expression

EXPRESSIONS = [
    '"a" < 10',
    '"a" > 2.5 AND "b" != \'x\'',
    '"a" + "c"',
    '"a" - "c" * 2',
    '"a" / "c"',
    '"a" % "c"',
    '"a" / 2.0 + 1',
    '-"a"',
    '!"d"',
    '-"d"',
    '"a" == "c" OR "d"',
    '"b" =~ /^x/',
    '"b" !~ /y$/',
    '"b" + \'!\'',
    'abs("a") + sqrt("c")',
    'strLength("b") > 1',
    'strReplace("b", \'x\', \'y\', -1)',
    'strSubstring("b", 0, 1)',
    'if("d", "a", "c")',
    'isPresent("a") AND isPresent("zz")',
    'float("a") * 2.0',
    'int("a") + 1',
    'string("a")',
    'bool("a")',
    'humanBytes("a")',
    'hour("time") + minute("time")',
    '"a" * 1s',
    'duration("a", 1m)',
    'count() + "a"',
    'sigma("a")',
    'spread("a") > 1.0',
    '"d" AND count() > 1',
    'pow("a", 2.0) > 10.0',
    '"a" < "c" AND "c" < 100',
]

VALUES = [1.5, -0.0, 3, -7, 0, 9223372036854775807, math.inf, math.nan, "x1", "", True, False, None]


def points():
    """Sequences of points mixing every value type for the fields a, b, c, d."""
    combos = itertools.product(VALUES[:7], ["xy", "", 2.0, None], [2, 0.5, 0, None], [True, False, 1.0])
    for a, b, c, d in itertools.islice(combos, 0, None, 7):
        fields = {name: value for name, value in (("a", a), ("b", b), ("c", c), ("d", d)) if value is not None}
        yield fields


def outcome(function) -> tuple:
    try:
        value = function()
    except LambdaRuntimeError as error:
        return ("error", error.stage, error.message)
    if isinstance(value, float):
        return ("float", -1 if value != value else struct.pack("<d", value))
    return (type(value).__name__, value)


@pytest.mark.parametrize("expression", EXPRESSIONS)
@pytest.mark.parametrize("mode", ["eval", "predicate"])
def test_fast_path_agrees_with_exact_evaluator(expression, mode):
    fast = compile_lambda(parse_lambda_expression(expression), mode=mode)
    exact = compile_lambda(parse_lambda_expression(expression), mode=mode)
    evaluate = fast.new_evaluator().evaluate
    state = ExecutionState(exact.catalogue)
    tags = {"host": "h1"}
    for step, fields in enumerate(points()):
        time_ns = 1_700_000_000_000_000_000 + step * 61_000_000_000
        got = outcome(lambda: evaluate(fields, tags, time_ns))
        expected = outcome(lambda: exact.evaluate_exact(state, fields, tags, time_ns))
        assert got == expected, f"step {step} fields {fields}"


def test_common_types_take_the_generated_path():
    compiled = compile_lambda(parse_lambda_expression('"usage_idle" < 10'), mode="predicate")
    assert "v0 < 10.0" in compiled._fast.source
    evaluate = compiled.new_evaluator().evaluate
    assert evaluate({"usage_idle": 5.0}, {"host": "a"}, 0) is True
    assert evaluate({"usage_idle": 50}, {}, 0) is False  # an int field: another specialisation


_REFS = ['"a"', '"b"', '"c"', '"time"']
_LITERALS = ["1", "0", "2.5", "0.0", "'x'", "''", "TRUE", "FALSE", "5m", "7", "-3"]
_OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "AND", "OR", "=~", "!~"]
_FUNCTIONS = [("abs", 1), ("strLength", 1), ("string", 1), ("int", 1), ("if", 3), ("isPresent", 1), ("pow", 2), ("hour", 1), ("count", 0), ("sigma", 1), ("strSubstring", 3), ("duration", 2)]


def _random_expression(rng, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice(_REFS + _LITERALS)
    if roll < 0.45:
        return rng.choice(["-", "!"]) + "(" + _random_expression(rng, depth + 1) + ")"
    if roll < 0.8:
        operator = rng.choice(_OPERATORS)
        right = "/^x/" if operator in ("=~", "!~") else _random_expression(rng, depth + 1)
        return f"({_random_expression(rng, depth + 1)} {operator} {right})"
    name, arity = rng.choice(_FUNCTIONS)
    return name + "(" + ", ".join(_random_expression(rng, depth + 1) for _ in range(arity)) + ")"


def test_random_expressions_agree_with_exact_evaluator():
    import random

    from tickpy.diagnostics import TickpyError

    rng = random.Random(20240601)
    values = [1.5, -0.0, 3, -7, 0, math.inf, math.nan, "x1", "", True, False, None, 2.0]
    checked = 0
    for _ in range(150):
        expression = _random_expression(rng)
        mode = rng.choice(["eval", "predicate"])
        try:
            fast = compile_lambda(parse_lambda_expression(expression), mode=mode)
            exact = compile_lambda(parse_lambda_expression(expression), mode=mode)
        except TickpyError:
            continue  # rejected when the task starts: nothing to evaluate
        evaluate = fast.new_evaluator().evaluate
        state = ExecutionState(exact.catalogue)
        for step in range(8):
            fields = {name: value for name in "abc" if (value := rng.choice(values)) is not None}
            time_ns = rng.randrange(0, 2 * 10**18)
            got = outcome(lambda: evaluate(fields, {}, time_ns))
            expected = outcome(lambda: exact.evaluate_exact(state, fields, {}, time_ns))
            assert got == expected, f"{expression} [{mode}] step {step} fields {fields}"
            checked += 1
    assert checked > 500

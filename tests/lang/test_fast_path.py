"""The generated fast path must agree with the exact evaluator on every point.

The exact evaluator follows Kapacitor's node protocol step by step (and passes the whole
conformance set); the fast path is Python source specialised to operand types. Here both
evaluate the same expressions over points of every type, in sequence (so that stateful
functions and type changes between points are covered), and must give the same values,
types and errors."""

from __future__ import annotations

import itertools
import math
import random
import struct
from functools import partial

import pytest

from tickpy.diagnostics import TickpyError
from tickpy.lang import BUILTIN_FUNCTIONS, LambdaFunction, LambdaRuntimeError, compile_lambda
from tickpy.lang.errors import GoError
from tickpy.lang.nodes import ExecutionState
from tickpy.lang.values import FLOAT
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
        got = outcome(partial(evaluate, fields, tags, time_ns))
        expected = outcome(partial(exact.evaluate_exact, state, fields, tags, time_ns))
        assert got == expected, f"step {step} fields {fields}"


def test_common_types_take_the_generated_path():
    compiled = compile_lambda(parse_lambda_expression('"usage_idle" < 10'), mode="predicate")
    assert "v0 < 10.0" in compiled._fast.source
    evaluate = compiled.new_evaluator().evaluate
    assert evaluate({"usage_idle": 5.0}, {"host": "a"}, 0) is True
    assert evaluate({"usage_idle": 50}, {}, 0) is False  # an int field: another specialisation


# ----------------------------------------------------------------------------- differential

# Literals of every type: ints (octal too), floats, strings (a format verb among them),
# booleans, durations, regexes; references to fields of every type, to a tag, to "time",
# and to names that are missing.
_LITERALS = ["0", "7", "010", "9223372036854775807", "2.5", "0.0", ".5", "'x'", "''", "'%s'", "'1.5'", "'true'",
             "TRUE", "FALSE", "5m", "0s", "1ms", "/^x/"]
_REFERENCES = ['"f"', '"i"', '"s"', '"b"', '"g"', '"host"', '"time"', '"nowhere"']
_FIELD_VALUES = {
    "f": [1.5, -0.0, 0.0, math.inf, -math.inf, math.nan, 1e300, 2.0],
    "i": [3, -7, 0, 9223372036854775807, -9223372036854775808],
    "s": ["", "x1", "%s", "true", "1.5", "é"],
    "b": [True, False],
}
_ANY_VALUE = [value for values in _FIELD_VALUES.values() for value in values] + [None]
_OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "AND", "OR", "=~", "!~"]
# Every function of the catalogue, with each arity it has and one it has not; not `rand` and
# `now` (their values are not repeatable), nor `jn`/`yn` (their cost grows with the order n).
_FUNCTIONS = sorted(
    (name, arity)
    for name, spec in BUILTIN_FUNCTIONS.items()
    if name not in ("rand", "now", "jn", "yn")
    for arity in {len(signature) for signature in spec.signatures} | {max(len(signature) for signature in spec.signatures) + 1}
)


def random_expression(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice(_REFERENCES + _LITERALS)
    if roll < 0.45:
        return rng.choice(["-", "!"]) + "(" + random_expression(rng, depth + 1) + ")"
    if roll < 0.55:  # a unary operator as an operand, as in `FALSE != !'%s'`
        operand = rng.choice(_REFERENCES + _LITERALS)
        return f"({rng.choice(_REFERENCES + _LITERALS)} {rng.choice(_OPERATORS)} {rng.choice('-!')}{operand})"
    if roll < 0.85:
        operator = rng.choice(_OPERATORS)
        return f"({random_expression(rng, depth + 1)} {operator} {random_expression(rng, depth + 1)})"
    name, arity = rng.choice(_FUNCTIONS)
    return name + "(" + ", ".join(random_expression(rng, depth + 1) for _ in range(arity)) + ")"


def random_point(rng: random.Random, previous: dict) -> tuple[dict, dict]:
    """Fields f (float), i (int), s (string), b (boolean), each usually of its type but
    sometimes of another or missing, and g of any type, changing a little from the previous
    point; a tag `host`, sometimes also a field."""
    fields = dict(previous)
    for name in rng.sample("fisbg", rng.randrange(1, 3)):
        own = _FIELD_VALUES.get(name)
        fields[name] = rng.choice(own if own and rng.random() < 0.8 else _ANY_VALUE)
    fields = {name: value for name, value in fields.items() if value is not None}
    tags = {"host": "srv1"} if rng.random() < 0.7 else {}
    if rng.random() < 0.1:
        fields["host"] = "clash"
    return fields, tags


@pytest.mark.parametrize("seed", range(4))
def test_random_lambdas_agree_with_exact_evaluator(seed):
    """Value, type and error text of the fast path and of the exact evaluator, on sequences of
    points through two evaluators of one compiled lambda (two groups of one task), whose
    operand types change from point to point. Fast path and exact evaluator are compiled
    separately: Kapacitor's operator nodes keep state from point to point, so one compiled
    lambda evaluated by both would give each the other's history."""
    rng = random.Random(seed)
    checked = 0
    while checked < 1500:
        expression = random_expression(rng)
        mode = rng.choice(["eval", "predicate"])
        try:
            fast = compile_lambda(parse_lambda_expression(expression), mode=mode)
            exact = compile_lambda(parse_lambda_expression(expression), mode=mode)
        except TickpyError:
            continue  # rejected when the task starts: nothing to evaluate
        groups = [(fast.new_evaluator().evaluate, ExecutionState(exact.catalogue)) for _ in range(2)]
        fields: dict = {"f": 1.5, "i": 3, "s": "x1", "b": True}
        for step in range(rng.randrange(1, 9)):
            evaluate, state = rng.choice(groups)
            fields, tags = random_point(rng, fields)
            time_ns = rng.randrange(-10**18, 4 * 10**18)
            got = outcome(partial(evaluate, fields, tags, time_ns))
            expected = outcome(partial(exact.evaluate_exact, state, fields, tags, time_ns))
            assert got == expected, f"{expression} [{mode}] step {step} fields {fields} tags {tags}"
            checked += 1


def test_a_negation_of_a_string_inside_an_operator():
    """`FALSE != !'%s'`: Kapacitor's `!` says it is a boolean, so the `!=` node is built for two
    booleans; evaluating the string as a boolean fails (tick/stateful eval_unary_node.go,
    EvalBool) and the node looks for an operation for boolean != string, finds none, and
    keeps none (eval_binary_node.go, eval). The first point gets the type-guard error; every
    later point of the task gets determineError's text for the types the node was built with."""
    guard = "TypeGuard: expression returned unexpected type string, expected boolean"
    mismatch = "mismatched type to binary operator. got boolean != boolean. see bool(), int(), float(), string(), duration()"
    for mode in ("eval", "predicate"):
        fast = compile_lambda(parse_lambda_expression("FALSE != !'%s'"), mode=mode)
        exact = compile_lambda(parse_lambda_expression("FALSE != !'%s'"), mode=mode)
        evaluate = fast.new_evaluator().evaluate
        state = ExecutionState(exact.catalogue)
        for expected in (guard, mismatch, mismatch):
            assert outcome(partial(evaluate, {}, {}, 0)) == ("error", "eval", expected)
            assert outcome(partial(exact.evaluate_exact, state, {}, {}, 0)) == ("error", "eval", expected)


def test_a_failure_the_fast_path_did_not_expect_goes_to_the_exact_evaluator():
    """An added function (`compile_lambda(functions=...)`) is total unless it says otherwise;
    one that fails anyway must give the exact evaluator's error, not escape the fast path."""

    def half(args):
        (value,) = args
        if value < 0:
            raise GoError("negative value")
        return value / 2

    functions = {"half": LambdaFunction("half", {(FLOAT,): FLOAT}, half)}
    compiled = compile_lambda(parse_lambda_expression('half("v") > 1.0'), mode="predicate", functions=functions)
    evaluate = compiled.new_evaluator().evaluate
    assert evaluate({"v": 4.0}, {}, 0) is True
    with pytest.raises(LambdaRuntimeError) as raised:
        evaluate({"v": -1.0}, {}, 0)
    assert (raised.value.stage, raised.value.message) == ("eval", 'error calling "half": negative value')

"""Fuzz target: lambda expressions, compiled and evaluated over sequences of points.

Parsing or compiling may fail only with the positioned TickpyError, evaluating only with
LambdaRuntimeError (Kapacitor's evaluation errors); and the generated fast path and the exact
evaluator (Kapacitor's node protocol step by step) must give the same value, type or error on
every point. Inputs: expressions built from the grammar's fragments (every function of the
catalogue, literals of each kind, deep nesting) and byte mutations of the conformance set's
expressions; points whose fields change type from one to the next."""

from __future__ import annotations

import json
import math
import struct
from functools import partial

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.grammar import DURATIONS, FUNCTIONS, NUMBERS, OPERATORS, REGEXES, STRINGS, expression
from tests.fuzz.support import as_text, bounded_time, corpus_files, fuzz_settings, mutated
from tickpy.diagnostics import TickpyError
from tickpy.lang import LambdaRuntimeError, compile_lambda
from tickpy.lang.nodes import ExecutionState
from tickpy.syntax.parser import parse_lambda_expression

FIELD_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1.5, -0.0, 0.0, math.nan, 1e300]),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, -1, 2**63 - 1, -(2**63)]),
    st.text(max_size=8),
    st.sampled_from(["", "%s", "true", "1.5", "é", "x1"]),
    st.booleans(),
)
FIELD_NAMES = st.sampled_from(["value", "usage_idle", "host", "a", "b", "c", "d", "f", "i", "s", "time", "x y"])
POINT = st.tuples(
    st.dictionaries(FIELD_NAMES, FIELD_VALUES, max_size=4),
    st.dictionaries(st.sampled_from(["host", "cpu", "a"]), st.sampled_from(["srv1", "", "café", "cpu0"]),
                    max_size=2),
    st.integers(-(2**63), 2**63 - 1) | st.sampled_from([0, 1_700_000_000_000_000_000]),
)
POINTS = st.lists(st.tuples(POINT, st.integers(0, 1)), min_size=1, max_size=6)

_SEED_EXPRESSIONS = sorted({json.loads(line)["expr"] for path in corpus_files("lambda/cases.jsonl")
                            for line in path.read_text(encoding="utf-8").split("\n") if line})
SEEDS = [text.encode() for text in _SEED_EXPRESSIONS] or [b'"value" > 10 AND "host" == \'a\'']
FRAGMENTS = [f.encode() for f in OPERATORS + FUNCTIONS + STRINGS + NUMBERS + DURATIONS + REGEXES
             + ["(", ")", "!", "-", ",", '"', "'", "lambda:", "\n", "//", "[", "]", "*"]]


def repeatable(text: str) -> bool:
    """rand() and now() give each evaluator its own value."""
    return "rand(" not in text and "now(" not in text


def outcome(function) -> tuple:
    try:
        value = function()
    except LambdaRuntimeError as error:
        return ("error", error.stage, error.message)
    if isinstance(value, float):
        return ("float", -1 if value != value else struct.pack("<d", value))
    return (type(value).__name__, value)


def agree(text: str, mode: str, points) -> None:
    if not repeatable(text):
        points = []  # compiled, not compared
    with bounded_time():
        try:
            # compiled twice: Kapacitor's operator nodes keep state from point to point
            fast = compile_lambda(parse_lambda_expression(text), mode=mode)
            exact = compile_lambda(parse_lambda_expression(text), mode=mode)
        except TickpyError:
            return
        # two groups of one task: an evaluator (fast) and an execution state (exact) each
        groups = [(fast.new_evaluator().evaluate, ExecutionState(exact.catalogue)) for _ in range(2)]
        for step, ((fields, tags, time_ns), group) in enumerate(points):
            evaluate, state = groups[group]
            got = outcome(partial(evaluate, fields, tags, time_ns))
            expected = outcome(partial(exact.evaluate_exact, state, fields, tags, time_ns))
            assert got == expected, f"step {step}: fields {fields} tags {tags} time {time_ns}"


@fuzz_settings(80)
@given(expression(), st.sampled_from(["eval", "predicate"]), POINTS)
def test_structured_lambdas(text, mode, points):
    agree(text, mode, points)


@fuzz_settings(80)
@given(mutated(SEEDS, FRAGMENTS).map(as_text), st.sampled_from(["eval", "predicate"]), POINTS)
def test_mutated_corpus_lambdas(text, mode, points):
    agree(text, mode, points)

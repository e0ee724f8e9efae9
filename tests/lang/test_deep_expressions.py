"""Lambdas far longer or deeper than Python nests: they compile and evaluate as Kapacitor's
(whose Go stack grows to 1 GB) do, with no RecursionError and no CPython parser limit.

QA #1: an allow-list of 201 `OR` terms made the generated fast path fail ("too many nested
parentheses"); 500 terms exhausted the recursion limit."""

from __future__ import annotations

import pytest

from tickpy.lang import LambdaRuntimeError, compile_lambda
from tickpy.lang.nodes import ExecutionState
from tickpy.lang.typecheck import check_lambda
from tickpy.syntax.parser import parse_lambda_expression

TERMS = 10_000


def allow_list(count: int) -> str:
    return " OR ".join(f"\"host\" == 'h{index}'" for index in range(count))


def evaluate_both(compiled, fields: dict, tags: dict):
    """(fast-path result, exact-path result); an error is returned as its message."""
    results = []
    for evaluate in (compiled.new_evaluator(), lambda f, t, n: compiled.evaluate_exact(ExecutionState(compiled.catalogue), f, t, n)):
        try:
            results.append(evaluate(fields, tags, 0))
        except LambdaRuntimeError as error:
            results.append(str(error))
    return results


def test_allow_list_of_ten_thousand_terms_uses_the_fast_path_and_agrees_with_the_exact_one():
    compiled = compile_lambda(parse_lambda_expression(allow_list(TERMS)), mode="predicate")
    assert compiled._fast.inline, "a flat OR chain should have a generated fast path"
    assert evaluate_both(compiled, {"x": 1.0}, {"host": f"h{TERMS - 1}"}) == [True, True]
    assert evaluate_both(compiled, {"x": 1.0}, {"host": "h0"}) == [True, True]
    assert evaluate_both(compiled, {"x": 1.0}, {"host": f"h{TERMS}"}) == [False, False]
    fast, exact = evaluate_both(compiled, {"x": 1.0}, {})
    assert fast == exact and 'reference value "host" is missing value' in fast


def test_allow_list_of_and_terms():
    text = " AND ".join(f'"x" != {index}' for index in range(TERMS))
    compiled = compile_lambda(parse_lambda_expression(text), mode="predicate")
    assert evaluate_both(compiled, {"x": float(TERMS)}, {}) == [True, True]
    assert evaluate_both(compiled, {"x": float(TERMS // 2)}, {}) == [False, False]


def alternating(depth: int, x: float) -> tuple[str, bool]:
    """`((("x" > 0 OR "x" > 0) AND "x" > 1) OR ...)`: nested parentheses that cannot be
    flattened, with the value computed here by Python."""
    text = '"x" > 0'
    value = x > 0
    for level in range(depth):
        operator = "AND" if level % 2 else "OR"
        text = f'({text} {operator} "x" > {level})'
        value = (value and x > level) if operator == "AND" else (value or x > level)
    return text, value


@pytest.mark.parametrize("x", [0.0, 3.0, 5000.5, 20000.0])
def test_ten_thousand_nested_parentheses_of_mixed_operators(x):
    text, expected = alternating(TERMS, x)
    compiled = compile_lambda(parse_lambda_expression(text), mode="predicate")
    assert evaluate_both(compiled, {"x": x}, {}) == [expected, expected]


def test_right_nested_expression_reports_kapacitors_type_error():
    text = '"x" > 0'
    for level in range(TERMS):
        text = f'("x" > {level} AND {text})'
    compiled = compile_lambda(parse_lambda_expression(text), mode="predicate")
    fast, exact = evaluate_both(compiled, {"x": "text"}, {})
    assert fast == exact and "mismatched type to binary operator. got string > int" in fast
    assert evaluate_both(compiled, {"x": float(TERMS + 1)}, {}) == [True, True]


def test_redundant_parentheses_and_long_arithmetic():
    compiled = compile_lambda(parse_lambda_expression("(" * TERMS + '"x" > 0' + ")" * TERMS), mode="predicate")
    assert evaluate_both(compiled, {"x": 1.0}, {}) == [True, True]
    # Kapacitor types each operand subtree again at every level: depth squared, so fewer terms.
    terms = 2000
    compiled = compile_lambda(parse_lambda_expression('"n"' + " + 1" * terms), mode="eval")
    assert evaluate_both(compiled, {"n": 7}, {}) == [7 + terms, 7 + terms]
    # Kapacitor does not mix float and int operands: the error comes from the innermost "+".
    fast, exact = evaluate_both(compiled, {"n": 7.0}, {})
    assert fast == exact and "mismatched type to binary operator. got float + int" in fast


def test_nested_negations_and_function_calls():
    depth = 2001  # odd: the value changes sign
    compiled = compile_lambda(parse_lambda_expression("-(" * depth + '"x"' + ")" * depth), mode="eval")
    assert evaluate_both(compiled, {"x": 2.5}, {}) == [-2.5, -2.5]
    # Kapacitor types each argument before evaluating it, so deep calls cost depth squared.
    depth = 300
    compiled = compile_lambda(parse_lambda_expression("abs(" * depth + '"x"' + ")" * depth), mode="eval")
    assert evaluate_both(compiled, {"x": -4.0}, {}) == [4.0, 4.0]


def test_static_checks_of_deep_lambdas():
    assert check_lambda(parse_lambda_expression(allow_list(TERMS))) == []
    text, _ = alternating(TERMS, 0.0)
    assert check_lambda(parse_lambda_expression(text)) == []
    problems = check_lambda(parse_lambda_expression(f'"x" > 1 OR {alternating(TERMS, 0.0)[0]} OR abs(3) > 1'))
    assert len(problems) == 1 and problems[0].message.startswith('Cannot call function "abs" with args (3: int)')


def test_run_and_eval_commands_with_a_long_allow_list(tmp_path, cli):
    script = tmp_path / "allow.tick"
    script.write_text(f"stream|from().measurement('cpu')|where(lambda: {allow_list(TERMS)})|log()\n")
    points = f"cpu,host=h{TERMS - 1} x=1 0\ncpu,host=other x=2 1\n"
    result = cli("run", script, "-", stdin=points)
    assert result.returncode == 0, result.stderr
    logged = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if "msg=point" in line]
    assert len(logged) == 1 and f"tag_host=h{TERMS - 1}" in logged[0]
    validated = cli("validate", script)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # An argument list holds about 128 KB: 2000 terms.
    expression = " OR ".join(f'"x" == {index}' for index in range(2000))
    evaluated = cli("eval", "--field", "x=1999i", expression)
    assert evaluated.returncode == 0 and "Traceback" not in evaluated.stderr
    assert evaluated.stdout.strip() == "true (boolean)"

"""Static checks: what Kapacitor rejects when the task starts (errors) and what fails on
every point (warnings, with the message Kapacitor logs per point)."""

from __future__ import annotations

from tickpy.lang.typecheck import check_lambda
from tickpy.syntax.parser import parse_lambda_expression


def problems(expression: str, mode: str = "predicate") -> list[tuple[str, str]]:
    return [(d.severity, d.message) for d in check_lambda(parse_lambda_expression(expression), mode)]


def test_kapacitor_start_errors_are_errors():
    assert problems("'a' + 1", "eval") == [
        ("error", "mismatched type to binary operator. got string + int. see bool(), int(), float(), string(), duration()")
    ]


def test_calls_with_known_wrong_argument_types_always_fail():
    assert problems("abs(3) > 1") == [
        ("warning", 'Cannot call function "abs" with args (3: int), available signatures are [(float)].')
    ]
    assert problems("Abs(1.0) > 1.0") == [("warning", 'undefined function: "Abs"')]
    assert problems("strContains('a', 'a', 'a', 'a', 'a')") == [("warning", "runtime error: index out of range [4] with length 4")]


def test_operators_on_known_function_results():
    assert problems("abs(1.0) + 'a'", "eval") == [
        ("warning", "mismatched type to binary operator. got float + string. see bool(), int(), float(), string(), duration()")
    ]


def test_non_boolean_conditions_are_flagged_in_predicate_mode_only():
    assert [severity for severity, _ in problems('"x" + 1.0')] == ["warning"]
    assert problems('"x" + 1.0', "eval") == []


def test_lambdas_that_depend_on_the_point_are_not_flagged():
    for expression in ('"x" > 1', 'hour("time") > 3', 'isPresent("x")', '"host" =~ /^srv/', 'sigma("v") > 3.0'):
        assert problems(expression) == [], expression


def test_a_warning_covers_the_failing_node_and_keeps_kapacitors_text():
    # "abs(3)" spans columns 1..7 of the expression; the comparison around it is fine.
    (warning,) = check_lambda(parse_lambda_expression("abs(3) > 1"), "predicate")
    assert (warning.line, warning.column, warning.end_line, warning.end_column) == (1, 1, 1, 7)
    assert warning.code == "lambda-always-fails"
    assert warning.kapacitor_message == warning.message

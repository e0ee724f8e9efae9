"""Lambda semantics: values, errors and stages as Kapacitor's tick/stateful gives them.

Expected values here are Kapacitor's documented behaviour (its README-level rules and Go's
integer/float semantics), not outputs of tickpy."""

from __future__ import annotations

import math

import pytest

from tickpy.lang import LambdaCompileError, LambdaFunction, LambdaRuntimeError, compile_lambda
from tickpy.lang.cases import parse_time
from tickpy.lang.values import BOOL, FLOAT, INT, Duration
from tickpy.syntax.parser import parse_lambda_expression


def evaluate(expression: str, fields=None, tags=None, time="1970-01-01T00:00:00Z", mode="eval"):
    compiled = compile_lambda(parse_lambda_expression(expression), mode=mode)
    return compiled.new_evaluator().evaluate(fields or {}, tags or {}, parse_time(time))


def error_of(expression: str, fields=None, tags=None, mode="eval") -> tuple[str, str]:
    with pytest.raises(LambdaRuntimeError) as caught:
        evaluate(expression, fields, tags, mode=mode)
    return caught.value.stage, caught.value.message


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("-7 / 2", -3),  # Go's integer division truncates toward zero
        ("-7 % 2", -1),  # the remainder has the dividend's sign
        ("7 % -2", 1),
        ("9223372036854775807 + 1", -9223372036854775808),  # int64 wraps
        ("-9223372036854775807 - 1 - 1", 9223372036854775807),
        ("(-9223372036854775807 - 1) / -1", -9223372036854775808),
        ("010", 8),  # a leading zero means octal
        ("5m / 2m", 2),
    ],
)
def test_integer_arithmetic_follows_go(expression, expected):
    result = evaluate(expression)
    assert type(result) is int and result == expected


def test_float_division_by_zero_gives_infinities_and_nan():
    assert evaluate('"x" / "y"', {"x": 1.0, "y": 0.0}) == math.inf
    assert evaluate('"x" / "y"', {"x": -1.0, "y": 0.0}) == -math.inf
    assert math.isnan(evaluate('"x" / "y"', {"x": 0.0, "y": 0.0}))


def test_integer_division_by_zero_is_a_panic_reported_per_mode():
    assert error_of('"x" / "y"', {"x": 1, "y": 0}) == ("eval", "runtime error: integer divide by zero")
    assert error_of('"x" / "y" > 0', {"x": 1, "y": 0}, mode="predicate") == ("panic", "runtime error: integer divide by zero")


def test_ints_and_floats_mix_in_comparisons_but_not_in_arithmetic():
    assert evaluate('"x" < 10', {"x": 5.5}, mode="predicate") is True
    assert evaluate('"x" == 3.0', {"x": 3}) is True
    stage, message = error_of('"x" + 1.5', {"x": 1})
    assert stage == "eval"
    assert message == "mismatched type to binary operator. got int + float. see bool(), int(), float(), string(), duration()"


def test_type_errors_between_literals_are_found_at_compile_time():
    with pytest.raises(LambdaCompileError) as caught:
        compile_lambda(parse_lambda_expression("'a' + 1"))
    assert caught.value.kapacitor_message.startswith("mismatched type to binary operator. got string + int.")
    with pytest.raises(LambdaCompileError) as caught:
        compile_lambda(parse_lambda_expression("true"))  # an identifier, not a boolean
    assert caught.value.kapacitor_message == "Given node type is not valid evaluation node: *ast.IdentifierNode"


def test_missing_values_have_kapacitors_messages_in_each_mode():
    assert error_of('"x"', {}) == ("eval", 'missing value: "x"')
    assert error_of('"x" > 1', {}, mode="predicate") == ("eval", 'left reference value "x" is missing value')
    assert error_of('"host" == "server01"', {}, {"host": "a"}) == ("eval", 'right reference value "server01" is missing value')
    assert evaluate('isPresent("x")', {}) is False


def test_a_field_and_a_tag_with_the_same_name_fail_at_scope():
    assert error_of('"a" > 1', {"a": 2}, {"a": "x"}, mode="predicate") == ("scope", 'cannot have field and tags with same name "a"')


def test_predicate_mode_accepts_only_booleans():
    stage, message = error_of('"x" + 1.0', {"x": 1.0}, mode="predicate")
    assert (stage, message) == ("eval", "expression returned unexpected type float64")
    assert evaluate('"x" + 1.0', {"x": 1.0}) == 2.0


def test_and_or_short_circuit_around_errors():
    assert evaluate('FALSE AND "missing" > 1', {}, mode="predicate") is False
    assert evaluate('TRUE OR "missing" > 1', {}, mode="predicate") is True


def test_strings_compare_by_bytes_and_regexes_are_re2():
    assert evaluate("'Z' < 'a'") is True
    assert evaluate('"host" =~ /^srv\\d+$/', tags={"host": "srv12"}) is True
    assert evaluate('"host" !~ /^srv/', tags={"host": "db1"}) is True


def test_duration_arithmetic():
    assert evaluate("5m / 2") == Duration(150_000_000_000)
    assert evaluate("2 * 1h + 30m") == Duration(9_000_000_000_000)
    assert evaluate("1.5 * 1s") == Duration(1_500_000_000)


def test_time_functions_use_the_point_time_in_utc():
    # README: a point stamped 2024-01-01T00:00:00+05:30 has hour 18 and day 31.
    assert evaluate('hour("time")', time="2024-01-01T00:00:00+05:30") == 18
    assert evaluate('day("time")', time="2024-01-01T00:00:00+05:30") == 31
    assert evaluate('weekday("time")', time="2024-01-01T12:00:00Z") == 1  # a Monday
    assert evaluate('unixNano("time")', time="1970-01-01T00:00:01Z") == 1_000_000_000


def test_string_functions_count_bytes():
    assert evaluate("strLength('héllo')") == 6
    assert evaluate("strIndex('héllo', 'l')") == 3


def test_conversions_follow_go():
    assert evaluate("int(-2.9)") == -2
    assert evaluate("string(0.1)") == "0.1"
    assert evaluate("string(90s)") == "90s"
    assert evaluate("float('1e3')") == 1000.0
    assert evaluate("bool('T')") is True
    assert error_of("int('x')") == ("eval", 'error calling "int": strconv.ParseInt: parsing "x": invalid syntax')


def test_wrong_function_signature_lists_the_available_ones():
    stage, message = error_of("abs(3)", mode="predicate")
    assert stage == "type"
    assert message == 'Cannot call function "abs" with args (3: int), available signatures are [(float)].'


def test_more_than_four_arguments_break_the_signature_table():
    assert error_of("strContains('a', 'a', 'a', 'a', 'a')") == ("eval", "runtime error: index out of range [4] with length 4")


def test_stateful_functions_keep_state_per_evaluator():
    compiled = compile_lambda(parse_lambda_expression("count()"), mode="eval")
    first, second = compiled.new_evaluator(), compiled.new_evaluator()
    assert [first.evaluate({}, {}, 0) for _ in range(3)] == [1, 2, 3]
    assert second.evaluate({}, {}, 0) == 1
    # every argument of `if` is evaluated, so count() advances on both branches
    branching = compile_lambda(parse_lambda_expression('if("b", count(), 0)'), mode="eval").new_evaluator()
    assert [branching.evaluate({"b": b}, {}, 0) for b in (True, False, True)] == [1, 0, 3]


def test_runtime_errors_carry_the_lambda_position():
    program_text = '  "x" > 1'
    compiled = compile_lambda(parse_lambda_expression(program_text), mode="predicate")
    with pytest.raises(LambdaRuntimeError) as caught:
        compiled.new_evaluator().evaluate({}, {}, 0)
    assert caught.value.line == 1 and caught.value.column == 3


def test_references_and_static_result_type():
    compiled = compile_lambda(parse_lambda_expression('"a" > 1 AND "host" == \'x\' OR "a" < 0'), mode="predicate")
    assert compiled.references == ("a", "host")
    assert compiled.result_type == BOOL
    assert compile_lambda(parse_lambda_expression('abs("x")'), mode="eval").result_type == FLOAT
    assert compile_lambda(parse_lambda_expression('"x"'), mode="eval").result_type is None
    assert compile_lambda(parse_lambda_expression("strLength('a') * 2"), mode="eval").result_type == INT


def test_functions_can_be_added_by_the_caller():
    level = LambdaFunction("level", {(): "string"}, lambda args: "CRITICAL")
    compiled = compile_lambda(parse_lambda_expression("level() == 'CRITICAL'"), mode="predicate", functions={"level": level})
    assert compiled.new_evaluator().evaluate({}, {}, 0) is True
    unknown = compile_lambda(parse_lambda_expression("level() == 'CRITICAL'"), mode="predicate")
    with pytest.raises(LambdaRuntimeError) as caught:
        unknown.new_evaluator().evaluate({}, {}, 0)
    assert caught.value.message == 'undefined function: "level"'


def test_endless_type_guard_retry_is_reported_not_raised():
    # Kapacitor retries this type-guard failure until Go's stack overflows (a fatal error).
    stage, message = error_of("-'a' + 'b'")
    assert stage == "panic" and message.endswith("fatal error: stack overflow")


def test_strings_cut_inside_a_utf8_sequence_keep_their_bytes():
    # Go slices bytes: the pieces join back into the original text, and each stray byte
    # prints as U+FFFD.
    assert evaluate("strLength(strSubstring('héllo', 1, 2))") == 1
    assert evaluate("strSubstring('héllo', 0, 2) + strSubstring('héllo', 2, 4)") == "hél"
    from tickpy.lang.cases import encode_value

    assert encode_value(evaluate("strSubstring('✓✓', 0, 2) + 'x'"))["value"] == "\ufffd\ufffdx"
    assert evaluate("strSubstring('héllo', 1, 2) =~ /^.$/") is True


def test_human_bytes_follows_go_humanize():
    assert evaluate("humanBytes(82854982)") == "83 MB"  # go-humanize's documented example
    assert evaluate("humanBytes(1536.5)") == "1.5 kB"
    assert evaluate("humanBytes(9)") == "9 B"


@pytest.mark.parametrize(
    "text",
    [
        "9223372036854775807ns1ns",  # the sum wraps negative after an ns term
        "9223372036854775807ms",  # the product wraps negative in a ms term
        "15251w",
    ],
)
def test_duration_of_an_overflowing_string_is_an_invalid_duration_string(text):
    # influxql.ParseDuration wraps each term and reports a negative total as overflow;
    # the duration() function turns any parse error into "invalid duration string".
    stage, message = error_of(f"duration('{text}', 1s)")
    assert (stage, message) == ("eval", f'error calling "duration": invalid duration string "{text}"')


def test_duration_of_a_string_at_the_int64_limit_is_exact():
    assert evaluate("duration('9223372036854775807ns', 1s)") == Duration(9223372036854775807)
    assert evaluate("duration('-9223372036854775807ns', 1s)") == Duration(-9223372036854775807)


def test_duration_error_quotes_a_cut_character_as_go_does():
    # strSubstring cuts bytes: the first byte of "é" alone is invalid UTF-8.
    assert error_of("duration(strSubstring('é', 0, 1), 1s)") == (
        "eval",
        'error calling "duration": invalid duration string "\\xc3"',
    )

"""Lint warnings: present where the mistake is, absent where the script is right, verdict unchanged."""

from tickpy.check import check_program
from tickpy.syntax import parse


def warnings(script: str) -> list:
    pipeline, diagnostics = check_program(parse(script))
    assert pipeline is not None, [d.message for d in diagnostics]
    return [d for d in diagnostics if d.severity == "warning"]


def codes(script: str) -> list[str]:
    return [d.code for d in warnings(script)]


BASE = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: {})\n"


def test_single_quoted_name_compared_with_a_number():
    found = warnings(BASE.format("'usage_idle' < 10"))
    assert [d.code for d in found] == ["single-quoted-field"]
    assert (found[0].line, found[0].column) == (5, 23)
    assert found[0].hint == 'write "usage_idle"'
    assert codes(BASE.format('"usage_idle" < 10')) == []
    assert codes(BASE.format("\"host\" == 'server01'")) == []


def test_single_quoted_name_in_a_numeric_function_and_against_a_variable():
    assert "single-quoted-field" in codes("var crit = 5\n" + BASE.format("sigma('value') > crit"))
    assert "single-quoted-field" in codes("var crit = 5\n" + BASE.format("'value' > crit"))
    assert codes(BASE.format("strLength(\"host\") > 3")) == []


def test_int_float_arithmetic_with_known_types():
    found = warnings(BASE.format('"a" * 2 + 1.5 > 3'.replace('"a" * 2', '2 * 1.5')))
    assert [d.code for d in found] == ["int-float-arithmetic"]
    assert codes(BASE.format("2.0 * 1.5 > 3")) == []
    assert codes(BASE.format('"a" * 2 > 3')) == []  # the field's type is unknown


def test_tag_not_in_group_by_after_aggregation():
    script = (
        "stream\n    |from()\n        .measurement('cpu')\n        .groupBy('host')\n"
        "    |window()\n        .period(1m)\n    |mean('usage')\n"
        "    |alert()\n        .crit(lambda: \"mean\" > 1)\n"
        "        .message('{{ index .Tags \"host\" }} {{ index .Tags \"region\" }}')\n"
    )
    found = warnings(script)
    assert [d.code for d in found] == ["tag-not-grouped"]
    assert "region" in found[0].message and found[0].line == 10


def test_template_problems():
    script = BASE.format('"v" > 1') + "        .id('{{ .Level }}')\n        .message('{{ if .Level }}x')\n"
    assert codes(script) == ["template-field", "template-syntax"]
    json_in_message = warnings(BASE.format('"v" > 1') + "        .message('{{ json . }}')\n")
    assert [d.code for d in json_in_message] == ["template-syntax"]
    assert 'function "json" not defined' in json_in_message[0].message


def test_details_are_html_escaped_and_state_changes_only_without_group_by():
    script = BASE.format('"v" > 1') + "        .details('{{ json . }}')\n        .stateChangesOnly()\n"
    assert sorted(codes(script)) == ["details-html-escaped", "state-changes-only-shared"]
    grouped = script.replace(".measurement('cpu')", ".measurement('cpu')\n        .groupBy('host')")
    assert codes(grouped) == ["details-html-escaped"]


def test_regex_that_looks_like_a_glob():
    assert codes(BASE.format('"host" =~ /prod*/')) == ["regex-glob"]
    assert codes(BASE.format('"host" =~ /^prod/')) == []


def test_lints_never_change_the_verdict():
    pipeline, diagnostics = check_program(parse(BASE.format("'usage_idle' < 10")))
    assert pipeline is not None
    assert all(d.severity == "warning" for d in diagnostics)


def test_lambda_that_cannot_compile_is_reported_before_the_task_starts():
    found = warnings("stream\n    |from()\n    |where(lambda: 5m > 10)\n")
    assert [d.code for d in found] == ["lambda-error"]
    assert "duration > int" in found[0].message
    assert "the task would fail to start" in found[0].message
    assert (found[0].line, found[0].column) == (3, 12)


def test_a_lint_covers_its_node_span_with_severity_and_code():
    (found,) = warnings(BASE.format("'usage_idle' < 10"))
    # the literal 'usage_idle' on line 5: from its quote (column 23) to just after its closing quote
    assert (found.line, found.column, found.end_line, found.end_column) == (5, 23, 5, 35)
    assert (found.severity, found.code) == ("warning", "single-quoted-field")
    assert found.to_json()["end_column"] == 35


def test_diagnostic_at_takes_the_span_or_no_position():
    from tickpy.diagnostics import diagnostic_at
    from tickpy.syntax.ast import Span

    placed = diagnostic_at(Span(2, 5, 3, 1), "m", severity="warning", code="c", hint="h")
    assert (placed.line, placed.column, placed.end_line, placed.end_column) == (2, 5, 3, 1)
    assert (placed.severity, placed.code, placed.hint, placed.message) == ("warning", "c", "h", "m")
    unplaced = diagnostic_at(None, "m")
    assert (unplaced.line, unplaced.column, unplaced.severity) == (0, 0, "error")


def test_a_single_quoted_field_that_stops_the_task_says_it_would_fail_to_start():
    # define accepts `'usage' > 90`; starting the task compiles the lambda and fails (string > int).
    pipeline, diagnostics = check_program(parse(BASE.format("'usage' > 90")))
    assert pipeline is not None and [d.severity for d in diagnostics] == ["warning"]  # still Kapacitor's verdict
    (found,) = diagnostics
    assert found.code == "single-quoted-field"
    assert "the task would fail to start" in found.message
    assert "mismatched type to binary operator. got string > int" in found.message
    # compared with a string it compiles: the lint stays, without a start failure
    (compiles,) = warnings(BASE.format("'usage' == 'x'"))
    assert "fail to start" not in compiles.message

"""Syntax errors: Kapacitor's position and text, our plain message, and the hints."""

import pytest

from tickpy.diagnostics import TickpyError, render
from tickpy.syntax import check_syntax, parse, parse_lambda_expression

PRIMARY = '"number","string","duration","identifier","TRUE","FALSE","==","(","-","!"'


def error_of(source: str):
    with pytest.raises(TickpyError) as caught:
        parse(source, "task.tick")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "syntax"
    return diagnostic


# Kapacitor's own parser tests (tick/ast/parser_test.go, TestParseErrors).
@pytest.mark.parametrize(
    "source, kapacitor",
    [
        ("a\n\n\nvar b = ", f'parser: unexpected EOF line 4 char 9 in "var b = ". expected: {PRIMARY}'),
        (
            "a\n\n\nvar b = stream.window()var period)\n\nvar x = 1",
            'parser: unexpected ) line 4 char 34 in "var period)". expected: "identifier"',
        ),
        (
            "a\n\n\nvar b = stream.window(\nb.period(10s)",
            'parser: unexpected EOF line 5 char 14 in "eriod(10s)". expected: ")"',
        ),
    ],
)
def test_kapacitor_parser_test_cases(source, kapacitor):
    diagnostic = error_of(source)
    assert diagnostic.kapacitor_message == kapacitor
    line, char = kapacitor.split(" line ")[1].split(" in ")[0].split(" char ")
    assert (diagnostic.line, diagnostic.column) == (int(line), int(char))


def test_column_counts_bytes():
    diagnostic = error_of("var s = 'héllo' +")
    assert (diagnostic.line, diagnostic.column) == (1, 19)


def test_lexer_error_is_reported_where_the_token_starts():
    diagnostic = error_of("stream\n    |where(lambda: \"host\" == 'a)\n")
    assert (diagnostic.line, diagnostic.column) == (2, 30)
    assert diagnostic.kapacitor_message.startswith("parser: unexpected unterminated string line 2 char 30")
    assert "never closed" in diagnostic.hint


def test_literal_errors_have_kapacitor_text_and_our_position():
    diagnostic = error_of("var x = 08")
    assert diagnostic.kapacitor_message == 'parser: illegal number syntax: "08"'
    assert (diagnostic.line, diagnostic.column) == (1, 9)
    assert "octal" in diagnostic.message
    assert error_of("var r = /(a/").kapacitor_message == "parser: error parsing regexp: missing closing ): `(a`"


def test_literal_error_comes_after_an_earlier_syntax_error_only():
    # Kapacitor takes the literal before it looks further, so the literal error wins here.
    assert error_of("var x = 08 )").kapacitor_message == 'parser: illegal number syntax: "08"'
    # ... but a syntax error before the literal is reported first.
    assert error_of("var = 08").kapacitor_message.startswith("parser: unexpected =")


@pytest.mark.parametrize(
    "source, words",
    [
        ('stream|from()\n    |period(5m)\n    |window', "|window()"),  # chaining method without ()
        ('stream|where(lambda "x" > 5)', "lambda:"),  # lambda without colon
        ('stream|where(lambda : "x" > 5)', "no space before the colon"),
        ('dbrp "telegraf"', '"telegraf"."autogen"'),
        ('stream|where(lambda: "a" > 1 and "b" < 2)', "AND"),
        ("stream|where(lambda: 'a\n", "never closed"),
        ("stream|where(lambda: (\"a\" > 1)\n", "never closed"),
        ("|alert()", "chain must start"),
        ('var x = "a" = 1', "=="),
        ('stream|where(lambda: "a" > 1 || "b" < 2)', "AND and OR"),
        ("stream|from().measurement('cpu)\n    |where(lambda: \"host\" == 'a')", "closing quote missing"),
        ("stream|from().measurement('cpu'\n    |window()", "is a ')' missing before this '|'"),
        ("stream|from().measurement('cpu'))\n", "closes nothing"),
    ],
)
def test_hints_for_common_mistakes(source, words):
    diagnostic = error_of(source)
    assert diagnostic.hint and words in diagnostic.hint


def test_a_property_written_after_a_pipe_without_parentheses_is_pointed_at_the_dot():
    # pipeline/alert.go's bigPanda example, mistyped: the handler is a property of the alert.
    hint = error_of("stream\n    |from()\n    |alert()\n        |bigPanda\n        .appKey('my-application')\n").hint
    assert "write `.bigPanda(...)`" in hint and "|bigPanda()" not in hint


def test_rendering_shows_location_line_and_caret():
    source = "stream\n    |from()\n    .where(lambda: \"a\" > )\n"
    diagnostic = error_of(source)
    text = render(diagnostic, "task.tick", source)
    lines = text.splitlines()
    assert lines[0].startswith("task.tick:3:26: error: unexpected ')'")
    assert lines[1] == '      .where(lambda: "a" > )'
    assert lines[2].index("^") == lines[1].index(")")


def test_check_syntax_returns_diagnostics_without_raising():
    assert check_syntax("stream|from()") == []
    [diagnostic] = check_syntax("stream|from(", "x.tick")
    assert diagnostic.line == 1 and diagnostic.column == 13


def test_lambda_errors_match_parse_lambda():
    with pytest.raises(TickpyError) as caught:
        parse_lambda_expression('"a" > 1 && "b" < 2')
    assert caught.value.diagnostics[0].kapacitor_message == (
        'parser: unexpected unknown state, last char: \'&\' line 1 char 9 in "\\"a\\" > 1 && \\"b\\" < 2". expected: "EOF"'
    ).replace('\\"', '"')


def test_rendering_an_error_at_the_very_end_shows_the_empty_last_line():
    source = "stream\n    |from(\n"
    diagnostic = error_of(source)
    assert (diagnostic.line, diagnostic.column) == (3, 1)  # Kapacitor's position of EOF
    lines = render(diagnostic, "task.tick", source).splitlines()
    assert lines[1].strip() == "" and lines[2].strip() == "^"

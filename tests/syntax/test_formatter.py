"""Kapacitor's canonical layout (tick/fmt.go behaviour)."""

from tickpy.syntax import format_source, parse
from tickpy.syntax.formatter import float_literal


def test_chains_indent_four_spaces_and_properties_eight():
    source = "var x=stream()|window().period(10s).every(10s)"
    assert format_source(source) == "var x = stream()\n    |window()\n        .period(10s)\n        .every(10s)\n"


def test_literals_keep_kapacitor_spelling():
    assert format_source("var x=01") == "var x = 01\n"
    assert format_source("var x=1.0") == "var x = 1.0\n"
    assert format_source("var x=5.") == "var x = 5.0\n"
    assert format_source("var x=.25") == "var x = 0.25\n"
    assert format_source('var x= /^\\/root\\//') == "var x = /^\\/root\\//\n"
    assert format_source('var s = "it\'s"') == 'var s = "it\'s"\n'
    assert format_source("var s = 'it\\'s'") == "var s = 'it\\'s'\n"
    assert format_source("var b = TRUE") == "var b = TRUE\n"


def test_floats_never_use_exponents():
    assert float_literal(1e22) == "10000000000000000000000.0"
    assert float_literal(1e-7) == "0.0000001"
    assert float_literal(0.1) == "0.1"


def test_comments_are_normalised_and_reindented():
    source = "var x = stream()\n//Window data  \n|window()\n// Period / Every 10s\n.period(10s).every(10s)"
    expected = (
        "var x = stream()\n"
        "    // Window data\n"
        "    |window()\n"
        "        // Period / Every 10s\n"
        "        .period(10s)\n"
        "        .every(10s)\n"
    )
    assert format_source(source) == expected


def test_statements_are_separated_by_blank_lines():
    assert format_source("var a = 1 var b = 2\n\n\n\nvar c = 3") == "var a = 1\n\nvar b = 2\n\nvar c = 3\n"


def test_multiline_arguments_stay_one_per_line():
    source = "stream|eval(lambda: 1,\nlambda: 2)"
    expected = "stream\n    |eval(\n        lambda: 1,\n        lambda: 2\n    )\n"
    assert format_source(source) == expected


def test_binary_operators_keep_line_breaks_and_parentheses():
    source = 'stream|where(lambda: ("a" > 1) AND\n"b" < 2)'
    # The continuation line takes the argument indent (chain indent + 4).
    expected = 'stream\n    |where(lambda: ("a" > 1) AND\n        "b" < 2)\n'
    assert format_source(source) == expected


def test_dbrp_and_template_declarations():
    assert format_source('dbrp "db" . "rp"\nvar crit lambda') == 'dbrp "db"."rp"\n\nvar crit lambda\n'


def test_trailing_comment_and_empty_program():
    # Kapacitor ends every top-level item, comments included, with a newline of its own.
    assert format_source("stream // tail") == "stream\n\n// tail\n\n"
    assert format_source("") == ""


def test_formatting_is_idempotent_on_its_output():
    source = "// a\nvar x = stream|from().measurement('m')|window().period(1m)\nx|alert().crit(lambda: \"v\" > 1.5)"
    once = format_source(source)
    assert format_source(once) == once
    assert len(parse(once).statements) == 2


def test_deep_nesting_formats_without_recursion_limits():
    depth = 5000
    source = "var x = " + "(1 + " * depth + "1" + ")" * depth
    formatted = format_source(source)
    assert formatted.count("(") == depth


# Where Kapacitor's parser leaves comments (worked out from tick/ast/parser.go's two-token
# lookahead: a comment belongs to the token after it, and only some tokens hand it on).


def test_comment_before_a_final_parenthesis_goes_to_the_end():
    assert format_source("f(1\n// c\n)") == "f(1)\n\n// c\n\n"


def test_unary_operator_takes_the_comment_before_its_operands_closing_parenthesis():
    # Kapacitor writes "var x = \n// c\n-f(1)\n", which its lexer reads back as `var x = //` (a
    # regex after `=`) and `c - f(1)`; tickpy writes the comment before the declaration.
    formatted = format_source("var x = -f(1 // c\n)")
    assert formatted.startswith("// c\nvar x = ")
    (declaration,) = parse(formatted).statements
    assert declaration.comment.lines == [" c"]
    assert declaration.value.operator == "-" and declaration.value.operand.name == "f"
    assert format_source(formatted) == formatted


def test_parenthesised_expression_takes_the_comment_before_its_opening_parenthesis():
    assert format_source("f(// c\n(1 + 2))") == "f(\n    // c\n    (1 + 2)\n)\n"
    assert format_source("var x = (// c\n1 + 2)") == "var x = (\n    // c\n    1 + 2)\n"


def test_slashes_after_an_assignment_are_a_regex_not_a_comment():
    # `= //` starts an (empty) regex in Kapacitor's lexer; the rest of the line is more code.
    program = parse("var x = // c\n(1 + 2)")
    assert program.statements[0].value.pattern == ""
    assert program.statements[1].name == "c"


def test_a_comment_only_script_keeps_its_comment():
    assert format_source("// only\n") == "// only\n\n"

"""The typed AST: node shapes, spans, comments, and the lambda entry point."""

import pytest

from tickpy.diagnostics import TickpyError
from tickpy.syntax import ast, parse, parse_lambda_expression


def test_chain_links_are_left_nested_with_their_kinds():
    program = parse("stream\n    |from()\n        .measurement('cpu')\n    @myUDF()\n")
    [statement] = program.statements
    assert isinstance(statement, ast.Chain) and statement.operator == "@"
    assert statement.right.kind == "dynamic" and statement.right.name == "myUDF"
    middle = statement.left
    assert middle.operator == "." and middle.right.kind == "property" and middle.right.name == "measurement"
    assert middle.right.args[0].value == "cpu"
    first = middle.left
    assert first.operator == "|" and first.right.kind == "chain" and first.left.name == "stream"
    # Kapacitor's "line N char M" for a call is the first character of its name.
    assert (first.right.span.line, first.right.span.column) == (2, 6)
    assert (middle.right.span.line, middle.right.span.column) == (3, 10)


def test_statements_declarations_and_dbrp():
    program = parse('dbrp "telegraf"."autogen"\nvar crit lambda\nvar x = 5m\nx')
    dbrp, type_decl, decl, bare = program.statements
    assert (dbrp.database.name, dbrp.retention_policy.name) == ("telegraf", "autogen")
    assert (type_decl.name.name, type_decl.type_name.name) == ("crit", "lambda")
    assert decl.name.name == "x" and decl.value.nanoseconds == 300 * 10**9
    assert isinstance(bare, ast.Identifier)


def test_juxtaposed_expressions_are_separate_statements():
    assert len(parse("a b c").statements) == 3


def test_operator_precedence_and_associativity():
    expr = parse_lambda_expression('"a" > 1 + 2 * 3 AND NOT_A_KEYWORD OR "b"')
    assert expr.operator == "OR"
    assert expr.left.operator == "AND"
    comparison = expr.left.left
    assert comparison.operator == ">" and comparison.right.operator == "+"
    assert comparison.right.right.operator == "*"
    left_assoc = parse_lambda_expression("1 - 2 - 3")
    assert left_assoc.left.operator == "-" and left_assoc.right.int_value == 3
    chained = parse_lambda_expression("1 < 2 < 3")  # parses; evaluation rejects it
    assert chained.left.operator == "<"


def test_unary_binds_tightest():
    expr = parse_lambda_expression("-2 * 3")
    assert expr.operator == "*" and isinstance(expr.left, ast.Unary)
    expr = parse_lambda_expression('!"a" == TRUE')
    assert expr.operator == "==" and expr.left.operator == "!"


def test_parentheses_mark_binary_nodes():
    expr = parse_lambda_expression("(1 + 2) * 3")
    assert expr.left.parens and not expr.parens


def test_literals():
    values = parse("f(010, 1.5, 'it\\'s', '''raw\\''', \"a\\\"b\", /a\\/b/, TRUE, FALSE, true, *)").statements[0].args
    octal, flt, single, triple, ref, regex, true_, false_, ident, star = values
    assert octal.is_int and octal.int_value == 8 and octal.base == 8
    assert not flt.is_int and flt.float_value == 1.5
    assert single.value == "it's" and not single.triple_quoted
    assert triple.value == "raw\\" and triple.triple_quoted
    assert ref.name == 'a"b'
    assert regex.pattern == "a/b" and regex.literal == "/a\\/b/"
    assert true_.value is True and false_.value is False
    assert isinstance(ident, ast.Identifier) and ident.name == "true"
    assert isinstance(star, ast.Star)


def test_lists_and_lambdas_are_whole_arguments():
    call = parse("f(['a', b, *], lambda: \"x\" > 1)").statements[0]
    assert [type(e).__name__ for e in call.args[0].elements] == ["StringLiteral", "Identifier", "Star"]
    assert isinstance(call.args[1], ast.Lambda)
    with pytest.raises(TickpyError):
        parse("var x = 1 + [1]")


def test_calls_inside_operator_expressions_take_only_expressions():
    with pytest.raises(TickpyError):
        parse("var x = 1 + f(lambda: 1)")
    assert parse("var x = f(lambda: 1) + 1").statements[0].value.operator == "+"


def test_spans_count_bytes_like_kapacitor():
    program = parse("var é = 'ü'\nvar y = 1")
    decl = program.statements[0]
    assert (decl.value.span.line, decl.value.span.column) == (1, 10)  # é is two bytes
    assert decl.value.span.offset == 8  # offsets are characters


def test_comments_attach_to_the_following_node():
    program = parse("// the source\nstream\n    // then\n    |from()\n// the end\n")
    chain = program.statements[0]
    assert chain.left.comment.kapacitor_lines == ["the source"]
    assert chain.comment.kapacitor_lines == ["then"]
    assert program.trailing_comment.kapacitor_lines == ["the end"]


def test_multiline_flags():
    call = parse("f(\n    1,\n    2\n)").statements[0]
    assert call.multiline
    binary = parse_lambda_expression('"a" > 1 AND\n"b" < 2')
    assert binary.multiline


def test_lambda_expression_entry_point_rejects_statements():
    with pytest.raises(TickpyError) as caught:
        parse_lambda_expression("1 2")
    diagnostic = caught.value.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (1, 3)
    assert diagnostic.kapacitor_message.endswith('expected: "EOF"')


def test_walk_reaches_every_node():
    program = parse('stream|where(lambda: "a" > -1)')
    names = [type(n).__name__ for n in ast.walk(program)]
    assert names == ["Program", "Chain", "Identifier", "Function", "Lambda", "Binary", "Reference", "Unary", "NumberLiteral"]

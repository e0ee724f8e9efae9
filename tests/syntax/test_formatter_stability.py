"""`tickpy fmt` output reads back as the script it formats, and formatting it again changes
nothing: fmt(fmt(x)) == fmt(x) for every x that parses.

Kapacitor's tickfmt fails both in places (its lexer and parser are read in tick/ast/lex.go and
parser.go): after a name, number, string, `)` or `lambda:` its lexer reads `/` and `*` as
operators; after `=`, `=~` and `!~` it reads `//` as a regex; a line starting with `/` after a
comment is more comment; its parser takes a statement starting with `-` as a minus continuing
the one before; it counts, on a second reading, line breaks its own output added. tickpy keeps
Kapacitor's bytes wherever they read back as themselves (tests/conformance: 496/496)."""

from __future__ import annotations

import pathlib
import random

import pytest

from tests.conformance.conftest import conformance_dir
from tickpy.diagnostics import TickpyError
from tickpy.syntax import ast, format_source, parse
from tickpy.syntax.lexer import lex

ROOT = pathlib.Path(__file__).resolve().parents[2]

_VALUE_FIELDS = ("operator", "name", "value", "kind", "parens", "is_int", "int_value", "float_value",
                 "nanoseconds", "pattern", "triple_quoted")


def shape(source: str) -> list[str]:
    """The script as Kapacitor evaluates it: nodes, operators and values, in order; neither
    layout nor comments."""
    nodes = []
    for node in ast.walk(parse(source)):
        fields = [node.__class__.__name__]
        fields += [repr(getattr(node, name)) for name in _VALUE_FIELDS
                   if hasattr(node, name) and not isinstance(getattr(node, name), ast.Node)]
        fields.append(str(len(list(ast.children(node)))))
        nodes.append(" ".join(fields))
    return nodes


def assert_stable(source: str) -> str:
    formatted = format_source(source)
    assert shape(formatted) == shape(source), f"fmt changed what the script is:\n{source}\n---\n{formatted}"
    again = format_source(formatted)
    assert again == formatted, f"fmt is not idempotent on:\n{source}\n--- once\n{formatted}\n--- twice\n{again}"
    return formatted


# --------------------------------------------------------------- 1. parenthesised statements


@pytest.mark.parametrize("source", [
    "var x = 1\n(/re/)",  # Kapacitor: `var x = 1\n\n/re/` reads `/` as a division and fails
    "(1)\n(/a/)",
    "stream|from()\n(/a/)",
    'dbrp "a"."b"\n(/a/)',
    "var x int\n('a')\n(/a/)",
    "var x = 1\n// c\n(/a/)",  # Kapacitor: the regex line is read as more comment
    "var x = 1\n(-1)",  # Kapacitor: `var x = 1\n\n-1` reads back as `var x = 1 - 1`
    "var x = 'a'\n(-1)",
    "var x = f(1)\n(-1) + 2",
    "var x = lambda: 1\n((-1))",
    "var x = 1\n// c\n(-a)",
    "(x)\n(-1)",  # `(-1)` after `x` would call x: the name keeps its parentheses too
    "(x)\n(1 + 2)",
    "var f = lambda: (x)\n(/a/)",
    "stream|from()\n(*)",
    "var a = 1\n(*)",
    "var f = lambda: (/a/)",  # `lambda:` then `/` is a division too
    "var f = lambda: TRUE AND (*)",
    'var f = lambda: (/a/) == "x"',  # after a regex or `*` only `-`, AND and OR lex as operators
    "var f = lambda: (*) + 1",
])
def test_parenthesised_statements_and_operands_read_back(source):
    assert_stable(source)


@pytest.mark.parametrize("source, kapacitor", [
    # Kapacitor's Format drops the parentheses of what is not an operator expression; where
    # that reads back as the same script its bytes are kept.
    ("(1)", "1\n"),
    ("['a']\n(/a/)", "['a']\n\n/a/\n"),
    ("var x int\n(-1)", "var x int\n\n-1\n"),
    ("stream|from()\n(-1)", "stream\n    |from()\n\n-1\n"),
    ("var x = 1\n('a')", "var x = 1\n\n'a'\n"),
    ("var a = 1\nz // t\n* // t\n5m", "var a = 1\n\nz\n\n// t\n*\n\n// t\n5m\n"),
])
def test_kapacitors_bytes_where_they_read_back(source, kapacitor):
    assert assert_stable(source) == kapacitor


def test_a_regex_statement_after_a_number_keeps_its_parentheses():
    formatted = assert_stable("var x = 1\n(/re/)")
    assert formatted == "var x = 1\n\n(/re/)\n"
    with pytest.raises(TickpyError):  # what Kapacitor writes
        parse("var x = 1\n\n/re/\n")


# --------------------------------------------------------------- 2. idempotence


def test_chain_argument_keeps_kapacitors_first_pass():
    # The conformance scripts' README: Kapacitor's first pass, which its second pass changes.
    source = "stream\n    |window()\n        .mapReduce(influxql.last('value'))\n"
    expected = "stream\n    |window()\n        .mapReduce(influxql\n                    .last('value'))\n"
    assert assert_stable(source) == expected


@pytest.mark.parametrize("source", [
    "f(a.b(), c)",
    "f(a\n.b(), c)",
    "stream|from().database(influxql.last('value'), 'telegraf')",
    # an operator followed by a line break, and a comment Kapacitor moves
    "var m = '{{ if }}' + alive +\n// why\n'{{ else }}' + dead + '{{ end }}'",
    "stream|alert().warn(lambda: \"a\" + \"b\" +\n\"c\" > w OR \"s\" > ws)",
    "var m = 'a' + x +\n'b' + y",
    "var f = lambda: (1 + 2 -\n3 * 4 / 5) <\nsin(6) AND (TRUE OR FALSE)",
    "var f = lambda: hour(\"time\") >=\n9 AND hour(\"time\") < 19",
    "var f = lambda: hour(\"time\") >= 9 \n// c1\nAND hour(\"time\") < 19",
    "var x = 1\n// c\n- 2",  # Kapacitor: `var x = \n// c\n...`, and `= //` is a regex
    "var x = TRUE\n// c\nAND FALSE",
    "var f = lambda: \"a\" =~ x\n// c\n- 1",
    "var x = -f(1 // c\n)",
    "var f = lambda: 1 + \n// c\n(f(1))",  # a call in an operator expression drops a comment
    "var f = lambda: 1 +\n// c\n(-1)",  # so does a unary operator
    "stream.m\n-f(1 // c\n)",
    "stream|f(1 // c\n) // d",  # a dangling and a trailing comment
    "stream\n  |from()\n// c\n   .measurement('a')\n      // d\n  |window()",
])
def test_formatting_twice_changes_nothing(source):
    assert_stable(source)


def _corpus_scripts() -> list[tuple[str, str]]:
    base = conformance_dir()
    if base is None:
        return []
    scripts = []
    for folder in ("scripts", "define"):
        for path in sorted((base / folder).glob("*/script.tick")):
            scripts.append((f"{folder}/{path.parent.name}", path.read_text(encoding="utf-8")))
    return scripts


def _parses(source: str) -> bool:
    try:
        parse(source)
    except TickpyError:
        return False
    return True


def test_corpus_scripts_format_to_fixed_points():
    scripts = [(name, source) for name, source in _corpus_scripts() if _parses(source)]
    if not scripts:
        pytest.skip("conformance scripts not found: set TICKPY_CONFORMANCE or place them at ../shared/conformance")
    for _name, source in scripts:
        assert_stable(source)


# --------------------------------------------------------------- generated mutations


def _base_scripts() -> list[str]:
    samples = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "samples").glob("*.tick"))]
    return samples + [source for _, source in _corpus_scripts()]


def _comment_between_chained_calls(rng: random.Random, source: str) -> str | None:
    links = [tok for tok in lex(source).tokens if tok.type in ("PIPE", "DOT", "AT")]
    if not links:
        return None
    at = rng.choice(links).start_pos
    comment = "\n" + " " * rng.randrange(13) + "//" + rng.choice(["", " "]) + f"note {rng.randrange(100)}\n"
    if rng.random() < 0.3:
        comment += " " * rng.randrange(9) + "// more\n"
    return source[:at] + comment + " " * rng.randrange(13) + source[at:]


_OPERATORS = ("PLUS", "MINUS", "MULT", "DIV", "MOD", "EQ", "NE", "LT", "GT", "LE", "GE", "REQ", "RNE", "AND", "OR")


def _line_break_after_operator(rng: random.Random, source: str) -> str | None:
    operators = [tok for tok in lex(source).tokens if tok.type in _OPERATORS]
    if not operators:
        return None
    at = rng.choice(operators).offset_end
    return source[:at] + "\n" + " " * rng.randrange(9) + source[at:]


def _chain_in_arguments(rng: random.Random, source: str) -> str | None:
    tokens = lex(source).tokens
    opens = [tokens[i + 1] for i in range(1, len(tokens) - 1) if tokens[i + 1].type == "LPAREN" and tokens[i - 1].type == "DOT"]
    if not opens:
        return None
    at = rng.choice(opens).offset_end
    chain = rng.choice(["influxql.last('value')", "a.b()", "x.y(1).z", "s|f()", "influxdb\n.sum('v')"])
    rest = source[at:].lstrip()
    return source[:at] + chain + ("" if rest.startswith(")") else ", ") + source[at:]


_LITERALS = ("(-1)", "(/x/)", "(*)", "('s')", "(1 + 2)", "(-a)", "(x)", "(!TRUE)", "(5m)", '("r")', "(1)")


def _parenthesised_literal_statement(rng: random.Random, source: str) -> str | None:
    starts = [tok for tok in lex(source).tokens if tok.type in ("VAR", "DBRP")]
    at = rng.choice(starts).start_pos if starts and rng.random() < 0.7 else len(source)
    return source[:at] + "\n" + rng.choice(_LITERALS) + "\n" + source[at:]


@pytest.mark.parametrize("mutate", [
    _comment_between_chained_calls,
    _line_break_after_operator,
    _chain_in_arguments,
    _parenthesised_literal_statement,
])
@pytest.mark.parametrize("seed", [1, 2])
def test_generated_mutations_format_to_fixed_points(mutate, seed):
    rng = random.Random(seed)
    bases = _base_scripts()
    checked = 0
    for _ in range(200):
        mutated = mutate(rng, rng.choice(bases))
        for _ in range(rng.randrange(2)):  # sometimes a second mutation of the same kind
            mutated = mutate(rng, mutated) if mutated is not None else None
        if mutated is None or not _parses(mutated):
            continue
        assert_stable(mutated)
        checked += 1
    assert checked > 20

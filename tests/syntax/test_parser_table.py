"""The shipped LALR table (grammar/tickscript.table.json): current with the grammar, rebuilt when
the grammar changes, and driving the parse to the very AST Lark's own parser builds."""

import json
import os
import pathlib
import subprocess
import sys

from tests.conformance.conftest import conformance_dir
from tickpy.syntax import parser as tick_parser
from tickpy.syntax.lexer import lex
from tickpy.syntax.serialize import node_to_dict

ROOT = pathlib.Path(__file__).resolve().parents[2]
GRAMMAR = pathlib.Path(tick_parser.GRAMMAR_PATH).read_text(encoding="utf-8")


def shipped_table() -> dict:
    return json.loads(pathlib.Path(tick_parser.TABLE_PATH).read_text(encoding="utf-8"))


def test_shipped_table_is_the_one_lark_computes_for_the_grammar():
    assert shipped_table() == tick_parser.build_table(GRAMMAR), (
        "grammar/tickscript.table.json is stale: run python tools/gen_parser_table.py")


def test_the_written_table_does_not_depend_on_string_hashing(tmp_path):
    """Lark numbers its states differently from one run to the next; the table must not."""
    written = []
    for seed in ("1", "2"):
        script = ("import sys, json; from tickpy.syntax.parser import GRAMMAR_PATH, build_table; "
                  "json.dump(build_table(open(GRAMMAR_PATH, encoding='utf-8').read()), sys.stdout)")
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        written.append(json.loads(done.stdout))
    assert written[0] == written[1] == shipped_table()


def test_an_edited_grammar_is_parsed_with_a_table_built_from_it(tmp_path):
    edited = GRAMMAR.replace("?mul_op: MULT | DIV | MOD", "?mul_op: MULT | DIV")
    assert edited != GRAMMAR
    grammar_path = tmp_path / "tickscript.lark"
    grammar_path.write_text(edited, encoding="utf-8")

    table = tick_parser.load_table(str(grammar_path), tick_parser.TABLE_PATH)

    assert table == tick_parser.build_table(edited)
    assert table["grammar_crc32"] == tick_parser.grammar_digest(edited) != shipped_table()["grammar_crc32"]
    assert any("MOD" in state["shift"] for state in shipped_table()["states"])
    assert not any("MOD" in state["shift"] for state in table["states"])


def test_the_unchanged_grammar_uses_the_shipped_table():
    assert tick_parser.load_table() == shipped_table()


# Every rule of the grammar: statements, declarations, dbrp, lists (trailing commas too), chains
# with each operator, global calls, every operator level, unary, parentheses, every literal,
# comments in odd places, and an empty script.
SCRIPTS = [
    "",
    "// only a comment\n",
    'dbrp "telegraf"."autogen"\nvar crit lambda\nvar x = 5m\nx y',
    "var l = ['a', b, *]\nvar m = [a,]\nvar n = [a]\nvar o = []\n",
    ("stream\n    |from()\n        .measurement('cpu')\n        .groupBy(*)\n    @udf(1, 2,)\n"
     "    |window().period(10s).every(5s)\n    |alert().crit(lambda: \"x\" > 1 AND \"y\" < -2 OR !\"z\")\n"),
    "sigma(\"value\") > 3 OR abs(-1.5, 2,) == 2 AND 'a' =~ /re/ AND 'b' !~ /x\\/y/",
    "var a = f(1) + 2 * (3 - 4) / 5 % 6 <= 7 != TRUE\nvar b = FALSE\nvar c = g()\nvar d = h(1,)",
    "batch|query('SELECT 1')//c1\n//c2\n.period(1m) // c3\n|eval(lambda: -(\"a\" + 1), lambda: count(\"b\"))\n.as('x', 'y')",
    "var s = stream |from() .where(lambda: \"host\" == 'a' AND (\"v\" >= 0.5 OR \"w\" > 1000))",
]
LAMBDAS = ['"a" > 1 + 2 * 3 AND x OR "b"', "-(1)", "!TRUE", "f(1, 2, g(3),)", "((\"a\"))", "10s + 1h / 2"]


LARK = tick_parser.lark_parser(GRAMMAR, transformer=tick_parser._Builder())


def lark_parse(source: str, start: str):
    """What Lark's own LALR parser builds with `_Builder` over the same tokens: the statements of
    a program, or a lambda's expression."""
    builder = LARK.options.transformer
    lexed = lex(source)
    builder.map = lexed.source_map
    builder.source = source
    builder.ascii = lexed.source_map.ascii
    builder.rparen_comment = {}
    interactive = LARK.parse_interactive(start=start)
    for token in lexed.tokens:
        interactive.feed_token(token)
    return interactive.feed_eof()


def corpus() -> list[str]:
    scripts = list(SCRIPTS) + [path.read_text(encoding="utf-8") for path in sorted((ROOT / "samples").glob("*.tick"))]
    folder = conformance_dir()
    if folder is not None:
        for expected in sorted((folder / "scripts").glob("*/expected.json")):
            if json.loads(expected.read_text(encoding="utf-8")).get("parse", {}).get("ok"):
                scripts.append((expected.parent / "script.tick").read_text(encoding="utf-8"))
    return scripts


def test_the_driver_builds_what_larks_parser_builds():
    scripts = corpus()
    assert len(scripts) > len(SCRIPTS)
    for source in scripts:
        ours = [node_to_dict(statement) for statement in tick_parser.parse(source).statements]
        assert ours == [node_to_dict(statement) for statement in lark_parse(source, "program")], source
    for text in LAMBDAS:
        assert node_to_dict(tick_parser.parse_lambda_expression(text)) == node_to_dict(lark_parse(text, "lambda_start")), text

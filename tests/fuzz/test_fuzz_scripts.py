"""Fuzz target: TICKscripts through parse, Kapacitor's define verdict (check) and fmt.

Only the positioned TickpyError may come out of any of them (never another exception, a
RecursionError or a hang), and fmt's output, when fmt succeeds, parses and is its own fmt
output (fmt(fmt(x)) == fmt(x)). Inputs: scripts built from the grammar's real fragments (every
chaining method and property of the catalogue, literals of each kind, lambdas, comments, deep
nesting) and byte mutations of the conformance scripts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.grammar import (
    CHAIN_NAMES,
    DURATIONS,
    FIELDS,
    FRAGMENTS,
    IDENTIFIERS,
    NUMBERS,
    PROPERTY_NAMES,
    REGEXES,
    STRINGS,
    TYPES,
    expression,
)
from tests.fuzz.support import as_text, bounded_time, corpus_files, fuzz_settings, mutated
from tickpy.api import check, parse
from tickpy.diagnostics import TickpyError
from tickpy.syntax import format_source

ARGUMENT = st.one_of(
    st.sampled_from(STRINGS + NUMBERS + DURATIONS + REGEXES + FIELDS + IDENTIFIERS + ["*", "TRUE"]),
    expression().map(lambda e: "lambda: " + e),
    st.lists(st.sampled_from(STRINGS + FIELDS), max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
)
ARGUMENTS = st.lists(ARGUMENT, max_size=3).map(", ".join)
LINK = st.one_of(
    st.tuples(st.sampled_from(CHAIN_NAMES), ARGUMENTS).map(lambda t: f"\n    |{t[0]}({t[1]})"),
    st.tuples(st.sampled_from(PROPERTY_NAMES), ARGUMENTS).map(lambda t: f"\n        .{t[0]}({t[1]})"),
    st.sampled_from(["\n    @myUDF()", "\n    // a comment\n", "\n        .", "|", "\n\n"]),
)
STATEMENT = st.one_of(
    st.tuples(st.sampled_from(["stream", "batch", "x", "data"]), st.lists(LINK, max_size=8)).map(
        lambda t: t[0] + "".join(t[1])),
    st.tuples(st.sampled_from(IDENTIFIERS), ARGUMENT).map(lambda t: f"var {t[0]} = {t[1]}"),
    st.tuples(st.sampled_from(IDENTIFIERS), st.sampled_from(TYPES)).map(lambda t: f"var {t[0]} {t[1]}"),
    st.sampled_from(['dbrp "telegraf"."autogen"', "dbrp 'a'.'b'", 'dbrp "a"', "// only a comment"]),
    st.tuples(st.sampled_from(IDENTIFIERS), st.lists(LINK, min_size=1, max_size=5)).map(
        lambda t: f"var {t[0]} = stream" + "".join(t[1])),
)
STRUCTURED = st.lists(STATEMENT, min_size=1, max_size=4).map("\n".join)

SEEDS = [path.read_bytes() for path in corpus_files("scripts/*/script.tick") + corpus_files("define/*/script.tick")]
SEEDS = SEEDS or [b"stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: TRUE)\n"]
MUTATED = mutated(SEEDS, FRAGMENTS).map(as_text)


def verdicts(source: str) -> None:
    with bounded_time():
        try:
            parse(source)
        except TickpyError:
            pass
        try:
            check(source)
        except TickpyError:
            pass
        try:
            formatted = format_source(source)
        except TickpyError:
            return
        parse(formatted)  # fmt's output must parse: a TickpyError here fails the target
        assert format_source(formatted) == formatted


@fuzz_settings(60)
@given(STRUCTURED)
def test_structured_scripts(source):
    verdicts(source)


@fuzz_settings(100)
@given(MUTATED)
def test_mutated_corpus_scripts(source):
    verdicts(source)

"""Kapacitor's verdicts on real scripts (../shared/conformance/scripts): parse verdict, error
position (line and byte column) and Kapacitor's own error text, tickfmt output byte for byte,
and idempotence of the formatter."""

from __future__ import annotations

import json

import pytest

from tests.conformance.conftest import case_params, count
from tickpy.diagnostics import TickpyError
from tickpy.syntax import format_source, parse


def _scripts(folder):
    for case_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        expected = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
        source = (case_dir / "script.tick").read_bytes().decode("utf-8", "surrogateescape")
        yield case_dir.name, (case_dir.name, source, expected)


SCRIPTS = case_params("scripts", _scripts)


@pytest.mark.parametrize("case", SCRIPTS)
def test_parse_verdict_and_error_position(case):
    case_id, source, expected = case
    want = expected["parse"]
    try:
        parse(source, case_id)
        got_ok, diagnostic = True, None
    except TickpyError as error:
        got_ok, diagnostic = False, error.diagnostics[0]
    problem = message_matches = None
    if got_ok != want["ok"]:
        problem = f"{case_id}: parse ok={got_ok}, Kapacitor ok={want['ok']} ({want['error']})"
    elif not got_ok:
        message_matches = diagnostic.kapacitor_message == want["error"]
        position = want["error_pos"]
        if position and (diagnostic.line, diagnostic.column) != (position["line"], position["char"]):
            problem = (f"{case_id}: error at {diagnostic.line}:{diagnostic.column}, "
                       f"Kapacitor at {position['line']}:{position['char']} ({want['error']})")
    count("scripts/parse", problem is None)
    if message_matches is not None:
        count("scripts/parse-message-text", message_matches)
    assert problem is None, problem  # the verdict and the error position
    if not got_ok:
        assert diagnostic.code == "syntax" and diagnostic.message
        assert message_matches, f"{case_id}: text {diagnostic.kapacitor_message!r} != {want['error']!r}"


@pytest.mark.parametrize("case", [param for param in SCRIPTS if param.values[0] is None
                                  or param.values[0][2]["fmt"] is not None])
def test_fmt_byte_identical_and_idempotent(case):
    case_id, source, expected = case
    formatted = format_source(source, case_id)
    count("scripts/fmt", formatted == expected["fmt"])
    # Where Kapacitor's second pass changes its own output (`fmt_idempotent` false: a chain
    # written as a call's argument), tickpy keeps the first pass: fmt(fmt(x)) == fmt(x).
    again = format_source(expected["fmt"], case_id)
    idempotent = again == expected["fmt"]
    count("scripts/fmt-idempotence", idempotent)
    assert formatted == expected["fmt"], f"{case_id}: fmt output differs"
    assert idempotent, f"{case_id}: a second fmt changes the text"


def _mutants(folder):
    for case_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        yield case_dir.name, case_dir


@pytest.mark.parametrize("case_dir", case_params("define", _mutants))
def test_define_mutant_fails_in_the_parser_exactly_when_kapacitor_says_so(case_dir):
    """../define holds realistic mistakes; those Kapacitor rejects at the `parse` stage must fail
    our parser at the same place with the same text, and every other one must parse."""
    want = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))["define"]
    source = (case_dir / "script.tick").read_bytes().decode("utf-8", "surrogateescape")
    try:
        parse(source, case_dir.name)
        diagnostic = None
    except TickpyError as error:
        diagnostic = error.diagnostics[0]
    problem = hinted = None
    if (want["stage"] == "parse") != (diagnostic is not None):
        problem = f"{case_dir.name}: Kapacitor stage {want['stage']}, ours {'parse error' if diagnostic else 'parsed'}"
    elif diagnostic is not None:
        hinted = bool(diagnostic.hint)
        position = want["error_pos"]
        if position and (diagnostic.line, diagnostic.column) != (position["line"], position["char"]):
            problem = f"{case_dir.name}: at {diagnostic.line}:{diagnostic.column}, Kapacitor {want['error']}"
        elif diagnostic.kapacitor_message != want["error"]:
            problem = f"{case_dir.name}: text {diagnostic.kapacitor_message!r} != {want['error']!r}"
    count("define/parse-stage", problem is None)
    if hinted is not None:
        count("define/parse-errors-with-a-hint", hinted)
    assert problem is None, problem
    assert hinted is not False, f"{case_dir.name}: a parse error without a hint"


def _lambda_expressions(folder):
    """Each expression once, under the id of its first case."""
    seen: set[str] = set()
    with (folder / "cases.jsonl").open(encoding="utf-8") as cases:
        for line in cases:
            case = json.loads(line)
            if case["expr"] not in seen:
                seen.add(case["expr"])
                yield case["id"], case


@pytest.mark.parametrize("case", case_params("lambda", _lambda_expressions))
def test_lambda_expression_parses_exactly_when_kapacitor_parses_it(case):
    """../lambda: every expression Kapacitor's ast.ParseLambda rejects (stage `parse`) must be
    rejected with Kapacitor's text; every other one must parse."""
    from tickpy.syntax import parse_lambda_expression

    expr, expect = case["expr"], case["expect"]
    want_error = expect.get("stage") == "parse"
    try:
        parse_lambda_expression(expr)
        got = None
    except TickpyError as error:
        got = error.diagnostics[0].kapacitor_message
    problem = None
    if want_error != (got is not None):
        problem = f"{case['id']}: {expr!r}: Kapacitor {expect}, ours {got}"
    elif want_error and got != expect["error"]:
        problem = f"{case['id']}: {expr!r}: text {got!r} != {expect['error']!r}"
    count("lambda/parse-stage", problem is None)
    assert problem is None, problem

"""Kapacitor's verdicts on real scripts (../shared/conformance/scripts): parse verdict, error
position (line and byte column) and Kapacitor's own error text, tickfmt output byte for byte,
and idempotence of the formatter."""

from __future__ import annotations

import json

from tests.conformance.conftest import report, require_set
from tickpy.diagnostics import TickpyError
from tickpy.syntax import format_source, parse


def _cases():
    folder = require_set("scripts")
    for case_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        expected = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))
        source = (case_dir / "script.tick").read_bytes().decode("utf-8", "surrogateescape")
        yield case_dir.name, source, expected


def test_parse_verdicts_and_error_positions():
    passed = total = 0
    failures: list[str] = []
    message_matches = rejected = 0
    for case_id, source, expected in _cases():
        total += 1
        want = expected["parse"]
        try:
            parse(source, case_id)
            got_ok, diagnostic = True, None
        except TickpyError as error:
            got_ok, diagnostic = False, error.diagnostics[0]
        if got_ok != want["ok"]:
            failures.append(f"{case_id}: parse ok={got_ok}, Kapacitor ok={want['ok']} ({want['error']})")
            continue
        if not got_ok:
            rejected += 1
            message_matches += diagnostic.kapacitor_message == want["error"]
            position = want["error_pos"]
            if position and (diagnostic.line, diagnostic.column) != (position["line"], position["char"]):
                failures.append(
                    f"{case_id}: error at {diagnostic.line}:{diagnostic.column}, "
                    f"Kapacitor at {position['line']}:{position['char']} ({want['error']})"
                )
                continue
            assert diagnostic.code == "syntax" and diagnostic.message
        passed += 1
    report("scripts/parse", passed, total, failures)
    report("scripts/parse-message-text", message_matches, rejected, [])
    assert total > 0
    assert passed == total  # every verdict and every error position
    assert message_matches == rejected


def test_fmt_byte_identical_and_idempotent():
    passed = total = idempotent = idempotent_total = 0
    failures: list[str] = []
    for case_id, source, expected in _cases():
        if expected["fmt"] is None:
            continue
        total += 1
        formatted = format_source(source, case_id)
        if formatted == expected["fmt"]:
            passed += 1
        else:
            failures.append(f"{case_id}: fmt output differs")
        # Where Kapacitor's second pass changes its own output (`fmt_idempotent` false: a chain
        # written as a call's argument), tickpy keeps the first pass: fmt(fmt(x)) == fmt(x).
        again = format_source(expected["fmt"], case_id)
        idempotent_total += 1
        idempotent += again == expected["fmt"]
    report("scripts/fmt", passed, total, failures)
    report("scripts/fmt-idempotence", idempotent, idempotent_total, [])
    assert total > 0
    assert passed == total
    assert idempotent == idempotent_total


def test_define_mutants_fail_in_the_parser_exactly_when_kapacitor_says_so():
    """../define holds realistic mistakes; those Kapacitor rejects at the `parse` stage must fail
    our parser at the same place with the same text, and every other one must parse."""
    folder = require_set("define")
    passed = total = hinted = parse_errors = 0
    failures: list[str] = []
    for case_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        want = json.loads((case_dir / "expected.json").read_text(encoding="utf-8"))["define"]
        source = (case_dir / "script.tick").read_bytes().decode("utf-8", "surrogateescape")
        total += 1
        try:
            parse(source, case_dir.name)
            diagnostic = None
        except TickpyError as error:
            diagnostic = error.diagnostics[0]
        if (want["stage"] == "parse") != (diagnostic is not None):
            failures.append(f"{case_dir.name}: Kapacitor stage {want['stage']}, ours {'parse error' if diagnostic else 'parsed'}")
            continue
        if diagnostic is not None:
            parse_errors += 1
            hinted += bool(diagnostic.hint)
            position = want["error_pos"]
            if position and (diagnostic.line, diagnostic.column) != (position["line"], position["char"]):
                failures.append(f"{case_dir.name}: at {diagnostic.line}:{diagnostic.column}, Kapacitor {want['error']}")
                continue
            if diagnostic.kapacitor_message != want["error"]:
                failures.append(f"{case_dir.name}: text {diagnostic.kapacitor_message!r} != {want['error']!r}")
                continue
        passed += 1
    report("define/parse-stage", passed, total, failures)
    report("define/parse-errors-with-a-hint", hinted, parse_errors, [])
    assert total > 0
    assert passed == total
    assert hinted == parse_errors


def test_lambda_expressions_parse_exactly_when_kapacitor_parses_them():
    """../lambda: every expression Kapacitor's ast.ParseLambda rejects (stage `parse`) must be
    rejected with Kapacitor's text; every other one must parse."""
    from tickpy.syntax import parse_lambda_expression

    folder = require_set("lambda")
    passed = total = 0
    failures: list[str] = []
    seen: set[str] = set()
    with (folder / "cases.jsonl").open(encoding="utf-8") as cases:
        for line in cases:
            case = json.loads(line)
            expr = case["expr"]
            if expr in seen:
                continue
            seen.add(expr)
            total += 1
            expect = case["expect"]
            want_error = expect.get("stage") == "parse"
            try:
                parse_lambda_expression(expr)
                got = None
            except TickpyError as error:
                got = error.diagnostics[0].kapacitor_message
            if want_error != (got is not None):
                failures.append(f"{case['id']}: {expr!r}: Kapacitor {expect}, ours {got}")
            elif want_error and got != expect["error"]:
                failures.append(f"{case['id']}: {expr!r}: text {got!r} != {expect['error']!r}")
            else:
                passed += 1
    report("lambda/parse-stage", passed, total, failures)
    assert total > 0
    assert passed == total

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
        again = format_source(expected["fmt"], case_id)
        if expected["fmt_idempotent"]:
            idempotent_total += 1
            idempotent += again == expected["fmt"]
        else:
            # Kapacitor's own exceptions: a second pass changes the text; ours must too.
            idempotent_total += 1
            idempotent += again != expected["fmt"]
    report("scripts/fmt", passed, total, failures)
    report("scripts/fmt-idempotence", idempotent, idempotent_total, [])
    assert total > 0
    assert passed == total
    assert idempotent == idempotent_total

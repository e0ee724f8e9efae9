"""The DOT graph of every accepted corpus script equals `kapacitor show`'s."""

from tests.conformance.conftest import report, require_set
from tests.conformance.define_cases import run_case


def test_graph_dot_equals_kapacitor_show():
    folder = require_set("scripts")
    passed = total = 0
    failures = []
    for case in sorted(p for p in folder.iterdir() if (p / "expected.json").exists()):
        expected, got = run_case(case)
        if not expected["ok"]:
            continue
        total += 1
        if got.dot == expected["dot"]:
            passed += 1
        else:
            failures.append(f"{case.name}: got {got.dot!r}")
    report("graph dot", passed, total, failures)
    assert total > 0 and passed == total

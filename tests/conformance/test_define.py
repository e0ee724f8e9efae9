"""Mutated scripts (one realistic mistake each): same verdict and error position as Kapacitor."""

from tests.conformance.conftest import report, require_set
from tests.conformance.define_cases import score_define


def test_define_mutants_verdict_and_position():
    folder = require_set("define")
    verdicts, positions, positions_total, total, failures, stages, stages_total = score_define(folder)
    report("define verdict", verdicts, total, failures)
    report("define position", positions, positions_total, [])
    report("define stage", stages, stages_total, [])
    assert verdicts == total
    assert positions == positions_total
    assert stages == stages_total

"""The define verdict on the corpus scripts equals Kapacitor's, and so does the error position."""

from tests.conformance.conftest import report, require_set
from tests.conformance.define_cases import score_define


def test_scripts_define_verdict_and_position():
    folder = require_set("scripts")
    verdicts, positions, positions_total, total, failures, stages, stages_total = score_define(folder)
    report("scripts define verdict", verdicts, total, failures)
    report("scripts define position", positions, positions_total, [])
    report("scripts define stage", stages, stages_total, [])
    assert verdicts == total
    assert positions == positions_total
    assert stages == stages_total

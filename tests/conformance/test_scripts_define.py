"""The define verdict on the corpus scripts equals Kapacitor's, and so does the error position."""

from tests.conformance.define_cases import assert_define_conformance


def test_scripts_define_verdict_and_position():
    assert_define_conformance("scripts", "scripts define")

"""Mutated scripts (one realistic mistake each): same verdict and error position as Kapacitor."""

from tests.conformance.define_cases import assert_define_conformance


def test_define_mutants_verdict_and_position():
    assert_define_conformance("define", "define")

"""Mutated scripts (one realistic mistake each): same verdict and error position as Kapacitor."""

import pytest

from tests.conformance.define_cases import check_define_case, define_case_params


@pytest.mark.parametrize("folder", define_case_params("define"))
def test_define_mutant_verdict_and_position(folder):
    check_define_case(folder, "define")

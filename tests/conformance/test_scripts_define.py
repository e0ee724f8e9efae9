"""The define verdict on the corpus scripts equals Kapacitor's, and so does the error position."""

import pytest

from tests.conformance.define_cases import check_define_case, define_case_params


@pytest.mark.parametrize("folder", define_case_params("scripts"))
def test_script_define_verdict_and_position(folder):
    check_define_case(folder, "scripts define")

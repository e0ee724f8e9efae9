"""The DOT graph of every accepted corpus script equals `kapacitor show`'s."""

import json

import pytest

from tests.conformance.conftest import case_folders, case_params, count
from tests.conformance.define_cases import run_case


def _accepted(folder):
    for case in case_folders(folder):
        if json.loads((case / "expected.json").read_text())["define"]["ok"]:
            yield case.name, case


@pytest.mark.parametrize("case", case_params("scripts", _accepted))
def test_graph_dot_equals_kapacitor_show(case):
    expected, got = run_case(case)
    count("graph dot", got.dot == expected["dot"])
    assert got.dot == expected["dot"], f"{case.name}: got {got.dot!r}"

"""The samples' own test files: every sample script has one, and every case passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tickpy.testing import run_test_file
from tickpy.testing.spec import load_test_file

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
TEST_FILES = sorted(SAMPLES.glob("*.tickpy.yaml"))


def test_every_sample_script_has_a_test_file():
    tested = {Path(case.script_path).resolve() for path in TEST_FILES for case in load_test_file(str(path))}
    untested = [script.name for script in sorted(SAMPLES.glob("*.tick")) if script.resolve() not in tested]
    assert untested == []


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_sample_cases_pass(path):
    results = run_test_file(str(path))
    assert results
    failures = {r.case.name: [m.render() for m in r.mismatches] + ([r.error] if r.error else [])
                for r in results if not r.ok}
    assert failures == {}

"""Conformance tests read Kapacitor's answers from ../shared/conformance (or the folder named by
TICKPY_CONFORMANCE) and skip, with the reason, when it is absent (a user's fresh clone)."""

from __future__ import annotations

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def conformance_dir() -> pathlib.Path | None:
    override = os.environ.get("TICKPY_CONFORMANCE")
    folder = pathlib.Path(override) if override else ROOT.parent / "shared" / "conformance"
    return folder if folder.is_dir() else None


def require_set(name: str) -> pathlib.Path:
    """The folder of one conformance set, or skip the test saying why."""
    base = conformance_dir()
    if base is None:
        pytest.skip("conformance data not found: set TICKPY_CONFORMANCE or place it at ../shared/conformance")
    folder = base / name
    if not folder.exists():
        pytest.skip(f"conformance set {name!r} not found under {base}")
    return folder


def report(set_name: str, passed: int, total: int, failures: list[str], show: int = 15) -> None:
    """Print the pass count (visible with -s, and in the summary via the terminal reporter)."""
    line = f"conformance {set_name}: {passed}/{total} passed"
    print("\n" + line)
    for failure in failures[:show]:
        print("  FAIL " + failure)
    _REPORTED.append(line)


_REPORTED: list[str] = []


def pytest_terminal_summary(terminalreporter):  # shown after every run, even without -s
    for line in _REPORTED:
        terminalreporter.write_line(line)

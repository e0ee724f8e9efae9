"""Conformance tests read Kapacitor's answers from ../shared/conformance (or the folder named by
TICKPY_CONFORMANCE) and skip, with the reason, when it is absent (a user's fresh clone).

Each case is its own test, its id the case's (`pytest -k <id>` reruns one; characters -k does
not take, such as # or a space, become _); each also counts towards its set's line
"conformance SET: PASSED/TOTAL passed", printed at the end of the run."""

from __future__ import annotations

import os
import pathlib
import re
from collections.abc import Callable, Iterable

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def conformance_dir() -> pathlib.Path | None:
    override = os.environ.get("TICKPY_CONFORMANCE")
    folder = pathlib.Path(override) if override else ROOT.parent / "shared" / "conformance"
    return folder if folder.is_dir() else None


def _missing(name: str) -> str | None:
    """Why the conformance set `name` cannot be read, or None when it can."""
    base = conformance_dir()
    if base is None:
        return "conformance data not found: set TICKPY_CONFORMANCE or place it at ../shared/conformance"
    if not (base / name).exists():
        return f"conformance set {name!r} not found under {base}"
    return None


def require_set(name: str) -> pathlib.Path:
    """The folder of one conformance set, or skip the test saying why."""
    why = _missing(name)
    if why is not None:
        pytest.skip(why)
    return conformance_dir() / name


def case_params(name: str, cases: Callable[[pathlib.Path], Iterable[tuple[str, object]]]) -> list:
    """One pytest parameter per case of the set `name`: `cases(folder)` gives (id, case) pairs.
    Without the set, a single parameter skipped with the reason."""
    why = _missing(name)
    if why is not None:
        return [pytest.param(None, id=name, marks=pytest.mark.skip(reason=why))]
    folder = conformance_dir() / name
    params = [pytest.param(case, id=k_safe(case_id)) for case_id, case in cases(folder)]
    assert params, f"no cases found in conformance set {name!r} ({folder})"
    return params


def k_safe(case_id: str) -> str:
    """The case id as a test id `-k` can name: the characters its expressions do not take become _."""
    return re.sub(r"[^\w:+\-.\[\]\\/]", "_", case_id)


def case_folders(folder: pathlib.Path) -> list[pathlib.Path]:
    """The case folders of a set (those with Kapacitor's expected.json), in name order."""
    return sorted(p for p in folder.iterdir() if (p / "expected.json").exists())


# set name -> [passed, total], in the order the sets were first counted
_COUNTS: dict[str, list[int]] = {}


def count(set_name: str, ok: bool | None) -> None:
    """Count one case of `set_name` (a set, or one measure of it such as "define position");
    None: the measure does not apply to this case (its line still comes in this order)."""
    counts = _COUNTS.setdefault(set_name, [0, 0])
    if ok is not None:
        counts[0] += ok
        counts[1] += 1


def report(set_name: str, passed: int, total: int, failures: list[str], show: int = 15) -> None:
    """The counts of a set checked in one test; its failures are printed (visible with -s)."""
    print(f"\nconformance {set_name}: {passed}/{total} passed")
    for failure in failures[:show]:
        print("  FAIL " + failure)
    counts = _COUNTS.setdefault(set_name, [0, 0])
    counts[0] += passed
    counts[1] += total


def pytest_terminal_summary(terminalreporter):  # shown after every run, even without -s
    for set_name, (passed, total) in _COUNTS.items():
        terminalreporter.write_line(f"conformance {set_name}: {passed}/{total} passed")

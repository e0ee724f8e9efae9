"""Run one conformance case through parse + build_pipeline, the way `kapacitor define` would."""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

from tests.conformance.conftest import case_folders, case_params, count
from tickpy.check import build_pipeline
from tickpy.check.dot import to_dot
from tickpy.diagnostics import TickpyError
from tickpy.syntax import parse


@dataclass
class Outcome:
    ok: bool
    stage: str | None = None
    position: tuple[int, int] | None = None
    message: str | None = None
    dot: str | None = None


def run_case(folder: pathlib.Path) -> tuple[dict, Outcome]:
    expected = json.loads((folder / "expected.json").read_text())["define"]
    source = (folder / "script.tick").read_bytes().decode("utf-8", errors="replace")
    try:
        program = parse(source, str(folder / "script.tick"))
    except TickpyError as err:
        first = err.diagnostics[0]
        return expected, Outcome(False, "parse", (first.line, first.column), first.message)
    try:
        pipeline = build_pipeline(program, template=expected["command"] == "define-template")
    except TickpyError as err:
        first = err.diagnostics[0]
        return expected, Outcome(
            False, first.extra.get("stage"), (first.line, first.column), first.kapacitor_message or first.message
        )
    return expected, Outcome(True, dot=to_dot(pipeline))


def define_case_params(set_name: str) -> list:
    """One pytest parameter per case folder of a define-style set."""
    return case_params(set_name, lambda folder: ((case.name, case) for case in case_folders(folder)))


def check_define_case(folder: pathlib.Path, label: str) -> None:
    """One case: the same verdict as Kapacitor's define, and for a rejected script the same stage
    and error position; counted under "LABEL verdict", "LABEL position" and "LABEL stage"."""
    expected, got = run_case(folder)
    verdict = got.ok == expected["ok"]
    position = stage = None
    if verdict and not got.ok:
        stage = got.stage == expected.get("stage")
        if expected.get("error_pos"):
            position = got.position == (expected["error_pos"]["line"], expected["error_pos"]["char"])
    count(f"{label} verdict", verdict)
    count(f"{label} position", position)
    count(f"{label} stage", stage)
    name, error = folder.name, expected.get("error")
    assert verdict, f"{name}: verdict {got.ok}, Kapacitor {expected['ok']}: {error or got.message}"
    assert position is not False, f"{name}: position {got.position}, Kapacitor {expected['error_pos']}: {error}"
    assert stage is not False, f"{name}: stage {got.stage}, Kapacitor {expected.get('stage')}: {error}"

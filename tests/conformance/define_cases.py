"""Run one conformance case through parse + build_pipeline, the way `kapacitor define` would."""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

from tickpy.check import build_pipeline
from tickpy.check.dot import to_dot
from tickpy.diagnostics import TickpyError
from tickpy.syntax import parse

from tests.conformance.conftest import report, require_set


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


def score_define(set_folder: pathlib.Path):
    """(verdicts passed, positions passed, positions total, cases, failures, stages passed,
    stages total)."""
    verdicts = positions = positions_total = stages = stages_total = 0
    failures: list[str] = []
    cases = sorted(p for p in set_folder.iterdir() if (p / "expected.json").exists())
    for folder in cases:
        expected, got = run_case(folder)
        if got.ok != expected["ok"]:
            failures.append(f"{folder.name}: verdict {got.ok}, Kapacitor {expected['ok']}: {expected.get('error') or got.message}")
            continue
        verdicts += 1
        if not got.ok:
            stages_total += 1
            if got.stage == expected.get("stage"):
                stages += 1
            else:
                failures.append(f"{folder.name}: stage {got.stage}, Kapacitor {expected.get('stage')}: {expected['error']}")
        if not got.ok and expected.get("error_pos"):
            positions_total += 1
            want = (expected["error_pos"]["line"], expected["error_pos"]["char"])
            if got.position == want:
                positions += 1
            else:
                failures.append(f"{folder.name}: position {got.position}, Kapacitor {want}: {expected['error']}")
    return verdicts, positions, positions_total, len(cases), failures, stages, stages_total


def assert_define_conformance(set_name: str, label: str) -> None:
    """Score one conformance set, print its verdict/position/stage counts under `label`,
    and require them all (the same check for the scripts corpus and the mutants)."""
    verdicts, positions, positions_total, total, failures, stages, stages_total = score_define(require_set(set_name))
    report(f"{label} verdict", verdicts, total, failures)
    report(f"{label} position", positions, positions_total, [])
    report(f"{label} stage", stages, stages_total, [])
    assert verdicts == total
    assert positions == positions_total
    assert stages == stages_total

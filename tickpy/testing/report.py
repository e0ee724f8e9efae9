"""Test results as text (per case, with a diff per event and field), JSON, or JUnit XML."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

from tickpy.diagnostics import visible
from tickpy.golang.goformat import not_finite_text
from tickpy.testing.runner import ERROR, FAILED, PASSED, UPDATED, CaseResult

__all__ = ["failure_text", "junit_classname", "render_text", "render_json", "render_junit", "summary_line", "visible"]


def failure_text(result: CaseResult) -> str:
    """What went wrong in one case: one line per mismatch, then the run's notes."""
    lines: list[str] = []
    if result.status == ERROR:
        lines.extend(visible(line.rstrip("\r")) for line in result.error.rstrip("\n").split("\n") if result.error)
        lines = lines or ["error"]
    for mismatch in result.mismatches:
        lines.append(visible(mismatch.render()))
    if result.notes and result.status != PASSED:
        lines.append("during the run:")
        lines.extend("  " + visible(note) for note in result.notes[:20])
        if len(result.notes) > 20:
            lines.append(f"  ... and {len(result.notes) - 20} more")
    if result.status == FAILED:
        lines.extend(visible(line) for line in result.dump)
    return "\n".join(lines)


def summary_line(results: list[CaseResult], file_errors: list[str], seconds: float) -> str:
    counts = {status: sum(1 for r in results if r.status == status) for status in (PASSED, FAILED, ERROR)}
    parts = [f"{counts[PASSED]} passed"]
    updated = sum(1 for r in results if r.status == UPDATED)
    if updated:
        parts.append(f"{updated} updated")
    if counts[FAILED]:
        parts.append(f"{counts[FAILED]} failed")
    if counts[ERROR]:
        parts.append(f"{counts[ERROR]} error{'s' if counts[ERROR] != 1 else ''}")
    if file_errors:
        parts.append(f"{len(file_errors)} unreadable test file{'s' if len(file_errors) != 1 else ''}")
    return ", ".join(parts) + f" in {seconds:.2f}s"


def render_text(results: list[CaseResult], file_errors: list[str], seconds: float, quiet: bool = False) -> str:
    out: list[str] = []
    for message in file_errors:
        out.append(f"ERROR {visible(message, multiline=True)}")
    for result in results:
        tag = {PASSED: "PASS", FAILED: "FAIL", ERROR: "ERROR", UPDATED: "UPDATED"}[result.status]
        if result.status == PASSED and quiet:
            continue
        out.append(f"{tag} {visible(result.case.id)} ({result.seconds * 1000:.0f} ms)")
        if result.status in (FAILED, ERROR):
            out.extend("    " + line for line in failure_text(result).splitlines())
    out.append(summary_line(results, file_errors, seconds))
    return "\n".join(out) + "\n"


def render_json(results: list[CaseResult], file_errors: list[str], seconds: float,
                coverage: dict | None = None) -> str:
    cases = []
    for result in results:
        item = {"file": result.case.file, "name": result.case.name, "status": result.status,
                "seconds": round(result.seconds, 6), "format": result.case.format,
                "mismatches": [m.as_dict() for m in result.mismatches]}
        if result.error:
            item["error"] = result.error
        if result.notes:
            item["notes"] = result.notes
        if result.dump:
            item["state"] = result.dump
        cases.append(item)
    summary: dict[str, int | float] = {
        status: sum(1 for r in results if r.status == status) for status in (PASSED, FAILED, ERROR)
    }
    updated = sum(1 for r in results if r.status == UPDATED)
    if updated:
        summary[UPDATED] = updated
    summary["file_errors"] = len(file_errors)
    summary["seconds"] = round(seconds, 6)
    report = {"summary": summary, "cases": _finite(cases), "file_errors": file_errors}
    if coverage is not None:
        report["coverage"] = coverage
    return json.dumps(report, ensure_ascii=False, default=str, indent=2) + "\n"


def _finite(value):
    """The data with NaN and infinities as Go writes them ("NaN", "+Inf", "-Inf"): JSON has no
    such numbers (json.dumps would write the invalid NaN literal)."""
    if isinstance(value, float) and not math.isfinite(value):
        return not_finite_text(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def junit_classname(path: str) -> str:
    """A test file's JUnit classname: its path without the test-file suffix, folders joined by
    dots (`alerts/cpu.tickpy.yaml` -> `alerts.cpu`). Jenkins splits a classname at its last dot
    into package and class, so dots inside the file's own name become `_` (the whole name stays
    the class, `b.tickpy.yaml` is not package `b.tickpy`, class `yaml`); `.` and `..` steps are
    left out. GitLab shows the classname as it is."""
    text = path.replace("\\", "/")
    for suffix in (".tickpy.yaml", ".tickpy.yml", ".yaml", ".yml"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    parts = [part for part in text.split("/") if part not in ("", ".", "..")]
    if not parts:
        return "tickpy"
    return ".".join(parts[:-1] + [parts[-1].replace(".", "_")])


def render_junit(results: list[CaseResult], file_errors: list[str], seconds: float) -> str:
    """JUnit XML; every text in it goes through visible() (XML 1.0 cannot hold control characters)."""
    root = ET.Element("testsuites", name="tickpy test", tests=str(len(results) + len(file_errors)),
                      time=f"{seconds:.3f}")
    by_file: dict[str, list[CaseResult]] = {}
    for result in results:
        by_file.setdefault(result.case.file, []).append(result)
    totals = {"failures": 0, "errors": len(file_errors)}
    for file, items in by_file.items():
        failures = sum(1 for r in items if r.status == FAILED)
        errors = sum(1 for r in items if r.status == ERROR)
        totals["failures"] += failures
        totals["errors"] += errors
        suite = ET.SubElement(root, "testsuite", name=visible(file), tests=str(len(items)), failures=str(failures),
                              errors=str(errors), time=f"{sum(r.seconds for r in items):.3f}")
        classname = visible(junit_classname(file))
        for result in items:
            case = ET.SubElement(suite, "testcase", classname=classname, name=visible(result.case.name),
                                 time=f"{result.seconds:.3f}")
            text = failure_text(result)
            if result.status == FAILED:
                first = visible(result.mismatches[0].render()) if result.mismatches else "failed"
                ET.SubElement(case, "failure", message=first, type="mismatch").text = text
            elif result.status == ERROR:
                ET.SubElement(case, "error", message=text.split("\n", 1)[0], type="error").text = text
    if file_errors:
        suite = ET.SubElement(root, "testsuite", name="unreadable test files", tests=str(len(file_errors)),
                              failures="0", errors=str(len(file_errors)))
        for message in file_errors:
            shown = visible(message, multiline=True)
            case = ET.SubElement(suite, "testcase", classname="tickpy", name=shown.split(":", 1)[0])
            ET.SubElement(case, "error", message=shown, type="test-file").text = shown
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""Test results as text (per case, with a diff per event and field), JSON, or JUnit XML."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

from tickpy.testing.runner import ERROR, FAILED, PASSED, CaseResult

__all__ = ["failure_text", "render_text", "render_json", "render_junit", "summary_line"]


def failure_text(result: CaseResult) -> str:
    """What went wrong in one case: one line per mismatch, then the run's notes."""
    lines: list[str] = []
    if result.status == ERROR:
        lines.extend(result.error.splitlines() or ["error"])
    for mismatch in result.mismatches:
        lines.append(mismatch.render())
    if result.notes and result.status != PASSED:
        lines.append("during the run:")
        lines.extend("  " + note for note in result.notes[:20])
        if len(result.notes) > 20:
            lines.append(f"  ... and {len(result.notes) - 20} more")
    return "\n".join(lines)


def summary_line(results: list[CaseResult], file_errors: list[str], seconds: float) -> str:
    counts = {status: sum(1 for r in results if r.status == status) for status in (PASSED, FAILED, ERROR)}
    parts = [f"{counts[PASSED]} passed"]
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
        out.append(f"ERROR {message}")
    for result in results:
        tag = {PASSED: "PASS", FAILED: "FAIL", ERROR: "ERROR"}[result.status]
        if result.status == PASSED and quiet:
            continue
        out.append(f"{tag} {result.case.id} ({result.seconds * 1000:.0f} ms)")
        if result.status != PASSED:
            out.extend("    " + line for line in failure_text(result).splitlines())
    out.append(summary_line(results, file_errors, seconds))
    return "\n".join(out) + "\n"


def render_json(results: list[CaseResult], file_errors: list[str], seconds: float) -> str:
    cases = []
    for result in results:
        item = {"file": result.case.file, "name": result.case.name, "status": result.status,
                "seconds": round(result.seconds, 6), "format": result.case.format,
                "mismatches": [m.as_dict() for m in result.mismatches]}
        if result.error:
            item["error"] = result.error
        if result.notes:
            item["notes"] = result.notes
        cases.append(item)
    summary = {status: sum(1 for r in results if r.status == status) for status in (PASSED, FAILED, ERROR)}
    summary["file_errors"] = len(file_errors)
    summary["seconds"] = round(seconds, 6)
    report = {"summary": summary, "cases": _finite(cases), "file_errors": file_errors}
    return json.dumps(report, ensure_ascii=False, default=str, indent=2) + "\n"


def _finite(value):
    """The data with NaN and infinities as Go writes them ("NaN", "+Inf", "-Inf"): JSON has no
    such numbers (json.dumps would write the invalid NaN literal)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("+Inf" if value > 0 else "-Inf")
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def render_junit(results: list[CaseResult], file_errors: list[str], seconds: float) -> str:
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
        suite = ET.SubElement(root, "testsuite", name=file, tests=str(len(items)), failures=str(failures),
                              errors=str(errors), time=f"{sum(r.seconds for r in items):.3f}")
        for result in items:
            case = ET.SubElement(suite, "testcase", classname=file, name=result.case.name,
                                 time=f"{result.seconds:.3f}")
            if result.status == FAILED:
                first = result.mismatches[0].render() if result.mismatches else "failed"
                ET.SubElement(case, "failure", message=first, type="mismatch").text = failure_text(result)
            elif result.status == ERROR:
                first = (result.error.splitlines() or ["error"])[0]
                ET.SubElement(case, "error", message=first, type="error").text = failure_text(result)
    if file_errors:
        suite = ET.SubElement(root, "testsuite", name="unreadable test files", tests=str(len(file_errors)),
                              failures="0", errors=str(len(file_errors)))
        for message in file_errors:
            case = ET.SubElement(suite, "testcase", classname="tickpy", name=message.split(":", 1)[0])
            ET.SubElement(case, "error", message=message, type="test-file").text = message
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

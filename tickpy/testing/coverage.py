"""What the tests exercised of each script: `tickpy test --coverage`.

For every script the cases ran, the items a test can reach, each covered when some case
reached it:

- every node received data (points or batches);
- a `where` node's lambda was true for some point, and false for some point;
- an alert node reached each level it declares (`.info()`, `.warn()`, `.crit()`), recovered
  (an OK event, unless `.noRecoveries()`), and each reset it declares (`.critReset()` ...)
  brought its level down;
- each topic an alert node publishes to got an event, and each handler (the script's own and
  the handler files') received something.

    coverage_of(results) -> list[ScriptCoverage]     (ScriptCoverage.items, .covered, .total, .percent)
    render_coverage_text(coverages) / coverage_json(coverages)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tickpy.api import check
from tickpy.diagnostics import TickpyError
from tickpy.runtime.alert_event import LEVEL_RANK
from tickpy.testing.harness import ScriptRun, load_variables
from tickpy.testing.runner import CaseResult

__all__ = ["CoverageItem", "ScriptCoverage", "coverage_of", "render_coverage_text", "coverage_json"]

LEVEL_PROPERTIES = (("info", "INFO"), ("warn", "WARNING"), ("crit", "CRITICAL"))


@dataclass(slots=True)
class CoverageItem:
    node: str  # the node's label ("alert3"), or "" for a handler
    line: int  # where the script says it (0: not in the script, e.g. a handler file's handler)
    what: str  # what was to be reached, in words ("level CRITICAL")
    missed: str  # what not reaching it reads as ("never CRITICAL")
    covered: bool = False


@dataclass(slots=True)
class ScriptCoverage:
    script: str
    items: list[CoverageItem] = field(default_factory=list)
    cases: int = 0

    @property
    def covered(self) -> int:
        return sum(1 for item in self.items if item.covered)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0


def _node_items(pipeline) -> list[tuple[CoverageItem, str, object]]:
    """(item, rule, argument) for every coverable thing the script declares; `rule` tells
    `_reached` how to decide it from a run."""
    found: list[tuple[CoverageItem, str, object]] = []
    for node in pipeline.nodes:
        if node.type in ("StreamNode", "BatchNode"):
            continue
        line = node.span.line if node.span else 0
        found.append((CoverageItem(node.label, line, "received data", "received no data"), "data", None))
        if node.type == "WhereNode":
            found.append((CoverageItem(node.label, line, "lambda true", "lambda never true"), "true", None))
            found.append((CoverageItem(node.label, line, "lambda false", "lambda never false"), "false", None))
        if node.type != "AlertNode":
            continue
        declared = {call.name: call for call in node.properties}
        for name, level in LEVEL_PROPERTIES:
            call = declared.get(name)
            if call is not None:
                found.append((CoverageItem(node.label, call.span.line, f"level {level}", f"never {level}"),
                              "level", level))
        if "noRecoveries" not in declared:
            found.append((CoverageItem(node.label, line, "recovery (OK)", "never recovered (no OK event)"),
                          "level", "OK"))
        for name, level in LEVEL_PROPERTIES:
            call = declared.get(name + "Reset")
            if call is not None:
                found.append((CoverageItem(node.label, call.span.line, f"{name}Reset",
                                           f"{name}Reset never brought {level} down"), "reset", level))
        topic = declared.get("topic")
        if topic is not None and topic.args:
            found.append((CoverageItem(node.label, topic.span.line, f"topic {topic.args[0]}",
                                       f"topic {topic.args[0]} got no event"), "topic", topic.args[0]))
    return found


def _reached(rule: str, argument, node: str, run: ScriptRun) -> bool:
    stats = run.stats.get(node, {})
    if rule == "data":
        return bool(stats.get("points_in") or stats.get("batches_in"))
    if rule == "true":
        return bool(stats.get("points_out") or stats.get("batches_out"))
    if rule == "false":
        passed = stats.get("points_out", 0) + stats.get("batches_out", 0)
        return stats.get("points_in", 0) + stats.get("batches_in", 0) - stats.get("errors", 0) > passed
    events = [event for event in run.alerts if event.node == node]
    if rule == "level":
        return any(event.level == argument for event in events)
    if rule == "reset":
        rank = LEVEL_RANK[argument]
        return any(event.previous_level == argument and LEVEL_RANK[event.level] < rank for event in events)
    if rule == "topic":
        return any(event.topic == argument for event in events)
    raise ValueError(f"unknown coverage rule {rule!r}")


def coverage_of(results: list[CaseResult]) -> list[ScriptCoverage]:
    """The coverage of every script that some case ran (cases that could not run count for
    nothing), in the order the scripts first appear."""
    by_script: dict[str, ScriptCoverage] = {}
    rules: dict[str, list[tuple[CoverageItem, str, object]]] = {}
    for result in results:
        case, run = result.case, result.run
        if run is None or case.source is None:
            continue
        key = case.script_path
        if key not in by_script:
            try:
                pipeline = check(case.source, case.script_path, task_type=case.task_type,
                                 variables=load_variables(case.variables))
            except (TickpyError, ValueError, OSError):
                continue  # the case reported why it could not run
            rules[key] = _node_items(pipeline)
            by_script[key] = ScriptCoverage(key, [item for item, _, _ in rules[key]])
        coverage = by_script[key]
        coverage.cases += 1
        for item, rule, argument in rules[key]:
            if not item.covered:
                item.covered = _reached(rule, argument, item.node, run)
        known = {item.what for item in coverage.items if not item.node}
        for handler in run.handler_keys:
            what = f"handler {handler}"
            if what not in known:
                coverage.items.append(CoverageItem("", 0, what, f"handler {handler} received nothing"))
                known.add(what)
        for item in coverage.items:
            if not item.node and not item.covered:
                item.covered = bool(run.deliveries.get(item.what.removeprefix("handler ")))
    return list(by_script.values())


def _total(coverages: list[ScriptCoverage]) -> tuple[int, int, float]:
    covered = sum(c.covered for c in coverages)
    total = sum(c.total for c in coverages)
    return covered, total, (100.0 * covered / total if total else 100.0)


def render_coverage_text(coverages: list[ScriptCoverage]) -> str:
    """A line per script, then what its tests never reached, with the script's line."""
    if not coverages:
        return "coverage: no script ran\n"
    lines = []
    for coverage in coverages:
        lines.append(f"coverage {coverage.script}: {coverage.covered}/{coverage.total} "
                     f"({coverage.percent:.1f}%) over {coverage.cases} case{'s' if coverage.cases != 1 else ''}")
        for item in coverage.items:
            if not item.covered:
                where = f"{coverage.script}:{item.line}" if item.line else coverage.script
                lines.append(f"  not covered  {where}  {item.node + ': ' if item.node else ''}{item.missed}")
    covered, total, percent = _total(coverages)
    if len(coverages) > 1:
        lines.append(f"coverage: {covered}/{total} ({percent:.1f}%) over {len(coverages)} scripts")
    return "\n".join(lines) + "\n"


def coverage_json(coverages: list[ScriptCoverage]) -> dict:
    covered, total, percent = _total(coverages)
    return {
        "covered": covered, "total": total, "percent": round(percent, 2),
        "scripts": [{
            "script": c.script, "cases": c.cases, "covered": c.covered, "total": c.total,
            "percent": round(c.percent, 2),
            "items": [{"node": i.node, "line": i.line, "item": i.what, "covered": i.covered} for i in c.items],
        } for c in coverages],
    }

"""Running test cases: find test files, run each case, compare, and (for --update) build the
expectations a run would satisfy."""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from tickpy.diagnostics import TickpyError, render
from tickpy.testing.compare import (
    EVENT_KEYS,
    Mismatch,
    _match_delivery,
    _match_event,
    align,
    check_expectations,
    delivery_fields,
    event_fields,
)
from tickpy.testing.dump import state_dump
from tickpy.testing.harness import ScriptRun, run_script
from tickpy.testing.inputs import InputError, merge_by_time, points, series_points
from tickpy.testing.spec import TestCase, is_test_file, plain
from tickpy.testing.times import TimeFormatError, format_offset, parse_time_ns

__all__ = ["CaseResult", "find_test_files", "run_case", "observed_expectations", "PASSED", "FAILED", "ERROR",
           "UPDATED"]

PASSED, FAILED, ERROR = "passed", "failed", "error"
UPDATED = "updated"  # a failed case whose expect: `tickpy test --update` rewrote

DEFAULT_EVENT_KEYS = ("level", "id", "message", "time", "duration", "previousLevel", "tags", "fields")
DEFAULT_DELIVERY_KEYS = ("level", "id", "message", "time", "previousLevel")


@dataclass(slots=True, eq=False)
class CaseResult:
    case: TestCase
    status: str
    mismatches: list[Mismatch] = field(default_factory=list)
    error: str = ""  # why the case could not run
    notes: list[str] = field(default_factory=list)  # node errors, delivery problems: context for failures
    dump: list[str] = field(default_factory=list)  # a failed case's state dump (tickpy.testing.dump)
    seconds: float = 0.0
    run: ScriptRun | None = None

    @property
    def ok(self) -> bool:
        return self.status == PASSED


def find_test_files(paths) -> list[str]:
    """Test files under `paths`: folders are searched for *.tickpy.yaml / *.tickpy.yml; files
    named explicitly are taken whatever their name. FileNotFoundError for a missing path."""
    found: list[str] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found.extend(str(f) for f in sorted(p.rglob("*")) if f.is_file() and is_test_file(f.name))
        elif p.is_file():
            found.append(str(path))
        else:
            raise FileNotFoundError(str(path))
    seen: set[str] = set()
    unique: list[str] = []
    for f in found:
        absolute = os.path.abspath(f)
        if absolute not in seen:
            seen.add(absolute)
            unique.append(f)
    return unique


def _render_error(error: TickpyError, case: TestCase) -> str:
    own_render = getattr(error, "render", None)
    if callable(own_render):
        return own_render()
    lines = []
    for diagnostic in error.diagnostics:
        if diagnostic.code == "missing-var":  # the test file gives vars, not a --vars option
            name = diagnostic.message.split('"')[1] if '"' in diagnostic.message else "NAME"
            diagnostic = replace(diagnostic, hint=f"give it in the test's vars: {{{name}: {{type: ..., value: ...}}}} "
                                                  "(or the path of a -vars JSON file)")
        where = diagnostic.extra.get("path", case.script_path)
        lines.append(render(diagnostic, where, case.source if where == case.script_path else None))
    return "\n".join(lines)


def _handler_paths(case: TestCase, folder: str) -> list[str]:
    paths = []
    for index, handler in enumerate(case.handlers):
        if isinstance(handler, dict):
            spec_path = os.path.join(folder, f"handler{index}.yaml")
            with open(spec_path, "w", encoding="utf-8") as handle:
                yaml.safe_dump(plain(handler), handle, sort_keys=False)
            paths.append(spec_path)
        else:
            paths.append(handler)
    return paths


def _input_points(case: TestCase) -> list:
    write_start = case.write_start_ns
    if case.format == "kapacitor-unit":
        now = time.time_ns()
        write_start = now - now % 1_000_000
    loaded = points(case.points_text, start=case.start_ns, precision=case.precision, write_start=write_start,
                    source=case.points_source)
    loaded = merge_by_time(loaded, series_points(case.input_series, case.start_ns))
    if case.points_database:
        for point in loaded:
            point.database, point.retention_policy = case.points_database
    return loaded


def run_case(case: TestCase) -> CaseResult:
    """Run one case and compare what it produced with its expectations."""
    started = time.perf_counter()
    result = _run_case(case)
    result.seconds = time.perf_counter() - started
    return result


def _run_case(case: TestCase) -> CaseResult:
    if case.problem:
        return CaseResult(case, ERROR, error=case.problem)
    try:
        loaded = _input_points(case)
    except (InputError, TimeFormatError, ValueError) as error:
        return CaseResult(case, ERROR, error=f"bad input points: {error}")
    with tempfile.TemporaryDirectory(prefix="tickpy-test-handlers-") as folder:
        try:
            run = run_script(case.source or "", loaded, path=case.script_path, task_name=case.task_name,
                             dbrp=case.dbrp, handlers=_handler_paths(case, folder), config=case.config,
                             variables=case.variables, flush=case.flush, task_type=case.task_type,
                             clock_start=case.clock_start_ns, clock_until=case.clock_until_ns)
        except TickpyError as error:
            return CaseResult(case, ERROR, error=_render_error(error, case) + _task_type_hint(error, case))
        except (ValueError, OSError) as error:
            return CaseResult(case, ERROR, error=str(error))
    notes = [error.log_line(run.task_name) if hasattr(error, "log_line") else str(error) for error in run.node_errors]
    notes.extend(run.problems)
    if not case.expect:
        mismatch = Mismatch("expect", "", note="the case checks nothing: add `expect:` or run with --update")
        return CaseResult(case, FAILED, [mismatch], notes=notes, run=run)
    mismatches = check_expectations(case.expect, run, case.start_ns, case.relative_times)
    if mismatches and loaded:
        mismatches.extend(_unread_points(case, run))
    dump: list[str] = []
    if mismatches:
        with tempfile.TemporaryDirectory(prefix="tickpy-test-handlers-") as folder:
            try:
                dump = state_dump(case, loaded, mismatches, run, _handler_paths(case, folder))
            except (TickpyError, ValueError, OSError) as error:  # the run worked once: say why not twice
                dump = [f"(no state dump: {error})"]
    return CaseResult(case, FAILED if mismatches else PASSED, mismatches, notes=notes, run=run, dump=dump)


_SCRIPT_DBRP = re.compile(r'^\s*dbrp\s+"([^"\n]*)"\s*\.\s*"([^"\n]*)"', re.M)


def _unread_points(case: TestCase, run: ScriptRun) -> list[Mismatch]:
    """Why a case whose points all went to another database saw nothing (kapacitor-unit's `db`
    and `rp` against the script's `dbrp` line): otherwise the failure reads as a broken script."""
    if not case.points_database or not run.stats:
        return []
    root = next(iter(run.stats.values()))
    if root.get("points_out", 0) or not run.points_read:
        return []
    task_dbrps = [] if case.dbrp else _SCRIPT_DBRP.findall(case.source or "")  # case.dbrp: the test's own
    if not task_dbrps or tuple(case.points_database) in task_dbrps:
        return []
    script = ", ".join(f'"{db}"."{rp}"' for db, rp in task_dbrps)
    db, rp = case.points_database
    return [Mismatch("data", "", note=f'no point reached the task: the script\'s dbrp is {script}, the test\'s is '
                                      f'"{db}"."{rp}" (a task reads only the points written to its dbrp)')]


def _task_type_hint(error: TickpyError, case: TestCase) -> str:
    """A stream script run as `type: batch` (or the other way round) fails on its first word,
    `"stream" is not defined`: say what the test's `type` has to do with it."""
    if case.task_type not in ("stream", "batch"):
        return ""
    other = "batch" if case.task_type == "stream" else "stream"
    if not any(d.message.startswith(f'"{other}" is not defined') for d in getattr(error, "diagnostics", [])):
        return ""
    return (f"\nhint: the test says type: {case.task_type}, but the script is a {other} task (it starts with "
            f"{other}); give type: {other}")


# --------------------------------------------------------------------------- --update


def _keys_used(items, default: tuple[str, ...]) -> list[str]:
    used: list[str] = []
    for item in items or []:
        if isinstance(item, dict):
            used.extend(key for key in item if key not in used)
    return used or list(default)


def _rewritten_items(old_items: list[dict], observed: list[dict], default: tuple[str, ...], compare,
                     allowed: tuple[str, ...] | None = None) -> list[dict]:
    """The observed items (events, deliveries) written with the fields the old expectation
    checked: an observed item paired with an old one (as the diff pairs them) keeps that item's
    keys, and inside tags/fields only the names it gave (`fields: {used: 94}` becomes
    `fields: {used: 95.0}`, not every field); an extra item gets the keys all old items used."""
    shared_keys = _keys_used(old_items, default)
    shared_names: dict[str, list[str]] = {}  # tags/fields/...: the names any old item gave
    for item in old_items:
        for key, value in item.items():
            if isinstance(value, dict) and value:
                names = shared_names.setdefault(key, [])
                names.extend(str(name) for name in value if str(name) not in names)
    paired: dict[int, dict] = {}
    if old_items and observed:
        paired = {j: old_items[i] for i, j, _found in align(old_items, observed, compare)
                  if i is not None and j is not None}
    out = []
    for j, data in enumerate(observed):
        old_item = paired.get(j)
        keys = list(old_item) if old_item is not None else shared_keys
        item = {}
        for key in keys:
            if key not in data or (allowed is not None and key not in allowed):
                continue
            value = data[key]
            if isinstance(value, dict):
                named = old_item.get(key) if old_item is not None else None
                kept_names = [str(n) for n in named] if isinstance(named, dict) and named else shared_names.get(key)
                if kept_names:
                    value = {name: value[name] for name in kept_names if name in value}
            item[key] = _flow(value)
        out.append(item)
    return out


def _delivery_time(value, case: TestCase):
    if not case.relative_times:
        return value
    try:
        return format_offset(parse_time_ns(value), case.start_ns)
    except TimeFormatError:
        return value


def observed_expectations(case: TestCase, run: ScriptRun) -> dict:
    """The `expect:` mapping this run satisfies, with the sections (and event fields) the case
    already checks; a case that checks nothing gets alerts plus whatever else the run produced."""
    old = case.expect or {}
    sections = [key for key in ("alerts", "counts", "topics", "handlers", "httpOut", "httpPost", "influxDBOut")
                if key in old]
    if old.get("no_alerts") and "alerts" not in sections:
        sections.insert(0, "alerts")
    if not sections:
        sections = ["alerts"] + [key for key, present in (("handlers", run.deliveries), ("httpOut", run.httpout),
                                                          ("httpPost", run.http_posts),
                                                          ("influxDBOut", run.influxdb_lines)) if present]
    new: dict = {}
    for section in sections:
        if section == "alerts":
            old_events = [item for item in old.get("alerts") or [] if isinstance(item, dict)]
            observed = [event_fields(event, case.start_ns, case.relative_times) for event in run.alerts]

            def compare_event(i: int, j: int, old_events=old_events) -> list:
                return _match_event(old_events[i], run.alerts[j], "", case.start_ns, case.relative_times)

            new["alerts"] = _rewritten_items(old_events, observed, DEFAULT_EVENT_KEYS, compare_event,
                                             allowed=EVENT_KEYS)
        elif section == "topics":
            old_topics = old.get("topics")
            if not isinstance(old_topics, dict):
                old_topics = {}
            new["topics"] = {}
            # a topic the case did not check yet is written with the keys its other topics use
            checked_keys = tuple(_keys_used([item for items in old_topics.values() if isinstance(items, list)
                                             for item in items], DEFAULT_EVENT_KEYS))
            for topic in dict.fromkeys(event.topic for event in run.alerts if event.topic):
                events = [event for event in run.alerts if event.topic == topic]
                old_items = [item for item in old_topics.get(topic) or [] if isinstance(item, dict)]

                def compare_topic_event(i: int, j: int, old_items=old_items, events=events) -> list:
                    return _match_event(old_items[i], events[j], "", case.start_ns, case.relative_times)

                new["topics"][topic] = _rewritten_items(
                    old_items, [event_fields(event, case.start_ns, case.relative_times) for event in events],
                    checked_keys, compare_topic_event, allowed=EVENT_KEYS)
        elif section == "counts":
            new["counts"] = {level: count for level, count in run.counts().items() if count}
        elif section == "handlers":
            old_handlers = old.get("handlers")
            previous = old_handlers if isinstance(old_handlers, dict) else {}
            new["handlers"] = {}
            for key, deliveries in run.deliveries.items():
                old_items = [item for item in previous.get(key) or [] if isinstance(item, dict)]
                received = [delivery_fields(delivery) for delivery in deliveries]

                def compare_delivery(i: int, j: int, old_items=old_items, received=received) -> list:
                    return _match_delivery(old_items[i], received[j], "", case.start_ns, case.relative_times)

                items = _rewritten_items(old_items, received, DEFAULT_DELIVERY_KEYS, compare_delivery)
                for item in items:
                    if "time" in item:
                        item["time"] = _delivery_time(item["time"], case)
                new["handlers"][key] = items
        elif section == "httpOut":
            new["httpOut"] = dict(run.httpout)
        elif section == "httpPost":
            new["httpPost"] = {url: [d.alert for d in posted] for url, posted in run.http_posts.items()}
        elif section == "influxDBOut":
            new["influxDBOut"] = list(run.influxdb_lines)
    return new


class FlowMapping(dict):
    """A small mapping written on one line: `tags: {host: server02}`."""


def _flow(value):
    if isinstance(value, dict) and all(not isinstance(v, (dict, list)) for v in value.values()):
        return FlowMapping(value)
    return value


__all__ += ["FlowMapping"]

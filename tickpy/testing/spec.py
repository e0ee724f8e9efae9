"""Test files: tickpy's format and kapacitor-unit's, read into TestCases.

A tickpy test file is a YAML mapping. Settings at the top apply to every case, and a case may
override any of them:

    script: cpu_alert.tick          # path, relative to the test file  (or `tickscript: |` inline)
    vars: {crit: {type: float, value: 10}}   # template vars, `define -vars` shape (or a JSON path)
    dbrp: telegraf.autogen          # the task's dbrp (default: the script's dbrp statement)
    task: cpu_alert                 # task name (default: the script file's stem)
    handlers: [handlers/]           # topic handler files/folders, or inline handler specs
    config: kapacitor.conf          # Kapacitor configuration ([[httppost]] endpoints, ...)
    start: 2024-01-01T00:00:00Z     # what relative timestamps count from (default: the epoch)
    precision: ns                   # precision of absolute timestamps
    flush: false                    # close open windows at the end (not Kapacitor's behaviour)
    clock: {start: 0s, until: 10m}  # stats/deadman and barrier tick on from `start` to `until`, data or not
    tests:
      - name: server02 goes critical
        points: |                   # line protocol; or `points_file: cpu.lp`
          cpu,host=server02 usage_idle=50 0s
          cpu,host=server02 usage_idle=5 +10s
        input_series:               # and/or series in promtool's expanding notation
          - {measurement: cpu, tags: {host: a}, field: usage_idle, values: "50 40 5x3 _ 60+10x4", interval: 10s}
        expect: {...}               # see the expectations (tickpy.testing.compare)

Without `tests:` the file is one case (`points`/`expect` at the top). With `tests:`, top-level
`points`/`points_file`/`input_series` are the input of every case that gives none of them.

kapacitor-unit files (`tests:` items with `task_name`, `db`, `rp`, `type`, `data`, `expects`
with ok/warn/crit counts) are recognised and run the same way.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tickpy.alerting.handlerfile import parse_handler_text
from tickpy.datafiles import BoundedComposer
from tickpy.filenames import TEST_FILE_SUFFIXES, is_test_file
from tickpy.golang.goyaml import SafeLoader
from tickpy.testing.compare import EVENT_KEYS, LEVEL_ALIASES
from tickpy.testing.inputs import SeriesInput
from tickpy.testing.times import DEFAULT_START_NS, TimeFormatError, parse_duration_ns, parse_time_ns

__all__ = ["TestCase", "TestFileError", "load_test_file", "TEST_FILE_SUFFIXES", "is_test_file"]


SETTINGS = ("script", "tickscript", "vars", "dbrp", "task", "handlers", "config", "start", "precision", "flush",
            "type", "clock")
INPUT_KEYS = ("points", "points_file", "input_series")
CASE_KEYS = SETTINGS + ("name", "description") + INPUT_KEYS + ("expect",)
EXPECT_KEYS = ("alerts", "counts", "no_alerts", "topics", "handlers", "httpOut", "httpPost", "influxDBOut")


class TestFileError(Exception):
    """A test file that cannot be understood (bad YAML, unknown key, missing script...)."""

    __test__ = False  # not a pytest test class

    def __init__(self, path: str, message: str, line: int = 0):
        self.path = path
        self.line = line
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass(slots=True, eq=False)
class TestCase:
    __test__ = False  # not a pytest test class

    name: str
    file: str
    index: int  # position in the file's `tests` list (-1: the file is the case)
    line: int = 0
    format: str = "tickpy"  # or "kapacitor-unit"
    source: str | None = None  # the script text
    script_path: str = "<script>"  # for diagnostics and the default task name
    variables: Any = None
    dbrp: Any = None
    task_name: str | None = None
    task_type: str | None = None
    handlers: list = field(default_factory=list)  # paths or inline spec mappings
    config: Any = None
    start_ns: int = DEFAULT_START_NS
    precision: str = "ns"
    flush: bool = False
    # The data clock of the timer-driven nodes before the first point and after the last (ns).
    clock_start_ns: int | None = None
    clock_until_ns: int | None = None
    points_text: str = ""
    points_source: str = "<points>"
    input_series: list[SeriesInput] = field(default_factory=list)
    points_database: tuple[str, str] | None = None  # kapacitor-unit: the db/rp points are written to
    write_start_ns: int | None = None
    relative_times: bool = False  # write expectations as offsets from `start`
    expect: dict = field(default_factory=dict)
    problem: str = ""  # set when the case cannot run (reported as an error)

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"



class _Loader(BoundedComposer, SafeLoader):
    """Safe YAML (integers as yaml.v2 resolves them), within go-yaml's bounds on nesting and
    aliases (tickpy.datafiles), that remembers where each mapping starts (for error lines and
    --update)."""


def _construct_mapping(loader, node):
    mapping = loader.construct_mapping(node, deep=True)
    key_lines = {str(key.value): key.start_mark.line + 1 for key, _value in node.value
                 if isinstance(key, yaml.ScalarNode)}
    return _LineDict(mapping, node.start_mark.line + 1, key_lines)


class _LineDict(dict):
    __slots__ = ("line", "key_lines")

    def __init__(self, data, line: int, key_lines: dict | None = None):
        super().__init__(data)
        self.line = line
        self.key_lines = key_lines or {}


@dataclass(slots=True)
class _At:
    """A line to report a problem at (the line of one key of a mapping)."""

    line: int


def _key_at(mapping, key) -> _At | Any:
    line = getattr(mapping, "key_lines", {}).get(str(key))
    return _At(line) if line else mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def plain(value):
    """The same data with plain dicts (for writing it out again)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _line(value) -> int:
    return getattr(value, "line", 0)


def read_yaml(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TestFileError(path, f"cannot read: {getattr(error, 'strerror', None) or error}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        raise TestFileError(path, f"invalid YAML: {reason}", mark.line + 1 if mark else 0) from None


def load_test_file(path: str, scripts_dir: str | None = None) -> list[TestCase]:
    """The cases of one test file. Raises TestFileError when the file is malformed; a case
    that cannot run (its script is missing, ...) carries `problem` instead."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise TestFileError(path, "a test file is a YAML mapping (script:, tests:, ...)")
    if _is_kapacitor_unit(data):
        return _kapacitor_unit_cases(path, data, scripts_dir)
    unknown = [key for key in data if key not in CASE_KEYS + ("tests",)]
    if unknown:
        raise TestFileError(path, f"unknown key {unknown[0]!r} (known: {', '.join(CASE_KEYS + ('tests',))})",
                            _line(data))
    defaults = {key: data[key] for key in SETTINGS if key in data}
    if "tests" not in data:
        return [_case(path, data, defaults, -1, Path(path).name.split(".")[0])]
    tests = data["tests"]
    if not isinstance(tests, list) or not tests:
        raise TestFileError(path, "`tests` must be a non-empty list of cases", _line(data))
    if "expect" in data:
        raise TestFileError(path, "`expect` belongs to a case under `tests`, not at the top", _line(data))
    if "points" in data and "points_file" in data:
        raise TestFileError(path, "give `points` or `points_file`, not both", _line(data))
    cases = []
    for index, raw in enumerate(tests):
        if not isinstance(raw, dict):
            raise TestFileError(path, f"tests[{index}] must be a mapping", _line(tests))
        unknown = [key for key in raw if key not in CASE_KEYS]
        if unknown:
            raise TestFileError(path, f"tests[{index}]: unknown key {unknown[0]!r} (known: {', '.join(CASE_KEYS)})",
                                _line(raw))
        if not any(key in raw for key in INPUT_KEYS):
            # the file's input is the input of every case that gives none
            raw = _LineDict({**{k: data[k] for k in INPUT_KEYS if k in data}, **raw}, _line(raw))
        cases.append(_case(path, raw, defaults, index, f"case {index + 1}"))
    names = [case.name for case in cases]
    for name in names:
        if names.count(name) > 1:
            raise TestFileError(path, f"two cases are named {name!r}: names must be unique in a file")
    return cases


def _resolve(path: str, relative: str) -> str:
    relative = os.path.expanduser(str(relative))
    return relative if os.path.isabs(relative) else os.path.join(os.path.dirname(path) or ".", relative)


_RELATIVE_TOKEN = re.compile(r"\s[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+\s*$", re.M)


def _case(path: str, raw: dict, defaults: dict, index: int, default_name: str) -> TestCase:
    settings = {**defaults, **{k: v for k, v in raw.items() if k in SETTINGS}}
    case = TestCase(name=str(raw.get("name") or default_name), file=path, index=index, line=_line(raw))

    def bad(message: str) -> TestFileError:
        where = f"tests[{index}] ({case.name}): " if index >= 0 else ""
        return TestFileError(path, where + message, case.line)

    if "script" in raw and "tickscript" in raw or ("script" in defaults and "tickscript" in defaults):
        raise bad("give `script` (a path) or `tickscript` (inline), not both")
    problem = _setting_problem({**settings, **{k: raw[k] for k in ("points", "points_file") if k in raw}})
    if problem:
        raise bad(problem)
    chosen = raw if ("script" in raw or "tickscript" in raw) else defaults
    if "tickscript" in chosen:
        case.source = str(chosen["tickscript"])
        case.script_path = f"{path}:tickscript"
    elif "script" in chosen:
        script = _resolve(path, chosen["script"])
        case.script_path = script
        try:
            case.source = Path(script).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            case.problem = f"cannot read script {script}: {getattr(error, 'strerror', None) or error}"
    else:
        raise bad("no script: give `script: FILE.tick` or `tickscript: |` with the script")
    variables = settings.get("vars")
    case.variables = _resolve(path, variables) if isinstance(variables, str) else variables
    if variables is not None and not isinstance(variables, (str, dict)):
        raise bad("`vars` is a mapping of name -> {type, value}, or the path of a -vars JSON file")
    case.dbrp = settings.get("dbrp")
    case.task_name = str(settings["task"]) if settings.get("task") else None
    if case.task_name is None and "tickscript" in chosen:
        case.task_name = Path(path).name.split(".")[0] or "task"
    case.task_type = settings.get("type")
    handlers = settings.get("handlers") or []
    if isinstance(handlers, (str, dict)):
        handlers = [handlers]
    case.handlers = [h if isinstance(h, dict) else _resolve(path, h) for h in handlers]
    for number, handler in enumerate(h for h in handlers if isinstance(h, dict)):
        problem = _inline_handler_problem(handler)
        if problem:
            where = f"tests[{index}] ({case.name}): " if index >= 0 else ""
            raise TestFileError(path, f"{where}inline handler {number + 1}: {problem}", _line(handler) or case.line)
    config = settings.get("config")
    case.config = _resolve(path, config) if isinstance(config, str) else config
    try:
        case.start_ns = parse_time_ns(settings.get("start", DEFAULT_START_NS))
    except TimeFormatError as error:
        raise bad(f"start: {error}") from None
    case.precision = str(settings.get("precision", "ns"))
    clock = settings.get("clock")
    if clock is not None:
        if not isinstance(clock, dict) or not clock or any(key not in ("start", "until") for key in clock):
            raise bad("`clock` is {start: TIME, until: TIME}: where the clock of stats, deadman and barrier "
                      "stands before the first point, and how far it runs on after the last (durations from "
                      "`start`, or times)")
        try:
            case.clock_start_ns = parse_time_ns(clock.get("start", "0s"), case.start_ns)
            if "until" in clock:
                case.clock_until_ns = parse_time_ns(clock["until"], case.start_ns)
        except TimeFormatError as error:
            raise bad(f"clock: {error}") from None
    case.flush = bool(settings.get("flush", False))
    if "points" in raw and "points_file" in raw:
        raise bad("give `points` or `points_file`, not both")
    points = raw.get("points")
    if isinstance(points, list):
        points = "\n".join(str(line) for line in points)
    if points is not None:
        case.points_text = str(points)
        case.points_source = f"{path}:points"
    elif raw.get("points_file"):
        points_path = _resolve(path, raw["points_file"])
        case.points_source = points_path
        try:
            case.points_text = Path(points_path).read_text(encoding="utf-8", errors="surrogateescape")
        except OSError as error:
            case.problem = case.problem or f"cannot read points {points_path}: {error.strerror or error}"
    series_specs = raw.get("input_series") or []
    if not isinstance(series_specs, list):
        raise bad("`input_series` is a list of series: - {measurement: cpu, field: usage_idle, values: '50 40 5x3', "
                  "interval: 10s}")
    for number, spec in enumerate(series_specs):
        try:
            case.input_series.append(SeriesInput.from_spec(spec))
        except ValueError as error:
            where = f"tests[{index}] ({case.name}): " if index >= 0 else ""
            line = _line(spec) or getattr(raw, "key_lines", {}).get("input_series") or case.line
            raise TestFileError(path, f"{where}input_series[{number}]: {error}", line) from None
    case.relative_times = ("start" in settings or bool(case.input_series)
                           or bool(_RELATIVE_TOKEN.search(case.points_text)))
    expect = raw.get("expect")
    if expect is None:
        expect = {}
    if not isinstance(expect, dict):
        raise bad("`expect` must be a mapping (" + ", ".join(k + ":" for k in EXPECT_KEYS) + ")")
    unknown = [key for key in expect if key not in EXPECT_KEYS]
    if unknown:
        raise bad(f"expect: unknown key {unknown[0]!r} (known: {', '.join(EXPECT_KEYS)})")
    expect_problem = expectation_problem(expect)
    if expect_problem:
        message, value = expect_problem
        where = f"tests[{index}] ({case.name}): " if index >= 0 else ""
        raise TestFileError(path, where + message, _line(value) or _line(expect) or case.line)
    case.expect = dict(expect)
    return case


_LEVEL_NAMES = {"ok", "info", "warn", "warning", "crit", "critical"}
_PRECISIONS = ("ns", "us", "ms", "s", "m", "h")


def _inline_handler_problem(handler: dict) -> str | None:
    """The first error Kapacitor's define-topic-handler would report for an inline spec, or None."""

    _spec, diagnostics = parse_handler_text("inline.yaml", yaml.safe_dump(plain(handler), sort_keys=False))
    errors = [d for d in diagnostics if d.severity == "error"]
    if not errors:
        return None
    return errors[0].message + (f" ({errors[0].hint})" if errors[0].hint else "")


def _setting_problem(settings: dict) -> str | None:
    """What is malformed in a case's settings (types only; files are read later), or None."""
    def is_text(value) -> bool:
        return isinstance(value, str)

    for key in ("script", "tickscript", "points_file"):
        if key in settings and not is_text(settings[key]):
            return f"`{key}` must be text, got {_yaml_words(settings[key])}"
    points = settings.get("points")
    if points is not None and not (is_text(points) or isinstance(points, list)):
        return f"`points` is line protocol, a block of text or a list of lines, got {_yaml_words(points)}"
    handlers = settings.get("handlers")
    if handlers is not None and not isinstance(handlers, (str, dict, list)):
        return f"`handlers` is a list of handler files or folders (or inline handler specs), got {_yaml_words(handlers)}"
    for item in handlers if isinstance(handlers, list) else []:
        if not isinstance(item, (str, dict)):
            return f"`handlers`: each item is a file, a folder or an inline handler spec, got {_yaml_words(item)}"
    if "precision" in settings and settings["precision"] not in _PRECISIONS:
        return f"`precision` is one of {', '.join(_PRECISIONS)}, got {_yaml_words(settings['precision'])}"
    if "flush" in settings and type(settings["flush"]) is not bool:
        return f"`flush` must be true or false, got {_yaml_words(settings['flush'])}"
    if "type" in settings and settings["type"] not in ("stream", "batch"):
        return f"`type` is stream or batch, got {_yaml_words(settings['type'])}"
    if "task" in settings and not isinstance(settings["task"], (str, int)):
        return f"`task` is a task name, got {_yaml_words(settings['task'])}"
    dbrp = settings.get("dbrp")
    if dbrp is not None and not is_text(dbrp) and not (isinstance(dbrp, list) and len(dbrp) == 2):
        return f"`dbrp` is DB.RP (or [DB, RP]), got {_yaml_words(dbrp)}"
    config = settings.get("config")
    if config is not None and not isinstance(config, (str, dict)):
        return f"`config` is the path of a Kapacitor configuration (or a mapping), got {_yaml_words(config)}"
    return None


def _whole_number(value) -> bool:
    return type(value) is int and value >= 0


def expectation_problem(expect: dict) -> tuple[str, Any] | None:
    """What is malformed in an `expect:` mapping, and the value it is in (for its line), or None.
    Shapes only: whether the run matches is the comparison's business."""
    def mapping_of_lists(key: str, what: str):
        value = expect[key]
        if value is None:
            return None
        if not isinstance(value, dict):
            return f"expect.{key} must be a mapping of {what} to lists, got {_yaml_words(value)}", value
        for name, items in value.items():
            if items is not None and not isinstance(items, list):
                return f"expect.{key}[{name!r}] must be a list, got {_yaml_words(items)}", value
            for item in items or []:
                if not isinstance(item, dict):
                    return f"expect.{key}[{name!r}]: each item must be a mapping, got {_yaml_words(item)}", value
        return None

    if "alerts" in expect and expect["alerts"] is not None:
        alerts = expect["alerts"]
        if not isinstance(alerts, list):
            return f"expect.alerts must be a list of events ([] for none), got {_yaml_words(alerts)}", alerts
        for number, item in enumerate(alerts):
            if not isinstance(item, dict):
                return f"expect.alerts[{number}] must be a mapping (level:, time:, ...), got {_yaml_words(item)}", alerts
            problem = _expected_item_problem(item, f"expect.alerts[{number}]", event=True)
            if problem:
                return problem
    if "no_alerts" in expect and type(expect["no_alerts"]) is not bool:
        return f"expect.no_alerts must be true or false, got {_yaml_words(expect['no_alerts'])}", None
    if "counts" in expect and expect["counts"] is not None:
        counts = expect["counts"]
        if not isinstance(counts, dict):
            return f"expect.counts maps levels to numbers ({{CRITICAL: 2, OK: 1}}), got {_yaml_words(counts)}", counts
        named: dict[str, str] = {}
        for level, number in counts.items():
            if str(level).lower() not in _LEVEL_NAMES:
                return f"expect.counts: unknown level {level!r} (OK, INFO, WARNING, CRITICAL)", _key_at(counts, level)
            if number is not None and not _whole_number(number):
                return f"expect.counts.{level} must be a whole number, got {number!r}", _key_at(counts, level)
            meaning = LEVEL_ALIASES[str(level).lower()]
            if meaning in named:
                return (f"expect.counts: {named[meaning]} and {level} both given (both mean {meaning}): "
                        "name each level once", _key_at(counts, level))
            named[meaning] = str(level)
    if "topics" in expect:
        problem = mapping_of_lists("topics", "topic names")
        if problem:
            return problem
        for topic, items in (expect["topics"] or {}).items():
            for number, item in enumerate(items or []):
                problem = _expected_item_problem(item, f"expect.topics[{topic!r}][{number}]", event=True)
                if problem:
                    return problem
    if "handlers" in expect:
        problem = mapping_of_lists("handlers", "targets ('tcp 127.0.0.1:7777')")
        if problem:
            return problem
        for target, items in (expect["handlers"] or {}).items():
            for number, item in enumerate(items or []):
                problem = _expected_item_problem(item, f"expect.handlers[{target!r}][{number}]", event=False)
                if problem:
                    return problem
    if "httpOut" in expect and expect["httpOut"] is not None and not isinstance(expect["httpOut"], dict):
        return f"expect.httpOut maps endpoint names to results, got {_yaml_words(expect['httpOut'])}", None
    if "httpPost" in expect:
        problem = mapping_of_lists("httpPost", "URLs")
        if problem:
            return problem
    lines = expect.get("influxDBOut")
    if lines is not None and not isinstance(lines, (list, str)):
        return f"expect.influxDBOut is a list of lines or a block of text, got {_yaml_words(lines)}", None
    return None


def _expected_item_problem(item: dict, where: str, event: bool) -> tuple[str, Any] | None:
    """A typo in one expected event (or delivery): an unknown event field, a level that is no
    level, a time or duration that cannot be read. These are errors in the file (exit 2), not
    differences from the run: a check that can never pass is not a failing script."""
    for key, value in item.items():
        at = _key_at(item, key)
        if event and key not in EVENT_KEYS:
            return f"{where}: unknown event field {key!r} (known: {', '.join(EVENT_KEYS)})", at
        if key in ("level", "previousLevel") and str(value).lower() not in LEVEL_ALIASES:
            return f"{where}.{key}: unknown level {value!r} (OK, INFO, WARNING, CRITICAL)", at
        try:
            if key == "time":
                parse_time_ns(value)
            elif key == "duration":
                parse_duration_ns(value)
        except TimeFormatError as error:
            return f"{where}.{key}: {error}", at
        if event and key in ("tags", "fields") and not isinstance(value, dict):
            return f"{where}.{key} maps names to values ({key}: {{host: a}}), got {_yaml_words(value)}", at
    return None


def _yaml_words(value) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value} (a number)"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing (null)" if value is None else type(value).__name__


# --------------------------------------------------------------------------- kapacitor-unit


def _is_kapacitor_unit(data: dict) -> bool:
    tests = data.get("tests")
    if "script" in data or "tickscript" in data or not isinstance(tests, list) or not tests:
        return False
    return all(isinstance(t, dict) and ("task_name" in t or "task_id" in t or "expects" in t) for t in tests)


_KU_KEYS = ("name", "description", "task_name", "task_id", "db", "rp", "type", "data", "recording_id",
            "recordind_id", "expects", "clock")
_KU_COUNTS = ("ok", "warn", "crit")
# kapacitor-unit only sets a task's dbrp when its script has no dbrp statement of this shape.
_KU_DBRP = re.compile(r'(?m:^dbrp "\w+"\."\w+"$)')


def _kapacitor_unit_cases(path: str, data: dict, scripts_dir: str | None) -> list[TestCase]:
    cases = []
    for index, raw in enumerate(data["tests"]):
        name = str(raw.get("name") or f"test {index + 1}")
        case = TestCase(name=name, file=path, index=index, line=_line(raw), format="kapacitor-unit")
        unknown = [key for key in raw if key not in _KU_KEYS]
        if unknown:
            raise TestFileError(path, f"tests[{index}] ({name}): unknown kapacitor-unit key {unknown[0]!r}", case.line)
        task_file = str(raw.get("task_name") or raw.get("task_id") or "")
        if not task_file:
            raise TestFileError(path, f"tests[{index}] ({name}): task_name is missing", case.line)
        folder = scripts_dir if scripts_dir else (os.path.dirname(path) or ".")
        script = os.path.join(folder, task_file)
        if not os.path.exists(script) and not task_file.endswith(".tick") and os.path.exists(script + ".tick"):
            script += ".tick"
        case.script_path = script
        case.task_name = Path(task_file).stem if task_file.endswith(".tick") else task_file
        try:
            case.source = Path(script).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            where = "--dir" if scripts_dir else "the test file's folder"
            case.problem = (f"cannot read task {task_file!r} as {script} (looked in {where}): "
                            f"{getattr(error, 'strerror', None) or error}")
        case.task_type = raw.get("type") or "stream"
        if raw.get("recording_id") or raw.get("recordind_id"):
            case.problem = case.problem or "recording_id: replaying Kapacitor recordings is not supported; use data"
        db, rp = str(raw.get("db") or ""), str(raw.get("rp") or "")
        if db and rp:
            case.points_database = (db, rp)
            if case.source is not None and not _KU_DBRP.search(case.source):
                case.dbrp = (db, rp)
        data_lines = raw.get("data") or []
        if not isinstance(data_lines, list):
            raise TestFileError(path, f"tests[{index}] ({name}): data must be a list of line-protocol lines", case.line)
        case.points_text = "\n".join(str(line) for line in data_lines)
        case.points_source = f"{path}:tests[{index}].data"
        case.write_start_ns = None  # the wall clock when the case runs, as the writes would get
        expects = raw.get("expects") or {}
        if not isinstance(expects, dict):
            raise TestFileError(path, f"tests[{index}] ({name}): expects must map ok/warn/crit to counts", case.line)
        for key in _KU_COUNTS:
            if expects.get(key) is not None and not _whole_number(expects[key]):
                raise TestFileError(path, f"tests[{index}] ({name}): expects.{key} must be a whole number, "
                                          f"got {expects[key]!r}", _line(expects) or case.line)
        case.expect = {"triggered": {key: int(expects.get(key) or 0) for key in _KU_COUNTS}}
        cases.append(case)
    return cases

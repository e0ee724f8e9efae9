"""Kapacitor's stream integration cases (../shared/conformance/alerts), each written as a tickpy test
file and run by `tickpy.testing`: handler targets go to the test recorders, and the expectations
are Kapacitor's own results (every alert as its handler received it, or their number, and the
httpOut result). This checks the file format and the recorders end to end against Kapacitor."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conformance.conftest import report, require_set
from tickpy.testing import run_test_file

# Raise as tickpy improves; the goal is every case.
FLOOR = 58

# Targets the scripts name once placeholders are filled in; the recorders stand in for them.
TARGETS = {
    "{HTTP_PORT}": "9",
    "{TCP_PORT}": "9",
    "{LOG_PATH}": "/var/log/tickpy-conformance-1.log",
    "{LOG_PATH_2}": "/var/log/tickpy-conformance-2.log",
}


def _fill(data):
    if isinstance(data, str):
        for key, value in TARGETS.items():
            data = data.replace(key, value)
        return data
    if isinstance(data, list):
        return [_fill(item) for item in data]
    if isinstance(data, dict):
        return {key: _fill(value) for key, value in data.items()}
    return data


def _target_key(target: dict, config: dict) -> str:
    kind = target["type"]
    if kind == "post":
        return "post " + _fill(target.get("url_via_config") or target["url"])
    if kind == "tcp":
        return "tcp " + _fill(target["address"])
    return "log " + _fill(target["path"])


def case_file(case: Path, folder: Path) -> Path:
    """The tickpy test file that states what Kapacitor produced for `case`."""
    expected = json.loads((case / "expected.json").read_text())
    config = _fill(expected.get("config") or {})
    expect: dict = {}
    unchecked = set(expected.get("alerts_unchecked_fields") or [])
    for index, target in enumerate(expected.get("targets") or []):
        key = _target_key(target, config)
        count = target.get("alert_count", expected.get("alert_count"))
        if expected.get("alerts") is not None and index == 0:
            items = [{k: v for k, v in alert.items() if k not in unchecked} for alert in expected["alerts"]]
        else:
            items = [{} for _ in range(count)]  # only their number is known
        if target.get("expected_headers"):
            items = [dict(item, headers=target["expected_headers"]) for item in items]
        expect.setdefault("handlers", {})[key] = items
    if expected.get("handler") is None:
        expect["handlers"] = {}
    if expected.get("output_endpoint"):
        expect["httpOut"] = {expected["output_endpoint"]: expected["output"]}
    data = {
        "tickscript": _fill((case / "script.tick").read_text()),
        "dbrp": "dbname.rpname",
        "task": case.name,
        "points_file": str(case / "points.lp"),
        "expect": expect,
    }
    if config:
        data["config"] = config
    path = folder / f"{case.name}.tickpy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def test_kapacitor_cases_as_tickpy_test_files(tmp_path):
    folder = require_set("alerts")
    cases = sorted(p for p in folder.iterdir() if (p / "expected.json").is_file())
    passed = 0
    failures: list[str] = []
    for case in cases:
        (result,) = run_test_file(str(case_file(case, tmp_path)))
        if result.ok:
            passed += 1
        else:
            lines = [m.render() for m in result.mismatches[:5]] + ([result.error] if result.error else [])
            failures.append(f"{case.name}: " + "\n    ".join(line[:300] for line in lines))
    report("testing-format", passed, len(cases), failures)
    assert passed >= FLOOR

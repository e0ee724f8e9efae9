"""Template tasks run with the values of `kapacitor define -vars`: `tickpy run --vars FILE`
and `run_task(variables=...)` (a script with `var x type` declarations could not run)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from tests.conftest import CliResult, run_cli
from tickpy.api import run_task
from tickpy.check.inputs import load_vars
from tickpy.runtime.lineprotocol import read_points

SECOND = 1_000_000_000
USAGE = [(0, 50.0), (10, 95.0), (20, 99.0), (30, 10.0), (40, 10.0), (50, 10.0)]  # (seconds, usage)
POINTS = "".join(f"cpu usage={usage} {seconds * SECOND}\n" for seconds, usage in USAGE)
TEMPLATE = """var crit lambda
var period duration
var every = 10s
stream
    |from()
        .measurement('cpu')
    |window()
        .period(period)
        .every(every)
    |mean('usage')
    |alert()
        .crit(crit)
        .log('{log}')
"""


def window_mean(emit_seconds: int, period_seconds: int) -> float:
    """The mean a window emitted at `emit_seconds` holds: the points of [emit - period, emit)."""
    return statistics.mean(usage for seconds, usage in USAGE if emit_seconds - period_seconds <= seconds < emit_seconds)


def run_with_vars(tmp_path: Path, variables: dict) -> tuple[CliResult, list[dict]]:
    log = tmp_path / "alerts.log"
    script = tmp_path / "template.tick"
    script.write_text(TEMPLATE.format(log=log))
    points = tmp_path / "cpu.lp"
    points.write_text(POINTS)
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps(variables))
    result = run_cli("run", script, points, "--vars", vars_file)
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, events


def crit(expression: str, period: str) -> dict:
    return {"crit": {"type": "lambda", "value": expression}, "period": {"type": "duration", "value": period}}


def test_run_with_vars_fires_the_alerts_the_values_define(tmp_path):
    result, events = run_with_vars(tmp_path, crit('"mean" > 96', "20s"))
    assert result.returncode == 0, result.stderr
    assert [event["level"] for event in events] == ["CRITICAL", "OK"]
    critical = events[0]["data"]["series"][0]
    assert critical["values"][0][critical["columns"].index("mean")] == window_mean(30, 20)


def test_the_period_var_changes_the_windows(tmp_path):
    result, events = run_with_vars(tmp_path, crit('"mean" > 96', "10s"))
    assert result.returncode == 0, result.stderr
    critical = events[0]["data"]["series"][0]
    assert events[0]["level"] == "CRITICAL"
    assert critical["values"][0][critical["columns"].index("mean")] == window_mean(30, 10)


def test_a_crit_never_met_fires_nothing(tmp_path):
    threshold = max(window_mean(emit, 20) for emit in (10, 20, 30, 40, 50))
    result, events = run_with_vars(tmp_path, crit(f'"mean" > {threshold}', "20s"))
    assert result.returncode == 0, result.stderr
    assert events == []


def test_missing_and_malformed_vars_are_usage_errors(tmp_path, cli):
    script = tmp_path / "template.tick"
    script.write_text(TEMPLATE.format(log=tmp_path / "alerts.log"))
    points = tmp_path / "cpu.lp"
    points.write_text(POINTS)
    result = cli("run", script, points)
    assert result.returncode == 2
    assert 'template variable "crit" has no value' in result.stderr and "--vars" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"crit": 5}')
    result = cli("run", script, points, "--vars", bad)
    assert result.returncode == 2
    assert f"--vars {bad}: " in result.stderr and "Traceback" not in result.stderr


def test_run_task_takes_variables(tmp_path):
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps(crit('"mean" > 96', "20s")))
    source = TEMPLATE.format(log=tmp_path / "alerts.log")
    result = run_task(source, read_points(POINTS.encode().splitlines(keepends=True)), variables=load_vars(str(vars_file)))
    assert result.alert_counts == {"CRITICAL": 1, "OK": 1}

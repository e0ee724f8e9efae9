"""`tickpy test` on malformed expectations, RFC 3339 point times and its format help
(QA #4, #12, #13, #23)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliResult, run_cli

SCRIPT = "stream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 0)\n"


def run_test(tmp_path: Path, body: str, *args) -> CliResult:
    (tmp_path / "t.tick").write_text(SCRIPT)
    (tmp_path / "t.tickpy.yaml").write_text(body)
    return run_cli("test", "t.tickpy.yaml", *args, cwd=tmp_path)


def case(expect: str) -> str:
    return ("script: t.tick\ntests:\n  - name: a\n    points: \"cpu v=5 0s\"\n    expect:\n"
            + "".join(f"      {line}\n" for line in expect.splitlines()))


@pytest.mark.parametrize("expect, line, fragment", [
    ("counts: {CRITICAL: x}", 6, "expect.counts.CRITICAL must be a whole number, got 'x'"),
    ("counts: {CRITICAL: -1}", 6, "expect.counts.CRITICAL must be a whole number"),
    ("counts: {BAD: 1}", 6, "unknown level 'BAD'"),
    ("counts: 5", 6, "expect.counts maps levels to numbers"),
    ("alerts: 5", 6, "expect.alerts must be a list of events"),
    ("alerts: [5]", 6, "expect.alerts[0] must be a mapping"),
    ("handlers: 5", 6, "expect.handlers must be a mapping"),
    ("handlers: {tcp 127.0.0.1:1: 5}", 6, "must be a list"),
    ("httpOut: [1]", 6, "expect.httpOut maps endpoint names"),
    ("influxDBOut: 5", 6, "expect.influxDBOut is a list of lines"),
    ("no_alerts: maybe", 6, "expect.no_alerts must be true or false"),
])
def test_malformed_expectations_are_file_errors_with_a_line(tmp_path, expect, line, fragment):
    result = run_test(tmp_path, case(expect))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2, result.stdout
    assert f"t.tickpy.yaml:{line}: tests[0] (a): " in result.stdout
    assert fragment in result.stdout


def test_kapacitor_unit_counts_that_are_not_numbers_are_file_errors(tmp_path, cli):
    (tmp_path / "t.tick").write_text(SCRIPT)
    (tmp_path / "ku.yaml").write_text("tests:\n  - name: ku\n    task_name: t.tick\n    db: d\n    rp: r\n"
                                      "    type: stream\n    data: ['cpu v=5']\n    expects:\n      crit: x\n")
    result = cli("test", "ku.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr
    assert "ku.yaml:9: tests[0] (ku): expects.crit must be a whole number, got 'x'" in result.stdout


def test_well_formed_expectations_still_run(tmp_path):
    result = run_test(tmp_path, case("counts: {CRITICAL: 1}\nalerts: [{level: CRITICAL}]"))
    assert result.returncode == 0, result.stdout


def test_points_take_rfc3339_times(tmp_path):
    body = ("script: t.tick\ntests:\n  - name: rfc\n    points: |\n      cpu v=1 2024-01-01T00:00:30Z\n"
            "      cpu v=2 2024-01-01T01:00:31.5+01:00\n    expect:\n      alerts:\n"
            "        - {level: CRITICAL, time: 1704067230000000000}\n"
            "        - {level: CRITICAL, time: 1704067231500000000}\n")
    result = run_test(tmp_path, body)
    assert result.returncode == 0, result.stdout


def test_a_bad_point_time_says_which_forms_work(tmp_path):
    result = run_test(tmp_path, case("alerts: []").replace("cpu v=5 0s", "cpu v=5 2024-01-01"))
    assert result.returncode == 1
    assert "bad timestamp" in result.stdout and "RFC 3339 (2024-01-01T00:00:30Z)" in result.stdout


def test_help_points_to_a_format_the_user_has(cli):
    help_text = cli("test", "--help").stdout
    assert "--help-format" in help_text
    result = cli("test", "--help-format")
    assert result.returncode == 0
    for section in ("script:", "tests:", "Input points", "RFC 3339", "counts:", "handlers:", "httpOut:",
                    "influxDBOut:"):
        assert section in result.stdout


@pytest.mark.parametrize("setting, fragment", [
    ("handlers: 5", "`handlers` is a list of handler files or folders"),
    ("handlers: [5]", "`handlers`: each item is a file, a folder or an inline handler spec"),
    ("precision: 5", "`precision` is one of ns, us, ms, s, m, h"),
    ("flush: maybe", "`flush` must be true or false"),
    ("task: [a]", "`task` is a task name"),
    ("type: batchy", "`type` is stream or batch"),
    ("points_file: [a]", "`points_file` must be text"),
])
def test_malformed_settings_are_file_errors_with_a_line(tmp_path, setting, fragment):
    body = case("counts: {CRITICAL: 1}").replace("    points:", f"    {setting}\n    points:", 1)
    if setting.startswith("points_file"):
        body = body.replace('    points: "cpu v=5 0s"\n', "")
    result = run_test(tmp_path, body)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2, result.stdout
    assert "t.tickpy.yaml:3: tests[0] (a): " + fragment in result.stdout


def test_malformed_inline_handler_is_a_file_error_at_its_line(tmp_path):
    body = case("counts: {CRITICAL: 1}").replace(
        "    points:", "    handlers:\n      - {id: h, topic: t, kind: tcp, options: {address: 5}}\n    points:", 1)
    result = run_test(tmp_path, body)
    assert result.returncode == 2, result.stdout
    assert ("t.tickpy.yaml:5: tests[0] (a): inline handler 1: options: 'address' must be a string, "
            "got a whole number") in result.stdout
    assert "tickpy-test-handlers-" not in result.stdout  # not a temporary file's name


def test_paths_that_are_not_test_files_say_why(cli):
    missing = cli("test", "/no/such/place")
    device = cli("test", "/dev/null")
    assert missing.returncode == device.returncode == 2
    assert "no such file or directory: /no/such/place" in missing.stderr
    assert "not a test file or a folder: /dev/null" in device.stderr

"""NaN field values (QA #2): stddev of a one-point group is NaN (InfluxDB's reducer), so it
reaches log(), httpOut, influxDBOut and alert handlers in normal use. Kapacitor's strconv writes
NaN in log lines; its json.Marshal refuses it (httpOut answers HTTP 500 with the error, alert
handlers log "failed to marshal alert data json" and send nothing). A real TCP listener."""

from __future__ import annotations

import json
from pathlib import Path

from tests.alerting.servers import TCPSink
from tests.conftest import CliResult, run_cli

# Each emit of stream stddev comes when the group's time changes: every emitted window holds
# one point, so every value is NaN.
POINTS = "cpu,host=a value=1 0\ncpu,host=a value=2 1000000000\ncpu,host=a value=2 2000000000\n"
STDDEV = "stream|from().measurement('cpu').groupBy('host')|stddev('value')"


def run(tmp_path: Path, script: str, *args) -> CliResult:
    (tmp_path / "t.tick").write_text(script + "\n")
    (tmp_path / "p.lp").write_text(POINTS)
    return run_cli("run", "t.tick", "p.lp", *args, cwd=tmp_path)


def no_crash(result: CliResult) -> None:
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert result.returncode != 70


def test_log_node_writes_nan_as_go_does(tmp_path):
    result = run(tmp_path, STDDEV + "|log()")
    no_crash(result)
    assert result.returncode == 0
    lines = [line for line in result.stderr.splitlines() if "msg=point" in line]
    assert len(lines) == 2
    assert all(" field_stddev=NaN " in line for line in lines)


def test_httpout_with_nan_writes_kapacitors_500_body_and_fails(tmp_path):
    result = run(tmp_path, STDDEV + "|httpOut('o')", "--httpout-dir", "out")
    no_crash(result)
    assert result.returncode == 1
    assert "httpOut('o')" in result.stderr and "json: unsupported value: NaN" in result.stderr
    body = json.loads((tmp_path / "out" / "o.json").read_text())
    assert body == {"error": "json: unsupported value: NaN", "message": "json: unsupported value: NaN"}


def test_influxdbout_writes_nan_as_the_line_protocol_encoder_does(tmp_path):
    result = run(tmp_path, STDDEV + "|influxDBOut().database('db').measurement('m')")
    no_crash(result)
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["m,host=a stddev=NaN 0", "m,host=a stddev=NaN 1000000000"]


def test_alert_with_nan_data_is_counted_not_sent(tmp_path):
    sink = TCPSink()
    try:
        result = run(tmp_path, STDDEV + f"|alert().crit(lambda: TRUE).tcp('{sink.address}').slack()",
                     "--dead-letter", "dead.jsonl", "--capture", "captured.jsonl")
        no_crash(result)
        assert result.returncode == 1  # undelivered alerts
        assert "2 alerts (2 CRITICAL)" in result.stderr
        assert "failed to marshal alert data json: json: unsupported value: NaN" in result.stderr
        dead = [json.loads(line) for line in (tmp_path / "dead.jsonl").read_text().splitlines()]
        assert [record["kind"] for record in dead] == ["tcp", "tcp"]
        captured = [json.loads(line) for line in (tmp_path / "captured.jsonl").read_text().splitlines()]
        assert len(captured) == 2 and all("NaN" in record["alert_error"] for record in captured)
        assert sink.wait_for(1, timeout=0.5) == []  # nothing reached the listener
    finally:
        sink.close()


def test_tickpy_test_reports_the_httpout_error_body(tmp_path, cli):
    (tmp_path / "t.tick").write_text(STDDEV + "|httpOut('o')\n")
    (tmp_path / "t.tickpy.yaml").write_text(
        "script: t.tick\ntests:\n  - name: nan\n    points: |\n"
        + "".join(f"      {line}\n" for line in POINTS.splitlines())
        + "    expect:\n      httpOut:\n        o: {series: []}\n")
    result = cli("test", "t.tickpy.yaml", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output
    assert result.returncode == 1  # the case fails: the answer is the error, not series
    assert "unsupported value: NaN" in output


def _alert_case(tmp_path: Path, expect: str) -> Path:
    (tmp_path / "t.tick").write_text(STDDEV + "|alert().crit(lambda: TRUE)\n")
    path = tmp_path / "t.tickpy.yaml"
    path.write_text("script: t.tick\ntests:\n  - name: nan\n    points: |\n"
                    + "".join(f"      {line}\n" for line in POINTS.splitlines()) + "    expect:\n" + expect)
    return path


def _tickpy_test(tmp_path: Path, *args) -> CliResult:
    return run_cli("test", "t.tickpy.yaml", *args, cwd=tmp_path)


def test_tickpy_test_golden_nan_fields_pass_after_update(tmp_path):
    path = _alert_case(tmp_path, "      alerts: [{level: CRITICAL, fields: {stddev: 1}}, {level: CRITICAL}]\n")
    assert _tickpy_test(tmp_path).returncode == 1
    assert _tickpy_test(tmp_path, "--update").returncode == 0
    assert ".nan" in path.read_text()  # YAML's NaN
    assert _tickpy_test(tmp_path).returncode == 0  # NaN matches NaN


def test_tickpy_test_takes_go_spelling_of_nan(tmp_path):
    _alert_case(tmp_path, "      alerts: [{fields: {stddev: NaN}}, {fields: {stddev: NaN}}]\n")
    assert _tickpy_test(tmp_path).returncode == 0


def test_tickpy_test_json_report_stays_json_with_nan(tmp_path):
    _alert_case(tmp_path, "      alerts: [{fields: {stddev: 1}}, {fields: {stddev: 1}}]\n")
    result = _tickpy_test(tmp_path, "--format", "json")
    assert result.returncode == 1

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    report = json.loads(result.stdout, parse_constant=refuse)
    assert [m["got"] for m in report["cases"][0]["mismatches"]] == ["NaN", "NaN"]

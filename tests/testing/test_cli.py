"""`tickpy test` as a user runs it."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from tests.conftest import CliResult, run_cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def tickpy(*args) -> CliResult:
    return run_cli("test", *args)


def copy_samples(tmp_path) -> Path:
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    return target


def test_samples_pass():
    done = tickpy(SAMPLES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failed" not in done.stdout and " passed in " in done.stdout


def test_a_broken_expectation_fails_with_a_diff_naming_event_and_field(tmp_path):
    samples = copy_samples(tmp_path)
    path = samples / "tcp-cpu-alert.tickpy.yaml"
    data = yaml.safe_load(path.read_text())
    case = next(c for c in data["tests"] if c["name"] == "a dip below 10 goes critical, then recovers")
    case["expect"]["alerts"][1]["previousLevel"] = "WARNING"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    done = tickpy(samples)
    assert done.returncode == 1
    assert "FAIL " in done.stdout and "a dip below 10 goes critical, then recovers" in done.stdout
    assert 'alerts[1] (OK cpu:nil at 20s, host=a): previousLevel: expected "WARNING", got "CRITICAL"' in done.stdout


def test_json_and_junit_reports(tmp_path):
    samples = copy_samples(tmp_path)
    path = samples / "cpu_alert.tickpy.yaml"
    path.write_text(path.read_text().replace("counts: {crit: 2, ok: 1}", "counts: {crit: 1, ok: 1}"))
    done = tickpy(samples, "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    failed = [c for c in report["cases"] if c["status"] == "failed"]
    assert [c["name"] for c in failed] == ["publish forwards only WARNING and worse to topic ops"]
    assert failed[0]["mismatches"][0] == {"where": "counts", "field": "CRITICAL", "label": "", "expected": 1,
                                          "got": 2}
    assert report["summary"]["failed"] == 1 and report["summary"]["passed"] >= 5
    done = tickpy(samples, "--format", "junit")
    root = ET.fromstring(done.stdout)
    assert root.get("failures") == "1"
    failures = root.findall(".//testcase/failure")
    assert len(failures) == 1 and "counts: CRITICAL: expected 1, got 2" in failures[0].get("message")


def test_usage_errors_exit_2(tmp_path):
    assert tickpy().returncode == 2
    assert tickpy(tmp_path / "nope").returncode == 2
    empty = tickpy(tmp_path)
    assert empty.returncode == 2 and "no test files" in empty.stderr
    (tmp_path / "bad.tickpy.yaml").write_text("script: x.tick\nbogus: 1\n")
    bad = tickpy(tmp_path)
    assert bad.returncode == 2 and "unknown key 'bogus'" in bad.stdout
    assert tickpy(SAMPLES, "--format", "xml").returncode == 2


def test_script_error_fails_the_case_exit_1(tmp_path):
    (tmp_path / "t.tickpy.yaml").write_text("tickscript: \"stream\\n  |from()\\n  |bogus()\\n\"\n"
                                            "points: cpu v=1 0s\nexpect: {no_alerts: true}\n")
    done = tickpy(tmp_path)
    assert done.returncode == 1 and "ERROR " in done.stdout and "bogus" in done.stdout


def test_keyword_selects_cases():
    done = tickpy(SAMPLES, "-k", "publish")
    assert done.returncode == 0 and done.stdout.count("PASS ") == 1


def test_kapacitor_unit_file_with_dir_flag(tmp_path):
    (tmp_path / "ticks").mkdir()
    (tmp_path / "ticks" / "alert_weather.tick").write_text(
        "stream\n  |from()\n    .measurement('weather')\n  |alert()\n    .warn(lambda: \"temperature\" > 80)\n")
    (tmp_path / "test_case.yaml").write_text(
        "tests:\n  - name: warns\n    task_name: alert_weather.tick\n    db: weather\n    rp: default\n"
        "    type: stream\n    data:\n      - weather,location=us temperature=75\n"
        "      - weather,location=us temperature=82\n    expects:\n      ok: 0\n      warn: 1\n      crit: 0\n")
    done = tickpy("--dir", tmp_path / "ticks", "--tests", tmp_path / "test_case.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    (tmp_path / "test_case.yaml").write_text((tmp_path / "test_case.yaml").read_text().replace("warn: 1", "warn: 2"))
    done = tickpy("--dir", tmp_path / "ticks", tmp_path / "test_case.yaml")
    assert done.returncode == 1 and "expects: warn: expected 2, got 1" in done.stdout


def test_update_writes_golden_expectations_and_keeps_comments(tmp_path):
    shutil.copy(SAMPLES / "tcp-cpu-alert.tick", tmp_path)
    path = tmp_path / "golden.tickpy.yaml"
    path.write_text("# keep me\nscript: tcp-cpu-alert.tick\ntests:\n  - name: dip\n    points: |\n"
                    "      cpu,host=a usage_idle=50 0s\n      cpu,host=a usage_idle=5 10s\n"
                    "    # and me\n  - name: counted\n    points: cpu,host=a usage_idle=1 0s\n"
                    "    expect:  # counts only\n      counts: {OK: 3}\n")
    first = tickpy(path)
    assert first.returncode == 1
    updated = tickpy(path, "--update")
    assert updated.returncode == 0 and "updated" in updated.stderr
    text = path.read_text()
    assert "# keep me" in text and "# and me" in text and "# counts only" in text
    data = yaml.safe_load(text)
    dip, counted = data["tests"]
    assert [(e["level"], e["time"], e["tags"]) for e in dip["expect"]["alerts"]] == [("CRITICAL", "10s", {"host": "a"})]
    assert [d["level"] for d in dip["expect"]["handlers"]["tcp 127.0.0.1:7777"]] == ["CRITICAL"]
    assert counted["expect"] == {"counts": {"CRITICAL": 1}}
    again = tickpy(path)
    assert again.returncode == 0, again.stdout


def test_update_reports_the_rewritten_cases_as_updated_not_failed(tmp_path):
    shutil.copy(SAMPLES / "tcp-cpu-alert.tick", tmp_path)
    path = tmp_path / "golden.tickpy.yaml"
    path.write_text("script: tcp-cpu-alert.tick\ntests:\n  - name: dip\n    points: cpu,host=a usage_idle=5 0s\n"
                    "  - name: counted\n    points: cpu,host=a usage_idle=1 0s\n    expect:\n"
                    "      counts: {CRITICAL: 1}\n")
    updated = tickpy(path, "--update")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    lines = updated.stdout.splitlines()
    assert lines[0].startswith(f"UPDATED {path}::dip (") and lines[1].startswith(f"PASS {path}::counted (")
    assert "FAIL" not in updated.stdout
    assert lines[2].startswith("1 passed, 1 updated in ")
    path.write_text(path.read_text().replace("CRITICAL: 1", "CRITICAL: 2"))
    as_json = json.loads(tickpy(path, "--update", "--format", "json").stdout)
    assert [case["status"] for case in as_json["cases"]] == ["passed", "updated"]
    assert as_json["summary"]["updated"] == 1 and as_json["summary"]["failed"] == 0


def test_update_still_fails_a_case_that_could_not_run(tmp_path):
    path = tmp_path / "broken.tickpy.yaml"
    path.write_text("script: |\n  stream\n      |from()\n      |nosuchnode()\ntests:\n  - name: any\n"
                    "    points: cpu usage=1 0s\n")
    updated = tickpy(path, "--update")
    assert updated.returncode == 1
    assert updated.stdout.startswith(f"ERROR {path}::any (")

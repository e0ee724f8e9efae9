"""--update rewrites only the expect: blocks, keeps comments, and the result passes."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tickpy.testing import run_test_file
from tickpy.testing.runner import observed_expectations
from tickpy.testing.update import update_file

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _update(path: Path) -> None:
    results = run_test_file(str(path))
    update_file(str(path), {r.case.index: observed_expectations(r.case, r.run) for r in results if not r.ok})


def test_single_case_file_with_a_flow_expect_and_comments(tmp_path):
    shutil.copy(SAMPLES / "tcp-cpu-alert.tick", tmp_path)
    path = tmp_path / "one.tickpy.yaml"
    path.write_text("# header\nscript: tcp-cpu-alert.tick\npoints: |\n  cpu,host=x usage_idle=1 0s\n"
                    "expect: {no_alerts: true}   # was wrong\n# footer\n")
    _update(path)
    text = path.read_text()
    assert text.startswith("# header\n") and text.endswith("# footer\n")
    assert "expect:  # was wrong\n" in text
    data = yaml.safe_load(text)
    assert [(e["level"], e["tags"], e["fields"]) for e in data["expect"]["alerts"]] == [
        ("CRITICAL", {"host": "x"}, {"usage_idle": 1.0})]
    assert all(r.ok for r in run_test_file(str(path)))


def test_update_keeps_the_fields_a_case_names(tmp_path):
    shutil.copy(SAMPLES / "tcp-cpu-alert.tick", tmp_path)
    path = tmp_path / "narrow.tickpy.yaml"
    path.write_text("script: tcp-cpu-alert.tick\ntests:\n  - name: narrow\n    points: |\n"
                    "      cpu usage_idle=1 0s\n      cpu usage_idle=50 10s\n"
                    "    expect:\n      alerts:\n        - {level: WARNING, time: 0s}\n"
                    "  - name: untouched\n    points: cpu usage_idle=50 0s\n    expect: {no_alerts: true}\n")
    _update(path)
    data = yaml.safe_load(path.read_text())
    assert data["tests"][0]["expect"] == {"alerts": [{"level": "CRITICAL", "time": "0s"},
                                                     {"level": "OK", "time": "10s"}]}
    assert data["tests"][1]["expect"] == {"no_alerts": True}
    assert all(r.ok for r in run_test_file(str(path)))


def test_absolute_times_are_written_as_rfc3339(tmp_path):
    shutil.copy(SAMPLES / "tcp-cpu-alert.tick", tmp_path)
    path = tmp_path / "abs.tickpy.yaml"
    path.write_text("script: tcp-cpu-alert.tick\npoints: cpu usage_idle=1 1700000000500000000\n"
                    "expect:\n  alerts: [{time: 0}]\n")
    _update(path)
    data = yaml.safe_load(path.read_text())
    assert data["expect"]["alerts"] == [{"time": "2023-11-14T22:13:20.5Z"}]


def test_update_writes_only_the_tags_and_fields_a_case_named(tmp_path):
    # QA pass 2, item 15: `fields: {used: 94}` came back as every field, tag-only cases with every tag
    (tmp_path / "s.tick").write_text(
        "stream|from().measurement('cpu').groupBy('host')|eval(lambda: 100.0 - \"idle\").as('used').keep()"
        "|alert().crit(lambda: \"used\" > 90).id('cpu:{{ index .Tags \"host\" }}')\n")
    path = tmp_path / "u.tickpy.yaml"
    path.write_text("script: s.tick\npoints: |\n  cpu,host=b,dc=x idle=5 10s\n  cpu,host=b,dc=x idle=50 30s\n"
                    "tests:\n"
                    "  - name: fields\n    expect:\n      alerts:\n"
                    "        - {level: WARNING, time: 15s, fields: {used: 94}}\n"
                    "        - {level: OK, time: 30s, duration: 10s}\n"
                    "  - name: tags\n    expect:\n      alerts:\n        - {tags: {host: c}}\n")
    _update(path)
    text = path.read_text()
    data = yaml.safe_load(text)
    assert data["tests"][0]["expect"]["alerts"] == [
        {"level": "CRITICAL", "time": "10s", "fields": {"used": 95.0}},      # its own keys, one field
        {"level": "OK", "time": "30s", "duration": "20s"},
    ]
    # the second event was not listed: it gets the keys the case uses, and only the tag named
    assert data["tests"][1]["expect"]["alerts"] == [{"tags": {"host": "b"}}, {"tags": {"host": "b"}}]
    assert "      alerts:\n        - " in text  # the list indented under its key, as it was written
    assert all(r.ok for r in run_test_file(str(path)))

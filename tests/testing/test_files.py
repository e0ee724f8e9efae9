"""Test files: loading, running cases, and the diff a failing case shows."""

from __future__ import annotations

import textwrap

import pytest

from tickpy.testing import run_test_file
from tickpy.testing.spec import TestFileError, load_test_file

SCRIPT = """\
stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |alert()
    .warn(lambda: "usage_idle" < 30)
    .crit(lambda: "usage_idle" < 10)
    .id('cpu-{{ index .Tags "host" }}')
    .message('{{ .ID }} is {{ .Level }}')
    .tcp('127.0.0.1:9999')
"""


def write(tmp_path, text: str, name: str = "cpu.tickpy.yaml"):
    (tmp_path / "cpu.tick").write_text(SCRIPT)
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


POINTS = """\
            points: |
              cpu,host=a usage_idle=50 0s
              cpu,host=b usage_idle=20 0s
              cpu,host=a usage_idle=5 10s
              cpu,host=b usage_idle=40 10s
"""


def test_passing_case_with_every_kind_of_expectation(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        start: 2024-01-01T00:00:00Z
        tests:
          - name: b warns and recovers, a goes critical
""" + POINTS + """\
            expect:
              alerts:
                - {level: WARNING, id: cpu-b, message: cpu-b is WARNING, time: 0s, tags: {host: b}}
                - level: CRITICAL
                  id: cpu-a
                  time: 2024-01-01T00:00:10Z
                  previousLevel: OK
                  duration: 0s
                  fields: {usage_idle: 5}
                - {level: OK, id: cpu-b, time: 10s, duration: 10s, previousLevel: WARNING}
              counts: {warn: 1, crit: 1, ok: 1}
              handlers:
                tcp 127.0.0.1:9999:
                  - {level: WARNING, id: cpu-b, time: 0s, tags: {host: b}, fields: {usage_idle: 20}}
                  - {level: CRITICAL, id: cpu-a}
                  - {level: OK, id: cpu-b, duration: 10s}
        """)
    (result,) = run_test_file(path)
    assert result.status == "passed", [m.render() for m in result.mismatches]


def test_failure_names_the_event_and_the_field(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        tests:
          - name: wrong level
""" + POINTS + """\
            expect:
              alerts:
                - {level: WARNING, id: cpu-b}
                - {level: WARNING, id: cpu-a, fields: {usage_idle: 6}}
                - {level: OK}
        """)
    (result,) = run_test_file(path)
    assert result.status == "failed"
    rendered = [m.render() for m in result.mismatches]
    assert rendered == [
        'alerts[1] (CRITICAL cpu-a at 10s, host=a): level: expected "WARNING", got "CRITICAL"',
        'alerts[1] (CRITICAL cpu-a at 10s, host=a): fields.usage_idle: expected 6, got 5.0',
    ]


def test_missing_and_unexpected_events_and_deliveries(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        tests:
          - name: too few
""" + POINTS + """\
            expect:
              alerts:
                - {level: WARNING}
              counts: {WARNING: 2}
              handlers:
                tcp 127.0.0.1:1: []
        """)
    (result,) = run_test_file(path)
    rendered = "\n".join(m.render() for m in result.mismatches)
    assert "alerts: expected 1 event, got 3" in rendered
    assert "alerts (event #1 of the run: CRITICAL cpu-a at 10s, host=a): unexpected event" in rendered
    assert "counts: WARNING: expected 2, got 1" in rendered
    assert "counts: CRITICAL: expected 0, got 1" in rendered
    assert "handlers['tcp 127.0.0.1:9999']: received 3 alerts but the test does not name this target" in rendered


def test_an_extra_event_is_reported_alone_not_as_a_shifted_cascade(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        tests:
          - name: one event forgotten
""" + POINTS + """\
            expect:
              alerts:
                - {level: WARNING, id: cpu-b, time: 0s}
                - {level: OK, id: cpu-b, time: 10s}
              handlers:
                tcp 127.0.0.1:9999:
                  - {level: WARNING, id: cpu-b}
                  - {level: OK, id: cpu-b}
        """)
    (result,) = run_test_file(path)
    assert [m.render() for m in result.mismatches] == [
        "alerts: expected 2 events, got 3",
        "alerts (event #1 of the run: CRITICAL cpu-a at 10s, host=a): unexpected event (not in the expected list)",
        "handlers['tcp 127.0.0.1:9999']: expected 2 deliveries, got 3",
        "handlers['tcp 127.0.0.1:9999'] (delivery #1: CRITICAL cpu-a at 10s): unexpected delivery",
    ]


def test_a_missing_event_is_named_with_what_was_expected(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        tests:
          - name: one event too many
""" + POINTS + """\
            expect:
              alerts:
                - {level: WARNING, id: cpu-b}
                - {level: CRITICAL, id: cpu-a}
                - {level: CRITICAL, id: cpu-c}
                - {level: OK, id: cpu-b}
        """)
    (result,) = run_test_file(path)
    assert [m.render() for m in result.mismatches] == [
        "alerts: expected 4 events, got 3",
        'alerts[2]: expected event {"level": "CRITICAL", "id": "cpu-c"}, got no such event',
    ]


def test_no_alerts(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        points: cpu,host=a usage_idle=90 0s
        tests:
          - name: healthy
            expect: {no_alerts: true, handlers: {}}
          - name: healthy too
            expect: {alerts: []}
        """)
    assert [r.status for r in run_test_file(path)] == ["passed", "passed"]


def test_inline_script_vars_and_inline_handler(tmp_path):
    path = write(tmp_path, """\
        tickscript: |
          var limit = 10
          stream
            |from()
              .measurement('cpu')
            |alert()
              .crit(lambda: "usage_idle" < limit)
              .topic('cpu')
        vars:
          limit: {type: int, value: 60}
        handlers:
          - {id: to-log, topic: cpu, kind: log, options: {path: /var/log/cpu-alerts.log}}
        points: cpu,host=a usage_idle=50 0s
        expect:
          alerts: [{level: CRITICAL, id: "cpu:nil", topic: cpu, task: cpu}]
          handlers:
            log /var/log/cpu-alerts.log: [{level: CRITICAL, id: "cpu:nil"}]
        """)
    (result,) = run_test_file(path)
    assert result.status == "passed", [m.render() for m in result.mismatches] + [result.error]


def test_script_error_is_a_case_error_with_the_position(tmp_path):
    path = write(tmp_path, """\
        tickscript: |
          stream
            |from()
              .measurment('cpu')
        points: cpu v=1 0s
        expect: {no_alerts: true}
        """)
    (result,) = run_test_file(path)
    assert result.status == "error"
    assert ":3:" in result.error and "measurment" in result.error


def test_bad_points_are_a_case_error(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        points: "cpu,host=a usage_idle= 0s"
        expect: {no_alerts: true}
        """)
    (result,) = run_test_file(path)
    assert result.status == "error" and "bad input points" in result.error and ":points:1:" in result.error


@pytest.mark.parametrize("text, message", [
    ("script: cpu.tick\nexpcet: {}\n", "unknown key 'expcet'"),
    ("points: cpu v=1\n", "no script"),
    ("script: cpu.tick\ntests:\n  - name: a\n    expect: {alert: []}\n", "expect: unknown key 'alert'"),
    ("script: cpu.tick\ntests:\n  - name: a\n  - name: a\n", "two cases are named 'a'"),
    ("script: [unclosed\n", "invalid YAML"),
    ("- just a list\n", "a test file is a YAML mapping"),
])
def test_malformed_files(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(TestFileError) as caught:
        load_test_file(path)
    assert message in str(caught.value)


def test_points_file_and_file_level_points(tmp_path):
    (tmp_path / "in.lp").write_text("cpu,host=a usage_idle=5 1700000000000000000\n")
    path = write(tmp_path, """\
        script: cpu.tick
        points: cpu,host=a usage_idle=25 0s
        tests:
          - name: from the file
            points_file: in.lp
            expect: {alerts: [{level: CRITICAL, time: 2023-11-14T22:13:20Z}]}
          - name: from the top
            expect: {alerts: [{level: WARNING, time: 1970-01-01T00:00:00Z}]}
        """)
    assert [r.status for r in run_test_file(path)] == ["passed", "passed"]


# --------------------------------------------------------------------------- kapacitor-unit

WEATHER = """\
stream
  |from()
    .measurement('weather')
  |alert()
    .warn(lambda: "temperature" > 80)
    .crit(lambda: "temperature" > 90)
"""

KU_FILE = """\
tests:
  - name: "Alert weather:: warning"
    description: warns above 80
    task_name: alert_weather.tick
    db: weather
    rp: default
    type: stream
    data:
      - weather,location=us-midwest temperature=75
      - weather,location=us-midwest temperature=82
    expects:
      ok: 0
      warn: 1
      crit: 0
  - name: "Alert weather:: critical, critical, ok"
    task_name: alert_weather.tick
    db: weather
    rp: default
    type: stream
    data:
      - weather,location=us-midwest temperature=95
      - weather,location=us-midwest temperature=99
      - weather,location=us-midwest temperature=70
    expects:
      ok: 1
      warn: 0
      crit: 2
"""


def test_kapacitor_unit_file_with_scripts_dir(tmp_path):
    (tmp_path / "ticks").mkdir()
    (tmp_path / "ticks" / "alert_weather.tick").write_text(WEATHER)
    (tmp_path / "weather_test.yaml").write_text(KU_FILE)
    results = run_test_file(str(tmp_path / "weather_test.yaml"), str(tmp_path / "ticks"))
    assert [r.case.format for r in results] == ["kapacitor-unit"] * 2
    assert [r.status for r in results] == ["passed", "passed"], [m.render() for r in results for m in r.mismatches]
    # lines without a timestamp were written one after another
    times = [a.time_ns for a in results[1].run.alerts]
    assert times == sorted(times) and len(set(times)) == 3


def test_kapacitor_unit_counts_are_checked(tmp_path):
    (tmp_path / "alert_weather.tick").write_text(WEATHER)
    (tmp_path / "weather_test.yaml").write_text(KU_FILE.replace("crit: 2", "crit: 3"))
    results = run_test_file(str(tmp_path / "weather_test.yaml"))
    assert [r.status for r in results] == ["passed", "failed"]
    assert [m.render() for m in results[1].mismatches][0] == "expects: crit: expected 3, got 2"


def test_kapacitor_unit_dbrp_in_the_script_is_kept(tmp_path):
    # kapacitor-unit gives the task the test's db/rp only when the script has no dbrp; here the
    # data goes to weather.default while the task reads weather.autogen, so nothing triggers.
    (tmp_path / "alert_weather.tick").write_text('dbrp "weather"."autogen"\n\n' + WEATHER)
    (tmp_path / "weather_test.yaml").write_text(KU_FILE)
    results = run_test_file(str(tmp_path / "weather_test.yaml"))
    assert [r.status for r in results] == ["failed", "failed"]
    assert all(r.run.alerts == [] for r in results)


def test_kapacitor_unit_missing_task_is_an_error(tmp_path):
    (tmp_path / "weather_test.yaml").write_text(KU_FILE)
    results = run_test_file(str(tmp_path / "weather_test.yaml"))
    assert [r.status for r in results] == ["error", "error"]
    assert "alert_weather.tick" in results[0].error


def test_http_post_expectations(tmp_path):
    path = write(tmp_path, """\
        tickscript: |
          stream
            |from()
              .measurement('cpu')
            |httpPost('http://collector.example.com/in')
        points: cpu,host=a usage_idle=50 0s
        tests:
          - name: right
            expect:
              httpPost:
                http://collector.example.com/in:
                  - series: [{name: cpu, values: [[1970-01-01T00:00:00Z, 50]]}]
          - name: wrong
            expect:
              httpPost:
                http://collector.example.com/in:
                  - series: [{name: mem}]
        """)
    right, wrong = run_test_file(path)
    assert right.ok, [m.render() for m in right.mismatches]
    assert [m.render() for m in wrong.mismatches] == [
        "httpPost['http://collector.example.com/in']: [0].series[0].name: expected \"mem\", got \"cpu\""]

"""`input_series` in test files: promtool's expanding notation beside line protocol."""

from __future__ import annotations

import re
import textwrap

import pytest

from tickpy.testing import run_test_file
from tickpy.testing.inputs import expand_values, merge_by_time, points
from tickpy.testing.spec import TestFileError, load_test_file

S = 1_000_000_000

SCRIPT = """\
stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |alert()
    .warn(lambda: "usage_idle" < 30)
    .crit(lambda: "usage_idle" < 10)
    .id('cpu-{{ index .Tags "host" }}')
    .tcp('127.0.0.1:9999')
"""


def write(tmp_path, text: str) -> str:
    (tmp_path / "cpu.tick").write_text(SCRIPT)
    path = tmp_path / "cpu.tickpy.yaml"
    path.write_text(textwrap.dedent(text))
    return str(path)


# The examples of promtool's documentation (Prometheus, "Unit testing for rules").
@pytest.mark.parametrize("text, samples", [
    ("-2+4x3", [-2, 2, 6, 10]),
    ("1-2x4", [1, -1, -3, -5, -7]),
    ("1x4", [1, 1, 1, 1, 1]),
    ("1 _x3", [1, None, None, None]),
    ("50 40 5x3 _ 60+10x4", [50, 40, 5, 5, 5, 5, None, 60, 70, 80, 90, 100]),
    ("1.5e1 -.5", [15, -0.5]),
])
def test_promtool_expanding_notation(text, samples):
    assert expand_values(text) == samples


@pytest.mark.parametrize("text, words", [
    ("1 stale", "staleness"),
    ("1 2y3", "cannot read '2y3'"),
    ("1+x3", "cannot read '1+x3'"),
])
def test_what_the_notation_cannot_say_is_named(text, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        expand_values(text)


def test_a_series_runs_as_the_same_points_written_as_line_protocol(tmp_path):
    series_case = write(tmp_path, """\
        script: cpu.tick
        input_series:
          - {measurement: cpu, tags: {host: a}, field: usage_idle, values: "50 25 5x1 _ 40", interval: 10s}
        expect:
          alerts:
            - {level: WARNING, id: cpu-a, time: 10s}
            - {level: CRITICAL, id: cpu-a, time: 20s, previousLevel: WARNING}
            - {level: CRITICAL, id: cpu-a, time: 30s}
            - {level: OK, id: cpu-a, time: 50s, previousLevel: CRITICAL}
        """)
    (result,) = run_test_file(series_case)
    assert result.status == "passed", [m.render() for m in result.mismatches]
    written = tmp_path / "written.tickpy.yaml"
    written.write_text(textwrap.dedent("""\
        script: cpu.tick
        points: |
          cpu,host=a usage_idle=50 0s
          cpu,host=a usage_idle=25 10s
          cpu,host=a usage_idle=5 20s
          cpu,host=a usage_idle=5 30s
          cpu,host=a usage_idle=40 50s
        """) + "expect:" + series_case_expect(series_case))
    (same,) = run_test_file(str(written))
    assert same.status == "passed", [m.render() for m in same.mismatches]


def series_case_expect(path: str) -> str:
    text = open(path).read()
    return text.split("expect:", 1)[1]


def test_series_and_line_protocol_mix_in_time_order(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        start: 2024-01-01T00:00:00Z
        points: |
          cpu,host=b usage_idle=20 5s
          cpu,host=b usage_idle=50 15s
        input_series:
          - {measurement: cpu, tags: {host: a}, field: usage_idle, values: "5 50", interval: 10s}
        expect:
          alerts:
            - {level: CRITICAL, id: cpu-a, time: 0s}
            - {level: WARNING, id: cpu-b, time: 5s}
            - {level: OK, id: cpu-a, time: 10s}
            - {level: OK, id: cpu-b, time: 15s}
        """)
    (result,) = run_test_file(path)
    assert result.status == "passed", [m.render() for m in result.mismatches]


def test_merge_keeps_the_order_lines_were_written_in():
    written = points("cpu v=1 30s\ncpu v=2 10s\ncpu v=3 40s")
    generated = points("gen v=10 0s\ngen v=20 20s\ngen v=25 30s\ngen v=30 35s\ngen v=40 50s")
    merged = merge_by_time(written, generated)
    assert [(p.name, p.time // S) for p in merged] == [
        ("gen", 0), ("gen", 20), ("cpu", 30), ("cpu", 10), ("gen", 30), ("gen", 35), ("cpu", 40), ("gen", 50)]


def test_integer_series_start_offset_and_file_level_series(tmp_path):
    path = write(tmp_path, """\
        script: cpu.tick
        input_series:
          - {measurement: cpu, tags: {host: a}, field: usage_idle, values: "20 5", interval: 1m, start: 30s,
             type: integer}
        tests:
          - name: inherits the file's series
            expect:
              alerts:
                - {level: WARNING, id: cpu-a, time: 30s, fields: {usage_idle: 20}}
                - {level: CRITICAL, id: cpu-a, time: 1m30s, fields: {usage_idle: 5}}
          - name: gives its own
            input_series:
              - {measurement: cpu, tags: {host: z}, field: usage_idle, values: "50x2"}
            expect:
              no_alerts: true
        """)
    cases = load_test_file(path)
    (first_point,) = cases[0].input_series[0].points(0)[:1]
    assert first_point.fields == {"usage_idle": 20} and isinstance(first_point.fields["usage_idle"], int)
    assert [r.status for r in run_test_file(path)] == ["passed", "passed"]


@pytest.mark.parametrize("entry, message", [
    ("{measurement: cpu, values: '1 stale'}", "input_series[0]: `stale` marks a Prometheus staleness sample"),
    ("{measurement: cpu, values: '1 2', colour: red}", "input_series[0]: unknown key 'colour'"),
    ("{values: '1 2'}", "input_series[0]: `measurement` is required"),
    ("{measurement: cpu, values: '1.5', type: integer}", "type integer: 1.5 is not a whole number"),
    ("{measurement: cpu, values: '1', interval: 0s}", "`interval` must be a positive duration"),
    ("{measurement: cpu, values: '1', interval: soon}", "input_series[0]"),
    ("cpu 1 2 3", "input_series[0]: an input_series entry is a mapping"),
])
def test_malformed_series_name_the_entry_and_its_line(tmp_path, entry, message):
    path = write(tmp_path, f"""\
        script: cpu.tick
        input_series:
          - {entry}
        """)
    with pytest.raises(TestFileError, match=re.escape(message)) as caught:
        load_test_file(path)
    assert caught.value.line in (2, 3)

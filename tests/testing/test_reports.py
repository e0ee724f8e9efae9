"""What `tickpy test` reports: control characters escaped in every format, JUnit classnames,
diff alignment, and the wording of counts (QA pass 2: items 3, 7, 17, 18)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import CliResult, run_cli
from tickpy.testing import run_test_file
from tickpy.testing.report import failure_text, junit_classname

TICKPY = str(Path(sys.executable).parent / "tickpy")

CONTROL_CASE = """\
tests:
  - name: "ctrl \\e[31m red"
    tickscript: |
      stream|from().measurement('cpu')|alert().crit(lambda: "x" > 0).message('{{ index .Tags "t" }}')
    points: "cpu,t=a\\x01b x=1 0s"
    expect: {alerts: [{message: "nope"}]}
"""


def tickpy_test(*args, cwd=None) -> CliResult:
    return run_cli("test", *args, cwd=cwd)


def test_junit_report_with_control_characters_is_well_formed_xml(tmp_path):
    (tmp_path / "c.tickpy.yaml").write_text(CONTROL_CASE)
    report = tmp_path / "c.xml"
    done = tickpy_test("c.tickpy.yaml", "--format", "junit", "-o", report, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    root = ET.parse(report).getroot()  # raised ParseError when ESC and \x01 were written raw
    case = root.find(".//testcase")
    assert case.get("name") == "ctrl \\x1b[31m red"
    assert "t=a\\x01b" in case.find("failure").get("message")
    assert "\x1b" not in report.read_text() and "\x01" not in report.read_text()


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script(1) for a terminal")
def test_text_report_escapes_control_characters_even_on_a_terminal(tmp_path):
    (tmp_path / "c.tickpy.yaml").write_text(CONTROL_CASE)
    # `script` gives a real process a terminal, where click would not strip the escape sequence
    done = subprocess.run(["script", "-qec", f"{TICKPY} test c.tickpy.yaml", "/dev/null"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert "ctrl \\x1b[31m red" in done.stdout
    assert "t=a\\x01b" in done.stdout
    assert "\x1b" not in done.stdout and "\x01" not in done.stdout


def test_failure_text_escapes_bidi_and_c1_controls(tmp_path):
    path = tmp_path / "b.tickpy.yaml"
    path.write_text(textwrap.dedent("""\
        tickscript: |
          stream|from().measurement('cpu')|alert().crit(lambda: "x" > 0).message('{{ index .Tags "t" }}')
        points: "cpu,t=a\\u202eb\\x9bc x=1 0s"
        expect: {alerts: [{message: "nope"}]}
    """))
    [result] = run_test_file(str(path))
    text = failure_text(result)
    assert "\u202e" not in text and "\x9b" not in text
    assert "a\\u202eb\\x9bc" in text


def test_junit_classname_has_no_suffix_dots():
    assert junit_classname("b.tickpy.yaml") == "b"
    assert junit_classname("alerts/cpu.tickpy.yml") == "alerts.cpu"
    assert junit_classname("./ci/tests/disk.v2.tickpy.yaml") == "ci.tests.disk_v2"
    assert junit_classname("../ku/test_case.yaml") == "ku.test_case"


def test_junit_report_uses_the_classname(tmp_path):
    folder = tmp_path / "alerts"
    folder.mkdir()
    (folder / "cpu.tickpy.yaml").write_text(CONTROL_CASE.replace("ctrl \\e[31m red", "plain"))
    done = tickpy_test("alerts", "--format", "junit", cwd=tmp_path)
    case = ET.fromstring(done.stdout).find(".//testcase")
    assert case.get("classname") == "alerts.cpu"


def run_alerts(tmp_path, expect: str):
    path = tmp_path / "a.tickpy.yaml"
    path.write_text(textwrap.dedent("""\
        tickscript: |
          stream|from().measurement('cpu').groupBy('host')
            |alert().crit(lambda: "usage" > 90).id('cpu:{{ index .Tags "host" }}')
        points: |
          cpu,host=b usage=95 10s
          cpu,host=b usage=50 30s
        expect:
    """) + textwrap.indent(textwrap.dedent(expect), "  "))
    [result] = run_test_file(str(path))
    # the differences, without the state dump that follows them (tests/testing/test_state_dump.py)
    lines = failure_text(result).splitlines()
    return result, lines[:len(lines) - len(result.dump)]


def test_equally_good_candidates_pair_by_position(tmp_path):
    # expected[1] matches both run events: pairing it with the first left expected[0] "missing"
    # and the second event "unexpected", when really one event's tags differ.
    result, lines = run_alerts(tmp_path, """\
        alerts: [{tags: {host: c, dc: x}}, {tags: {host: b}}]
    """)
    assert lines == [
        'alerts[0] (CRITICAL cpu:b at 10s, host=b): tags.host: expected "c", got "b"',
        'alerts[0] (CRITICAL cpu:b at 10s, host=b): tags.dc: expected "x", got no such tag',
    ]


def test_a_mostly_matching_event_is_paired_not_missing(tmp_path):
    # the one expected event agrees with the second run event on level and time: report its
    # wrong id, and the first run event as the extra one
    _result, lines = run_alerts(tmp_path, """\
        alerts: [{level: OK, time: 30s, id: "cpu:x"}]
    """)
    assert lines == [
        "alerts: expected 1 event, got 2",
        "alerts (event #0 of the run: CRITICAL cpu:b at 10s, host=b): unexpected event (not in the expected list)",
        'alerts[0] (OK cpu:b at 30s, host=b): id: expected "cpu:x", got "cpu:b"',
    ]


def test_a_full_match_still_anchors_and_the_rest_is_missing(tmp_path):
    _result, lines = run_alerts(tmp_path, """\
        alerts: [{level: CRITICAL}, {level: WARNING}, {level: OK}]
    """)
    assert lines == [
        "alerts: expected 3 events, got 2",
        'alerts[1]: expected event {"level": "WARNING"}, got no such event',
    ]


def test_singular_counts_in_messages(tmp_path):
    path = tmp_path / "one.tickpy.yaml"
    path.write_text(textwrap.dedent("""\
        tickscript: |
          stream|from().measurement('cpu')|alert().crit(lambda: "usage" > 90).tcp('127.0.0.1:7')
        points: "cpu usage=95 10s"
        expect:
          alerts: []
          handlers:
            tcp 127.0.0.1:1: [{level: OK}]
    """))
    [result] = run_test_file(str(path))
    lines = failure_text(result).splitlines()
    assert "alerts: expected 0 events, got 1" in lines
    assert "handlers['tcp 127.0.0.1:1']: expected 1 delivery, got 0" in lines
    assert any(line.startswith("handlers['tcp 127.0.0.1:7']: received 1 alert but") for line in lines), lines

"""`expect.topics`: the events each topic got, beside what its handlers received."""

from __future__ import annotations

import textwrap

import pytest

from tickpy.testing import run_test_file
from tickpy.testing.runner import observed_expectations
from tickpy.testing.spec import TestFileError, load_test_file

SCRIPT = """\
stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "usage" > 90)
        .id('cpu')
        .topic('cpu')

stream
    |from()
        .measurement('mem')
    |alert()
        .warn(lambda: "used" > 80)
        .id('mem')
        .topic('mem')
"""
HANDLER = "id: cpu-to-log\ntopic: cpu\nkind: log\noptions: {path: /var/log/cpu.log}\n"
POINTS = """\
points: |
  cpu usage=95 0s
  mem used=85 5s
  cpu usage=10 10s
"""


def write(tmp_path, expect: str) -> str:
    (tmp_path / "t.tick").write_text(SCRIPT)
    (tmp_path / "h.yaml").write_text(HANDLER)
    path = tmp_path / "t.tickpy.yaml"
    path.write_text("script: t.tick\nhandlers: [h.yaml]\n" + POINTS + textwrap.dedent(expect))
    return str(path)


def test_each_topic_gets_its_events_and_its_handlers_what_it_routes(tmp_path):
    path = write(tmp_path, """\
        expect:
          topics:
            cpu:
              - {level: CRITICAL, id: cpu, time: 0s}
              - {level: OK, id: cpu, time: 10s, previousLevel: CRITICAL}
            mem:
              - {level: WARNING, id: mem, time: 5s}
          handlers:
            log /var/log/cpu.log:
              - {level: CRITICAL, id: cpu}
              - {level: OK, id: cpu}
        """)
    (result,) = run_test_file(path)
    assert result.status == "passed", [m.render() for m in result.mismatches]


def test_a_difference_names_the_topic_and_the_event(tmp_path):
    path = write(tmp_path, """\
        expect:
          topics:
            mem:
              - {level: CRITICAL}
            disk:
              - {level: WARNING}
        """)
    (result,) = run_test_file(path)
    shown = [m.render() for m in result.mismatches]
    assert "topics['mem'][0] (WARNING mem at 5s): level: expected \"CRITICAL\", got \"WARNING\"" in shown
    assert ("topics['disk']: no alert node published to this topic (topics published to: 'cpu', 'mem')"
            in shown)


def test_update_rewrites_the_topics_a_case_checks(tmp_path):
    path = write(tmp_path, """\
        expect:
          topics:
            cpu:
              - {level: WARNING}
        """)
    (result,) = run_test_file(path)
    assert result.status == "failed"
    new = observed_expectations(result.case, result.run)
    assert new == {"topics": {"cpu": [{"level": "CRITICAL"}, {"level": "OK"}],
                              "mem": [{"level": "WARNING"}]}}


def test_malformed_topics_are_file_errors(tmp_path):
    path = write(tmp_path, """\
        expect:
          topics:
            cpu: {level: CRITICAL}
        """)
    with pytest.raises(TestFileError, match=r"expect.topics\['cpu'\] must be a list"):
        load_test_file(path)

"""kapacitor-unit cases that fail for a reason outside the script say so (QA pass 2, item 10):
points written to a db/rp the script does not read, and `type:` against the script's kind."""

from __future__ import annotations

import textwrap

from tickpy.testing import run_test_file
from tickpy.testing.report import failure_text

SCRIPT = """\
dbrp "weather"."default"

stream
    |from()
        .measurement('weather')
    |alert()
        .crit(lambda: "temperature" > 100)
"""


def run(tmp_path, db: str, rp: str, task_type: str = "stream", crit: int = 1, script: str = SCRIPT):
    (tmp_path / "alert_weather.tick").write_text(script)
    path = tmp_path / "test_case.yaml"
    path.write_text(textwrap.dedent(f"""\
        tests:
          - name: case
            task_name: alert_weather.tick
            db: {db}
            rp: {rp}
            type: {task_type}
            data:
              - weather,location=us-midwest temperature=110
            expects:
              ok: 0
              warn: 0
              crit: {crit}
    """))
    [result] = run_test_file(str(path))
    # the differences, without the state dump that follows them (tests/testing/test_state_dump.py)
    lines = failure_text(result).splitlines()
    return result, lines[:len(lines) - len(result.dump)]


NOTE = ('data: no point reached the task: the script\'s dbrp is "weather"."default", the test\'s is '
        '"other"."default" (a task reads only the points written to its dbrp)')


def test_points_written_to_another_db_are_explained(tmp_path):
    result, lines = run(tmp_path, "other", "default")
    assert result.status == "failed"
    assert lines[-1] == NOTE


def test_another_rp_is_explained_too(tmp_path):
    _result, lines = run(tmp_path, "weather", "autogen")
    assert lines[-1].startswith("data: no point reached the task: the script's dbrp is \"weather\".\"default\", "
                                "the test's is \"weather\".\"autogen\"")


def test_no_note_when_the_points_reach_the_task(tmp_path):
    result, lines = run(tmp_path, "weather", "default", crit=2)
    assert result.status == "failed"
    assert not any("no point reached" in line for line in lines)


def test_no_note_when_the_script_has_no_dbrp_line(tmp_path):
    # kapacitor-unit then gives the task the test's db/rp: the points reach it
    result, _lines = run(tmp_path, "other", "default", script=SCRIPT.split("\n", 2)[2])
    assert result.status == "passed"


def test_batch_type_on_a_stream_script_gets_a_hint(tmp_path):
    result, lines = run(tmp_path, "weather", "default", task_type="batch")
    assert result.status == "error"
    assert lines[-1] == ("hint: the test says type: batch, but the script is a stream task (it starts with "
                         "stream); give type: stream")

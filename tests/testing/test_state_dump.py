"""The state dump of a failed case: alert state, window contents, last messages, the trace
around the first difference."""

from __future__ import annotations

import json
import textwrap

from tickpy.testing import run_test_file
from tickpy.testing.report import failure_text

SCRIPT = """\
stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |alert()
        .crit(lambda: "usage" > 90)
        .history(4)

stream
    |from()
        .measurement('cpu')
    |window()
        .period(1m)
        .every(1m)
    |count('usage')
"""
POINTS = """\
points: |
  cpu,host=a usage=95 0s
  cpu,host=b usage=10 5s
  cpu,host=a usage=50 10s
  cpu,host=a usage=99 20s
  cpu,host=b usage=12 30s
"""


def run_failing(tmp_path, expect: str):
    (tmp_path / "t.tick").write_text(SCRIPT)
    path = tmp_path / "t.tickpy.yaml"
    path.write_text("script: t.tick\n" + POINTS + textwrap.dedent(expect))
    (result,) = run_test_file(str(path))
    assert result.status == "failed"
    return result


def test_the_dump_explains_what_the_task_held(tmp_path):
    # host a: CRITICAL at 0s, OK at 10s, CRITICAL at 20s; the test wrongly expects no event at 20s.
    result = run_failing(tmp_path, """\
        expect:
          alerts:
            - {level: CRITICAL, time: 0s}
            - {level: OK, time: 10s}
        """)
    text = failure_text(result)
    assert "state at the end of the run:" in text
    # levels of host a, oldest first: the initial OK, then CRITICAL, OK, CRITICAL
    assert ("alert2 group host=a: level CRITICAL, history (oldest first) OK CRITICAL OK CRITICAL, "
            "triggered since 20s") in text
    assert "alert2 group host=b: level OK, history (oldest first) OKx4" in text
    # the window [0s, 1m) holds all five points; it is emitted when a point at 1m comes
    assert ("window4 group nil: 5 points buffered (0s .. 30s), next window emitted when a point at or past 1m0s "
            "arrives") in text
    assert "from3: point cpu,host=b usage=12 30000000000 (30s)" in text
    # the first difference is the unexpected event at 20s: the trace shows points 2..4 and 5
    trace = text[text.index("trace of the points around the first difference (20s):"):]
    assert [line.split(":")[0].strip() for line in trace.splitlines() if line.strip().startswith("point ")] == [
        "point 2", "point 3", "point 4", "point 5"]
    assert 'CRITICAL "usage" > 90 -> true (usage=99)' in trace


def test_json_report_carries_the_dump(cli, tmp_path):
    run_failing(tmp_path, "expect: {counts: {crit: 5}}\n")
    done = cli("test", tmp_path / "t.tickpy.yaml", "--format", "json")
    (case,) = json.loads(done.stdout)["cases"]
    assert case["state"][0] == "state at the end of the run:"
    assert any(line.startswith("trace of the last 3 points:") for line in case["state"])

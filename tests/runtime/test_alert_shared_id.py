"""Groups whose alert id is the same share one level history, as in Kapacitor.

Kapacitor starts a new group's alert state from the last event its topics (the node's own
handlers' anonymous topic, its `.topic()`) hold for the group's id (alert.go: NewGroup ->
restoreEventState -> restoreEvent). Each folder of kapacitor_cases/ is a case with what
Kapacitor 1.5.7 answered, recorded on a real kapacitord (see its README); tickpy must give the
same handler bytes, the same `kapacitor show` counters and the same topic states."""

from __future__ import annotations

import json

import pytest

from tests.runtime.kapacitor_cases import CASES_DIR, assert_same_answers, case_names, kapacitor_bytes, prepare
from tickpy.api import run
from tickpy.runtime.lineprotocol import read_points

S = 1_000_000_000


@pytest.mark.parametrize("case", [name for name in case_names() if not name.startswith("from_")])
def test_same_answers_as_kapacitor(case, tmp_path, capsys):
    assert_same_answers(case, tmp_path, capsys)


def test_the_issue_case_through_tickpy_run(tmp_path, cli):
    """West goes CRITICAL; east, new, starts from the stored event of id 'disk' (CRITICAL at
    00:25:05), so its OK point is a recovery 245 s long; west's next CRITICAL follows east's OK."""
    script, points, _ = prepare("smallest", tmp_path)
    done = cli("run", script, points, "--task", "t", "--trace", text=False)
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "alerts.log").read_text()
    assert log == kapacitor_bytes(CASES_DIR / "smallest" / "kapacitor" / "alerts.log")
    events = [json.loads(line) for line in log.splitlines()]
    assert [(e["level"], e["duration"], e["previousLevel"]) for e in events] == [
        ("CRITICAL", 0, "OK"), ("OK", 245 * S, "CRITICAL"), ("CRITICAL", 350 * S, "OK")]
    assert ("alert2: new group: state restored from the last event of id 'disk' (CRITICAL, triggered "
            "2024-01-01T00:25:05Z): Kapacitor starts a group from the last event stored for its id; ") in (
        done.stderr.decode())


def test_the_issue_case_through_the_api(tmp_path):
    script, points, _ = prepare("smallest", tmp_path)
    result = run(script.read_text(), read_points(points.read_text()), task_name="t")
    assert [(e.id, e.level, e.previous_level, e.duration_ns // S, e.tags["region"]) for e in result.alerts] == [
        ("disk", "CRITICAL", "OK", 0, "west"), ("disk", "OK", "CRITICAL", 245, "east"),
        ("disk", "CRITICAL", "OK", 350, "west")]
    assert result.stats["alert2"]["oks_triggered"] == 1


def test_a_node_without_handlers_or_topic_restores_nothing():
    """No topic stores its events (Kapacitor's restoreEvent reads none): east starts at OK."""
    points = read_points("disk,region=west count=20i 0\ndisk,region=east count=1i 60000000000\n")
    script = "stream\n|from().groupBy('region')\n|alert().crit(lambda: \"count\" > 14).id('{{ .Name }}')\n"
    result = run(script, points, task_name="t")
    assert [(e.level, e.tags["region"]) for e in result.alerts] == [("CRITICAL", "west")]

"""A stream task is handed only the points of the measurements its from() nodes select, as
Kapacitor's task master forks them (task_master.go forkPoint: one fork per (db, rp,
measurement), one more for a from() without measurement): stream0 and the from nodes count
those only, and a point of a selected measurement goes in twice when another from() selects
every measurement. Compared with Kapacitor 1.5.7's answers (kapacitor_cases/from_*)."""

from __future__ import annotations

import re

import pytest

from tests.runtime.kapacitor_cases import assert_same_answers, case_names, prepare
from tickpy.cli.run import run_command


@pytest.mark.parametrize("case", case_names("from_"))
def test_same_answers_as_kapacitor(case, tmp_path, capsys):
    assert_same_answers(case, tmp_path, capsys)


def test_points_of_measurements_no_from_selects_are_counted_apart(tmp_path, capsys):
    script, points, _ = prepare("from_two_measurements", tmp_path)
    status = run_command(str(script), (str(points),), task_name="t", dbrp="mydb.autogen", stats=True)
    stderr = capsys.readouterr().err
    assert status == 0, stderr
    assert "tickpy run: task t: 4 points read (1 of measurements no from() selects, ignored), 2 alerts" in stderr
    assert "node stats of task t: 4 points read (1 of measurements no from() selects, ignored) in " in stderr
    assert re.search(r"\n  stream0 +collected=3 emitted=6 ", stderr)

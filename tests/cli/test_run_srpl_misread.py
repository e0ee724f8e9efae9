"""`--input-format srpl` on a line-protocol file (QA #21): each entry whose database or retention
policy line is a comment or a point is reported with its line number and counted, and the run
exits 1, instead of "N points read, 0 alerts" with status 0."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import CliResult, run_cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def run(*args, cwd=None) -> CliResult:
    return run_cli("run", *args, cwd=cwd)


def test_line_protocol_read_as_srpl_is_reported_entry_by_entry(tmp_path):
    (tmp_path / "t.tick").write_text("stream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 0)\n")
    (tmp_path / "p.lp").write_text("# two points\ncpu v=1 0\ncpu v=2 1000000000\ncpu v=3 2000000000\n"
                                   "cpu v=4 3000000000\ncpu v=5 4000000000\n")
    result = run("t.tick", "p.lp", "--input-format", "srpl", cwd=tmp_path)
    assert result.returncode == 1
    reports = re.findall(r"^p\.lp:(\d+): (.*)$", result.stderr, re.M)
    assert [int(line) for line, _ in reports] == [1, 4]
    assert "a comment where the entry's database should be" in reports[0][1]
    assert "a line-protocol point where the entry's database should be" in reports[1][1]
    assert all("--input-format lp" in reason for _, reason in reports)
    assert "0 points read, 2 input lines rejected" in result.stderr


def test_a_real_recording_still_replays(tmp_path):
    (tmp_path / "t.tick").write_text("dbrp \"telegraf\".\"autogen\"\n"
                                     "stream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 0)\n")
    (tmp_path / "r.srpl").write_text("telegraf\nautogen\ncpu v=1 0\ntelegraf\nautogen\ncpu v=2 1000000000\n")
    result = run("t.tick", "r.srpl", "--input-format", "srpl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 points read, 2 alerts (2 CRITICAL)" in result.stderr

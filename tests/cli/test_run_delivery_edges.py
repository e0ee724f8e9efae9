"""Delivery edges of `tickpy run`: summary labels of external handlers, a --capture file only
when something is captured, and a dead-letter file that cannot be written (the handler keeps
delivering, the loss is reported and counted)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CliResult, run_cli

POINTS = "".join(f"cpu,host=a usage_idle={value} {second}000000000\n"
                 for second, value in enumerate([50, 5, 6, 7, 60]))
ALERT = "stream|from().measurement('cpu')|alert().crit(lambda: \"usage_idle\" < 10)"


def run(tmp_path: Path, script: str, *args) -> CliResult:
    (tmp_path / "t.tick").write_text(script + "\n")
    (tmp_path / "p.lp").write_text(POINTS)
    return run_cli("run", "t.tick", "p.lp", *args, cwd=tmp_path)


def test_external_handler_label_names_its_kind_once(tmp_path):
    result = run(tmp_path, ALERT + ".slack()")
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stderr.splitlines() if "captured (not sent)" in line
             and not line.startswith("tickpy:")]
    assert lines == ["slack (t .slack()): 4 captured (not sent)"]


def test_capture_file_is_created_only_when_something_is_captured(tmp_path):
    result = run(tmp_path, ALERT + f".log('{tmp_path / 'alerts.log'}')", "--capture", "captured.jsonl")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "captured.jsonl").exists()
    result = run(tmp_path, ALERT + ".slack()", "--capture", "captured.jsonl")
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "captured.jsonl").read_text().splitlines()) == 4


def test_unwritable_dead_letter_file_is_reported_and_the_worker_keeps_going(tmp_path):
    (tmp_path / "a-folder").mkdir()  # the log handler's path is a folder: every delivery fails
    result = run(tmp_path, ALERT + f".log('{tmp_path / 'a-folder'}')", "--dead-letter", "/dev/full")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.returncode == 1
    reports = [line for line in result.stderr.splitlines() if "cannot write the dead-letter file /dev/full" in line]
    assert len(reports) == 1 and "No space left on device" in reports[0]
    # Every alert was tried (the worker did not die at the first lost record) and counted.
    assert "4 NOT delivered" in result.stderr
    assert "4 of them NOT written to the dead-letter file, lost" in result.stderr
    assert "4 alert deliveries failed" in result.stderr

"""`.exec()` handlers (QA #20): as in Kapacitor, a handler's alerts are delivered one at a time,
in order. (Time limits and signals: tests/faults/test_exec_timeout.py, test_signals.py.) Real
programs."""

from __future__ import annotations

import json
from pathlib import Path

POINTS = "".join(f"cpu v={value} {second}000000000\n" for second, value in enumerate([5, 6, 7]))


def write(tmp_path: Path, handler: str) -> None:
    (tmp_path / "t.tick").write_text(f"stream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 0){handler}\n")
    (tmp_path / "p.lp").write_text(POINTS)


def test_exec_alerts_are_delivered_one_at_a_time_in_order(tmp_path, cli):
    # each run sleeps a little before appending: overlapping runs would interleave or reorder
    program = tmp_path / "append.sh"
    program.write_text(f"#!/bin/sh\nsleep 0.3\ncat >> {tmp_path / 'got.jsonl'}\n")
    program.chmod(0o755)
    write(tmp_path, f".exec('{program}')")
    result = cli("run", "t.tick", "p.lp", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    times = [json.loads(line)["time"] for line in (tmp_path / "got.jsonl").read_text().splitlines()]
    assert times == ["1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z", "1970-01-01T00:00:02Z"]

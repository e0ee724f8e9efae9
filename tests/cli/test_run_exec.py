"""`.exec()` handlers (QA #20): as in Kapacitor, a program is waited for without a time limit and
a handler's alerts are delivered one at a time, in order; a shutdown (SIGINT) kills a program
still running when the grace period ends. Real programs, and a real process for the signal."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

TICKPY = str(Path(sys.executable).parent / "tickpy")
POINTS = "".join(f"cpu v={value} {second}000000000\n" for second, value in enumerate([5, 6, 7]))


def write(tmp_path: Path, handler: str) -> None:
    (tmp_path / "t.tick").write_text(f"stream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 0){handler}\n")
    (tmp_path / "p.lp").write_text(POINTS)


def wait_for_file(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} not written in {timeout} s"
        time.sleep(0.01)


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


def test_sigint_kills_an_exec_program_still_running_after_the_grace_period(tmp_path):
    running = tmp_path / "running"
    write(tmp_path, f".exec('/bin/sh', '-c', 'touch {running}; exec sleep 100')")
    process = subprocess.Popen([TICKPY, "run", "t.tick", "p.lp", "-"], cwd=tmp_path, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_file(running, process)  # the points are read; the first program is running; stdin stays open
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert time.monotonic() - started < 15  # 5 s grace, then the program is killed
    assert "still running at shutdown, killed" in stderr
    assert "3 NOT delivered" in stderr

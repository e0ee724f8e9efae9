"""`tickpy test --watch`: a real `tickpy test --watch` process, files changed under it."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

from tickpy.testing.spec import load_test_file
from tickpy.testing.watch import Watcher, dependencies

SCRIPT = """\
stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "usage" > {threshold})
"""
TEST = """\
script: cpu.tick
handlers: [handlers/]
points_file: cpu.lp
expect: {{counts: {{crit: {crit}, ok: {crit}}}}}
"""


def make(tmp_path, threshold=90, crit=1):
    (tmp_path / "cpu.tick").write_text(SCRIPT.format(threshold=threshold))
    (tmp_path / "cpu.lp").write_text("cpu usage=95 0\ncpu usage=50 1000000000\n")
    (tmp_path / "handlers").mkdir(exist_ok=True)
    (tmp_path / "cpu.tickpy.yaml").write_text(TEST.format(crit=crit))
    (tmp_path / "other.tickpy.yaml").write_text("tickscript: |\n  stream\n    |from()\n    |log()\npoints: ''\n"
                                                 "expect: {no_alerts: true}\n")


def touch_later(path, text: str) -> None:
    """Write `text`, with a modification time surely not the one the watcher saw."""
    path.write_text(text)
    stamp = time.time_ns() + 5_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_dependencies_are_what_the_cases_read(tmp_path):
    make(tmp_path)
    (tmp_path / "handlers" / "h.yaml").write_text("id: h\ntopic: t\nkind: log\noptions: {path: /tmp/x}\n")
    path = str(tmp_path / "cpu.tickpy.yaml")
    found = dependencies(path, load_test_file(path))
    assert found == {str(tmp_path / name) for name in ("cpu.tickpy.yaml", "cpu.tick", "cpu.lp", "handlers/h.yaml")}


def test_a_change_reruns_only_the_test_files_that_read_it(tmp_path):
    make(tmp_path)
    watcher = Watcher([str(tmp_path)], interval=0)
    touch_later(tmp_path / "cpu.lp", "cpu usage=99 0\n")
    changed, rerun = watcher.wait()
    assert changed == [str(tmp_path / "cpu.lp")]
    assert rerun == [str(tmp_path / "cpu.tickpy.yaml")]
    (tmp_path / "new.tickpy.yaml").write_text((tmp_path / "other.tickpy.yaml").read_text())
    changed, rerun = watcher.wait()
    assert rerun == [str(tmp_path / "new.tickpy.yaml")]


def _lines(stream, into: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        into.put(line)


def _wait_for(lines: queue.Queue, text: str, seen: list[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"no line with {text!r} in {seen!r}")


def test_watch_process_reruns_on_change_and_stops_on_ctrl_c(tmp_path):
    make(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "tickpy", "test", "--watch", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    out: queue.Queue = queue.Queue()
    err: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, out), daemon=True).start()
    threading.Thread(target=_lines, args=(process.stderr, err), daemon=True).start()
    seen_out: list[str] = []
    seen_err: list[str] = []
    try:
        _wait_for(out, "2 passed", seen_out)
        _wait_for(err, "watching", seen_err)
        touch_later(tmp_path / "cpu.tick", SCRIPT.format(threshold=99))  # 95 no longer critical
        _wait_for(err, "cpu.tick changed: running 1 test file", seen_err)
        _wait_for(out, "0 passed, 1 failed", seen_out)
        assert any("FAIL" in line and "cpu.tickpy.yaml" in line for line in seen_out)
        process.send_signal(signal.SIGINT)
        _wait_for(err, "stopped watching", seen_err)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

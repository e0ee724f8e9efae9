"""A reader that closes stdout early (`| head -1`) ends handlers check, demo and listen quietly
with status 141 (128 + SIGPIPE, as the shell reports it), not a traceback or a status that
means something else (1: a bad handler file). `run` is covered in test_run_edges. Real pipes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

TICKPY = str(Path(sys.executable).parent / "tickpy")


def first_line_then_close(args, cwd=None) -> tuple[str, str, int]:
    process = subprocess.Popen([TICKPY, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait(timeout=60)
    return first, stderr, process.returncode


def test_handlers_check(tmp_path):
    for number in range(2000):  # far more output than a pipe buffer holds
        (tmp_path / f"h{number}.yaml").write_text(f"id: h{number}\ntopic: t\nkind: log\noptions:\n  path: /tmp/x\n")
    first, stderr, status = first_line_then_close(["handlers", "check", "."], cwd=tmp_path)
    assert first.endswith("kind log\n")
    assert "Traceback" not in stderr and stderr == ""
    assert status == 141


def test_demo():
    first, stderr, status = first_line_then_close(["demo"])
    assert first.startswith("tickpy demo:")
    assert "Traceback" not in stderr and "Exception" not in stderr
    assert status == 141


def test_listen():
    process = subprocess.Popen([TICKPY, "listen", "--raw", "127.0.0.1:0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        banner = process.stderr.readline().decode()
        port = int(banner.split("listening on ")[1].split()[0].rsplit(":", 1)[1])
        process.stdout.close()
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                    conn.sendall(b"x" * 100_000)
            except OSError:
                break
            time.sleep(0.05)
        process.wait(timeout=20)
        stderr = process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in stderr
    assert process.returncode == 141

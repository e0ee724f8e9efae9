"""`tickpy listen` refuses bad addresses and counts with a usage error (exit 2), never a
traceback (QA #4, #18); a good one still receives alerts over a real socket."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliResult, run_cli

TICKPY = str(Path(sys.executable).parent / "tickpy")


def listen(*args) -> CliResult:
    return run_cli("listen", *args)


@pytest.mark.parametrize("address", ["99999", ":-1", ":65536", "127.0.0.1:70000", "127.0.0.1:x"])
def test_out_of_range_port_is_a_usage_error(address):
    result = listen(address)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "invalid port" in result.stderr


def test_negative_count_is_a_usage_error():
    result = listen("--count", "-1", "0")
    assert result.returncode == 2
    assert "--count" in result.stderr and "Traceback" not in result.stderr


def test_count_stops_after_that_many_alerts():
    # a real process: the listener serves in the background while this test connects to it
    process = subprocess.Popen([TICKPY, "listen", "--count", "1", "--json", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = process.stderr.readline()  # "tickpy listen: listening on 127.0.0.1:PORT ..."
        port = int(banner.split("listening on ")[1].split()[0].rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(b'{"id":"a","level":"CRITICAL"}\n\n')
        out, _ = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert out.splitlines() == ['{"id":"a","level":"CRITICAL"}']

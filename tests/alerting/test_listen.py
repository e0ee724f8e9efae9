"""`tickpy listen`: a real listener process receiving alerts from a real tcp handler."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.alerting.events import make_event
from tickpy.alerting.service import AlertService
from tickpy.check.pipeline import HandlerSpec


def start_listener(*options):
    code = "from tickpy.cli.listen import command; command(prog_name='tickpy listen')"
    process = subprocess.Popen([sys.executable, "-c", code, "127.0.0.1:0", *options], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    banner = process.stderr.readline().decode()
    port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", banner).group(1))
    return process, f"127.0.0.1:{port}"


def send(address, events):
    service = AlertService(report=lambda line: None)
    handler = service.direct_handler(HandlerSpec("tcp", [address]), "task")
    for event in events:
        service.handle(event, [handler], node="alert2")
    return service.close()


def test_listen_prints_level_id_message_and_time():
    process, address = start_listener("--count", "2")
    events = [make_event(level="WARNING", time_s=5, message="cpu high"),
              make_event(level="OK", time_s=65, message="cpu fine")]
    summary = send(address, events)
    out, _ = process.communicate(timeout=10)
    assert summary.delivered == 2 and process.returncode == 0
    lines = out.decode().splitlines()
    assert lines[0].split() == ["1970-01-01T00:00:05Z", "WARNING", "cpu:host=a", "(was", "OK):", "cpu", "high"]
    assert lines[1].split() == ["1970-01-01T00:01:05Z", "OK", "cpu:host=a", "(was", "WARNING):", "cpu", "fine"]


def test_listen_raw_writes_exact_bytes():
    process, address = start_listener("--raw", "--count", "1")
    event = make_event()
    send(address, [event])
    out, _ = process.communicate(timeout=10)
    assert out == event.wire + b"\n\n"


def test_listen_json_prints_one_compact_line_per_alert():
    process, address = start_listener("--json", "--count", "2")
    events = [make_event(time_s=1), make_event(time_s=2, level="OK", previous_level="CRITICAL")]
    send(address, events)
    out, _ = process.communicate(timeout=10)
    assert out.decode().splitlines() == [e.wire.decode() for e in events]

"""SIGINT/SIGTERM: stop reading, dead-letter or deliver what is queued, summarise, exit 130/143."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.alerting.servers import dead_address

# A small program using the service the way `tickpy run` does: read event ids from stdin
# (blocking), hand each to a tcp handler whose endpoint is dead, stop on a signal.
PROGRAM = textwrap.dedent("""
    import sys
    from tests.alerting.events import make_event
    from tickpy.alerting.service import AlertService
    from tickpy.alerting.shutdown import ShutdownRequested, ShutdownSignals
    from tickpy.check.pipeline import HandlerSpec

    service = AlertService(dead_letter=sys.argv[1], report=lambda line: None, backoff_s=0.01)
    handler = service.direct_handler(HandlerSpec("tcp", [sys.argv[2]]), "task")
    signals = ShutdownSignals().install()
    source = signals.interruptible_input(sys.stdin.buffer)

    def lines():
        rest = b""
        while chunk := source.read1(65536):
            *complete, rest = (rest + chunk).split(b"\\n")
            yield from complete

    try:
        for index, line in enumerate(signals.stop_reading(lines())):
            service.handle(make_event(event_id=line.decode(), time_s=index), [handler], node="alert2")
            print("handled", line.decode(), flush=True)
    except ShutdownRequested:
        pass
    summary = service.close(grace_s=2.0, interrupted=signals.requested, signals=signals)
    print(summary.render(), file=sys.stderr)
    sys.exit(signals.exit_code)
""")


@pytest.mark.parametrize("signal_number, exit_code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_reading_dead_letters_and_exits(tmp_path, signal_number, exit_code):
    dead = tmp_path / "dead.jsonl"
    process = subprocess.Popen([sys.executable, "-c", PROGRAM, str(dead), dead_address()], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(_repo_root()))
    for event_id in ("a", "b"):
        process.stdin.write(f"{event_id}\n".encode())
        process.stdin.flush()
        assert process.stdout.readline().decode().split() == ["handled", event_id]
    process.send_signal(signal_number)  # stdin stays open: the read is blocked when the signal comes
    _, err = process.communicate(timeout=20)
    assert process.returncode == exit_code, err
    records = [json.loads(line) for line in dead.read_text().splitlines()]
    assert [r["event_id"] for r in records] == ["a", "b"]
    assert "2 NOT delivered" in err.decode()


def _repo_root():
    import pathlib

    return pathlib.Path(__file__).resolve().parents[2]

"""`tickpy demo`: the seed sample end to end, over a real TCP connection.

Starts a TCP listener on 127.0.0.1 (an ephemeral port) in this process, runs the sample task
samples/tcp-cpu-alert.tick with its `.tcp()` address pointed at that listener over
samples/cpu.lp, and prints each alert as it arrives on the socket, with what it means.
Both sample files are embedded below (tests check that they match samples/).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time

import click

from tickpy.api import run_task
from tickpy.cli.guard import stdout_closed
from tickpy.runtime.lineprotocol import read_points

SCRIPT_NAME = "tcp-cpu-alert.tick"
SAMPLE_ADDRESS = "127.0.0.1:7777"

SAMPLE_SCRIPT = """\
stream
  |from()
    .measurement('cpu')
  |alert()
    .crit(lambda: "usage_idle" < 10)
    .message('Hey, check your CPU')
    .tcp('127.0.0.1:7777')
"""

SAMPLE_POINTS = """\
# Three hosts reporting CPU every 10 seconds. server02 crosses the threshold
# (usage_idle < 10) at 00:00:20 and recovers at 00:00:40; server03 dips once.
cpu,host=server01,cpu=cpu-total usage_idle=85.2,usage_user=10.1,usage_system=4.7 1700000000000000000
cpu,host=server02,cpu=cpu-total usage_idle=42.0,usage_user=50.3,usage_system=7.7 1700000000000000000
cpu,host=server03,cpu=cpu-total usage_idle=70.5,usage_user=20.0,usage_system=9.5 1700000000000000000
cpu,host=server01,cpu=cpu-total usage_idle=83.9,usage_user=11.0,usage_system=5.1 1700000010000000000
cpu,host=server02,cpu=cpu-total usage_idle=12.4,usage_user=80.1,usage_system=7.5 1700000010000000000
cpu,host=server03,cpu=cpu-total usage_idle=68.0,usage_user=22.5,usage_system=9.5 1700000010000000000
cpu,host=server01,cpu=cpu-total usage_idle=84.7,usage_user=10.8,usage_system=4.5 1700000020000000000
cpu,host=server02,cpu=cpu-total usage_idle=5.3,usage_user=88.2,usage_system=6.5 1700000020000000000
cpu,host=server03,cpu=cpu-total usage_idle=8.9,usage_user=85.6,usage_system=5.5 1700000020000000000
cpu,host=server01,cpu=cpu-total usage_idle=85.0,usage_user=10.4,usage_system=4.6 1700000030000000000
cpu,host=server02,cpu=cpu-total usage_idle=3.1,usage_user=90.0,usage_system=6.9 1700000030000000000
cpu,host=server03,cpu=cpu-total usage_idle=66.2,usage_user=24.0,usage_system=9.8 1700000030000000000
cpu,host=server01,cpu=cpu-total usage_idle=86.1,usage_user=9.5,usage_system=4.4 1700000040000000000
cpu,host=server02,cpu=cpu-total usage_idle=55.8,usage_user=38.0,usage_system=6.2 1700000040000000000
cpu,host=server03,cpu=cpu-total usage_idle=67.4,usage_user=23.1,usage_system=9.5 1700000040000000000
mem,host=server01 used_percent=41.5,available=9876543210i 1700000040000000000
"""


WIRE_SHOWN = 150


class AlertListener:
    """A TCP server on 127.0.0.1 that reads one alert per connection (JSON + "\\n\\n") and
    hands each to `on_alert(raw_bytes)` in arrival order."""

    def __init__(self, on_alert):
        self.on_alert = on_alert
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.received = 0
        self._lock = threading.Lock()
        self._closing = False
        self._thread = threading.Thread(target=self._serve, name="tickpy-demo-listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closing:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            with connection:
                chunks = []
                while True:
                    data = connection.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
            if self._closing and not chunks:
                return
            with self._lock:
                self.received += 1
                self.on_alert(b"".join(chunks))

    def wait_for(self, count: int, timeout_s: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if self.received >= count:
                    return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        self._closing = True
        try:
            # wake the accept() up
            socket.create_connection(self.sock.getsockname(), timeout=1).close()
        except OSError:
            pass
        self.sock.close()
        self._thread.join(timeout=2)


def explain(raw: bytes) -> str:
    """One alert as it arrived, and what it says."""
    text = raw.decode("utf-8", errors="replace")
    framing = "JSON + blank line" if raw.endswith(b"\n\n") else "unexpected framing"
    try:
        data = json.loads(text)
    except ValueError:
        return f"  received {len(raw)} bytes that are not alert JSON: {text!r}"
    series = ((data.get("data") or {}).get("series") or [{}])[0]
    tags = series.get("tags") or {}
    columns = series.get("columns") or []
    values = (series.get("values") or [[]])[0]
    row = dict(zip(columns, values))
    host = tags.get("host", "?")
    idle = row.get("usage_idle")
    level, previous = data.get("level"), data.get("previousLevel")
    if level == "OK":
        meaning = (f"recovery: {host} reported usage_idle={idle}, the crit lambda is false again, "
                   f"so the alert goes back to OK after {data.get('duration', 0) / 1e9:g}s")
    elif previous == level:
        meaning = (f"still {level}: {host} reported usage_idle={idle} < 10; a non-OK level is sent "
                   f"every time (add .stateChangesOnly() to send only changes)")
    else:
        meaning = f"{previous} -> {level}: {host} reported usage_idle={idle} < 10"
    wire = raw.rstrip().decode("utf-8", errors="replace")
    shown = wire if len(wire) <= WIRE_SHOWN else wire[: WIRE_SHOWN - 3] + "..."
    return (
        f"  alert {data.get('id')} at {data.get('time')} [{level}] {data.get('message')!r}\n"
        f"    {meaning}\n"
        f"    received {len(raw)} bytes ({framing}): {shown}"
    )


def run_demo(echo=click.echo) -> int:
    arrived: list[bytes] = []

    def on_alert(raw: bytes) -> None:
        arrived.append(raw)
        try:
            echo(explain(raw))
        except BrokenPipeError:  # the reader left (`tickpy demo | head`); the main thread ends quietly
            pass

    listener = AlertListener(on_alert)
    try:
        script = SAMPLE_SCRIPT.replace(SAMPLE_ADDRESS, listener.address)
        echo(f"tickpy demo: a TCP listener is waiting for alerts on {listener.address}")
        echo(f"The task ({SCRIPT_NAME}, its .tcp() address pointed at the listener):\n")
        echo("\n".join("    " + line for line in script.rstrip().splitlines()))
        echo("\nIt reads 15 cpu points from 3 hosts (10 s apart) and one mem point, which from()")
        echo("ignores. There is no groupBy, so all hosts share one alert state, with id cpu:nil.")
        echo("Each alert is written to a new TCP connection as JSON followed by a blank line:\n")
        result = run_task(script, read_points(SAMPLE_POINTS, source_name="cpu.lp"), path=SCRIPT_NAME,
                          task_name="tcp-cpu-alert")
        listener.wait_for(len(result.alerts))
        echo("")
        echo(f"{result.points_read} points read; {len(result.alerts)} alerts produced; "
             f"{len(arrived)} received over TCP.")
        if result.delivery_failures:
            echo(f"{len(result.delivery_failures)} alerts could not be delivered.")
            return 1
        echo("The \"details\" of each alert is Kapacitor's default, {{ json . }} rendered by html/template")
        echo("(hence the \\u0026#34; escapes). With .groupBy('host') in from(), each host would get its")
        echo("own alert state and id (cpu:host=server02, ...).")
        echo("Run it yourself:  tickpy run samples/tcp-cpu-alert.tick samples/cpu.lp")
        echo("(with `tickpy listen 127.0.0.1:7777` running in another terminal to watch the alerts arrive).")
        return 0 if len(arrived) == len(result.alerts) else 1
    finally:
        listener.close()


@click.command("demo")
def command():
    """Run the seed sample (tcp-cpu-alert.tick on cpu.lp) against an in-process TCP listener
    and show each alert as it arrives."""
    try:
        status = run_demo()
        sys.stdout.flush()
    except BrokenPipeError:
        status = stdout_closed()
    raise SystemExit(status)


__all__ = ["AlertListener", "SAMPLE_POINTS", "SAMPLE_SCRIPT", "command", "explain", "run_demo"]

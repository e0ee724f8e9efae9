"""The same alerts as a real kapacitord 1.5.7 given the same writes. kapacitord is not part of
tickpy: give its path in TICKPY_KAPACITORD."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.serve.conftest import SAMPLES, HttpClient, TcpListener, seed_script
from tests.serve.test_same_alerts import generated_points

KAPACITORD = os.environ.get("TICKPY_KAPACITORD")
pytestmark = pytest.mark.skipif(not KAPACITORD or not os.access(KAPACITORD, os.X_OK),
                                reason="set TICKPY_KAPACITORD to a kapacitord 1.5.7 binary to run these")
# A kapacitord draws its cluster and server ids at random when its database is created; the alert
# details show them (tickpy shows zero ids): the one part of the bytes that cannot be equal.
SERVER_IDS = re.compile(rb"(ClusterID|ServerID)(\\u0026#34;:\\u0026#34;)[0-9a-f-]{36}")


class Kapacitord(HttpClient):
    """A kapacitord with its own data folder, no InfluxDB, on a free port."""

    def __init__(self, folder):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = folder / "kapacitor.conf"
        config.write_text(f'hostname = "localhost"\ndata_dir = "{folder}"\n[http]\n'
                          f'  bind-address = "127.0.0.1:{port}"\n  log-enabled = false\n'
                          f'[replay]\n  dir = "{folder}/replay"\n[storage]\n  boltdb = "{folder}/kapacitor.db"\n'
                          f'[task]\n  dir = "{folder}/tasks"\n[[influxdb]]\n  enabled = false\n  name = "default"\n'
                          '  urls = ["http://127.0.0.1:1"]\n[reporting]\n  enabled = false\n'
                          '[logging]\n  level = "ERROR"\n')
        self.process = subprocess.Popen([KAPACITORD, "-config", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/kapacitor/v1/ping", timeout=5)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError("kapacitord did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def send(server: HttpClient, points: str, batches: int, listener: TcpListener) -> None:
    status, answer = server.json("POST", "/kapacitor/v1/tasks", {
        "id": "seed", "type": "stream", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": seed_script(listener.port), "status": "enabled"})
    assert status == 200, answer
    lines = points.splitlines(keepends=True)
    size = -(-len(lines) // batches)
    for start in range(0, len(lines), size):
        assert server.write("".join(lines[start:start + size]))[0] == 204


@pytest.mark.parametrize("points", [(SAMPLES / "cpu.lp").read_text(), generated_points(2000)],
                         ids=["samples-cpu", "generated-2000"])
def test_tickpy_serve_sends_what_kapacitord_sends(serve, tmp_path, points):
    kapacitord = Kapacitord(tmp_path)
    theirs, ours = TcpListener(), TcpListener()
    try:
        send(kapacitord, points, 4, theirs)
        send(serve, points, 4, ours)
        # kapacitord answers a write before its task has processed it: wait until both are quiet.
        counts = None
        deadline = time.monotonic() + 120
        while counts != (len(theirs.payloads), len(ours.payloads)) or not counts[0]:
            assert time.monotonic() < deadline, f"still sending after 120 s: {counts}"
            counts = (len(theirs.payloads), len(ours.payloads))
            time.sleep(1.0)
        expected = [SERVER_IDS.sub(rb"\1\g<2>00000000-0000-0000-0000-000000000000", p) for p in theirs.payloads]
        assert ours.payloads == expected
    finally:
        kapacitord.stop()
        theirs.close()
        ours.close()

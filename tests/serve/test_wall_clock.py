"""A served task's stats() and deadman() tick on the wall clock, as in Kapacitor: a deadman
fires when no point comes, without any point to move time on."""

from __future__ import annotations

import json
import time

DEADMAN = """stream
    |from()
        .measurement('cpu')
    |deadman(0.0, 1s)
        .id('deadman')
        .tcp('127.0.0.1:{port}')
"""


def test_a_deadman_fires_on_the_clock_when_no_point_comes(serve, tcp_listener):
    defined = time.time_ns()
    status, _ = serve.json("POST", "/kapacitor/v1/tasks", {
        "id": "quiet", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": DEADMAN.format(port=tcp_listener.port), "status": "enabled"})
    assert status == 200
    event = json.loads(tcp_listener.wait_for(1, timeout=20)[0])
    assert (event["id"], event["level"]) == ("deadman", "CRITICAL")
    assert event["message"] == "deadman is dead: 0.000 points/1s."  # Kapacitor's default deadman message
    # The event is stamped with a tick of the clock after the task started, not with a point's time.
    tick = event["data"]["series"][0]["values"][0][0]
    assert tick > time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(defined / 1e9 - 1))

"""[[udp]] listeners: each datagram is a write to the listener's database and retention policy."""

from __future__ import annotations

import re
import socket

from tests.serve.conftest import seed_script
from tests.serve.test_lifecycle import wait_until


def test_points_sent_over_udp_reach_the_task(serve_factory, tmp_path):
    config = tmp_path / "kapacitor.conf"
    config.write_text('[[udp]]\n  enabled = true\n  bind-address = "127.0.0.1:0"\n  database = "telegraf"\n'
                      '  retention-policy = "autogen"\n')
    serve = serve_factory("--bind", "127.0.0.1:0", "--config", str(config))
    port = int(wait_until(lambda: re.search(r"udp listening on 127\.0\.0\.1:(\d+)", serve.stderr),
                          what="udp listener").group(1))
    serve.json("POST", "/kapacitor/v1/tasks", {"id": "seed", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
                                               "script": seed_script(9), "status": "enabled"})
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sender.sendto(b"cpu,host=a usage_idle=5 1\ncpu,host=a usage_idle=50 2\nnot a point\n", ("127.0.0.1", port))
    finally:
        sender.close()
    serve.wait_processed("seed", 2)
    _, answer = serve.json("GET", "/kapacitor/v1/debug/vars")
    values = answer["kapacitor"]["tickpy"]["values"]
    assert (values["udp_datagrams"], values["udp_lines_rejected"]) == (1, 1)

"""The core promise of `tickpy serve`: the alerts a task sends are, byte for byte and in order,
those `tickpy run` sends for the same points."""

from __future__ import annotations

import subprocess
import sys

from tests.serve.conftest import ROOT, SAMPLES, TcpListener, seed_script


def generated_points(count: int) -> str:
    """Telegraf-like cpu points from five hosts whose idle time wanders across the threshold."""
    lines = []
    for index in range(count):
        host = f"server{index % 5:02d}"
        idle = (index * 37) % 23 + (index % 7) * 0.5  # crosses 10 often, in a fixed pattern
        lines.append(f"cpu,host={host},cpu=cpu-total usage_idle={idle},usage_user=1.5 "
                     f"{1_700_000_000_000_000_000 + index * 1_000_000_000}")
    return "\n".join(lines) + "\n"


def run_alerts(tmp_path, points: str) -> list[bytes]:
    """What `tickpy run` delivers for the seed task over `points`."""
    listener = TcpListener()
    try:
        script = tmp_path / "seed.tick"
        script.write_text(seed_script(listener.port))
        data = tmp_path / "points.lp"
        data.write_text(points)
        subprocess.run([sys.executable, "-m", "tickpy", "run", str(script), str(data)], cwd=ROOT,
                       capture_output=True, check=True, timeout=120)
        return list(listener.payloads)
    finally:
        listener.close()


def serve_alerts(serve, listener, points: str, batches: int) -> list[bytes]:
    status, task = serve.json("POST", "/kapacitor/v1/tasks", {
        "id": "seed", "type": "stream", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
        "script": seed_script(listener.port), "status": "enabled"})
    assert status == 200, task
    lines = points.splitlines(keepends=True)
    size = -(-len(lines) // batches)
    for number, start in enumerate(range(0, len(lines), size)):
        status, _, body = serve.write("".join(lines[start:start + size]), gzipped=number % 2 == 1)
        assert status == 204, body
    serve.wait_processed("seed", sum(1 for line in lines if line.strip() and not line.startswith("#")))
    assert serve.stop() == 0  # SIGTERM delivers what is queued, then exits 0
    return list(listener.payloads)


def test_the_sample_points_give_the_alerts_tickpy_run_gives(serve, tcp_listener, tmp_path):
    points = (SAMPLES / "cpu.lp").read_text()
    expected = run_alerts(tmp_path, points)
    # cpu.lp says: server02 is below 10 at :20 and :30 and recovers at :40, server03 dips once
    assert len(expected) == 5
    assert serve_alerts(serve, tcp_listener, points, batches=3) == expected


def test_thousands_of_points_in_batches_give_the_same_alerts(serve, tcp_listener, tmp_path):
    points = generated_points(3000)
    expected = run_alerts(tmp_path, points)
    assert len(expected) > 100
    assert serve_alerts(serve, tcp_listener, points, batches=7) == expected

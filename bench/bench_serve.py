"""`tickpy serve` under Telegraf-like load: N generated points (bench/generate.py) POSTed in
5000-line batches over one keep-alive HTTP connection to the seed task (samples/tcp-cpu-alert.tick,
its tcp target a local sink), as Telegraf's influxdb output sends them. Measures points per second
(wall, and per CPU-second of the server process) from the first POST until the task has processed
every point, the server's peak RSS, and the writes answered 503 (retried after a short pause).

    python bench/bench_serve.py [--points 1000000] [--batch 5000] [--kapacitord PATH]

With --kapacitord (or TICKPY_KAPACITORD) a real kapacitord is measured the same way on the same
batches, in the same run (its alerts go to the same kind of sink).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402 (bench/ is not a package)

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "samples" / "tcp-cpu-alert.tick").read_text()
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def sink() -> int:
    """A TCP listener that takes every alert and forgets it; returns its port."""
    server = socket.create_server(("127.0.0.1", 0))

    def run():
        while True:
            connection, _ = server.accept()
            while connection.recv(65536):
                pass
            connection.close()

    threading.Thread(target=run, daemon=True).start()
    return server.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def request(port: int, method: str, path: str, body=None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None)
        answer = connection.getresponse()
        data = answer.read()
        return answer.status, (json.loads(data) if data else {})
    finally:
        connection.close()


def wait_listening(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if request(port, "GET", "/kapacitor/v1/ping")[0] == 204:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def post_batches(port: int, batches: list[bytes], write_path: str) -> int:
    """POST every batch over one connection; returns how many answers were 503 (then retried)."""
    refused = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        for batch in batches:
            while True:
                connection.request("POST", write_path, body=batch)
                answer = connection.getresponse()
                answer.read()
                if answer.status == 503:
                    refused += 1
                    time.sleep(0.01)
                    continue
                if answer.status != 204:
                    raise SystemExit(f"write answered {answer.status}")
                break
    finally:
        connection.close()
    return refused


def measure(name: str, process: subprocess.Popen, port: int, batches: list[bytes], points: int, cpu_points: int,
            processed) -> dict:
    script = SEED.replace("127.0.0.1:7777", f"127.0.0.1:{sink()}")
    status, answer = request(port, "POST", "/kapacitor/v1/tasks", {
        "id": "seed", "type": "stream", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": script,
        "status": "enabled"})
    if status != 200:
        raise SystemExit(f"{name}: defining the task answered {status}: {answer}")
    cpu_before = cpu_seconds(process.pid)
    started = time.monotonic()
    refused = post_batches(port, batches, "/write?db=telegraf&rp=autogen")
    while processed(port) < cpu_points:
        time.sleep(0.05)
    wall = time.monotonic() - started
    cpu = cpu_seconds(process.pid) - cpu_before
    return {"name": name, "points": points, "wall_s": wall, "cpu_s": cpu, "points_per_s": points / wall,
            "points_per_cpu_s": points / cpu if cpu else 0.0, "peak_rss_mb": peak_rss_mb(process.pid),
            "refused_503": refused}


def alert_node_collected(port: int) -> int:
    """What the seed task's alert node has taken in (the cpu points), from the task's stats."""
    _, task = request(port, "GET", "/kapacitor/v1/tasks/seed")
    return task.get("stats", {}).get("node-stats", {}).get("alert2", {}).get("collected", 0)


def run_tickpy(batches, points, cpu_points) -> dict:
    process = subprocess.Popen([sys.executable, "-m", "tickpy", "serve", "--bind", "127.0.0.1:0"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(process.stdout.readline().rsplit(":", 1)[1])
        return measure("tickpy serve", process, port, batches, points, cpu_points, alert_node_collected)
    finally:
        process.terminate()
        process.wait(60)


def run_kapacitord(binary: str, batches, points, cpu_points) -> dict:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "kapacitor.conf"
        config.write_text(f'hostname = "localhost"\ndata_dir = "{folder}"\n[http]\n  bind-address = "127.0.0.1:{port}"\n'
                          f'  log-enabled = false\n[replay]\n  dir = "{folder}/replay"\n[storage]\n'
                          f'  boltdb = "{folder}/kapacitor.db"\n[task]\n  dir = "{folder}/tasks"\n[[influxdb]]\n'
                          '  enabled = false\n  name = "default"\n  urls = ["http://127.0.0.1:1"]\n[reporting]\n'
                          '  enabled = false\n[logging]\n  level = "ERROR"\n')
        process = subprocess.Popen([binary, "-config", str(config)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            wait_listening(port, process)
            return measure("kapacitord", process, port, batches, points, cpu_points, alert_node_collected)
        finally:
            process.terminate()
            process.wait(60)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--kapacitord", default=os.environ.get("TICKPY_KAPACITORD"))
    args = parser.parse_args(argv)
    lines = list(generate(args.points))
    cpu_points = sum(1 for line in lines if line.startswith("cpu,"))
    batches = ["".join(line + "\n" for line in lines[i:i + args.batch]).encode() for i in range(0, len(lines), args.batch)]
    results = [run_tickpy(batches, len(lines), cpu_points)]
    if args.kapacitord:
        results.append(run_kapacitord(args.kapacitord, batches, len(lines), cpu_points))
    print(f"{len(lines):,} points ({cpu_points:,} cpu) in {len(batches)} batches of {args.batch} lines, "
          "one keep-alive connection, seed task")
    for result in results:
        print(f"  {result['name']:<13} {result['points_per_s']:>10,.0f} points/s wall ({result['wall_s']:.1f} s), "
              f"{result['points_per_cpu_s']:>10,.0f} points/CPU-s, peak RSS {result['peak_rss_mb']:.0f} MB, "
              f"{result['refused_503']} writes answered 503")
    if len(results) == 2 and results[1]["points_per_cpu_s"]:
        print(f"  tickpy serve / kapacitord: {results[0]['points_per_cpu_s'] / results[1]['points_per_cpu_s']:.2f}x "
              "per CPU-second, "
              f"{results[0]['points_per_s'] / results[1]['points_per_s']:.2f}x wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())

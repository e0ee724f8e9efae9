"""Points per second of `tickpy run` on the issue's two scripts, one process, generated input.

Usage:  python bench/bench_run.py [--points 1000000] [--file /tmp/bench.lp] [--repeat 1]
                                  [--scenario seed|window|all] [--cli] [--profile]

Scenarios:
  - seed:   samples/tcp-cpu-alert.tick (from cpu | alert crit on usage_idle, .tcp handler),
  - window: `from cpu groupBy host | window 10s | mean usage_idle | alert` (WINDOW_SCRIPT),
            its alerts logged to a temporary file.
  - alerting: the seed script with `crit(lambda: "usage_idle" < 50)` and no handler, so that
            events fire (not part of `all`: rendering events is the slow path).
On the generated data the first two produce no alert (usage_idle stays above 40).
Generates the input once with bench/generate.py (Telegraf-like cpu/mem/disk/system lines,
seeded; reused when --file already holds it), starts a TCP listener on 127.0.0.1 for the
seed script's `.tcp()` handler, then measures, best of --repeat runs:
  - read:  reading the points only (line protocol, lazy fields), the floor
  - run:   the whole task through the engine's Python API (read + nodes + alert + delivery)
  - with --cli: the `tickpy run SCRIPT FILE` command as a child process (start-up included,
    byte code cached as in an ordinary installation: see child_env)
and prints points/second of wall time and per CPU-second (of this process, or of the child:
the fairer number on a shared machine). The issue's goal is 270,000 points/s for `run`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pathlib
import pstats
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import write  # noqa: E402
from tickpy.api import run_task  # noqa: E402
from tickpy.runtime.lineprotocol import read_points  # noqa: E402

WINDOW_SCRIPT = """stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |window()
    .period(10s)
    .every(10s)
  |mean('usage_idle')
  |alert()
    .crit(lambda: "mean" < 10)
    .log('{log}')
"""


def _ensure_input(path: pathlib.Path, points: int) -> None:
    marker = path.with_suffix(path.suffix + ".count")
    if path.exists() and marker.exists() and marker.read_text() == str(points):
        return
    with open(path, "w", encoding="utf-8") as out:
        write(points, out)
    marker.write_text(str(points))


class TCPSink:
    """Accepts and drains connections (the seed script's tcp handler target; bench_startup uses it too)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            with connection:
                while connection.recv(65536):
                    pass
            self.connections += 1

    def close(self) -> None:
        self.sock.close()


def scenario_scripts(sink_address: str, folder: pathlib.Path, seed_script: pathlib.Path) -> dict[str, str]:
    """Script text of each scenario, with its handler pointed somewhere cheap."""
    seed = seed_script.read_text(encoding="utf-8")
    seed = re.sub(r"\.tcp\('[^']*'\)", f".tcp('{sink_address}')", seed)
    window = WINDOW_SCRIPT.format(log=folder / "alerts.log")
    # The seed script with a threshold that fires (for about a third of the cpu points, 45% of them
    # recoveries), no handler: the cost of rendering events (not in "all": it is slow).
    alerting = re.sub(r"\s*\.tcp\('[^']*'\)", "", seed.replace('"usage_idle" < 10', '"usage_idle" < 50'))
    return {"seed": seed, "window": window, "alerting": alerting}


def chosen_scenarios(choice: str) -> list[str]:
    return ["seed", "window"] if choice == "all" else [choice]


def _read_only(path: pathlib.Path) -> tuple[int, float, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    count = 0
    with open(path, "rb") as source:
        for _ in read_points(source, now=0, on_error=lambda error: None):
            count += 1
    return count, time.perf_counter() - started, time.process_time() - cpu_started


def _run(path: pathlib.Path, source: str) -> tuple[int, float, float, int]:
    started, cpu_started = time.perf_counter(), time.process_time()
    with open(path, "rb") as handle:
        result = run_task(source, read_points(handle, now=0, on_error=lambda error: None),
                          path="bench.tick", task_name="bench", keep_alerts=False)
    alerts = sum(result.alert_counts.values())
    return result.points_read, time.perf_counter() - started, time.process_time() - cpu_started, alerts


CLI = [sys.executable, "-c", "import sys; from tickpy.cli import main; sys.exit(main())"]


def child_env() -> dict[str, str]:
    """The environment of a `tickpy` child: byte code cached (in the temp folder, not the
    repository) as in an ordinary installation, even where PYTHONDONTWRITEBYTECODE is set."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "tickpy-bench-pycache")
    return env


def warm_up(script: pathlib.Path) -> None:
    """One run over no input, so that the timed runs find the byte code cached."""
    subprocess.run([*CLI, "run", str(script), "-"], input=b"", env=child_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _run_cli(path: pathlib.Path, source: str, folder: pathlib.Path, points: int) -> tuple[int, float, float, int]:
    script = folder / "bench.tick"
    script.write_text(source, encoding="utf-8")
    warm_up(script)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run([*CLI, "run", str(script), str(path)], env=child_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"tickpy run failed ({completed.returncode}): {completed.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = re.search(r"(\d[\d,]*) alerts?", completed.stderr)
    alerts = int(found.group(1).replace(",", "")) if found else -1
    return points, wall, cpu, alerts


def _rate(count: int, wall: float, cpu: float) -> str:
    return (f"{count:,} points in {wall:.2f}s = {count / wall:,.0f} points/s "
            f"({count / cpu:,.0f} per CPU-second)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--file", default="/tmp/tickpy-bench.lp")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--scenario", choices=("seed", "window", "alerting", "all"), default="all",
                        help="all: seed and window")
    parser.add_argument("--script", default=str(ROOT / "samples" / "tcp-cpu-alert.tick"),
                        help="the seed scenario's script")
    parser.add_argument("--cli", action="store_true", help="also time the `tickpy run` command")
    parser.add_argument("--no-read", action="store_true", help="skip the read-only floor")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of one run")
    args = parser.parse_args(argv)

    path = pathlib.Path(args.file)
    _ensure_input(path, args.points)
    sink = TCPSink()
    try:
        with tempfile.TemporaryDirectory(prefix="tickpy-bench-") as temp:
            folder = pathlib.Path(temp)
            scripts = scenario_scripts(sink.address, folder, pathlib.Path(args.script))
            chosen = chosen_scenarios(args.scenario)
            if args.profile:
                for name in chosen:
                    print(f"== profile: {name}")
                    profiler = cProfile.Profile()
                    profiler.enable()
                    _run(path, scripts[name])
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(22)
                return 0
            if not args.no_read:
                best_read = min((_read_only(path) for _ in range(args.repeat)), key=lambda r: r[1])
                print(f"read:         {_rate(*best_read)}")
            for name in chosen:
                best = min((_run(path, scripts[name]) for _ in range(args.repeat)), key=lambda r: r[1])
                print(f"run {name + ':':8} {_rate(*best[:3])}; {best[3]} alerts")
                if args.cli:
                    best = min((_run_cli(path, scripts[name], folder, best[0]) for _ in range(args.repeat)),
                               key=lambda r: r[1])
                    print(f"cli {name + ':':8} {_rate(*best[:3])}; {best[3]} alerts")
            print("goal: 270,000 points/s (2x Kapacitor's ingest path, ~135,000 points/s)")
    finally:
        sink.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

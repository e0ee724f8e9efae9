"""Points per second of `tickpy run` on the seed script (samples/tcp-cpu-alert.tick).

Usage:  python bench/bench_run.py [--points 1000000] [--file /tmp/bench.lp] [--repeat 1]
                                  [--script PATH] [--profile]

Generates the input once with bench/generate.py (Telegraf-like cpu/mem/disk/system lines,
seeded; reused when --file already holds it), starts a TCP listener on 127.0.0.1 for the
script's `.tcp()` handler, then measures, best of --repeat runs:
  - read:  reading the points only (line protocol, lazy fields), the floor
  - run:   the whole task through the engine's Python API (read + from + alert + delivery)
and prints points/second of wall time and per CPU-second of this process (the fairer number
on a shared machine). The issue's goal is 270,000 points/s for `run`.
"""

from __future__ import annotations

import argparse
import cProfile
import pathlib
import pstats
import re
import socket
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import write  # noqa: E402
from tickpy.runtime.engine import run_task  # noqa: E402
from tickpy.runtime.lineprotocol import read_points  # noqa: E402


def _ensure_input(path: pathlib.Path, points: int) -> None:
    marker = path.with_suffix(path.suffix + ".count")
    if path.exists() and marker.exists() and marker.read_text() == str(points):
        return
    with open(path, "w", encoding="utf-8") as out:
        write(points, out)
    marker.write_text(str(points))


class _Sink:
    """Accepts and drains connections (the script's tcp handler target)."""

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
                          path="tcp-cpu-alert.tick", task_name="bench")
    return result.points_read, time.perf_counter() - started, time.process_time() - cpu_started, len(result.alerts)


def _rate(count: int, wall: float, cpu: float) -> str:
    return (f"{count:,} points in {wall:.2f}s = {count / wall:,.0f} points/s "
            f"({count / cpu:,.0f} per CPU-second)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--file", default="/tmp/tickpy-bench.lp")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--script", default=str(ROOT / "samples" / "tcp-cpu-alert.tick"))
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of one run")
    args = parser.parse_args(argv)

    path = pathlib.Path(args.file)
    _ensure_input(path, args.points)
    sink = _Sink()
    try:
        source = pathlib.Path(args.script).read_text(encoding="utf-8")
        source = re.sub(r"\.tcp\('[^']*'\)", f".tcp('{sink.address}')", source)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            _run(path, source)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
            return 0
        best_read = min((_read_only(path) for _ in range(args.repeat)), key=lambda r: r[1])
        print(f"read: {_rate(*best_read)}")
        best_run = min((_run(path, source) for _ in range(args.repeat)), key=lambda r: r[1])
        print(f"run:  {_rate(*best_run[:3])}; {best_run[3]} alerts; goal 270,000 points/s")
    finally:
        sink.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

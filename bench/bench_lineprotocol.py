"""Points per second of reading generated Telegraf-like line protocol.

Usage:  python bench/bench_lineprotocol.py [--points 1000000] [--file /tmp/bench.lp]

Generates the input once (bench/generate.py, seeded; reused when --file already has it), then
reads it with `read_points` from a binary file three ways:
  - parse:       iterate the points (fields stay undecoded: the lazy path)
  - parse+field: read one field of each point (`point.field(...)`)
  - parse+all:   decode every point's whole field dict
and prints points/second of wall time and per CPU-second for each (best of --repeat runs).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from bench.generate import write  # noqa: E402
from tickpy.runtime.lineprotocol import read_points  # noqa: E402


def _ensure_input(path: pathlib.Path, points: int) -> None:
    marker = path.with_suffix(path.suffix + ".count")
    if path.exists() and marker.exists() and marker.read_text() == str(points):
        return
    with open(path, "w", encoding="utf-8") as out:
        write(points, out)
    marker.write_text(str(points))


def _run(path: pathlib.Path, mode: str) -> tuple[int, float, int, float]:
    errors = []
    started, cpu_started = time.perf_counter(), time.process_time()
    count = 0
    with open(path, "rb") as source:
        points = read_points(source, now=0, on_error=errors.append)
        if mode == "parse":
            for _ in points:
                count += 1
        elif mode == "parse+field":
            for point in points:
                point.field("usage_idle")
                count += 1
        else:
            for point in points:
                point.fields
                count += 1
    return count, time.perf_counter() - started, len(errors), time.process_time() - cpu_started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--file", default=None, help="input cache (default: in the temp folder)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--modes", default="parse,parse+field,parse+all")
    args = parser.parse_args(argv)
    path = pathlib.Path(args.file or os.path.join(tempfile.gettempdir(), f"tickpy-bench-{args.points}.lp"))
    _ensure_input(path, args.points)
    size_mb = path.stat().st_size / 1e6
    print(f"input: {path} ({args.points} points, {size_mb:.1f} MB)")
    for mode in args.modes.split(","):
        best = None
        for _ in range(args.repeat):
            result = _run(path, mode)
            if best is None or result[1] < best[1]:
                best = result
        count, seconds, errors, cpu = best
        print(f"{mode:12s} {count / seconds:12,.0f} points/s  ({count / cpu:,.0f} per CPU-second; "
              f"{count} points, {seconds:.2f} s, {errors} errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

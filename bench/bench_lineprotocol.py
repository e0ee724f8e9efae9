"""Points per second of reading generated Telegraf-like line protocol.

Usage:  python bench/bench_lineprotocol.py [--points 1000000] [--file /tmp/bench.lp]

Generates the input once (bench/generate.py, seeded; reused when --file already has it), then
reads it with `read_points` from a binary file three ways:
  - parse:       iterate the points (fields stay undecoded: the lazy path)
  - parse+field: read one field of each point (`point.field(...)`)
  - parse+all:   decode every point's whole field dict
and prints points/second of wall time and per CPU-second for each (best of --repeat runs).

With --long-lines it times unusual inputs instead, each read with every field decoded: a 10 MB
line of 600,000 fields, a 4 MB string field (plain, and full of escaped quotes), a 13 MB line
whose every key is escaped, 800,000 tags, and a 1,000,000-line file with one stray quote on
line 11 (the rest becomes one rejected entry, as in InfluxDB).
"""

from __future__ import annotations

import argparse
import io
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
                point.fields  # noqa: B018  (decode the lazy field block: part of what is measured)
                count += 1
    return count, time.perf_counter() - started, len(errors), time.process_time() - cpu_started


def _long_line_inputs() -> dict[str, str]:
    lines = [f"m,host=h{i % 100} v={i} {i}" for i in range(1_000_000)]
    lines[10] = 'm,host=h v="oops 11'
    return {
        "10 MB line, 600k fields": "m " + ",".join(f"f{i}={i}.5" for i in range(600_000)) + " 1\n",
        "4 MB string field": 'm s="' + "abc def " * 500_000 + '" 1\n',
        "4 MB string, escapes": 'm s="' + 'ab\\"cd \\\\ ' * 400_000 + '" 1\n',
        "13 MB line, escaped keys": ("m\\ x,t\\ a=v\\,1 " + ",".join(f"f\\ {i}={i}.5" for i in range(700_000))
                                     + " 1\n"),
        "800k tags (too long a key)": "m," + ",".join(f"t{i}=v{i}" for i in range(800_000)) + " v=1 1\n",
        "1M lines, stray quote": "\n".join(lines) + "\n",
    }


def _run_long_lines(repeat: int) -> None:
    for name, text in _long_line_inputs().items():
        data = text.encode()
        best = None
        for _ in range(repeat):
            errors: list = []
            cpu_started = time.process_time()
            points = 0
            for point in read_points(io.BytesIO(data), now=0, on_error=errors.append):
                point.fields  # noqa: B018  (decode the lazy field block: part of what is measured)
                points += 1
            cpu = time.process_time() - cpu_started
            best = cpu if best is None else min(best, cpu)
        print(f"{name:28s} {len(data) / 1e6:6.1f} MB  {best:6.2f} CPU-seconds  ({points} points, {len(errors)} errors)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--file", default=None, help="input cache (default: in the temp folder)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--modes", default="parse,parse+field,parse+all")
    parser.add_argument("--long-lines", action="store_true", help="time unusual inputs instead (see above)")
    args = parser.parse_args(argv)
    if args.long_lines:
        _run_long_lines(args.repeat)
        return 0
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

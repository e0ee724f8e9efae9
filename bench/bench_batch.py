"""CPU of a batch task's queries: the embedded InfluxDB (tickpy) against a real influxd.

Usage:  python bench/bench_batch.py [--hosts 100] [--points 1000000] [--repeat 3] [--profile]

Data: --points cpu points (`usage`, a float) spread evenly over one day and --hosts hosts,
seeded, written once to both databases (the writes are timed apart). Two scenarios, each the
queries Kapacitor sends for `batch|query('SELECT mean(usage) FROM cpu').groupBy(time(1m), 'host')`:
  - day:     one run with .period(1d): one query over the whole day (1440 x hosts windows),
  - minutes: .period(1m).every(1m) over the day: 1440 queries of one minute each.
For each: CPU-seconds of this process for EmbeddedDatabase.select (the statement parsed, run,
the series built), and of the influxd process for the same statements through /query (from
/proc/<pid>/stat, before and after: the server's CPU only, not the client's JSON decoding);
best of --repeat. The two answers are compared (they must be equal). influxd is started on
127.0.0.1 on free ports with a temporary data folder (as tests/influxdb does); TICKPY_INFLUXD
overrides its path.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pathlib
import pstats
import random
import shutil
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.influxdb.conftest import Influxd, influxd_path, same  # noqa: E402
from tickpy.influxql import QueryPlan  # noqa: E402
from tickpy.runtime.influxdb import EmbeddedDatabase  # noqa: E402
from tickpy.runtime.lineprotocol import parse_points  # noqa: E402

DAY_START = 1578268800 * 10**9  # 2020-01-06T00:00:00Z, a Monday: the day is one shard
DAY = 86400 * 10**9
MINUTE = 60 * 10**9
QUERY = "SELECT mean(usage) FROM cpu"


def generated_lines(points: int, hosts: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    per_host = points // hosts
    step = DAY // per_host
    lines = []
    for index in range(hosts):
        tags = f"cpu,host=host{index:03d},region=r{index % 5}"
        for i in range(per_host):
            time_ns = DAY_START + i * step + rng.randrange(step)
            lines.append(f"{tags} usage={rng.uniform(0, 100):.3f} {time_ns}")
    return lines


def plans(scenario: str) -> list[QueryPlan]:
    if scenario == "day":
        return [QueryPlan(QUERY, DAY_START, DAY_START + DAY, (MINUTE, 0), ("host",))]
    return [QueryPlan(QUERY, DAY_START + m * MINUTE, DAY_START + (m + 1) * MINUTE, (MINUTE, 0), ("host",))
            for m in range(DAY // MINUTE)]


def process_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_embedded(database: EmbeddedDatabase, scenario_plans: list[QueryPlan]) -> tuple[float, list]:
    started = time.process_time()
    answers = [database.select(plan, "bench", "autogen") for plan in scenario_plans]
    return time.process_time() - started, answers


def time_influxd(server: Influxd, scenario_plans: list[QueryPlan]) -> tuple[float, list]:
    before = process_cpu(server.process.pid)
    answers = [server.remote.select(plan, "bench", "") for plan in scenario_plans]
    return process_cpu(server.process.pid) - before, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", choices=("day", "minutes", "all"), default="all")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the embedded runs")
    args = parser.parse_args(argv)
    path = influxd_path()
    if path is None:
        raise SystemExit("influxd is not installed (apt-get install influxdb, or set TICKPY_INFLUXD)")

    lines = generated_lines(args.points, args.hosts)
    database = EmbeddedDatabase()
    started = time.process_time()
    report = database.write("bench", "autogen", parse_points("\n".join(lines)))
    write_cpu = time.process_time() - started
    print(f"{report.written:,} points, {args.hosts} hosts, one day; embedded write (parse included): "
          f"{write_cpu:.2f} CPU-s")

    root = tempfile.mkdtemp(prefix="tickpy-bench-influxd-")
    server = Influxd(path, root)
    try:
        server.create_database("bench")
        before = process_cpu(server.process.pid)
        for start in range(0, len(lines), 10_000):
            status, body = server.write("bench", "\n".join(lines[start : start + 10_000]))
            assert status == 204, body
        print(f"influxd write (10,000 lines per request): {process_cpu(server.process.pid) - before:.2f} CPU-s")
        scenarios = ["day", "minutes"] if args.scenario == "all" else [args.scenario]
        for scenario in scenarios:
            scenario_plans = plans(scenario)
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                time_embedded(database, scenario_plans)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
            ours, theirs = [], []
            for _ in range(args.repeat):  # the first embedded run also sorts the columns it reads
                cpu, our_answers = time_embedded(database, scenario_plans)
                ours.append(cpu)
                cpu, their_answers = time_influxd(server, scenario_plans)
                theirs.append(cpu)
            for real, mine in zip(their_answers, our_answers):
                same(real, mine)
            rows = sum(len(series.values) for answer in our_answers for series in answer)
            print(f"{scenario}: {len(scenario_plans)} queries, {rows:,} rows, same answers; best of {args.repeat}: "
                  f"embedded {min(ours):.2f} CPU-s (first run {ours[0]:.2f}), influxd {min(theirs):.2f} CPU-s "
                  f"(first run {theirs[0]:.2f}); ratio {min(ours) / max(min(theirs), 1e-9):.2f}")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Deterministic Telegraf-like line protocol for benchmarks.

Every tick (10 s apart) each host reports, like Telegraf's default inputs:
  - cpu:    cpu-total and one line per core, 10 float fields (usage_user ... usage_guest_nice)
  - mem:    integer byte counts and two float percentages
  - disk:   two mount points, integer sizes and inode counts, one float percentage
  - system: load averages (floats) and counters (integers); and a second line with the
            string field uptime_format, as Telegraf writes it

Usage:  python bench/generate.py --points 1000000 --out /tmp/points.lp [--hosts 100] [--seed 1]

The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from typing import TextIO

CPU_FIELDS = (
    "usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
    "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice",
)  # fmt: skip
START_NS = 1_700_000_000_000_000_000
TICK_NS = 10_000_000_000


def _percentages(rng: random.Random) -> list[float]:
    idle = rng.uniform(40.0, 99.0)
    rest = [rng.random() for _ in range(len(CPU_FIELDS) - 1)]
    scale = (100.0 - idle) / sum(rest)
    values = [round(share * scale, 6) for share in rest]
    values.insert(2, round(idle, 6))
    return values


def host_lines(rng: random.Random, host: str, cores: int, tick: int, timestamp: int) -> list[str]:
    lines = []
    for cpu in ["cpu-total"] + [f"cpu{index}" for index in range(cores)]:
        fields = ",".join(f"{name}={value}" for name, value in zip(CPU_FIELDS, _percentages(rng)))
        lines.append(f"cpu,cpu={cpu},host={host} {fields} {timestamp}")
    total = 16 * 1024**3
    used = rng.randrange(total // 8, total)
    lines.append(
        f"mem,host={host} total={total}i,used={used}i,free={total - used}i,"
        f"available={total - used}i,cached={rng.randrange(1 << 30)}i,buffered={rng.randrange(1 << 28)}i,"
        f"used_percent={round(100 * used / total, 6)},available_percent={round(100 - 100 * used / total, 6)} "
        f"{timestamp}"
    )
    for device, path in (("sda1", "/"), ("sdb1", "/data")):
        size = 500 * 1024**3
        used_bytes = rng.randrange(size // 10, size)
        inodes = 32_000_000
        used_inodes = rng.randrange(inodes // 10, inodes)
        lines.append(
            f"disk,device={device},fstype=ext4,host={host},mode=rw,path={path} "
            f"free={size - used_bytes}i,total={size}i,used={used_bytes}i,"
            f"used_percent={round(100 * used_bytes / size, 6)},inodes_free={inodes - used_inodes}i,"
            f"inodes_total={inodes}i,inodes_used={used_inodes}i {timestamp}"
        )
    uptime = 86_400 * 3 + tick * 10
    lines.append(
        f"system,host={host} load1={round(rng.uniform(0, 8), 2)},load5={round(rng.uniform(0, 6), 2)},"
        f"load15={round(rng.uniform(0, 4), 2)},n_cpus={cores}i,n_users={rng.randrange(1, 9)}i,"
        f"uptime={uptime}i {timestamp}"
    )
    days, seconds = divmod(uptime, 86_400)
    lines.append(
        f'system,host={host} uptime_format="{days} days, {seconds // 3600:2d}:{seconds % 3600 // 60:02d}" '
        f"{timestamp}"
    )
    return lines


def generate(points: int, hosts: int = 100, seed: int = 1, cores: int = 4) -> Iterator[str]:
    """`points` lines of line protocol (without newlines), in time order."""
    rng = random.Random(seed)
    names = [f"host{index:04d}" for index in range(hosts)]
    produced = 0
    tick = 0
    while True:
        timestamp = START_NS + tick * TICK_NS
        for host in names:
            for line in host_lines(rng, host, cores, tick, timestamp):
                if produced == points:
                    return
                yield line
                produced += 1
        tick += 1


def write(points: int, out: TextIO, hosts: int = 100, seed: int = 1) -> None:
    for line in generate(points, hosts, seed):
        out.write(line)
        out.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, required=True, help="number of lines to write")
    parser.add_argument("--out", default="-", help="output file ('-' for stdout)")
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.out == "-":
        write(args.points, sys.stdout, args.hosts, args.seed)
    else:
        with open(args.out, "w", encoding="utf-8") as out:
            write(args.points, out, args.hosts, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory of `tickpy run` as the input grows: flat without windows, bounded with them.

Usage:  python bench/bench_memory.py [--points 10000000] [--checkpoints 1000000,5000000]
                                     [--scenario seed|window|all]

For each scenario (the seed and window scripts of bench/bench_run.py; alerting, where events
fire, on request) one
`tickpy run SCRIPT -` child process reads generated points (bench/generate.py, seeded) from
its stdin through a pipe: the points are generated on the fly by this process, so no file of
2 GB is written. At each checkpoint (and at the end) the child's peak resident set size
(VmHWM of /proc/PID/status) and current one (VmRSS) are printed; the pipe holds at most a few
hundred lines, so the child has read (almost) all the points written so far. At the end the
child's own ru_maxrss (wait4) is printed as well, with its CPU time and points per CPU-second.

The machine is shared: 10,000,000 points take a minute or two per scenario (the generator and
tickpy each keep a core busy); run it once.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_run import CLI, TCPSink, child_env, chosen_scenarios, scenario_scripts, warm_up  # noqa: E402
from bench.generate import generate  # noqa: E402

WRITE_EVERY = 5_000  # lines joined per write into the pipe


def _status_kib(pid: int) -> dict[str, int]:
    """VmHWM and VmRSS of process `pid`, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                values[key] = int(rest.split()[0])
    return values


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.1f} MiB"


def measure(name: str, script: pathlib.Path, points: int, checkpoints: list[int]) -> None:
    warm_up(script)
    child = subprocess.Popen([*CLI, "run", str(script), "-"], env=child_env(),
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started = time.perf_counter()
    pending: list[str] = []
    written = 0
    marks = sorted(set(checkpoints + [points]))
    try:
        for line in generate(points):
            pending.append(line)
            written += 1
            if len(pending) == WRITE_EVERY or written in marks:
                pending.append("")
                child.stdin.write("\n".join(pending).encode())
                pending.clear()
            if written in marks:
                child.stdin.flush()
                status = _status_kib(child.pid)
                print(f"{name:7} {written:>12,} points written: peak RSS {_mib(status['VmHWM'])}, "
                      f"RSS {_mib(status['VmRSS'])}, {time.perf_counter() - started:6.1f} s", flush=True)
        child.stdin.close()
    except BrokenPipeError:
        pass
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    if child.returncode != 0:
        raise SystemExit(f"tickpy run failed ({child.returncode}): {errors[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    summary = errors.strip().splitlines()[-1] if errors.strip() else ""
    print(f"{name:7} done: ru_maxrss {_mib(usage.ru_maxrss)}, {cpu:.1f} CPU-s "
          f"({points / cpu:,.0f} points per CPU-second); {summary}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--checkpoints", default="1000000,5000000",
                        help="comma-separated point counts at which memory is read")
    parser.add_argument("--scenario", choices=("seed", "window", "alerting", "all"), default="all",
                        help="all: seed and window (alerting is slow: use fewer points)")
    args = parser.parse_args(argv)
    checkpoints = [int(text) for text in args.checkpoints.split(",") if text.strip()]
    sink = TCPSink()
    try:
        with tempfile.TemporaryDirectory(prefix="tickpy-bench-memory-") as temp:
            folder = pathlib.Path(temp)
            scripts = scenario_scripts(sink.address, folder, ROOT / "samples" / "tcp-cpu-alert.tick")
            chosen = chosen_scenarios(args.scenario)
            for name in chosen:
                path = folder / f"{name}.tick"
                path.write_text(scripts[name], encoding="utf-8")
                measure(name, path, args.points, [c for c in checkpoints if c < args.points])
    finally:
        sink.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

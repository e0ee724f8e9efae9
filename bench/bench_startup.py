"""Start-up cost of the `tickpy` command: CPU time (user + system) of one short call, median of
N runs, next to a bare `python -c 'import click'` (the floor any click program pays).

    python bench/bench_startup.py [--runs 20]

Each command is run once first (byte code and the parser cache written), then N times; the
CPU time of each child is read from the kernel's accounting (getrusage of the reaped child), so
other work on a shared machine inflates the wall time but hardly the CPU time.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_run import TCPSink  # noqa: E402  (the same sink the throughput benchmark uses)

SAMPLES = ROOT / "samples"


def child_env() -> dict[str, str]:
    """Byte code cached (in the temp folder, not the repository) as in an ordinary
    installation, even where PYTHONDONTWRITEBYTECODE is set."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "tickpy-bench-pycache")
    return env


def tickpy_command() -> list[str]:
    """The installed console script beside this interpreter, as a user runs it."""
    script = shutil.which("tickpy", path=str(pathlib.Path(sys.executable).parent))
    if script is not None:
        return [script]
    return [sys.executable, "-c", "import sys; from tickpy.cli import main; sys.exit(main())"]


def measure(argv: list[str], runs: int) -> tuple[float, float]:
    """(median CPU seconds, median wall seconds) of `runs` calls, after one warm-up call."""
    env = child_env()
    warm = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    if warm.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {warm.returncode}: {warm.stderr}")
    cpu, wall = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(cpu), statistics.median(wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)

    tickpy = tickpy_command()
    sink = TCPSink()
    with tempfile.TemporaryDirectory() as folder:
        tcp_script = pathlib.Path(folder) / "tcp-cpu-alert.tick"
        source = (SAMPLES / "tcp-cpu-alert.tick").read_text(encoding="utf-8")
        tcp_script.write_text(re.sub(r"\.tcp\('[^']*'\)", f".tcp('{sink.address}')", source), encoding="utf-8")
        cases = [
            ("python -c 'import click'", [sys.executable, "-c", "import click"]),
            ("tickpy --help", [*tickpy, "--help"]),
            ("tickpy validate samples/cpu_alert.tick", [*tickpy, "validate", str(SAMPLES / "cpu_alert.tick")]),
            ("tickpy fmt samples/cpu_alert.tick", [*tickpy, "fmt", str(SAMPLES / "cpu_alert.tick")]),
            ("tickpy run samples/tcp-cpu-alert.tick samples/cpu.lp",
             [*tickpy, "run", str(tcp_script), str(SAMPLES / "cpu.lp")]),
        ]
        results = [(label, *measure(command, args.runs)) for label, command in cases]
    sink.close()

    floor = results[0][1]
    print(f"median of {args.runs} runs; CPU = user + system")
    print(f"{'command':<55} {'CPU ms':>7} {'above click':>12} {'wall ms':>8}")
    for label, cpu, wall in results:
        print(f"{label:<55} {cpu * 1000:7.0f} {(cpu - floor) * 1000:12.0f} {wall * 1000:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

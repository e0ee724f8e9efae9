"""Time parsing (and formatting) the conformance scripts in one process.

    .venv/bin/python bench/bench_parse.py [--repeat N] [--fmt] [FOLDER]

FOLDER defaults to the `scripts` conformance set (TICKPY_CONFORMANCE or ../shared/conformance).
Reading the files is not timed; the first round includes nothing but parsing (the grammar is
loaded at import). Prints the best and the mean of N rounds.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tickpy.diagnostics import TickpyError  # noqa: E402
from tickpy.syntax import format_program, parse  # noqa: E402


def default_folder() -> pathlib.Path:
    override = os.environ.get("TICKPY_CONFORMANCE")
    base = pathlib.Path(override) if override else ROOT.parent / "shared" / "conformance"
    return base / "scripts"


def load(folder: pathlib.Path) -> list[tuple[str, str]]:
    scripts = sorted(folder.rglob("*.tick"))
    return [(str(p), p.read_bytes().decode("utf-8", "surrogateescape")) for p in scripts]


def one_round(sources: list[tuple[str, str]], with_fmt: bool) -> tuple[float, int]:
    rejected = 0
    start = time.perf_counter()
    for path, source in sources:
        try:
            program = parse(source, path)
        except TickpyError:
            rejected += 1
            continue
        if with_fmt:
            format_program(program)
    return time.perf_counter() - start, rejected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=pathlib.Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fmt", action="store_true", help="also format every script that parses")
    args = parser.parse_args()
    folder = args.folder or default_folder()
    if not folder.is_dir():
        print(f"no scripts folder at {folder}", file=sys.stderr)
        return 2
    sources = load(folder)
    total_bytes = sum(len(s.encode("utf-8", "surrogateescape")) for _, s in sources)
    rounds = [one_round(sources, args.fmt) for _ in range(max(args.repeat, 1))]
    times = [t for t, _ in rounds]
    what = "parse+fmt" if args.fmt else "parse"
    print(
        f"{what}: {len(sources)} scripts ({total_bytes / 1024:.0f} KiB, {rounds[0][1]} rejected): "
        f"best {min(times) * 1000:.0f} ms, mean {statistics.mean(times) * 1000:.0f} ms, "
        f"{min(times) / len(sources) * 1e6:.0f} us/script, {total_bytes / min(times) / 1e6:.2f} MB/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

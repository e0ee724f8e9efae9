"""Benchmark: validate every corpus script (../shared/conformance/scripts, or TICKPY_CONFORMANCE)
in one process, as `tickpy validate DIR` does: parse, evaluate, node checks and lints.

    python bench/bench_validate.py [--budget SECONDS]

Prints the wall time; exits 1 when it exceeds the budget (2 s by default, the target of issue 5).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=2.0)
    options = parser.parse_args()
    base = pathlib.Path(os.environ.get("TICKPY_CONFORMANCE", ROOT.parent / "shared" / "conformance")) / "scripts"
    scripts = sorted(base.glob("*/script.tick"))
    if not scripts:
        print(f"no scripts under {base}", file=sys.stderr)
        return 2
    sources = [(str(p), p.read_bytes().decode("utf-8", errors="replace")) for p in scripts]
    started = time.perf_counter()
    from tickpy.cli.validate import validate_source

    valid = 0
    for path, source in sources:
        ok, _diagnostics, _kind = validate_source(source, path)
        valid += ok
    elapsed = time.perf_counter() - started
    print(f"validated {len(sources)} scripts ({valid} valid) in {elapsed:.3f} s (budget {options.budget:.1f} s)")
    return 0 if elapsed <= options.budget else 1


if __name__ == "__main__":
    sys.exit(main())

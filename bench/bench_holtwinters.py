"""holtWinters: CPU time of one window's fit and forecast (InfluxDB's Nelder-Mead, 16 starts).

    .venv/bin/python bench/bench_holtwinters.py [--repeat 5]

Windows: Kapacitor's TestStream_HoltWinters data (10 points, no seasons) and 30 points of a
seasonal series with period 4, with and without a gap. Each figure is the best of --repeat
runs, in CPU time (the machine is shared). To measure another checkout with the same
interpreter: `PYTHONPATH=/path/to/checkout python bench/bench_holtwinters.py`.
"""

from __future__ import annotations

import argparse
import math
import time

from tickpy.runtime.aggregates import HoltWintersReducer

S = 1_000_000_000
T0 = 31_536_000 * S
KAPACITOR = [1000, 1001, 1002, 1003, 1004, 1006, 1007, 1007, 1008, 1009]
SEASONAL = [50 + 10 * math.sin(math.pi * i / 2) + 0.1 * i for i in range(30)]

CASES = [
    ("Kapacitor's test window, 10 points", 0, [(T0 + i * S, float(v)) for i, v in enumerate(KAPACITOR)]),
    ("30 points, period 4", 4, [(T0 + i * S, v) for i, v in enumerate(SEASONAL)]),
    ("30 points, period 4, one missing", 4, [(T0 + i * S, v) for i, v in enumerate(SEASONAL) if i != 7]),
]


def measure(m: int, points: list, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        reducer = HoltWintersReducer(3, m, False, S)
        for time_ns, value in points:
            reducer.add(time_ns, value, None)
        started = time.process_time()
        reducer.emit()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, m, points in CASES:
        print(f"{name:40s} {measure(m, points, args.repeat) * 1000:8.1f} ms CPU per window")


if __name__ == "__main__":
    main()

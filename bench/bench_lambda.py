"""Lambda evaluation throughput: evaluations per second on a prepared point.

    .venv/bin/python bench/bench_lambda.py [--seconds 2]

Measures the evaluator the engine uses (`compile_lambda(...).new_evaluator().evaluate`)
on a simple predicate and on a compound expression with function calls. Each figure is
the best of several timed rounds, to be robust to other load on the machine.
"""

from __future__ import annotations

import argparse
import time

from tickpy.lang import compile_lambda
from tickpy.syntax.parser import parse_lambda_expression

CASES = [
    ("simple predicate", '"usage_idle" < 10', "predicate", {"usage_idle": 5.5, "usage_user": 40.0}),
    (
        "compound with function calls",
        '"usage_idle" < 10 AND strHasPrefix("host", \'srv\') OR abs("usage_user" - 50.0) > sqrt("load") * 2.0',
        "predicate",
        {"usage_idle": 50.0, "usage_user": 40.0, "load": 4.0},
    ),
    ("eval arithmetic", '"usage_user" * 100.0 / ("usage_user" + "usage_idle")', "eval", {"usage_idle": 50.0, "usage_user": 40.0}),
    ("stateful sigma", 'sigma("usage_user") > 3.0', "predicate", {"usage_idle": 50.0, "usage_user": 40.0}),
]
TAGS = {"host": "srv01", "cpu": "cpu-total"}


def measure(expression: str, mode: str, fields: dict, seconds: float) -> float:
    evaluate = compile_lambda(parse_lambda_expression(expression), mode=mode).new_evaluator().evaluate
    tags = TAGS
    time_ns = 1_700_000_000_000_000_000
    best = 0.0
    deadline = time.perf_counter() + seconds
    batch = 100_000
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        for _ in range(batch):
            evaluate(fields, tags, time_ns)
        elapsed = time.perf_counter() - start
        best = max(best, batch / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent per expression")
    args = parser.parse_args()
    for label, expression, mode, fields in CASES:
        rate = measure(expression, mode, fields, args.seconds)
        print(f"{label:32s} {rate / 1e6:6.2f} M evaluations/s   {expression}")


if __name__ == "__main__":
    main()

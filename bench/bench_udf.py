"""Points per second of a moving average computed three ways (issue 16):

  - agent:      a UDF agent process speaking Kapacitor's UDF protocol over stdin/stdout (a small
                moving-average agent written with tickpy's codec, below), through the process
                protocol as `tickpy run` drives it (one keepalive round trip per point);
  - kapacitor:  Kapacitor's own udf/agent/examples/moving_avg.py with its Python agent library
                (needs TICKPY_KAPACITOR_SRC and the protobuf package; skipped otherwise);
  - python:     the same computation as an in-process Python UDF (tickpy.udf);
  - builtin:    the built-in movingAverage node.

Usage:  python bench/bench_udf.py [--points 20000] [--window 10]

Each scenario runs `@movingAverage().field('value').size(N).as('avg')` (or |movingAverage) over
the same points (one measurement, 10 hosts grouped by host), through the API with the points
in memory, so that reading is not measured. It prints points/second of wall time and per
CPU-second of this process (the agent's own CPU time is not in that figure: wall time is the
fair one for the process protocol).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tickpy.api import RunOptions, run  # noqa: E402
from tickpy.runtime.point import Point  # noqa: E402
from tickpy.runtime.udf.agent import FunctionConfig  # noqa: E402

UDF_SCRIPT = """stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  @movingAverage()
    .field('value')
    .size({window})
    .as('avg')
"""
BUILTIN_SCRIPT = """stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |movingAverage('value', {window})
    .as('avg')
"""

AGENT = textwrap.dedent('''
    import sys
    from tickpy.runtime.udf import wire

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    windows, size, field, name = {}, 0, "", "avg"

    def answer(kind, values):
        stdout.write(wire.frame("Response", {kind: values}))

    while True:
        length = shift = 0
        while True:
            byte = stdin.read(1)
            if not byte:
                sys.exit(0)
            length |= (byte[0] & 0x7F) << shift
            if not byte[0] & 0x80:
                break
            shift += 7
        request = wire.decode("Request", stdin.read(length))
        kind = wire.which(request)
        body = request[kind]
        if kind == "info":
            answer("info", {"options": {"field": {"valueTypes": [wire.STRING]}, "size": {"valueTypes": [wire.INT]},
                                        "as": {"valueTypes": [wire.STRING]}}})
            stdout.flush()
        elif kind == "init":
            for option in body.get("options", []):
                value = option["values"][0]
                if option["name"] == "field":
                    field = value["stringValue"]
                elif option["name"] == "size":
                    size = value["intValue"]
                else:
                    name = value["stringValue"]
            answer("init", {"success": True})
            stdout.flush()
        elif kind == "keepalive":
            answer("keepalive", body)
            stdout.flush()
        elif kind == "point":
            window = windows.setdefault(body.get("group", ""), [])
            window.append(body["fieldsDouble"][field])
            del window[:-size]
            point = dict(body, fieldsDouble={name: sum(window) / len(window)})
            answer("point", point)
''')


def python_udf():
    import tickpy.udf as udf

    @udf.function(options={"field": "string", "size": "int", "as": "string"}, name="movingAverage")
    class MovingAverage:
        def __init__(self, options):
            self.field, self.size, self.name = options["field"], options["size"], options.get("as", "avg")
            self.windows = {}

        def point(self, point):
            window = self.windows.setdefault(point.group, [])
            window.append(point.fields[self.field])
            del window[:-self.size]
            return udf.Point(point.time, {self.name: sum(window) / len(window)}, point.tags, point.name,
                             dimensions=point.dimensions)

    return MovingAverage


def make_points(count: int) -> list[Point]:
    return [Point("cpu", {"host": f"h{i % 10}"}, {"value": float(i % 97)}, i * 10**9) for i in range(count)]


def kapacitor_agent(folder: pathlib.Path) -> FunctionConfig | None:
    source = os.environ.get("TICKPY_KAPACITOR_SRC", "")
    try:
        import google.protobuf  # noqa: F401
    except ImportError:
        return None
    if not source:
        return None
    for path in ("udf/agent/py/kapacitor/__init__.py", "udf/agent/py/kapacitor/udf/__init__.py",
                 "udf/agent/py/kapacitor/udf/agent.py", "udf/agent/py/kapacitor/udf/udf_pb2.py",
                 "udf/agent/examples/moving_avg/moving_avg.py"):
        text = subprocess.run(["git", "-C", source, "show", f"HEAD:{path}"], check=True, capture_output=True).stdout
        target = folder / (path.split("udf/agent/py/")[1] if "/py/" in path else "moving_avg.py")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text)
    return FunctionConfig("movingAverage", prog=sys.executable, args=["-u", str(folder / "moving_avg.py")],
                          env={"PYTHONPATH": str(folder)}, timeout_ns=10 * 10**9)


def measure(label: str, script: str, points: list[Point], window: int, **options) -> None:
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    wall0 = time.perf_counter()
    logged: list[str] = []
    result = run(script, points, RunOptions(dbrp=("db", "rp"), log_sink=logged.append, **options))
    wall = time.perf_counter() - wall0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    assert result.task_error is None, result.task_error
    out = sum(entry["points_out"] for name, entry in result.stats.items() if name.startswith("movingAverage"))
    # Each UDF answers every point; the built-in node only once a group's window is full.
    assert out >= len(points) - 10 * window, (label, out)
    print(f"{label:<44} {len(points) / wall:>12,.0f} points/s wall   {len(points) / cpu:>12,.0f} per CPU-second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--window", type=int, default=10)
    options = parser.parse_args()
    points = make_points(options.points)
    udf_script = UDF_SCRIPT.format(window=options.window)
    with tempfile.TemporaryDirectory() as folder:
        agent_file = pathlib.Path(folder) / "mavg_agent.py"
        agent_file.write_text(AGENT)
        env = {"PYTHONPATH": str(ROOT)}
        agent = FunctionConfig("movingAverage", prog=sys.executable, args=[str(agent_file)], env=env,
                               timeout_ns=10 * 10**9)
        measure("agent process (tickpy's codec), process protocol", udf_script, points, options.window,
                udfs={"movingAverage": agent})
        kapacitor = kapacitor_agent(pathlib.Path(folder) / "kapacitor")
        if kapacitor is not None:
            measure("Kapacitor's moving_avg.py agent", udf_script, points, options.window,
                    udfs={"movingAverage": kapacitor})
        else:
            print("Kapacitor's moving_avg.py agent: skipped (set TICKPY_KAPACITOR_SRC, install protobuf)")
    measure("in-process Python UDF (tickpy.udf)", udf_script, points, options.window,
            udfs={"movingAverage": python_udf()})
    measure("built-in movingAverage node", BUILTIN_SCRIPT.format(window=options.window), points, options.window)


if __name__ == "__main__":
    main()

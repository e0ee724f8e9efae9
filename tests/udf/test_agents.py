"""UDF agents as child processes and over a unix socket: Kapacitor's own Python agents
(udf/agent/examples) and the minimal agent of these tests, through `tickpy run` and the API."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.udf.conftest import kapacitor_agent_section, minimal_agent_section
from tickpy.api import RunOptions, run
from tickpy.runtime.messages import Dimensions, PointMessage
from tickpy.runtime.point import Point
from tickpy.runtime.udf.agent import Agent, FunctionConfig
from tickpy.runtime.udf.sessions import point_request

SECOND = 10**9


def points(*rows):
    """(host, value, seconds) -> points of measurement cpu."""
    return [Point("cpu", {"host": host}, {"value": float(value)}, seconds * SECOND) for host, value, seconds in rows]


def captured_run(script: str, data, config: str, tmp_path, **options):
    conf = tmp_path / "kapacitor.conf"
    conf.write_text(config)
    logged: list[str] = []
    result = run(script, data, RunOptions(config=str(conf), dbrp=("db", "rp"), log_sink=logged.append, **options))
    return result, logged


def log_points(lines: list[str]) -> list[str]:
    """The point lines a log() node wrote: field and tag parts with the time."""
    out = []
    for line in lines:
        if "msg=point" in line:
            out.append(" ".join(part for part in line.split() if part.startswith(("tag_", "field_", "time="))))
    return out


MOVING_AVERAGE = """
stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    @movingAverage()
        .field('value')
        .size(3)
        .as('avg')
    |log()
"""


def test_kapacitor_moving_avg_agent(kapacitor_agents, tmp_path):
    config = kapacitor_agent_section("movingAverage", kapacitor_agents, "moving_avg.py")
    data = points(("a", 1, 1), ("b", 100, 1), ("a", 2, 2), ("a", 6, 3), ("b", 200, 2), ("a", 10, 4))
    result, logged = captured_run(MOVING_AVERAGE, data, config, tmp_path)
    assert result.task_error is None
    # The average of the last three values of each host (groupBy: one window per group).
    assert log_points(logged) == [
        "tag_host=a field_avg=1 time=1970-01-01T00:00:01Z",
        "tag_host=b field_avg=100 time=1970-01-01T00:00:01Z",
        "tag_host=a field_avg=1.5 time=1970-01-01T00:00:02Z",
        "tag_host=a field_avg=3 time=1970-01-01T00:00:03Z",
        "tag_host=b field_avg=150 time=1970-01-01T00:00:02Z",
        "tag_host=a field_avg=6 time=1970-01-01T00:00:04Z",
    ]
    # The agent's stderr (Python's logging) is logged as Kapacitor logs it.
    assert any('msg="UDF log"' in line and "Starting Agent" in line for line in logged)
    assert result.stats["movingAverage2"]["points_out"] == 6


OUTLIERS = """
stream
    |from()
        .measurement('cpu')
    |window()
        .period(10s)
        .every(10s)
    @outliers()
        .field('value')
        .scale(1.5)
    |httpOut('outliers')
"""


def _kapacitor_outliers(folder, values, scale):
    """What outliers.py's own state class finds (Kapacitor's code, run here for the expectation)."""
    import importlib.util

    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location("kapacitor_outliers_example", folder / "outliers.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
    state = module.OutliersHandler.state()
    for value in values:
        state.update(value, value)
    return state.outliers(scale)


def test_kapacitor_outliers_agent_batches(kapacitor_agents, tmp_path):
    config = kapacitor_agent_section("outliers", kapacitor_agents, "outliers.py")
    values = [1.0, 50.0, 51.0, 52.0, 50.0, 51.0, 52.0, 50.0, 51.0, 52.0]
    expected = _kapacitor_outliers(kapacitor_agents, values, 1.5)
    assert expected  # the data has an outlier by the example's own rule
    data = points(*[("a", v, s) for s, v in enumerate(values)], ("a", 10, 10))
    result, _ = captured_run(OUTLIERS, data, config, tmp_path)
    assert result.task_error is None
    series = result.httpout["outliers"]["series"]
    assert series[0]["columns"] == ["time", "host", "value"]  # the points keep their tags
    assert [row[2] for row in series[0]["values"]] == expected
    assert series[0]["name"] == "cpu"
    assert result.stats["outliers3"]["batches_out"] == 1


def test_kapacitor_mirror_agent_over_a_socket(kapacitor_agents, tmp_path):
    path = tmp_path / "mirror.sock"
    env = dict(os.environ, PYTHONPATH=str(kapacitor_agents))
    server = subprocess.Popen([sys.executable, "-u", str(kapacitor_agents / "mirror.py"), str(path)], env=env,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not path.exists():  # the server binds, then listens: connecting is retried by tickpy
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "the mirror server did not create its socket"
            time.sleep(0.01)
        config = f'[udf.functions.mirror]\nsocket = "{path}"\ntimeout = "10s"\n'
        script = "stream\n    |from()\n        .measurement('cpu')\n    @mirror()\n    |log()\n"
        result, logged = captured_run(script, points(("a", 1, 1), ("b", 2, 2)), config, tmp_path)
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()
    assert result.task_error is None
    assert log_points(logged) == ["tag_host=a field_value=1 time=1970-01-01T00:00:01Z",
                                  "tag_host=b field_value=2 time=1970-01-01T00:00:02Z"]


def test_minimal_agent_keeps_group_and_types(tmp_path):
    config = minimal_agent_section("mirror", "mirror")
    data = [Point("cpu", {"host": "a"}, {"f": 1.5, "i": 7, "s": "x y", "b": True}, SECOND)]
    script = "stream\n    |from()\n        .measurement('cpu')\n        .groupBy('host')\n    @mirror()\n" \
             "    |httpOut('out')\n"
    result, _ = captured_run(script, data, config, tmp_path)
    row = result.httpout["out"]["series"][0]
    assert row["tags"] == {"host": "a"}
    assert row["columns"] == ["time", "b", "f", "i", "s"]
    assert row["values"][0][1:] == [True, 1.5, 7, "x y"]
    assert type(row["values"][0][3]) is int


def test_cli_run_with_an_agent(tmp_path, cli):
    conf = tmp_path / "k.conf"
    conf.write_text(minimal_agent_section("echo", "mirror"))
    script = tmp_path / "t.tick"
    script.write_text("stream\n    |from()\n        .measurement('cpu')\n    @echo()\n        .note('hi')\n"
                      "    |influxDBOut()\n        .database('d')\n")
    result = cli("run", script, "-", "--config", conf, "--dbrp", "db.rp", stdin="cpu,host=a value=1 1000000000\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "cpu,host=a value=1 1000000000\n"
    assert "1 points read" in result.stderr


def test_snapshot_and_restore_with_kapacitor_agent(kapacitor_agents):
    """The snapshot a moving_avg.py agent gives restores another one to the same averages."""
    config = FunctionConfig("movingAverage", prog=sys.executable, args=["-u", str(kapacitor_agents / "moving_avg.py")],
                            env={"PYTHONPATH": str(kapacitor_agents)}, timeout_ns=10 * SECOND)
    options = [{"name": "field", "values": [{"type": 3, "stringValue": "value"}]},
               {"name": "size", "values": [{"type": 1, "intValue": 2}]}]

    def averages(agent, values):
        out = []
        for value in values:
            msg = PointMessage("cpu", {"host": "a"}, {"value": value}, SECOND, Dimensions(False, ("host",)))
            out += [r["point"]["fieldsDouble"]["avg"] for r in agent.send([("point", point_request(msg))])]
        return out

    first = Agent(config, "t", "n")
    first.open()
    first.init(options)
    assert averages(first, [2.0, 4.0]) == [2.0, 3.0]
    snapshot = first.snapshot()
    assert first.close() == []
    second = Agent(config, "t", "n")
    second.open()
    second.init(options)
    second.restore(snapshot)
    assert averages(second, [8.0]) == [6.0]  # the window held 4 from before the snapshot
    second.close()

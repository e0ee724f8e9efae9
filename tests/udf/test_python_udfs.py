"""Python UDFs in-process (tickpy.udf): the worked example of docs/udf.md run as it is written,
batches, failures, validate, trace, and `tickpy test` cases that use a UDF (a Python one and an
agent)."""

from __future__ import annotations

import json
import pathlib
import re
import sys
import textwrap

import pytest

from tests.udf.conftest import minimal_agent_section
from tickpy.api import RunOptions, run
from tickpy.runtime.point import Point

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "udf.md"


def doc_blocks() -> dict[str, str]:
    """The fenced blocks of docs/udf.md that carry a title: title -> text."""
    return {title: body for title, body in re.findall(r"```\w+ title=(\S+)\n(.*?)```", DOC.read_text(), re.S)}


@pytest.fixture
def in_folder(tmp_path, monkeypatch):
    """A folder the test runs in, its modules importable, none of them left imported after."""
    before = set(sys.modules)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", "") and str(tmp_path) in (sys.modules[name].__file__ or ""):
            del sys.modules[name]


def write_doc_example(folder: pathlib.Path) -> dict[str, str]:
    blocks = doc_blocks()
    for title in ("mavg.py", "mavg.tick", "cpu.lp"):
        (folder / title).write_text(blocks[title])
    return blocks


def test_docs_worked_example_with_udf_module(in_folder, cli):
    blocks = write_doc_example(in_folder)
    result = cli("run", "mavg.tick", "cpu.lp", "--udf-module", "mavg", "--dbrp", "db.rp", cwd=in_folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout == blocks["output"]


def test_docs_worked_example_from_the_config(in_folder, cli):
    blocks = write_doc_example(in_folder)
    (in_folder / "k.conf").write_text('[udf.functions.movingAverage]\nmodule = "mavg:movingAverage"\n')
    result = cli("run", "mavg.tick", "cpu.lp", "--config", "k.conf", "--dbrp", "db.rp", cwd=in_folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout == blocks["output"]


BATCH_MODULE = '''
import tickpy.udf as udf


@udf.function(wants="batch", provides="batch", options={"field": "string"}, name="top")
class Top:
    """Keeps the largest point of each batch."""

    def __init__(self, options):
        self.field = options["field"]

    def begin_batch(self, begin):
        self.begin = begin
        self.best = None

    def point(self, point):
        if self.best is None or point.fields[self.field] > self.best.fields[self.field]:
            self.best = point

    def end_batch(self, end):
        return udf.Batch(end.name, end.tags, end.tmax, [self.best] if self.best else [])


@udf.function(options={"limit": "double"})
class fragile:
    def __init__(self, options):
        self.limit = options["limit"]

    def point(self, point):
        if point.fields["value"] > self.limit:
            raise ArithmeticError("too big")
        return point
'''


def test_python_udf_on_batches(in_folder):
    (in_folder / "batchudfs.py").write_text(BATCH_MODULE)
    script = ("stream\n    |from()\n        .measurement('cpu')\n        .groupBy('host')\n    |window()\n"
              "        .period(10s)\n        .every(10s)\n    @top()\n        .field('value')\n    |httpOut('top')\n")
    data = [Point("cpu", {"host": h}, {"value": float(v)}, s * 10**9)
            for h, v, s in [("a", 3, 1), ("a", 9, 2), ("b", 4, 3), ("a", 5, 4), ("a", 1, 11), ("b", 1, 12)]]
    result = run(script, data, RunOptions(udf_modules=["batchudfs:Top"], dbrp=("db", "rp")))
    # a's window [1s, 11s) closes at a's point at 11s; b's [3s, 13s) is still open at the end.
    assert json.loads(result.httpout_json("top")) == {"series": [
        {"name": "cpu", "tags": {"host": "a"}, "columns": ["time", "value"], "values": [["1970-01-01T00:00:02Z", 9]]},
    ]}
    assert result.stats["top3"]["batches_out"] == 1


def test_python_udf_raising_stops_the_task(in_folder, cli):
    (in_folder / "batchudfs.py").write_text(BATCH_MODULE)
    (in_folder / "t.tick").write_text("stream\n    |from()\n        .measurement('cpu')\n    @fragile()\n"
                                      "        .limit(5.0)\n    |log()\n")
    points = "cpu value=1 1000000000\ncpu value=7 2000000000\ncpu value=2 3000000000\n"
    result = cli("run", "t.tick", "-", "--udf-module", "batchudfs", "--dbrp", "db.rp", stdin=points, cwd=in_folder)
    assert result.returncode == 1
    assert ("stopped: UDF fragile (node fragile2): error processing request of type point: ArithmeticError: too big"
            in result.stderr)
    assert "2 points read" in result.stderr


def test_python_udf_refusing_its_options(in_folder, cli):
    (in_folder / "batchudfs.py").write_text(BATCH_MODULE)
    (in_folder / "t.tick").write_text("stream\n    |from()\n    @fragile()\n    |log()\n")
    result = cli("run", "t.tick", "-", "--udf-module", "batchudfs", stdin="", cwd=in_folder)
    assert result.returncode == 2
    assert "UDF fragile (node fragile2): failed to initialize: KeyError: 'limit'" in result.stderr


def test_validate_with_udf_module(in_folder, cli):
    (in_folder / "batchudfs.py").write_text(BATCH_MODULE)
    (in_folder / "t.tick").write_text("stream\n    |from()\n    @fragile()\n        .limit('high')\n")
    result = cli("validate", "--udf-module", "batchudfs", "t.tick", cwd=in_folder)
    assert result.returncode == 1
    assert ".limit() of UDF fragile takes double, got a string" in result.stdout
    (in_folder / "t.tick").write_text("stream\n    |from()\n    @fragile()\n        .limit(1.0)\n")
    result = cli("validate", "--udf-module", "batchudfs", "t.tick", cwd=in_folder)
    assert result.returncode == 0, result.stdout


def test_unknown_udf_module(in_folder, cli):
    (in_folder / "t.tick").write_text("stream\n    |from()\n    @x()\n")
    result = cli("run", "t.tick", "-", "--udf-module", "no_such_module_here", stdin="", cwd=in_folder)
    assert result.returncode == 2
    assert "cannot load Python UDFs: ModuleNotFoundError" in result.stderr


def test_trace_shows_what_the_udf_got_and_gave(in_folder, cli):
    write_doc_example(in_folder)
    result = cli("run", "mavg.tick", "cpu.lp", "--udf-module", "mavg", "--dbrp", "db.rp", "--trace", cwd=in_folder)
    assert result.returncode == 0
    assert ("movingAverage2: sent point cpu,host=a usage=20 2000000000; received point cpu,host=a avg=15 2000000000; "
            "passed on") in result.stderr


def test_trace_of_an_agent(tmp_path, cli):
    conf = tmp_path / "k.conf"
    conf.write_text(minimal_agent_section("echo", "mirror"))
    (tmp_path / "t.tick").write_text("stream\n    |from()\n        .measurement('cpu')\n    @echo()\n    |log()\n")
    result = cli("run", tmp_path / "t.tick", "-", "--config", conf, "--dbrp", "db.rp", "--trace",
                 stdin="cpu,host=a value=1 1000000000\n")
    assert result.returncode == 0, result.stderr
    assert ("echo2: sent point cpu,host=a value=1 1000000000; received point cpu,host=a value=1 1000000000; "
            "passed on") in result.stderr


def test_tickpy_test_cases_using_udfs(in_folder, cli):
    write_doc_example(in_folder)
    (in_folder / "k.conf").write_text('[udf.functions.movingAverage]\nmodule = "mavg:movingAverage"\n'
                                      + minimal_agent_section("echo", "mirror"))
    (in_folder / "echo.tick").write_text("stream\n    |from()\n        .measurement('cpu')\n    @echo()\n"
                                         "    |influxDBOut()\n        .database('x')\n")
    (in_folder / "udfs.tickpy.yaml").write_text(textwrap.dedent("""\
        config: k.conf
        dbrp: db.rp
        tests:
          - name: the moving average of host a
            script: mavg.tick
            points: |
              cpu,host=a usage=10 0s
              cpu,host=a usage=30 1s
            expect:
              influxDBOut: |
                cpu,host=a avg=10 0
                cpu,host=a avg=20 1000000000
          - name: the agent mirrors
            script: echo.tick
            points: |
              cpu,host=a usage=10 0s
            expect:
              influxDBOut: |
                cpu,host=a usage=10 0
        """))
    result = cli("test", "udfs.tickpy.yaml", cwd=in_folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout + result.stderr

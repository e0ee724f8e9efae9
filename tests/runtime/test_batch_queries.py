"""Batch tasks over their points as the database: the schedule, the batches each run makes and
their times, against what Kapacitor 1.5.7 recorded (kapacitor_batch_cases/, see its README)
and against what Kapacitor's code says (batch.go, query.go, edge.ResultToBufferedBatches)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from tickpy.api import RunOptions, run
from tickpy.diagnostics import TickpyError
from tickpy.golang.gotime import parse_time_rfc3339
from tickpy.runtime.batches import result_batches
from tickpy.runtime.influxdb import Series
from tickpy.runtime.lineprotocol import read_points

CASES = Path(__file__).parent / "kapacitor_batch_cases"


def _logged_batches(lines: list[str]) -> list[dict]:
    """The batches a log() node wrote (begin batch, batch point..., end batch), as name, group,
    tmax and points (fields, time)."""
    batches: list[dict] = []
    for line in lines:
        pairs = dict(word.split("=", 1) for word in shlex.split(line) if "=" in word)
        if pairs["msg"] == "begin batch":
            batches.append({"name": pairs["name"], "group": pairs["group"].replace("\n", ","), "tmax": pairs["time"],
                            "points": []})
        elif pairs["msg"] == "batch point":
            fields = {key[len("field_"):]: float(value) for key, value in pairs.items() if key.startswith("field_")}
            batches[-1]["points"].append({"fields": fields, "time": pairs["time"]})
    return batches


def _recorded_batches(path: Path) -> list[dict]:
    out = []
    for line in path.read_text().splitlines():
        batch = json.loads(line)
        out.append({"name": batch["name"], "group": batch.get("group", ""), "tmax": batch["tmax"],
                    "points": [{"fields": {k: float(v) for k, v in p["fields"].items()}, "time": p["time"]}
                               for p in batch.get("points") or []]})
    return out


@pytest.mark.parametrize("case", sorted(p.parent.parent.name for p in CASES.glob("*/kapacitor/0.brpl")))
def test_the_runs_make_the_batches_kapacitor_recorded(case):
    folder = CASES / case
    meta = json.loads((folder / "meta.json").read_text())
    lines: list[str] = []
    with open(CASES / "points.lp", "rb") as handle:
        run((folder / "task.tick").read_text(), read_points(handle),
            RunOptions(dbrp=f"{meta['db']}.{meta['rp']}", start=meta["start"], stop=meta["stop"],
                       log_sink=lines.append))
    assert _logged_batches(lines) == _recorded_batches(folder / "kapacitor" / "0.brpl")


def _sorted_pairs(line: str) -> str:
    """A log line with its tag_ and field_ pairs sorted (Kapacitor writes them in Go's map order)."""
    words = line.split(" ")
    grouped = [w for w in words if w.startswith(("tag_", "field_"))]
    return " ".join([w for w in words if w not in grouped] + sorted(grouped))


def test_the_runs_make_the_batches_a_running_kapacitor_task_emits():
    # .alignGroup() moves the buckets to the range's start in a running task (batch.go's doQuery);
    # `record batch` clones the query and loses it
    folder = CASES / "running_task_align_group"
    meta = json.loads((folder / "meta.json").read_text())
    lines: list[str] = []
    with open(folder / "points.lp", "rb") as handle:
        run((folder / "task.tick").read_text(), read_points(handle),
            RunOptions(task_name="t", start=meta["start"], stop=meta["stop"], log_sink=lines.append))
    ours = [_sorted_pairs(line.split(" ", 1)[1]) for line in lines if "end batch" not in line]
    theirs = [_sorted_pairs(line) for line in (folder / "kapacitor" / "log.txt").read_text().splitlines()]
    assert ours == theirs


def _points(text: str):
    import io

    return read_points(io.BytesIO(text.encode()))


T0 = parse_time_rfc3339("2024-01-01T00:00:00Z")
S = 10**9

ALERT = """
batch
    |query('SELECT mean("idle") AS idle FROM "telegraf"."autogen"."cpu"')
        .period(1m)
        .every(1m)
        .groupBy('host')
    |alert()
        .crit(lambda: "idle" < 10)
"""

MINUTES = "\n".join([
    f"cpu,host=a idle=50 {T0 + 10 * S}", f"cpu,host=a idle=40 {T0 + 40 * S}",
    f"cpu,host=a idle=5 {T0 + 70 * S}", f"cpu,host=a idle=3 {T0 + 100 * S}",
])


def test_by_default_the_runs_cover_the_points():
    # ticks after the first point: 00:01:10, 00:02:10 (its range [00:01:10, 00:02:10) ends after the last point)
    result = run(ALERT, _points(MINUTES))
    assert result.query_runs == 2
    # an aggregate without GROUP BY time() has the range's start as its time (InfluxDB), and the
    # alert takes the time of the batch's highest-level point (alert.go)
    assert [(a.level, a.time_ns) for a in result.alerts] == [("CRITICAL", T0 + 70 * S)]


def test_start_and_stop_choose_the_ticks():
    result = run(ALERT, _points(MINUTES), RunOptions(start="2024-01-01T00:00:00Z", stop="+1m30s"))
    # ticks 00:01 (mean of 50 and 40) only: 00:02 is after the stop
    assert result.query_runs == 1
    assert result.alerts == []
    result = run(ALERT, _points(MINUTES), RunOptions(start=T0, stop=T0 + 2 * 60 * S))
    assert [(a.level, a.time_ns) for a in result.alerts] == [("CRITICAL", T0 + 60 * S)]


def test_the_dbrp_is_the_scripts_or_the_querys():
    unqualified = ALERT.replace('"telegraf"."autogen"."cpu"', '"cpu"')
    with pytest.raises(TickpyError, match="database is not known"):
        run(unqualified, _points(MINUTES))
    result = run('dbrp "telegraf"."autogen"\n' + unqualified, _points(MINUTES))
    assert result.alert_counts == {"CRITICAL": 1}
    # points written elsewhere are not read by the query
    result = run(ALERT, _points(MINUTES), RunOptions(dbrp="other.autogen"))
    assert result.alerts == []


def test_relative_times_need_points():
    with pytest.raises(TickpyError, match="counts from the first point, and there is none"):
        run(ALERT, [], RunOptions(start="+1m", stop="+2m"))


def test_two_queries_run_in_tick_order_each_on_its_schedule():
    script = """
var fast = batch
    |query('SELECT count("idle") FROM "telegraf"."autogen"."cpu"')
        .period(30s)
        .every(30s)
        .align()
    |log()
batch
    |query('SELECT count("idle") FROM "telegraf"."autogen"."cpu"')
        .period(1m)
        .every(1m)
        .align()
    |log()
"""
    lines: list[str] = []
    run(script, _points(MINUTES), RunOptions(start=T0, stop=T0 + 60 * S, log_sink=lines.append))
    begins = [(pairs["node"], pairs["time"]) for pairs in
              (dict(w.split("=", 1) for w in shlex.split(line) if "=" in w) for line in lines)
              if pairs["msg"] == "begin batch"]
    # 00:00:30 (the 30s query), 00:01:00 (both, in Kapacitor's walk order: the 1m query's first)
    assert begins == [("log2", "2024-01-01T00:00:30Z"), ("log4", "2024-01-01T00:01:00Z"),
                      ("log2", "2024-01-01T00:01:00Z")]


def test_results_become_batches_as_kapacitor_reads_them():
    series = [
        Series("cpu", {"host": "a"}, ["time", "mean", "max"], [[10, 1, None], [20, None, None], [30, 2.5, True]]),
        Series("cpu", {"host": "b"}, ["time", "mean"], [[10, None]]),
    ]
    grouped = result_batches(series, by_measurement=False, grouped_by_time=True, query_stop=100)
    assert [(b.group, b.tmax, [(p.time, dict(p.fields)) for p in b.points]) for b in grouped] == [
        ("host=a", 30, [(10, {"mean": 1.0}), (30, {"mean": 2.5, "max": True})]),  # a row of nulls is dropped
        ("host=b", 100, []),  # only nulls: an empty batch at the end of the range
    ]
    assert type(grouped[0].points[0].fields["mean"]) is float  # JSON numbers are float64 in Kapacitor
    by_name = result_batches(series[:1], by_measurement=True, grouped_by_time=False, query_stop=100)
    assert (by_name[0].group, by_name[0].tmax) == ("cpu\nhost=a", 100)


def _query_node(properties: str):
    from tickpy.api import compile as compile_task

    script = f"batch|query('SELECT mean(v) FROM \"db\".\"rp\".\"m\"').every(1m).period(1m){properties}|log()"
    return compile_task(script, RunOptions()).compiled.query_nodes[0]


def test_the_query_sent_is_kapacitors_rewrite():
    from tickpy.influxql import rewrite
    from tickpy.runtime.schedule import QueryWindow

    window = QueryWindow(T0 + 60 * S, T0, T0 + 60 * S)
    node = _query_node(".groupBy(time(10s, 2s), 'host').fill(0)")
    assert rewrite(node.plan(window)) == ("SELECT mean(v) FROM db.rp.m WHERE time >= '2024-01-01T00:00:00Z' AND "
                                          "time < '2024-01-01T00:01:00Z' GROUP BY time(10s, 2s), host fill(0)")
    # .alignGroup(): the buckets start where the range starts (start % interval, Go's sign rule)
    aligned = _query_node(".groupBy(time(7s)).alignGroup()")
    assert aligned.plan(QueryWindow(T0 + 60 * S, T0 + 3 * S, T0 + 63 * S)).group_by_time == (7 * S, (T0 + 3 * S) % (7 * S))
    assert aligned.plan(QueryWindow(0, -10 * S, 50 * S)).group_by_time == (7 * S, -3 * S)


@pytest.mark.parametrize(("group_by", "error"), [
    ("5", "invalid dimension type:int64, must be string or time.Duration"),
    ("lambda: TRUE", "invalid dimension type:*ast.LambdaNode, must be string or time.Duration"),
])
def test_group_by_takes_what_kapacitor_takes(group_by, error):
    with pytest.raises(TickpyError, match=re.escape(error)):
        _query_node(f".groupBy({group_by})")

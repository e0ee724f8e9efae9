"""Batch tasks over recordings (.brpl): reading them as Kapacitor does, the replay's order and
batch times, the query nodes' counters, and the errors a replay can meet."""

from __future__ import annotations

import json

import pytest

from tickpy.api import RunOptions, run
from tickpy.diagnostics import TickpyError
from tickpy.golang.gotime import parse_time_rfc3339
from tickpy.runtime.brpl import BrplError, read_brpl, replay_order


def _t(text: str) -> int:
    return parse_time_rfc3339(text)


def test_a_batch_is_grouped_by_all_its_tags_and_its_numbers_are_floats():
    text = ('{"name":"cpu","tags":{"host":"a","cpu":"x"},"group":"ignored","points":['
            '{"fields":{"v":1,"s":"up"},"time":"2020-01-01T00:00:00Z"},'
            '{"fields":{"v":2.5},"tags":{"host":"b"},"time":"2020-01-01T00:00:01Z"}]}')
    [batch] = read_brpl(text)
    assert batch.group == "cpu=x,host=a"  # sorted tag names, "group" not read
    assert batch.dimensions.tag_names == ("cpu", "host")
    assert [type(p.fields["v"]) for p in batch.points] == [float, float]
    assert batch.points[0].tags == {"host": "a", "cpu": "x"}  # a point without tags has the batch's
    assert batch.points[1].tags == {"host": "b"}


def test_by_name_batches_group_by_measurement_and_empty_batches_are_skipped():
    text = ('{"name":"m","byname":true,"tags":{"k":"v"},"points":[{"fields":{"f":1},"time":"2020-01-01T00:00:00Z"}]}\n'
            '{"name":"m","tags":{"k":"v"},"points":[]}\n{"name":"m"}')
    batches = read_brpl(text)
    assert len(batches) == 1
    assert batches[0].group == "m\nk=v"


@pytest.mark.parametrize(("text", "why"), [
    ('{"name":"m","points":[{"fields":{"f":1},"time":"yesterday"}]}', "batch 1: parsing time"),
    ('{"name":"m","points":[{"fields":{"f":1},"time":"2020-01-01T00:00:00Z"}]}\n[1]', "batch 2: not a JSON object"),
    ('{"name":"m",', "line 1"),
])
def test_a_bad_recording_is_refused_with_where(text, why):
    with pytest.raises(BrplError, match=why):
        read_brpl(text, "rec.brpl")


def _batch_json(name: str, times: list[str], tmax: str | None = None, value: float = 1.0) -> str:
    batch = {"name": name, "points": [{"fields": {"v": value}, "time": t} for t in times]}
    if tmax is not None:
        batch["tmax"] = tmax
    return json.dumps(batch)


def test_replay_orders_recordings_by_each_batch_last_point_and_sets_its_time():
    first = read_brpl(_batch_json("a", ["2020-01-01T00:00:00Z", "2020-01-01T00:00:04Z"]) + "\n"
                      + _batch_json("a", ["2020-01-01T00:00:10Z"], tmax="2020-01-01T00:00:20Z"))
    second = read_brpl(_batch_json("b", ["2020-01-01T00:00:02Z"]) + _batch_json("b", ["2020-01-01T00:00:04Z"]))
    order = [(index, batch.name, batch.tmax) for index, batch in replay_order([first, second])]
    assert order == [
        (1, "b", _t("2020-01-01T00:00:02Z")),
        (0, "a", _t("2020-01-01T00:00:04Z")),  # no tmax: the last point's time
        (1, "b", _t("2020-01-01T00:00:04Z")),  # same time: the earlier recording first
        (0, "a", _t("2020-01-01T00:00:20Z")),  # a later tmax is kept
    ]


SCRIPT = """
batch
    |query('SELECT mean("value") FROM "db"."rp"."cpu"')
        .period(10s)
        .every(10s)
    |sum('v')
    |httpOut('out')
"""


def test_a_recording_runs_through_the_task_and_the_query_node_counts_it():
    recording = read_brpl(_batch_json("cpu", ["2020-01-01T00:00:00Z", "2020-01-01T00:00:05Z"], value=2.0)
                          + _batch_json("cpu", ["2020-01-01T00:00:10Z"], value=3.0))
    result = run(SCRIPT, [], RunOptions(recordings=[recording]))
    assert result.httpout_json("out") == ('{"series":[{"name":"cpu","columns":["time","sum"],'
                                          '"values":[["2020-01-01T00:00:10Z",3]]}]}')
    assert result.points_read == 3
    assert result.stats["query1"]["batches_queried"] == 2
    assert result.stats["query1"]["points_queried"] == 3
    assert result.stats["query1"]["batches_in"] == 2


JOIN = """
var a = batch
    |query('SELECT v FROM "db"."rp"."a"')
        .period(10s)
        .every(10s)
batch
    |query('SELECT v FROM "db"."rp"."b"')
        .period(10s)
        .every(10s)
    |join(a)
        .as('b', 'a')
    |httpOut('out')
"""


def test_recordings_go_to_the_query_nodes_in_kapacitors_walk_order():
    # Kapacitor links the batch node's edges in its walk order: here the second query comes first.
    b = read_brpl(_batch_json("b", ["2020-01-01T00:00:00Z"], value=2.0))
    a = read_brpl(_batch_json("a", ["2020-01-01T00:00:00Z"], value=1.0))
    result = run(JOIN, [], RunOptions(recordings=[b, a]))
    assert result.httpout_json("out") == ('{"series":[{"name":"b","columns":["time","a.v","b.v"],'
                                          '"values":[["2020-01-01T00:00:00Z",1,2]]}]}')


def test_one_recording_per_query_node_is_needed():
    with pytest.raises(TickpyError, match="unexpected number of batch collectors. exp 1 got 2"):
        run(JOIN, [], RunOptions(recordings=[[]]))


def test_recordings_are_for_batch_tasks():
    with pytest.raises(TickpyError, match="this is a stream task"):
        run("stream|from().measurement('m')|httpOut('x')", [], RunOptions(recordings=[[]]))


@pytest.mark.parametrize(("properties", "error"), [
    (".every(10s).cron('* * * * *')", "must not set both 'every' and 'cron' properties"),
    (".period(10s)", "must define one of 'every' or 'cron'"),
    (".cron('x * * * *')", "syntax error in minute field: 'x'"),
    (".every(10s).groupBy(time(1s), time(2s))", "groupBy cannot have more than one time dimension"),
])
def test_the_query_node_refuses_what_kapacitor_refuses_at_start(properties, error):
    script = f"batch|query('SELECT v FROM \"db\".\"rp\".\"m\"'){properties}|httpOut('x')"
    with pytest.raises(TickpyError, match=error.replace("(", r"\(").replace(")", r"\)")):
        run(script, [], RunOptions(recordings=[[]]))


def test_kapacitors_recording_archive_holds_one_recording_per_query_node():
    import io
    import zipfile

    from tickpy.runtime.brpl import read_recording

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:  # as services/replay's batchArchive writes it
        out.writestr("0", _batch_json("b", ["2020-01-01T00:00:00Z"], value=2.0))
        out.writestr("1", _batch_json("a", ["2020-01-01T00:00:00Z"], value=1.0))
    recordings = read_recording(archive.getvalue(), "rec.brpl")
    assert [[batch.name for batch in recording] for recording in recordings] == [["b"], ["a"]]
    result = run(JOIN, [], RunOptions(recordings=recordings))
    assert result.httpout_json("out") == ('{"series":[{"name":"b","columns":["time","a.v","b.v"],'
                                          '"values":[["2020-01-01T00:00:00Z",1,2]]}]}')
    assert read_recording(b'{"name":"m","points":[]}', "plain.brpl") == [[]]

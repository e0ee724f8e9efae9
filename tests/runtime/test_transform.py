"""State tracking, change detection, derivative, shift, sample, join, union, combine and flatten,
run end to end: a TICKscript and line-protocol input through the engine to httpOut results."""

from __future__ import annotations

import json

import pytest

from tickpy.api import run_task
from tickpy.diagnostics import TickpyError
from tickpy.runtime.lineprotocol import parse_points


def run(script: str, lines: str, flush: bool = False):
    points = parse_points(lines.strip() + "\n", precision="s")
    return run_task(script, points, dbrp=("db", "rp"), flush=flush)


def series(result, endpoint: str = "out") -> list[dict]:
    return json.loads(result.httpout_json(endpoint)).get("series") or []


def table(result, endpoint: str = "out") -> list[tuple]:
    """(tags, {column: value}) per row of every series."""
    rows = []
    for one in series(result, endpoint):
        for values in one["values"]:
            rows.append((one.get("tags", {}), dict(zip(one["columns"], values))))
    return rows


# ------------------------------------------------------------------- state tracking


def test_state_count_and_duration_track_runs_and_drop_failing_points():
    script = """
var data = stream |from().measurement('cpu').groupBy('host')
data |stateCount(lambda: "value" > 95) |httpOut('count')
data |stateDuration(lambda: "value" > 95).unit(1ms).as('ms') |httpOut('duration')
"""
    lines = """
cpu,host=a value=97 1
cpu,host=a value=96 2
cpu,host=a x=1 3
cpu,host=a value=99 4
cpu,host=a value=10 5
"""
    result = run(script, lines)
    # httpOut keeps the last point; the run of true values went 97, 96, (dropped), 99
    [(tags, row)] = table(result, "count")
    assert tags == {"host": "a"} and row["state_count"] == -1 and row["value"] == 10
    # the failing point is reported, once per node
    assert sum("missing" in e.message for e in result.node_errors) == 2

    lines_without_end = "\n".join(lines.strip().splitlines()[:-1])
    result = run(script, lines_without_end)
    [(_, count_row)] = table(result, "count")
    [(_, duration_row)] = table(result, "duration")
    assert count_row["state_count"] == 3
    assert duration_row["ms"] == 3000.0  # in state since t=1s, now t=4s, in milliseconds


def test_change_detect_compares_with_go_interface_equality():
    script = """
stream |from().measurement('m') |changeDetect('v') |window().period(10s).every(10s) |httpOut('out')
"""
    lines = """
m v=1i 0
m v=1i 1
m v=1 2
m v=1 3
m other=1 4
m v="1" 5
m v=2i 6
m v=0i 10
"""
    result = run(script, lines)
    assert [row["v"] for _, row in table(result)] == [1, 1.0, "1", 2]
    assert [row["time"] for _, row in table(result)] == [
        "1970-01-01T00:00:00Z", "1970-01-01T00:00:02Z", "1970-01-01T00:00:05Z", "1970-01-01T00:00:06Z"]
    assert any("expected field v not found" in e.message for e in result.node_errors)


# ------------------------------------------------------------------- derivative, shift, sample


def test_derivative_unit_as_and_non_negative():
    script = """
var data = stream |from().measurement('m')
data |derivative('v').unit(1m).as('rate') |window().period(100s).every(100s).align() |httpOut('rate')
data |derivative('v').nonNegative() |window().period(100s).every(100s).align() |httpOut('nn')
"""
    lines = """
m v=10i 0
m v=20i 10
m v=5 20
m v=5 20
m v="b" 25
m v=35 30
m v=0 100
m v=100 110
"""
    result = run(script, lines)
    rates = table(result, "rate")
    # per minute: (20-10)/10s*60, (5-20)/10s*60, (35-5)/10s*60; the original field is kept
    assert [(row["rate"], row["v"]) for _, row in rates] == [(60.0, 20), (-90.0, 5.0), (180.0, 35.0)]
    nn = table(result, "nn")
    assert [row["v"] for _, row in nn] == [1.0, 3.0]  # the fall from 20 to 5 is dropped
    messages = [e.message for e in result.node_errors]
    assert any("elaspsed time was 0" in m for m in messages)
    assert any("wrong type" in m for m in messages)


def test_shift_moves_points_and_batches():
    script = """
var data = stream |from().measurement('m')
data |shift(-5s) |window().period(10s).every(10s) |httpOut('points')
data |window().period(10s).every(10s) |shift(1h) |httpOut('batch')
"""
    lines = "\n".join(f"m v={i} {i + 10}" for i in range(12))
    result = run(script, lines)
    shifted = table(result, "points")
    assert [row["time"] for _, row in shifted][:2] == ["1970-01-01T00:00:05Z", "1970-01-01T00:00:06Z"]
    batch = table(result, "batch")
    assert batch[0][1]["time"] == "1970-01-01T01:00:10Z" and len(batch) == 10


def test_sample_every_n_and_by_time():
    script = """
var data = stream |from().measurement('m').groupBy('g')
data |sample(3) |window().period(20s).every(20s) |httpOut('n')
data |sample(4s) |window().period(20s).every(20s) |httpOut('t')
"""
    lines = "\n".join(f"m,g=a v={i} {i}" for i in range(25))
    result = run(script, lines)
    assert [row["v"] for _, row in table(result, "n")] == [0, 3, 6, 9, 12, 15, 18]
    assert [row["v"] for _, row in table(result, "t")] == [0, 4, 8, 12, 16]


# ------------------------------------------------------------------- join


JOIN = """
var errors = stream |from().measurement('errors').groupBy('service')
var views = stream |from().measurement('views').groupBy('service')
errors
    |join(views)
        .as('errors', 'views')
        .streamName('error_view')
        {extra}
    |httpOut('out')
"""


def test_join_pairs_points_of_the_same_group_and_time():
    lines = """
errors,service=a value=1 0
views,service=a value=100 0
errors,service=b value=2 0
errors,service=a value=3 1
views,service=a value=300 1
views,service=b value=200 0
"""
    result = run(JOIN.format(extra=""), lines)
    rows = table(result)
    assert rows == [
        ({"service": "a"}, {"time": "1970-01-01T00:00:01Z", "errors.value": 3, "views.value": 300}),
        ({"service": "b"}, {"time": "1970-01-01T00:00:00Z", "errors.value": 2, "views.value": 200}),
    ]
    assert {one["name"] for one in series(result)} == {"error_view"}


def test_join_tolerance_rounds_times():
    lines = """
errors,service=a value=1 10
views,service=a value=100 11
errors,service=a value=2 20
views,service=a value=200 19
errors,service=a value=3 30
views,service=a value=300 30
"""
    result = run(JOIN.format(extra=".tolerance(5s)"), lines)
    # 11s rounds to 10s, 19s to 20s; httpOut shows the last joined point at 30s
    assert table(result) == [({"service": "a"}, {"time": "1970-01-01T00:00:30Z", "errors.value": 3, "views.value": 300})]


JOIN_COLLECTED = JOIN.replace("|httpOut('out')", "|window().period(100s).every(100s) |httpOut('out')")


def test_join_fill_makes_an_outer_join_and_the_rest_is_joined_at_end_of_input():
    lines = """
errors,service=a value=1 0
errors,service=a value=2 1
views,service=a value=200 1
views,service=a value=300 2
errors,service=a value=3 3
views,service=a value=400 4
"""

    def joined(extra):
        # the window (flushed at the end) collects every joined point in order
        rows = table(run(JOIN_COLLECTED.format(extra=extra), lines, flush=True))
        return [(row["time"][17:19], row.get("errors.value"), row.get("views.value")) for _, row in rows]

    # A set is emitted incomplete once both parents moved past its time (t=0 when views
    # reaches 1, t=2 when views reaches 4); at end of input Kapacitor joins what is left.
    assert joined(".fill(0.0)") == [
        ("00", 1, 0.0), ("01", 2, 200), ("02", 0.0, 300), ("03", 3, 0.0), ("04", 0.0, 400)]
    assert joined(".fill('null')") == [
        ("00", 1, None), ("01", 2, 200), ("02", None, 300), ("03", 3, None), ("04", None, 400)]
    assert joined("") == [("01", 2, 200)]
    # without the window, httpOut shows the last joined point: the one joined at the end
    last = table(run(JOIN.format(extra=".fill(0.0)"), lines))
    assert last[-1][1] == {"time": "1970-01-01T00:00:04Z", "errors.value": 0.0, "views.value": 400}


def test_join_on_matches_specific_points_with_less_specific_ones():
    script = """
var building = stream |from().measurement('building_power').groupBy('building')
var floor = stream |from().measurement('floor_power').groupBy('building', 'floor')
floor
    |join(building)
        .as('floor', 'building')
        .on('building')
        .streamName('ratio')
    |eval(lambda: "floor.value" / "building.value").as('value')
    |httpOut('out')
"""
    lines = """
building_power,building=shack value=30 0
floor_power,building=shack,floor=1 value=6 0
floor_power,building=shack,floor=2 value=12 0
building_power,building=hut value=40 0
floor_power,building=hut,floor=1 value=10 0
building_power,building=shack value=1 1
floor_power,building=shack,floor=1 value=1 1
building_power,building=hut value=1 1
floor_power,building=hut,floor=1 value=1 1
"""
    result = run(script, lines)
    rows = {tuple(sorted(tags.items())): row["value"] for tags, row in table(result)}
    assert rows[(("building", "hut"), ("floor", "1"))] == pytest.approx(1.0)
    assert rows[(("building", "shack"), ("floor", "2"))] == pytest.approx(12 / 30)


def test_join_needs_as_names_for_each_parent():
    with pytest.raises(TickpyError):
        run("""
var a = stream |from().measurement('a')
var b = stream |from().measurement('b')
a |join(b).as('a') |httpOut('out')
""", "a v=1 0")


# ------------------------------------------------------------------- union


def test_union_merges_parents_in_time_order_and_renames():
    script = """
var a = stream |from().measurement('a')
var b = stream |from().measurement('b')
a |union(b).rename('all') |window().period(10s).every(10s) |httpOut('out')
"""
    lines = """
a v=1 0
a v=2 2
b v=10 1
b v=11 3
a v=3 4
b v=12 10
a v=4 10
"""
    result = run(script, lines)
    [one] = series(result)
    assert one["name"] == "all"
    assert [row[-1] for row in one["values"]] == [1, 10, 2, 11, 3]


# ------------------------------------------------------------------- combine, flatten


def test_combine_pairs_points_of_one_time_with_prefixed_tags():
    script = """
stream
    |from().measurement('latency').groupBy('dc')
    |combine(lambda: "service" == 'auth', lambda: TRUE)
        .as('auth', 'other')
    |groupBy('other.service')
    |eval(lambda: "auth.value" / "other.value").as('ratio')
    |httpOut('out')
"""
    lines = """
latency,dc=A,service=auth value=6 0
latency,dc=A,service=log value=3 0
latency,dc=A,service=cart value=2 0
latency,dc=A,service=auth value=1 1
"""
    result = run(script, lines)
    rows = table(result)
    assert [(tags["other.service"], row["ratio"]) for tags, row in rows] == [("log", 2.0), ("cart", 3.0)]
    assert all(tags["dc"] == "A" and tags["auth.service"] == "auth" for tags, _ in rows)


def test_flatten_on_tags_prefixes_fields():
    script = """
stream
    |from().measurement('latency').groupBy('dc')
    |flatten().on('service', 'host').delimiter('_')
    |httpOut('out')
"""
    lines = """
latency,dc=A,service=auth,host=h1 value=1 0
latency,dc=A,service=log,host=h2 value=2,n=3i 0
latency,dc=A,service=auth,host=h1 value=5 1
"""
    result = run(script, lines)
    assert table(result) == [
        ({"dc": "A"}, {"time": "1970-01-01T00:00:00Z", "auth_h1_value": 1, "log_h2_value": 2, "log_h2_n": 3}),
    ]


def test_union_passes_on_what_it_buffered_at_end_of_input():
    script = """
var a = stream |from().measurement('a')
var b = stream |from().measurement('b')
a |union(b) |httpOut('out')
"""
    # b never sends past 1s, so a's later points wait for b until the input ends
    lines = """
a v=1 0
b v=10 1
a v=2 2
a v=3 3
"""
    assert [row["v"] for _, row in table(run(script, lines))] == [3]


def test_join_of_windows_joins_batch_points_by_time():
    script = """
var a = stream |from().measurement('a') |window().period(10s).every(10s).align()
var b = stream |from().measurement('b') |window().period(10s).every(10s).align()
a |join(b).as('a', 'b'){fill} |httpOut('out')
"""
    lines = """
a v=1 0
b v=10 0
a v=2 1
a v=3 2
b v=30 2
a v=4 10
b v=40 10
"""
    [inner] = series(run(script.format(fill=""), lines))
    assert inner["name"] == "a"
    assert [row[0][17:19] for row in inner["values"]] == ["00", "02"]
    assert inner["values"][1][1:] == [3, 30]
    [outer] = series(run(script.format(fill=".fill('null')"), lines))
    assert [(row[0][17:19], row[1], row[2]) for row in outer["values"]] == [
        ("00", 1, 10), ("01", 2, None), ("02", 3, 30)]


def test_flatten_and_combine_hold_the_last_time_unless_flushed():
    flatten = """
stream |from().measurement('m').groupBy('dc') |flatten().on('host') |httpOut('out')
"""
    combine = """
stream |from().measurement('m').groupBy('dc') |combine(lambda: "host" == 'a', lambda: "host" == 'b').as('x', 'y') |httpOut('out')
"""
    lines = """
m,dc=A,host=a value=1 0
m,dc=A,host=b value=2 0
"""
    assert table(run(flatten, lines)) == []
    assert table(run(flatten, lines, flush=True)) == [
        ({"dc": "A"}, {"time": "1970-01-01T00:00:00Z", "a.value": 1, "b.value": 2})]
    assert table(run(combine, lines)) == []
    [(tags, row)] = table(run(combine, lines, flush=True))
    assert row == {"time": "1970-01-01T00:00:00Z", "x.value": 1, "y.value": 2}
    assert tags == {"dc": "A", "x.host": "a", "y.host": "b"}


def test_repeated_from_where_calls_are_anded():
    # Kapacitor's TestStream_SimpleWhere: FromNode.Where ANDs a second call with the first
    script = """
stream |from().measurement('m').where(lambda: "v" > 1).where(lambda: "v" < 4) |window().period(10s).every(10s) |count('v') |httpOut('out')
"""
    lines = "\n".join(f"m v={t % 5} {t}" for t in range(15))
    # passing: v=2,3 at 2s, 3s, 7s, 8s, 12s...; the window from 2s emits [2s, 12s) at 12s
    assert [row["count"] for _, row in table(run(script, lines))] == [4]

"""InfluxQL function nodes over windows (batches) and streams, with Kapacitor's output shapes."""

from __future__ import annotations

import math

from tests.runtime.test_window import T0, S, build, cpu
from tickpy.lang.values import Duration
from tickpy.runtime.messages import BatchMessage, BatchPoint, Dimensions

HOST = Dimensions(tag_names=("host",))


def fn(name, *args, props=(), provides="stream", wants="batch"):
    return build("InfluxQLNode", name, args=args, props=props, provides=provides, wants=wants)


def batch_of(values, tmax=10, host="serverA", start=0, field="value", extra_tags=None):
    """A window batch of the group host=<host>: one point per second from `start`."""
    points = []
    for offset, value in enumerate(values):
        tags = {"host": host, "type": "idle", **(extra_tags[offset] if extra_tags else {})}
        points.append(BatchPoint(T0 + (start + offset) * S, {field: value}, tags))
    return BatchMessage("cpu", {"host": host}, HOST, T0 + tmax * S, points)


def only_point(out):
    assert len(out.points) == 1, out.points
    return out.points[0]


def test_mean_of_integers_is_a_float_at_the_window_time_with_group_tags():
    node, out = fn("mean", "value")
    node.batch(batch_of([1, 2, 4]))
    point = only_point(out)
    assert point.fields == {"mean": 7 / 3}
    assert type(point.fields["mean"]) is float
    assert point.time == T0 + 10 * S
    assert point.tags == {"host": "serverA"}
    assert point.name == "cpu" and point.group == "host=serverA"


def test_as_renames_the_result_field():
    node, out = fn("sum", "value", props=[("as", "total")])
    node.batch(batch_of([1, 2, 3]))
    assert only_point(out).fields == {"total": 6}
    assert type(only_point(out).fields["total"]) is int


def test_count_of_an_empty_batch_is_zero_but_mean_emits_nothing():
    node, out = fn("count", "value")
    node.batch(batch_of([]))
    assert only_point(out).fields == {"count": 0}
    node, out = fn("mean", "value")
    node.batch(batch_of([]))
    assert out.points == []


def test_sum_of_an_empty_batch_is_a_float_zero():
    node, out = fn("sum", "value")
    node.batch(batch_of([]))
    value = only_point(out).fields["sum"]
    assert value == 0 and type(value) is float


def test_selectors_keep_the_selected_point_tags_and_fields_at_the_window_time():
    extra = [{"cpu": "c0"}, {"cpu": "c1"}, {"cpu": "c2"}]
    for function, expected_cpu, expected_value in (("first", "c0", 5.0), ("last", "c2", 7.0),
                                                   ("min", "c1", 1.0), ("max", "c2", 7.0)):
        node, out = fn(function, "value")
        node.batch(batch_of([5.0, 1.0, 7.0], extra_tags=extra))
        point = only_point(out)
        assert point.tags == {"host": "serverA", "type": "idle", "cpu": expected_cpu}, function
        assert point.fields == {function: expected_value}, function
        assert point.time == T0 + 10 * S, function


def test_selector_with_use_point_times_takes_the_selected_point_time():
    node, out = fn("max", "value", props=[("usePointTimes",)])
    node.batch(batch_of([5.0, 9.0, 7.0]))
    assert only_point(out).time == T0 + 1 * S


def test_selector_copies_other_fields_and_as_equal_to_field_keeps_the_name():
    batch = BatchMessage("cpu", {}, Dimensions(), T0 + 10 * S, [
        BatchPoint(T0, {"value": 3, "other": "x"}, {"host": "a"}),
        BatchPoint(T0 + S, {"value": 4, "other": "y"}, {"host": "b"}),
    ])
    node, out = fn("last", "value", props=[("as", "value")])
    node.batch(batch)
    assert only_point(out).fields == {"value": 4, "other": "y"}
    assert batch.points[1].fields == {"value": 4, "other": "y"}  # input untouched


def test_sum_with_use_point_times_is_at_the_epoch_like_kapacitor():
    # Kapacitor seeds sum with a point at time 0 and keeps that time.
    node, out = fn("sum", "value", props=[("usePointTimes",)])
    node.batch(batch_of([1.0, 2.0]))
    assert only_point(out).time == 0


def test_first_and_last_break_time_ties_by_the_greater_value():
    batch = BatchMessage("cpu", {}, Dimensions(), T0 + 10 * S, [
        BatchPoint(T0, {"value": 1.0}, {}), BatchPoint(T0, {"value": 3.0}, {}), BatchPoint(T0, {"value": 2.0}, {}),
    ])
    for function in ("first", "last"):
        node, out = fn(function, "value")
        node.batch(batch)
        assert only_point(out).fields == {function: 3.0}
    booleans = BatchMessage("cpu", {}, Dimensions(), T0, [
        BatchPoint(T0, {"value": True}, {}), BatchPoint(T0, {"value": False}, {}),
    ])
    node, out = fn("first", "value")
    node.batch(booleans)
    assert only_point(out).fields == {"first": False}
    node, out = fn("last", "value")
    node.batch(booleans)
    assert only_point(out).fields == {"last": True}


def test_percentile_is_nearest_rank_and_a_selector():
    # Kapacitor's TestStream_InfluxQL_Float percentile 50 over one 10s window: 93
    values = [98.0, 91.0, 95.0, 93.0, 92.0, 96.0, 94.0, 97.0, 90.0, 99.0]
    node, out = fn("percentile", "value", 50.0)
    node.batch(batch_of(values))
    point = only_point(out)
    assert point.fields == {"percentile": sorted(values)[4]}
    assert point.tags == {"host": "serverA", "type": "idle"}
    node, out = fn("percentile", "value", 1.0)
    node.batch(batch_of(values))  # rank floor(0.1 + 0.5) - 1 = -1: no result
    assert out.points == []
    node, out = fn("percentile", "value", 100.0)
    node.batch(batch_of([3, 1, 2]))
    assert only_point(out).fields == {"percentile": 3}


def test_median_of_an_even_count_is_the_mean_of_the_middle_values():
    node, out = fn("median", "value")
    node.batch(batch_of([4, 1, 3, 2]))
    assert only_point(out).fields == {"median": 2.5}
    node, out = fn("median", "value")
    node.batch(batch_of([5]))
    value = only_point(out).fields["median"]
    assert value == 5 and type(value) is float


def test_mode_prefers_the_value_seen_first_on_equal_counts():
    node, out = fn("mode", "value")
    node.batch(batch_of([3, 3, 1, 1]))
    assert only_point(out).fields == {"mode": 3}
    node, out = fn("mode", "value")
    node.batch(batch_of([1, 1, 3, 3]))
    assert only_point(out).fields == {"mode": 1}
    node, out = fn("mode", "value")
    node.batch(batch_of([2.0, 7.0, 7.0, 2.0, 7.0]))
    assert only_point(out).fields == {"mode": 7.0}


def test_stddev_is_the_sample_standard_deviation():
    node, out = fn("stddev", "value")
    node.batch(batch_of([2, 4, 4, 4, 5, 5, 7, 9]))
    assert math.isclose(only_point(out).fields["stddev"], math.sqrt(32 / 7), rel_tol=1e-15)
    node, out = fn("stddev", "value")
    node.batch(batch_of([2.0]))
    assert math.isnan(only_point(out).fields["stddev"])


def test_spread_keeps_the_field_type():
    node, out = fn("spread", "value")
    node.batch(batch_of([5, 1, 9]))
    assert only_point(out).fields == {"spread": 8}
    assert type(only_point(out).fields["spread"]) is int
    node, out = fn("spread", "value")
    node.batch(batch_of([5.5, 1.0]))
    assert only_point(out).fields == {"spread": 4.5}


def test_integer_sum_wraps_like_go_int64():
    node, out = fn("sum", "value")
    node.batch(batch_of([2**63 - 1, 1]))
    assert only_point(out).fields == {"sum": -(2**63)}


def test_distinct_is_a_batch_sorted_by_first_time_at_the_window_time():
    # Kapacitor's TestStream_InfluxQL_Boolean distinct: [false, true] at the window time
    node, out = fn("distinct", "value", provides="batch")
    node.batch(batch_of([False, True, True, False]))
    [batch] = out.batches
    assert [(p.time, p.fields) for p in batch.points] == [
        (T0 + 10 * S, {"distinct": False}),
        (T0 + 10 * S, {"distinct": True}),
    ]
    assert batch.tags == {"host": "serverA"} and batch.points[0].tags == {"host": "serverA"}
    node, out = fn("distinct", "value", provides="batch")
    node.batch(batch_of([5, 3, 5, 1]))
    assert [p.fields["distinct"] for p in out.batches[0].points] == [5, 3, 1]


def test_top_keeps_the_largest_with_their_tags_largest_first():
    # Shape of Kapacitor's TestStream_TopSelector: the player tag becomes a column
    players = [{"player": f"p{i}"} for i in range(6)]
    node, out = fn("top", 3, "value", "player", provides="batch")
    node.batch(batch_of([10.0, 40.0, 20.0, 40.0, 30.0, 5.0], extra_tags=players))
    [batch] = out.batches
    assert [(p.tags["player"], p.fields["top"]) for p in batch.points] == [("p1", 40.0), ("p3", 40.0), ("p4", 30.0)]
    assert all(p.time == T0 + 10 * S for p in batch.points)
    assert batch.tmax == T0 + 10 * S
    node, out = fn("bottom", 2, "value", provides="batch", props=[("usePointTimes",)])
    node.batch(batch_of([10, 40, 20, 5], extra_tags=players))
    [batch] = out.batches
    assert [(p.time, p.fields["bottom"]) for p in batch.points] == [(T0 + 3 * S, 5), (T0, 10)]


def test_wrong_type_and_missing_field_points_are_skipped_with_errors():
    node, out = fn("sum", "value")
    batch = BatchMessage("cpu", {}, Dimensions(), T0, [
        BatchPoint(T0, {"other": 1}, {}),
        BatchPoint(T0, {"value": 1}, {}),
        BatchPoint(T0, {"value": 2.5}, {}),
        BatchPoint(T0, {"value": 2}, {}),
    ])
    node.batch(batch)
    assert only_point(out).fields == {"sum": 3}
    assert len(node.ctx.node_errors) == 2
    assert "wrong type: got float64 exp int64" in node.ctx.node_errors[1].message


def test_unsupported_type_is_an_error_not_a_result():
    node, out = fn("mean", "value")
    node.batch(batch_of(["a", "b"]))
    assert out.points == []
    assert "cannot apply mean to string field" in node.ctx.node_errors[0].message


def test_stream_input_reduces_points_of_equal_time_when_time_moves_on():
    node, out = fn("sum", "value", wants="stream")
    node.point(cpu(1, value=1.0, group_by=("host",)))
    node.point(cpu(1, value=2.0, group_by=("host",)))
    assert out.points == []
    node.point(cpu(2, value=5.0, group_by=("host",)))
    point = only_point(out)
    assert point.fields == {"sum": 3.0} and point.time == T0 + S
    assert point.tags == {"host": "serverA"}


def test_difference_on_a_stream_uses_point_times_and_skips_equal_times():
    node, out = fn("difference", "value", wants="stream")
    for second, value in ((0, 1), (1, 4), (1, 10), (2, 2)):
        node.point(cpu(second, value=value))
    assert [((p.time - T0) // S, p.fields) for p in out.points] == [(1, {"difference": 3}), (2, {"difference": -2})]


def test_elapsed_moving_average_and_cumulative_sum_on_a_stream():
    node, out = fn("elapsed", "value", Duration(S // 2), wants="stream")
    for second in (0, 1, 3.5):
        node.point(cpu(second))
    assert [p.fields["elapsed"] for p in out.points] == [2, 5]

    node, out = fn("movingAverage", "value", 2, wants="stream")
    for second, value in ((0, 1), (1, 2), (2, 6)):
        node.point(cpu(second, value=value))
    assert [(p.time, p.fields["movingAverage"]) for p in out.points] == [(T0 + S, 1.5), (T0 + 2 * S, 4.0)]

    node, out = fn("cumulativeSum", "value", wants="stream")
    for second, value in ((0, 1), (1, 2), (2, 6)):
        node.point(cpu(second, value=value))
    assert [p.fields["cumulativeSum"] for p in out.points] == [1, 3, 9]


def test_stream_transformation_on_batches_restarts_per_batch():
    node, out = fn("difference", "value", provides="batch")
    node.batch(batch_of([1, 3, 6]))
    node.batch(batch_of([10, 11], start=20, tmax=30))
    first, second = out.batches
    assert [(p.time, p.fields) for p in first.points] == [(T0 + S, {"difference": 2}), (T0 + 2 * S, {"difference": 3})]
    assert first.tmax == T0 + 10 * S and first.tags == {"host": "serverA"}
    assert [p.fields["difference"] for p in second.points] == [1]


def test_stream_points_of_the_last_time_are_emitted_only_with_flush():
    for flush, expected in ((False, []), (True, [{"sum": 3.0}])):
        node, out = build("InfluxQLNode", "sum", args=("value",), wants="stream", flush=flush)
        node.point(cpu(1, value=1.0))
        node.point(cpu(1, value=2.0))
        node.finish()
        assert [p.fields for p in out.points] == expected
    # a batch is never emitted twice
    node, out = build("InfluxQLNode", "sum", args=("value",), wants="batch", flush=True)
    node.batch(batch_of([1, 2]))
    node.finish()
    assert len(out.points) == 1

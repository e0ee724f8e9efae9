"""The window node: time and count windows with Kapacitor's boundaries (window.go)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tickpy.check.pipeline import PipelineNode, PropertyCall
from tickpy.diagnostics import TickpyError
from tickpy.golang.gotime import time_round, time_truncate
from tickpy.lang.values import Duration
from tickpy.runtime.messages import Dimensions, PointMessage
from tickpy.runtime.nodes.base import RunContext, lookup
from tickpy.syntax.ast import Span

S = 1_000_000_000
T0 = 31536000 * S  # 1971-01-01T00:00:00Z, where Kapacitor's test data starts


class Collector:
    """A child that records what a node forwards."""

    def __init__(self):
        self.points = []
        self.batches = []

    def point(self, msg):
        self.points.append(msg)

    def batch(self, msg):
        self.batches.append(msg)


def build(node_type, name, args=(), props=(), provides="stream", wants="stream", flush=False, extra=None):
    """A runtime node for a pipeline node `name` with properties [(prop, *args)], and its collector."""
    spec = PipelineNode(
        1,
        node_type,
        name,
        args=list(args),
        properties=[PropertyCall(prop, list(values), Span.unknown()) for prop, *values in props],
        provides=provides,
        wants=wants,
        extra=dict(extra or {}),
    )
    node_class = lookup(node_type, name)
    assert node_class is not None, f"{node_type} {name} is not registered"
    node = node_class(spec, RunContext(task_name="test", flush_at_end=flush))
    out = Collector()
    node.children.append(out)
    return node, out


def cpu(seconds, value=1.0, host="serverA", group_by=(), name="cpu", **fields):
    tags = {"host": host, "type": "idle"}
    return PointMessage(
        name, tags, {"value": value, **fields}, T0 + int(seconds * S), Dimensions(tag_names=tuple(group_by))
    )


def window(*props, flush=False):
    return build("WindowNode", "window", props=props, provides="batch", flush=flush)


def times(batch):
    return [(p.time - T0) / S for p in batch.points]


def test_go_truncate_counts_from_year_one_not_from_the_unix_epoch():
    seven = 7 * S
    since_year_one = datetime(1971, 1, 1) - datetime(1, 1, 1)
    expected = datetime(1971, 1, 1) - timedelta(seconds=since_year_one.total_seconds() % 7)
    expected_ns = int((expected - datetime(1970, 1, 1)).total_seconds()) * S
    assert time_truncate(T0, seven) == expected_ns
    assert time_truncate(T0, seven) != T0 - T0 % seven
    assert time_truncate(T0 + 5, 0) == T0 + 5


def test_go_round_rounds_halves_up():
    assert time_round(T0 + 500_000_000, S) == T0 + S
    assert time_round(T0 + 499_999_999, S) == T0
    assert time_round(T0 - 500_000_000, S) == T0
    assert time_round(T0 + 3, 0) == T0 + 3


def test_time_window_emits_left_closed_period_when_a_point_reaches_the_boundary():
    node, out = window(("period", Duration(10 * S)), ("every", Duration(10 * S)))
    for second in range(10):
        node.point(cpu(second, value=float(second)))
    assert out.batches == []  # nothing until a point at or past 10s arrives
    node.point(cpu(10))
    node.point(cpu(11))
    [batch] = out.batches
    assert batch.tmax == T0 + 10 * S
    assert times(batch) == [float(s) for s in range(10)]
    assert [p.fields["value"] for p in batch.points] == [float(s) for s in range(10)]
    assert batch.name == "cpu" and batch.tags == {}


def test_partial_window_is_not_flushed_at_end_unless_asked():
    node, out = window(("period", Duration(10 * S)), ("every", Duration(10 * S)))
    for second in range(5):
        node.point(cpu(second))
    node.finish()
    assert out.batches == []

    node, out = window(("period", Duration(10 * S)), ("every", Duration(10 * S)), flush=True)
    for second in range(5):
        node.point(cpu(second))
    node.finish()
    [batch] = out.batches
    assert batch.tmax == T0 + 10 * S and times(batch) == [0, 1, 2, 3, 4]


def test_overlapping_windows_with_missing_data_restart_from_the_late_point():
    # Kapacitor's TestStream_WindowMissing: period 3s, every 2s, a gap from 0s to 7s
    node, out = window(("period", Duration(3 * S)), ("every", Duration(2 * S)))
    for second in (0, 7, 8, 9, 10, 11):
        node.point(cpu(second))
    assert [(b.tmax - T0) / S for b in out.batches] == [2, 9, 11]
    assert [times(b) for b in out.batches] == [[0], [7, 8], [8, 9, 10]]


def test_aligned_window_boundaries_are_multiples_of_every():
    node, out = window(("period", Duration(7 * S)), ("every", Duration(7 * S)), ("align",))
    node.point(cpu(0))
    first_boundary = time_truncate(T0 + 7 * S, 7 * S)
    assert first_boundary == T0 + 4 * S  # year-one based multiples of 7s
    node.point(cpu(4))
    [batch] = out.batches
    assert batch.tmax == first_boundary and times(batch) == [0]


def test_fill_period_aligned_skips_the_partial_first_window():
    # Kapacitor's TestStream_Window_FillPeriod_Aligned: period 14s every 10s
    node, out = window(("period", Duration(14 * S)), ("every", Duration(10 * S)), ("fillPeriod",), ("align",))
    for second in range(21):
        node.point(cpu(second))
    [batch] = out.batches
    assert batch.tmax == T0 + 20 * S
    assert times(batch) == [float(s) for s in range(6, 20)]


def test_fill_period_unaligned_waits_one_period():
    node, out = window(("period", Duration(4 * S)), ("every", Duration(2 * S)), ("fillPeriod",))
    for second in range(7):
        node.point(cpu(second))
    assert [(b.tmax - T0) / S for b in out.batches] == [4, 6]
    assert [times(b) for b in out.batches] == [[0, 1, 2, 3], [2, 3, 4, 5]]


def test_without_every_each_point_emits_the_right_closed_period():
    node, out = window(("period", Duration(2 * S)))
    for second in (0, 1, 2, 3):
        node.point(cpu(second))
    assert [(b.tmax - T0) / S for b in out.batches] == [0, 1, 2, 3]
    assert [times(b) for b in out.batches] == [[0], [0, 1], [1, 2], [2, 3]]


def test_groups_have_their_own_windows_and_group_tags():
    node, out = window(("period", Duration(2 * S)), ("every", Duration(2 * S)))
    node.point(cpu(0, host="a", group_by=("host",)))
    node.point(cpu(1, host="b", group_by=("host",)))
    node.point(cpu(2, host="a", group_by=("host",)))
    node.point(cpu(2.5, host="b", group_by=("host",)))
    node.point(cpu(3, host="b", group_by=("host",)))
    assert [(b.tags, (b.tmax - T0) / S, times(b)) for b in out.batches] == [
        ({"host": "a"}, 2, [0]),
        ({"host": "b"}, 3, [1, 2.5]),
    ]
    assert out.batches[0].group == "host=a"
    # the batch points keep all the point's tags
    assert out.batches[0].points[0].tags == {"host": "a", "type": "idle"}


def test_count_window_overlapping_emits_on_every_point():
    # Kapacitor's TestStream_Window_Count_Overlapping: periodCount 3, everyCount 1
    node, out = window(("periodCount", 3), ("everyCount", 1))
    for value in range(1, 13):
        node.point(cpu(value / 10, value=value))
    assert len(out.batches) == 12
    assert [p.fields["value"] for p in out.batches[0].points] == [1]
    assert [p.fields["value"] for p in out.batches[-1].points] == [10, 11, 12]
    assert out.batches[-1].tmax == out.batches[-1].points[-1].time


def test_count_window_every_and_fill_period():
    node, out = window(("periodCount", 4), ("everyCount", 2), ("fillPeriod",))
    for value in range(1, 9):
        node.point(cpu(value, value=value))
    assert [[p.fields["value"] for p in b.points] for b in out.batches] == [[1, 2, 3, 4], [3, 4, 5, 6], [5, 6, 7, 8]]

    node, out = window(("periodCount", 4), ("everyCount", 2))
    for value in range(1, 5):
        node.point(cpu(value, value=value))
    assert [[p.fields["value"] for p in b.points] for b in out.batches] == [[1, 2], [1, 2, 3, 4]]


def test_invalid_window_configurations_are_script_errors():
    with pytest.raises(TickpyError):
        window(("every", Duration(S)))
    with pytest.raises(TickpyError):
        window(("period", Duration(S)), ("periodCount", 3), ("everyCount", 1))
    with pytest.raises(TickpyError):
        window(("periodCount", 3))

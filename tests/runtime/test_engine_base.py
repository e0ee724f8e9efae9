"""The node base: messages, group ids, registry, forwarding and counters."""

import pytest

from tickpy.check.pipeline import PipelineNode
from tickpy.golang.gojson import dumps
from tickpy.runtime.messages import BatchMessage, BatchPoint, Dimensions, PointMessage, group_id
from tickpy.runtime.nodes.base import ParentPort, RunContext, RuntimeNode, lookup, register


def test_group_id_matches_kapacitor_forms():
    tags = {"host": "a", "cpu": "x"}
    assert group_id("cpu", tags, Dimensions()) == ""
    assert group_id("cpu", tags, Dimensions(by_name=True)) == "cpu"
    assert group_id("cpu", tags, Dimensions(tag_names=("host", "cpu"))) == "host=a,cpu=x"
    assert group_id("cpu", tags, Dimensions(True, ("host",))) == "cpu\nhost=a"


def test_point_row_json_has_time_first_and_sorted_fields():
    msg = PointMessage("cpu", {"host": "a"}, {"b": 2.0, "a": 1}, 31536000_000000000)
    assert dumps(msg.to_result()) == (
        '{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","a","b"],'
        '"values":[["1971-01-01T00:00:00Z",1,2]]}]}'
    )


def test_batch_row_adds_point_tags_that_are_not_group_tags():
    batch = BatchMessage(
        "cpu", {"host": "a"}, Dimensions(tag_names=("host",)), 10,
        [BatchPoint(0, {"v": 1.5}, {"host": "a", "type": "idle"})],
    )
    assert dumps(batch.to_row()) == (
        '{"name":"cpu","tags":{"host":"a"},"columns":["time","type","v"],'
        '"values":[["1970-01-01T00:00:00Z","idle",1.5]]}'
    )


class _Collect(RuntimeNode):
    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.seen = []

    def point(self, msg):
        self.seen.append(msg)

    def point_from(self, index, msg):
        self.seen.append((index, msg.name))


def test_registry_prefers_name_then_type():
    from tickpy.runtime.nodes.basic import WhereNode
    from tickpy.runtime.nodes.influxql import InfluxQLNode, StreamTransformationNode

    assert lookup("InfluxQLNode", "mean") is InfluxQLNode
    assert lookup("InfluxQLNode", "movingAverage") is StreamTransformationNode
    assert lookup("InfluxQLNode", "noSuchFunction") is None
    assert lookup("WhereNode", "where") is WhereNode
    assert lookup("NoSuchNode", "x") is None


def test_register_refuses_a_type_without_a_node_kind_declaration():
    with pytest.raises(KeyError):
        register("TestOnlyNode")


def test_forwarding_reaches_children_and_ports_and_counts():
    ctx = RunContext(task_name="t")
    source = RuntimeNode(PipelineNode(0, "NoOpNode", "noop"), ctx)
    sink = _Collect(PipelineNode(1, "NoOpNode", "sink"), ctx)
    source.children.append(sink)
    source.children.append(ParentPort(sink, 1))
    msg = PointMessage("m", {}, {"v": 1}, 0)
    source.point(msg)
    assert sink.seen == [msg, (1, "m")]
    assert source.points_out == 1


def test_error_reporting_counts_and_keeps_errors():
    seen = []
    ctx = RunContext(task_name="t", on_error=seen.append)
    node = RuntimeNode(PipelineNode(3, "WhereNode", "where"), ctx)
    node.error("boom")
    assert node.errors == 1
    assert [(e.node, e.message) for e in ctx.node_errors] == [("where3", "boom")]
    assert seen == ctx.node_errors
    assert "node=where3" in seen[0].log_line("t")


def test_lazy_fields_read_one_field_without_decoding_the_others():
    from tickpy.runtime.lineprotocol import parse_line
    from tickpy.runtime.messages import LazyFields

    point = parse_line("cpu,host=a idle=5.5,user=1i,ok=true 1")
    fields = LazyFields(point)
    assert fields.get("idle") == 5.5 and fields["user"] == 1 and "ok" in fields and "nope" not in fields
    assert fields.get("nope", 7) == 7
    assert not point.fields_decoded
    try:
        fields["nope"]
    except KeyError:
        pass
    else:
        raise AssertionError("a missing field must raise KeyError")
    assert dict(fields) == {"idle": 5.5, "user": 1, "ok": True} == fields
    assert sorted(fields) == ["idle", "ok", "user"] and len(fields) == 3 and fields.copy() == dict(fields)
    assert dumps(PointMessage("cpu", {}, fields, 0).to_row()) == (
        '{"name":"cpu","columns":["time","idle","ok","user"],"values":[["1970-01-01T00:00:00Z",5.5,true,1]]}'
    )


def test_every_runtime_node_class_is_registered_for_one_declared_kind():
    import inspect

    from tickpy.check.node_kinds import NODE_KINDS
    from tickpy.runtime.nodes.base import registered

    by_class: dict[type, set[str]] = {}
    for (node_type, _name), cls in registered().items():
        assert node_type in NODE_KINDS, node_type
        by_class.setdefault(cls, set()).add(node_type)
    assert all(len(types) == 1 for types in by_class.values()), by_class

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    runtime_classes = {cls for cls in subclasses(RuntimeNode)
                       if cls.__module__.startswith("tickpy.runtime.nodes.") and not inspect.isabstract(cls)
                       and not cls.__name__.startswith("_")}  # a leading _ marks a shared base class
    assert runtime_classes - set(by_class) == set()

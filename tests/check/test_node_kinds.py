"""One declaration per node kind (tickpy.check.node_kinds), complete for every kind Kapacitor has."""

import pytest

from tickpy.check import build_pipeline
from tickpy.check.catalogue import load
from tickpy.check.evaluate import UDFInfo
from tickpy.check.node_kinds import NODE_KINDS, NodeKind, declare, describe_trickle
from tickpy.syntax import parse

CATALOGUE_NODES = {name for name, entry in load().types.items() if entry.category == "node"}

# Between them, these scripts build a node of every kind.
STREAM_SCRIPT = """dbrp "db"."rp"
var cpu = stream
    |from().measurement('cpu').groupBy('host')
    |where(lambda: "usage" > 0)
    |eval(lambda: "usage" * 2.0).as('double').keep()
    |default().field('usage', 0.0)
    |delete().field('double')
var mem = stream
    |from().measurement('mem').groupBy('host')
    |barrier().idle(10s)
cpu
    |join(mem).as('cpu', 'mem').tolerance(1s)
    |groupBy('host')
    |window().period(1m).every(1m)
    |mean('cpu.usage')
    |httpOut('mean')
cpu
    |window().period(1m).every(1m)
    |trickle()
cpu
    |union(mem)
    |shift(5s)
    |sample(2)
    |derivative('usage').nonNegative()
    |stateDuration(lambda: "usage" > 1)
    |stateCount(lambda: "usage" > 1)
    |changeDetect('usage')
    |log()
    |alert().crit(lambda: "usage" > 90).tcp('127.0.0.1:9100')
    |httpPost('http://example.com/x')
    |influxDBOut().database('out').retentionPolicy('autogen')
cpu
    |combine(lambda: "cpu" == 'a', lambda: "cpu" == 'b').as('a', 'b')
    |flatten().on('cpu')
    |sideload().source('file:///tmp').order('{{.host}}.yml').field('x', 1.0)
    |kapacitorLoopback().database('db').retentionPolicy('rp')
cpu
    |ec2Autoscale().groupName('g').replicas(lambda: 2)
cpu
    |swarmAutoscale().serviceName('s').replicas(lambda: 2)
cpu
    |k8sAutoscale().resourceName('r').replicas(lambda: 2)
cpu
    @smooth().size(3)
stream
    |from().measurement('disk')
    |deadman(1.0, 1m)
"""
BATCH_SCRIPT = """dbrp "db"."rp"
batch
    |query('SELECT mean(usage) FROM "db"."rp"."cpu"').period(5m).every(1m)
    |log()
batch
    |queryFlux('from(bucket: "b")')
    |log()
"""


def _pipelines():
    udfs = {"smooth": UDFInfo("smooth", options={"size": ["int"]})}
    return [build_pipeline(parse(STREAM_SCRIPT), udfs=udfs), build_pipeline(parse(BATCH_SCRIPT))]


def test_every_catalogue_node_kind_has_one_declaration_and_no_other_is_declared_but_noop():
    assert CATALOGUE_NODES - set(NODE_KINDS) == set()
    # Kapacitor adds a NoOpNode itself (after a node watched by stats() that has no other child).
    assert set(NODE_KINDS) - CATALOGUE_NODES == {"NoOpNode"}
    assert all(kind.type == name for name, kind in NODE_KINDS.items())


def test_a_second_declaration_of_a_kind_is_refused():
    with pytest.raises(RuntimeError, match="declared twice"):
        declare(NodeKind("WindowNode", describe=describe_trickle))
    assert NODE_KINDS["WindowNode"].describe is not describe_trickle


def test_every_declaration_has_all_its_parts():
    for name, kind in NODE_KINDS.items():
        assert callable(kind.describe), name
        assert kind.check is None or callable(kind.check), name
        assert isinstance(kind.working_cardinality, bool) and isinstance(kind.sink, bool), name


def test_the_scripts_build_every_kind_and_each_declared_sentence_describes_its_node():
    seen = set()
    for pipeline in _pipelines():
        for node in pipeline.nodes:
            seen.add(node.type)
            sentence = NODE_KINDS[node.type].describe(node, pipeline)
            assert sentence[:1].isupper() and sentence.endswith("."), (node.label, sentence)
    assert seen == set(NODE_KINDS)


def test_declared_checks_run_as_the_checker_runs_them():
    # The window's declared check is Kapacitor's validate(): both period and periodCount.
    from tickpy.diagnostics import TickpyError

    with pytest.raises(TickpyError) as error:
        build_pipeline(parse("stream|from()|window().period(1m).periodCount(10).everyCount(1)|log()"))
    assert error.value.diagnostics[0].kapacitor_message == "cannot specify both period and periodCount"

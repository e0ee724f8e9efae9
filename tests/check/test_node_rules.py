"""Kapacitor's node checks after evaluation (validate()): same verdicts and texts, positions added."""

import pytest

from tickpy.check import build_pipeline
from tickpy.diagnostics import TickpyError
from tickpy.syntax import parse

FROM = "stream\n    |from()\n        .measurement('cpu')\n"


def kapacitor_error(script: str) -> str:
    with pytest.raises(TickpyError) as info:
        build_pipeline(parse(script))
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == "invalid-node" and diagnostic.line
    return diagnostic.kapacitor_message


@pytest.mark.parametrize(
    "tail, expected",
    [
        ("|window()\n        .period(1m)\n        .periodCount(10)\n", "cannot specify both period and periodCount"),
        ("|window()\n        .periodCount(10)\n", "everyCount must be greater than zero"),
        ("|barrier()\n", "idle must be greater than zero"),
        ("|barrier()\n        .idle(1m)\n        .period(1m)\n", "cannot specify both idle and period"),
        ("|eval(lambda: 1, lambda: 2)\n        .as('a')\n", "must specify same number of expressions and .as() names: got 1 as names, and 2 expressions."),
        ("|eval(lambda: 1)\n        .as('a')\n        .tags('b')\n", 'invalid tag name "b", name is not present is .as() names'),
        ("|groupBy(*, 'host')\n", "cannot group by both '*' and named dimensions."),
        ("|groupBy('host')\n        .exclude('cpu')\n", "exclude requires '*'"),
        ("|httpPost()\n", "must provide url or endpoint"),
        ("|httpPost('http://a', 'http://b')\n", "httpPost expects 0 or 1 arguments, got 2"),
        ("|kapacitorLoopback()\n        .database('db')\n", "must specify a retention policy"),
        ("|k8sAutoscale()\n        .resourceName('app')\n", "must provide a replicas lambda expression"),
        ("|default()\n        .field('x', 1m)\n", 'unsupported type time.Duration for field "x", field default values must be float,int,string or bool'),
        ("|alert()\n        .post('http://x')\n        .header('Authenticate', 'x')\n", "invalid post: cannot set 'authenticate' header"),
        ("|alert()\n        .snmpTrap('')\n", 'invalid SNMP trap "": you must supply a trap Oid'),
    ],
)
def test_node_checks(tail, expected):
    assert kapacitor_error(FROM + "    " + tail) == expected


def test_join_needs_as_with_one_name_per_parent():
    script = "var a = stream|from()\nvar b = stream|from()\na|join(b)\n"
    assert kapacitor_error(script) == "a call to join.as() is required to specify the output stream prefixes."
    assert kapacitor_error(script + "    .as('a')\n") == (
        "number of prefixes specified by join.as() must match the number of joined streams"
    )
    build_pipeline(parse(script + "    .as('a', 'b')\n"))


def test_from_group_by_rejects_a_reference_at_the_call():
    with pytest.raises(TickpyError) as info:
        build_pipeline(parse(FROM + "        .groupBy(\"host\")\n"))
    diagnostic = info.value.diagnostics[0]
    assert (diagnostic.line, diagnostic.column) == (4, 10)
    assert diagnostic.kapacitor_message == "invalid dimension object of type *ast.ReferenceNode"

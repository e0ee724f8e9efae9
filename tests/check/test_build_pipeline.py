"""build_pipeline on hand-built ASTs: graph shape, Kapacitor numbering, handlers, errors."""

import pytest

from tests.check.handbuilt import chain, d, f, i, ident, lam, program, ref, s, var
from tickpy.check import build_pipeline
from tickpy.check.dot import to_dot
from tickpy.diagnostics import TickpyError
from tickpy.lang.values import Duration


def cpu_alert():
    return chain(
        ident("stream"),
        ("|", "from"),
        (".", "measurement", s("cpu")),
        ("|", "window"),
        (".", "period", d(10)),
        ("|", "mean", s("usage")),
        ("|", "alert"),
        (".", "crit", lam(ref("mean"), ">", i(90))),
        (".", "slack"),
        (".", "channel", s("#ops")),
        (".", "stateChangesOnly"),
        ("|", "httpOut", s("out")),
    )


def test_common_stream_script_builds_nodes_in_kapacitor_order():
    pipeline = build_pipeline(program(cpu_alert()))
    assert pipeline.task_type == "stream"
    assert [n.label for n in pipeline.nodes] == ["stream0", "from1", "window2", "mean3", "alert4", "http_out5"]
    window = pipeline.nodes[2]
    assert window.last("period").args == [Duration(10_000_000_000)]
    assert pipeline.nodes[3].type == "InfluxQLNode" and pipeline.nodes[3].args == ["usage"]
    alert = pipeline.nodes[4]
    assert [h.kind for h in alert.handlers] == ["slack"]
    assert [(p.name, p.args) for p in alert.handlers[0].properties] == [("channel", ["#ops"])]
    # .stateChangesOnly() after the handler is an alert property, not the handler's
    assert alert.last("stateChangesOnly") is not None
    assert [c.label for c in alert.children] == ["http_out5"]


def test_join_takes_the_last_id_of_its_parent_links():
    statements = [
        var("a", chain(ident("stream"), ("|", "from"), (".", "measurement", s("a")))),
        var("b", chain(ident("stream"), ("|", "from"), (".", "measurement", s("b")))),
        chain(ident("a"), ("|", "join", ident("b")), (".", "as", s("a"), s("b")), ("|", "log")),
    ]
    pipeline = build_pipeline(program(*statements))
    dot = to_dot(pipeline)
    assert dot.splitlines() == [
        "digraph task {",
        "stream0 -> from1;",
        "stream0 -> from2;",
        "from2 -> join4;",
        "from1 -> join4;",
        "join4 -> log5;",
        "}",
    ]


def test_deadman_adds_stats_derivative_and_alert():
    pipeline = build_pipeline(program(chain(ident("stream"), ("|", "from"), ("|", "deadman", f(0.0), d(10)))))
    labels = [n.label for n in pipeline.nodes]
    assert labels == ["stream0", "from1", "stats2", "noop3", "derivative4", "alert5"]
    alert = pipeline.nodes[-1]
    assert "points/10s." in alert.last("message").args[0]


def error_of(*statements, **kwargs):
    with pytest.raises(TickpyError) as info:
        build_pipeline(program(*statements), **kwargs)
    return info.value.diagnostics[0]


def test_unknown_property_points_at_the_name_with_kapacitors_text():
    diag = error_of(chain(ident("stream"), ("|", "from"), (".", "period", d(5), {"line": 3, "column": 7})))
    assert (diag.line, diag.column) == (3, 7)
    assert diag.kapacitor_message == 'line 3 char 7: no method or property "period" on *pipeline.FromNode'
    assert "pipeline." not in diag.message


def test_int_is_not_a_duration():
    diag = error_of(chain(ident("stream"), ("|", "from"), ("|", "window"), (".", "period", i(5), {"line": 2, "column": 4})))
    assert diag.kapacitor_message.endswith(
        "reflect.Set: value of type int64 is not assignable to type time.Duration"
    )
    assert diag.hint


def test_window_on_a_batch_edge_is_refused():
    diag = error_of(chain(ident("batch"), ("|", "query", s("SELECT 1")), ("|", "window")))
    assert "cannot Window batch edge" in diag.kapacitor_message


def test_task_type_and_task_does_nothing():
    assert error_of(chain(ident("x"), ("|", "from"))).kapacitor_message == "invalid task type: invalid"
    assert error_of(var("s", ident("stream"))).kapacitor_message == "task does nothing"


def test_redeclared_and_undefined_names():
    first = var("x", i(1))
    assert error_of(first, var("x", i(2)), chain(ident("stream"), ("|", "from"))).kapacitor_message == (
        "attempted to redefine x, vars are immutable"
    )
    diag = error_of(chain(ident("stream"), ("|", "from"), (".", "measurement", ident("nope"))))
    assert diag.kapacitor_message.startswith('name "nope" is undefined. Names in scope: ')


def test_udf_needs_declaring():
    from tickpy.check import UDFInfo

    script = chain(ident("stream"), ("|", "from"), ("@", "movingAvg"), (".", "size", i(10)))
    diag = error_of(script)
    assert diag.kapacitor_message.endswith('no method or property "movingAvg" on *pipeline.FromNode')
    pipeline = build_pipeline(program(script), udfs={"movingAvg": UDFInfo("movingAvg", options={"size": ["int"]})})
    assert pipeline.nodes[-1].label == "movingAvg2"


def test_messages_speak_tickscript_and_help():
    from tickpy.syntax import parse

    def first(script):
        with pytest.raises(TickpyError) as info:
            build_pipeline(parse(script))
        return info.value.diagnostics[0]

    wrong_root = first("batch\n    |from()\n        .measurement('cpu')\n")
    assert wrong_root.code == "wrong-root" and "stream|from" in wrong_root.hint
    alias = first("stream\n    |from()\n    |filter(lambda: TRUE)\n")
    assert alias.hint == "did you mean |where()?"
    owner = first("stream\n    |from()\n        .period(5m)\n")
    assert "|window()" in owner.hint
    no_lambda = first("stream\n    |from()\n    |where(\"a\" > 1)\n")
    assert (no_lambda.line, no_lambda.column) == (3, 12) and "lambda:" in no_lambda.hint
    assert no_lambda.kapacitor_message.startswith('name "a" is undefined')
    lower_true = first("stream\n    |from()\n    |where(lambda: true)\n")
    assert lower_true.hint == "booleans are written in capitals: TRUE"
    written = first("stream\n    |from()\n    |groupBy('host')\n        .count('x')\n")
    assert "|groupBy()" in written.message
    for diag in (wrong_root, alias, owner, no_lambda, lower_true, written):
        assert "pipeline." not in diag.message and "reflect" not in diag.message


def test_hints_for_calls_on_the_root_and_misplaced_arguments():
    from tickpy.syntax import parse

    def first(script):
        with pytest.raises(TickpyError) as info:
            build_pipeline(parse(script))
        return info.value.diagnostics[0]

    assert first("stream|alert()\n").hint == "stream is only the source: write stream|from(...)|alert(...)"
    assert first("batch|window()\n").hint is None  # a batch query cannot be windowed either
    from_with_name = first("stream|from('cpu')\n")
    assert from_with_name.kapacitor_message.endswith("reflect: Call with too many input arguments")
    assert ".measurement(...)" in from_with_name.hint

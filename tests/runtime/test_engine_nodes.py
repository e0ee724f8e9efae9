"""Per-point nodes without lambdas, built from hand-made pipelines (the checker's contract)."""

from tickpy.check.pipeline import Pipeline, PipelineNode, PropertyCall
from tickpy.golang.gojson import dumps
from tickpy.golang.gotime import time_round, time_truncate
from tickpy.lang.values import STAR
from tickpy.runtime.engine import compile_task
from tickpy.runtime.messages import PointMessage
from tickpy.runtime.nodes.base import RunContext
from tickpy.syntax.ast import Span

S = 1_000_000_000


def prop(name, *args):
    return PropertyCall(name, list(args), Span.unknown())


def chain(*specs):
    """A linear pipeline of (type, name, args, properties) tuples."""
    nodes = []
    for index, (node_type, name, args, properties) in enumerate(specs):
        node = PipelineNode(index, node_type, name, list(args), list(properties))
        if nodes:
            node.parents.append(nodes[-1])
            nodes[-1].children.append(node)
        nodes.append(node)
    return Pipeline("stream", nodes)


def run(pipeline, points, **ctx_args):
    ctx = RunContext(task_name="t", database="db", retention_policy="rp", **ctx_args)
    task = compile_task(pipeline, ctx)
    task.run(points)
    task.finish()
    return task


def point(name, tags, fields, time):
    return PointMessage(name, tags, fields, time)


def test_from_selects_measurement_groups_and_httpout_keeps_last_per_group_in_creation_order():
    pipeline = chain(
        ("StreamNode", "stream", [], []),
        ("FromNode", "from", [], [prop("measurement", "cpu"), prop("groupBy", "host")]),
        ("HTTPOutNode", "httpOut", ["out"], []),
    )
    task = run(pipeline, [
        point("cpu", {"host": "b"}, {"v": 1.0}, 0),
        point("mem", {"host": "a"}, {"v": 9.0}, 0),
        point("cpu", {"host": "a"}, {"v": 2.0}, S),
        point("cpu", {"host": "b"}, {"v": 3.0}, 2 * S),
    ])
    assert dumps(task.httpout()["out"]) == (
        '{"series":[{"name":"cpu","tags":{"host":"b"},"columns":["time","v"],"values":[["1970-01-01T00:00:02Z",3]]},'
        '{"name":"cpu","tags":{"host":"a"},"columns":["time","v"],"values":[["1970-01-01T00:00:01Z",2]]}]}'
    )
    stats = task.stats()
    # Kapacitor hands the task only cpu's points: the mem point is ignored before stream0.
    assert stats["stream0"]["points_out"] == 3 and stats["stream0"]["ignored_other_measurements"] == 1
    assert stats["from1"]["points_in"] == 3 and stats["from1"]["points_out"] == 3
    assert stats["httpOut2"]["points_in"] == 3


def test_from_database_filter_and_truncate():
    pipeline = chain(
        ("StreamNode", "stream", [], []),
        ("FromNode", "from", [], [prop("database", "other")]),
        ("HTTPOutNode", "httpOut", ["out"], []),
    )
    assert dumps(run(pipeline, [point("cpu", {}, {"v": 1}, 0)]).httpout()["out"]) == '{"series":null}'
    assert time_truncate(7 * S + 5, S) == 7 * S
    assert time_round(7 * S + S // 2, S) == 8 * S
    assert time_round(7 * S + S // 2 - 1, S) == 7 * S


def test_groupby_star_exclude_default_delete_and_influxdbout_lines():
    lines = []
    pipeline = chain(
        ("StreamNode", "stream", [], []),
        ("FromNode", "from", [], [prop("measurement", "cpu")]),
        ("GroupByNode", "groupBy", [STAR], [prop("exclude", "cpu")]),
        ("DefaultNode", "default", [], [prop("field", "extra", 1.5), prop("tag", "dc", "eu")]),
        ("DeleteNode", "delete", [], [prop("field", "drop"), prop("tag", "host")]),
        ("InfluxDBOutNode", "influxDBOut", [], [prop("measurement", "out"), prop("tag", "k", "v"),
                                               prop("precision", "s")]),
        ("HTTPOutNode", "httpOut", ["out"], []),
    )
    task = run(pipeline, [point("cpu", {"host": "a", "cpu": "c0", "dc": ""}, {"v": 2, "drop": True}, 3 * S)],
               line_sink=lines.append)
    assert lines == ["out,cpu=c0,dc=eu,k=v extra=1.5,v=2i 3"]
    result = task.httpout()["out"]
    # host was a group dimension: deleting it removes it from the group too
    assert dumps(result) == (
        '{"series":[{"name":"cpu","tags":{"cpu":"c0","dc":"eu"},"columns":["time","extra","v"],'
        '"values":[["1970-01-01T00:00:03Z",1.5,2]]}]}'
    )


def test_unsupported_node_is_reported_before_any_point():
    import pytest

    from tickpy.diagnostics import TickpyError

    pipeline = chain(
        ("StreamNode", "stream", [], []),
        ("FromNode", "from", [], []),
        ("QueryFluxNode", "query_flux", [], []),
    )
    with pytest.raises(TickpyError) as caught:
        compile_task(pipeline, RunContext())
    assert "not supported by tickpy run yet" in str(caught.value) and "query_flux2" in str(caught.value)


def test_log_node_writes_kapacitor_logfmt():
    written = []
    pipeline = chain(
        ("StreamNode", "stream", [], []),
        ("FromNode", "from", [], [prop("groupBy", "host")]),
        ("LogNode", "log", [], [prop("prefix", "P X")]),
    )
    run(pipeline, [point("cpu", {"host": "a"}, {"v": 1.5, "s": "a b"}, 0)], log_sink=written.append,
        clock=lambda: 0)
    assert written == [
        'ts=1970-01-01T00:00:00.000Z lvl=info msg=point service=kapacitor task_master=main task=t node=log2 '
        'prefix="P X" name=cpu db=db rp=rp group=host=a dimension_0=host tag_host=a field_s="a b" field_v=1.5 '
        'time=1970-01-01T00:00:00Z'
    ]


def test_log_node_quotes_like_go_only_values_with_a_space_or_a_quote():
    # Kapacitor's logger quotes with strconv.Quote when a value has a space or '"', else writes it raw.
    written = []
    pipeline = chain(("StreamNode", "stream", [], []), ("FromNode", "from", [], []), ("LogNode", "log", [], []))
    fields = {"eq": "k=v", "quoted": 'say "hi"', "tab": "a\tb", "bell": "\x07 x", "accent": "é x"}
    run(pipeline, [point("cpu", {}, fields, 0)], log_sink=written.append, clock=lambda: 0)
    [line] = written
    assert " field_eq=k=v " in line and " field_tab=a\tb " in line
    assert ' field_quoted="say \\"hi\\"" ' in line
    assert ' field_bell="\\a x" ' in line  # Go writes the bell as \a
    assert ' field_accent="é x" ' in line  # printable non-ASCII stays as it is


def test_trickle_turns_window_batches_back_into_points():
    from tickpy.api import run_task
    from tickpy.runtime.lineprotocol import read_points

    script = ("stream|from().groupBy('h')|window().period(2s).every(2s)|trickle()"
              "|eval(lambda: \"v\" * 10.0).as('v10')|httpOut('out')\n")
    result = run_task(script, read_points("m,h=a v=1 0\nm,h=a v=2 1000000000\nm,h=a v=3 2000000000\n"),
                      path="t.tick")
    assert dumps(result.httpout["out"]) == (
        '{"series":[{"name":"m","tags":{"h":"a"},"columns":["time","v10"],'
        '"values":[["1970-01-01T00:00:01Z",20]]}]}'
    )
    assert result.stats["trickle3"]["batches_in"] == 1 and result.stats["trickle3"]["points_out"] == 2


def test_kapacitor_loopback_writes_lines_and_refuses_a_loop():
    import pytest

    from tickpy.api import run_task
    from tickpy.diagnostics import TickpyError
    from tickpy.runtime.lineprotocol import read_points

    script = ("dbrp \"db\".\"rp\"\nstream|from()|eval(lambda: \"v\" * 2.0).as('v2')"
              "|kapacitorLoopback().database('{}').retentionPolicy('rp').measurement('out').tag('via', 'loop')\n")
    result = run_task(script.format("other"), read_points("m,h=a v=1.5 7\n"), path="l.tick")
    assert result.influxdb_lines == ["out,h=a,via=loop v2=3 7"]
    with pytest.raises(TickpyError) as caught:
        run_task(script.format("db"), [], path="l.tick")
    assert "loop detected on dbrp: db.rp" in caught.value.diagnostics[0].message

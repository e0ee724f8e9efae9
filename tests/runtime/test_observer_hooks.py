"""The hook points runtime nodes declare for observers (RuntimeNode.observe): what each reports,
and that attaching an observer changes nothing the task produces."""

from __future__ import annotations

import json

from tickpy import api
from tickpy.runtime.lineprotocol import parse_points

S = 1_000_000_000


def _run(script: str, lines: str, observe=None):
    """The run's result; `observe(task)` is called once the task is compiled."""
    return api.run(f'dbrp "db"."rp"\n{script}', parse_points(lines), api.RunOptions(on_compiled=observe))


def _values(result, endpoint: str) -> list:
    return json.loads(result.httpout_json(endpoint))["series"][0]["values"]


def _node(task, node_type: str):
    return next(node for node in task.nodes if node.spec.type == node_type)


class Recorder:
    def __init__(self):
        self.calls = []

    def level_evaluated(self, level, reset, result, fields, tags, time):
        self.calls.append(("level", level, reset, result if not isinstance(result, Exception) else "error", time))

    def set_emitted(self, time, present):
        self.calls.append(("set", time, present))

    def tick(self, time, emit):
        self.calls.append(("tick", time))
        emit(time)


ALERT = """stream
    |from().measurement('cpu')
    |alert()
        .warn(lambda: "v" > 5)
        .crit(lambda: "v" > 8)
        .critReset(lambda: "v" < 2)
"""
ALERT_POINTS = "".join(f"cpu v={v} {t * S}\n" for t, v in enumerate([1, 6, 9, 5, 1], 1)) + f"cpu x=1 {6 * S}\n"


def test_alert_reports_each_level_expression_and_produces_the_same_events():
    recorder = Recorder()
    plain = _run(ALERT, ALERT_POINTS)
    observed = _run(ALERT, ALERT_POINTS, lambda task: _node(task, "AlertNode").observe(recorder))
    levels = [(event.time_ns, event.level) for event in observed.alerts]
    assert levels == [(event.time_ns, event.level) for event in plain.alerts]
    assert [error.message for error in observed.node_errors] == [error.message for error in plain.node_errors]
    crit, warn = 3, 2
    # From OK the levels are tried from CRITICAL down; at CRITICAL its reset decides first
    # (5 is not < 2: it stays); the point without "v" fails every expression.
    assert [call[1:] for call in recorder.calls] == [
        (crit, False, False, 1 * S), (warn, False, False, 1 * S),
        (crit, False, False, 2 * S), (warn, False, True, 2 * S),
        (crit, False, True, 3 * S),
        (crit, False, False, 4 * S), (crit, True, False, 4 * S),
        (crit, False, False, 5 * S), (crit, True, True, 5 * S), (crit, False, False, 5 * S),
        (warn, False, False, 5 * S),
        (crit, False, "error", 6 * S), (warn, False, "error", 6 * S),
    ]
    assert levels == [(2 * S, "WARNING"), (3 * S, "CRITICAL"), (4 * S, "CRITICAL"), (5 * S, "OK")]


JOIN = """var a = stream|from().measurement('a')
var b = stream|from().measurement('b')
a|join(b).as('a', 'b').tolerance(1s)|httpOut('joined')
"""
JOIN_POINTS = f"a v=1 {10 * S}\nb v=2 {10 * S + S // 4}\na v=3 {20 * S}\nb v=4 {31 * S}\n"


def test_join_reports_the_sets_it_emits_and_tells_what_waits():
    recorder = Recorder()
    task = api.compile(f'dbrp "db"."rp"\n{JOIN}')
    join = _node(task.compiled, "JoinNode")
    join.observe(recorder)
    task.compiled.run(parse_points(JOIN_POINTS))
    # 10s and 10.25s round to the same second: that set is complete. The sets at 20s (a) and
    # 31s (b) wait: a has not moved past 20s.
    assert recorder.calls == [("set", 10 * S, [True, True])]
    assert join.waiting_sets("") == [(20 * S, [True, False]), (31 * S, [False, True])]
    result = task.run([])  # the end of input: what is left is joined (an inner join drops it)
    assert recorder.calls[1:] == [("set", 20 * S, [True, False]), ("set", 31 * S, [False, True])]
    assert join.waiting_sets("") == []
    assert _values(result, "joined") == [["1970-01-01T00:00:10Z", 1, 2]]


def test_stats_reports_each_tick_and_its_emit_is_the_node_s():
    recorder = Recorder()
    script = "stream|from().measurement('cpu')|stats(10s)|httpOut('stats')"
    lines = "".join(f"cpu v=1 {t * S}\n" for t in (0, 4, 12, 35))
    result = _run(script, lines, lambda task: _node(task, "StatsNode").observe(recorder))
    # The first tick is one interval after the first point; a point at 35s passes 10s, 20s, 30s.
    assert recorder.calls == [("tick", 10 * S), ("tick", 20 * S), ("tick", 30 * S)]
    assert _values(result, "stats") == [["1970-01-01T00:00:30Z", 3]]


def test_window_tells_what_the_next_window_holds():
    nodes = {}

    def keep(task):
        nodes["window"] = _node(task, "WindowNode")

    script = "stream|from().measurement('cpu')|window().period(10s).every(5s)|count('v')|httpOut('n')"
    _run(script, "".join(f"cpu v=1 {t * S}\n" for t in (0, 3, 6, 11)), keep)
    # Kapacitor's rule: the first emit is at first point + every (5s); a point at or past the
    # emit time emits [emit - period, emit) and the next emit is that point's time + every. So
    # 6s emits at 5s (next 11s), 11s emits at 11s (next 16s): the next window, [6s, 16s),
    # holds the points at 6s and 11s.
    assert nodes["window"].pending("") == (2, 16 * S)
    assert nodes["window"].pending("no such group") == (0, None)


def test_log_node_lines_go_through_the_sink_set_after_it_was_built():
    seen = []

    def wrap(task):
        task.ctx.log_sink = seen.append

    _run("stream|from().measurement('cpu')|log()", "cpu v=1 1000000000\n", wrap)
    assert len(seen) == 1 and "msg=point" in seen[0] and "field_v=1" in seen[0]

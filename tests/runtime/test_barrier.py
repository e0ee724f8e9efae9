"""barrier(): Kapacitor's barrier tests (integrations/streamer_test.go) replayed in event time.

Kapacitor's barriers fire on wall-clock timers; tickpy's fire when the time of the data reaching
the barrier node passes them (so Kapacitor's "sleep, then the barrier comes" is a later point
here). The expected windows and results are those of Kapacitor's tests."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from tickpy.api import run_task
from tickpy.runtime.lineprotocol import read_points

S = 1_000_000_000


@pytest.fixture
def server():
    bodies = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.bodies = bodies
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _posted_windows(server) -> list[list[int]]:
    """The value of each point of each posted window (the values are the points' seconds)."""
    return [[row[1] for row in body["series"][0]["values"]] for body in server.bodies]


# TestStream_Barrier_Idle / _Period: 21 points, one a second, through a 14s window every 10s
TWENTY_ONE_SECONDS = "".join(f"cpu value={i} {i * S}\n" for i in range(21))
KAPACITOR_WINDOWS = [list(range(0, 10)), list(range(6, 20)), list(range(16, 21))]


@pytest.mark.parametrize("barrier", [".idle(10s)", ".period(10s)"])
def test_a_barrier_closes_the_window_the_data_left_open(server, barrier):
    script = (f"stream|from().measurement('cpu')|barrier(){barrier}|window().period(14s).every(10s)"
              f"|httpPost('{server.url}')\n")
    # Kapacitor's test waits 11 s of wall clock; here a later point brings time past the barrier
    run_task(script, read_points(TWENTY_ONE_SECONDS + f"cpu value=35 {35 * S}\n"), path="p.tick")
    assert _posted_windows(server) == KAPACITOR_WINDOWS


def test_without_later_data_no_barrier_comes(server):
    script = f"stream|from().measurement('cpu')|barrier().idle(10s)|window().period(14s).every(10s)|httpPost('{server.url}')\n"
    run_task(script, read_points(TWENTY_ONE_SECONDS), path="p.tick")
    assert _posted_windows(server) == KAPACITOR_WINDOWS[:2]


DELETE_JOIN = """
var errorCounts = stream
    |from().measurement('cpu').groupBy('host')
    |window().period(10s).every(10s).align()
    |sum('value')
    |barrier().idle(1s).delete(TRUE)
var viewCounts = stream
    |from().measurement('views').groupBy('host')
    |window().period(10s).every(10s).align()
    |sum('value')
    |barrier().idle(1s).delete(TRUE)
errorCounts
    |join(viewCounts).as('errors', 'views').streamName('error_view').tolerance(2s).deleteAll(TRUE)
    |eval(lambda: "errors.sum" / "views.sum").as('error_percent').keep()
    |httpOut('TestStream_Delete_Join')
"""


def test_delete_join_keeps_kapacitors_result():
    # testdata/TestStream_Delete_Join.srpl, replayed from time 0 in its own order
    data = "".join(f"{name},type=idle,host=serverA value=9,anothervalue=4.2 {t * S}\n"
                   for name in ("cpu", "views") for t in (0, 1, 20, 21))
    result = run_task(DELETE_JOIN, read_points(data), path="p.tick")
    assert json.loads(result.httpout_json("TestStream_Delete_Join")) == {"series": [{
        "name": "error_view", "tags": {"host": "serverA"},
        "columns": ["time", "error_percent", "errors.sum", "views.sum"],
        "values": [["1970-01-01T00:00:10Z", 1, 18, 18]],
    }]}


def test_delete_makes_the_nodes_below_forget_the_idle_group():
    # host a goes quiet; b's data passes a's idle barrier: httpOut drops a's series (as
    # Kapacitor's httpOut does on a delete-group message), b's stays
    script = "stream|from().measurement('m').groupBy('host')|barrier().idle(5s).delete(TRUE)|httpOut('out')\n"
    data = f"m,host=a v=1 0\nm,host=b v=2 {1 * S}\nm,host=b v=3 {6 * S}\n"
    result = run_task(script, read_points(data), path="p.tick")
    series = json.loads(result.httpout_json("out"))["series"]
    assert [s["tags"]["host"] for s in series] == ["b"]


def test_a_deleted_group_starts_afresh():
    # derivative keeps the previous point per group; after the delete, the group's next point
    # has no previous one, so no derivative is emitted for it
    script = ("stream|from().measurement('m').groupBy('host')|barrier().idle(5s).delete(TRUE)"
              "|derivative('v').unit(1s)|httpOut('out')\n")
    data = (f"m,host=a v=1 0\nm,host=a v=3 {1 * S}\n"  # derivative 2 at 1s
            f"m,host=b v=0 {10 * S}\n"  # passes a's barrier at 6s: a is deleted
            f"m,host=a v=10 {11 * S}\n")  # a again: first point of a new group
    result = run_task(script, read_points(data), path="p.tick")
    assert json.loads(result.httpout_json("out")) == {"series": None}


def test_without_delete_an_idle_group_gets_a_barrier_every_idle_period_and_late_data_is_dropped():
    # a window with every == 0 emits on each barrier: (barrier - period, barrier]
    script = "stream|from().measurement('m').groupBy('host')|barrier().idle(2s)|window().period(10s)|count('v')|httpOut('out')\n"
    data = (f"m,host=a v=1 0\n"
            f"m,host=b v=1 {5 * S}\n"  # a's barriers at 2s and 4s come first
            f"m,host=a v=1 {3 * S}\n")  # older than a's last barrier (4s): dropped
    result = run_task(script, read_points(data), path="p.tick")
    series = json.loads(result.httpout_json("out"))["series"]
    assert [(s["tags"]["host"], s["values"]) for s in series] == [
        ("a", [["1970-01-01T00:00:04Z", 1]]),
        ("b", [["1970-01-01T00:00:05Z", 1]]),
    ]


def test_run_help_says_barriers_run_on_event_time(cli):
    help_run = cli("run", "--help")
    assert help_run.returncode == 0
    assert "barrier()" in " ".join(help_run.stdout.split())


def test_union_passes_a_barrier_on_in_time_order_and_it_still_closes_a_window(server):
    # the barrier (at 30s, idle after the point at 20s) waits in the union like a point would
    # (here until the union passes on what it holds at the end of the input), then closes the
    # window as in Kapacitor's idle test
    script = (
        "var a = stream|from().measurement('cpu')|barrier().idle(10s)\n"
        "var b = stream|from().measurement('mem')\n"
        f"a|union(b)|window().period(14s).every(10s)|httpPost('{server.url}')\n"
    )
    mem = "".join(f"mem value={i} {i * S}\n" for i in (0, 10, 20))
    run_task(script, read_points(TWENTY_ONE_SECONDS + mem + f"cpu value=35 {35 * S}\n"), path="p.tick")
    # windows of the merged stream: each cpu second plus the mem points at 0, 10 and 20
    assert _posted_windows(server) == [
        sorted(list(range(0, 10)) + [0]), sorted(list(range(6, 20)) + [10]), [16, 17, 18, 19, 20, 20],
    ]


def test_flatten_flattens_a_time_the_barrier_closed():
    script = ("stream|from().measurement('m').groupBy('host')|barrier().idle(5s)"
              "|flatten().on('cpu')|httpOut('out')\n")
    data = (f"m,host=a,cpu=c0 v=1 {1 * S}\nm,host=a,cpu=c1 v=2 {1 * S}\n"
            f"m,host=b,cpu=c0 v=0 {7 * S}\n")  # passes a's barrier at 6s
    result = run_task(script, read_points(data), path="p.tick")
    series = json.loads(result.httpout_json("out"))["series"]
    assert series == [{"name": "m", "tags": {"host": "a"}, "columns": ["time", "c0.v", "c1.v"],
                       "values": [["1970-01-01T00:00:01Z", 1, 2]]}]


@pytest.mark.parametrize("delete, crit_times", [(False, [0]), (True, [0, 11])])
def test_a_deleted_group_starts_a_new_alert_state(delete, crit_times):
    # Kapacitor's alert keeps its level per group; a deleted group comes back at OK, so with
    # .stateChangesOnly() its next CRITICAL is an event again
    barrier = "|barrier().idle(5s).delete(TRUE)" if delete else "|barrier().idle(5s)"
    script = ("stream|from().measurement('m').groupBy('host')" + barrier +
              "|alert().crit(lambda: \"v\" > 1).stateChangesOnly()\n")
    data = f"m,host=a v=2 0\nm,host=b v=0 {10 * S}\nm,host=a v=2 {11 * S}\n"
    result = run_task(script, read_points(data), path="p.tick")
    assert [(e.time_ns // S, e.level) for e in result.alerts] == [(t, "CRITICAL") for t in crit_times]


def test_barriers_after_a_window_work_on_its_batches():
    # host a's last batch holds points up to 1s: its barrier (6s) comes with b's data at 10s,
    # and the delete makes count and httpOut forget a
    script = ("stream|from().measurement('m').groupBy('host')|window().period(2s).every(2s)"
              "|barrier().idle(5s).delete(TRUE)|count('v')|httpOut('out')\n")
    data = "".join(f"m,host=a v=1 {t * S}\n" for t in (0, 1, 2, 3)) + "".join(f"m,host=b v=1 {t * S}\n" for t in (10, 12, 14))
    result = run_task(script, read_points(data), path="p.tick")
    assert json.loads(result.httpout_json("out"))["series"] == [
        {"name": "m", "tags": {"host": "b"}, "columns": ["time", "count"], "values": [["1970-01-01T00:00:14Z", 1]]}]

"""The clock of the timer-driven nodes (stats, so deadman; barrier): the data clock that runs on
before the first point and after the last (`clock_start`, `clock_until`, `clock_after_last`,
`--clock-until`, a test file's `clock:`), and the wall clock (`--clock wall`).

deadman(1.0, 1m) emits, every minute, how many points came in that minute, and is CRITICAL when
that is at most 1 (Kapacitor's deadman: stats(1m) |derivative('emitted') |alert().crit(<= 1), and
derivative has nothing to say at the first tick); the expected events below follow from that
definition."""

from __future__ import annotations

import json
import textwrap
import time

import pytest

from tickpy import api
from tickpy.testing import points, run_test_file

S = 1_000_000_000
DEADMAN = """\
stream
    |from()
        .measurement('cpu')
    |deadman(1.0, 1m)
"""
# two points in the first minute, one in the second, none after
DATA = "cpu v=1 0s\ncpu v=1 10s\ncpu v=1 70s\n"


def deadman_events(**options) -> list[tuple[str, int, str]]:
    result = api.run(DEADMAN, points(DATA), api.RunOptions(path="dm.tick", **options))
    return [(event.level, event.time_ns // S, event.message.split(": ")[1]) for event in result.alerts]


def test_the_data_clock_stops_at_the_last_point_by_default():
    # the tick at 1m is derivative's first value; 2m would be the next, but no point comes after 70s
    assert deadman_events() == []


def test_clock_until_runs_the_clock_on_after_the_last_point():
    assert deadman_events(clock_until=300 * S) == [
        ("CRITICAL", 120, "1.000 points/1m0s."),
        ("CRITICAL", 180, "0.000 points/1m0s."),
        ("CRITICAL", 240, "0.000 points/1m0s."),
        ("CRITICAL", 300, "0.000 points/1m0s."),
    ]


def test_clock_after_last_counts_from_the_latest_point():
    assert [t for _, t, _ in deadman_events(clock_after_last=110 * S)] == [120, 180]


def test_clock_start_ticks_before_the_first_point():
    # The task started two minutes before the data: the minutes with no point are dead (the
    # first tick, at -1m, only gives derivative its first value).
    events = deadman_events(clock_start=-120 * S, clock_until=120 * S)
    assert events == [
        ("CRITICAL", 0, "0.000 points/1m0s."),
        ("OK", 60, "2.000 points/1m0s."),
        ("CRITICAL", 120, "1.000 points/1m0s."),
    ]


def test_an_idle_barrier_closes_the_last_window_when_the_clock_runs_on():
    script = """\
stream
    |from()
        .measurement('cpu')
    |barrier()
        .idle(30s)
    |window()
        .period(1m)
        .every(1m)
    |count('v')
    |alert()
        .crit(lambda: TRUE)
"""
    data = points("cpu v=1 0s\ncpu v=1 20s\ncpu v=1 50s\n")
    stopped = api.run(script, list(data), api.RunOptions(path="b.tick"))
    ran_on = api.run(script, list(data), api.RunOptions(path="b.tick", clock_until=120 * S))
    assert stopped.alerts == []
    # the barrier falls at 50s + 30s, past the window's end: the window [0s, 1m) is emitted
    assert [(e.time_ns // S, e.fields["count"]) for e in ran_on.alerts] == [(60, 3)]


def test_the_wall_clock_ticks_while_the_input_waits():
    script = DEADMAN.replace("1m)", "100ms)")

    def slow_input():
        yield from points(DATA)
        time.sleep(0.5)  # the input stays open, with no data: the wall clock goes on

    before = time.time_ns()
    result = api.run(script, slow_input(), api.RunOptions(path="dm.tick", clock_mode="wall"))
    after = time.time_ns()
    assert result.alerts, "no tick of the wall clock in 0.5 s of a 100 ms deadman"
    assert all(before <= event.time_ns <= after for event in result.alerts)
    assert result.alerts[0].level == "CRITICAL"


def test_a_test_file_sets_the_clock(tmp_path):
    (tmp_path / "dm.tick").write_text(DEADMAN + "        .log('/dev/null')\n")
    path = tmp_path / "dm.tickpy.yaml"
    path.write_text(textwrap.dedent("""\
        script: dm.tick
        points: |
          cpu v=1 0s
          cpu v=1 10s
          cpu v=1 70s
        tests:
          - name: no clock, no death
            expect: {no_alerts: true}
          - name: the clock runs on to 3m
            clock: {until: 3m}
            expect:
              alerts:
                - {level: CRITICAL, time: 2m}
                - {level: CRITICAL, time: 3m}
        """))
    results = run_test_file(str(path))
    assert [r.status for r in results] == ["passed", "passed"], [m.render() for r in results for m in r.mismatches]


def test_run_clock_options(cli, tmp_path):
    (tmp_path / "dm.tick").write_text(DEADMAN + f"        .log('{tmp_path / 'dm.log'}')\n")
    (tmp_path / "dm.lp").write_text("cpu v=1 0\ncpu v=1 10000000000\ncpu v=1 70000000000\n")
    done = cli("run", tmp_path / "dm.tick", tmp_path / "dm.lp", "--clock-until", "+2m")
    assert done.returncode == 0, done.stderr
    logged = [json.loads(line) for line in (tmp_path / "dm.log").read_text().splitlines()]
    assert [event["time"] for event in logged] == ["1970-01-01T00:02:00Z", "1970-01-01T00:03:00Z"]
    done = cli("run", tmp_path / "dm.tick", tmp_path / "dm.lp", "--clock-start", "1970-01-01T00:00:00Z",
               "--clock-until", "1970-01-01T00:02:00Z")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("args, message", [
    (["--clock-until", "5m"], "--clock-until 5m: give a time (RFC 3339 or Unix ns), or +DURATION after the latest"),
    (["--clock-until", "+soon"], "--clock-until +soon:"),
    (["--clock-start", "yesterday"], "--clock-start yesterday:"),
    (["--clock", "wall", "--clock-until", "+1m"], "--clock wall follows the wall clock"),
])
def test_run_clock_option_errors(cli, tmp_path, args, message):
    (tmp_path / "dm.tick").write_text(DEADMAN)
    (tmp_path / "dm.lp").write_text("cpu v=1 0\n")
    done = cli("run", tmp_path / "dm.tick", tmp_path / "dm.lp", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr

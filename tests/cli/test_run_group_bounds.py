"""`tickpy run --max-groups N` and `--group-expiry DURATION` (RunOptions.max_groups and
group_expiry): Kapacitor never forgets a group, so a task over ever new series grows without
bound; the first stops the run and says where, the second forgets idle groups in every node.
Both are off by default (and then nothing changes)."""

from __future__ import annotations

import json

import pytest

from tickpy.api import RunOptions, compile, run
from tickpy.cli.run import EXIT_GROUP_LIMIT
from tickpy.runtime.lineprotocol import parse_points

SECOND = 1_000_000_000

ALERT_PER_HOST = """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |alert()
        .crit(lambda: "v" > 10)
        .log('{log}')
"""

# A count of consecutive points with v > 10, per host: it starts again at 1 for a forgotten group.
COUNT_PER_HOST = """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |stateCount(lambda: "v" > 10)
    |influxDBOut()
        .database('out')
"""

WINDOW_MEAN_PER_HOST = """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |window()
        .period(10s)
        .every(10s)
    |mean('v')
    |alert()
        .crit(lambda: "mean" > 1000000)
"""


def hosts_points(hosts: int, per_host: int = 1) -> str:
    """Each host in turn sends `per_host` points, one second apart, and is never heard of again."""
    lines = []
    second = 0
    for host in range(hosts):
        for _ in range(per_host):
            second += 1
            lines.append(f"cpu,host=h{host} v=20 {second * SECOND}")
    return "\n".join(lines) + "\n"


def test_max_groups_stops_reading_says_where_and_delivers_what_was_produced(cli, tmp_path):
    script = tmp_path / "per_host.tick"
    log = tmp_path / "alerts.log"
    script.write_text(ALERT_PER_HOST.format(log=log))
    done = cli("run", script, "--max-groups", "5", stdin=hosts_points(10))
    assert done.returncode == EXIT_GROUP_LIMIT == 3, done.stderr
    # the alert node is the first to meet host h5, the sixth group
    assert "node alert2 would hold group number 6, more than the 5 groups allowed: host=h5" in done.stderr
    assert "--group-expiry" in done.stderr and "barrier().idle(DURATION).delete(TRUE)" in done.stderr
    assert "6 points read" in done.stderr  # the sixth was read, not let in and "stopped at --max-groups 5" in done.stderr
    # one CRITICAL event per host before the bound, each delivered to the log handler
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(event["id"] for event in events) == [f"cpu:host=h{n}" for n in range(5)]
    assert {event["level"] for event in events} == {"CRITICAL"}


def test_max_groups_not_reached_changes_nothing(cli, tmp_path):
    script = tmp_path / "per_host.tick"
    script.write_text(COUNT_PER_HOST)
    points = hosts_points(10, per_host=3)
    plain = cli("run", script, stdin=points)
    bounded = cli("run", script, "--max-groups", "10", stdin=points)
    assert plain.returncode == bounded.returncode == 0
    assert (bounded.stdout, bounded.stderr) == (plain.stdout, plain.stderr)
    assert len(plain.stdout.splitlines()) == 30


def _state_counts(stdout: str, host: str) -> list[int]:
    return [int(line.split("state_count=")[1].split("i")[0]) for line in stdout.splitlines()
            if f"host={host}" in line]


def test_group_expiry_forgets_a_group_idle_that_long_in_data_time(cli, tmp_path):
    script = tmp_path / "count.tick"
    script.write_text(COUNT_PER_HOST)
    # h1 three times, then only h2 for 100 s, then h1 again
    lines = [f"cpu,host=h1 v=20 {s * SECOND}" for s in (1, 2, 3)]
    lines += [f"cpu,host=h2 v=20 {s * SECOND}" for s in range(4, 104)]
    lines += [f"cpu,host=h1 v=20 {104 * SECOND}"]
    points = "\n".join(lines) + "\n"
    kept = cli("run", script, stdin=points)
    expired = cli("run", script, "--group-expiry", "30s", stdin=points)
    long_expiry = cli("run", script, "--group-expiry", "2m", stdin=points)
    assert kept.returncode == expired.returncode == long_expiry.returncode == 0, expired.stderr
    assert _state_counts(kept.stdout, "h1") == [1, 2, 3, 4]  # Kapacitor: the count goes on
    assert _state_counts(expired.stdout, "h1") == [1, 2, 3, 1]  # forgotten after 30 s without a point
    assert _state_counts(expired.stdout, "h2") == list(range(1, 101))  # never idle: untouched
    assert long_expiry.stdout == kept.stdout  # never idle for 2 minutes: nothing forgotten
    # the expiry counts the points' time whatever clock stats and barrier tick on
    on_wall_clock = cli("run", script, "--group-expiry", "30s", "--clock", "wall", stdin=points)
    assert on_wall_clock.returncode == 0 and on_wall_clock.stdout == expired.stdout


def test_group_expiry_bounds_the_groups_every_node_holds():
    # 1,000 hosts in turn, 15 points each (a window of each emits once): at one point a second,
    # with a minute's expiry, no node holds more than the hosts of the last 75 seconds
    points = parse_points(hosts_points(1000, per_host=15))
    for expiry, most in ((None, 1000), ("1m", 6)):
        task = compile(WINDOW_MEAN_PER_HOST, RunOptions(group_expiry=expiry))
        task.run(points)
        by_type = {spec.type: node for spec, node in zip(task.compiled.specs, task.compiled.nodes)}
        held = [len(by_type["WindowNode"].groups), len(by_type["InfluxQLNode"].contexts),
                len(by_type["AlertNode"].states)]
        assert held == [1000] * 3 if expiry is None else max(held) <= most, (expiry, held)


def test_the_api_reports_the_bound_in_the_result():
    result = run(ALERT_PER_HOST.format(log="/dev/null"), parse_points(hosts_points(10)), RunOptions(max_groups=3))
    exceeded = result.group_limit
    assert (exceeded.node, exceeded.count, exceeded.group, exceeded.limit) == ("alert2", 4, "host=h3", 3)
    assert result.points_read == 4 and result.alert_counts == {"CRITICAL": 3}
    assert run(ALERT_PER_HOST.format(log="/dev/null"), parse_points(hosts_points(3)),
               RunOptions(max_groups=3)).group_limit is None


@pytest.mark.parametrize("option, value, says", [
    ("--group-expiry", "0s", "--group-expiry must be a positive duration"),
    ("--group-expiry", "soon", 'time: invalid duration "soon"'),
    ("--max-groups", "0", "0 is not in the range x>=1"),
])
def test_bad_bounds_are_usage_errors(cli, tmp_path, option, value, says):
    script = tmp_path / "count.tick"
    script.write_text(COUNT_PER_HOST)
    done = cli("run", script, option, value, stdin="")
    assert done.returncode == 2 and says in done.stderr


def test_help_documents_both_as_departures_from_kapacitor(cli):
    shown = cli("run", "--help").stdout
    assert "--max-groups N" in shown and "--group-expiry DURATION" in shown
    assert "Not Kapacitor's behaviour" in shown and "3  --max-groups" in shown


def test_groups_the_script_deletes_no_longer_count(cli, tmp_path):
    """barrier().idle(d).delete(TRUE), which the bound's hint suggests, keeps a task under it."""
    with_barrier = tmp_path / "barrier.tick"
    with_barrier.write_text(COUNT_PER_HOST.replace("""        .groupBy('host')
""", """        .groupBy('host')
    |barrier()
        .idle(5s)
        .delete(TRUE)
"""))
    without = tmp_path / "count.tick"
    without.write_text(COUNT_PER_HOST)
    points = hosts_points(20, per_host=10)  # one host at a time, each gone for good after 10 s
    assert cli("run", without, "--max-groups", "3", stdin=points).returncode == 3
    done = cli("run", with_barrier, "--max-groups", "3", stdin=points)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 200

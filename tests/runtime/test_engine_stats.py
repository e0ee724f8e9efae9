"""stats() and deadman() ticking on event time."""

from tickpy.api import run_task
from tickpy.runtime.lineprotocol import read_points

S = 1_000_000_000


def test_deadman_fires_when_a_group_goes_quiet_and_recovers():
    script = "stream\n  |from()\n    .measurement('cpu')\n    .groupBy('host')\n  |deadman(0.0, 10s)\n"
    # cpu from host a at 0, 5, 12 s; then only mem until 41 s; cpu again at 41, 45, 52, 65 s.
    times = {"cpu": [0, 5, 12, 41, 45, 52, 65], "mem": [25, 31]}
    lines = sorted((t, f"{m},host=a v=1 {t * S}\n") for m, ts in times.items() for t in ts)
    result = run_task(script, read_points("".join(line for _, line in lines)), path="dm.tick")
    # Ticks at 10, 20, ... s (aligned): emitted counts 2, 3, 3, 3, 5, 6 -> per-10s rates 1, 0, 0, 2, 1.
    assert [(e.time_ns // S, e.level) for e in result.alerts] == [(30, "CRITICAL"), (40, "CRITICAL"), (50, "OK")]
    assert result.alerts[0].id == "host=a:from1 for task 'dm'"
    assert result.alerts[0].message == "host=a:from1 for task 'dm' is dead: 0.000 points/10s."
    # The task is handed only cpu's points (the mem points still move event time on).
    assert result.stats["stream0"]["points_out"] == 7
    assert result.stats["stream0"]["ignored_other_measurements"] == 2
    assert result.stats["stats2"]["points_out"] == 6


def test_stats_node_emits_zero_for_a_source_without_data():
    script = "stream\n  |from()\n    .measurement('nothing')\n  |stats(5s)\n  |httpOut('s')\n"
    result = run_task(script, read_points(f"m v=1 0\nm v=1 {6 * S}\n"), path="s.tick")
    assert result.httpout_json("s") == (
        '{"series":[{"name":"stats","columns":["time","emitted"],"values":[["1970-01-01T00:00:05Z",0]]}]}'
    )

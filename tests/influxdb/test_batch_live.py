"""`tickpy run --influxdb-url`: a batch task's queries sent to a real InfluxDB give the batches
the embedded database gives for the same points."""

from __future__ import annotations

from tickpy.cli.run import run_command

SCRIPT = """
batch
    |query('SELECT mean("usage") AS m, count("usage") FROM "live"."autogen"."cpu" WHERE "host" =~ /a|b/')
        .period(1m)
        .every(30s)
        .align()
        .groupBy(time(20s), 'host')
        .fill(0)
    |log()
"""

LINES = "\n".join(f"cpu,host={host} usage={value}i {1704067200000000000 + seconds * 10**9}"
                  for seconds, host, value in [(3, "a", 10), (13, "b", 7), (25, "a", 12), (61, "a", 3), (95, "b", 9),
                                               (130, "a", 4)])


def _batches(capsys) -> list[str]:
    err = capsys.readouterr().err
    return [line.split(" lvl=info ")[1] for line in err.splitlines() if " lvl=info msg=" in line]


def test_live_queries_make_the_batches_the_embedded_database_makes(influxd, tmp_path, capsys):
    influxd.create_database("live")
    status, body = influxd.write("live", LINES)
    assert status == 204, body
    script = tmp_path / "live.tick"
    script.write_text(SCRIPT)
    points = tmp_path / "points.lp"
    points.write_text(LINES + "\n")
    window = ["2024-01-01T00:00:00Z", "2024-01-01T00:03:00Z"]
    assert run_command(str(script), [str(points)], start=window[0], stop=window[1]) == 0
    embedded = _batches(capsys)
    assert run_command(str(script), [], start=window[0], stop=window[1], influxdb_url=influxd.url) == 0
    live = _batches(capsys)
    assert live == embedded
    begins = [(line.split(" group=")[1].split()[0], line.rsplit("time=", 1)[1]) for line in live
              if line.startswith('msg="begin batch"')]
    # aligned ticks every 30s from 00:00:30 to 00:03:00, each over the minute before it: a series
    # per host with points in the range, its time the last 20s bucket (filled with 0)
    assert begins == [
        ("host=a", "2024-01-01T00:00:20Z"), ("host=b", "2024-01-01T00:00:20Z"),  # [-00:00:30, 00:00:30)
        ("host=a", "2024-01-01T00:00:40Z"), ("host=b", "2024-01-01T00:00:40Z"),  # [00:00:00, 00:01:00)
        ("host=a", "2024-01-01T00:01:20Z"),  # [00:00:30, 00:01:30): b has no point there
        ("host=a", "2024-01-01T00:01:40Z"), ("host=b", "2024-01-01T00:01:40Z"),
        ("host=a", "2024-01-01T00:02:20Z"), ("host=b", "2024-01-01T00:02:20Z"),
        ("host=a", "2024-01-01T00:02:40Z"),  # [00:02:00, 00:03:00)
    ]

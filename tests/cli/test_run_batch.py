"""`tickpy run` on batch tasks: recordings (--input-format brpl)."""

from __future__ import annotations

import json
import re

SCRIPT = """
batch
    |query('SELECT mean("value") FROM "db"."rp"."cpu"')
        .period(10s)
        .every(10s)
        .groupBy(time(5s), 'host')
    |max('mean')
    |httpOut('top')
"""


def _recording(tmp_path, batches) -> str:
    path = tmp_path / "cpu.brpl"
    path.write_text("\n".join(json.dumps(b) for b in batches) + "\n")
    return str(path)


def test_run_replays_a_recording_per_query_node(cli, tmp_path):
    script = tmp_path / "top.tick"
    script.write_text(SCRIPT)
    recording = _recording(tmp_path, [
        {"name": "cpu", "tags": {"host": "a"}, "points": [
            {"fields": {"mean": 3}, "time": "2020-01-01T00:00:00Z"},
            {"fields": {"mean": 5}, "time": "2020-01-01T00:00:05Z"}]},
    ])
    out = tmp_path / "out"
    result = cli("run", script, recording, "--input-format", "brpl", "--httpout-dir", out, "--stats")
    assert result.returncode == 0, result.stderr
    assert (out / "top.json").read_text() == ('{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","max"],'
                                              '"values":[["2020-01-01T00:00:05Z",5]]}]}')
    assert "2 points read" in result.stderr
    assert re.search(r"query1 +collected=1 emitted=1 batches_queried=1 errors=0 points_queried=2", result.stderr)
    assert "batch0" not in result.stderr  # Kapacitor's stats leave the batch node out


def test_a_bad_recording_is_a_usage_error(cli, tmp_path):
    script = tmp_path / "top.tick"
    script.write_text(SCRIPT)
    recording = tmp_path / "bad.brpl"
    recording.write_text('{"name":"cpu","points":[{"fields":{"mean":1},"time":"noon"}]}')
    result = cli("run", script, recording, "--input-format", "brpl")
    assert result.returncode == 2
    assert f"{recording}: batch 1: parsing time" in result.stderr


def test_stream_tasks_are_not_given_recordings(cli, tmp_path):
    script = tmp_path / "s.tick"
    script.write_text("stream|from().measurement('cpu')|httpOut('x')")
    recording = _recording(tmp_path, [])
    result = cli("run", script, recording, "--input-format", "brpl")
    assert result.returncode == 2
    assert "this is a stream task" in result.stderr


QUERIES = """
batch
    |query('SELECT max("usage") FROM "telegraf"."autogen"."cpu"')
        .period(1m)
        .every(1m)
        .cluster('eu')
    |log()
"""

POINTS = "cpu usage=1 1704067210000000000\ncpu usage=3 1704067230000000000\ncpu usage=7 1704067290000000000\n"


def test_run_queries_the_points_and_says_how_many_runs(cli, tmp_path):
    script = tmp_path / "q.tick"
    script.write_text(QUERIES)
    result = cli("run", script, "-", stdin=POINTS)
    assert result.returncode == 0, result.stderr
    assert "query1: .cluster('eu') is ignored" in result.stderr
    # ticks after the first point (00:00:10): 00:01:10, 00:02:10 (its range ends after the last point)
    assert "3 points read, 2 query runs, 0 alerts" in result.stderr
    assert result.stderr.count('msg="begin batch"') == 2


def test_start_and_stop_are_checked_before_anything_is_read(cli, tmp_path):
    script = tmp_path / "q.tick"
    script.write_text(QUERIES)
    result = cli("run", script, "-", "--start", "yesterday", stdin=POINTS)
    assert result.returncode == 2
    assert "--start: 'yesterday' is neither an RFC 3339 time" in result.stderr
    # relative to the first point (00:00:10): up to 00:01:10, the tick at 00:01:00 only
    result = cli("run", script, "-", "--start", "2024-01-01T00:00:00Z", "--stop", "+1m", stdin=POINTS)
    assert result.returncode == 0, result.stderr
    assert "1 query run," in result.stderr
    result = cli("run", script, "-", "--start", "2024-01-01T00:01:00Z", "--stop", "+1m", stdin=POINTS)
    assert "0 query runs," in result.stderr


def test_live_mode_needs_its_range_and_a_url(cli, tmp_path):
    script = tmp_path / "q.tick"
    script.write_text(QUERIES)
    result = cli("run", script, "--influxdb-url", "http://127.0.0.1:1")
    assert result.returncode == 2
    assert "--influxdb-url needs --start and --stop" in result.stderr
    result = cli("run", script, "-", "--influxdb-auth", "u:p", stdin=POINTS)
    assert result.returncode == 2
    assert "--influxdb-auth goes with --influxdb-url" in result.stderr


def test_points_the_database_refuses_are_reported(cli, tmp_path):
    script = tmp_path / "q.tick"
    script.write_text(QUERIES)
    # a field's type is fixed per shard in InfluxDB, and influxd 1.6.7 refuses a whole write in
    # which a new field gets two types (HTTP 400 "field type conflict"): the four points are one write
    result = cli("run", script, "-", stdin=POINTS + 'cpu usage="high" 1704067300000000000\n')
    assert result.returncode == 1
    assert "not written to the database: cpu at 2024-01-01T00:01:40Z: field type conflict" in result.stderr
    assert "4 points not written" in result.stderr


def test_batch_tasks_run_on_their_schedule_not_the_wall_clock(cli, tmp_path):
    script = tmp_path / "q.tick"
    script.write_text(QUERIES)
    result = cli("run", script, "-", "--clock", "wall", stdin=POINTS)
    assert result.returncode == 2
    assert "the wall clock (--clock wall) is for stream tasks" in result.stderr

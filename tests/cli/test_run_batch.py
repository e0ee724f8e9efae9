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

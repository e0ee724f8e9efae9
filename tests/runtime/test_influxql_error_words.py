"""The node error of an InfluxQL function that meets a field of the wrong type names the message
kind as Kapacitor's influxql.go does: "failed to aggregate point in batch" for windowed (batch)
input, "failed to aggregate point" for a stream (QA #19). Through run_task, the real engine."""

from __future__ import annotations

from tickpy.api import run_task
from tickpy.runtime.lineprotocol import read_points

MIXED = b"cpu value=1 0\ncpu value=7i 1000000000\ncpu value=3 2000000000\ncpu value=5 20000000000\n"


def node_errors(script: str, points: bytes = MIXED) -> list[str]:
    errors = []
    run_task(script, read_points(points), on_node_error=lambda error: errors.append(error.message))
    return errors


def test_batch_input_says_in_batch():
    errors = node_errors("stream|from().measurement('cpu')|window().period(10s).every(10s)|stddev('value')")
    assert errors == ["failed to aggregate point in batch: field value has wrong type: got int64 exp float64"]


def test_stream_input_says_point():
    # in a stream, the points of one time are aggregated together
    same_time = b"cpu value=1 0\ncpu value=7i 0\ncpu value=3 1000000000\n"
    errors = node_errors("stream|from().measurement('cpu')|stddev('value')", same_time)
    assert errors == ["failed to aggregate point: field value has wrong type: got int64 exp float64"]

"""The reader's and the engine's hot-path shortcuts give the same results as the plain paths."""

from __future__ import annotations

import io
import random

from tickpy.api import run_task
from tickpy.runtime import lineprotocol
from tickpy.runtime.lineprotocol import read_points
from tickpy.runtime.point import Point

PIECES = [
    b"cpu,host=a x=1 1\n",
    b"m\xc3\xa9m,host=\xe2\x82\xac v=2i 2\n",  # valid UTF-8, not ASCII
    b"bad \xff\xfe line\n",  # stray bytes
    b'cpu x="a\nb" 3\n',  # a string field spanning lines
    b"cpu,h=\xf0\x9f\x98\x80 y=t 4\n",
    b"\xe2\n",  # a character cut by a newline
    b"cpu y=1",
    b"\n",
    b"# comment\n",
    b"cpu z=1\\\n",  # a backslash before the newline
    b"\xc3",  # a character cut by the end of the input
]


def _read_all(source) -> tuple[list[str], list[str]]:
    errors = []
    points = list(read_points(source, now=0, on_error=errors.append))
    return [repr(point) for point in points], [str(error) for error in errors]


def test_reading_a_binary_file_in_small_chunks_equals_reading_the_whole_text(monkeypatch):
    rng = random.Random(3)
    for _ in range(300):
        data = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        whole = _read_all(lineprotocol.decode_line(data))
        for size in (1, 2, 3, 7, 64):
            monkeypatch.setattr(lineprotocol, "_CHUNK", size)
            assert _read_all(io.BytesIO(data)) == whole, (data, size)


def test_grouping_is_right_when_points_share_or_do_not_share_tag_dicts():
    script = """stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |alert()
    .crit(lambda: "v" > 10)
"""
    shared = {"host": "a"}
    points = [
        Point("cpu", shared, {"v": 20.0}, 1),
        Point("cpu", {"host": "b"}, {"v": 20.0}, 2),
        Point("cpu", shared, {"v": 1.0}, 3),
        Point("cpu", {"host": "b"}, {"v": 1.0}, 4),
    ]
    result = run_task(script, points)
    assert [(event.group, event.level) for event in result.alerts] == [
        ("host=a", "CRITICAL"),
        ("host=b", "CRITICAL"),
        ("host=a", "OK"),
        ("host=b", "OK"),
    ]

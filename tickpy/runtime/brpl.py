"""Kapacitor's batch recording format (`.brpl`): a stream of JSON objects, one per batch, as
`kapacitor record batch` writes them and Kapacitor's batch integration tests replay them
(integrations/testdata/*.brpl):

    {"name":"cpu","tmax":"2015-10-30T17:14:20Z","byname":false,"group":"...","tags":{"cpu":"cpu0"},
     "points":[{"fields":{"mean":90.5},"tags":{...},"time":"2015-10-30T17:14:12Z"}, ...]}

One file per query node of the task, in Kapacitor's walk order; or the recording Kapacitor keeps
in its replay directory (`<id>.brpl`), a zip archive holding one such file per query node,
named 0, 1, ...

    read_brpl(text, source_name) -> list[BatchMessage]
    read_recording(data, source_name) -> list[list[BatchMessage]]   (a file, or an archive)
    replay_order(recordings) -> Iterator[(query index, BatchMessage)]

Read as Kapacitor reads it (edge.BufferedBatchMessage's UnmarshalJSON): the batch is grouped by
all its tags (sorted), by measurement when "byname" is true ("group" is not read); a point
without tags gets the batch's; every number is a float64 (JSON into interface{}); a batch without
points is skipped. Replayed as `replay -rec-time` replays it: times as recorded, each batch's
time the later of its "tmax" and its last point's time. Each recording is replayed on its own
goroutine in Kapacitor, held back only by the clock reaching the batch's last point: tickpy
hands the batches over in that order (recording order for the same time).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from tickpy.golang.gojson import decode_stream
from tickpy.golang.gotime import GO_ZERO_TIME_NS, parse_time_rfc3339
from tickpy.runtime.messages import BatchMessage, BatchPoint, Dimensions

__all__ = ["BrplError", "read_brpl", "read_recording", "replay_order"]


class BrplError(ValueError):
    """A recording Kapacitor's replay stops at: `source_name: batch N: why`."""


def read_brpl(text: str, source_name: str = "<brpl>") -> list[BatchMessage]:
    batches = []
    try:
        for number, value in enumerate(decode_stream(text), 1):
            batch = _batch(value, source_name, number)
            if batch is not None:
                batches.append(batch)
    except ValueError as error:
        if isinstance(error, BrplError):
            raise
        raise BrplError(f"{source_name}: {error}") from None
    return batches


def read_recording(data: bytes, source_name: str = "<brpl>") -> list[list[BatchMessage]]:
    """The recordings in `data`: one for a .brpl file, one per entry of Kapacitor's archive."""
    if not data.startswith(_ZIP_MAGIC):
        return [read_brpl(data.decode("utf-8", "surrogateescape"), source_name)]
    import io  # deferred: start-up (only archives need them)
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = sorted(archive.namelist(), key=lambda name: (not name.isdigit(), int(name) if name.isdigit() else 0))
            return [read_brpl(archive.read(entry).decode("utf-8", "surrogateescape"), f"{source_name}:{entry}")
                    for entry in entries]
    except (zipfile.BadZipFile, OSError) as error:
        raise BrplError(f"{source_name}: not a readable recording archive: {error}") from None


_ZIP_MAGIC = b"PK\x03\x04"


def _batch(value, source_name: str, number: int) -> BatchMessage | None:
    def bad(why: str) -> BrplError:
        return BrplError(f"{source_name}: batch {number}: {why}")

    if not isinstance(value, dict):
        raise bad("not a JSON object")
    name = value.get("name") or ""
    tags = value.get("tags") or {}
    raw_points = value.get("points") or []
    if not isinstance(name, str) or not isinstance(tags, dict) or not isinstance(raw_points, list):
        raise bad("name, tags or points of the wrong type")
    if not all(isinstance(v, str) for v in tags.values()):
        raise bad("a tag value that is not a string")
    if not raw_points:
        return None
    tmax = _time(value.get("tmax"), bad) if value.get("tmax") is not None else GO_ZERO_TIME_NS
    points = []
    for raw in raw_points:
        if not isinstance(raw, dict) or not isinstance(raw.get("fields") or {}, dict):
            raise bad("a point that is not an object with fields")
        point_tags = raw.get("tags") or tags
        if not isinstance(point_tags, dict):
            raise bad("a point's tags are not an object")
        points.append(BatchPoint(_time(raw.get("time"), bad), raw.get("fields") or {}, point_tags))
    dimensions = Dimensions(by_name=value.get("byname") is True, tag_names=tuple(sorted(tags)))
    return BatchMessage(name, tags, dimensions, tmax, points)


def _time(text, bad) -> int:
    if text is None:
        return GO_ZERO_TIME_NS
    if not isinstance(text, str):
        raise bad(f"time {text!r} is not a string")
    try:
        return parse_time_rfc3339(text)
    except ValueError as error:
        raise bad(str(error)) from None


def replay_order(recordings: list[list[BatchMessage]]) -> Iterator[tuple[int, BatchMessage]]:
    """(index of the recording, batch) in replay order, each batch's time set as the replay sets it."""
    queue = []
    for index, batches in enumerate(recordings):
        for position, batch in enumerate(batches):
            last = batch.points[-1].time
            queue.append((last, index, position, batch))
    heapq.heapify(queue)
    while queue:
        last, index, _, batch = heapq.heappop(queue)
        if batch.tmax < last:
            batch = BatchMessage(batch.name, batch.tags, batch.dimensions, last, batch.points, batch.group)
        yield index, batch

"""An embedded InfluxDB 1.x store: databases, retention policies, shards, series, typed fields.

As InfluxDB 1.x stores a write:
  - a point is a series (measurement + tag set) and a time; a second write of the same series
    and time overwrites the fields it carries and keeps the others;
  - the type of a field is fixed per shard (per measurement) by the first write of it; a point
    carrying a field of another type is rejected whole, in InfluxDB's words;
  - shards cover shard-group durations aligned as Go's Time.Truncate aligns them (from year 1),
    one week for the infinite `autogen` policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tickpy.golang.gotime import time_truncate

SHARD_GROUP_DURATION = 7 * 24 * 3600 * 10**9

FLOAT, INTEGER, STRING, BOOLEAN = "float", "integer", "string", "boolean"


def field_type(value) -> str:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return FLOAT
    return STRING


@dataclass
class WriteReport:
    """What one write did: points written, points dropped with InfluxDB's reason for each."""

    written: int = 0
    dropped: list[tuple[object, str]] = field(default_factory=list)  # (point, reason)
    shard_errors: list[str] = field(default_factory=list)  # per shard with an error, in InfluxDB's words

    def message(self) -> str | None:
        """The error /write answers with (None: 204). InfluxDB writes shards concurrently and
        answers with the error of one of them; this is the first shard's."""
        return self.shard_errors[0] if self.shard_errors else None


class Column:
    """One field of one series in one shard: time -> value, sorted on demand."""

    __slots__ = ("values", "_sorted")

    def __init__(self) -> None:
        self.values: dict[int, object] = {}
        self._sorted: tuple[list[int], list] | None = None

    def put(self, time: int, value) -> None:
        self.values[time] = value
        self._sorted = None

    def sorted(self) -> tuple[list[int], list]:
        cached = self._sorted
        if cached is None:
            items = sorted(self.values.items())
            cached = self._sorted = ([time for time, _ in items], [value for _, value in items])
        return cached


class SeriesData:
    __slots__ = ("key", "key_text", "tags", "columns")

    def __init__(self, name: str, key: tuple, tags: dict[str, str]) -> None:
        self.key = key
        # InfluxDB orders the series of a tag set by their key, "cpu,host=a,region=east"
        self.key_text = ",".join([name] + [f"{tag}={value}" for tag, value in key])
        self.tags = tags
        self.columns: dict[str, Column] = {}


class MeasurementData:
    """One measurement in one shard."""

    __slots__ = ("field_types", "series")

    def __init__(self) -> None:
        self.field_types: dict[str, str] = {}
        self.series: dict[tuple, SeriesData] = {}

    def tag_keys(self) -> set[str]:
        return {key for series in self.series.values() for key in series.tags}


class Shard:
    __slots__ = ("start", "end", "measurements")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
        self.measurements: dict[str, MeasurementData] = {}


class RetentionPolicy:
    def __init__(self, shard_duration: int = SHARD_GROUP_DURATION) -> None:
        self.shard_duration = shard_duration
        self.shards: dict[int, Shard] = {}

    def shard_for(self, time: int) -> Shard:
        start = time_truncate(time, self.shard_duration)
        shard = self.shards.get(start)
        if shard is None:
            shard = self.shards[start] = Shard(start, start + self.shard_duration)
        return shard

    def shards_in(self, low: int, high: int) -> list[Shard]:
        """The shards holding times in [low, high], oldest first."""
        return [self.shards[start] for start in sorted(self.shards) if start <= high and self.shards[start].end > low]


class Store:
    """Databases -> retention policies -> shards."""

    def __init__(self) -> None:
        self.databases: dict[str, dict[str, RetentionPolicy]] = {}

    def retention_policy(self, db: str, rp: str, create: bool = False) -> RetentionPolicy | None:
        policies = self.databases.get(db)
        if policies is None:
            if not create:
                return None
            policies = self.databases[db] = {}
        policy = policies.get(rp)
        if policy is None and create:
            policy = policies[rp] = RetentionPolicy()
        return policy

    def write(self, db: str, rp: str, points: Iterable) -> WriteReport:
        """One /write request: its points go to their shards, each shard's batch checked as
        InfluxDB 1.x checks it (see `_write_shard`)."""
        policy = self.retention_policy(db, rp, create=True)
        assert policy is not None
        report = WriteReport()
        batches: dict[int, list] = {}
        for point in points:
            batches.setdefault(policy.shard_for(point.time).start, []).append(point)
        for start, batch in batches.items():
            _write_shard(policy.shards[start], batch, report)
        return report


def _write_shard(shard: Shard, batch: list, report: WriteReport) -> None:
    """InfluxDB 1.6's checks of one shard's batch: the series are created first; a measurement
    that already has fields in the shard creates a new field at the point that brings it, and
    drops a point whose field has another type (a partial write, the first reason reported);
    a measurement new to the shard takes its points' fields unchecked and creates them after the
    batch, and one field with two types then fails the whole batch ("field type conflict"),
    keeping the fields created before it."""
    series_of = []
    for point in batch:
        measurement = shard.measurements.get(point.name)
        if measurement is None:
            measurement = shard.measurements[point.name] = MeasurementData()
        series_key = tuple(sorted(point.tags.items()))
        series = measurement.series.get(series_key)
        if series is None:
            series = measurement.series[series_key] = SeriesData(point.name, series_key, dict(point.tags))
        series_of.append(series)
    accepted = []
    deferred = []
    dropped = 0
    first_reason = None
    for point, series in zip(batch, series_of):
        types = shard.measurements[point.name].field_types
        if not types:
            deferred += [(point.name, key, field_type(value)) for key, value in point.fields.items()]
            accepted.append((point, series))
            continue
        conflict = None
        for key, value in point.fields.items():
            kind = field_type(value)
            known = types.setdefault(key, kind)
            if known != kind:
                conflict = (
                    f'field type conflict: input field "{key}" on measurement "{point.name}" is type '
                    f"{kind}, already exists as type {known}"
                )
                break
        if conflict is not None:
            report.dropped.append((point, conflict))
            dropped += 1
            first_reason = first_reason or conflict
            continue
        accepted.append((point, series))
    for name, key, kind in deferred:
        known = shard.measurements[name].field_types.setdefault(key, kind)
        if known != kind:
            report.dropped += [(point, "field type conflict") for point, _ in accepted]
            report.shard_errors.append("field type conflict")
            return
    for point, series in accepted:
        columns = series.columns
        time = point.time
        for key, value in point.fields.items():
            column = columns.get(key)
            if column is None:
                column = columns[key] = Column()
            column.put(time, value)
    report.written += len(accepted)
    if first_reason is not None:
        report.shard_errors.append(f"partial write: {first_reason} dropped={dropped}")

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
    """One field of one series in one shard: time -> value, sorted on demand (a write clears
    `sorted_cache`)."""

    __slots__ = ("values", "sorted_cache")

    def __init__(self) -> None:
        self.values: dict[int, object] = {}
        self.sorted_cache: tuple[list[int], list] | None = None

    def sorted(self) -> tuple[list[int], list]:
        cached = self.sorted_cache
        if cached is None:
            values = self.values
            times = sorted(values)
            cached = self.sorted_cache = (times, [values[time] for time in times])
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
        shard = None
        batch: list = []
        for point in points:
            time = point.time
            if shard is None or not shard.start <= time < shard.end:
                shard = policy.shard_for(time)
                batch = batches.setdefault(shard.start, [])
            batch.append(point)
        for start, batch in batches.items():
            _write_shard(policy.shards[start], batch, report)
        return report


_TYPE_NAMES = {float: FLOAT, int: INTEGER, str: STRING, bool: BOOLEAN}


def _write_shard(shard: Shard, batch: list, report: WriteReport) -> None:
    """InfluxDB 1.6's checks of one shard's batch: the series are created first; a measurement
    that already has fields in the shard creates a new field at the point that brings it, and
    drops a point whose field has another type (a partial write, the first reason reported);
    a measurement new to the shard takes its points' fields unchecked and creates them after the
    batch, and one field with two types then fails the whole batch ("field type conflict"),
    keeping the fields created before it."""
    measurements = shard.measurements
    series_of = []
    # The line-protocol reader gives the points of one series the same tags dict: look a
    # series up once per dict (the dict is kept alive with it, so its id stays its own).
    known_series: dict[tuple, tuple] = {}
    for point in batch:
        tags = point.tags
        cached = known_series.get((point.name, id(tags)))
        if cached is not None and cached[0] is tags:
            series_of.append(cached[1])
            continue
        measurement = measurements.get(point.name)
        if measurement is None:
            measurement = measurements[point.name] = MeasurementData()
        series_key = tuple(sorted(tags.items()))
        series = measurement.series.get(series_key)
        if series is None:
            series = measurement.series[series_key] = SeriesData(point.name, series_key, dict(tags))
        known_series[(point.name, id(tags))] = (tags, series)
        series_of.append(series)
    new_measurements = {name for name, measurement in measurements.items() if not measurement.field_types}
    accepted = []
    deferred: dict[tuple, str] = {}  # (measurement, field) -> the type of its first creation
    deferred_conflict = False
    dropped = 0
    first_reason = None
    type_names = _TYPE_NAMES
    for point, series in zip(batch, series_of):
        name = point.name
        if name in new_measurements:
            if not deferred_conflict:
                for key, value in point.fields.items():
                    kind = type_names.get(type(value), STRING)
                    if deferred.setdefault((name, key), kind) != kind:
                        deferred_conflict = True  # creating this one fails; later ones are never made
                        break
            accepted.append((point, series))
            continue
        types = measurements[name].field_types
        conflict = None
        for key, value in point.fields.items():
            kind = type_names.get(type(value), STRING)
            known = types.setdefault(key, kind)
            if known != kind:
                conflict = (
                    f'field type conflict: input field "{key}" on measurement "{name}" is type '
                    f"{kind}, already exists as type {known}"
                )
                break
        if conflict is not None:
            report.dropped.append((point, conflict))
            dropped += 1
            first_reason = first_reason or conflict
            continue
        accepted.append((point, series))
    for (name, key), kind in deferred.items():
        measurements[name].field_types.setdefault(key, kind)
    if deferred_conflict:
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
            column.values[time] = value
            column.sorted_cache = None
    report.written += len(accepted)
    if first_reason is not None:
        report.shard_errors.append(f"partial write: {first_reason} dropped={dropped}")

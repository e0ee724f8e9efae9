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
    written: int = 0
    dropped: list[tuple[object, str]] = field(default_factory=list)  # (point, reason)


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
        policy = self.retention_policy(db, rp, create=True)
        assert policy is not None
        report = WriteReport()
        for point in points:
            fields = point.fields
            shard = policy.shard_for(point.time)
            measurement = shard.measurements.get(point.name)
            if measurement is None:
                measurement = shard.measurements[point.name] = MeasurementData()
            types = measurement.field_types
            conflict = None
            for key, value in fields.items():
                kind = field_type(value)
                known = types.get(key)
                if known is not None and known != kind:
                    conflict = (
                        f'field type conflict: input field "{key}" on measurement "{point.name}" is type '
                        f"{kind}, already exists as type {known}"
                    )
                    break
            if conflict is not None:
                report.dropped.append((point, conflict))
                continue
            for key, value in fields.items():
                if key not in types:
                    types[key] = field_type(value)
            tags = point.tags
            series_key = tuple(sorted(tags.items()))
            series = measurement.series.get(series_key)
            if series is None:
                series = measurement.series[series_key] = SeriesData(point.name, series_key, dict(tags))
            columns = series.columns
            time = point.time
            for key, value in fields.items():
                column = columns.get(key)
                if column is None:
                    column = columns[key] = Column()
                column.put(time, value)
            report.written += 1
        return report

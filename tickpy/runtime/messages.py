"""The messages that flow on the edges between runtime nodes.

Modelled on Kapacitor's `edge` package, with two message kinds:

- `PointMessage`: one point of a stream edge, with the group it belongs to.
- `BatchMessage`: one whole batch of a batch edge (Kapacitor's *buffered* batch: begin, all
  batch points, end in one message). Windows emit batches; InfluxQL nodes consume them.

Both carry the grouping information Kapacitor keeps beside the data:

- `dimensions`: which tags the data is grouped by (`Dimensions.tag_names`, in groupBy order)
  and whether the measurement name is part of the group (`Dimensions.by_name`,
  `.groupByMeasurement()`).
- `group`: the group id string computed from name, tags and dimensions exactly as Kapacitor's
  `models.ToGroupID` does ("" without dimensions, "host=a,cpu=x" with them, the name plus a
  newline first when grouped by name). Alert ids and templates print "nil" for "".

Times are int nanoseconds since the Unix epoch (UTC) everywhere in the runtime.

Sharing rule (as in Kapacitor): a message may be delivered to several children, so a node
must NEVER mutate a message (nor its `tags`/`fields` dicts) that it received. To change
something, build a new message (`PointMessage.copy()`, then assign new dicts), e.g.:

    out = msg.copy()
    out.fields = {**msg.fields, "x": 1.0}

`fields` may be any read-only mapping: points straight from the input carry a `LazyFields`
(values decoded one at a time); treat it as `Mapping[str, float | int | str | bool]` and use
`dict(fields)` (or `{**fields, ...}`) to get a dict to change or keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tickpy.golang.gojson import Struct
from tickpy.lang.values import Time

NIL_GROUP = ""
_ABSENT = object()


@dataclass(frozen=True, slots=True)
class Dimensions:
    """What a group is made of: the tag names (in groupBy order) and the measurement name."""

    by_name: bool = False
    tag_names: tuple[str, ...] = ()


NO_DIMENSIONS = Dimensions()


def group_id(name: str, tags: Mapping[str, str], dimensions: Dimensions) -> str:
    """Kapacitor's `models.ToGroupID`: "" (nil group), "name\\n", or "name\\nk=v,k2=v2"."""
    tag_names = dimensions.tag_names
    if not tag_names:
        return name if dimensions.by_name else NIL_GROUP
    body = ",".join([f"{key}={tags.get(key, '')}" for key in tag_names])
    if dimensions.by_name:
        return f"{name}\n{body}"
    return body


def display_group(group: str) -> str:
    """The group as alert templates (`{{ .Group }}`) print it: "nil" for the nil group."""
    return group if group else "nil"


class PointMessage:
    """One point on a stream edge (Kapacitor's `edge.PointMessage`).

    Attributes (all public, read them directly on the hot path):
        name: measurement name
        database, retention_policy: where the point was written
        tags: dict[str, str] of all the point's tags
        fields: mapping field name -> float | int | str | bool
        time: int nanoseconds
        dimensions: `Dimensions` the point is grouped by
        group: group id string (see `group_id`); keep it in sync with `set_dimensions`
    """

    __slots__ = ("name", "database", "retention_policy", "tags", "fields", "time", "dimensions", "group")

    def __init__(
        self,
        name: str,
        tags: dict[str, str],
        fields: Mapping[str, Any],
        time: int,
        dimensions: Dimensions = NO_DIMENSIONS,
        group: str | None = None,
        database: str = "",
        retention_policy: str = "",
    ):
        self.name = name
        self.database = database
        self.retention_policy = retention_policy
        self.tags = tags
        self.fields = fields
        self.time = time
        self.dimensions = dimensions
        self.group = group_id(name, tags, dimensions) if group is None else group

    def copy(self) -> PointMessage:
        """A shallow copy (Kapacitor's ShallowCopy): dicts are shared, replace them, do not mutate."""
        clone = PointMessage.__new__(PointMessage)
        clone.name = self.name
        clone.database = self.database
        clone.retention_policy = self.retention_policy
        clone.tags = self.tags
        clone.fields = self.fields
        clone.time = self.time
        clone.dimensions = self.dimensions
        clone.group = self.group
        return clone

    def with_values(self, fields: dict, tags: dict) -> PointMessage:
        """A copy with these fields and tags; its group is recomputed when the tags are new."""
        clone = self.copy()
        clone.fields = fields
        if tags is not self.tags:
            clone.tags = tags
            clone.group = group_id(self.name, tags, self.dimensions)
        return clone

    def set_dimensions(self, dimensions: Dimensions) -> None:
        """Regroup (only on a message this node built itself): recomputes `group`."""
        self.dimensions = dimensions
        self.group = group_id(self.name, self.tags, dimensions)

    def group_tags(self) -> dict[str, str]:
        """Only the tags that are dimensions (the tags of the group)."""
        tags = self.tags
        return {key: tags.get(key, "") for key in self.dimensions.tag_names}

    def to_row(self) -> Struct:
        """The point as a `models.Row` (httpOut, alert data): time first, then sorted fields."""
        return point_row(self.name, self.tags, self.fields, self.time)

    def to_result(self) -> Struct:
        return Struct(series=[self.to_row()])

    def __repr__(self) -> str:
        return (
            f"PointMessage(name={self.name!r}, tags={self.tags!r}, fields={dict(self.fields)!r}, "
            f"time={self.time}, group={self.group!r})"
        )


class BatchPoint:
    """One point inside a batch (Kapacitor's `edge.BatchPointMessage`): time, fields, tags."""

    __slots__ = ("time", "fields", "tags")

    def __init__(self, time: int, fields: Mapping[str, Any], tags: dict[str, str]):
        self.time = time
        self.fields = fields
        self.tags = tags

    @classmethod
    def from_point(cls, point: PointMessage) -> BatchPoint:
        return cls(point.time, point.fields, point.tags)

    def __repr__(self) -> str:
        return f"BatchPoint(time={self.time}, fields={dict(self.fields)!r}, tags={self.tags!r})"


@dataclass(frozen=True, slots=True)
class BarrierMessage:
    """Kapacitor's `edge.BarrierMessage`: the group will send nothing older than `time`.
    Barrier nodes emit them; windows close their window on them, joins move the source on."""

    group: str
    tags: dict[str, str]
    dimensions: Dimensions
    time: int


@dataclass(frozen=True, slots=True)
class DeleteGroupMessage:
    """Kapacitor's `edge.DeleteGroupMessage`: forget every piece of state kept for `group`
    (a barrier node with `.delete(TRUE)` sends one after each barrier)."""

    group: str
    tags: dict[str, str]
    dimensions: Dimensions


class BatchMessage:
    """A whole batch on a batch edge (Kapacitor's `edge.BufferedBatchMessage`).

    Attributes:
        name: measurement name
        tags: the group's tags (only the dimension tags, as Kapacitor's begin-batch message)
        dimensions, group: as for `PointMessage`
        tmax: int nanoseconds, the batch's time (a window's upper bound)
        points: list[BatchPoint] in time order
    """

    __slots__ = ("name", "tags", "dimensions", "group", "tmax", "points")

    def __init__(
        self,
        name: str,
        tags: dict[str, str],
        dimensions: Dimensions,
        tmax: int,
        points: list[BatchPoint],
        group: str | None = None,
    ):
        self.name = name
        self.tags = tags
        self.dimensions = dimensions
        self.tmax = tmax
        self.points = points
        self.group = group_id(name, tags, dimensions) if group is None else group

    def copy(self) -> BatchMessage:
        """A shallow copy: the points list is shared, replace it, do not mutate it."""
        return BatchMessage(self.name, self.tags, self.dimensions, self.tmax, self.points, self.group)

    @property
    def time(self) -> int:
        return self.tmax

    def to_row(self) -> Struct:
        """Kapacitor's BufferedBatch.ToRow: columns from the first point's fields plus its tags
        that are not batch tags, sorted after "time"."""
        row = Struct()
        if self.name:
            row["name"] = self.name
        if self.tags:
            row["tags"] = self.tags
        if not self.points:
            return row
        first = self.points[0]
        batch_tags = self.tags
        columns = list(first.fields)
        columns.extend(tag for tag in first.tags if tag not in batch_tags)
        columns.sort()
        values = []
        for point in self.points:
            fields, tags = point.fields, point.tags
            row_values: list[Any] = [Time(point.time)]
            for column in columns:
                if column in fields:
                    row_values.append(fields[column])
                else:
                    row_values.append(tags.get(column))
            values.append(row_values)
        row["columns"] = ["time", *columns]
        row["values"] = values
        return row

    def to_result(self) -> Struct:
        return Struct(series=[self.to_row()])

    def __repr__(self) -> str:
        return (
            f"BatchMessage(name={self.name!r}, tags={self.tags!r}, tmax={self.tmax}, "
            f"group={self.group!r}, points={len(self.points)})"
        )


class LazyFields(Mapping[str, Any]):
    """The fields of an input point as a read-only mapping that decodes a value only when it
    is asked for: `get`, `[]` and `in` read one field (`Point.field`); iterating, `len`,
    `keys`/`items`/`values`, `copy()` and `==` decode them all (once, cached by the point).

    The `from` node hands these on, so that a task reading one field of a ten-field point
    never converts the other nine. Use it like a dict that must not be changed; `dict(f)`
    or `f.copy()` gives a real dict."""

    __slots__ = ("point",)

    def __init__(self, point):
        self.point = point

    def get(self, key, default=None):
        return self.point.field(key, default)

    def __getitem__(self, key):
        value = self.point.field(key, _ABSENT)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return self.point.field(key, _ABSENT) is not _ABSENT

    def __iter__(self):
        return iter(self.point.fields)

    def __len__(self) -> int:
        return len(self.point.fields)

    def __bool__(self) -> bool:
        return bool(self.point.fields)

    def keys(self):
        return self.point.fields.keys()

    def items(self):
        return self.point.fields.items()

    def values(self):
        return self.point.fields.values()

    def copy(self) -> dict:
        return dict(self.point.fields)

    def __eq__(self, other) -> bool:
        if isinstance(other, LazyFields):
            other = other.point.fields
        return self.point.fields == other

    def __or__(self, other):
        return {**self.point.fields, **other}

    def __repr__(self) -> str:
        return repr(self.point.fields)


def point_row(name: str, tags: Mapping[str, str], fields: Mapping[str, Any], time: int) -> Struct:
    """A `models.Row` of one point, as Go's encoding/json would write it (empty parts omitted)."""
    row = Struct()
    if name:
        row["name"] = name
    if tags:
        row["tags"] = tags
    columns = sorted(fields)
    row["columns"] = ["time", *columns]
    row["values"] = [[Time(time), *[fields[c] for c in columns]]]
    return row


def empty_result() -> Struct:
    return Struct(series=None)


__all__ = [
    "BarrierMessage",
    "BatchMessage",
    "DeleteGroupMessage",
    "BatchPoint",
    "Dimensions",
    "NIL_GROUP",
    "NO_DIMENSIONS",
    "LazyFields",
    "PointMessage",
    "display_group",
    "empty_result",
    "group_id",
    "point_row",
]

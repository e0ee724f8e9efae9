"""The point that flows through the runtime: one measurement row at one instant.

A `Point` carries
  - `name`: the measurement name (str),
  - `tags`: dict str -> str,
  - `fields`: dict str -> float | int | str | bool,
  - `time`: int, nanoseconds since the Unix epoch,
  - `database` and `retention_policy` (str, "" when unknown).

Design (speed first, because parsing is most of the cost of a stream run):

* `__slots__`, no dataclass machinery, no validation in the constructor: the line-protocol
  reader has already validated everything when it builds a point.
* Fields are lazy.  For an ordinary line (no escapes, strings without quotes or backslashes
  inside) the reader checks the whole line with one compiled regular expression, which proves
  that every value is a well-formed float, integer, boolean or plain string, and stores the
  field block as text.  The values are only converted when `fields` is first read (then
  cached in a dict), or one at a time with `field(key)`, which does not build the dict at
  all.  A task that filters on measurement or on tags never pays for the field values of the
  points it drops.  Other lines go through the exact (slower) parser, which decodes the
  fields at once; such points carry their dict from the start.
* The reader gives points of the same series the same `tags` dict (built once per distinct
  tag text).  So tags and fields are read-only: a node that changes a point works on `copy()`
  (which copies both dicts).  `fields` returns the same dict every time.

The attribute names and methods below are the stable API used by the engine.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Point", "decode_simple_fields"]


def decode_simple_fields(raw: str) -> dict:
    """Convert a validated field block without escapes, e.g. `a=1,b=2i,c=t,d="x y"`.

    The caller guarantees the block passed the reader's fast-path check: every item is
    key=value with a float, an integer with `i`, a boolean spelling, or a string in quotes
    holding no quote and no backslash.  Later duplicates win,
    as in InfluxDB.
    """
    if '"' in raw:
        return _decode_with_strings(raw)
    if raw[-1] != "i" and "i," not in raw:  # no integer value ("i," only ends an integer)
        parts = raw.replace("=", ",").split(",")
        try:
            return dict(zip(parts[::2], map(float, parts[1::2])))
        except ValueError:
            pass  # a boolean: float() refuses every boolean spelling
    fields: dict[str, Any] = {}
    for item in raw.split(","):
        key, _, value = item.partition("=")
        last = value[-1]
        if last == "i":
            fields[key] = int(value[:-1])
        elif value[0] in "tTfF":
            fields[key] = value[0] in "tT"
        else:
            fields[key] = float(value)
    return fields


_SIMPLE_ITEM = re.compile(r'([^,= "\\]++)=("[^"]*+"|[^,]++)')


def _decode_with_strings(raw: str) -> dict:
    fields = {}
    for key, value in _SIMPLE_ITEM.findall(raw):
        fields[key] = value[1:-1] if value[0] == '"' else _decode_simple_value(value)
    return fields


def _decode_simple_value(value: str):
    if value[-1] == "i":
        return int(value[:-1])
    if value[0] in "tTfF":
        return value[0] in "tT"
    return float(value)


class Point:
    """One point: measurement `name`, `tags`, `fields` (lazy), `time` in ns, db and rp."""

    __slots__ = ("name", "tags", "_fields", "_raw_fields", "time", "database", "retention_policy")

    def __init__(
        self,
        name: str,
        tags: dict | None = None,
        fields: dict | None = None,
        time: int | None = 0,  # None: parse_points without `now` and no timestamp
        database: str = "",
        retention_policy: str = "",
        raw_fields: str | None = None,
    ):
        self.name = name
        self.tags = {} if tags is None else tags
        # A point holds its fields decoded or as the validated raw block, always one of the two;
        # typed Any so the hot paths below need no check or cast per call.
        self._raw_fields: Any
        if fields is None and raw_fields is None:
            fields = {}
        self._fields = fields
        # Text of a validated simple field block, converted on first use (see module doc).
        self._raw_fields = raw_fields
        self.time = time
        self.database = database
        self.retention_policy = retention_policy

    @property
    def fields(self) -> dict:
        fields = self._fields
        if fields is None:
            fields = self._fields = decode_simple_fields(self._raw_fields)
        return fields

    @fields.setter
    def fields(self, value: dict) -> None:
        self._fields = value

    def field(self, key: str, default=None):
        """One field's value without decoding the others (or `default` when absent)."""
        fields = self._fields
        if fields is not None:
            return fields.get(key, default)
        raw = self._raw_fields
        if "," in key or "=" in key:  # such a key cannot occur in a simple block
            return default
        if '"' in raw:  # string values may hold ",key=": decode the whole block
            return self.fields.get(key, default)
        # In a simple block values hold no ',' or '=', so ",key=" only occurs at an item start;
        # the last occurrence is the one that wins.
        at = raw.rfind("," + key + "=")
        if at >= 0:
            start = at + len(key) + 2
        elif raw.startswith(key + "="):
            start = len(key) + 1
        else:
            return default
        end = raw.find(",", start)
        value = raw[start:] if end < 0 else raw[start:end]
        # _decode_simple_value, inlined (the hot path of a task reading one field)
        if value[-1] == "i":
            return int(value[:-1])
        if value[0] in "tTfF":
            return value[0] in "tT"
        return float(value)

    @property
    def fields_decoded(self) -> bool:
        """True once the field values exist as Python objects (for tests and statistics)."""
        return self._fields is not None

    def copy(self) -> Point:
        """A copy whose tag and field dicts can be changed without touching this point."""
        fields = self._fields
        return Point(
            self.name,
            dict(self.tags),
            None if fields is None else dict(fields),
            self.time,
            self.database,
            self.retention_policy,
            self._raw_fields if fields is None else None,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Point):
            return NotImplemented
        return (
            self.name == other.name
            and self.time == other.time
            and self.tags == other.tags
            and self.fields == other.fields
            and self.database == other.database
            and self.retention_policy == other.retention_policy
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, so unhashable (object's type says callable)

    def __repr__(self) -> str:
        return (
            f"Point(name={self.name!r}, tags={self.tags!r}, fields={self.fields!r}, "
            f"time={self.time!r}, database={self.database!r}, "
            f"retention_policy={self.retention_policy!r})"
        )

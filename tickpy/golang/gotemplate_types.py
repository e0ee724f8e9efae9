"""Go values as Go's templates see them through reflection: each value carries its Go type.

Templates print type names (`%T`, error messages), compare by kind, call methods of
`time.Time`/`time.Duration`, and distinguish an `interface {}` holding a value from the
value itself; so a plain Python value is not enough. `GV(type, value)` is a typed value;
Python `None` stands for Go's invalid `reflect.Value` (a missing map entry, an untyped nil).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tickpy.golang import gotime
from tickpy.golang.gojson import GoJSONError, Struct
from tickpy.golang.gotime import (
    DAY_NAMES,
    GO_ZERO_TIME_NS,
    MONTH_NAMES,
    RFC3339_NANO,
    civil_from_ns,
    duration_round,
    duration_truncate,
    format_go_duration,
    format_time,
    format_time_go_string,
    format_time_go_syntax,
    seconds_since_year_one,
    time_round,
    time_sub,
    time_truncate,
    weekday,
    year_day,
)
from tickpy.golang.gotypes import Time, int64_div

INT_KINDS = frozenset({"int", "int8", "int16", "int32", "int64"})
UINT_KINDS = frozenset({"uint", "uint8", "uint16", "uint32", "uint64", "uintptr"})
FLOAT_KINDS = frozenset({"float32", "float64"})
COMPLEX_KINDS = frozenset({"complex64", "complex128"})


class GoCallError(Exception):
    """A Go function or method returned a non-nil error (or panicked); message is Go's text."""


@dataclass(eq=False)
class Method:
    name: str
    params: list[GoType]
    results: list[GoType]
    # (receiver GV, *args GV) -> GV (raises GoCallError for an error result); None for a
    # signature templates refuse to call (more than one non-error result).
    impl: Callable[..., GV | None] | None
    variadic: bool = False


@dataclass(eq=False)
class StructField:
    name: str
    type: GoType
    embedded: bool = False

    @property
    def exported(self) -> bool:
        return self.name[:1].isupper()


@dataclass(eq=False)
class GoType:
    name: str  # as reflect.Type.String() prints it
    kind: str
    elem: GoType | None = None
    key: GoType | None = None
    fields: list[StructField] = field(default_factory=list)  # struct kinds only
    methods: dict[str, Method] = field(default_factory=dict)  # value receiver

    def __repr__(self):
        return f"GoType({self.name})"

    def find_field(self, name: str):
        """reflect's FieldByName: the index path of `name`, searching embedded structs breadth-first."""
        level: list[tuple[tuple[int, ...], GoType]] = [((), self)]
        while level:
            found = [path + (i,) for path, typ in level for i, f in enumerate(typ.fields) if f.name == name]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return None  # ambiguous
            level = [
                (path + (i,), f.type)
                for path, typ in level
                for i, f in enumerate(typ.fields)
                if f.embedded and f.type.kind == "struct"
            ]
        return None

    def find_method(self, name: str):
        if name in self.methods:
            return self.methods[name]
        # methods promoted from embedded structs
        for f in self.fields:
            if f.embedded:
                method = f.type.find_method(name)
                if method is not None:
                    return method
        return None


class GV:
    """A typed Go value. `v` is: bool/int/float/complex/str for basic kinds; dict for maps
    (keys are Python values); list of GV for struct fields in order (time.Time: int ns); list of
    GV for slices; the held GV or None for interfaces; None or an object for pointers."""

    __slots__ = ("t", "v")

    def __init__(self, t: GoType, v):
        self.t = t
        self.v = v

    def __repr__(self):
        return f"GV({self.t.name}, {self.v!r})"


BOOL = GoType("bool", "bool")
INT = GoType("int", "int")
INT32 = GoType("int32", "int32")
INT64 = GoType("int64", "int64")
UINT8 = GoType("uint8", "uint8")
UINT64 = GoType("uint64", "uint64")
FLOAT64 = GoType("float64", "float64")
COMPLEX128 = GoType("complex128", "complex128")
STRING = GoType("string", "string")
EMPTY_INTERFACE = GoType("interface {}", "interface")
BYTES = GoType("[]uint8", "slice", elem=UINT8)
ERROR_TYPE = GoType("error", "interface")
# reflect.Value parameters (builtins such as index/len/eq take them): special-cased by the executor.
REFLECT_VALUE = GoType("reflect.Value", "struct")
HTML_JS = GoType("template.JS", "string")
MAP_STRING_STRING = GoType("map[string]string", "map", elem=STRING, key=STRING)
MAP_STRING_ANY = GoType("map[string]interface {}", "map", elem=EMPTY_INTERFACE, key=STRING)

DURATION = GoType("time.Duration", "int64")
MONTH = GoType("time.Month", "int")
WEEKDAY = GoType("time.Weekday", "int")
LOCATION_PTR = GoType("*time.Location", "ptr")
TIME = GoType(
    "time.Time",
    "struct",
    fields=[StructField("wall", UINT64), StructField("ext", INT64), StructField("loc", LOCATION_PTR)],
)


def go_bool(value: bool) -> GV:
    return GV(BOOL, bool(value))


def go_int(value: int) -> GV:
    return GV(INT, value)


def go_string(value: str) -> GV:
    return GV(STRING, value)


def go_bytes(data: bytes) -> GV:
    return GV(BYTES, [GV(UINT8, b) for b in data])


def go_time(ns: int) -> GV:
    return GV(TIME, ns)


def go_duration(ns: int) -> GV:
    return GV(DURATION, ns)


def iface(value: GV | None) -> GV:
    """An `interface {}` value holding `value` (None: a nil interface)."""
    return GV(EMPTY_INTERFACE, value)


def indirect_interface(value: GV | None) -> GV | None:
    if value is not None and value.t.kind == "interface":
        return value.v
    return value


def has_string_method(typ: GoType) -> bool:
    return "String" in typ.methods or (typ is LOCATION_PTR)


def call_value_method(value: GV, name: str) -> GV:
    """Calls `value`'s method `name` that takes no argument and returns one value (String, GoString)."""
    impl = value.t.methods[name].impl
    assert impl is not None, f"{value.t.name}.{name} has no implementation"
    result = impl(value)
    assert result is not None, f"{value.t.name}.{name} returned an invalid value"
    return result


def call_string_method(value: GV) -> str:
    if value.t is LOCATION_PTR:
        return "UTC"
    return call_value_method(value, "String").v


def time_struct_fields(value: GV) -> list[GV]:
    """time.Time's unexported fields for a wall clock without monotonic reading."""
    seconds, nanos = seconds_since_year_one(value.v)
    return [GV(UINT64, nanos), GV(INT64, seconds), GV(LOCATION_PTR, None)]


def struct_fields(value: GV) -> list[GV]:
    if value.t is TIME:
        return time_struct_fields(value)
    return value.v


# --- time.Duration ---------------------------------------------------------------------------

def _float_div(ns: int, unit: int) -> float:
    whole, frac = divmod(abs(ns), unit)
    value = whole + frac / unit
    return -value if ns < 0 else value


def _m(name, params, results, impl, variadic=False):
    return Method(name, params, results, impl, variadic)


DURATION.methods.update(
    {
        "Abs": _m("Abs", [], [DURATION], lambda d: go_duration(abs(d.v) if d.v != -(1 << 63) else (1 << 63) - 1)),
        "Hours": _m("Hours", [], [FLOAT64], lambda d: GV(FLOAT64, _float_div(d.v, 3_600_000_000_000))),
        "Minutes": _m("Minutes", [], [FLOAT64], lambda d: GV(FLOAT64, _float_div(d.v, 60_000_000_000))),
        "Seconds": _m("Seconds", [], [FLOAT64], lambda d: GV(FLOAT64, _float_div(d.v, 1_000_000_000))),
        "Milliseconds": _m("Milliseconds", [], [INT64], lambda d: GV(INT64, int64_div(d.v, 1_000_000))),
        "Microseconds": _m("Microseconds", [], [INT64], lambda d: GV(INT64, int64_div(d.v, 1_000))),
        "Nanoseconds": _m("Nanoseconds", [], [INT64], lambda d: GV(INT64, d.v)),
        "Round": _m("Round", [DURATION], [DURATION], lambda d, m: go_duration(duration_round(d.v, m.v))),
        "Truncate": _m("Truncate", [DURATION], [DURATION], lambda d, m: go_duration(duration_truncate(d.v, m.v))),
        "String": _m("String", [], [STRING], lambda d: go_string(format_go_duration(d.v))),
    }
)

def _month_string(m: GV) -> GV:
    if 1 <= m.v <= 12:
        return go_string(MONTH_NAMES[m.v - 1])
    return go_string(f"%!Month({m.v})")


def _weekday_string(d: GV) -> GV:
    if 0 <= d.v <= 6:
        return go_string(DAY_NAMES[d.v])
    return go_string(f"%!Weekday({d.v})")


MONTH.methods["String"] = _m("String", [], [STRING], _month_string)
WEEKDAY.methods["String"] = _m("String", [], [STRING], _weekday_string)


# --- time.Time -------------------------------------------------------------------------------


def _time_add_date(t: GV, years: GV, months: GV, days: GV) -> GV:
    return go_time(gotime.add_date(t.v, years.v, months.v, days.v))


def _time_truncate(t: GV, d: GV) -> GV:
    return go_time(time_truncate(t.v, d.v))


def _time_round(t: GV, d: GV) -> GV:
    return go_time(time_round(t.v, d.v))


def _marshal_json(t: GV) -> GV:
    y = civil_from_ns(t.v)[0]
    if not 0 <= y <= 9999:
        raise GoCallError("Time.MarshalJSON: year outside of range [0,9999]")
    return go_bytes(('"' + format_time(t.v, RFC3339_NANO) + '"').encode())


def _marshal_text(t: GV) -> GV:
    y = civil_from_ns(t.v)[0]
    if not 0 <= y <= 9999:
        raise GoCallError("Time.MarshalText: year outside of range [0,9999]")
    return go_bytes(format_time(t.v, RFC3339_NANO).encode())


def _marshal_binary(t: GV) -> GV:
    seconds, nanos = seconds_since_year_one(t.v)
    data = bytes([1]) + seconds.to_bytes(8, "big", signed=True) + nanos.to_bytes(4, "big") + (0xFFFF).to_bytes(2, "big")
    return go_bytes(data)


def _bytes_of(value: GV) -> bytes:
    return bytes(b.v for b in (value.v or []))


TIME.methods.update(
    {
        "Add": _m("Add", [DURATION], [TIME], lambda t, d: go_time(t.v + d.v)),
        "AddDate": _m("AddDate", [INT, INT, INT], [TIME], _time_add_date),
        "After": _m("After", [TIME], [BOOL], lambda t, u: go_bool(t.v > u.v)),
        "AppendFormat": _m("AppendFormat", [BYTES, STRING], [BYTES],
                           lambda t, b, layout: go_bytes(_bytes_of(b) + format_time(t.v, layout.v).encode("utf-8", "surrogateescape"))),
        "Before": _m("Before", [TIME], [BOOL], lambda t, u: go_bool(t.v < u.v)),
        "Clock": _m("Clock", [], [INT, INT, INT], None),
        "Compare": _m("Compare", [TIME], [INT], lambda t, u: go_int((t.v > u.v) - (t.v < u.v))),
        "Date": _m("Date", [], [INT, MONTH, INT], None),
        "Day": _m("Day", [], [INT], lambda t: go_int(civil_from_ns(t.v)[2])),
        "Equal": _m("Equal", [TIME], [BOOL], lambda t, u: go_bool(t.v == u.v)),
        "Format": _m("Format", [STRING], [STRING], lambda t, layout: go_string(format_time(t.v, layout.v))),
        "GoString": _m("GoString", [], [STRING], lambda t: go_string(format_time_go_syntax(t.v))),
        "GobEncode": _m("GobEncode", [], [BYTES, ERROR_TYPE], _marshal_binary),
        "Hour": _m("Hour", [], [INT], lambda t: go_int(civil_from_ns(t.v)[3])),
        "ISOWeek": _m("ISOWeek", [], [INT, INT], None),
        "IsDST": _m("IsDST", [], [BOOL], lambda t: go_bool(False)),
        "IsZero": _m("IsZero", [], [BOOL], lambda t: go_bool(t.v == GO_ZERO_TIME_NS)),
        "Local": _m("Local", [], [TIME], lambda t: t),
        "Location": _m("Location", [], [LOCATION_PTR], lambda t: GV(LOCATION_PTR, "UTC")),
        "MarshalBinary": _m("MarshalBinary", [], [BYTES, ERROR_TYPE], _marshal_binary),
        "MarshalJSON": _m("MarshalJSON", [], [BYTES, ERROR_TYPE], _marshal_json),
        "MarshalText": _m("MarshalText", [], [BYTES, ERROR_TYPE], _marshal_text),
        "Minute": _m("Minute", [], [INT], lambda t: go_int(civil_from_ns(t.v)[4])),
        "Month": _m("Month", [], [MONTH], lambda t: GV(MONTH, civil_from_ns(t.v)[1])),
        "Nanosecond": _m("Nanosecond", [], [INT], lambda t: go_int(civil_from_ns(t.v)[6])),
        "Round": _m("Round", [DURATION], [TIME], _time_round),
        "Second": _m("Second", [], [INT], lambda t: go_int(civil_from_ns(t.v)[5])),
        "String": _m("String", [], [STRING], lambda t: go_string(format_time_go_string(t.v))),
        "Sub": _m("Sub", [TIME], [DURATION], lambda t, u: go_duration(time_sub(t.v, u.v))),
        "Truncate": _m("Truncate", [DURATION], [TIME], _time_truncate),
        "UTC": _m("UTC", [], [TIME], lambda t: t),
        "Unix": _m("Unix", [], [INT64], lambda t: GV(INT64, t.v // 1_000_000_000)),
        "UnixMicro": _m("UnixMicro", [], [INT64], lambda t: GV(INT64, t.v // 1_000)),
        "UnixMilli": _m("UnixMilli", [], [INT64], lambda t: GV(INT64, t.v // 1_000_000)),
        "UnixNano": _m("UnixNano", [], [INT64], lambda t: GV(INT64, t.v)),
        "Weekday": _m("Weekday", [], [WEEKDAY], lambda t: GV(WEEKDAY, weekday(t.v))),
        "Year": _m("Year", [], [INT], lambda t: go_int(civil_from_ns(t.v)[0])),
        "YearDay": _m("YearDay", [], [INT], lambda t: go_int(year_day(t.v))),
        "Zone": _m("Zone", [], [STRING, INT], None),
        "ZoneBounds": _m("ZoneBounds", [], [TIME, TIME], None),
        "AppendBinary": _m("AppendBinary", [BYTES], [BYTES, ERROR_TYPE],
                           lambda t, b: go_bytes(_bytes_of(b) + _bytes_of(_marshal_binary(t)))),
        "AppendText": _m("AppendText", [BYTES], [BYTES, ERROR_TYPE],
                         lambda t, b: go_bytes(_bytes_of(b) + _bytes_of(_marshal_text(t)))),
    }
)
LOCATION_PTR.methods["String"] = _m("String", [], [STRING], lambda loc: go_string("UTC"))
# In(*Location) needs a location value; templates cannot build one, but the method exists.
TIME.methods["In"] = _m("In", [LOCATION_PTR], [TIME], lambda t, loc: t)


# --- values as encoding/json marshals them ------------------------------------------------


def to_json_value(value: GV | None):
    """A typed Go value as the Python value `gojson.dumps` encodes the same way Go would."""
    if value is None:
        return None
    t = value.t
    kind = t.kind
    if t is TIME:
        return Time(value.v)
    if kind == "interface":
        return to_json_value(value.v)
    if kind == "struct":
        out = Struct()
        _flatten_struct(value, out)
        return out
    if kind == "map":
        if value.v is None:
            return None
        return {k: to_json_value(v) for k, v in value.v.items()}
    if kind == "slice":
        if value.v is None:
            return None
        assert t.elem is not None, "a slice type carries its element type"
        if t.elem.kind == "uint8":
            return bytes(b.v for b in value.v)
        return [to_json_value(v) for v in value.v]
    if kind == "ptr":
        return None if value.v is None else str(value.v)
    if kind == "complex128":
        raise GoJSONError("json: unsupported type: complex128")
    return value.v


def _flatten_struct(value: GV, out: Struct):
    for spec, item in zip(value.t.fields, value.v):
        if spec.embedded and spec.type.kind == "struct":
            _flatten_struct(item, out)
        elif spec.exported:
            out[spec.name] = to_json_value(item)

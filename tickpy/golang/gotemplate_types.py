"""Go values as Go's templates see them through reflection: each value carries its Go type.

Templates print type names (`%T`, error messages), compare by kind, call methods of
`time.Time`/`time.Duration`, and distinguish an `interface {}` holding a value from the
value itself; so a plain Python value is not enough. `GV(type, value)` is a typed value;
Python `None` stands for Go's invalid `reflect.Value` (a missing map entry, an untyped nil).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tickpy.golang.gojson import GoJSONError, Struct, civil_from_ns, format_time_go_string
from tickpy.golang.gotypes import Time
from tickpy.golang.goformat import format_go_duration

INT_KINDS = frozenset({"int", "int8", "int16", "int32", "int64"})
UINT_KINDS = frozenset({"uint", "uint8", "uint16", "uint32", "uint64", "uintptr"})
FLOAT_KINDS = frozenset({"float32", "float64"})
COMPLEX_KINDS = frozenset({"complex64", "complex128"})


class GoCallError(Exception):
    """A Go function or method returned a non-nil error (or panicked); message is Go's text."""


@dataclass(eq=False)
class Method:
    name: str
    params: list  # GoTypes
    results: list  # GoTypes
    impl: object  # (receiver GV, *args GV) -> GV (raises GoCallError for an error result)
    variadic: bool = False


@dataclass(eq=False)
class StructField:
    name: str
    type: "GoType"
    embedded: bool = False

    @property
    def exported(self) -> bool:
        return self.name[:1].isupper()


@dataclass(eq=False)
class GoType:
    name: str  # as reflect.Type.String() prints it
    kind: str
    elem: "GoType | None" = None
    key: "GoType | None" = None
    fields: list = field(default_factory=list)  # StructField, struct kinds only
    methods: dict = field(default_factory=dict)  # name -> Method (value receiver)

    def __repr__(self):
        return f"GoType({self.name})"

    def find_field(self, name: str):
        """reflect's FieldByName: the index path of `name`, searching embedded structs breadth-first."""
        level = [((), self)]
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


def call_string_method(value: GV) -> str:
    if value.t is LOCATION_PTR:
        return "UTC"
    return value.t.methods["String"].impl(value).v


def time_struct_fields(value: GV) -> list[GV]:
    """time.Time's unexported fields for a wall clock without monotonic reading."""
    ns = value.v
    seconds, nanos = divmod(ns, 1_000_000_000)
    return [GV(UINT64, nanos), GV(INT64, seconds + 62135596800), GV(LOCATION_PTR, None)]


def struct_fields(value: GV) -> list[GV]:
    if value.t is TIME:
        return time_struct_fields(value)
    return value.v


# --- time.Duration ---------------------------------------------------------------------------

format_duration = format_go_duration  # time.Duration.String(), one implementation (goformat)


def _duration_round(d: int, m: int) -> int:
    if m <= 0:
        return d
    r = d % m if d >= 0 else -((-d) % m)
    if d < 0:
        r = -r
        if r + r < m:
            return d + r
        d1 = d - m + r
        return d1 if d1 < d else -(1 << 63)
    if r + r < m:
        return d - r
    d1 = d + m - r
    return d1 if d1 > d else (1 << 63) - 1


def _duration_truncate(d: int, m: int) -> int:
    if m <= 0:
        return d
    return d - (d % m if d >= 0 else -((-d) % m))


def _float_div(ns: int, unit: int) -> float:
    whole, frac = divmod(abs(ns), unit)
    value = whole + frac / unit
    return -value if ns < 0 else value


def _trunc_div(value: int, unit: int) -> int:
    """Go's integer division, which truncates toward zero."""
    return -((-value) // unit) if value < 0 else value // unit


def _m(name, params, results, impl, variadic=False):
    return Method(name, params, results, impl, variadic)


DURATION.methods.update(
    {
        "Abs": _m("Abs", [], [DURATION], lambda d: go_duration(abs(d.v) if d.v != -(1 << 63) else (1 << 63) - 1)),
        "Hours": _m("Hours", [], [FLOAT64], lambda d: GV(FLOAT64, _float_div(d.v, 3_600_000_000_000))),
        "Minutes": _m("Minutes", [], [FLOAT64], lambda d: GV(FLOAT64, _float_div(d.v, 60_000_000_000))),
        "Seconds": _m("Seconds", [], [FLOAT64], lambda d: GV(FLOAT64, _float_div(d.v, 1_000_000_000))),
        "Milliseconds": _m("Milliseconds", [], [INT64], lambda d: GV(INT64, _trunc_div(d.v, 1_000_000))),
        "Microseconds": _m("Microseconds", [], [INT64], lambda d: GV(INT64, _trunc_div(d.v, 1_000))),
        "Nanoseconds": _m("Nanoseconds", [], [INT64], lambda d: GV(INT64, d.v)),
        "Round": _m("Round", [DURATION], [DURATION], lambda d, m: go_duration(_duration_round(d.v, m.v))),
        "Truncate": _m("Truncate", [DURATION], [DURATION], lambda d, m: go_duration(_duration_truncate(d.v, m.v))),
        "String": _m("String", [], [STRING], lambda d: go_string(format_duration(d.v))),
    }
)

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]
DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


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


def _weekday(ns: int) -> int:
    days = ns // 1_000_000_000 // 86400
    return (days + 4) % 7  # 1970-01-01 was a Thursday


def _yearday(ns: int) -> int:
    y, m, d = civil_from_ns(ns)[:3]
    return _days_before_month(y, m) + d


def _is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _days_before_month(y: int, m: int) -> int:
    cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
    return cumulative[m - 1] + (1 if m > 2 and _is_leap(y) else 0)


def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _iso_week(ns: int) -> tuple[int, int]:
    y, m, d = civil_from_ns(ns)[:3]
    wd = (_weekday(ns) + 6) % 7  # Monday = 0
    # shift to the Thursday of this week
    thursday_days = ns // 1_000_000_000 // 86400 - wd + 3
    ty, _, _ = civil_from_ns(thursday_days * 86400 * 1_000_000_000)[:3]
    jan1 = _days_from_civil(ty, 1, 1)
    return ty, (thursday_days - jan1) // 7 + 1


def _time_add_date(t: GV, years: GV, months: GV, days: GV) -> GV:
    y, m, d, hh, mi, ss, nanos = civil_from_ns(t.v)
    total_months = (m - 1) + months.v
    y += years.v + total_months // 12
    m = total_months % 12 + 1
    day_number = _days_from_civil(y, m, 1) + (d - 1) + days.v
    ns = ((day_number * 86400 + hh * 3600 + mi * 60 + ss) * 1_000_000_000) + nanos
    return go_time(ns)


def _time_truncate(t: GV, d: GV) -> GV:
    if d.v <= 0:
        return t
    # Go truncates relative to the zero Time (year 1), whose offset from the Unix epoch is a
    # whole number of days; durations dividing a day see no difference, others do.
    since_zero = t.v + 62135596800 * 1_000_000_000
    return go_time(t.v - since_zero % d.v)


def _time_round(t: GV, d: GV) -> GV:
    if d.v <= 0:
        return t
    since_zero = t.v + 62135596800 * 1_000_000_000
    r = since_zero % d.v
    if r + r < d.v:
        return go_time(t.v - r)
    return go_time(t.v + d.v - r)


def _marshal_json(t: GV) -> GV:
    y = civil_from_ns(t.v)[0]
    if not 0 <= y <= 9999:
        raise GoCallError("Time.MarshalJSON: year outside of range [0,9999]")
    return go_bytes(('"' + go_format_time(t.v, RFC3339_NANO) + '"').encode())


def _marshal_text(t: GV) -> GV:
    y = civil_from_ns(t.v)[0]
    if not 0 <= y <= 9999:
        raise GoCallError("Time.MarshalText: year outside of range [0,9999]")
    return go_bytes(go_format_time(t.v, RFC3339_NANO).encode())


def _marshal_binary(t: GV) -> GV:
    seconds, nanos = divmod(t.v, 1_000_000_000)
    sec = seconds + 62135596800
    data = bytes([1]) + sec.to_bytes(8, "big", signed=True) + nanos.to_bytes(4, "big") + (0xFFFF).to_bytes(2, "big")
    return go_bytes(data)


def _bytes_of(value: GV) -> bytes:
    return bytes(b.v for b in (value.v or []))


RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00"

TIME.methods.update(
    {
        "Add": _m("Add", [DURATION], [TIME], lambda t, d: go_time(t.v + d.v)),
        "AddDate": _m("AddDate", [INT, INT, INT], [TIME], _time_add_date),
        "After": _m("After", [TIME], [BOOL], lambda t, u: go_bool(t.v > u.v)),
        "AppendFormat": _m("AppendFormat", [BYTES, STRING], [BYTES],
                           lambda t, b, layout: go_bytes(_bytes_of(b) + go_format_time(t.v, layout.v).encode("utf-8", "surrogateescape"))),
        "Before": _m("Before", [TIME], [BOOL], lambda t, u: go_bool(t.v < u.v)),
        "Clock": _m("Clock", [], [INT, INT, INT], None),
        "Compare": _m("Compare", [TIME], [INT], lambda t, u: go_int((t.v > u.v) - (t.v < u.v))),
        "Date": _m("Date", [], [INT, MONTH, INT], None),
        "Day": _m("Day", [], [INT], lambda t: go_int(civil_from_ns(t.v)[2])),
        "Equal": _m("Equal", [TIME], [BOOL], lambda t, u: go_bool(t.v == u.v)),
        "Format": _m("Format", [STRING], [STRING], lambda t, layout: go_string(go_format_time(t.v, layout.v))),
        "GoString": _m("GoString", [], [STRING], lambda t: go_string(_go_string_time(t.v))),
        "GobEncode": _m("GobEncode", [], [BYTES, ERROR_TYPE], _marshal_binary),
        "Hour": _m("Hour", [], [INT], lambda t: go_int(civil_from_ns(t.v)[3])),
        "ISOWeek": _m("ISOWeek", [], [INT, INT], None),
        "IsDST": _m("IsDST", [], [BOOL], lambda t: go_bool(False)),
        "IsZero": _m("IsZero", [], [BOOL], lambda t: go_bool(t.v == -62135596800 * 1_000_000_000)),
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
        "Sub": _m("Sub", [TIME], [DURATION], lambda t, u: go_duration(max(min(t.v - u.v, (1 << 63) - 1), -(1 << 63)))),
        "Truncate": _m("Truncate", [DURATION], [TIME], _time_truncate),
        "UTC": _m("UTC", [], [TIME], lambda t: t),
        "Unix": _m("Unix", [], [INT64], lambda t: GV(INT64, t.v // 1_000_000_000)),
        "UnixMicro": _m("UnixMicro", [], [INT64], lambda t: GV(INT64, t.v // 1_000)),
        "UnixMilli": _m("UnixMilli", [], [INT64], lambda t: GV(INT64, t.v // 1_000_000)),
        "UnixNano": _m("UnixNano", [], [INT64], lambda t: GV(INT64, t.v)),
        "Weekday": _m("Weekday", [], [WEEKDAY], lambda t: GV(WEEKDAY, _weekday(t.v))),
        "Year": _m("Year", [], [INT], lambda t: go_int(civil_from_ns(t.v)[0])),
        "YearDay": _m("YearDay", [], [INT], lambda t: go_int(_yearday(t.v))),
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


def _go_string_time(ns: int) -> str:
    y, mo, d, h, mi, s, nanos = civil_from_ns(ns)
    return f"time.Date({y}, time.{MONTH_NAMES[mo - 1]}, {d}, {h}, {mi}, {s}, {nanos}, time.UTC)"


# --- Go's time layout formatting (UTC only) ---------------------------------------------------

_STD_CHUNKS = [
    "January", "Jan", "Monday", "Mon", "MST",
    "01", "02", "03", "04", "05", "06", "002",
    "15", "2006", "__2", "_2", "1", "2", "3", "4", "5",
    "PM", "pm",
    "Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07",
    "-070000", "-07:00:00", "-0700", "-07:00", "-07",
]


def _next_std_chunk(layout: str, i: int):
    """(chunk, length) for a layout element starting at i, or None."""
    c = layout[i]
    rest = layout[i:]
    if c == "J":
        if rest.startswith("Jan"):
            if rest.startswith("January"):
                return ("January", 7)
            if not _starts_lower(layout, i + 3):
                return ("Jan", 3)
    elif c == "M":
        if rest.startswith("Mon"):
            if rest.startswith("Monday"):
                return ("Monday", 6)
            if not _starts_lower(layout, i + 3):
                return ("Mon", 3)
        if rest.startswith("MST"):
            return ("MST", 3)
    elif c == "0":
        if len(rest) >= 2 and "1" <= rest[1] <= "6":
            return (rest[:2], 2)
        if rest.startswith("002"):
            return ("002", 3)
    elif c == "1":
        if rest.startswith("15"):
            return ("15", 2)
        return ("1", 1)
    elif c == "2":
        if rest.startswith("2006"):
            return ("2006", 4)
        return ("2", 1)
    elif c == "_":
        if rest.startswith("_2"):
            if rest.startswith("_2006"):
                return None  # "_" literal then 2006
            return ("_2", 2)
        if rest.startswith("__2"):
            return ("__2", 3)
    elif c in "345":
        return (c, 1)
    elif c == "P":
        if rest.startswith("PM"):
            return ("PM", 2)
    elif c == "p":
        if rest.startswith("pm"):
            return ("pm", 2)
    elif c == "-":
        for std in ("-07:00:00", "-070000", "-07:00", "-0700", "-07"):
            if rest.startswith(std):
                return (std, len(std))
    elif c == "Z":
        for std in ("Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07"):
            if rest.startswith(std):
                return (std, len(std))
    elif c in ".,":
        if len(rest) >= 2 and rest[1] in "09":
            ch = rest[1]
            j = 1
            while j < len(rest) and rest[j] == ch:
                j += 1
            if not (j < len(rest) and rest[j].isdigit()):
                kind = "frac0" if ch == "0" else "frac9"
                return ((kind, c, j - 1), j)
    return None


def _starts_lower(layout: str, i: int) -> bool:
    return i < len(layout) and "a" <= layout[i] <= "z"


def go_format_time(ns: int, layout: str) -> str:
    """time.Time.Format for a UTC time."""
    y, mo, d, h, mi, s, nanos = civil_from_ns(ns)
    out = []
    i = 0
    while i < len(layout):
        # "_2006" is "_" followed by the year
        if layout.startswith("_2006", i):
            out.append("_")
            i += 1
            continue
        found = _next_std_chunk(layout, i)
        if found is None:
            out.append(layout[i])
            i += 1
            continue
        chunk, length = found
        i += length
        if isinstance(chunk, tuple):
            kind, sep, digits = chunk
            frac = f"{nanos:09d}"[:digits] if digits <= 9 else f"{nanos:09d}" + "0" * (digits - 9)
            if kind == "frac9":
                frac = frac.rstrip("0")
                if frac:
                    out.append(sep + frac)
            else:
                out.append(sep + frac)
            continue
        if chunk == "2006":
            out.append(f"{y:04d}" if y >= 0 else "-" + f"{-y:04d}")
        elif chunk == "06":
            out.append(f"{y % 100:02d}")
        elif chunk == "January":
            out.append(MONTH_NAMES[mo - 1])
        elif chunk == "Jan":
            out.append(MONTH_NAMES[mo - 1][:3])
        elif chunk == "1":
            out.append(str(mo))
        elif chunk == "01":
            out.append(f"{mo:02d}")
        elif chunk == "Monday":
            out.append(DAY_NAMES[_weekday(ns)])
        elif chunk == "Mon":
            out.append(DAY_NAMES[_weekday(ns)][:3])
        elif chunk == "2":
            out.append(str(d))
        elif chunk == "_2":
            out.append(f"{d:2d}")
        elif chunk == "02":
            out.append(f"{d:02d}")
        elif chunk == "__2":
            out.append(f"{_yearday(ns):3d}")
        elif chunk == "002":
            out.append(f"{_yearday(ns):03d}")
        elif chunk == "15":
            out.append(f"{h:02d}")
        elif chunk == "3":
            out.append(str(h % 12 or 12))
        elif chunk == "03":
            out.append(f"{h % 12 or 12:02d}")
        elif chunk == "4":
            out.append(str(mi))
        elif chunk == "04":
            out.append(f"{mi:02d}")
        elif chunk == "5":
            out.append(str(s))
        elif chunk == "05":
            out.append(f"{s:02d}")
        elif chunk == "PM":
            out.append("PM" if h >= 12 else "AM")
        elif chunk == "pm":
            out.append("pm" if h >= 12 else "am")
        elif chunk == "MST":
            out.append("UTC")
        elif chunk.startswith("Z"):
            out.append("Z")
        elif chunk.startswith("-"):
            out.append({"-070000": "+000000", "-07:00:00": "+00:00:00", "-0700": "+0000",
                        "-07:00": "+00:00", "-07": "+00"}[chunk])
    return "".join(out)


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

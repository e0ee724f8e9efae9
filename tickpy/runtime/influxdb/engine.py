"""The InfluxQL engine over the embedded store: a SELECT as InfluxDB 1.x (1.6) answers it.

The statement run is the one Kapacitor sends (tickpy.influxql.rewrite), re-parsed, so whatever
its printing changes (3-decimal numbers, the unparenthesised time range) changes the result as
it does in InfluxDB.

Results follow InfluxDB's /query JSON: one series per measurement and GROUP BY tag set (sorted
by name, then tags), columns `time` then the fields (names de-duplicated as `mean`, `mean_1`),
time as int ns. Aggregates run InfluxDB's reducers (tickpy.runtime.aggregates) over each window.

Floating-point results depend on the order InfluxDB works in, which is kept: count, sum, mean,
min, max, first and last are reduced per series and window, then the partials are merged at the
shard (a tag set's series in GOMAXPROCS merge groups), shards and statement levels, each merge in
Go's container/heap order, a mean carried as (mean, count) and re-weighted at every level as
InfluxDB's mean reducer does; the other functions read the raw points in InfluxDB's sorted-merge
order (by time, then the string auxiliary values, then heap order).
"""

from __future__ import annotations

import bisect
import math
import os
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import Any, cast

from tickpy.golang.goheap import heap_init, heap_pop, heap_push
from tickpy.golang.gosort import XORSHIFT_GO_1_19
from tickpy.golang.gotime import days_from_civil
from tickpy.golang.gotypes import wrap_int64
from tickpy.influxql.ast import (
    FILL_LINEAR,
    FILL_NONE,
    FILL_NUMBER,
    FILL_PREVIOUS,
    BinaryExpr,
    BooleanLiteral,
    Call,
    DurationLiteral,
    Expr,
    Field,
    IntegerLiteral,
    Measurement,
    NumberLiteral,
    ParenExpr,
    RegexLiteral,
    SelectStatement,
    StringLiteral,
    TimeLiteral,
    VarRef,
    Wildcard,
)
from tickpy.influxql.errors import InfluxQLError, unsupported
from tickpy.influxql.support import AGGREGATES, MULTI_ROW, SELECTORS, TRANSFORMS, top_level_calls
from tickpy.lang.compiler import compile_regex
from tickpy.runtime import aggregates
from tickpy.runtime.influxdb.errors import InfluxDBError
from tickpy.runtime.influxdb.store import BOOLEAN, FLOAT, INTEGER, SeriesData, Store

MIN_TIME = -(2**63) + 2  # models.MinNanoTime
MAX_TIME = 2**63 - 2  # models.MaxNanoTime

_SECOND = 10**9


@dataclass
class Series:
    """One series of an InfluxDB /query answer; time (int ns) is column 0."""

    name: str
    tags: dict[str, str]
    columns: list[str]
    values: list[list] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# WHERE: the time range and the filter


def _time_value(expr: Expr, now: int, offset: int) -> int:
    if isinstance(expr, ParenExpr):
        return _time_value(expr.expr, now, offset)
    if isinstance(expr, TimeLiteral):
        return expr.value
    if isinstance(expr, IntegerLiteral):
        return expr.value
    if isinstance(expr, NumberLiteral):
        return int(expr.value)
    if isinstance(expr, DurationLiteral):
        return expr.value
    if isinstance(expr, StringLiteral):
        return _parse_time_string(expr.value, offset)
    if isinstance(expr, Call) and expr.name == "now" and not expr.args:
        return now
    if isinstance(expr, BinaryExpr) and expr.op in ("+", "-"):
        left = _time_value(expr.lhs, now, offset)
        right = _time_value(expr.rhs, now, offset)
        return left + right if expr.op == "+" else left - right
    raise InfluxQLError(f"invalid operation: time and {type(expr).__name__}", offset)


_TIME_STRING = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?)?"
)


def _parse_time_string(text: str, offset: int) -> int:
    match = _TIME_STRING.fullmatch(text)
    if match is None:
        raise InfluxQLError(f"invalid time literal {text!r}", offset)
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    hour, minute, second = int(match[4] or 0), int(match[5] or 0), int(match[6] or 0)
    nanos = int((match[7] or "").ljust(9, "0"))
    zone = 0
    if match[8] and match[8] != "Z":
        sign = 1 if match[8][0] == "+" else -1
        zone = sign * (int(match[8][1:3]) * 3600 + int(match[8][4:6]) * 60)
    seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - zone
    return seconds * _SECOND + nanos


def _is_time_ref(expr: Expr) -> bool:
    return isinstance(expr, VarRef) and expr.name.lower() == "time"


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


def split_condition(condition: Expr | None, now: int) -> tuple[Expr | None, int, int]:
    """(filter without the time terms, low, high): the inclusive time range as InfluxDB reads it."""
    low, high = MIN_TIME, MAX_TIME

    def walk(expr: Expr) -> Expr | None:
        nonlocal low, high
        if isinstance(expr, ParenExpr):
            inner = walk(expr.expr)
            return None if inner is None else ParenExpr(inner)
        if isinstance(expr, BinaryExpr):
            if expr.op in ("AND", "OR"):
                # InfluxDB 1.x takes every time comparison out of the condition, OR or not, and
                # intersects them into one range: what is left of a side is the side's condition
                left, right = walk(expr.lhs), walk(expr.rhs)
                if left is None:
                    return right
                if right is None:
                    return left
                return BinaryExpr(expr.op, left, right)
            if expr.op in _FLIPPED and (_is_time_ref(expr.lhs) or _is_time_ref(expr.rhs)):
                op, other = (expr.op, expr.rhs) if _is_time_ref(expr.lhs) else (_FLIPPED[expr.op], expr.lhs)
                value = _time_value(other, now, -1)
                if op in (">", ">="):
                    low = max(low, value + (op == ">"))
                if op in ("<", "<="):
                    high = min(high, value - (op == "<"))
                if op == "=":
                    low, high = max(low, value), min(high, value)
                return None
        return expr

    rest = walk(condition) if condition is not None else None
    return rest, low, high


def _compare(op: str, left, right):
    """influxql's eval of a comparison: values of different kinds compare false."""
    if left is None or right is None:
        return False
    if isinstance(left, bool) or isinstance(right, bool):
        if not (isinstance(left, bool) and isinstance(right, bool)):
            return False
        if op == "=":
            return left == right
        if op == "!=":
            return left != right
        return False
    if isinstance(left, str) != isinstance(right, str):
        return False
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    return False


def _literal(expr: Expr):
    if isinstance(expr, (NumberLiteral, IntegerLiteral, StringLiteral, BooleanLiteral)):
        return expr.value
    return _MISSING


_MISSING = object()


class _Filter:
    """A WHERE filter over tags and fields; names resolve to a field first, then a tag."""

    def __init__(self, expr: Expr) -> None:
        self.expr = expr
        self.regexes: dict[str, Any] = {}  # pattern -> compiled, once per query
        self._collect(expr)

    def _collect(self, expr: Expr) -> None:
        if isinstance(expr, BinaryExpr):
            self._collect(expr.lhs)
            self._collect(expr.rhs)
        elif isinstance(expr, ParenExpr):
            self._collect(expr.expr)
        elif isinstance(expr, RegexLiteral) and expr.pattern not in self.regexes:
            self.regexes[expr.pattern] = compile_regex(expr.pattern)

    def matches(self, lookup) -> bool:
        return self._eval(self.expr, lookup) is True

    def _eval(self, expr: Expr, lookup):
        if isinstance(expr, ParenExpr):
            return self._eval(expr.expr, lookup)
        if isinstance(expr, BinaryExpr):
            op = expr.op
            if op == "AND":
                return self._eval(expr.lhs, lookup) is True and self._eval(expr.rhs, lookup) is True
            if op == "OR":
                return self._eval(expr.lhs, lookup) is True or self._eval(expr.rhs, lookup) is True
            left = self._eval(expr.lhs, lookup)
            if op in ("=~", "!~"):
                if not isinstance(left, str) or not isinstance(expr.rhs, RegexLiteral):
                    return False
                found = self.regexes[expr.rhs.pattern].search(left) is not None
                return found if op == "=~" else not found
            right = self._eval(expr.rhs, lookup)
            if op in ("=", "!=", "<", "<=", ">", ">="):
                return _compare(op, left, right)
            return _arithmetic(op, left, right)
        if isinstance(expr, VarRef):
            return lookup(expr.name, expr.type)
        value = _literal(expr)
        return None if value is _MISSING else value


def _arithmetic(op: str, left, right):
    if left is None or right is None or isinstance(left, (str, bool)) or isinstance(right, (str, bool)):
        return None
    both_int = isinstance(left, int) and isinstance(right, int)
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        if both_int:
            return float(left) / float(right) if right != 0 else 0.0
        return left / right if right != 0 else 0.0
    if op == "%":
        if both_int:
            return int(math.fmod(left, right)) if right != 0 else 0
        return math.fmod(left, right) if right != 0 else 0.0
    if both_int and op in "&|^":
        return {"&": left & right, "|": left | right, "^": left ^ right}[op]
    return None


# ---------------------------------------------------------------------------------------------
# The query


@dataclass
class _Source:
    name: str
    shards: list  # MeasurementData per shard, oldest first


class Engine:
    def __init__(self, store: Store) -> None:
        self.store = store

    def execute(self, statement: SelectStatement, db: str, rp: str, now: int) -> list[Series]:
        condition, low, high = split_condition(statement.condition, now)
        filter_ = _Filter(condition) if condition is not None else None
        interval, offset, group_tags, all_tags = _dimensions(statement.dimensions)
        extension = max(
            [_extension(call, interval) for field_ in statement.fields for call in _calls(field_.expr)
             if interval and call.args and isinstance(call.args[0], Call)] or [0]
        )
        sources = self._sources(statement.sources, db, rp, low - extension, high + extension)
        fields = _expand_fields(statement.fields, sources, group_tags, all_tags)
        results: list[Series] = []
        for source in sources:
            query = _Query(statement, source, fields, filter_, low, high, interval, offset, group_tags, all_tags)
            results += query.run()
        if statement.soffset or statement.slimit:
            results = results[statement.soffset :]
            if statement.slimit:
                results = results[: statement.slimit]
        return results

    def _sources(self, measurements, db: str, rp: str, low: int, high: int) -> list[_Source]:
        found: dict[str, list] = {}
        for measurement in measurements:
            assert isinstance(measurement, Measurement)
            database = measurement.database or db
            policy_name = measurement.retention_policy or ("autogen" if measurement.database else rp)
            if database not in self.store.databases:
                raise InfluxDBError(f"database not found: {database}")
            policy = self.store.retention_policy(database, policy_name)
            if policy is None:
                raise InfluxDBError(f"retention policy not found: {policy_name}")
            shards = policy.shards_in(low, high)
            if measurement.regex is not None:
                pattern = compile_regex(measurement.regex.pattern)
                names = sorted({name for shard in shards for name in shard.measurements if pattern.search(name)})
            else:
                names = [measurement.name]
            for name in names:
                data = [shard.measurements[name] for shard in shards if name in shard.measurements]
                if data:
                    found.setdefault(name, []).extend(data)
        return [_Source(name, found[name]) for name in sorted(found)]


def _expand_fields(fields, sources: list[_Source], group_tags: list[str], all_tags: bool) -> list[Field]:
    """`*` becomes the fields and tags of every source, sorted (tags grouped by are left out);
    `count(*)`, `max(/re/)`: one call per field the function takes, named `count_usage`."""
    field_types: dict[str, str] = {}
    tag_keys: set[str] = set()
    for source in sources:
        for shard in source.shards:
            for key, kind in shard.field_types.items():
                field_types.setdefault(key, kind)
            tag_keys |= shard.tag_keys()
    grouped = tag_keys if all_tags else set(group_tags)
    expanded: list[Field] = []
    for field_ in fields:
        expr = field_.expr
        if isinstance(expr, Wildcard):
            names = set()
            if expr.type in ("", "field"):
                names |= set(field_types)
            if expr.type in ("", "tag"):
                names |= tag_keys - grouped
            expanded += [Field(VarRef(name)) for name in sorted(names)]
        elif isinstance(expr, Call) and expr.args and isinstance(expr.args[0], (Wildcard, RegexLiteral)):
            pattern = compile_regex(expr.args[0].pattern) if isinstance(expr.args[0], RegexLiteral) else None
            kinds = None if expr.name in _ANY_KIND_FUNCTIONS else (
                _NUMERIC_KINDS | {BOOLEAN} if expr.name in ("min", "max") else _NUMERIC_KINDS)
            for name in sorted(field_types):
                if (pattern is None or pattern.search(name)) and (kinds is None or field_types[name] in kinds):
                    call = Call(expr.name, (VarRef(name),) + expr.args[1:], expr.offset)
                    expanded.append(Field(call, f"{field_.alias or expr.name}_{name}"))
        else:
            expanded.append(field_)
    return expanded


_ANY_KIND_FUNCTIONS = frozenset(("count", "first", "last", "distinct", "mode"))
_NUMERIC_KINDS = frozenset((FLOAT, INTEGER))


def _dimensions(dimensions) -> tuple[int, int, list[str], bool]:
    interval = offset = 0
    tags: list[str] = []
    all_tags = False
    for dimension in dimensions:
        if isinstance(dimension, Call):
            interval = cast(DurationLiteral, dimension.args[0]).value
            if len(dimension.args) == 2:
                offset = cast(DurationLiteral, dimension.args[1]).value
        elif isinstance(dimension, VarRef):
            tags.append(dimension.name)
        elif isinstance(dimension, Wildcard):
            all_tags = True
    return interval, offset % interval if interval else 0, tags, all_tags


def _column_names(fields: list[Field]) -> list[str]:
    """influxql's ColumnNames: aliases first, then generated names made unique with _1, _2..."""
    names: list[str | None] = [field.alias or None for field in fields]
    seen: dict[str, int] = {}
    for field_ in fields:
        if field_.alias:
            seen[field_.alias] = 1
    for i, field_ in enumerate(fields):
        if names[i] is not None:
            continue
        name = field_.name
        count = seen.get(name)
        if count is not None:
            while True:
                resolved = f"{name}_{count}"
                if resolved not in seen:
                    seen[name] = count + 1
                    name = resolved
                    break
                count += 1
        seen[name] = seen.get(name, 0) + 1
        names[i] = name
    return [name for name in names if name is not None]


_calls = top_level_calls  # the calls of a field expression


def _var_refs(expr: Expr) -> list[VarRef]:
    if isinstance(expr, VarRef):
        return [expr]
    if isinstance(expr, BinaryExpr):
        return _var_refs(expr.lhs) + _var_refs(expr.rhs)
    if isinstance(expr, ParenExpr):
        return _var_refs(expr.expr)
    if isinstance(expr, Call):
        return [ref for arg in expr.args for ref in _var_refs(arg)]
    return []


def _processors() -> int:
    """GOMAXPROCS of an influxd on this machine: InfluxDB splits each tag set's series into this
    many merge groups, which decides the order partial sums and means are combined in."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


PARALLELISM = _processors()

# A partial result of one call in one window, as InfluxDB's iterators pass it up:
#   count/sum: value; mean: (mean, aggregated count); selectors: (value, time, series).
# Every level (series, shard, shards, statement) reduces the partials of a window again.
_PUSHED_DOWN = frozenset(("count", "sum", "mean", "min", "max", "first", "last"))
_WINS = {
    "min": aggregates._min_wins,
    "max": aggregates._max_wins,
    "first": aggregates._first_wins,
    "last": aggregates._last_wins,
}
_WINS_BOOL = {"first": aggregates._first_wins_bool, "last": aggregates._last_wins_bool}


class _Query:
    """One statement over one measurement."""

    def __init__(self, statement, source, fields, filter_, low, high, interval, offset, group_tags, all_tags):
        self.statement = statement
        self.source = source
        self.filter = filter_
        self.low, self.high = low, high
        self.interval, self.offset = interval, offset
        self.ascending = not statement.descending
        self.field_types: dict[str, str] = {}
        self.tag_keys: set[str] = set()
        for shard in source.shards:
            for key, kind in shard.field_types.items():
                self.field_types.setdefault(key, kind)
            self.tag_keys |= shard.tag_keys()
        self.group_tags = sorted(set(group_tags) | (self.tag_keys if all_tags else set()))
        self.fields = fields
        self.groups = self._groups()

    # --- series and groups

    def _groups(self) -> list[tuple[tuple, dict[int, list[SeriesData]]]]:
        """(group tag values, {shard index: the group's series in key order}) sorted by group."""
        groups: dict[tuple, dict[int, list]] = {}
        for index, shard in enumerate(self.source.shards):
            for series in sorted(shard.series.values(), key=lambda series: series.key_text):
                group = tuple(series.tags.get(tag, "") for tag in self.group_tags)
                groups.setdefault(group, {}).setdefault(index, []).append(series)
        if not self.ascending:
            for members in groups.values():
                for series_list in members.values():
                    series_list.reverse()
        return sorted(groups.items(), reverse=not self.ascending)

    def _lookup_at(self, series: SeriesData, time: int, missing: str | None = None):
        """A name's value at a point: a field, else a tag (`missing` when the series lacks it)."""
        columns = series.columns
        tags = series.tags
        field_types = self.field_types

        def lookup(name: str, kind: str):
            if kind != "tag" and name in field_types:
                column = columns.get(name)
                value = None if column is None else column.values.get(time)
                if kind in _CASTS and value is not None:
                    return _CASTS[kind](value)
                return value
            if kind not in ("", "tag"):
                return None
            return tags.get(name, missing)

        return lookup

    def _points(self, series: SeriesData, name: str) -> tuple[list[int], list]:
        """The times and values of field `name` of a series in the range, after the filter."""
        column = series.columns.get(name)
        if column is None:
            return [], []
        times, values = column.sorted()
        start = bisect.bisect_left(times, self.low)
        end = bisect.bisect_right(times, self.high)
        if start or end != len(times):
            times, values = times[start:end], values[start:end]
        if self.filter is not None:
            # in a condition, a tag the series lacks or a name nobody knows is an empty tag value
            kept = [i for i, time in enumerate(times) if self.filter.matches(self._lookup_at(series, time, ""))]
            if len(kept) != len(times):
                times = [times[i] for i in kept]
                values = [values[i] for i in kept]
        return times, values

    def _row_times(self, series: SeriesData, names: list[str]) -> list[int]:
        if len(names) == 1:
            return self._points(series, names[0])[0]
        times: set[int] = set()
        for name in names:
            times.update(self._points(series, name)[0])
        return sorted(times)

    def _merged(self, members: dict[int, list[SeriesData]], names: list[str], aux: list[tuple]) -> list[tuple]:
        """(time, series) of a group's points in the order InfluxDB's sorted merge gives them:
        shard by shard (their times do not overlap), the series of a shard merged by time, then
        by the string values of the auxiliary fields, equal points in Go's heap order."""
        out: list[tuple] = []
        ascending = self.ascending
        for index in sorted(members, reverse=not ascending):
            streams = []
            for series in members[index]:
                times = self._row_times(series, names)
                if not ascending:
                    times = times[::-1]
                if times:
                    streams.append([(time, series) for time in times])
            if len(streams) == 1:
                out += streams[0]
            elif streams:
                out += _sorted_merge(streams, self._point_less(aux))
        return out

    def _point_less(self, aux: list[tuple]):
        """aux: the (name, type) of the fields and tags read, in influxql's VarRefs order."""
        ascending = self.ascending
        lookup_at = self._lookup_at

        def less(x, y) -> bool:
            if x[0] != y[0]:
                return x[0] < y[0] if ascending else x[0] > y[0]
            if aux:
                x_lookup, y_lookup = lookup_at(x[1], x[0]), lookup_at(y[1], y[0])
                for name, kind in aux:
                    x_value, y_value = x_lookup(name, kind), y_lookup(name, kind)
                    if not isinstance(x_value, str) or not isinstance(y_value, str):
                        return False
                    if x_value != y_value:
                        return x_value < y_value
            return False

        return less

    # --- running

    def run(self) -> list[Series]:
        calls = [call for field_ in self.fields for call in _calls(field_.expr)]
        if not calls:
            return self._raw()
        return self._aggregate(calls)

    def _series(self, group: tuple, columns: list[str], rows: list[list], limited: bool = False) -> Series:
        statement = self.statement
        if limited:
            return Series(self.source.name, dict(zip(self.group_tags, group)), columns, rows)
        if statement.offset:
            rows = rows[statement.offset :]
        if statement.limit:
            rows = rows[: statement.limit]
        return Series(self.source.name, dict(zip(self.group_tags, group)), columns, rows)

    def _raw(self) -> list[Series]:
        fields = self.fields
        columns = ["time"] + _column_names(fields)
        aux = sorted({(ref.name, ref.type) for field_ in fields for ref in _var_refs(field_.expr)},
                     key=lambda ref: (ref[0], _TYPE_ORDER[ref[1]]))
        refs = sorted({name for name, _ in aux})
        field_refs = [name for name in refs if name in self.field_types]
        if not field_refs:
            return []
        counted = [i for i, field_ in enumerate(fields) if _has_field(field_.expr, self)]
        results = []
        for group, members in self.groups:
            rows = []
            for time, series in self._merged(members, field_refs, aux):
                lookup = self._lookup_at(series, time)
                values = [_evaluate_raw(field_.expr, lookup, series.tags, self) for field_ in fields]
                if all(values[i] is None for i in counted):
                    continue
                rows.append([time] + values)
            if rows:
                results.append(self._series(group, columns, rows))
        return results

    def _aggregate(self, calls: list[Call]) -> list[Series]:
        if any(call.name in MULTI_ROW for call in calls):
            if len(calls) != 1:
                raise unsupported(f"{calls[0].name}() beside other functions", calls[0].offset)
            return self._multi_row(calls[0])
        streaming = any(call.name in TRANSFORMS or call.name == "integral" for call in calls)
        fields = self.fields
        columns = ["time"] + _column_names(fields)
        aux = [field_ for field_ in fields if not _calls(field_.expr)]
        if aux and not all(call.name in SELECTORS for call in calls):
            raise InfluxDBError("mixing aggregate and non-aggregate queries is not supported")
        if aux and len(calls) > 1:
            raise InfluxDBError("mixing multiple selector functions with tags or fields is not supported")
        single_selector = len(calls) == 1 and calls[0].name in SELECTORS
        per_call = [self._call_results(call) for call in calls]
        results = []
        statement = self.statement
        # InfluxDB limits each call's points, then lines the calls up by time: where the calls
        # do not all have a point at every time, the rows left differ from a limit of the rows
        limit_each = len(calls) > 1 and bool(statement.limit or statement.offset) and (
            streaming or not self.interval or statement.fill == FILL_NONE
        )
        if not streaming and not aux and not limit_each and all(isinstance(field_.expr, Call) for field_ in fields) and (
            self.interval or not single_selector
        ):
            return self._plain_rows(calls, per_call, columns)
        for group, _ in self.groups:
            windows_of_calls = [result.get(group, {}) for result in per_call]
            if not any(windows_of_calls):
                continue
            if streaming:  # transformations emit where they have a value, no fill
                times = {time for result in windows_of_calls for time in result}
                filled = {time: [result.get(time) for result in windows_of_calls] for time in times}
            else:
                filled = self._fill(calls, windows_of_calls)
            if limit_each:
                filled = self._limit_each_call(filled, len(calls))
            rows = []
            for window in sorted(filled, reverse=not self.ascending):
                entries = filled[window]
                row_time = window if self.interval or streaming else (0 if self.low == MIN_TIME else self.low)
                lookup = None
                if single_selector and entries[0] is not None and entries[0][2] is not None:
                    if not self.interval:
                        row_time = entries[0][1]
                    lookup = self._lookup_at(entries[0][2], entries[0][1])
                call_values = {id(call): (entry[0] if entry is not None else None) for call, entry in zip(calls, entries)}
                row: list = [row_time]
                for field_ in fields:
                    if field_ in aux:
                        row.append(_evaluate(field_.expr, lookup) if lookup is not None else None)
                    else:
                        row.append(_evaluate_calls(field_.expr, call_values))
                rows.append(row)
            if rows:
                results.append(self._series(group, columns, rows, limited=limit_each))
        return results

    def _limit_each_call(self, filled: dict[int, list], count: int) -> dict[int, list]:
        statement = self.statement
        order = sorted(filled, reverse=not self.ascending)
        for index in range(count):
            emitted = [time for time in order if filled[time][index] is not None]
            end = statement.offset + statement.limit if statement.limit else len(emitted)
            kept = set(emitted[statement.offset : end])
            for time in emitted:
                if time not in kept:
                    filled[time][index] = None
        return {time: entries for time, entries in filled.items() if any(entry is not None for entry in entries)}

    def _plain_rows(self, calls: list[Call], per_call: list, columns: list[str]) -> list[Series]:
        """Rows of calls alone, one per field, with fill null, none or a number."""
        statement = self.statement
        windows = self._windows()
        fill = statement.fill
        if fill in (FILL_PREVIOUS, FILL_LINEAR) and windows is not None:
            return self._filled_rows(calls, per_call, columns)
        if fill == FILL_NUMBER:
            defaults = [(statement.fill_value, 0, None)] * len(calls)
        else:
            defaults = [((0 if call.name == "count" else None), 0, None) for call in calls]
        fixed_time = None if self.interval else (0 if self.low == MIN_TIME else self.low)
        results = []
        for group, _ in self.groups:
            windows_of_calls = [result.get(group) or {} for result in per_call]
            if not any(windows_of_calls):
                continue
            if windows is None or fill == FILL_NONE:
                times = sorted(set().union(*windows_of_calls), reverse=not self.ascending)
                none = (None, 0, None)
                pairs = [(result, none) for result in windows_of_calls]
            else:
                times = windows
                pairs = list(zip(windows_of_calls, defaults))
            if len(pairs) == 1:
                ((result, default),) = pairs
                rows = [[time if fixed_time is None else fixed_time, result.get(time, default)[0]] for time in times]
            else:
                rows = [[time if fixed_time is None else fixed_time]
                        + [result.get(time, default)[0] for result, default in pairs] for time in times]
            results.append(self._series(group, columns, rows))
        return results

    def _filled_rows(self, calls: list[Call], per_call: list, columns: list[str]) -> list[Series]:
        results = []
        for group, _ in self.groups:
            windows_of_calls = [result.get(group, {}) for result in per_call]
            if not any(windows_of_calls):
                continue
            filled = self._fill(calls, windows_of_calls)
            rows = [[window] + [entry[0] if entry is not None else None for entry in filled[window]]
                    for window in sorted(filled, reverse=not self.ascending)]
            results.append(self._series(group, columns, rows))
        return results

    def _windows(self) -> list[int] | None:
        if not self.interval:
            return None
        first = _window_start(self.low, self.interval, self.offset)
        windows = list(range(first, self.high + 1, self.interval))
        return windows if self.ascending else windows[::-1]

    def _call_results(self, call: Call) -> dict[tuple, dict[int, tuple]]:
        """group -> window -> (value, time, series of the selected point or None)."""
        if call.name in TRANSFORMS:
            return self._transform(call)
        if call.name == "integral":
            return self._integral(call)
        if call.name not in AGGREGATES:
            raise unsupported(f"the function {call.name}()", call.offset)
        if not call.args or not isinstance(call.args[0], VarRef):
            raise unsupported(f"{call.name}() of anything but a field", call.offset)
        name = call.args[0].name
        kind = self.field_types.get(name)
        if kind is None:
            return {}
        if call.name in _PUSHED_DOWN:
            return self._pushed_down(call, name, kind)
        return self._over_raw(call, name, kind)

    def _split(self, times: list[int]) -> list[tuple[int, int, int]]:
        """(window, start, end) runs of sorted times (in the query's direction)."""
        if not self.interval:
            return [(self.low, 0, len(times))] if times else []
        interval, offset = self.interval, self.offset
        runs = []
        start = 0
        count = len(times)
        if self.ascending:  # one bisection per window
            while start < count:
                window = times[start] - (times[start] - offset) % interval
                end = bisect.bisect_left(times, window + interval, start + 1)
                runs.append((window, start, end))
                start = end
            return runs
        while start < count:
            window = times[start] - (times[start] - offset) % interval
            end = start + 1
            while end < count and times[end] >= window:
                end += 1
            runs.append((window, start, end))
            start = end
        return runs

    def _pushed_down(self, call: Call, name: str, kind: str) -> dict[tuple, dict[int, tuple]]:
        function = call.name
        if kind not in (FLOAT, INTEGER) and (function in ("sum", "mean") or
                                             (function in ("min", "max") and kind != BOOLEAN)):
            raise _iterator_type_error(function, kind)
        level0 = _level0(function, kind)
        merge = _merger(function, kind)
        alone = _alone(function, kind)
        ascending = self.ascending
        if all(sum(map(len, members.values())) == 1 for _, members in self.groups):
            return self._pushed_down_alone(function, kind, name, level0)
        shard_streams: dict[int, list] = {}
        for group, members in self.groups:
            for index, series_list in members.items():
                streams = []
                for series in series_list:
                    times, values = self._points(series, name)
                    if not ascending:
                        times, values = times[::-1], values[::-1]
                    stream = [((group, window), level0(times, values, start, end, series))
                              for window, start, end in self._split(times)]
                    if stream:
                        streams.append(stream)
                if len(streams) == 1:
                    shard_streams.setdefault(index, []).extend(alone(streams[0]))
                elif streams:
                    shard_streams.setdefault(index, []).extend(_reduce_runs(self._parallel_merge(streams), merge))
        ordered = [shard_streams[index] for index in sorted(shard_streams)]
        if len(ordered) == 1:
            merged = alone(ordered[0])
        else:
            merged = _reduce_runs(_window_merge(ordered, ascending), merge)
        merged = alone(merged)  # the statement's own call over its sources
        results: dict[tuple, dict[int, tuple]] = {}
        for (group, window), partial in merged:
            results.setdefault(group, {})[window] = _final(function, partial, window)
        return results

    def _pushed_down_alone(self, function: str, kind: str, name: str, level0) -> dict[tuple, dict[int, tuple]]:
        """Every group one series in one shard: each window's partial is reduced alone at the
        shard, shards and statement levels (the common GROUP BY of every tag)."""
        finish = _finish_alone(function, kind)
        results: dict[tuple, dict[int, tuple]] = {}
        for group, members in self.groups:
            (series,) = next(iter(members.values()))
            times, values = self._points(series, name)
            if not self.ascending:
                times, values = times[::-1], values[::-1]
            if times:
                results[group] = {
                    window: finish(level0(times, values, start, end, series), window)
                    for window, start, end in self._split(times)
                }
        return results

    def _parallel_merge(self, streams: list) -> list:
        """InfluxDB's ParallelMergeIterator over a tag set's series: split into GOMAXPROCS slices
        (the last takes the rest), each merged, then the slices merged."""
        if len(streams) == 1:
            return streams[0]
        parallelism = min(PARALLELISM, len(streams))
        size = len(streams) // parallelism
        slices = [streams[i * size : (i + 1) * size] for i in range(parallelism - 1)]
        slices.append(streams[(parallelism - 1) * size :])
        outputs = [part[0] if len(part) == 1 else _window_merge(part, self.ascending) for part in slices]
        return _window_merge(outputs, self.ascending)

    def _over_raw(self, call: Call, name: str, kind: str) -> dict[tuple, dict[int, tuple]]:
        """Functions InfluxDB runs over the merged raw points (median, mode, percentile, ...)."""
        py_kind = {FLOAT: float, INTEGER: int, "string": str, "boolean": bool}[kind]
        args = [_argument(arg) for arg in call.args[1:]]
        spec = aggregates.FUNCTIONS[call.name]
        if call.name == "mode":  # InfluxDB's mode takes strings and booleans too (Kapacitor's does not)
            spec = aggregates.FunctionSpec("mode", {kind: lambda args: aggregates.SliceReducer(_mode)
                                                    for kind in (float, int, str, bool)})
        elif call.name == "percentile":
            spec = aggregates.FunctionSpec("percentile", {
                kind: lambda args: aggregates.SliceReducer(aggregates.percentile_reducer(float(args[0]), GO_SORT))
                for kind in (float, int)})
        results: dict[tuple, dict[int, tuple]] = {}
        for group, members in self.groups:
            points = self._merged(members, [name], [])
            if not points:
                continue
            times = [time for time, _ in points]
            windows: dict[int, tuple] = {}
            for window, start, end in self._split(times):
                try:
                    reducer = spec.new_reducer(py_kind, args)
                except aggregates.ReducerTypeError:
                    raise _iterator_type_error(call.name, kind) from None
                for time, series in points[start:end]:
                    reducer.add(time, series.columns[name].values[time], series)
                emitted = reducer.emit()
                if emitted:
                    time, value, series = emitted[0]
                    windows[window] = (value, window if time is None else time, series)
            if windows:
                results[group] = windows
        return results

    def _transform_input(self, call: Call) -> dict[tuple, list[tuple]]:
        """group -> [(time, value)] a transformation reads: the raw points of a field, or the
        windows of an aggregate (after its fill; the windows left null are skipped)."""
        if not call.args:
            raise InfluxQLError(f"invalid number of arguments for {call.name}", call.offset)
        inner = call.args[0]
        out: dict[tuple, list[tuple]] = {}
        if isinstance(inner, VarRef):
            if self.interval:
                raise InfluxQLError(f"aggregate function required inside the call to {call.name}", call.offset)
            if inner.name not in self.field_types:
                return out
            for group, members in self.groups:
                points = self._merged(members, [inner.name], [])
                if points:
                    out[group] = [(time, series.columns[inner.name].values[time]) for time, series in points]
            return out
        if not isinstance(inner, Call) or inner.name not in AGGREGATES:
            raise unsupported(f"{call.name}() of anything but a field or an aggregate", call.offset)
        if not self.interval:
            raise InfluxQLError(f"{call.name} aggregate requires a GROUP BY interval", call.offset)
        saved = self.low, self.high
        extension = _extension(call, self.interval)
        if self.ascending:
            self.low -= extension
        else:
            self.high += extension
        try:
            return self._aggregate_points(inner)
        finally:
            self.low, self.high = saved

    def _aggregate_points(self, inner: Call) -> dict[tuple, list[tuple]]:
        out: dict[tuple, list[tuple]] = {}
        results = self._call_results(inner)
        for group, _ in self.groups:
            windows = results.get(group)
            if not windows:
                continue
            filled = self._fill([inner], [windows])
            series_points = [
                (window, filled[window][0][0])
                for window in sorted(filled, reverse=not self.ascending)
                if filled[window][0] is not None and filled[window][0][0] is not None
            ]
            if series_points:
                out[group] = series_points
        return out

    def _transform(self, call: Call) -> dict[tuple, dict[int, tuple]]:
        name = call.name
        extra = call.args[1] if len(call.args) > 1 else None
        if name in ("derivative", "non_negative_derivative", "elapsed"):
            if extra is not None and not isinstance(extra, DurationLiteral):
                raise InfluxQLError(f"second argument to {name} must be a duration", call.offset)
            default = 1 if name == "elapsed" else (self.interval or _SECOND)
            unit = extra.value if extra is not None else default
        elif name == "moving_average":
            if not isinstance(extra, IntegerLiteral) or extra.value < 2:
                raise InfluxQLError("moving_average window must be greater than 1", call.offset)
            unit = extra.value
        else:
            unit = 0
        results: dict[tuple, dict[int, tuple]] = {}
        for group, points in self._transform_input(call).items():
            emitted = _transformed(name, points, unit, self.ascending)
            if emitted:
                results[group] = {time: (value, time, None) for time, value in emitted}
        return results

    def _integral(self, call: Call) -> dict[tuple, dict[int, tuple]]:
        """InfluxDB's integral reducer: trapezoids between consecutive points, the area up to a
        window's end interpolated from the next window's first point."""
        if not call.args or not isinstance(call.args[0], VarRef):
            raise unsupported("integral() of anything but a field", call.offset)
        name = call.args[0].name
        unit = _SECOND
        if len(call.args) > 1:
            if not isinstance(call.args[1], DurationLiteral):
                raise InfluxQLError("second argument must be a duration", call.offset)
            unit = call.args[1].value
        kind = self.field_types.get(name)
        if kind not in (FLOAT, INTEGER):
            return {}
        results: dict[tuple, dict[int, tuple]] = {}
        for group, members in self.groups:
            points = [(time, series.columns[name].values[time]) for time, series in self._merged(members, [name], [])]
            emitted = _integral(points, unit, self.interval, self.offset, kind == INTEGER)
            if emitted:
                results[group] = {time: (value, time, None) for time, value in emitted}
        return results

    def _multi_row(self, call: Call) -> list[Series]:
        """top, bottom, distinct and sample: several rows per window."""
        name = call.name
        if not call.args or not isinstance(call.args[0], VarRef):
            raise unsupported(f"{name}() of anything but a field", call.offset)
        field_name = call.args[0].name
        kind = self.field_types.get(field_name)
        extra = list(call.args[1:])
        tag_args: list[str] = []
        size = 0
        if name in ("top", "bottom", "sample"):
            if not extra or not isinstance(extra[-1], IntegerLiteral):
                raise InfluxQLError(f"expected integer as last argument in {name}(), found {extra[-1] if extra else ''}",
                                    call.offset)
            size = extra[-1].value
            if size <= 0:
                raise InfluxQLError(f"limit ({size}) in {name} function must be at least 1", call.offset)
            for argument in extra[:-1]:
                if not isinstance(argument, VarRef):
                    raise InfluxQLError(f"only fields or tags are allowed in {name}(), found {argument}", call.offset)
                tag_args.append(argument.name)
            if name != "sample" and kind not in (FLOAT, INTEGER):
                if kind is None:
                    return []
                raise _iterator_type_error(name, kind)
        if kind is None:
            return []
        # influxql's ColumnNames: the tags given to top/bottom follow the call's own column
        column_fields: list[Field] = []
        for field_ in self.fields:
            column_fields.append(field_)
            if _calls(field_.expr):
                column_fields += [Field(VarRef(tag)) for tag in tag_args]
        columns = ["time"] + _column_names(column_fields)
        aux = [field_ for field_ in self.fields if not _calls(field_.expr)]
        results = []
        for group, members in self.groups:
            points = self._merged(members, [field_name], [])
            times = [time for time, _ in points]
            rows = []
            for window, start, end in self._split(times):
                chosen = self._choose(name, field_name, points[start:end], tag_args, size)
                for time, value, series in chosen:
                    row_time = time if name in ("top", "bottom", "sample") else (
                        window if self.interval else (0 if self.low == MIN_TIME else self.low))
                    lookup = self._lookup_at(series, time) if series is not None else None
                    row: list = [row_time]
                    for field_ in self.fields:
                        if field_ in aux:
                            row.append(_evaluate(field_.expr, lookup) if lookup is not None else None)
                        else:
                            row.append(value)
                            row += [series.tags.get(tag) if series is not None else None for tag in tag_args]
                    rows.append(row)
            if rows:
                results.append(self._series(group, columns, rows))
        return results

    def _choose(self, name: str, field_name: str, points: list, tag_args: list[str], size: int) -> list[tuple]:
        entries = [(time, series.columns[field_name].values[time], series) for time, series in points]
        if name == "distinct":
            reducer: aggregates.Reducer = aggregates.DistinctReducer()
            for time, value, _ in entries:
                reducer.add(time, value, None)
            return [(time, value, None) for time, value, _ in reducer.emit()]
        if name == "sample":
            return _sample(entries, size)
        less = aggregates._top_less if name == "top" else aggregates._bottom_less
        if tag_args:
            # the best point of each tag combination first, then the best of those
            best: dict[tuple, tuple] = {}
            for entry in entries:
                key = tuple(entry[2].tags.get(tag, "") for tag in tag_args)
                if key not in best or less(best[key], entry):
                    best[key] = entry
            entries = [best[key] for key in sorted(best)]
        reducer = aggregates.TopBottomReducer(size, less)
        for time, value, series in entries:
            reducer.add(time, value, series)
        return sorted(reducer.emit(), key=lambda entry: entry[0])  # by time, whatever the order

    def _fill(self, calls, per_call) -> dict[int, list]:
        statement = self.statement
        windows = self._windows()
        if windows is None or statement.fill == FILL_NONE:
            times = {time for result in per_call for time in result}
            return {time: [result.get(time) for result in per_call] for time in times}
        filled: dict[int, list] = {window: [] for window in windows}
        for call, result in zip(calls, per_call):
            previous = None
            known = sorted(result)
            for window in windows:
                entry = result.get(window)
                if entry is None:
                    if statement.fill == FILL_NUMBER:
                        entry = (statement.fill_value, window, None)
                    elif statement.fill == FILL_PREVIOUS:
                        entry = None if previous is None else (previous[0], window, None)
                    elif statement.fill == FILL_LINEAR:
                        entry = _linear(window, known, result)
                    elif call.name == "count":
                        entry = (0, window, None)
                else:
                    previous = entry
                filled[window].append(entry)
        return filled


def _extension(call: Call, interval: int) -> int:
    """How much earlier InfluxDB starts the aggregate under a transformation: one interval, so
    the first window of the range has a previous window."""
    if call.name in ("derivative", "non_negative_derivative", "difference", "non_negative_difference",
                     "moving_average", "elapsed"):
        return interval
    return 0


def _transformed(name: str, points: list[tuple], unit: int, ascending: bool) -> list[tuple]:
    """(time, value) out of a transformation over (time, value) in."""
    out = []
    if name in ("derivative", "non_negative_derivative", "difference", "non_negative_difference"):
        previous = None
        for time, value in points:
            if previous is not None and previous[0] == time:
                continue  # a second value at the same time is ignored
            if previous is not None:
                if name.endswith("derivative"):
                    diff = float(value) - float(previous[1]) if isinstance(value, int) else value - previous[1]
                    elapsed = time - previous[0] if ascending else previous[0] - time
                    result = diff / (float(elapsed) / float(unit))
                else:
                    diff = value - previous[1]
                    result = wrap_int64(diff) if isinstance(diff, int) else diff
                if not (name.startswith("non_negative") and diff < 0):
                    out.append((time, result))
            previous = (time, value)
        return out
    factories = {
        "moving_average": lambda is_int: aggregates.MovingAverageReducer(unit, is_int),
        "cumulative_sum": lambda is_int: aggregates.CumulativeSumReducer(is_int),
        "elapsed": lambda is_int: aggregates.ElapsedReducer(unit),
    }
    if not points:
        return out
    reducer = factories[name](isinstance(points[0][1], int) and not isinstance(points[0][1], bool))
    previous_time = None
    for time, value in points:
        if name == "elapsed" and previous_time == time:
            continue
        previous_time = time
        reducer.add(time, value, None)
        out += [(emitted[0], emitted[1]) for emitted in reducer.emit()]
    return out


def _integral(points: list[tuple], unit: int, interval: int, offset: int, is_int: bool) -> list[tuple]:
    out = []
    previous: list | None = None
    window_start = window_end = 0
    total = 0.0
    for time, value in points:
        if previous is None:
            previous = [time, value]
            if interval:
                window_start = _window_start(time, interval, offset)
                window_end = window_start + interval
            continue
        if previous[0] == time:
            previous = [time, value]
            continue
        current = float(value)
        if interval and time >= window_end:
            if previous[0] != window_end:
                slope = (float(value) - float(previous[1])) / float(time - previous[0])
                edge = slope * float(window_end - previous[0]) + float(previous[1])
                elapsed = float(window_end - previous[0]) / float(unit)
                total += 0.5 * (edge + float(previous[1])) * elapsed
                if is_int:
                    # InfluxDB's integer reducer keeps the previous value and goes on with the
                    # interpolated one in place of the point's
                    previous = [window_end, previous[1]]
                    current = edge
                else:
                    previous = [window_end, edge]
            out.append((window_start, total))
            window_start = _window_start(time, interval, offset)
            window_end = window_start + interval
            total = 0.0
        elapsed = float(time - previous[0]) / float(unit)
        total += 0.5 * (current + float(previous[1])) * elapsed
        previous = [time, value]
    if previous is not None and (not interval or previous[0] != window_start):
        out.append((window_start, total))
    return out


def _sample(entries: list[tuple], size: int) -> list[tuple]:
    """InfluxDB samples with a reservoir seeded from the clock; any sample is one of its answers.
    This one is reproducible: the first `size` points, then evenly spread replacements."""
    if len(entries) <= size:
        return list(entries)
    step = len(entries) / size
    return [entries[int(i * step)] for i in range(size)]


# The sort.Sort of the InfluxDB the engine answers as: Debian's influxd 1.6.7, built with Go 1.19
GO_SORT = XORSHIFT_GO_1_19


def _mode(points: list) -> list:
    return aggregates.mode(points, GO_SORT)


def _iterator_type_error(function: str, kind: str) -> InfluxDBError:
    """InfluxDB's error for a function over a field of a type it does not take."""
    return InfluxDBError(f"unsupported {function} iterator type: *query.{kind}InterruptIterator")


def _cast_number(target: type):
    def cast_value(value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return target(value)  # int() truncates toward zero, as Go's conversion
        return None

    return cast_value


def _same_type(target: type):
    return lambda value: value if type(value) is target else None


# influxql.DataType's order, which sorts VarRefs of the same name
_TYPE_ORDER = {"": 0, "float": 1, "integer": 2, "string": 3, "boolean": 4, "tag": 7, "field": 8}

# `field::type`: InfluxDB converts between floats and integers, other types read as null
_CASTS = {
    "float": _cast_number(float),
    "integer": _cast_number(int),
    "string": _same_type(str),
    "boolean": _same_type(bool),
}


def _level0(function: str, kind: str):
    """The reduction of one series' points in one window (the first level)."""
    is_int = kind == INTEGER
    if function == "count":
        return lambda times, values, start, end, series: end - start
    if function == "sum":
        zero = 0 if is_int else 0.0
        if is_int:
            return lambda times, values, start, end, series: wrap_int64(sum(values[start:end]))
        return lambda times, values, start, end, series: reduce(add, values[start:end], zero)
    if function == "mean":
        if is_int:
            return lambda times, values, start, end, series: (
                float(wrap_int64(sum(values[start:end]))) / (end - start), end - start
            )
        return lambda times, values, start, end, series: (reduce(add, values[start:end], 0.0) / (end - start), end - start)
    wins = (_WINS_BOOL if kind == "boolean" else _WINS).get(function, _WINS.get(function))

    def select(times, values, start, end, series):
        best = start
        for i in range(start + 1, end):
            if wins(times[best], values[best], times[i], values[i]):
                best = i
        return (values[best], times[best], series)

    return select


def _merger(function: str, kind: str):
    """The reduction of partials at every level above the series."""
    if function == "count":
        return lambda partials: sum(partials)
    if function == "sum":
        if kind == INTEGER:
            return lambda partials: wrap_int64(sum(partials))
        return lambda partials: reduce(add, partials, 0.0)
    if function == "mean":
        return _merge_means
    wins = (_WINS_BOOL if kind == BOOLEAN else _WINS).get(function, _WINS[function])

    def select(partials):
        best = partials[0]
        for partial in partials[1:]:
            if wins(best[1], best[0], partial[1], partial[0]):
                best = partial
        return best

    return select


def _alone(function: str, kind: str):
    """The merger over a stream whose keys are all different: each partial reduced alone."""
    if function == "mean":
        # one mean of `count` points: InfluxDB multiplies it back and divides again
        return lambda stream: [(key, (mean * count / count, count) if count >= 2 else (0.0 + mean, 1))
                               for key, (mean, count) in stream]
    if function == "sum" and kind != INTEGER:
        return lambda stream: [(key, 0.0 + total) for key, total in stream]
    return lambda stream: stream


def _finish_alone(function: str, kind: str):
    """A series' partial through the three levels above it, alone at each, as a final result."""
    if function == "mean":
        def finish_mean(partial, window):
            mean, count = partial
            if count >= 2:
                mean = mean * count / count
                mean = mean * count / count
                mean = mean * count / count
            else:
                mean = 0.0 + mean
            return (mean, window, None)

        return finish_mean
    if function in ("count", "sum"):
        zero = 0 if function == "count" or kind == INTEGER else 0.0
        return lambda partial, window: (zero + partial, window, None)
    return lambda partial, window: partial


def _merge_means(partials: list) -> tuple:
    # InfluxDB's FloatMeanReducer over points that are themselves means of `aggregated` points
    total = 0.0
    count = 0
    for mean, aggregated in partials:
        if aggregated >= 2:
            total += mean * aggregated
            count += aggregated
        else:
            total += mean
            count += 1
    return (total / count, count)


def _final(function: str, partial, window: int) -> tuple:
    if function in ("count", "sum"):
        return (partial, window, None)
    if function == "mean":
        return (partial[0], window, None)
    return partial


def _reduce_runs(stream: list, merge) -> list:
    """Reduce the consecutive partials of the same (group, window)."""
    out = []
    count = len(stream)
    i = 0
    while i < count:
        key = stream[i][0]
        j = i + 1
        while j < count and stream[j][0] == key:
            j += 1
        out.append((key, merge([partial for _, partial in stream[i:j]])))
        i = j
    return out


def _sorted_merge(streams: list[list], less) -> list:
    """Go's sorted merge iterator: pop the least head, then push its stream back."""
    items = [[stream, 0] for stream in streams]

    def item_less(a, b) -> bool:
        return less(a[0][a[1]], b[0][b[1]])

    heap_init(items, item_less)
    out = []
    while items:
        item = heap_pop(items, item_less)
        stream, position = item
        out.append(stream[position])
        item[1] = position + 1
        if item[1] < len(stream):
            heap_push(items, item, item_less)
    return out


def _window_merge(streams: list[list], ascending: bool) -> list:
    """Go's merge iterator over ((group, window), partial) streams: take the least (group,
    window) head, read that stream while the key stays the same, push it back."""
    items = [[stream, 0] for stream in streams if stream]
    if ascending:
        def item_less(a, b) -> bool:
            return a[0][a[1]][0] < b[0][b[1]][0]
    else:
        def item_less(a, b) -> bool:
            return a[0][a[1]][0] > b[0][b[1]][0]

    heap_init(items, item_less)
    out = []
    while items:
        item = heap_pop(items, item_less)
        stream, position = item
        key = stream[position][0]
        while position < len(stream) and stream[position][0] == key:
            out.append(stream[position])
            position += 1
        item[1] = position
        if position < len(stream):
            heap_push(items, item, item_less)
    return out


def _has_field(expr: Expr, query: _Query) -> bool:
    return any(ref.name in query.field_types and ref.type != "tag" for ref in _var_refs(expr))


def _window_start(time: int, interval: int, offset: int) -> int:
    return time - (time - offset) % interval


def _linear(window: int, known: list[int], result: dict) -> tuple | None:
    at = bisect.bisect_left(known, window)
    if at == 0 or at >= len(known):
        return None
    before, after = known[at - 1], known[at]
    low, high = result[before][0], result[after][0]
    if isinstance(low, bool) or isinstance(high, bool) or not isinstance(low, (int, float)):
        return None
    # InfluxDB's linearFloat / linearInteger: slope, then m*x + b
    if isinstance(low, int) and isinstance(high, int):
        slope = float(wrap_int64(high - low)) / float(after - before)
        return (int(slope * float(window - before) + float(low)), window, None)
    slope = (high - low) / float(after - before)
    return (slope * float(window - before) + low, window, None)


def _evaluate_raw(expr: Expr, lookup, tags: dict, query: _Query):
    """A raw field: a tag the series lacks is null, as InfluxDB shows it."""
    if isinstance(expr, VarRef) and expr.name not in query.field_types and expr.type != "field":
        return tags.get(expr.name)
    return _evaluate(expr, lookup)


def _evaluate(expr: Expr, lookup):
    if isinstance(expr, VarRef):
        return lookup(expr.name, expr.type)
    if isinstance(expr, ParenExpr):
        return _evaluate(expr.expr, lookup)
    if isinstance(expr, BinaryExpr):
        return _arithmetic(expr.op, _evaluate(expr.lhs, lookup), _evaluate(expr.rhs, lookup))
    value = _literal(expr)
    return None if value is _MISSING else value


def _evaluate_calls(expr: Expr, values: dict):
    if isinstance(expr, Call):
        return values[id(expr)]
    if isinstance(expr, ParenExpr):
        return _evaluate_calls(expr.expr, values)
    if isinstance(expr, BinaryExpr):
        return _arithmetic(expr.op, _evaluate_calls(expr.lhs, values), _evaluate_calls(expr.rhs, values))
    value = _literal(expr)
    return None if value is _MISSING else value


def _argument(expr: Expr):
    if isinstance(expr, (NumberLiteral, IntegerLiteral)):
        return expr.value
    if isinstance(expr, DurationLiteral):
        return expr.value
    raise InfluxQLError(f"expected a number argument, got {expr}", -1)

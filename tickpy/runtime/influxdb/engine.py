"""The InfluxQL engine over the embedded store: a SELECT as InfluxDB 1.x (1.6) answers it.

The statement run is the one Kapacitor sends (tickpy.influxql.rewrite), re-parsed, so whatever
its printing changes (3-decimal numbers, the unparenthesised time range) changes the result as
it does in InfluxDB.

Results follow InfluxDB's /query JSON: one series per measurement and GROUP BY tag set (sorted
by name, then tags), columns `time` then the fields (names de-duplicated as `mean`, `mean_1`),
time as int ns. Aggregates run InfluxDB's reducers (tickpy.runtime.aggregates) over each window.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import Any, cast

from tickpy.golang.gotime import days_from_civil
from tickpy.influxql.ast import (
    FILL_LINEAR,
    FILL_NONE,
    FILL_NUMBER,
    FILL_PREVIOUS,
    BinaryExpr,
    BooleanLiteral,
    Call,
    Distinct,
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
from tickpy.influxql.parser import InfluxQLError, parse_duration, unsupported
from tickpy.lang.compiler import compile_regex
from tickpy.runtime import aggregates
from tickpy.runtime.influxdb.store import FLOAT, INTEGER, SeriesData, Store

MIN_TIME = -(2**63) + 2  # models.MinNanoTime
MAX_TIME = 2**63 - 2  # models.MaxNanoTime

SELECTORS = frozenset(("first", "last", "min", "max", "percentile"))
AGGREGATES = frozenset(
    {"count", "sum", "mean", "median", "mode", "spread", "stddev"} | SELECTORS
)
MULTI_ROW = frozenset(("top", "bottom", "distinct", "sample"))
TRANSFORMS = frozenset(
    (
        "derivative",
        "non_negative_derivative",
        "difference",
        "non_negative_difference",
        "moving_average",
        "cumulative_sum",
        "elapsed",
    )
)
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
            if expr.op == "AND":
                left, right = walk(expr.lhs), walk(expr.rhs)
                if left is None:
                    return right
                if right is None:
                    return left
                return BinaryExpr("AND", left, right)
            if expr.op == "OR":
                if _mentions_time(expr):
                    raise unsupported("a time condition inside OR", -1)
                return expr
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


def _mentions_time(expr: Expr) -> bool:
    if _is_time_ref(expr):
        return True
    if isinstance(expr, BinaryExpr):
        return _mentions_time(expr.lhs) or _mentions_time(expr.rhs)
    if isinstance(expr, ParenExpr):
        return _mentions_time(expr.expr)
    return False


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
        self.regexes: dict[str, Any] = {}
        self.names: set[str] = set()
        self._collect(expr)

    def _collect(self, expr: Expr) -> None:
        if isinstance(expr, VarRef):
            self.names.add(expr.name)
        elif isinstance(expr, BinaryExpr):
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
        sources = self._sources(statement.sources, db, rp, low, high)
        interval, offset, group_tags, all_tags = _dimensions(statement.dimensions)
        results: list[Series] = []
        for source in sources:
            results += _Query(statement, source, filter_, low, high, interval, offset, group_tags, all_tags).run()
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
            policy = self.store.retention_policy(database, policy_name)
            if policy is None:
                continue
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


def _calls(expr: Expr) -> list[Call]:
    if isinstance(expr, Call):
        return [expr]
    if isinstance(expr, Distinct):
        return [Call("distinct", (VarRef(expr.name),), expr.offset)]
    if isinstance(expr, BinaryExpr):
        return _calls(expr.lhs) + _calls(expr.rhs)
    if isinstance(expr, ParenExpr):
        return _calls(expr.expr)
    return []


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


class _Query:
    """One statement over one measurement."""

    def __init__(self, statement, source, filter_, low, high, interval, offset, group_tags, all_tags):
        self.statement = statement
        self.source = source
        self.filter = filter_
        self.low, self.high = low, high
        self.interval, self.offset = interval, offset
        self.field_types: dict[str, str] = {}
        self.tag_keys: set[str] = set()
        for shard in source.shards:
            for key, kind in shard.field_types.items():
                self.field_types.setdefault(key, kind)
            self.tag_keys |= shard.tag_keys()
        self.group_tags = sorted(set(group_tags) | (self.tag_keys if all_tags else set()))
        self.fields = self._expand_fields(statement.fields)

    def _expand_fields(self, fields) -> list[Field]:
        expanded: list[Field] = []
        for field_ in fields:
            if isinstance(field_.expr, Wildcard):
                names = set()
                if field_.expr.type in ("", "field"):
                    names |= set(self.field_types)
                if field_.expr.type in ("", "tag"):
                    names |= self.tag_keys - set(self.group_tags)
                expanded += [Field(VarRef(name)) for name in sorted(names)]
            elif any(isinstance(arg, (Wildcard, RegexLiteral)) for call in _calls(field_.expr) for arg in call.args):
                raise unsupported("wildcards and regular expressions inside functions", _offset(field_.expr))
            else:
                expanded.append(field_)
        return expanded

    # --- series and groups

    def _groups(self) -> list[tuple[tuple, list[tuple[int, SeriesData]]]]:
        """(group tag values, [(shard index, series)]) sorted by the group's tags."""
        groups: dict[tuple, list] = {}
        for index, shard in enumerate(self.source.shards):
            for key in sorted(shard.series):
                series = shard.series[key]
                group = tuple(series.tags.get(tag, "") for tag in self.group_tags)
                groups.setdefault(group, []).append((index, series))
        return sorted(groups.items())

    def _lookup_at(self, series: SeriesData, time: int):
        columns = series.columns
        tags = series.tags
        field_types = self.field_types

        def lookup(name: str, kind: str):
            if kind != "tag" and name in field_types:
                column = columns.get(name)
                return None if column is None else column.values.get(time)
            if kind not in ("", "tag"):
                return None
            if name in self.tag_keys:
                return tags.get(name, "")
            return None

        return lookup

    def _points(self, series: SeriesData, name: str) -> tuple[list[int], list]:
        """The times and values of field `name` of a series in the range, after the filter."""
        column = series.columns.get(name)
        if column is None:
            return [], []
        times, values = column.sorted()
        start = bisect.bisect_left(times, self.low)
        end = bisect.bisect_right(times, self.high)
        times, values = times[start:end], values[start:end]
        if self.filter is not None:
            kept = [i for i, time in enumerate(times) if self.filter.matches(self._lookup_at(series, time))]
            if len(kept) != len(times):
                times = [times[i] for i in kept]
                values = [values[i] for i in kept]
        return times, values

    # --- running

    def run(self) -> list[Series]:
        calls = [call for field_ in self.fields for call in _calls(field_.expr)]
        if not calls:
            return self._raw()
        return self._aggregate(calls)

    def _series(self, group: tuple, columns: list[str], rows: list[list]) -> Series:
        statement = self.statement
        if statement.descending:
            rows.sort(key=lambda row: row[0], reverse=True)
        if statement.offset:
            rows = rows[statement.offset :]
        if statement.limit:
            rows = rows[: statement.limit]
        return Series(self.source.name, dict(zip(self.group_tags, group)), columns, rows)

    def _raw(self) -> list[Series]:
        fields = self.fields
        columns = ["time"] + _column_names(fields)
        refs = {ref.name for field_ in fields for ref in _var_refs(field_.expr)}
        field_refs = [name for name in sorted(refs) if name in self.field_types]
        if not field_refs:
            return []
        results = []
        for group, members in self._groups():
            rows: list[tuple] = []
            for order, (_, series) in enumerate(members):
                times: set[int] = set()
                for name in field_refs:
                    times.update(self._points(series, name)[0])
                for time in sorted(times):
                    lookup = self._lookup_at(series, time)
                    values = [_evaluate(field_.expr, lookup) for field_ in fields]
                    if all(values[i] is None for i, field_ in enumerate(fields) if _has_field(field_.expr, self)):
                        continue
                    rows.append((time, order, values))
            if not rows:
                continue
            rows.sort(key=lambda row: (row[0], row[1]))
            results.append(self._series(group, columns, [[time] + values for time, _, values in rows]))
        return results

    def _aggregate(self, calls: list[Call]) -> list[Series]:
        if any(call.name in MULTI_ROW for call in calls):
            if len(calls) != 1:
                raise unsupported("top/bottom/distinct/sample combined with other functions", calls[0].offset)
            return self._multi_row(calls[0])
        fields = self.fields
        columns = ["time"] + _column_names(fields)
        aux = [field_ for field_ in fields if not _calls(field_.expr)]
        single_selector = len(calls) == 1 and calls[0].name in SELECTORS and not self.interval
        results = []
        for group, members in self._groups():
            per_call = [self._call_windows(call, members) for call in calls]
            if not any(per_call):
                continue
            filled = self._fill(calls, per_call)
            rows = []
            for time in sorted(filled):
                values_by_call = filled[time]
                row_time = time
                source = None
                if single_selector and values_by_call[0] is not None:
                    row_time, source = values_by_call[0][1], values_by_call[0][2]
                call_values = {id(call): (entry[0] if entry is not None else None)
                               for call, entry in zip(calls, values_by_call)}
                row: list = [row_time]
                for field_ in fields:
                    if field_ in aux and source is not None:
                        row.append(_evaluate(field_.expr, source))
                    elif field_ in aux:
                        row.append(None)
                    else:
                        row.append(_evaluate_calls(field_.expr, call_values))
                rows.append(row)
            if rows:
                results.append(self._series(group, columns, rows))
        return results

    def _windows(self) -> list[int] | None:
        if not self.interval:
            return None
        first = _window_start(self.low, self.interval, self.offset)
        return list(range(first, self.high + 1, self.interval))

    def _window_of(self, time: int) -> int:
        if not self.interval:
            return 0 if self.low == MIN_TIME else self.low
        return _window_start(time, self.interval, self.offset)

    def _call_windows(self, call: Call, members) -> dict[int, tuple]:
        """window start -> (value, time, aux lookup) of one call in one group."""
        if call.name in TRANSFORMS:
            return self._transform(call, members)
        if call.name not in AGGREGATES:
            raise unsupported(f"the function {call.name}()", call.offset)
        if not call.args or not isinstance(call.args[0], VarRef):
            raise unsupported(f"{call.name}() of anything but a field", call.offset)
        name = call.args[0].name
        kind = self.field_types.get(name)
        if kind is None:
            return {}
        points_by_window: dict[int, list] = {}
        for _, series in members:
            times, values = self._points(series, name)
            if not times:
                continue
            if self.interval:
                interval, offset = self.interval, self.offset
                start = 0
                while start < len(times):
                    window = times[start] - (times[start] - offset) % interval
                    end = bisect.bisect_left(times, window + interval, start)
                    points_by_window.setdefault(window, []).append((series, times[start:end], values[start:end]))
                    start = end
            else:
                points_by_window.setdefault(self._window_of(0), []).append((series, times, values))
        out = {}
        for window, chunks in points_by_window.items():
            result = _reduce(call, kind, chunks, self)
            if result is not None:
                out[window] = result
        return out

    def _fill(self, calls, per_call) -> dict[int, list]:
        statement = self.statement
        windows = self._windows()
        times = sorted({time for result in per_call for time in result})
        if windows is None or statement.fill == FILL_NONE:
            return {time: [result.get(time) for result in per_call] for time in times}
        filled: dict[int, list] = {window: [] for window in windows}
        for call, result in zip(calls, per_call):
            previous = None
            known = sorted(result)
            for window in windows:
                entry = result.get(window)
                if entry is None:
                    if call.name == "count" and statement.fill not in (FILL_NUMBER, FILL_PREVIOUS, FILL_LINEAR):
                        entry = (0, window, None)
                    elif statement.fill == FILL_NUMBER:
                        entry = (statement.fill_value, window, None)
                    elif statement.fill == FILL_PREVIOUS and previous is not None:
                        entry = (previous[0], window, None)
                    elif statement.fill == FILL_LINEAR:
                        entry = _linear(window, known, result)
                else:
                    entry = (entry[0], window, entry[2])
                if entry is not None:
                    previous = entry
                filled[window].append(entry)
        return filled

    def _transform(self, call: Call, members) -> dict[int, tuple]:
        raise unsupported(f"the function {call.name}()", call.offset)

    def _multi_row(self, call: Call) -> list[Series]:
        raise unsupported(f"the function {call.name}()", call.offset)


def _offset(expr: Expr) -> int:
    return getattr(expr, "offset", -1)


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
    if not isinstance(low, (int, float)) or not isinstance(high, (int, float)):
        return None
    return (low + (high - low) * (window - before) / (after - before), window, None)


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


def _reduce(call: Call, kind: str, chunks: list, query: _Query) -> tuple | None:
    """(value, time, lookup of the selected point) of one call over one window's chunks."""
    name = call.name
    is_int = kind == INTEGER
    if name in ("sum", "mean", "count"):
        total = 0 if is_int else 0.0
        count = 0
        for _, _, values in chunks:
            count += len(values)
            if name != "count":
                total = reduce(add, values, total)
        if name == "count":
            return (count, None, None)
        if kind not in (FLOAT, INTEGER):
            raise InfluxQLError(f"unsupported {name} iterator type", call.offset)
        if name == "sum":
            return (total, None, None)
        return (float(total) / count, None, None)
    py_kind = {FLOAT: float, INTEGER: int, "string": str, "boolean": bool}[kind]
    args = [_argument(arg) for arg in call.args[1:]]
    spec = aggregates.FUNCTIONS[name]
    try:
        reducer = spec.new_reducer(py_kind, args)
    except aggregates.ReducerTypeError:
        raise InfluxQLError(f"unsupported {name} iterator type", call.offset) from None
    for series, times, values in chunks:
        for time, value in zip(times, values):
            reducer.add(time, value, (series, time))
    emitted = reducer.emit()
    if not emitted:
        return None
    time, value, source = emitted[0]
    lookup = query._lookup_at(*source) if source is not None else None
    return (value, time, lookup)


def _argument(expr: Expr):
    if isinstance(expr, (NumberLiteral, IntegerLiteral)):
        return expr.value
    if isinstance(expr, DurationLiteral):
        return expr.value
    raise InfluxQLError(f"expected a number argument, got {expr}", -1)


__all__ = ["Engine", "Series", "parse_duration"]

"""InfluxQL reducers as Kapacitor runs them (it reuses InfluxDB 1.x `query` reducers).

Pure logic, no messages: a reducer is fed `(time, value, source)` triples with `add` and
`emit()` returns a list of results `(time, value, source)`:

- `time` is int nanoseconds, or `None` where InfluxDB uses its "zero time" marker (the
  caller then uses the window's / context's time). `count` and `sum` keep the epoch (0) as
  InfluxDB's initial point does, which shows with `.usePointTimes()`.
- `source` is the point (any object with `.tags`/`.fields`) a selector picked: simple selectors
  (first, last, min, max, percentile) output that point's tags and fields; top/bottom merge its
  tags into the batch point. `None` elsewhere.

Value kinds are the Python types of field values: float, int (Go int64: sums wrap), str, bool.
Which kinds a function accepts and which kind it produces follow Kapacitor's pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate
from operator import add as _plus
from typing import Any, cast

from tickpy.golang.goalgorithms import pow as go_pow  # Go's math.Pow, bit for bit
from tickpy.golang.gomath import go_divide
from tickpy.golang.gosort import XORSHIFT_LATER, go_sort, sorted_by_value
from tickpy.golang.gotypes import GO_TYPE_NAMES, int64_div, wrap_int64

ZERO_TIME = None  # InfluxDB's query.ZeroTime: "no time of its own, use the context's"

_FIELD_KINDS = frozenset((float, int, str, bool))

class ReducerTypeError(ValueError):
    pass


# ---------------------------------------------------------------------------------------------
# Reduce-as-you-go reducers (InfluxDB's FuncReducer and friends)


class Reducer:
    """Base of every reducer: `add` one value; `add_all` a batch's values (already checked for
    type) with their source points (which carry `.time`), in order."""

    __slots__ = ()

    def add(self, time: int, value: Any, source: Any) -> None:
        raise NotImplementedError

    def add_all(self, values: list, sources: list) -> None:
        add = self.add
        for value, source in zip(values, sources):
            add(source.time, value, source)

    def emit(self) -> list:
        raise NotImplementedError


class CountReducer(Reducer):
    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def add(self, time: int, value: Any, source: Any) -> None:
        self.count += 1

    def add_all(self, values: list, sources: list) -> None:
        self.count += len(values)

    def emit(self) -> list:
        # The initial point has time 0; every aggregated point turns it into ZeroTime.
        return [(ZERO_TIME if self.count else 0, self.count, None)]


class SumReducer(Reducer):
    __slots__ = ("total", "is_int")

    def __init__(self, is_int: bool) -> None:
        self.is_int = is_int
        self.total = 0 if is_int else 0.0

    def add(self, time: int, value: Any, source: Any) -> None:
        self.total += value

    def add_all(self, values: list, sources: list) -> None:
        self.total = reduce(_plus, values, self.total)  # left to right, as Go adds

    def emit(self) -> list:
        # InfluxDB keeps the initial point's time (0, the epoch) for sums.
        # is_int: only ints were added
        total = wrap_int64(cast(int, self.total)) if self.is_int else self.total
        return [(0, total, None)]


class MeanReducer(Reducer):
    __slots__ = ("total", "count", "is_int")

    def __init__(self, is_int: bool) -> None:
        self.is_int = is_int
        self.total = 0 if is_int else 0.0
        self.count = 0

    def add(self, time: int, value: Any, source: Any) -> None:
        self.total += value
        self.count += 1

    def add_all(self, values: list, sources: list) -> None:
        self.total = reduce(_plus, values, self.total)  # left to right, as Go adds
        self.count += len(values)

    def emit(self) -> list:
        # is_int: only ints were added
        total = float(wrap_int64(cast(int, self.total))) if self.is_int else self.total
        if self.count == 0:
            return [(ZERO_TIME, math.nan, None)]
        return [(ZERO_TIME, total / self.count, None)]


class SpreadReducer(Reducer):
    __slots__ = ("low", "high", "is_int")

    def __init__(self, is_int: bool) -> None:
        self.is_int = is_int
        self.low = None
        self.high = None

    def add(self, time: int, value: Any, source: Any) -> None:
        if self.low is None or value != value:  # first value, or NaN (poisons like math.Min/Max)
            if self.low is None or self.low == self.low:
                self.low = self.high = value
            return
        if value < self.low:
            self.low = value
        if value > self.high:
            self.high = value

    def emit(self) -> list:
        if self.low is None:
            return [(ZERO_TIME, 0 if self.is_int else -math.inf, None)]
        if self.is_int:
            return [(ZERO_TIME, wrap_int64(self.high - self.low), None)]
        return [(ZERO_TIME, self.high - self.low, None)]


def _first_wins(prev_time, prev_value, time, value) -> bool:
    return time < prev_time or (time == prev_time and value > prev_value)


def _last_wins(prev_time, prev_value, time, value) -> bool:
    return time > prev_time or (time == prev_time and value > prev_value)


def _first_wins_bool(prev_time, prev_value, time, value) -> bool:
    return time < prev_time or (time == prev_time and not value and prev_value)


def _last_wins_bool(prev_time, prev_value, time, value) -> bool:
    return time > prev_time or (time == prev_time and value and not prev_value)


def _min_wins(prev_time, prev_value, time, value) -> bool:
    return value < prev_value or (value == prev_value and time < prev_time)


def _max_wins(prev_time, prev_value, time, value) -> bool:
    return value > prev_value or (value == prev_value and time < prev_time)


class SelectorReducer(Reducer):
    """first/last/min/max: keeps one point; `wins(prev..., new...)` says when the new one replaces it."""

    __slots__ = ("wins", "time", "value", "source", "empty")

    def __init__(self, wins: Callable[..., bool]) -> None:
        self.wins = wins
        self.empty = True
        self.time = 0
        self.value = None
        self.source = None

    def add(self, time: int, value: Any, source: Any) -> None:
        if self.empty or self.wins(self.time, self.value, time, value):
            self.empty = False
            self.time = time
            self.value = value
            self.source = source

    def emit(self) -> list:
        if self.empty:
            return []
        return [(self.time, self.value, self.source)]


# ---------------------------------------------------------------------------------------------
# Reducers over the whole slice of points


class SliceReducer(Reducer):
    __slots__ = ("points", "reduce")

    def __init__(self, reduce: Callable[[list], list]) -> None:
        self.points: list = []
        self.reduce = reduce

    def add(self, time: int, value: Any, source: Any) -> None:
        self.points.append((time, value, source))

    def add_all(self, values: list, sources: list) -> None:
        self.points.extend([(source.time, value, source) for value, source in zip(values, sources)])

    def emit(self) -> list:
        return self.reduce(self.points)


def _by_value(entry):
    return entry[1]


def sort_by_value(points: list, xorshift: tuple[int, int, int] = XORSHIFT_LATER) -> list:
    """The points ordered by value as Go's sort.Sort leaves them (ties included)."""
    if len(points) > 12:
        values = [entry[1] for entry in points]
        if len(set(values)) != len(values) or any(value != value for value in values):
            return sorted_by_value(points, xorshift)  # ties: follow Go's algorithm
    # Go insertion-sorts up to 12 elements (stable); without ties every sort agrees
    return sorted(points, key=_by_value)


def median_float(points: list) -> list:
    if len(points) == 1:
        time, value, _ = points[0]
        return [(time, value, None)]
    ordered = sorted(points, key=_by_value)  # only values are used: any order of ties will do
    half = len(ordered) // 2
    if len(ordered) % 2 == 0:
        low, high = ordered[half - 1][1], ordered[half][1]
        return [(ZERO_TIME, low + (high - low) / 2, None)]
    return [(ZERO_TIME, ordered[half][1], None)]


def median_int(points: list) -> list:
    if len(points) == 1:
        return [(ZERO_TIME, float(points[0][1]), None)]
    ordered = sorted(points, key=_by_value)
    half = len(ordered) // 2
    if len(ordered) % 2 == 0:
        low, high = ordered[half - 1][1], ordered[half][1]
        return [(ZERO_TIME, float(low) + float(wrap_int64(high - low)) / 2, None)]
    return [(ZERO_TIME, float(ordered[half][1]), None)]


def mode(points: list, xorshift: tuple[int, int, int] = XORSHIFT_LATER) -> list:
    """InfluxDB's mode: the most frequent value; on equal frequency the value whose run starts
    earliest in time. A value is only considered from its second occurrence on, except the
    smallest one (this is InfluxDB's scan, kept as is). `xorshift`: the Go whose sort.Sort
    leaves the ties (see tickpy.golang.gosort)."""
    if len(points) == 1:
        time, value, _ = points[0]
        return [(time, value, None)]
    ordered = sort_by_value(points, xorshift)
    most_freq = 0
    curr_freq = 0
    curr_mode = most_mode = ordered[0][1]
    curr_time = most_time = ordered[0][0]
    for time, value, _ in ordered:
        if value != curr_mode:
            curr_freq = 1
            curr_mode = value
            curr_time = time
            continue
        curr_freq += 1
        if most_freq > curr_freq or (most_freq == curr_freq and curr_time > most_time):
            continue
        most_freq = curr_freq
        most_mode = value
        most_time = time
    return [(ZERO_TIME, most_mode, None)]


def stddev(points: list) -> list:
    """Sample standard deviation (n - 1); NaN values are skipped; fewer than 2 points: NaN."""
    if len(points) < 2:
        return [(ZERO_TIME, math.nan, None)]
    mean = 0.0
    count = 0
    for _, value, _ in points:
        value = float(value)
        if value != value:
            continue
        count += 1
        mean += (value - mean) / count
    variance = 0.0
    for _, value, _ in points:
        value = float(value)
        if value != value:
            continue
        delta = value - mean
        variance += delta * delta
    if count == 0:
        return [(ZERO_TIME, -0.0, None)]  # Go: sqrt(0 / -1)
    if count == 1:
        return [(ZERO_TIME, math.nan, None)]  # Go: 0 / 0
    return [(ZERO_TIME, math.sqrt(variance / (count - 1)), None)]


def percentile_reducer(percentile: float, xorshift: tuple[int, int, int] = XORSHIFT_LATER) -> Callable[[list], list]:
    """Nearest rank: index floor(n * p / 100 + 0.5) - 1 of the points sorted by value; nothing
    when that index falls outside the points."""

    def reduce(points: list) -> list:
        length = len(points)
        index = int(math.floor(float(length) * percentile / 100.0 + 0.5)) - 1
        if index < 0 or index >= length:
            return []
        return [sort_by_value(points, xorshift)[index]]

    return reduce


class DistinctReducer(Reducer):
    __slots__ = ("first_seen",)

    def __init__(self) -> None:
        self.first_seen: dict = {}

    def add(self, time: int, value: Any, source: Any) -> None:
        if value not in self.first_seen:
            self.first_seen[value] = time

    def emit(self) -> list:
        # Sorted by time, then value (false before true for booleans).
        results = [(time, value, None) for value, time in self.first_seen.items()]
        results.sort(key=lambda entry: (entry[0], entry[1]))
        return results


# ---------------------------------------------------------------------------------------------
# top / bottom: InfluxDB keeps a bounded heap ordered by (value, newer-is-smaller)


def _top_less(a, b) -> bool:
    if a[1] != b[1]:
        return a[1] < b[1]
    return a[0] > b[0]


def _bottom_less(a, b) -> bool:
    if a[1] != b[1]:
        return a[1] > b[1]
    return a[0] > b[0]


class TopBottomReducer(Reducer):
    """Keeps the `size` best points in a min-heap of `less` (Go's container/heap, so the
    replacement among exact duplicates matches), emits them best first."""

    __slots__ = ("size", "less", "heap")

    def __init__(self, size: int, less: Callable[[tuple, tuple], bool]) -> None:
        self.size = size
        self.less = less
        self.heap: list = []

    def add(self, time: int, value: Any, source: Any) -> None:
        heap = self.heap
        entry = (time, value, source)
        if len(heap) == self.size:
            if self.size <= 0 or not self.less(heap[0], entry):
                return
            heap[0] = entry
            if not self._down(0, len(heap)):
                self._up(0)
            return
        heap.append(entry)
        self._up(len(heap) - 1)

    def _up(self, j: int) -> None:
        heap, less = self.heap, self.less
        while j > 0:
            parent = (j - 1) // 2
            if not less(heap[j], heap[parent]):
                break
            heap[parent], heap[j] = heap[j], heap[parent]
            j = parent

    def _down(self, start: int, n: int) -> bool:
        heap, less = self.heap, self.less
        i = start
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            right = child + 1
            if right < n and less(heap[right], heap[child]):
                child = right
            if not less(heap[child], heap[i]):
                break
            heap[i], heap[child] = heap[child], heap[i]
            i = child
        return i > start

    def emit(self) -> list:
        less = self.less
        ordered = list(self.heap)
        # Go's sort.Sort(sort.Reverse(...)) over the heap array: best first, full ties as Go leaves them
        go_sort(ordered, lambda a, b: less(b, a))
        return ordered


# ---------------------------------------------------------------------------------------------
# Stream transformations: emit after every point


class ElapsedReducer(Reducer):
    __slots__ = ("unit", "prev_time", "curr_time")

    def __init__(self, unit: int) -> None:
        self.unit = unit
        self.prev_time: int | None = None
        self.curr_time: int | None = None

    def add(self, time: int, value: Any, source: Any) -> None:
        self.prev_time = self.curr_time
        self.curr_time = time

    def emit(self) -> list:
        prev_time = self.prev_time
        if prev_time is None:
            return []
        if self.unit == 0:
            return []
        curr_time = cast(int, self.curr_time)  # set before prev_time is
        return [(curr_time, int64_div(curr_time - prev_time, self.unit), None)]


class DifferenceReducer(Reducer):
    __slots__ = ("is_int", "prev", "curr", "prev_valid")

    def __init__(self, is_int: bool) -> None:
        self.is_int = is_int
        self.prev: tuple[int, Any] | None = None
        self.curr: tuple[int, Any] | None = None
        self.prev_valid = False

    def add(self, time: int, value: Any, source: Any) -> None:
        curr = self.curr
        if curr is not None and curr[0] == time:
            return  # a second value at the same time is ignored
        self.prev = curr
        self.prev_valid = curr is not None
        self.curr = (time, value)

    def emit(self) -> list:
        if not self.prev_valid:
            return []
        self.prev_valid = False
        # prev_valid: both are set
        time, value = cast("tuple[int, Any]", self.curr)
        diff = value - cast("tuple[int, Any]", self.prev)[1]
        if self.is_int:
            diff = wrap_int64(diff)
        return [(time, diff, None)]


class MovingAverageReducer(Reducer):
    __slots__ = ("size", "values", "pos", "total", "time", "is_int")

    def __init__(self, size: int, is_int: bool) -> None:
        self.size = size
        self.values: list = []
        self.pos = 0
        self.total = 0 if is_int else 0.0
        self.time = 0
        self.is_int = is_int

    def add(self, time: int, value: Any, source: Any) -> None:
        values = self.values
        if len(values) != self.size:
            values.append(value)
        else:
            self.total -= values[self.pos]
            values[self.pos] = value
        self.total += value
        self.time = time
        self.pos += 1
        if self.pos >= self.size:
            self.pos = 0

    def emit(self) -> list:
        if len(self.values) != self.size or self.size <= 0:
            return []
        # is_int: only ints were added
        total = float(wrap_int64(cast(int, self.total))) if self.is_int else self.total
        return [(self.time, total / len(self.values), None)]


class CumulativeSumReducer(Reducer):
    __slots__ = ("total", "time", "seen", "is_int")

    def __init__(self, is_int: bool) -> None:
        self.is_int = is_int
        self.total = 0 if is_int else 0.0
        self.time = 0
        self.seen = False

    def add(self, time: int, value: Any, source: Any) -> None:
        total = self.total + value
        self.total = wrap_int64(total) if self.is_int else total
        self.time = time
        self.seen = True

    def emit(self) -> list:
        if not self.seen:
            return []
        return [(self.time, self.total, None)]


# ---------------------------------------------------------------------------------------------
# The catalogue of functions


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """How Kapacitor runs one InfluxQL function.

    factories: value kind -> callable(args) creating a reducer (args: the call's extra
        arguments after the field, e.g. the percentile, the elapsed unit in ns)
    simple_selector: output the selected point's own tags and fields (field renamed to `as`)
    stream_transformation: emit after each point, with the point's time
    empty_ok: an empty batch still produces a result (count, sum)
    provides_batch: the node always outputs batches (distinct, top, bottom)
    """

    name: str
    factories: dict
    simple_selector: bool = False
    stream_transformation: bool = False
    empty_ok: bool = False
    provides_batch: bool = False

    def new_reducer(self, kind: type, args: list) -> Reducer:
        factory = self.factories.get(kind)
        if factory is None:
            raise ReducerTypeError(f"cannot apply {self.name} to {GO_TYPE_NAMES.get(kind, kind.__name__)} field")
        return factory(args)


def _every_kind(factory: Callable) -> dict:
    return {float: factory, int: factory, str: factory, bool: factory}


def _numeric(factory_of_is_int: Callable) -> dict:
    return {float: lambda args: factory_of_is_int(False, args), int: lambda args: factory_of_is_int(True, args)}


def _top_size(args: list) -> int:
    return int(args[0]) if args else 0


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("count", _every_kind(lambda args: CountReducer()), empty_ok=True),
        FunctionSpec("distinct", _every_kind(lambda args: DistinctReducer()), provides_batch=True),
        FunctionSpec("mean", _numeric(lambda is_int, args: MeanReducer(is_int))),
        FunctionSpec(
            "median",
            {float: lambda args: SliceReducer(median_float), int: lambda args: SliceReducer(median_int)},
        ),
        FunctionSpec("mode", _numeric(lambda is_int, args: SliceReducer(mode))),
        FunctionSpec("spread", _numeric(lambda is_int, args: SpreadReducer(is_int))),
        FunctionSpec("sum", _numeric(lambda is_int, args: SumReducer(is_int)), empty_ok=True),
        FunctionSpec(
            "first",
            {
                float: lambda args: SelectorReducer(_first_wins),
                int: lambda args: SelectorReducer(_first_wins),
                str: lambda args: SelectorReducer(_first_wins),
                bool: lambda args: SelectorReducer(_first_wins_bool),
            },
            simple_selector=True,
        ),
        FunctionSpec(
            "last",
            {
                float: lambda args: SelectorReducer(_last_wins),
                int: lambda args: SelectorReducer(_last_wins),
                str: lambda args: SelectorReducer(_last_wins),
                bool: lambda args: SelectorReducer(_last_wins_bool),
            },
            simple_selector=True,
        ),
        FunctionSpec("min", _numeric(lambda is_int, args: SelectorReducer(_min_wins)), simple_selector=True),
        FunctionSpec("max", _numeric(lambda is_int, args: SelectorReducer(_max_wins)), simple_selector=True),
        FunctionSpec(
            "percentile",
            _numeric(lambda is_int, args: SliceReducer(percentile_reducer(float(args[0])))),
            simple_selector=True,
        ),
        FunctionSpec(
            "top",
            _numeric(lambda is_int, args: TopBottomReducer(_top_size(args), _top_less)),
            provides_batch=True,
        ),
        FunctionSpec(
            "bottom",
            _numeric(lambda is_int, args: TopBottomReducer(_top_size(args), _bottom_less)),
            provides_batch=True,
        ),
        FunctionSpec("stddev", _numeric(lambda is_int, args: SliceReducer(stddev))),
        FunctionSpec(
            "elapsed",
            _every_kind(lambda args: ElapsedReducer(int(args[0]))),
            stream_transformation=True,
        ),
        FunctionSpec(
            "difference",
            _numeric(lambda is_int, args: DifferenceReducer(is_int)),
            stream_transformation=True,
        ),
        FunctionSpec(
            "movingAverage",
            _numeric(lambda is_int, args: MovingAverageReducer(int(args[0]), is_int)),
            stream_transformation=True,
        ),
        FunctionSpec(
            "cumulativeSum",
            _numeric(lambda is_int, args: CumulativeSumReducer(is_int)),
            stream_transformation=True,
        ),
    )
}


def value_kind(value: Any) -> type | None:
    """The reducer kind of a field value (bool is its own kind, never an int)."""
    kind = type(value)
    return kind if kind in _FIELD_KINDS else None


# ---------------------------------------------------------------------------------------------
# holtWinters / holtWintersWithFit: InfluxDB's Holt-Winters forecast, fitted with its own
# Nelder-Mead optimizer. Every floating-point operation is InfluxDB's, in its order (Go's
# math.Pow; a zero divisor gives Go's ±Inf or NaN). The fit calls the objective up to ~32,000
# times per window, so the code below only strips Python's overhead from InfluxDB's loops:
# values reused instead of recomputed (the same operations on the same operands), the
# forecast and its squared errors in one pass, multiplications by exactly 1.0 left out.

_HW_WEIGHT = 0.5
_HW_EPSILON = 1.0e-4
_HW_GUESSES = (0.3, 0.7)  # InfluxDB: from 0.3 while < 1.0, step 0.4
_GO_POW_EXPONENT_BOUND = 1 << 12  # Go's Pow gives up squaring past this binary exponent
_SMALLEST_NORMAL = 2.2250738585072014e-308  # 2**-1022
# Below this a square may be subnormal, where Pow(x, 2) (frexp, square, ldexp) and x*x can round
# differently; above it both round the same exact value once.
_EXACT_SQUARE_FLOOR = 1e-290


def nelder_mead(objective: Callable[[list], float], start: list, epsilon: float, scale: float) -> tuple[float, list]:
    """InfluxDB's Nelder-Mead minimiser (1000 iterations at most). The objective may change the
    vertex it is given (Holt-Winters clamps its parameters in place), as in InfluxDB.
    Reflection's coefficient 1.0 multiplies exactly, so it is left out."""
    n = len(start)
    float_n = float(n)
    float_count = float(n + 1)
    indices = range(n + 1)
    pn = scale * (math.sqrt(float(n + 1)) - 1 + float(n)) / (float(n) * math.sqrt(2))
    qn = scale * (math.sqrt(float(n + 1)) - 1) / (float(n) * math.sqrt(2))
    vertices = [list(start)]
    for i in range(1, n + 1):
        vertices.append([(pn if i - 1 == j else qn) + start[j] for j in range(n)])
    values = [objective(vertex) for vertex in vertices]
    values_at = values.__getitem__
    for _ in range(1000):
        # max and min keep the first of equal values and skip NaN as InfluxDB's `>`/`<` scans do
        worst = max(indices, key=values_at)
        best = min(indices, key=values_at)
        second = best
        for i in indices:
            if values[i] > values[second] and values[i] < values[worst]:
                second = i
        # each coordinate summed from 0.0 in vertex order, as InfluxDB adds them
        centroid = [reduce(_plus, column, 0.0) / float_n for column in zip(*vertices[:worst], *vertices[worst + 1:])]
        reflected = [c + (c - w) for c, w in zip(centroid, vertices[worst])]
        # values[...] is read again after each change: best, second and worst can be one vertex
        f_reflected = objective(reflected)
        if values[second] > f_reflected >= values[best]:
            vertices[worst] = reflected
            values[worst] = f_reflected
        if f_reflected < values[best]:
            expanded = [c + 2.0 * (r - c) for c, r in zip(centroid, reflected)]
            f_expanded = objective(expanded)
            if f_expanded < f_reflected:
                vertices[worst] = expanded
                values[worst] = f_expanded
            else:
                vertices[worst] = reflected
                values[worst] = f_reflected
        if f_reflected >= values[second]:
            if values[worst] > f_reflected >= values[second]:
                contracted = [c + 0.5 * (r - c) for c, r in zip(centroid, reflected)]
            else:
                contracted = [c - 0.5 * (c - w) for c, w in zip(centroid, vertices[worst])]
            f_contracted = objective(contracted)
            if f_contracted < values[worst]:
                vertices[worst] = contracted
                values[worst] = f_contracted
            else:
                base = vertices[best]
                for row in indices:
                    if row != best:
                        vertices[row] = [b + (v - b) / 2.0 for b, v in zip(base, vertices[row])]
                values[worst] = objective(vertices[worst])
                values[second] = objective(vertices[second])
        average = reduce(_plus, values, 0.0) / float_count
        deviations = [value - average for value in values]
        squares = [deviation * deviation for deviation in deviations]
        if not min(squares) >= _EXACT_SQUARE_FLOOR:  # a tiny square (or NaN first): Go's Pow decides
            squares = [go_pow(deviation, 2.0) for deviation in deviations]
        spread = reduce(_plus, [square / float_n for square in squares], 0.0)
        if math.sqrt(spread) < epsilon:
            break
    best = min(indices, key=values_at)
    parameters = list(vertices[best])
    return objective(vertices[best]), parameters


def _go_pow_series(x: float, count: int) -> list:
    """[Go's math.Pow(x, t) for t in 1 .. count-1]. For 0 < x < 1 Pow takes frexp(x), squares
    the fraction again and again (renormalised into [0.5, 1)) and multiplies together the squares
    of t's set bits, lowest first: Pow(x, t) is Pow(x, t less its top bit) times one more square,
    the same multiplications in the same order, made here for every t at once, bit by bit.
    While every value stays a normal float, scaling by a power of two changes no rounding, so
    the plain squares and products are Pow's; below that, its renormalised steps are followed."""
    if not 0.0 < x < 1.0:  # 0, -0, 1, NaN: Pow's special cases
        return [go_pow(x, float(t)) for t in range(1, count)]
    powers = [1.0]  # for t = 0 .. 2**bits - 1
    square = x
    while len(powers) < count:
        powers += [before * square for before in powers]
        square *= square
    powers = powers[1:count]
    if not powers or min(powers) >= _SMALLEST_NORMAL:
        return powers
    fraction, exponent = math.frexp(x)
    fractions, exponents = [1.0], [0]
    while len(fractions) < count:
        if exponent < -_GO_POW_EXPONENT_BOUND:  # Pow stops squaring: every further power is 0
            exponents += [0] * (count - len(fractions))
            fractions += [0.0] * (count - len(fractions))
            break
        fractions += [before * fraction for before in fractions]
        exponents += [before + exponent for before in exponents]
        fraction *= fraction
        exponent <<= 1
        if fraction < 0.5:
            fraction += fraction
            exponent -= 1
    # 0 < fraction <= 1 and exponent <= 0: ldexp cannot overflow
    return list(map(math.ldexp, fractions[1:count], exponents[1:count]))


def _damped_trend_factors(phi: float, count: int) -> list:
    """phiH at each step t of 1 .. count-1 of InfluxDB's forecast: phi, then += Pow(phi, t)
    (accumulate adds left to right, as the loop does)."""
    return list(accumulate(_go_pow_series(phi, count - 1), initial=phi))


def _constrain(params: list) -> tuple[float, float, float, float]:
    """InfluxDB's constrain: alpha, beta, gamma, phi into [0, 1], in place (NaN stays); them."""
    alpha, beta, gamma, phi = params[0], params[1], params[2], params[3]
    if alpha > 1:
        alpha = params[0] = 1.0
    elif alpha < 0:
        alpha = params[0] = 0.0
    if beta > 1:
        beta = params[1] = 1.0
    elif beta < 0:
        beta = params[1] = 0.0
    if gamma > 1:
        gamma = params[2] = 1.0
    elif gamma < 0:
        gamma = params[2] = 0.0
    if phi > 1:
        phi = params[3] = 1.0
    elif phi < 0:
        phi = params[3] = 0.0
    return alpha, beta, gamma, phi


_FACTOR_CACHE_VALUES = 1 << 18  # phiH series kept per window (half the fit's phis recur)


def _sse_objective(y: list, m: int) -> Callable[[list], float]:
    """InfluxDB's sse(params) over `y` (NaN where a value is missing): the squared errors of
    forecast(0, params), summed in order; +Inf if the forecast is NaN where a value is known.
    As there, the parameters are constrained and (seasonal, m >= 2) the season ring in
    params[6:] rewritten in place."""
    length = len(y)
    first = y[0]
    start_total = 0.0
    if first == first:  # forecast[0] is y[0]: 0, or NaN for an infinite y[0]
        difference = first - first
        start_total += difference * difference
    later = y[1:]
    inf = math.inf
    known_factors: dict[float, list] = {}
    cache_entries = max(1, _FACTOR_CACHE_VALUES // length)

    def damped_trend_factors(phi: float) -> list:
        factors = known_factors.get(phi)
        if factors is None:
            if len(known_factors) >= cache_entries:
                known_factors.clear()
            factors = known_factors[phi] = _damped_trend_factors(phi, length)
        return factors

    if m < 2:

        def sse(params: list) -> float:
            alpha, beta, _gamma, phi = _constrain(params)
            level, trend = params[4], params[5]
            keep_level = 1 - alpha
            keep_trend = (1 - beta) * phi
            value = first
            total = start_total
            # sTm = sTmh = 1 without seasons: yT/1 and (...)*1 are yT and (...) exactly
            for phi_h, known in zip(damped_trend_factors(phi), later):
                previous_level = level
                level = alpha * value + keep_level * (previous_level + phi * trend)
                trend = beta * (level - previous_level) + keep_trend * trend
                value = level + phi_h * trend
                if known == known:
                    if value != value:
                        return inf  # nothing else is written: the rest cannot matter
                    difference = value - known
                    total += difference * difference
            return total

        return sse

    # Season slots: at step t InfluxDB reads sTm from (t-m+so)%m and sTmh from (t-m+hm+so)%m
    # of params[6:], then writes sT where sTm was (so = m-1+t-1, hm = t%m).
    steps = []
    for t in range(1, length):
        so = m - 1 + t - 1
        steps.append((6 + (t - m + so) % m, 6 + (t - m + t % m + so) % m))

    def seasonal_sse(params: list) -> float:
        alpha, beta, gamma, phi = _constrain(params)
        level, trend = params[4], params[5]
        keep_level = 1 - alpha
        keep_trend = (1 - beta) * phi
        keep_season = 1 - gamma
        value = first
        total = start_total
        missed = False  # a NaN forecast where a value is known; the ring is still rewritten to the end
        for (slot, ahead), phi_h, known in zip(steps, damped_trend_factors(phi), later):
            season = params[slot]
            damped = level + phi * trend
            try:
                deseasoned, share = value / season, value / damped
            except ZeroDivisionError:  # Go's ±Inf or NaN
                deseasoned, share = go_divide(value, season), go_divide(value, damped)
            previous_level = level
            level = alpha * deseasoned + keep_level * damped
            trend = beta * (level - previous_level) + keep_trend * trend
            value = (level + phi_h * trend) * params[ahead]
            params[slot] = gamma * share + keep_season * season
            if known == known:
                if value != value:
                    missed = True
                else:  # what is added once missed is never returned
                    difference = value - known
                    total += difference * difference
        return inf if missed else total

    return seasonal_sse


class HoltWintersReducer(Reducer):
    """Forecasts `h` values after the last point (with `include_fit`, also the fitted values
    from the first point on) on a grid of `interval`; seasonal with period `m` when m >= 2."""

    __slots__ = ("h", "m", "seasonal", "include_fit", "interval", "half", "points", "y")

    def __init__(self, h: int, m: int, include_fit: bool, interval: int):
        self.h = h
        self.m = m
        self.seasonal = m >= 2
        self.include_fit = include_fit
        self.interval = interval
        self.half = int64_div(interval, 2) if interval else 0
        self.points: list = []
        self.y: list = []

    def add(self, time: int, value: Any, source: Any) -> None:
        self.points.append((time, float(value)))

    def _round(self, time: int) -> int:
        interval = self.interval
        quotient = int64_div(time, interval)
        remainder = time - quotient * interval  # Go's %: the sign of the dividend
        if remainder > self.half:
            return (quotient + 1) * interval
        return quotient * interval

    def emit(self) -> list:
        points = self.points
        count_points = len(points)
        if count_points < 2 or (self.seasonal and count_points < self.m) or self.h <= 0 or self.interval <= 0:
            return []
        start, stop = self._round(points[0][0]), self._round(points[-1][0])
        if int64_div(stop - start, self.interval) <= 0:
            return []
        nan = math.nan
        y = [points[0][1]]
        t = start
        for time, value in points[1:]:
            rounded = self._round(time)
            if rounded <= t:
                continue
            t += self.interval
            while rounded != t:
                y.append(nan)
                t += self.interval
            y.append(value)
        self.y = y
        m = self.m
        level = 0.0
        if self.seasonal:
            for i in range(m):
                if y[i] == y[i]:
                    level += (1 / float(m)) * y[i]
        else:
            level += _HW_WEIGHT * y[0]
        trend = 0.0
        if self.seasonal:
            i = 0
            while i < m and m + i < len(y):
                if y[i] == y[i] and y[m + i] == y[m + i]:
                    trend += 1 / float(m * m) * (y[m + i] - y[i])
                i += 1
        elif y[1] == y[1]:
            trend = _HW_WEIGHT * (y[1] - y[0])
        seasonals = []
        if self.seasonal:
            seasonals = [go_divide(y[i], level) if y[i] == y[i] else 0.0 for i in range(m)]
        parameters = [0.0, 0.0, 0.0, 0.0, level, trend, *seasonals]
        sse = _sse_objective(y, m if self.seasonal else 0)
        best_sse = math.inf
        best_params = None
        for alpha in _HW_GUESSES:
            for beta in _HW_GUESSES:
                for gamma in _HW_GUESSES:
                    for phi in _HW_GUESSES:
                        parameters[0], parameters[1], parameters[2], parameters[3] = alpha, beta, gamma, phi
                        found_sse, found = nelder_mead(sse, parameters, _HW_EPSILON, 1.0)
                        if found_sse < best_sse or best_params is None:
                            best_sse = found_sse
                            best_params = found
        assert best_params is not None, "the first guess is always kept"
        forecast = self._forecast(self.h, best_params)
        interval = self.interval
        results = []
        if self.include_fit:
            first = points[0][0]
            for i, value in enumerate(forecast):
                if value == value:
                    results.append((first + interval * i, value, None))
        else:
            last = points[-1][0]
            for i, value in enumerate(forecast[len(y):]):
                if value == value:
                    results.append((last + interval * (i + 1), value, None))
        return results

    def _forecast(self, h: int, params: list) -> list:
        """InfluxDB's forecast, step by step as it is written (the fit uses _sse_objective)."""
        alpha, beta, gamma, phi = _constrain(params)
        y = self.y
        y_t = y[0]
        phi_h = phi
        level, trend = params[4], params[5]
        seasonal = self.seasonal
        m = so = 0
        if seasonal:
            m = len(params) - 6
            so = m - 1
        length = len(y)
        forecast = [0.0] * (length + h)
        forecast[0] = y_t
        s_tm = s_tmh = 1.0
        for t in range(1, length + h):
            if seasonal:
                hm = t % m
                s_tm = params[6 + (t - m + so) % m]
                s_tmh = params[6 + (t - m + hm + so) % m]
            previous_level, previous_trend = level, trend
            level = alpha * go_divide(y_t, s_tm) + (1 - alpha) * (previous_level + phi * previous_trend)
            trend = beta * (level - previous_level) + (1 - beta) * phi * previous_trend
            s_t = gamma * go_divide(y_t, previous_level + phi * previous_trend) + (1 - gamma) * s_tm
            y_t = (level + phi_h * trend) * s_tmh
            phi_h += go_pow(phi, float(t))
            if seasonal:
                params[6 + (t + so) % m] = s_t
                so += 1
            forecast[t] = y_t
        return forecast


def _holt_winters(include_fit: bool):
    def factory(args):
        h, m, interval = int(args[0]), int(args[1]), int(args[2])
        return HoltWintersReducer(h, m, include_fit, interval)

    return {float: factory, int: factory}


# Kapacitor names both nodes "holtWinters"; the node picks the fit variant from the pipeline.
FUNCTIONS["holtWinters"] = FunctionSpec("holtWinters", _holt_winters(False), provides_batch=True)
HOLT_WINTERS_WITH_FIT = FunctionSpec("holtWinters", _holt_winters(True), provides_batch=True)

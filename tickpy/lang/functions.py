"""The lambda functions: a typed table (name -> signatures -> implementation).

Each signature maps a tuple of argument type names to the result type, as Kapacitor's
`Signature()` maps a `Domain` to a `ValueType`. Implementations receive the evaluated
arguments as a list and check them again themselves, with Kapacitor's own messages,
because Kapacitor's evaluator can reach a call without the signature check (e.g. under `!`).

Stateful functions (`sigma`, `count`, `spread`, `rand`) have a factory: every evaluator
gets fresh instances, one per function name, shared by all calls of that name in the
expression (as Kapacitor's ExecutionState does).

Extension: `compile_lambda(..., functions={...})` adds or replaces entries with
`LambdaFunction` values, e.g. the handler-file `match` functions.
"""

from __future__ import annotations

import math
import random
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

from tickpy.golang import goalgorithms, gomath, gostrings
from tickpy.golang.goformat import (
    GoNumError,
    format_float_f,
    format_float_v,
    go_quote,
    parse_bool,
    parse_float,
    parse_int,
)
from tickpy.golang.gomath import go_divide
from tickpy.golang.goregexp import replace_all_string
from tickpy.golang.gostrings import from_go_bytes, go_bytes, go_text
from tickpy.golang.gotime import civil_from_ns, format_influx_duration, parse_influx_duration, weekday
from tickpy.golang.gotypes import float_to_int64, float_to_uint64, wrap_int64
from tickpy.lang.errors import GoError, GoPanic
from tickpy.lang.values import (
    BOOL,
    DURATION,
    FLOAT,
    INT,
    MISSING_TYPE,
    REGEX,
    STRING,
    TIME,
    Duration,
    MissingValue,
    Regex,
    Time,
    lambda_go_type,
)

Implementation = Callable[[list], object]


@dataclass(frozen=True)
class LambdaFunction:
    """One callable name of the lambda language."""

    name: str
    signatures: dict[tuple[str, ...], str]
    implementation: Implementation | None = None  # stateless: shared by every evaluator
    factory: Callable[[], Implementation] | None = None  # stateful: one instance per evaluator
    family: str = ""  # Kapacitor's Go type implementing it, for documentation
    # Total: cannot fail or panic once its arguments have the signature's types.
    total: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def stateful(self) -> bool:
        return self.factory is not None

    def instance(self) -> Implementation:
        if self.factory is not None:
            return self.factory()
        assert self.implementation is not None  # every function has an implementation or a factory
        return self.implementation

    def return_type(self, argument_types: tuple[str, ...]) -> str | None:
        return self.signatures.get(argument_types)


# ----------------------------------------------------------------------------- families


_GO_NUMBER_NAMES = {float: "float64", int: "int64"}
_TICK_TYPES = {float: FLOAT, int: INT, str: STRING, Regex: REGEX}


def _numeric(
    name: str, function: Callable, parameters: tuple[type, ...], family: str, count_word: str, say_position: bool
) -> LambdaFunction:
    """Kapacitor's math1/math2/mathI/mathIF families: float64 result, each its own messages."""

    def wrong_type(position: int, arg: object) -> GoError:
        where = f" as {_ORDINALS[position]} arg" if say_position else ""
        return GoError(f"cannot pass {lambda_go_type(arg)} to {name}{where}, must be {_GO_NUMBER_NAMES[parameters[position]]}")

    # Unrolled by arity: the exact evaluator calls these once per point.
    if len(parameters) == 1:
        (only,) = parameters

        def call(args: list) -> object:
            if len(args) != 1:
                raise GoError(f"{name} expects exactly {count_word}")
            if type(args[0]) is not only:
                raise wrong_type(0, args[0])
            return function(args[0])

    else:
        first, second = parameters

        def call(args: list) -> object:
            if len(args) != 2:
                raise GoError(f"{name} expects exactly {count_word}")
            if type(args[0]) is not first:
                raise wrong_type(0, args[0])
            if type(args[1]) is not second:
                raise wrong_type(1, args[1])
            return function(args[0], args[1])

    signature = tuple(_TICK_TYPES[parameter] for parameter in parameters)
    return LambdaFunction(name, {signature: FLOAT}, call, family=family, extra={"python": function})


# (functions, parameter types, Kapacitor family, arity in its messages, whether they name the position)
_NUMERIC_FAMILIES = (
    (gomath.MATH1, (float,), "stateful.math1", "one argument", False),
    (gomath.MATH2, (float, float), "stateful.math2", "two arguments", False),
    (gomath.MATH_I, (int,), "stateful.mathI", "two arguments", False),  # sic: Kapacitor says two
    (gomath.MATH_IF, (int, float), "stateful.mathIF", "two arguments", True),
)


_ORDINALS = ("first", "second", "third", "fourth")
_GO_ARGUMENT_NAMES = {str: "string", int: "int", Regex: "regex"}


def _check_arguments(name: str, args: list, count_word: str, parameters: tuple[type, ...]) -> None:
    """The argument checks of Kapacitor's string functions, count then each type in order,
    raising the first failure. Callers test the good case inline first (the exact evaluator
    calls them once per point) and come here only for the message."""
    if len(args) != len(parameters):
        raise GoError(f"{name} expects exactly {count_word}")
    for position, (arg, expected) in enumerate(zip(args, parameters)):
        if type(arg) is not expected:
            raise GoError(
                f"cannot pass {lambda_go_type(arg)} as {_ORDINALS[position]} arg to {name}, must be {_GO_ARGUMENT_NAMES[expected]}"
            )


def _string2(name: str, function: Callable[[str, str], object], result: str, family: str) -> LambdaFunction:
    def call(args: list) -> object:
        if len(args) != 2 or type(args[0]) is not str or type(args[1]) is not str:
            _check_arguments(name, args, "two arguments", (str, str))
        return function(args[0], args[1])

    return LambdaFunction(name, {(STRING, STRING): result}, call, family=family, extra={"python": function})


def _string1(name: str, function: Callable[[str], str]) -> LambdaFunction:
    def call(args: list) -> object:
        if len(args) != 1 or type(args[0]) is not str:
            _check_arguments(name, args, "one argument", (str,))
        return function(args[0])

    return LambdaFunction(name, {(STRING,): STRING}, call, family="stateful.string1String", extra={"python": function})


# ----------------------------------------------------------------------------- strings (bytes, like Go)


def _str_length(args: list) -> object:
    if len(args) != 1 or type(args[0]) is not str:
        _check_arguments("strLength", args, "one argument", (str,))
    return len(go_bytes(args[0]))


def _str_replace(args: list) -> object:
    if (
        len(args) != 4
        or type(args[0]) is not str
        or type(args[1]) is not str
        or type(args[2]) is not str
        or type(args[3]) is not int
    ):
        _check_arguments("strReplace", args, "four arguments", (str, str, str, int))
    return gostrings.replace(*args)


def _str_substring(args: list) -> object:
    if len(args) != 3 or type(args[0]) is not str or type(args[1]) is not int or type(args[2]) is not int:
        _check_arguments("strSubstring", args, "three arguments", (str, int, int))
    data = go_bytes(args[0])
    start, stop = args[1], args[2]
    if start < 0:
        raise GoError(f"found negative index for strSubstring: {start}")
    if stop < 0:
        raise GoError(f"found negative index for strSubstring: {stop}")
    if stop >= len(data):
        raise GoError(f"stop index too large for string in strSubstring: {stop}")
    if start > stop:
        raise GoPanic(f"runtime error: slice bounds out of range [{start}:{stop}]")
    return from_go_bytes(data[start:stop])


def _regex_replace(args: list) -> object:
    if len(args) != 3 or type(args[0]) is not Regex or type(args[1]) is not str or type(args[2]) is not str:
        _check_arguments("regexReplace", args, "three arguments", (Regex, str, str))
    return replace_all_string(args[0].compiled, go_text(args[1]), go_text(args[2]))


# ----------------------------------------------------------------------------- conversions


def _to_bool(args: list) -> object:
    if len(args) != 1:
        raise GoError("bool expects exactly one argument")
    value = args[0]
    kind = type(value)
    if kind is bool:
        return value
    if kind is str:
        try:
            return parse_bool(value)
        except GoNumError as error:
            raise GoError(str(error)) from None
    if kind is int:
        if value in (0, 1):
            return value == 1
        raise GoError(f"cannot convert {value} to boolean")
    if kind is float:
        if value == 0 or value == 1:
            return value == 1
        raise GoError(f"cannot convert {format_float_v(value)} to boolean")
    raise GoError(f"cannot convert {lambda_go_type(value)} to boolean")


def _to_int(args: list) -> object:
    if len(args) != 1:
        raise GoError("int expects exactly one argument")
    value = args[0]
    kind = type(value)
    if kind is int:
        return value
    if kind is float:
        return float_to_int64(value)
    if kind is str:
        try:
            return parse_int(value)
        except GoNumError as error:
            raise GoError(str(error)) from None
    if kind is bool:
        return 1 if value else 0
    if kind is Duration:
        return value.nanoseconds
    raise GoError(f"cannot convert {lambda_go_type(value)} to integer")


def _to_float(args: list) -> object:
    if len(args) != 1:
        raise GoError("float expects exactly one argument")
    value = args[0]
    kind = type(value)
    if kind is int:
        return float(value)
    if kind is float:
        return value
    if kind is str:
        try:
            return parse_float(value)
        except GoNumError as error:
            raise GoError(str(error)) from None
    if kind is bool:
        return 1.0 if value else 0.0
    raise GoError(f"cannot convert {lambda_go_type(value)} to float")


def _to_string(args: list) -> object:
    if len(args) != 1:
        raise GoError("string expects exactly one argument")
    value = args[0]
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is float:
        return format_float_f(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is Duration:
        return format_influx_duration(value.nanoseconds)
    if kind is str:
        return value
    raise GoError(f"cannot convert {lambda_go_type(value)} to string")


def _to_duration(args: list) -> object:
    if len(args) not in (1, 2):
        raise GoError(
            "duration expects one or two arguments duration(value, unit) where unit is optional depending on the type of value."
        )

    def unit() -> int:
        if len(args) != 2:
            raise GoError("duration expects unit argument for int and float values")
        if type(args[1]) is not Duration:
            raise GoError(f"invalid duration unit type: {lambda_go_type(args[1])}")
        return args[1].nanoseconds

    value = args[0]
    kind = type(value)
    if kind is Duration:
        return value
    if kind is int:
        return Duration(wrap_int64(value * unit()))
    if kind is float:
        return Duration(float_to_int64(value * float(unit())))
    if kind is str:
        try:
            return Duration(parse_influx_duration(value))
        except ValueError:
            raise GoError(f"invalid duration string {go_quote(value)}") from None
    raise GoError(f"cannot convert {lambda_go_type(value)} to duration")


# ----------------------------------------------------------------------------- time


def _time_function(name: str, extract: Callable[[int], int]) -> LambdaFunction:
    def call(args: list) -> object:
        if len(args) != 1:
            raise GoError(f"{name} expects exactly one argument")
        if type(args[0]) is not Time:
            raise GoError(f"cannot convert {lambda_go_type(args[0])} to time.Time")
        return extract(args[0].nanoseconds)

    return LambdaFunction(name, {(TIME,): INT}, call, family=f"stateful.{name}")


def _date_part(index: int) -> Callable[[int], int]:
    """Time.Year/Month/Day/Hour/Minute in UTC: one field of the civil date and clock."""
    return lambda ns: civil_from_ns(ns)[index]


def _unix_nano(ns: int) -> int:
    return wrap_int64(ns)


def _now(args: list) -> object:
    if len(args) != 0:
        raise GoError("now expects exactly zero argument")
    return Time(_time.time_ns())


# ----------------------------------------------------------------------------- humanize, if, isPresent

_BYTE_SIZES = ("B", "kB", "MB", "GB", "TB", "PB", "EB")


def human_bytes(size: int) -> str:
    """go-humanize's Bytes (SI units), with Go's float math."""
    if size < 10:
        return f"{size} B"
    exponent = gomath.go_floor(goalgorithms.log(float(size)) / goalgorithms.log(1000.0))  # go-humanize's logn
    suffix = _BYTE_SIZES[int(exponent)]
    value = gomath.go_floor(float(size) / goalgorithms.pow(1000.0, exponent) * 10 + 0.5) / 10
    if value < 10:
        return f"{value:.1f} {suffix}"
    return f"{value:.0f} {suffix}"


def _human_bytes(args: list) -> object:
    if len(args) != 1:
        raise GoError("humanBytes expects exactly one argument")
    value = args[0]
    if type(value) is float:
        return human_bytes(float_to_uint64(value))
    if type(value) is int:
        return human_bytes(value & 0xFFFFFFFFFFFFFFFF)
    raise GoError(f"cannot convert {lambda_go_type(value)} to humanBytes")


def _if(args: list) -> object:
    if len(args) != 3:
        raise GoError("if expects exactly three arguments")
    if type(args[0]) is not bool:
        raise GoError(f"first argument to if must be a condition with type of bool - got {lambda_go_type(args[0])}")
    if type(args[1]) is not type(args[2]):
        raise GoError(
            f"Different return types are not supported - second argument is {lambda_go_type(args[1])} "
            f"and third argument is {lambda_go_type(args[2])}"
        )
    return args[1] if args[0] else args[2]


def _is_present(args: list) -> object:
    if len(args) != 1:
        raise GoError("isMissing expects exactly one argument")
    return type(args[0]) is not MissingValue


# ----------------------------------------------------------------------------- stateful


class _Count:
    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, args: list) -> object:
        self.n = wrap_int64(self.n + 1)
        return self.n


class _Sigma:
    __slots__ = ("mean", "variance", "m2", "n")

    def __init__(self) -> None:
        self.mean = 0.0
        self.variance = 0.0
        self.m2 = 0.0
        self.n = 0.0

    def __call__(self, args: list) -> object:
        if len(args) != 1:
            raise GoError("sigma expects exactly one argument")
        x = args[0]
        if type(x) is not float:
            raise GoError("value is not a float")
        self.n += 1
        delta = x - self.mean
        self.mean = self.mean + go_divide(delta, self.n)
        self.m2 = self.m2 + delta * (x - self.mean)
        self.variance = go_divide(self.m2, self.n - 1)
        if self.n < 2 or self.variance == 0:
            return 0.0
        return go_divide(math.fabs(x - self.mean), gomath.go_sqrt(self.variance))


class _Spread:
    __slots__ = ("min", "max")

    def __init__(self) -> None:
        self.min = math.inf
        self.max = -math.inf

    def __call__(self, args: list) -> object:
        if len(args) != 1:
            raise GoError("spread expects exactly one argument")
        x = args[0]
        if type(x) is not float:
            raise GoError("value is not a float")
        if x < self.min:
            self.min = x
        if x > self.max:
            self.max = x
        return self.max - self.min


class _Rand:
    __slots__ = ("generator",)

    def __init__(self) -> None:
        self.generator = random.Random()

    def __call__(self, args: list) -> object:
        if len(args) > 1:
            raise GoError("rand expects zero or one argument")
        if len(args) == 1:
            if type(args[0]) is not int:
                raise GoError("value is not an int")
            bound = args[0] & 0xFFFFFFFFFFFFFFFF
            if bound == 0:
                return 0
            return self.generator.randrange(bound) & ((1 << 63) - 1)
        return self.generator.getrandbits(63)


# ----------------------------------------------------------------------------- the table


def _build_table() -> dict[str, LambdaFunction]:
    table: dict[str, LambdaFunction] = {}

    def add(function: LambdaFunction) -> None:
        table[function.name] = function

    conversion_inputs = (BOOL, STRING, INT, FLOAT)
    add(LambdaFunction("bool", {(t,): BOOL for t in conversion_inputs}, _to_bool, family="stateful.boolean", total=False))
    add(LambdaFunction("int", {(t,): INT for t in conversion_inputs}, _to_int, family="stateful.integer", total=False))
    add(LambdaFunction("float", {(t,): FLOAT for t in conversion_inputs}, _to_float, family="stateful.float", total=False))
    add(LambdaFunction("string", {(t,): STRING for t in conversion_inputs + (DURATION,)}, _to_string, family="stateful.str"))
    add(
        LambdaFunction(
            "duration",
            {(DURATION,): DURATION, (INT, DURATION): DURATION, (FLOAT, DURATION): DURATION, (STRING, DURATION): DURATION},
            _to_duration,
            family="stateful.duration",
            total=False,
        )
    )
    for functions, parameters, family, count_word, say_position in _NUMERIC_FAMILIES:
        for name, function in functions.items():
            add(_numeric(name, function, parameters, family, count_word, say_position))

    add(_string2("strContains", lambda s, sub: sub in s, BOOL, "stateful.string2Bool"))
    add(_string2("strContainsAny", gostrings.contains_any, BOOL, "stateful.string2Bool"))
    add(_string2("strCount", gostrings.count, INT, "stateful.string2Int"))
    add(_string2("strHasPrefix", lambda s, prefix: s.startswith(prefix), BOOL, "stateful.string2Bool"))
    add(_string2("strHasSuffix", lambda s, suffix: s.endswith(suffix), BOOL, "stateful.string2Bool"))
    add(_string2("strIndex", gostrings.index, INT, "stateful.string2Int"))
    add(_string2("strIndexAny", gostrings.index_any, INT, "stateful.string2Int"))
    add(_string2("strLastIndex", gostrings.last_index, INT, "stateful.string2Int"))
    add(_string2("strLastIndexAny", gostrings.last_index_any, INT, "stateful.string2Int"))
    add(LambdaFunction("strLength", {(STRING,): INT}, _str_length, family="stateful.strLength"))
    add(LambdaFunction("strReplace", {(STRING, STRING, STRING, INT): STRING}, _str_replace, family="stateful.strReplace"))
    add(
        LambdaFunction(
            "strSubstring", {(STRING, INT, INT): STRING}, _str_substring, family="stateful.strSubstring", total=False
        )
    )
    add(_string1("strToLower", gostrings.to_lower))
    add(_string1("strToUpper", gostrings.to_upper))
    add(_string2("strTrim", lambda s, cutset: s.strip(cutset) if cutset else s, STRING, "stateful.string2String"))
    add(_string2("strTrimLeft", lambda s, cutset: s.lstrip(cutset) if cutset else s, STRING, "stateful.string2String"))
    add(_string2("strTrimPrefix", lambda s, prefix: s.removeprefix(prefix), STRING, "stateful.string2String"))
    add(_string2("strTrimRight", lambda s, cutset: s.rstrip(cutset) if cutset else s, STRING, "stateful.string2String"))
    add(_string1("strTrimSpace", gostrings.trim_space))
    add(_string2("strTrimSuffix", lambda s, suffix: s.removesuffix(suffix), STRING, "stateful.string2String"))
    add(LambdaFunction("regexReplace", {(REGEX, STRING, STRING): STRING}, _regex_replace, family="stateful.regexReplace"))

    add(
        LambdaFunction(
            "isPresent", {(t,): BOOL for t in (MISSING_TYPE, BOOL, STRING, INT, FLOAT)}, _is_present, family="stateful.isPresent"
        )
    )
    add(_time_function("unixNano", _unix_nano))
    add(_time_function("minute", _date_part(4)))
    add(_time_function("hour", _date_part(3)))
    add(_time_function("weekday", weekday))
    add(_time_function("day", _date_part(2)))
    add(_time_function("month", _date_part(1)))
    add(_time_function("year", _date_part(0)))
    add(LambdaFunction("now", {(): TIME}, _now, family="stateful.now"))
    add(LambdaFunction("humanBytes", {(FLOAT,): STRING, (INT,): STRING}, _human_bytes, family="stateful.humanBytes"))
    if_types = (FLOAT, INT, STRING, BOOL, REGEX, TIME, DURATION)
    add(LambdaFunction("if", {(BOOL, t, t): t for t in if_types}, _if, family="stateful.ifFunc"))

    add(LambdaFunction("sigma", {(FLOAT,): FLOAT}, factory=_Sigma, family="*stateful.sigma"))
    add(LambdaFunction("count", {(): INT}, factory=_Count, family="*stateful.count"))
    add(LambdaFunction("spread", {(FLOAT,): FLOAT}, factory=_Spread, family="*stateful.spread"))
    add(LambdaFunction("rand", {(): INT, (INT,): INT}, factory=_Rand, family="*stateful.Rand"))
    return table


BUILTIN_FUNCTIONS: dict[str, LambdaFunction] = _build_table()

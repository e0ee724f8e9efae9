"""Go's `math` package semantics for the lambda math functions.

Python's `math` raises where Go returns NaN or ±Inf, lacks a few functions, and rounds
some results differently (the C library and Go's own algorithms are different code).
Every function here returns what Go's does, including for NaN, ±Inf and ±0.
Functions whose Go algorithm differs from the C library's live in `tickpy.golang.goalgorithms`.
"""

from __future__ import annotations

import math

from tickpy.golang import goalgorithms as _go
from tickpy.golang import gobessel as _bessel

NAN = math.nan
INF = math.inf


def _isnan(x: float) -> bool:
    return x != x


def go_divide(x: float, y: float) -> float:
    """Go's float64 `/`: IEEE division, where a zero divisor gives ±Inf or NaN (Python raises)."""
    if y == 0:
        if x != x or x == 0:
            return math.nan
        negative = (math.copysign(1.0, x) < 0) != (math.copysign(1.0, y) < 0)
        return -math.inf if negative else math.inf
    return x / y


def go_abs(x: float) -> float:
    return math.fabs(x)


def go_sqrt(x: float) -> float:
    if x != x or x < 0:
        return NAN if x != 0 else x
    return math.sqrt(x)


def go_floor(x: float) -> float:
    if x != x or x in (INF, -INF) or x == 0:
        return x
    return float(math.floor(x)) if abs(x) < 4503599627370496.0 else x


def go_ceil(x: float) -> float:
    if x != x or x in (INF, -INF) or x == 0:
        return x
    if abs(x) >= 4503599627370496.0:
        return x
    result = float(math.ceil(x))
    return math.copysign(result, x) if result == 0 else result


def go_trunc(x: float) -> float:
    if x != x or x in (INF, -INF) or x == 0:
        return x
    if abs(x) >= 4503599627370496.0:
        return x
    return math.copysign(float(math.trunc(x)), x)


def go_max(x: float, y: float) -> float:
    if x == INF or y == INF:
        return INF
    if x != x or y != y:
        return NAN
    if x == 0 and x == y:
        return y if math.copysign(1.0, x) < 0 else x
    return x if x > y else y


def go_min(x: float, y: float) -> float:
    if x == -INF or y == -INF:
        return -INF
    if x != x or y != y:
        return NAN
    if x == 0 and x == y:
        return x if math.copysign(1.0, x) < 0 else y
    return x if x < y else y


def go_mod(x: float, y: float) -> float:
    if y == 0 or x in (INF, -INF) or x != x or y != y:
        return NAN
    return math.fmod(x, y)


def go_pow10(n: int) -> float:
    return _go.pow10_table(n)


# name -> Go implementation. Arity is given by the function table in tickpy.lang.functions.
MATH1 = {
    "abs": go_abs,
    "acos": _go.acos,
    "acosh": _go.acosh,
    "asin": _go.asin,
    "asinh": _go.asinh,
    "atan": _go.atan,
    "atanh": _go.atanh,
    "cbrt": _go.cbrt,
    "ceil": go_ceil,
    "cos": _go.cos,
    "cosh": _go.cosh,
    "erf": _go.erf,
    "erfc": _go.erfc,
    "exp": _go.exp,
    "exp2": _go.exp2,
    "expm1": _go.expm1,
    "floor": go_floor,
    "gamma": _go.gamma,
    "j0": _bessel.j0,
    "j1": _bessel.j1,
    "log": _go.log,
    "log10": _go.log10,
    "log1p": _go.log1p,
    "log2": _go.log2,
    "logb": _go.logb,
    "sin": _go.sin,
    "sinh": _go.sinh,
    "sqrt": go_sqrt,
    "tan": _go.tan,
    "tanh": _go.tanh,
    "trunc": go_trunc,
    "y0": _bessel.y0,
    "y1": _bessel.y1,
}

MATH2 = {
    "atan2": _go.atan2,
    "hypot": _go.hypot,
    "max": go_max,
    "min": go_min,
    "mod": go_mod,
    "pow": _go.pow,
}

MATH_I = {"pow10": go_pow10}

MATH_IF = {"jn": _bessel.jn, "yn": _bessel.yn}

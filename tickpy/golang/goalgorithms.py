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


def float64bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def float64frombits(b: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0]


# ----------------------------------------------------------------------------- helpers

from fractions import Fraction as _F

# Go's math constants, exact enough that expressions of them round once, as Go's
# constant arithmetic does (e.g. `Pi/2`, `1/Ln10` are exact before conversion).
_PI = _F("3.14159265358979323846264338327950288419716939937510582097494459")
_LN2 = _F("0.693147180559945309417232121458176568075500134360255254120680009")
_LN10 = _F("2.30258509299404568401799145468436420760110148862877297603332790")

PI = float(_PI)
PI_2 = float(_PI / 2)
PI_4 = float(_PI / 4)
PI3_4 = float(3 * _PI / 4)
FOUR_OVER_PI = float(4 / _PI)
INV_LN10 = float(1 / _LN10)
INV_LN2 = float(1 / _LN2)
_UINT64 = 0xFFFFFFFFFFFFFFFF


def fma(a: float, b: float, c: float) -> float:
    """a*b+c with a single rounding (Go's FMA instructions on amd64 with AVX2+FMA)."""
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    exact = _F(a) * _F(b) + _F(c)
    if exact == 0:
        return a * b + c  # the sign of an exact zero follows IEEE addition
    try:
        return float(exact)  # Fraction -> float rounds correctly
    except OverflowError:
        return INF if exact > 0 else -INF


def ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(INF, frac)


def go_int(x: float) -> int:
    """Go's int(x) (int64 on amd64): truncation; out of range gives MinInt64."""
    if x != x or x >= 9223372036854775808.0 or x < -9223372036854775808.0:
        return -(1 << 63)
    return int(x)


def _round_to_int32(x: float) -> int:
    """CVTSD2SL: round to nearest even; out of int32 range gives the 'integer indefinite'."""
    if x != x:
        return -(1 << 31)
    rounded = round(x)
    if rounded < -(1 << 31) or rounded > (1 << 31) - 1:
        return -(1 << 31)
    return rounded


def modf(f: float) -> tuple[float, float]:
    """Go's Modf: (integer part, fractional part), both with f's sign."""
    if f < 1:
        if f < 0:
            whole, frac = modf(-f)
            return -whole, -frac
        if f == 0:
            return f, f
        return 0.0, f
    if f == INF:
        return INF, NAN
    whole = float(math.trunc(f)) if f == f else f
    return whole, f - whole


# ----------------------------------------------------------------------------- exp and log (amd64 assembly)

USE_FMA = True  # Kapacitor's answers come from an amd64 machine with AVX2+FMA

_LOG2E_ASM = 1.4426950408889634073599246810018920
_LN2U = 0.69314718055966295651160180568695068359375
_LN2L = 0.28235290563031577122588448175013436025525412068e-12
_EXP_OVERFLOW = 7.09782712893384e02
_EXP_TAYLOR = (
    2.4801587301587301587e-5,
    1.9841269841269841270e-4,
    1.3888888888888888889e-3,
    8.3333333333333333333e-3,
    4.1666666666666666667e-2,
    1.6666666666666666667e-1,
    0.5,
    1.0,
)


def exp(x: float) -> float:
    """Go's Exp on amd64 (the assembly routine after Shibata's SLEEF method)."""
    if x != x or x == INF:
        return x
    if x == -INF:
        return 0.0
    if x > _EXP_OVERFLOW:
        return INF
    k = _round_to_int32(_LOG2E_ASM * x)
    kf = float(k)
    if USE_FMA:
        r = fma(-_LN2U, kf, x)
        r = fma(-_LN2L, kf, r)
        r *= 0.0625
        poly = _EXP_TAYLOR[0]
        for coefficient in _EXP_TAYLOR[1:]:
            poly = fma(poly, r, coefficient)
        r = r * poly
        for _ in range(3):
            r = r * (r + 2.0)
        r = fma(r, r + 2.0, 1.0)
    else:
        r = x - _LN2U * kf
        r = r - _LN2L * kf
        r *= 0.0625
        poly = _EXP_TAYLOR[0]
        for coefficient in _EXP_TAYLOR[1:]:
            poly = poly * r + coefficient
        r = r * poly
        for _ in range(4):
            r = r * (r + 2.0)
        r = r + 1.0
    biased = k + 0x3FF
    if biased <= 0:
        if biased < -52:
            return 0.0
        r *= float64frombits((biased + 0x3FE) << 52)
        return r * float64frombits(1 << 52)
    if biased >= 0x7FF:
        return INF
    return r * float64frombits(biased << 52)


_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_L1, _L2, _L3, _L4, _L5, _L6, _L7 = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
_HSQRT2 = 7.07106781186547524401e-01


def log(x: float) -> float:
    """Go's Log on amd64 (the assembly version of FreeBSD's algorithm)."""
    bits = float64bits(x)
    if bits & 0x7FFFFFFFFFFFFFFF == 0:
        return -INF
    if bits >> 63:
        return NAN
    if bits >= 0x7FF0000000000000:
        return x
    f1 = float64frombits((bits & 0x000FFFFFFFFFFFFF) | 0x3FE0000000000000)
    k = float(((bits >> 52) & 0x7FF) - 0x3FE)
    if not (_HSQRT2 < f1):
        k -= 1.0
        f1 *= 2.0
    f = f1 - 1.0
    s = f / (2.0 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (((_L7 * s4 + _L5) * s4 + _L3) * s4 + _L1)
    t2 = s4 * ((_L6 * s4 + _L4) * s4 + _L2)
    big_r = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + big_r) + k * _LN2_LO)) - f)


def log10(x: float) -> float:
    return log(x) * INV_LN10


def log2(x: float) -> float:
    frac, exponent = math.frexp(x) if math.isfinite(x) and x != 0 else (x, 0)
    if frac == 0.5:
        return float(exponent - 1)  # Go special-cases exact powers of two
    return log(frac) * INV_LN2 + float(exponent)


def log1p(x: float) -> float:
    sqrt2m1 = 4.142135623730950488017e-01
    sqrt2half_m1 = -2.928932188134524755992e-01
    small = 1.0 / (1 << 29)
    tiny = 1.0 / (1 << 54)
    two53 = float(1 << 53)
    lp = (
        6.666666666666735130e-01,
        3.999999999940941908e-01,
        2.857142874366239149e-01,
        2.222219843214978396e-01,
        1.818357216161805012e-01,
        1.531383769920937332e-01,
        1.479819860511658591e-01,
    )
    if x < -1 or x != x:
        return NAN
    if x == -1:
        return -INF
    if x == INF:
        return INF
    absx = abs(x)
    f = 0.0
    iu = 0
    k = 1
    if absx < sqrt2m1:
        if absx < small:
            if absx < tiny:
                return x
            return x - x * x * 0.5
        if x > sqrt2half_m1:
            k = 0
            f = x
            iu = 1
    c = 0.0
    if k != 0:
        if absx < two53:
            u = 1.0 + x
            iu = float64bits(u)
            k = (iu >> 52) - 1023
            c = 1.0 - (u - x) if k > 0 else x - (u - 1.0)
            c /= u
        else:
            u = x
            iu = float64bits(u)
            k = (iu >> 52) - 1023
            c = 0.0
        iu &= 0x000FFFFFFFFFFFFF
        if iu < 0x0006A09E667F3BCD:
            u = float64frombits(iu | 0x3FF0000000000000)
        else:
            k += 1
            u = float64frombits(iu | 0x3FE0000000000000)
            iu = (0x0010000000000000 - iu) >> 2
        f = u - 1.0
    hfsq = 0.5 * f * f
    if iu == 0:
        if f == 0:
            if k == 0:
                return 0.0
            c += float(k) * _LN2_LO
            return float(k) * _LN2_HI + c
        big_r = hfsq * (1.0 - 0.66666666666666666 * f)
        if k == 0:
            return f - big_r
        return float(k) * _LN2_HI - ((big_r - (float(k) * _LN2_LO + c)) - f)
    s = f / (2.0 + f)
    z = s * s
    big_r = z * (lp[0] + z * (lp[1] + z * (lp[2] + z * (lp[3] + z * (lp[4] + z * (lp[5] + z * lp[6]))))))
    if k == 0:
        return f - (hfsq - s * (hfsq + big_r))
    return float(k) * _LN2_HI - ((hfsq - (s * (hfsq + big_r) + (float(k) * _LN2_LO + c))) - f)


def _expmulti(hi: float, lo: float, k: int) -> float:
    p1 = 1.66666666666666657415e-01
    p2 = -2.77777777770155933842e-03
    p3 = 6.61375632143793436117e-05
    p4 = -1.65339022054652515390e-06
    p5 = 4.13813679705723846039e-08
    r = hi - lo
    t = r * r
    c = r - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))))
    y = 1 - ((lo - (r * c) / (2 - c)) - hi)
    return ldexp(y, k)


def exp2(x: float) -> float:
    if x != x or x == INF:
        return x
    if x == -INF:
        return 0.0
    if x > 1.0239999999999999e03:
        return INF
    if x < -1.0740e03:
        return 0.0
    k = 0
    if x > 0:
        k = go_int(x + 0.5)
    elif x < 0:
        k = go_int(x - 0.5)
    t = x - float(k)
    hi = t * _LN2_HI
    lo = -t * _LN2_LO
    return _expmulti(hi, lo, k)


def expm1(x: float) -> float:
    othreshold = 7.09782712893383973096e02
    ln2x56 = 3.88162421113569373274e01
    ln2half_x3 = 1.03972077083991796413e00
    ln2half = 3.46573590279972654709e-01
    inv_ln2 = 1.44269504088896338700e00
    tiny = 1.0 / (1 << 54)
    q1 = -3.33333333333331316428e-02
    q2 = 1.58730158725481460165e-03
    q3 = -7.93650757867487942473e-05
    q4 = 4.00821782732936239552e-06
    q5 = -2.01099218183624371326e-07
    if x == INF or x != x:
        return x
    if x == -INF:
        return -1.0
    absx = x
    sign = False
    if x < 0:
        absx = -absx
        sign = True
    if absx >= ln2x56:
        if sign:
            return -1.0
        if absx >= othreshold:
            return INF
    c = 0.0
    k = 0
    if absx > ln2half:
        if absx < ln2half_x3:
            if not sign:
                hi = x - _LN2_HI
                lo = _LN2_LO
                k = 1
            else:
                hi = x + _LN2_HI
                lo = -_LN2_LO
                k = -1
        else:
            k = go_int(inv_ln2 * x + 0.5) if not sign else go_int(inv_ln2 * x - 0.5)
            t = float(k)
            hi = x - t * _LN2_HI
            lo = t * _LN2_LO
        x = hi - lo
        c = (hi - x) - lo
    elif absx < tiny:
        return x
    else:
        k = 0
    hfx = 0.5 * x
    hxs = x * hfx
    r1 = 1 + hxs * (q1 + hxs * (q2 + hxs * (q3 + hxs * (q4 + hxs * q5))))
    t = 3 - r1 * hfx
    e = hxs * ((r1 - t) / (6.0 - x * t))
    if k != 0:
        e = x * (e - c) - c
        e -= hxs
        if k == -1:
            return 0.5 * (x - e) - 0.5
        if k == 1:
            if x < -0.25:
                return -2 * (e - (x + 0.5))
            return 1 + 2 * (x - e)
        if k <= -2 or k > 56:
            y = 1 - (e - x)
            y = float64frombits((float64bits(y) + ((k << 52) & _UINT64)) & _UINT64)
            return y - 1
        if k < 20:
            t = float64frombits(0x3FF0000000000000 - (0x20000000000000 >> k))
            y = t - (e - x)
            return float64frombits((float64bits(y) + (k << 52)) & _UINT64)
        t = float64frombits(((0x3FF - k) << 52) & _UINT64)
        y = x - (e + t)
        y += 1
        return float64frombits((float64bits(y) + (k << 52)) & _UINT64)
    return x - (x * e - hxs)


# ----------------------------------------------------------------------------- trigonometry (Cephes)

_SIN = (
    1.58962301576546568060e-10,
    -2.50507477628578072866e-8,
    2.75573136213857245213e-6,
    -1.98412698295895385996e-4,
    8.33333333332211858878e-3,
    -1.66666666666666307295e-1,
)
_COS = (
    -1.13585365213876817300e-11,
    2.08757008419747316778e-9,
    -2.75573141792967388112e-7,
    2.48015872888517045348e-5,
    -1.38888888888730564116e-3,
    4.16666666666665929218e-2,
)
_PI4A = 7.85398125648498535156e-1
_PI4B = 3.77489470793079817668e-8
_PI4C = 2.69515142907905952645e-15
_REDUCE_THRESHOLD = float(1 << 29)
_M_PI4 = (
    0x0000000000000001,
    0x45F306DC9C882A53,
    0xF84EAFA3EA69BB81,
    0xB6C52B3278872083,
    0xFCA2C757BD778AC3,
    0x6E48DC74849BA5C0,
    0x0C925DD413A32439,
    0xFC3BD63962534E7D,
    0xD1046BEA5D768909,
    0xD338E04D68BEFC82,
    0x7323AC7306A673E9,
    0x3908BF177BF25076,
    0x3FF12FFFBC0B301F,
    0xDE5E2316B414DA3E,
    0xDA6CFD9E4F96136E,
    0x9E8C7ECD3CBFD45A,
    0xEA4F758FD7CBE2F6,
    0x7A0E73EF14A525D4,
    0xD7F6BF623F1ABA10,
    0xAC06608DF8F6D757,
)


def _trig_reduce(x: float) -> tuple[int, float]:
    """Payne-Hanek reduction of a huge x by Pi/4: (octant j, remainder z)."""
    if x < PI_4:
        return 0, x
    bits = float64bits(x)
    exponent = ((bits >> 52) & 0x7FF) - 1023 - 52
    mantissa = (bits & 0x000FFFFFFFFFFFFF) | (1 << 52)
    digit, shift = divmod(exponent + 61, 64)

    def window(index: int) -> int:
        high = (_M_PI4[index] << shift) & _UINT64
        low = (_M_PI4[index + 1] >> (64 - shift)) if shift else 0
        return high | low

    z0, z1, z2 = window(digit), window(digit + 1), window(digit + 2)
    z2hi = (z2 * mantissa) >> 64
    z1_product = z1 * mantissa
    z1hi, z1lo = z1_product >> 64, z1_product & _UINT64
    z0lo = (z0 * mantissa) & _UINT64
    lo_sum = z1lo + z2hi
    lo, carry = lo_sum & _UINT64, lo_sum >> 64
    hi = (z0lo + z1hi + carry) & _UINT64
    j = hi >> 61
    hi = ((hi << 3) & _UINT64) | (lo >> 61)
    leading = 64 - hi.bit_length()
    e = 1023 - (leading + 1)
    hi = ((hi << (leading + 1)) & _UINT64) | (lo >> (64 - (leading + 1)))
    hi >>= 64 - 52
    hi |= (e & _UINT64) << 52
    z = float64frombits(hi)
    if j & 1 == 1:
        j = (j + 1) & 7
        z -= 1
    return j, z * PI_4


def _octant(x: float) -> tuple[int, float]:
    if x >= _REDUCE_THRESHOLD:
        return _trig_reduce(x)
    j = int(x * FOUR_OVER_PI)
    y = float(j)
    if j & 1 == 1:
        j += 1
        y += 1
    j &= 7
    return j, ((x - y * _PI4A) - y * _PI4B) - y * _PI4C


def _sin_poly(z: float, zz: float) -> float:
    return z + z * zz * ((((((_SIN[0] * zz) + _SIN[1]) * zz + _SIN[2]) * zz + _SIN[3]) * zz + _SIN[4]) * zz + _SIN[5])


def _cos_poly(zz: float) -> float:
    return 1.0 - 0.5 * zz + zz * zz * ((((((_COS[0] * zz) + _COS[1]) * zz + _COS[2]) * zz + _COS[3]) * zz + _COS[4]) * zz + _COS[5])


def sin(x: float) -> float:
    if x == 0 or x != x:
        return x
    if x in (INF, -INF):
        return NAN
    sign = False
    if x < 0:
        x = -x
        sign = True
    j, z = _octant(x)
    if j > 3:
        sign = not sign
        j -= 4
    zz = z * z
    y = _cos_poly(zz) if j in (1, 2) else _sin_poly(z, zz)
    return -y if sign else y


def cos(x: float) -> float:
    if x != x or x in (INF, -INF):
        return NAN
    sign = False
    x = abs(x)
    j, z = _octant(x)
    if j > 3:
        j -= 4
        sign = not sign
    if j > 1:
        sign = not sign
    zz = z * z
    y = _sin_poly(z, zz) if j in (1, 2) else _cos_poly(zz)
    return -y if sign else y


_TAN_P = (-1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7)
_TAN_Q = (1.0, 1.36812963470692954678e4, -1.32089234440210967447e6, 2.50083801823357915839e7, -5.38695755929454629881e7)


def tan(x: float) -> float:
    if x == 0 or x != x:
        return x
    if x in (INF, -INF):
        return NAN
    sign = False
    if x < 0:
        x = -x
        sign = True
    j, z = _octant(x)  # tan only looks at bit 2 of the octant, which the & 7 keeps
    zz = z * z
    if zz > 1e-14:
        y = z + z * (zz * (((_TAN_P[0] * zz) + _TAN_P[1]) * zz + _TAN_P[2]) / ((((zz + _TAN_Q[1]) * zz + _TAN_Q[2]) * zz + _TAN_Q[3]) * zz + _TAN_Q[4]))
    else:
        y = z
    if j & 2 == 2:
        y = -1 / y
    return -y if sign else y


def _xatan(x: float) -> float:
    p0, p1, p2, p3, p4 = (
        -8.750608600031904122785e-01,
        -1.615753718733365076637e01,
        -7.500855792314704667340e01,
        -1.228866684490136173410e02,
        -6.485021904942025371773e01,
    )
    q0, q1, q2, q3, q4 = (
        2.485846490142306297962e01,
        1.650270098316988542046e02,
        4.328810604912902668951e02,
        4.853903996359136964868e02,
        1.945506571482613964425e02,
    )
    z = x * x
    z = z * ((((p0 * z + p1) * z + p2) * z + p3) * z + p4) / (((((z + q0) * z + q1) * z + q2) * z + q3) * z + q4)
    return x * z + x


def _satan(x: float) -> float:
    morebits = 6.123233995736765886130e-17
    tan3pio8 = 2.41421356237309504880
    if x <= 0.66:
        return _xatan(x)
    if x > tan3pio8:
        return PI_2 - _xatan(1 / x) + morebits
    return PI_4 + _xatan((x - 1) / (x + 1)) + 0.5 * morebits


def atan(x: float) -> float:
    if x == 0:
        return x
    if x > 0:
        return _satan(x)
    return -_satan(-x)


def asin(x: float) -> float:
    if x == 0:
        return x
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x > 1:
        return NAN
    temp = math.sqrt(1 - x * x)
    if x > 0.7:
        temp = PI_2 - _satan(temp / x)
    else:
        temp = _satan(x / temp)
    return -temp if sign else temp


def acos(x: float) -> float:
    return PI_2 - asin(x)


def atan2(y: float, x: float) -> float:
    if y != y or x != x:
        return NAN
    if y == 0:
        if x >= 0 and math.copysign(1.0, x) > 0:
            return math.copysign(0.0, y)
        return math.copysign(PI, y)
    if x == 0:
        return math.copysign(PI_2, y)
    if x in (INF, -INF):
        if x == INF:
            return math.copysign(PI_4, y) if y in (INF, -INF) else math.copysign(0.0, y)
        return math.copysign(PI3_4, y) if y in (INF, -INF) else math.copysign(PI, y)
    if y in (INF, -INF):
        return math.copysign(PI_2, y)
    q = atan(y / x)
    if x < 0:
        if q <= 0:
            return q + PI
        return q - PI
    return q


# ----------------------------------------------------------------------------- hyperbolic


def sinh(x: float) -> float:
    p0, p1, p2, p3 = (
        -0.6307673640497716991184787251e6,
        -0.8991272022039509355398013511e5,
        -0.2894211355989563807284660366e4,
        -0.2630563213397497062819489e2,
    )
    q0, q1, q2 = (-0.6307673640497716991212077277e6, 0.1521517378790019070696485176e5, -0.173678953558233699533450911e3)
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x > 21:
        temp = exp(x) / 2
    elif x > 0.5:
        temp = (exp(x) - exp(-x)) / 2
    else:
        sq = x * x
        temp = (((p3 * sq + p2) * sq + p1) * sq + p0) * x
        temp = temp / (((sq + q2) * sq + q1) * sq + q0)
    return -temp if sign else temp


def cosh(x: float) -> float:
    x = abs(x)
    if x > 21:
        return exp(x) / 2
    return (exp(x) + exp(-x)) / 2


def tanh(x: float) -> float:
    maxlog = 8.8029691931113054295988e01
    tanh_p = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
    tanh_q = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)
    z = abs(x)
    if z > 0.5 * maxlog:
        return -1.0 if x < 0 else 1.0
    if z >= 0.625:
        s = exp(2 * z)
        z = 1 - 2 / (s + 1)
        return -z if x < 0 else z
    if x == 0:
        return x
    s = x * x
    return x + x * s * ((tanh_p[0] * s + tanh_p[1]) * s + tanh_p[2]) / (((s + tanh_q[0]) * s + tanh_q[1]) * s + tanh_q[2])


_LN2_DOUBLE = 6.93147180559945286227e-01
_NEAR_ZERO_28 = 1.0 / (1 << 28)
_LARGE_28 = float(1 << 28)


def asinh(x: float) -> float:
    if x != x or x in (INF, -INF):
        return x
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x > _LARGE_28:
        temp = log(x) + _LN2_DOUBLE
    elif x > 2:
        temp = log(2 * x + 1 / (math.sqrt(x * x + 1) + x))
    elif x < _NEAR_ZERO_28:
        temp = x
    else:
        temp = log1p(x + x * x / (1 + math.sqrt(1 + x * x)))
    return -temp if sign else temp


def acosh(x: float) -> float:
    if x < 1 or x != x:
        return NAN
    if x == 1:
        return 0.0
    if x >= _LARGE_28:
        return log(x) + _LN2_DOUBLE
    if x > 2:
        return log(2 * x - 1 / (x + math.sqrt(x * x - 1)))
    t = x - 1
    return log1p(t + math.sqrt(2 * t + t * t))


def atanh(x: float) -> float:
    if x < -1 or x > 1 or x != x:
        return NAN
    if x == 1:
        return INF
    if x == -1:
        return -INF
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x < _NEAR_ZERO_28:
        temp = x
    elif x < 0.5:
        temp = x + x
        temp = 0.5 * log1p(temp + temp * x / (1 - x))
    else:
        temp = 0.5 * log1p((x + x) / (1 - x))
    return -temp if sign else temp


# ----------------------------------------------------------------------------- roots, powers, gamma, erf


def cbrt(x: float) -> float:
    """Go's Cbrt (FreeBSD's s_cbrt.c: a bit-level estimate refined by Newton steps)."""
    b1 = 715094163
    b2 = 696219795
    c = 5.42857142857142815906e-01
    d = -7.05306122448979611050e-01
    e = 1.41428571428571436819e00
    f = 1.60714285714285720630e00
    g = 3.57142857142857150787e-01
    smallest_normal = 2.22507385850720138309e-308
    if x == 0 or x != x or x in (INF, -INF):
        return x
    sign = False
    if x < 0:
        x = -x
        sign = True
    t = float64frombits(float64bits(x) // 3 + (b1 << 32))
    if x < smallest_normal:
        t = float(1 << 54)
        t *= x
        t = float64frombits(float64bits(t) // 3 + (b2 << 32))
    r = t * t / x
    s = c + r * t
    t *= g + f / (s + e + d / s)
    t = float64frombits(((float64bits(t) & (0xFFFFFFFFC << 28)) + (1 << 30)) & _UINT64)
    s = t * t
    r = x / s
    w = t + t
    r = (r - t) / (w + r)
    t = t + t * r
    return -t if sign else t


def hypot(p: float, q: float) -> float:
    """Go's Hypot on amd64 (assembly): max * sqrt(1 + (min/max)**2)."""
    p, q = abs(p), abs(q)
    if not (math.isfinite(p) and math.isfinite(q)):
        if p == INF or q == INF:
            return INF
        return NAN
    if p == 0 and q == 0:
        return 0.0
    big, small = (p, q) if p >= q else (q, p)
    ratio = small / big
    return big * math.sqrt(ratio * ratio + 1.0)


def _is_odd_int(x: float) -> bool:
    whole, frac = modf(x)
    return frac == 0 and go_int(whole) & 1 == 1


def pow(x: float, y: float) -> float:
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if x != x or y != y:
        return NAN
    if x == 0:
        if y < 0:
            if _is_odd_int(y):
                return math.copysign(INF, x)
            return INF
        if y > 0:
            if _is_odd_int(y):
                return x
            return 0.0
    if y in (INF, -INF):
        if x == -1:
            return 1.0
        if (abs(x) < 1) == (y == INF):
            return 0.0
        return INF
    if x in (INF, -INF):
        if x == -INF:
            return pow(1 / x, -y)
        if y < 0:
            return 0.0
        if y > 0:
            return INF
    if y == 0.5:
        return math.sqrt(x) if x >= 0 else NAN
    if y == -0.5:
        return 1 / math.sqrt(x) if x > 0 else (INF if x == 0 else NAN)
    yi, yf = modf(abs(y))
    if yf != 0 and x < 0:
        return NAN
    if yi >= 9223372036854775808.0:
        if x == -1:
            return 1.0
        if (abs(x) < 1) == (y > 0):
            return 0.0
        return INF
    a1 = 1.0
    ae = 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = exp(yf * log(x))
    x1, xe = math.frexp(x)
    i = go_int(yi)
    while i != 0:
        if xe < -(1 << 12) or (1 << 12) < xe:
            ae += xe
            break
        if i & 1 == 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if y < 0:
        a1 = 1 / a1
        ae = -ae
    return ldexp(a1, ae)


_GAM_P = (
    1.60119522476751861407e-04,
    1.19135147006586384913e-03,
    1.04213797561761569935e-02,
    4.76367800457137231464e-02,
    2.07448227648435975150e-01,
    4.94214826801497100753e-01,
    9.99999999999999996796e-01,
)
_GAM_Q = (
    -2.31581873324120129819e-05,
    5.39605580493303397842e-04,
    -4.45641913851797240494e-03,
    1.18139785222060435552e-02,
    3.58236398605498653373e-02,
    -2.34591795718243348568e-01,
    7.14304917030273074085e-02,
    1.00000000000000000320e00,
)
_GAM_S = (
    7.87311395793093628397e-04,
    -2.29549961613378126380e-04,
    -2.68132617805781232825e-03,
    3.47222221605458667310e-03,
    8.33333333333482257126e-02,
)


def _stirling(x: float) -> tuple[float, float]:
    if x > 200:
        return INF, 1.0
    sqrt_two_pi = 2.506628274631000502417
    max_stirling = 143.01608
    w = 1 / x
    w = 1 + w * ((((_GAM_S[0] * w + _GAM_S[1]) * w + _GAM_S[2]) * w + _GAM_S[3]) * w + _GAM_S[4])
    y1 = exp(x)
    y2 = 1.0
    if x > max_stirling:
        v = pow(x, 0.5 * x - 0.25)
        y1, y2 = v, v / y1
    else:
        y1 = pow(x, x - 0.5) / y1
    return y1, sqrt_two_pi * w * y2


def _is_neg_int(x: float) -> bool:
    if x < 0:
        return modf(x)[1] == 0
    return False


def gamma(x: float) -> float:
    euler = 0.57721566490153286060651209008240243104215933593992
    if _is_neg_int(x) or x == -INF or x != x:
        return NAN
    if x == INF:
        return INF
    if x == 0:
        return -INF if math.copysign(1.0, x) < 0 else INF
    q = abs(x)
    p: float = math.floor(q)
    if q > 33:
        if x >= 0:
            y1, y2 = _stirling(x)
            return y1 * y2
        signgam = 1
        if go_int(p) & 1 == 0:
            signgam = -1
        z = q - p
        if z > 0.5:
            p = p + 1
            z = q - p
        z = q * sin(PI * z)
        if z == 0:
            return math.copysign(INF, signgam)
        sq1, sq2 = _stirling(q)
        absz = abs(z)
        d = absz * sq1 * sq2
        if d in (INF, -INF):
            z = PI / absz / sq1 / sq2
        else:
            z = PI / d
        return float(signgam) * z
    z = 1.0
    while x >= 3:
        x = x - 1
        z = z * x
    small = False
    while x < 0:
        if x > -1e-09:
            small = True
            break
        z = z / x
        x = x + 1
    if not small:
        while x < 2:
            if x < 1e-09:
                small = True
                break
            z = z / x
            x = x + 1
    if small:
        if x == 0:
            return INF
        return z / ((1 + euler * x) * x)
    if x == 2:
        return z
    x = x - 2
    p = (((((x * _GAM_P[0] + _GAM_P[1]) * x + _GAM_P[2]) * x + _GAM_P[3]) * x + _GAM_P[4]) * x + _GAM_P[5]) * x + _GAM_P[6]
    q = ((((((x * _GAM_Q[0] + _GAM_Q[1]) * x + _GAM_Q[2]) * x + _GAM_Q[3]) * x + _GAM_Q[4]) * x + _GAM_Q[5]) * x + _GAM_Q[6]) * x + _GAM_Q[7]
    return z * p / q


_ERX = 8.45062911510467529297e-01
_EFX = 1.28379167095512586316e-01
_EFX8 = 1.02703333676410069053e00
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06)
_PA = (
    -2.36211856075265944077e-03,
    4.14856118683748331666e-01,
    -3.72207876035701323847e-01,
    3.18346619901161753674e-01,
    -1.10894694282396677476e-01,
    3.54783043256182359371e-02,
    -2.16637559486879084300e-03,
)
_QA = (1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02)
_RA = (
    -9.86494403484714822705e-03,
    -6.93858572707181764372e-01,
    -1.05586262253232909814e01,
    -6.23753324503260060396e01,
    -1.62396669462573470355e02,
    -1.84605092906711035994e02,
    -8.12874355063065934246e01,
    -9.81432934416914548592e00,
)
_SA = (
    1.96512716674392571292e01,
    1.37657754143519042600e02,
    4.34565877475229228821e02,
    6.45387271733267880336e02,
    4.29008140027567833386e02,
    1.08635005541779435134e02,
    6.57024977031928170135e00,
    -6.04244152148580987438e-02,
)
_RB = (
    -9.86494292470009928597e-03,
    -7.99283237680523006574e-01,
    -1.77579549177547519889e01,
    -1.60636384855821916062e02,
    -6.37566443368389627722e02,
    -1.02509513161107724954e03,
    -4.83519191608651397019e02,
)
_SB = (
    3.03380607434824582924e01,
    3.25792512996573918826e02,
    1.53672958608443695994e03,
    3.19985821950859553908e03,
    2.55305040643316442583e03,
    4.74528541206955367215e02,
    -2.24409524465858183362e01,
)
_ONE_OVER_035 = float(1 / _F("0.35"))


def _horner_tail(s: float, coefficients: tuple) -> float:
    """c0 + s*(c1 + s*(c2 + ...)) evaluated innermost first, as written in Go."""
    result = coefficients[-1]
    for coefficient in reversed(coefficients[:-1]):
        result = coefficient + s * result
    return result


def _erf_small(x: float) -> float:
    z = x * x
    r = _horner_tail(z, _PP)
    s = 1 + z * _horner_tail(z, _QQ)
    return r / s


def _erf_pq(x: float) -> tuple[float, float]:
    s = x - 1
    return _horner_tail(s, _PA), 1 + s * _horner_tail(s, _QA)


def _erf_rs(x: float) -> tuple[float, float]:
    s = 1 / (x * x)
    if x < _ONE_OVER_035:
        return _horner_tail(s, _RA), 1 + s * _horner_tail(s, _SA)
    return _horner_tail(s, _RB), 1 + s * _horner_tail(s, _SB)


def _erf_tail(x: float, big_r: float, big_s: float) -> float:
    z = float64frombits(float64bits(x) & 0xFFFFFFFF00000000)
    return exp(-z * z - 0.5625) * exp((z - x) * (z + x) + big_r / big_s)


def erf(x: float) -> float:
    very_tiny = 2.848094538889218e-306
    small = 1.0 / (1 << 28)
    if x != x:
        return NAN
    if x == INF:
        return 1.0
    if x == -INF:
        return -1.0
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x < 0.84375:
        if x < small:
            temp = 0.125 * (8.0 * x + _EFX8 * x) if x < very_tiny else x + _EFX * x
        else:
            temp = x + x * _erf_small(x)
        return -temp if sign else temp
    if x < 1.25:
        big_p, big_q = _erf_pq(x)
        return -_ERX - big_p / big_q if sign else _ERX + big_p / big_q
    if x >= 6:
        return -1.0 if sign else 1.0
    big_r, big_s = _erf_rs(x)
    r = _erf_tail(x, big_r, big_s)
    return r / x - 1 if sign else 1 - r / x


def erfc(x: float) -> float:
    tiny = 1.0 / (1 << 56)
    if x != x:
        return NAN
    if x == INF:
        return 0.0
    if x == -INF:
        return 2.0
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x < 0.84375:
        if x < tiny:
            temp = x
        else:
            y = _erf_small(x)
            temp = x + x * y if x < 0.25 else 0.5 + (x * y + (x - 0.5))
        return 1 + temp if sign else 1 - temp
    if x < 1.25:
        big_p, big_q = _erf_pq(x)
        return 1 + _ERX + big_p / big_q if sign else 1 - _ERX - big_p / big_q
    if x < 28:
        if x >= _ONE_OVER_035 and sign and x > 6:
            return 2.0
        big_r, big_s = _erf_rs(x)
        r = _erf_tail(x, big_r, big_s)
        return 2 - r / x if sign else r / x
    return 2.0 if sign else 0.0


def logb(x: float) -> float:
    if x == 0:
        return -INF
    if x in (INF, -INF):
        return INF
    if x != x:
        return x
    return float(math.frexp(x)[1] - 1)


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

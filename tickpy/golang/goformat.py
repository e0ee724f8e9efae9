"""Go's strconv, and fmt's %v of a scalar: how Go spells numbers and strings, and how it reads them.

Kapacitor's messages and conversions print values the way Go's `fmt` and `strconv` do (`%v`
of 1.0 is "1", of 1e6 is "1e+06"; NaN is "NaN", +Inf "+Inf"), quote them the way
strconv.Quote does, and parse text with strconv's rules. Durations and times are `gotime`'s.
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata

from tickpy.golang.gotime import format_go_duration
from tickpy.golang.gotypes import INT64_MAX, UINT64_MAX, Duration, Time

# --- parsing -----------------------------------------------------------------------------------


class GoNumError(ValueError):
    """strconv's *NumError; str() is Go's text: strconv.ParseInt: parsing "x": invalid syntax."""


class GoSyntaxError(GoNumError):
    """A *NumError wrapping strconv.ErrSyntax."""


class GoRangeError(GoNumError):
    """A *NumError wrapping strconv.ErrRange."""


def _syntax_error(function: str, text: str) -> GoSyntaxError:
    return GoSyntaxError(f"strconv.{function}: parsing {go_quote(text)}: invalid syntax")


def _range_error(function: str, text: str) -> GoRangeError:
    return GoRangeError(f"strconv.{function}: parsing {go_quote(text)}: value out of range")


def _uint64_of(text: str, base: int, function: str, shown: str) -> int:
    """The loop of Go's ParseUint(text, base, 64), failing with the first error met digit by digit
    (so "99999999999999999999x" is out of range, not bad syntax), in the words of `function`
    parsing `shown`. Base 0 reads a 0b/0o/0x/0 prefix and allows '_' between digits."""
    if not text:
        raise _syntax_error(function, shown)
    if base == 10 and text.isascii() and text.isdigit():
        significant = text.lstrip("0")
        # Past 20 digits no uint64 fits; int() would also refuse past Python's 4,300-digit limit.
        if len(significant) > 20:
            raise _range_error(function, shown)
        value = int(significant or "0")
        if value > UINT64_MAX:
            raise _range_error(function, shown)
        return value
    prefixed = base == 0
    digits = text
    if prefixed:
        base = 10
        if text[0] == "0":
            prefix = text[1:2].lower()
            if len(text) >= 3 and prefix in ("b", "o", "x"):
                base, digits = {"b": 2, "o": 8, "x": 16}[prefix], text[2:]
            else:
                base, digits = 8, text[1:]
    value = 0
    underscores = False
    for char in digits:
        if char == "_" and prefixed:
            underscores = True
            continue
        if "0" <= char <= "9":
            digit = ord(char) - 48
        elif char.isascii() and "a" <= char.lower() <= "z":
            digit = ord(char.lower()) - 87
        else:
            raise _syntax_error(function, shown)
        if digit >= base:
            raise _syntax_error(function, shown)
        value = value * base + digit
        if value > UINT64_MAX:
            raise _range_error(function, shown)
    if underscores and not _underscores_ok(text):
        raise _syntax_error(function, shown)
    return value


def parse_int(text: str, base: int = 10) -> int:
    """Go's strconv.ParseInt(text, base, 64), base 0 or 2..36."""
    negative = text[:1] == "-"
    value = _uint64_of(text[1:] if text[:1] in ("+", "-") else text, base, "ParseInt", text)
    if value > (INT64_MAX + 1 if negative else INT64_MAX):
        raise _range_error("ParseInt", text)
    return -value if negative else value


def atoi(text: str) -> int:
    """Go's strconv.Atoi on a 64-bit machine: ParseInt(text, 10, 0), its errors naming Atoi."""
    try:
        return parse_int(text)
    except GoSyntaxError:
        raise _syntax_error("Atoi", text) from None
    except GoRangeError:
        raise _range_error("Atoi", text) from None


def parse_uint(text: str, base: int = 10) -> int:
    """Go's strconv.ParseUint(text, base, 64), base 0 or 2..36."""
    return _uint64_of(text, base, "ParseUint", text)


def _underscores_ok(text: str) -> bool:
    """Go's underscoreOK: '_' only between digits, or between a base prefix and a digit."""
    if text[:1] in ("+", "-"):
        text = text[1:]
    saw = "^"
    i = 0
    hex_digits = False
    if len(text) >= 2 and text[0] == "0" and text[1] in "bBoOxX":
        i = 2
        saw = "0"
        hex_digits = text[1] in "xX"
    while i < len(text):
        c = text[i]
        if "0" <= c <= "9" or (hex_digits and c in "abcdefABCDEF"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


_DECIMAL_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?").fullmatch
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+").fullmatch


def parse_float(text: str) -> float:
    """Go's strconv.ParseFloat(text, 64): decimal and hexadecimal (0x1p-2) syntax, Inf/Infinity
    and NaN in any case (no sign before NaN), '_' between digits; ErrRange past float64."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if body.lower() in ("inf", "infinity"):
        return -math.inf if text[0] == "-" else math.inf
    if text.lower() == "nan":
        return math.nan
    digits = text
    if "_" in text:
        if not _underscores_ok(text):
            raise _syntax_error("ParseFloat", text)
        digits = text.replace("_", "")
    if _DECIMAL_FLOAT(digits):
        value = float(digits)
    elif _HEX_FLOAT(digits):
        value = float.fromhex(digits)
    else:
        raise _syntax_error("ParseFloat", text)
    if value in (math.inf, -math.inf):
        raise _range_error("ParseFloat", text)
    return value


_BOOL_WORDS = {
    "1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
    "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False,
}  # fmt: skip


def parse_bool(text: str) -> bool:
    """Go's strconv.ParseBool."""
    try:
        return _BOOL_WORDS[text]
    except KeyError:
        raise _syntax_error("ParseBool", text) from None


# --- floats --------------------------------------------------------------------------------------


def shortest_digits(value: float) -> tuple[str, int]:
    """strconv's shortest round-tripping decimal digits of |value| and the decimal point position
    (|value| == 0.DIGITS * 10**point); ("0", 1) for zero. Python's repr has the same digits."""
    if value == 0:
        return "0", 1
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    scale = int(exponent) if exponent else 0
    if not whole.strip("0"):
        # 0.000123 -> digits "123", point -3
        digits = fraction.lstrip("0")
        point = -(len(fraction) - len(digits)) + scale
    else:
        digits = (whole + fraction).lstrip("0")
        point = len(whole) + scale
    return digits.rstrip("0") or "0", point


def not_finite_text(value: float) -> str | None:
    """How strconv spells NaN and the infinities (every format writes them this way); None for a
    finite value."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "+Inf" if value > 0 else "-Inf"
    return None


def _positional(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * (-point) + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def _exponential(sign: str, digits: str, exponent: int) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def _sign(value: float) -> str:
    return "-" if math.copysign(1.0, value) < 0 else ""


def format_float_f(value: float) -> str:
    """Go's strconv.FormatFloat(value, 'f', -1, 64): shortest digits, never an exponent."""
    special = not_finite_text(value)
    if special is not None:
        return special
    return _sign(value) + _positional(*shortest_digits(value))


def format_float_e(value: float) -> str:
    """Go's strconv.FormatFloat(value, 'e', -1, 64): d.ddde±XX, at least two exponent digits."""
    special = not_finite_text(value)
    if special is not None:
        return special
    digits, point = shortest_digits(value)
    return _exponential(_sign(value), digits, point - 1 if value != 0 else 0)


def format_float_v(value: float) -> str:
    """Go's `%v` of a float64, strconv.FormatFloat(value, 'g', -1, 64): shortest digits, with an
    exponent when it is below -4 or at least 6 (1e-05, 1e+06), as 'g' decides for shortest."""
    special = not_finite_text(value)
    if special is not None:
        return special
    digits, point = shortest_digits(value)
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        return _exponential(_sign(value), digits, exponent)
    return _sign(value) + _positional(digits, point)


def _round_digits(value: float, significant: int) -> tuple[str, int]:
    """Digits of abs(value) rounded to `significant` digits (half-even on exact ties, as strconv)
    and the decimal point position."""
    if value == 0:
        return "0" * max(significant, 1), 1
    text = f"{abs(value):.{max(significant - 1, 0)}e}"
    mantissa, exponent = text.split("e")
    digits = mantissa.replace(".", "")
    return digits, int(exponent) + 1


def format_float(value: float, fmt: str, prec: int) -> str:
    """Go's strconv.FormatFloat(value, fmt, prec, 64) for fmt in e E f F g G x X b."""
    special = not_finite_text(value)
    if special is not None:
        return special
    sign = _sign(value)
    if fmt in "xX":
        return sign + _hex_float(abs(value), prec, fmt == "X")
    if fmt == "b":
        if value == 0:
            return sign + "0p-1074"
        bits = struct.unpack(">Q", struct.pack(">d", abs(value)))[0]
        exp = (bits >> 52) & 0x7FF
        mant = bits & ((1 << 52) - 1)
        if exp == 0:
            exp = 1
        else:
            mant |= 1 << 52
        return f"{sign}{mant}p{exp - 1075:+d}"
    if fmt in "fF":
        if prec < 0:
            return format_float_f(value)
        return sign + f"{abs(value):.{prec}f}"
    if fmt in "eE":
        if prec < 0:
            text = format_float_e(value)
        else:
            digits, point = _round_digits(value, prec + 1)
            exponent = point - 1 if value != 0 else 0
            mantissa = digits[0] + ("." + digits[1 : prec + 1] if prec > 0 else "")
            text = f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
        return text.upper() if fmt == "E" else text
    if fmt in "gG":
        if prec < 0:
            text = format_float_v(value)
            return text.upper() if fmt == "G" else text
        if prec == 0:
            prec = 1
        digits, point = _round_digits(value, prec)
        digits = digits.rstrip("0") or "0"
        if value == 0:
            digits, point = "0", 1
        eprec = len(digits) if prec > len(digits) and len(digits) >= point else prec
        exponent = point - 1
        if exponent < -4 or exponent >= eprec:
            text = _exponential(sign, digits, exponent)
            return text.upper() if fmt == "G" else text
        return sign + _positional(digits, point)
    raise ValueError(fmt)


def _hex_float(value: float, prec: int, upper: bool) -> str:
    if value == 0:
        mantissa_text = "0"
        if prec > 0:
            mantissa_text += "." + "0" * prec
        text = f"0x{mantissa_text}p+00"
        return text.upper() if upper else text
    mantissa, exponent = math.frexp(value)  # value = mantissa * 2**exponent, 0.5 <= m < 1
    mantissa *= 2
    exponent -= 1
    # mantissa in [1, 2): 52 fraction bits
    bits = int(mantissa * (1 << 52))
    frac = bits & ((1 << 52) - 1)
    lead = bits >> 52
    if prec < 0:
        digits = f"{frac:013x}".rstrip("0")
    else:
        # round the 52-bit fraction to prec hex digits (half to even)
        shift = 52 - 4 * prec
        if shift > 0:
            full = bits
            half = 1 << (shift - 1)
            remainder = full & ((1 << shift) - 1)
            full >>= shift
            if remainder > half or (remainder == half and full & 1):
                full += 1
            if full >> (4 * prec) >= 2:
                full >>= 1
                exponent += 1
            lead = full >> (4 * prec)
            frac = full & ((1 << (4 * prec)) - 1)
            digits = f"{frac:0{prec}x}" if prec else ""
        else:
            digits = f"{frac:013x}" + "0" * (prec - 13)
    text = f"0x{lead}" + ("." + digits if digits else "") + f"p{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return text.upper() if upper else text


# --- quoting ---------------------------------------------------------------------------------------


def is_go_printable(char: str) -> bool:
    """Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space."""
    return char == " " or unicodedata.category(char)[0] in "LMNPS"


def is_go_letter(char: str) -> bool:
    """Go's unicode.IsLetter (categories L*)."""
    return char.isalpha()


def is_go_digit(char: str) -> bool:
    """Go's unicode.IsDigit (category Nd)."""
    return char.isdecimal()


_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _escaped_rune(char: str, quote: str, ascii_only: bool) -> str:
    """strconv's appendEscapedRune. A raw byte that was not valid UTF-8 (kept as a surrogate
    escape, U+DC80..U+DCFF, e.g. after strSubstring cut a character) is written \\xXX, as Go
    writes an invalid byte."""
    if char == quote or char == "\\":
        return "\\" + char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if (code < 0x80 or not ascii_only) and is_go_printable(char):
        return char
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def go_quote(text: str) -> str:
    """Go's strconv.Quote (and `%q` of a string)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return '"' + "".join(_escaped_rune(char, '"', False) for char in text) + '"'


def quote_to_ascii(text: str) -> str:
    """Go's strconv.QuoteToASCII (`%+q` of a string)."""
    return '"' + "".join(_escaped_rune(char, '"', True) for char in text) + '"'


def quote_rune(code: int, ascii_only: bool = False) -> str:
    """Go's strconv.QuoteRune, or QuoteRuneToASCII with ascii_only (`%q`/`%+q` of a rune). A code
    that is not a valid rune (a surrogate, as a lone undecodable byte is held) is U+FFFD."""
    if code < 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    return "'" + _escaped_rune(chr(code), "'", ascii_only) + "'"


def can_backquote(text: str) -> bool:
    """Go's strconv.CanBackquote: a raw `...` literal can hold the text unchanged."""
    for ch in text:
        code = ord(ch)
        if ch == "`" or 0xDC80 <= code <= 0xDCFF or ch == "\ufeff":
            return False
        if code < 0x20 and ch != "\t" or code == 0x7F:
            return False
    return True


_UNQUOTE_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}


def unquote_char(text: str) -> tuple[int, str] | None:
    """Go's strconv.UnquoteChar on the body of a literal: (code, tail), None when invalid."""
    if not text:
        return None
    if text[0] != "\\":
        return ord(text[0]), text[1:]
    if len(text) < 2:
        return None
    esc = text[1]
    if esc in _UNQUOTE_SIMPLE:
        return _UNQUOTE_SIMPLE[esc], text[2:]
    if esc in "xuU":
        size = {"x": 2, "u": 4, "U": 8}[esc]
        digits = text[2 : 2 + size]
        if len(digits) < size or any(c not in "0123456789abcdefABCDEF" for c in digits):
            return None
        return int(digits, 16), text[2 + size :]
    if esc in "01234567":
        digits = text[1:4]
        if len(digits) < 3 or any(c not in "01234567" for c in digits):
            return None
        value = int(digits, 8)
        if value > 255:
            return None
        return value, text[4:]
    return None


def go_unquote(text: str) -> str | None:
    """Go's strconv.Unquote for "..." and `...` literals; None when invalid."""
    if len(text) < 2:
        return None
    if text[0] == "`":
        if text[-1] != "`" or "`" in text[1:-1]:
            return None
        return text[1:-1].replace("\r", "")
    if text[0] != '"' or text[-1] != '"':
        return None
    body = text[1:-1]
    out = []
    raw_bytes = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == '"' or ch == "\n":
            return None
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1 : i + 2]
        if esc == "'":
            return None
        if esc in ("x",) or esc in tuple("01234567"):
            parsed = unquote_char(body[i:])
            if parsed is None:
                return None
            code, tail = parsed
            # \x and octal escapes are bytes; gather them and decode as UTF-8
            raw_bytes.clear()
            raw_bytes.append(code)
            rest = tail
            while rest.startswith("\\") and rest[1:2] and (rest[1] == "x" or rest[1] in "01234567"):
                again = unquote_char(rest)
                if again is None:
                    return None
                raw_bytes.append(again[0])
                rest = again[1]
            out.append(bytes(raw_bytes).decode("utf-8", errors="surrogateescape"))
            i = len(body) - len(rest)
            continue
        parsed = unquote_char(body[i:])
        if parsed is None:
            return None
        code, tail = parsed
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            return None
        out.append(chr(code))
        i = len(body) - len(tail)
    return "".join(out)


# --- %v ------------------------------------------------------------------------------------------


def format_value_v(value: object) -> str:
    """Go's `%v` of a value: a scalar, a time.Duration or time.Time, nil, or what JSON decodes
    into an interface{} ([]interface{} as "[a b]", map[string]interface{} as "map[k:v]" with
    the keys sorted). A Stringer, such as a regex, prints its String()."""
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is float:
        return format_float_v(value)
    if type(value) is int:
        return str(value)
    if type(value) is Duration:
        return format_go_duration(value.nanoseconds)
    if type(value) is Time:
        return str(value.nanoseconds)
    if value is None:
        return "<nil>"
    if type(value) is list:
        return "[" + " ".join(format_value_v(item) for item in value) + "]"
    if type(value) is dict:
        return "map[" + " ".join(f"{format_value_v(k)}:{format_value_v(value[k])}" for k in sorted(value, key=str)) + "]"
    return str(value)

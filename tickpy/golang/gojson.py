"""JSON text exactly as Go's `encoding/json` writes it for the values Kapacitor marshals.

Kapacitor's alert wire format, the `json`/`jsonCompact` template functions and the httpOut
results all come from `encoding/json`, so their bytes differ from Python's `json` module:
compact separators, map keys sorted, `<` `>` `&` U+2028 U+2029 escaped as `\\u003c`..., floats
in Go's shortest form without a trailing `.0`, and NaN/Inf refused.

Python values map to Go values as follows:
- `None` -> null; `bool`; `int` (int64); `float` (float64); `str`; `bytes` -> base64 string
- `list`/`tuple` -> array; `dict` -> object with keys sorted (a Go map)
- `Struct` (a dict subclass) -> object with keys in insertion order (a Go struct)
- `tickpy.lang.values.Time` -> RFC 3339 string with nanoseconds; `Duration` -> integer ns
- `RawJSON` -> its text, unchanged (already valid JSON)
"""

from __future__ import annotations

import base64
import json
import math
import re

from tickpy.golang.goformat import format_float_e, format_float_f
from tickpy.golang.gotime import days_from_civil, format_time_rfc3339nano
from tickpy.golang.gotypes import Duration, Time


class GoJSONError(ValueError):
    """Marshalling failed the way Go's would (the message is Go's)."""


class Struct(dict):
    """A Go struct: its fields are written in insertion order, not sorted."""

    __slots__ = ()

    @classmethod
    def omitting_empty(cls, pairs, omitempty=()):
        """A struct from (key, value) pairs, leaving out the `omitempty` keys whose value is empty."""
        out = cls()
        for key, value in pairs:
            if key in omitempty and is_empty(value):
                continue
            out[key] = value
        return out


class RawJSON(str):
    """Text that is already JSON (Go's json.RawMessage after compaction)."""

    __slots__ = ()


def is_empty(value) -> bool:
    """Go's `omitempty` test: false, 0, "", nil, and empty arrays/maps are empty."""
    if value is None or value is False:
        return True
    if type(value) in (int, float):
        return value == 0
    if isinstance(value, (str, bytes, list, tuple, dict)):
        return len(value) == 0
    return False


# --- strings ---------------------------------------------------------------------------------

_HEX = "0123456789abcdef"
_ESCAPES: dict[int, str] = {}
for _code in range(0x20):
    _ESCAPES[_code] = "\\u00" + _HEX[_code >> 4] + _HEX[_code & 0xF]
_ESCAPES.update(
    {
        ord("\b"): "\\b",  # Go >= 1.22 writes \b and \f in short form
        ord("\f"): "\\f",
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord("\t"): "\\t",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
        ord("<"): "\\u003c",
        ord(">"): "\\u003e",
        ord("&"): "\\u0026",
        0x2028: "\\u2028",
        0x2029: "\\u2029",
    }
)
# Lone surrogates stand for bytes that were not valid UTF-8 (surrogateescape): Go writes
# one U+FFFD per invalid byte. Other surrogates are 3 invalid bytes in Go's eyes.
for _code in range(0xD800, 0xE000):
    _ESCAPES[_code] = "\\ufffd" if 0xDC80 <= _code <= 0xDCFF else "\\ufffd" * 3
_TRANSLATION = str.maketrans(_ESCAPES)
_NEEDS_ESCAPE = frozenset(chr(c) for c in _ESCAPES)
# The characters common in alert text are replaced by chained str.replace (C speed; a
# translate with a dict raises and catches a KeyError per unmapped character). The backslash
# goes first: the other replacements bring backslashes in. Text with any of the rare others
# (control characters, U+2028/9, surrogates) goes through translate.
_COMMON_ESCAPES = tuple((ch, _ESCAPES[ord(ch)]) for ch in '\\"<>&\n\t\r')
_RARE_ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u2028\u2029\ud800-\udfff]").search


def quote_string(text: str) -> str:
    """A Go JSON string literal (with HTML escaping, as json.Marshal and Encoder default to)."""
    if _NEEDS_ESCAPE.isdisjoint(text):
        return '"' + text + '"'
    escaped = text
    for ch, replacement in _COMMON_ESCAPES:
        if ch in escaped:
            escaped = escaped.replace(ch, replacement)
    # Every rare character is unprintable (isprintable is cheaper than the search).
    if not escaped.isprintable() and _RARE_ESCAPE(text) is not None:
        return '"' + text.translate(_TRANSLATION) + '"'
    return '"' + escaped + '"'


# --- numbers ---------------------------------------------------------------------------------


def format_json_float(value: float) -> str:
    """A float64 as encoding/json writes it (ES6 number formatting): strconv's 'f' format with
    the shortest digits for 1e-6 <= |x| < 1e21 (and zero), 'e' otherwise with e-07 written
    e-7. Python's repr has the same shortest digits; only its layout is rearranged here.
    (An alert writes each field twice, in its details and its data: recent texts are kept.)"""
    text = _RECENT_FLOAT_TEXTS.get(value)
    if text is not None:
        return text
    text = _json_float_text(value)
    if value:  # not zero, whose key would also match -0.0; NaN raised already
        if len(_RECENT_FLOAT_TEXTS) >= 2048:
            _RECENT_FLOAT_TEXTS.clear()
        _RECENT_FLOAT_TEXTS[value] = text
    return text


_RECENT_FLOAT_TEXTS: dict[float, str] = {}


def _json_float_text(value: float) -> str:
    text = repr(value)
    if "e" not in text:  # repr is positional for 1e-4 <= |x| < 1e16 and zero
        if text[-2:] == ".0":
            return text[:-2]
        if value != value or value in (math.inf, -math.inf):
            return _slow_json_float(value)  # raises Go's error
        return text
    mantissa, _, exponent_text = text.partition("e")
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        return text.replace("e-0", "e-")  # repr writes at least two exponent digits, as Go
    sign = ""
    if mantissa[0] == "-":
        sign, mantissa = "-", mantissa[1:]
    digits = mantissa.replace(".", "")  # d.ddd: the value is 0.dddd * 10**point
    point = int(exponent_text) + 1
    if point <= 0:
        return sign + "0." + "0" * (-point) + digits
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return sign + digits[:point] + "." + digits[point:]


def _slow_json_float(value: float) -> str:
    """The reference for `format_json_float` (kept for tests): through shortest_digits."""
    if value != value:
        raise GoJSONError("json: unsupported value: NaN")
    if value in (float("inf"), float("-inf")):
        raise GoJSONError(f"json: unsupported value: {'+Inf' if value > 0 else '-Inf'}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = format_float_e(value)
        # Go trims one leading zero of a negative exponent: e-07 -> e-7
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return format_float_f(value)


# --- time ------------------------------------------------------------------------------------


def marshal_time(ns: int) -> str:
    """A time.Time's JSON: its RFC 3339 text in quotes (GoJSONError outside years 0-9999).
    (An alert writes its time three times: recent texts are kept.)"""
    text = _RECENT_TIME_TEXTS.get(ns)
    if text is None:
        text = _marshal_time_text(ns)
        if len(_RECENT_TIME_TEXTS) >= 256:
            _RECENT_TIME_TEXTS.clear()
        _RECENT_TIME_TEXTS[ns] = text
    return text


_RECENT_TIME_TEXTS: dict[int, str] = {}


def _marshal_time_text(ns: int) -> str:
    if not _YEAR_0_NS <= ns < _YEAR_10000_NS:
        raise GoJSONError(
            "json: error calling MarshalJSON for type time.Time: "
            "Time.MarshalJSON: year outside of range [0,9999]"
        )
    return '"' + format_time_rfc3339nano(ns) + '"'


# Time.MarshalJSON refuses years outside 0..9999.
_YEAR_0_NS = days_from_civil(0, 1, 1) * 86400 * 1_000_000_000
_YEAR_10000_NS = days_from_civil(10000, 1, 1) * 86400 * 1_000_000_000


# --- decoder ---------------------------------------------------------------------------------


class NumberRangeError(ValueError):
    """A JSON number past float64, which Go's json.Unmarshal refuses (an *UnmarshalTypeError);
    `text` is the number as written."""

    def __init__(self, text: str):
        super().__init__("number out of range")
        self.text = text


def json_float(text: str) -> float:
    """A parse_float (or parse_int) hook for json.loads: the float64 Go reads, NumberRangeError past it."""
    number = float(text)
    if math.isinf(number):
        raise NumberRangeError(text)
    return number


def json_int(text: str) -> int:
    """A parse_int hook for json.loads that keeps integers as int: NumberRangeError for one no
    float64 holds (Python's int() would refuse one of more than 4,300 digits)."""
    json_float(text)
    return int(text)


def _no_constant(text: str):
    raise ValueError(f"not JSON: {text}")


def unmarshal(text: str):
    """Go's json.Unmarshal into an interface{}: maps, slices, strings, bools, nil, and every
    number a float64 (NaN, Infinity and numbers past float64 refused); ValueError when Go
    refuses the text."""
    return json.loads(text, parse_int=json_float, parse_float=json_float, parse_constant=_no_constant)


_STREAM_DECODER = json.JSONDecoder(parse_int=json_float, parse_float=json_float, parse_constant=_no_constant)
_JSON_SPACE = " \t\n\r"


def decode_stream(text: str):
    """Go's json.Decoder over `text` (`for dec.More() { dec.Decode(&v) }` into interface{}):
    each value in turn, values separated by nothing or by whitespace, numbers as in `unmarshal`.
    ValueError (with the value's 1-based line) at the first value Go's decoder refuses."""
    index, end = 0, len(text)
    while True:
        while index < end and text[index] in _JSON_SPACE:
            index += 1
        if index >= end:
            return
        try:
            value, index = _STREAM_DECODER.raw_decode(text, index)
        except ValueError as error:
            line = text.count("\n", 0, getattr(error, "pos", index)) + 1
            raise ValueError(f"line {line}: {getattr(error, 'msg', error)}") from None
        yield value


# --- encoder ---------------------------------------------------------------------------------


_QUOTED_KEYS: dict[str, str] = {}  # object keys recur (struct fields, tags, columns): quoted once


def _quoted_key(key: str) -> str:
    quoted = _QUOTED_KEYS.get(key)
    if quoted is None:
        quoted = quote_string(key)
        if len(_QUOTED_KEYS) >= 4096:
            _QUOTED_KEYS.clear()
        _QUOTED_KEYS[key] = quoted
    return quoted


def _encode(value, out: list) -> None:
    # Members that are exactly str, float or int are written inline (the common case in alert
    # data), everything else through the full dispatch below; the bytes are the same.
    kind = type(value)
    append = out.append
    if kind is str:
        append(quote_string(value))
    elif kind is bool:
        append("true" if value else "false")
    elif kind is int:
        append(str(value))
    elif kind is float:
        append(format_json_float(value))
    elif value is None:
        append("null")
    elif kind is Struct:
        separator = "{"
        for key, item in value.items():
            append(separator + (_quoted_key(key) if type(key) is str else quote_string(key)) + ":")
            separator = ","
            item_kind = type(item)
            if item_kind is str:
                append(quote_string(item))
            elif item_kind is float:
                append(format_json_float(item))
            elif item_kind is int:
                append(str(item))
            else:
                _encode(item, out)
        append("}" if separator == "," else "{}")
    elif isinstance(value, dict):
        separator = "{"
        for key in _sorted_map_keys(value):
            append(separator + (_quoted_key(key) if type(key) is str else quote_string(_map_key(key))) + ":")
            separator = ","
            item = value[key]
            item_kind = type(item)
            if item_kind is str:
                append(quote_string(item))
            elif item_kind is float:
                append(format_json_float(item))
            elif item_kind is int:
                append(str(item))
            else:
                _encode(item, out)
        append("}" if separator == "," else "{}")
    elif isinstance(value, (list, tuple)):
        separator = "["
        for item in value:
            append(separator)
            separator = ","
            item_kind = type(item)
            if item_kind is str:
                append(quote_string(item))
            elif item_kind is float:
                append(format_json_float(item))
            elif item_kind is int:
                append(str(item))
            elif item_kind is Time:
                append(marshal_time(item.nanoseconds))
            else:
                _encode(item, out)
        append("]" if separator == "," else "[]")
    elif kind is Time:
        append(marshal_time(value.nanoseconds))
    elif kind is Duration:
        append(str(value.nanoseconds))
    elif kind is RawJSON:
        append(str(value))
    elif isinstance(value, str):
        append(quote_string(str(value)))
    elif isinstance(value, (bytes, bytearray)):
        append('"' + base64.b64encode(bytes(value)).decode("ascii") + '"')
    elif isinstance(value, bool):
        append("true" if value else "false")
    elif isinstance(value, int):
        append(str(int(value)))
    elif isinstance(value, float):
        append(format_json_float(float(value)))
    elif hasattr(value, "__go_json__"):
        _encode(value.__go_json__(), out)
    else:
        raise GoJSONError(f"json: unsupported type: {type(value).__name__}")


def _sorted_map_keys(value: dict) -> list:
    """A map's keys in Go's order (by their text); plain sorting when they are all strings."""
    try:
        keys = sorted(value)
    except TypeError:
        return sorted(value, key=_map_key)
    for key in keys:
        if not isinstance(key, str):
            return sorted(value, key=_map_key)
    return keys


def _map_key(key) -> str:
    # Go map keys: strings as is; integer keys are written as their decimal text.
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise GoJSONError(f"json: unsupported type: map[{type(key).__name__}]")


def dumps(value) -> str:
    """`json.Marshal(value)` as text (compact, no trailing newline)."""
    out: list[str] = []
    _encode(value, out)
    return "".join(out)


def dumps_bytes(value) -> bytes:
    """`json.Marshal(value)` as bytes; invalid UTF-8 carried as surrogates becomes U+FFFD."""
    return dumps(value).encode("utf-8", errors="surrogateescape")


def http_error_body(message: str) -> str:
    """The body Kapacitor's HTTP API answers an error with (httpd.HttpError, pretty): the
    message under both "error" (Kapacitor 1.5) and "message" (1.6, as InfluxDB 2)."""
    quoted = dumps(message)
    return "{\n    \"error\": " + quoted + ",\n    \"message\": " + quoted + "\n}"


def encoder_encode(value) -> str:
    """`json.NewEncoder(w).Encode(value)`: Marshal plus a newline."""
    return dumps(value) + "\n"


__all__ = [
    "decode_stream",
    "GoJSONError",
    "http_error_body",
    "RawJSON",
    "Struct",
    "dumps",
    "dumps_bytes",
    "encoder_encode",
    "format_json_float",
    "is_empty",
    "marshal_time",
    "unmarshal",
    "quote_string",
]

"""InfluxDB 1.x line protocol, read exactly as Kapacitor reads written points.

Kapacitor parses writes with InfluxDB's `models.ParsePointsWithPrecision` (v1.9.6).  This module
accepts and rejects the same inputs and produces the same points, including that parser's
quirks (a backslash escapes whatever follows it when scanning, a quoted string field may span
lines, garbage after a closing quote is kept, a line that fails `Fields()` is rejected, ...).

API (stable; the engine and the CLI use it):

    read_points(source, precision="ns", source_name="<stdin>", now=None, on_error=None,
                database="", retention_policy="") -> Iterator[Point]
        `source`: a binary file object (fastest: read in large chunks with `read1`, so a pipe
        delivers points as lines arrive; pass `sys.stdin.buffer`, not `sys.stdin`), any
        iterable of lines (str or bytes, with or without the newline; a text file is one), or
        a whole text (str or bytes).  Blank lines and `#` comments are skipped.  A malformed
        entry does not stop the reading: `on_error` is called with a `LineError` (`source`
        name, 1-based `line` number, `reason`, `text`; str() gives `<input>:<line>: <reason>`)
        and the entry is skipped; without `on_error` that text is printed on stderr.
        A point without a timestamp gets `now` (ns; default: the time the reading started),
        truncated to the precision, as Kapacitor uses the write time.  `precision`: ns, us,
        ms, s, m or h (also Kapacitor's n and u).  Points read from one input may share their
        `tags` dict: treat tags and fields as read-only, `Point.copy()` before changing.

    parse_points(text, precision="ns", now=None) -> list[Point]
        The whole text at once, like ParsePointsWithPrecision; raises `LineProtocolError` (with
        `.errors` and the `.points` that did parse) when any entry is malformed.  With
        `now=None` a point without a timestamp has `time = None`.

    parse_line(line, precision="ns", now=None) -> Point      (raises LineProtocolError)

Invalid UTF-8 bytes are kept apart while parsing and appear as U+FFFD (one per byte) in the
points' strings and in error texts.

Speed: an ordinary line (measurement and tags without quotes or escapes, simple numbers,
booleans and strings, single spaces) is checked and split by one compiled regular expression;
its field block is kept as text for the Point to convert on first use (see
`tickpy.runtime.point`), and its tag dict is shared with earlier points of the same series.
Every other entry goes through `_parse_exact`, a scanner with the reference parser's rules,
which also decodes the fields at once.  The fast path only accepts lines whose result the exact
path would give (tests check this on random and mutated lines); anything unusual falls through.
"""

from __future__ import annotations

import codecs
import io
import re
import sys
import time as _time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, cast

from tickpy.golang.goformat import GoNumError, parse_bool, parse_float, parse_int, parse_uint
from tickpy.runtime.point import Point

__all__ = [
    "LineError",
    "LineProtocolError",
    "PRECISIONS",
    "precision_multiplier",
    "read_points",
    "parse_points",
    "parse_line",
    "iter_blocks",
    "decode_line",
]

MIN_NANO_TIME = -(1 << 63) + 2  # InfluxDB keeps the two lowest values as sentinels
MAX_NANO_TIME = (1 << 63) - 2
MAX_KEY_LENGTH = 65535

PRECISIONS = {
    "ns": 1,
    "n": 1,
    "us": 1_000,
    "u": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}


def precision_multiplier(precision: str) -> int:
    try:
        return PRECISIONS[precision]
    except KeyError:
        raise ValueError(f"unknown precision {precision!r}: use one of ns, us, ms, s, m, h") from None


@dataclass(slots=True)
class LineError:
    """A malformed line: where it is and why it was rejected."""

    source: str
    line: int  # 1-based number of the (first) physical line of the rejected entry
    reason: str
    text: str = ""

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


class LineProtocolError(ValueError):
    def __init__(self, errors: list[LineError], points: list[Point] | None = None):
        self.errors = errors
        self.points = points or []
        super().__init__("\n".join(str(e) for e in errors))


class _Invalid(Exception):
    """Raised inside the scanner; carries InfluxDB's reason text."""


# --------------------------------------------------------------------------------------------
# Decoding bytes.  InfluxDB works on bytes; a stray byte that is not UTF-8 is kept while parsing
# as a lone surrogate (Python's "surrogateescape"), so that two different bytes stay different
# (duplicate tags, byte lengths), and becomes U+FFFD, one per byte as Go's encoders show it, in
# the strings of the resulting point.  Such lines always take the exact path.


def _replace_each_byte(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)  # registered for decoding only
    return "\ufffd", error.start + 1


codecs.register_error("tickpy-lp-replace", _replace_each_byte)

_SURROGATE = re.compile("[\ud800-\udfff]").search


def decode_line(data: bytes) -> str:
    """UTF-8 text of `data`; invalid bytes become lone surrogates (see above)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape")


def _clean(text: str) -> str:
    """`text` with each byte kept as a surrogate shown as U+FFFD."""
    if text.isascii() or not _SURROGATE(text):
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that came in a str, not from a byte
        data = text.encode("utf-8", "surrogatepass")
    return data.decode("utf-8", "tickpy-lp-replace")


def _byte_length(text: str) -> int:
    if text.isascii():
        return len(text)
    try:
        return len(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return len(text.encode("utf-8", "surrogatepass"))


# --------------------------------------------------------------------------------------------
# The exact scanner.  It follows the reference parser's rules, whose notion of "escaped" is
# "the previous byte is a backslash" in some places and "a backslash skips the next byte" in
# others; results depend on that difference, so each rule is kept where it applies.  Each scan
# jumps from one character that matters to the next with a regular expression (a lookbehind
# for "the previous byte is a backslash"), so a long line costs its length once, in C, and its
# Python work is per token, not per character.

_WHITESPACE = " \t\x00"


def _skip_whitespace(buf: str, i: int) -> int:
    n = len(buf)
    while i < n and buf[i] in _WHITESPACE:
        i += 1
    return i


# The first `stop` character not preceded by a backslash, for each stop character used.
_UNESCAPED = {stop: re.compile(r"(?<!\\)" + re.escape(stop)).search for stop in ",= "}


def _scan_to(buf: str, i: int, stop: str, low: int = 0) -> int:
    """Index of the first `stop` at or after i not preceded by a backslash (or len); at `low`
    the character before does not count."""
    if i == low and buf.startswith(stop, i):
        return i
    found = _UNESCAPED[stop](buf, i)
    return len(buf) if found is None else found.start()


_MEASUREMENT_END = re.compile(r"(?<!\\)[, ]").search


def _scan_measurement(buf: str, i: int) -> tuple[bool, int]:
    """(has_tags, index after the measurement: past the comma, or at the space)."""
    if i >= len(buf) or buf[i] == ",":
        raise _Invalid("missing measurement")
    found = _MEASUREMENT_END(buf, i + 1)
    if found is None:
        raise _Invalid("missing fields")
    end = found.start()
    return (True, end + 1) if buf[end] == "," else (False, end)


_TAG_KEY_END = re.compile(r"(?<!\\)[ ,=]").search
_TAG_VALUE_END = _TAG_KEY_END
# Tags without backslashes, each key=value with a value that may start with '=', up to a space.
_PLAIN_TAGS = re.compile(r"[^ ,=\\][^ ,=\\]*+=[^ ,\\][^ ,=\\]*+(?:,[^ ,=\\][^ ,=\\]*+=[^ ,\\][^ ,=\\]*+)*+ ").match


def _scan_tags(buf: str, i: int) -> tuple[int, list[int]]:
    """Index of the space ending the tags, and the start of each tag (plus one sentinel)."""
    plain = _PLAIN_TAGS(buf, i)
    if plain is not None:  # the common case, checked and split at once
        end = plain.end() - 1
        starts = [i]
        for tag in buf[i:end].split(","):
            starts.append(starts[-1] + len(tag) + 1)
        return end, starts
    n = len(buf)
    starts = []
    while True:
        starts.append(i)
        if i >= n or buf[i] in " ,=":
            raise _Invalid("missing tag key")
        found = _TAG_KEY_END(buf, i + 1)
        if found is None or buf[found.start()] != "=":
            raise _Invalid("missing tag value")
        i = found.end()
        if i >= n or buf[i] in ", ":
            raise _Invalid("missing tag value")
        found = _TAG_VALUE_END(buf, i + 1)
        if found is None:
            raise _Invalid("missing fields")
        i = found.start()
        c = buf[i]
        if c == "=":
            raise _Invalid("invalid tag format")
        if c == " ":
            starts.append(i + 1)
            return i, starts
        i += 1


class _MatchesEverywhere(Protocol):
    """`pattern.match` of a `[...]*+` pattern: it matches (maybe empty) at any position."""

    def __call__(self, string: str, pos: int = ...) -> re.Match[str]: ...


_NUMBER_END = cast(_MatchesEverywhere, re.compile(r"[^, ]*+").match)
_NUMBER_BODY = re.compile(r"[0-9.eEiu+-]*+").fullmatch
_SIGN_NOT_AFTER_E = re.compile(r"(?<![eE])[+-]").search


_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,18}+(?:\.[0-9]{0,5}+)?+(?=[, ]|\Z)|-?[0-9]{1,18}+i(?=[, ]|\Z)").match


def _scan_number(buf: str, i: int) -> int:
    """The end of the number at i, as InfluxDB's scanNumber walks it.

    Its character loop accepts, up to the next ',' or ' ': an optional leading '-', then
    digits, one '.', 'e'/'E' (not as the very first character), '+'/'-' right after an 'e',
    and one 'i' or 'u' (not first); anything else is an invalid number."""
    plain = _PLAIN_NUMBER(buf, i)  # short enough that no range check applies
    if plain is not None:
        return plain.end()
    start = i
    negative = buf[i] == "-"
    if negative and i + 1 == len(buf):
        raise _Invalid("invalid number")
    end = _NUMBER_END(buf, i).end()
    body = buf[start + negative : end]
    if body:
        if (not negative and body[0] in "eEiu") or _NUMBER_BODY(body) is None or _SIGN_NOT_AFTER_E(body):
            raise _Invalid("invalid number")
        if body.count(".") > 1 or body.count("i") + body.count("u") > 1:
            raise _Invalid("invalid number")
    is_int = "i" in body
    is_unsigned = "u" in body
    decimal = "." in body
    scientific = "e" in body or "E" in body
    if (is_int or is_unsigned) and (decimal or scientific):
        raise _Invalid("invalid number")
    digits = end - start - is_int - decimal - negative
    if digits == 0:
        raise _Invalid("invalid number")
    if is_int:
        if buf[end - 1] != "i":
            raise _Invalid("invalid number")
        text = buf[start : end - 1]
        if len(text) >= 19:
            try:
                parse_int(text)
            except GoNumError as err:
                raise _Invalid(f"unable to parse integer {text}: {err}") from None
    elif is_unsigned:
        raise _Invalid("invalid number")  # unsigned integers are disabled in this build
    elif scientific or end - start >= 25:
        try:
            parse_float(buf[start:end])
        except GoNumError:
            raise _Invalid("invalid float") from None
    return end


_BOOLEAN_WORDS = frozenset(("t", "T", "f", "F", "true", "True", "TRUE", "false", "False", "FALSE"))


def _scan_boolean(buf: str, i: int) -> int:
    if buf[i] not in "tfTF":
        raise _Invalid("invalid boolean")
    end = _NUMBER_END(buf, i).end()
    if buf[i:end] not in _BOOLEAN_WORDS:
        raise _Invalid("invalid boolean")
    return end


# The next character that matters in a field block: outside a string, and inside one.
_FIELDS_EVENT = re.compile(r'[\\"=, ]').search
_QUOTED_EVENT = re.compile(r'[\\"]').search


def _scan_fields(buf: str, i: int) -> tuple[int, str]:
    n = len(buf)
    start = i = _skip_whitespace(buf, i)
    quoted = False
    equals = commas = 0
    while True:
        found = (_QUOTED_EVENT if quoted else _FIELDS_EVENT)(buf, i)
        if found is None:
            i = n
            break
        i = found.start()
        c = buf[i]
        if c == "\\":
            i += 2 if i + 1 < n else 1
            continue
        if c == '"':
            if equals > commas:
                quoted = not quoted
            i += 1
            continue
        if c == "=":
            equals += 1
            before = buf[i - 1]
            if (before == " " or before == ",") and buf[i - 2] != "\\":
                raise _Invalid("missing field key")
            if i + 1 >= n:
                raise _Invalid("missing field value")
            after = buf[i + 1]
            if after == "," or after == " ":
                raise _Invalid("missing field value")
            if after in "0123456789.-Nn":
                i = _scan_number(buf, i + 1)
                continue
            if after != '"':
                i = _scan_boolean(buf, i + 1)
                continue
            i += 1
            continue
        if c == ",":
            commas += 1
            i += 1
            continue
        break  # an unquoted space ends the fields
    if quoted:
        raise _Invalid("unbalanced quotes")
    if equals == 0 or commas != equals - 1:
        raise _Invalid("invalid field format")
    return i, buf[start:i]


_TIMESTAMP = cast(_MatchesEverywhere, re.compile(r"-?[0-9]*+").match)


def _scan_time(buf: str, i: int) -> tuple[int, str]:
    start = i = _skip_whitespace(buf, i)
    end = _TIMESTAMP(buf, i).end()
    if end < len(buf) and buf[end] != "\n" and buf[end] != " ":
        raise _Invalid("bad timestamp")
    return end, buf[start:end]


def _unescape_name(text: str) -> str:
    """A measurement name or field key without the backslashes before , " space and =.  (One
    replacement after another equals one left-to-right pass here: dropping a backslash can only
    make a new pair with the character just handled.)"""
    if "\\" not in text:
        return text
    return text.replace("\\,", ",").replace('\\"', '"').replace("\\ ", " ").replace("\\=", "=")


def _unescape_tag(text: str) -> str:
    # Three replacements in turn, as InfluxDB does them (not one left-to-right pass).
    return text.replace("\\,", ",").replace("\\ ", " ").replace("\\=", "=")


_UNESCAPE_STRING = re.compile(r'\\([\\"])')
_VALUE_EVENT = re.compile(r'\\[\\"]|["]|,').search  # outside a string: an escape, a quote, the end
_VALUE_QUOTED_EVENT = re.compile(r'\\[\\"]|"').search


def _scan_field_value(buf: str, i: int) -> int:
    quoted = False
    while True:
        found = (_VALUE_QUOTED_EVENT if quoted else _VALUE_EVENT)(buf, i)
        if found is None:
            return len(buf)
        token = found.group()
        if token == ",":
            return found.start()
        if token == '"':
            quoted = not quoted
        i = found.end()


def _field_items(fields: str):
    """(raw key, raw value) pairs the way InfluxDB walks a field block."""
    n = len(fields)
    i = 0
    while i < n:
        eq = _scan_to(fields, i, "=", i)
        if eq > n - 2:
            raise _Invalid(f"invalid value: field-key={fields[i:eq]}")
        end = _scan_field_value(fields, eq + 1)
        yield fields[i:eq], fields[eq + 1 : end]
        i = end + 1


def _decode_fields(items: list[tuple[str, str]]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for raw_key, value in items:
        key = _unescape_name(raw_key)
        if not key or not value:
            continue  # InfluxDB drops empty keys and empty values silently
        first = value[0]
        try:
            if first == '"':
                if len(value) < 2:
                    raise _Invalid("string value without closing quote")
                inner = value[1:-1]
                decoded[key] = _UNESCAPE_STRING.sub(r"\1", inner) if "\\" in inner else inner
            elif first in "0123456789-.nNiIu":
                last = value[-1]
                if last == "i":
                    decoded[key] = parse_int(value[:-1])
                elif last == "u":
                    decoded[key] = parse_uint(value[:-1])
                else:
                    decoded[key] = parse_float(value)
            else:
                decoded[key] = parse_bool(value)
        except (_Invalid, GoNumError) as err:
            raise _Invalid(f"unable to unmarshal field {key}: {err}") from None
    return decoded


def _point_time(timestamp: str, multiplier: int, default_time: int | None) -> int | None:
    if not timestamp:
        if default_time is None:
            return None
        return default_time - default_time % multiplier
    try:
        value = parse_int(timestamp)
    except GoNumError as err:
        raise _Invalid(str(err)) from None
    value *= multiplier
    if value < MIN_NANO_TIME or value > MAX_NANO_TIME:
        raise _Invalid(f"time outside range {MIN_NANO_TIME} - {MAX_NANO_TIME}")
    return value


def _parse_exact(buf: str, multiplier: int, default_time: int | None) -> Point:
    """One entry (without its newline, leading whitespace allowed) -> Point, or _Invalid."""
    start = _skip_whitespace(buf, 0)
    has_tags, i = _scan_measurement(buf, start)
    raw_tags: list[str] = []
    if has_tags:
        i, starts = _scan_tags(buf, i)
        raw_tags = [buf[starts[j] : starts[j + 1] - 1] for j in range(len(starts) - 1)]
        tag_keys = [tag[: _scan_to(tag, 0, "=")] for tag in raw_tags]
        if len(set(tag_keys)) != len(tag_keys):
            raise _Invalid("duplicate tags")
        order = sorted(range(len(raw_tags)), key=tag_keys.__getitem__)
        raw_tags = [raw_tags[j] for j in order]
    key = buf[start:i]
    if not key:
        raise _Invalid("missing measurement")
    key_length = _byte_length(key)
    if key_length > MAX_KEY_LENGTH:
        raise _Invalid(f"max key length exceeded: {key_length} > {MAX_KEY_LENGTH}")

    pos, fields = _scan_fields(buf, i)
    if not fields:
        raise _Invalid("missing fields")
    items = list(_field_items(fields))
    for raw_key, _ in items:
        size = key_length + 4 + _byte_length(raw_key)
        if size > MAX_KEY_LENGTH:
            raise _Invalid(f"max key length exceeded: {size} > {MAX_KEY_LENGTH}")

    pos, timestamp = _scan_time(buf, pos)
    point_time = _point_time(timestamp, multiplier, default_time)
    if timestamp:
        rest = buf[pos:]
        if rest.strip(" "):
            raise _Invalid("point is invalid")

    measurement_end = _scan_to(key, 0, ",")
    name = _unescape_name(key[:measurement_end])
    tags = {}
    escaped = "\\" in key
    for tag in raw_tags:
        eq = _scan_to(tag, 0, "=")
        tag_key, tag_value = tag[:eq], tag[eq + 1 :]
        if escaped:
            tag_key, tag_value = _unescape_tag(tag_key), _unescape_tag(tag_value)
        tags[tag_key] = tag_value
    decoded = _decode_fields(items)
    if not buf.isascii() and _SURROGATE(buf):
        name = _clean(name)
        tags = {_clean(k): _clean(v) for k, v in tags.items()}
        decoded = {_clean(k): _clean(v) if isinstance(v, str) else v for k, v in decoded.items()}
    return Point(name, tags, decoded, point_time)


# --------------------------------------------------------------------------------------------
# The fast path for ordinary lines: one regular expression proves that the line is an entry of
# its own and valid, and splits it.  Accepted: measurement and tags without quotes, escapes or
# spaces; fields that are short numbers, booleans, or strings without quotes and backslashes;
# an optional non-negative timestamp.  Numbers are short enough that no range check can fail
# (at most 18 integer digits, 20 mantissa digits, 2 exponent digits).  Possessive repeats keep
# the matching linear; a value's alternatives need no atomic group (which costs 6%): a value
# must be followed by "," " " or the end, which no shorter alternative can be followed by.

_NUMBER = (
    r"(?:-?(?:[0-9]{1,18}+i|[0-9]{1,20}+(?:\.[0-9]{0,20}+)?+(?:[eE][+-]?[0-9]{1,2}+)?+"
    r"|\.[0-9]{1,20}+(?:[eE][+-]?[0-9]{1,2}+)?+)"
    r'|true|True|TRUE|t|T|false|False|FALSE|f|F|"[^"\\]*+")'
)
# A key or tag value: any character but , = space " and backslash; a name: but , space " and
# backslash.  Spelled as ranges, which the regex engine tests faster than a negated set of
# literals (about 12% of the time of the whole match).
_KEY_CHAR = r"[\x00-\x1f!#-+\--<>-\[\]-\U0010ffff]"  # [^,= "\\]
_NAME_CHAR = r"[\x00-\x1f!#-+\--\[\]-\U0010ffff]"  # [^, "\\]
_FIELD = _KEY_CHAR + "++=" + _NUMBER
_simple_line = re.compile(
    r'([^, \t\x00#"\\]' + _NAME_CHAR + "*+)"  # measurement (InfluxDB skips leading whitespace)
    r"((?:," + _KEY_CHAR + "++=" + _KEY_CHAR + "++)*+)"  # tags
    r" ((?![\t\x00])" + _FIELD + r"(?:," + _FIELD + r")*+)"  # fields (no skipped whitespace)
    r"(?: ([0-9]{1,19}+))?"  # timestamp
).fullmatch
_FAST_MAX_LENGTH = 16000  # below this no key can exceed MAX_KEY_LENGTH bytes
_FIELD_KEYS = re.compile(r'(?:^|,)(' + _KEY_CHAR + r'++)=(?:"[^"\\]*+"|[^,]*+)').findall


def _match_long_line(line: str):
    """_simple_line's match of a line longer than _FAST_MAX_LENGTH when its series key and each
    field's key stay within MAX_KEY_LENGTH bytes (else None: the exact parser says so); so an
    ordinary long line costs one regular expression, not a scan per character."""
    match = _simple_line(line)
    if match is None:
        return None
    key_length = _byte_length(match.group(1)) + _byte_length(match.group(2))
    if key_length > MAX_KEY_LENGTH:
        return None
    fields = match.group(3)
    if key_length + 4 + _byte_length(fields) > MAX_KEY_LENGTH:
        keys = _FIELD_KEYS(fields)
        longest = max(map(len, keys) if fields.isascii() else map(_byte_length, keys))
        if key_length + 4 + longest > MAX_KEY_LENGTH:
            return None
    return match


def _simple_tags(tag_text: str) -> dict | None:
    """{key: value} of ",k=v,k2=v2" already checked by _simple_line; None on duplicate keys."""
    if not tag_text:
        return {}
    parts = tag_text[1:].replace("=", ",").split(",")
    tags = dict(sorted(zip(parts[::2], parts[1::2])))  # in key order, as InfluxDB keeps them
    return tags if len(tags) * 2 == len(parts) else None


def _parse_fast(line: str, multiplier: int, default_time: int | None) -> Point | None:
    """A Point for an ordinary line, or None to let the exact parser decide."""
    match = _simple_line(line) if len(line) <= _FAST_MAX_LENGTH else _match_long_line(line)
    if match is None:
        return None
    name, tag_text, fields, timestamp = match.groups()
    if timestamp is None:
        point_time = None if default_time is None else default_time - default_time % multiplier
    else:
        point_time = int(timestamp) * multiplier
        if point_time > MAX_NANO_TIME:
            return None
    tags = _simple_tags(tag_text)
    if tags is None:
        return None
    return Point(name, tags, None, point_time, "", "", fields)


# --------------------------------------------------------------------------------------------
# Splitting input into entries.  An entry normally is one line, but InfluxDB's line scanner
# lets a quoted string field run over newlines and a backslash skip a newline.


_BEFORE_FIELDS_EVENT = re.compile(r"[\\ ]").search  # until the first space: only escapes count
_IN_FIELDS_EVENT = re.compile(r'[\\=,"]').search


def _line_continues(line: str, state: list) -> bool:
    """Advance InfluxDB's line-scanner state over `line`; True when its newline does not end
    the entry (inside a quoted string, or skipped by a final backslash).  A final backslash at
    the very end of the input ends the entry all the same, which the caller's flush gives.

    `state` is [in fields, quoted, equals, commas, a quote opened on this line is still open]."""
    in_fields, quoted, equals, commas, _ = state
    if not quoted and '"' not in line and not line.endswith("\\"):
        return False  # no string to stay in, no backslash to skip the newline: the entry ends
    opened = False
    n = len(line)
    i = 0
    while True:
        found = (_QUOTED_EVENT if quoted else _IN_FIELDS_EVENT if in_fields else _BEFORE_FIELDS_EVENT)(line, i)
        if found is None:
            break
        i = found.start()
        c = line[i]
        if c == "\\":
            if i + 1 < n:
                i += 2
                continue
            state[:] = in_fields, quoted, equals, commas, opened
            return True
        if c == " ":
            in_fields = True
        elif c == "=":
            equals += 1
        elif c == ",":
            commas += 1
        elif equals > commas:  # a quote
            quoted = not quoted
            opened = quoted
        i += 1
    state[:] = in_fields, quoted, equals, commas, opened
    return quoted


def iter_blocks(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(1-based first line number, entry text without newline) for each entry of `lines`.

    Each item of `lines` is one line, with or without its trailing newline.
    """
    pending: list[str] | None = None
    pending_line = 0
    state = [False, False, 0, 0, False]
    lineno = 0
    for line in lines:
        lineno += 1
        if line.endswith("\n"):
            line = line[:-1]
        if pending is None:
            if '"' not in line and "\\" not in line:
                yield lineno, line
                continue
            pending = []
            pending_line = lineno
            state[:] = False, False, 0, 0, False
        pending.append(line)
        if not _line_continues(line, state):
            yield pending_line, "\n".join(pending)
            pending = None
    if pending is not None:
        yield pending_line, "\n".join(pending)


_CHUNK = 1 << 20


def _line_batches(source) -> Iterator[tuple[list[str], bool]]:
    """(lines, may_hold_surrogates) pairs: lists of lines (without newlines) from a str/bytes text, a binary file object, or an
    iterable of lines (a text file is one).  Binary files are read in large chunks with
    `read1` (which returns what a pipe has without waiting for more) and decoded a chunk at a
    time: the fastest input, and a stray byte cannot stop it."""
    if isinstance(source, (bytes, bytearray)):
        source = decode_line(bytes(source))
    if isinstance(source, str):
        lines = source.split("\n")
        if lines[-1] == "":
            lines.pop()
        yield lines, not source.isascii() and _SURROGATE(source) is not None
        return
    if isinstance(source, (io.RawIOBase, io.BufferedIOBase)) or (
        hasattr(source, "read") and "b" in getattr(source, "mode", "")
    ):
        read = getattr(source, "read1", None) or source.read
        # One incremental decode per chunk (a character cut by the chunk's end is completed by
        # the next); the unfinished last line is carried over as text, with whether it holds
        # stray bytes.  Gives the same text as decoding line by line, with fewer copies.
        decode = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode
        rest = ""
        rest_dirty = False
        while True:
            chunk = read(_CHUNK)
            if not chunk:
                break
            text = decode(chunk)
            dirty = not text.isascii() and _SURROGATE(text) is not None
            lines = text.split("\n")
            if rest:
                lines[0] = rest + lines[0]
            rest = lines.pop()
            if len(lines):
                yield lines, dirty or rest_dirty
                rest_dirty = dirty and not rest.isascii() and _SURROGATE(rest) is not None
            else:
                rest_dirty = rest_dirty or dirty
        rest += decode(b"", True)
        if rest:
            yield [rest], rest_dirty or (not rest.isascii() and _SURROGATE(rest) is not None)
        return
    batch: list[str] = []
    dirty = False
    for item in source:
        if not isinstance(item, str):
            item = decode_line(item)
        if not item.isascii() and _SURROGATE(item):
            dirty = True
        if item.endswith("\n"):
            item = item[:-1]
        if "\n" in item:
            batch.extend(item.split("\n"))
        else:
            batch.append(item)
        if len(batch) >= 4096:
            yield batch, dirty
            batch = []
            dirty = False
    if batch:
        yield batch, dirty


def _print_error(error: LineError) -> None:
    print(str(error), file=sys.stderr)


def _reason(err: _Invalid, text: str) -> str:
    shown = text if len(text) <= 200 else text[:200] + "..."
    return _clean(f"unable to parse '{shown}': {err}")


def _read(source, multiplier: int, now: int | None, report, source_name: str,
          database: str, retention_policy: str) -> Iterator[Point]:  # fmt: skip
    """The reading loop shared by read_points and parse_points (the hot path)."""
    default_time = None if now is None else now - now % multiplier
    match_line = _simple_line
    tag_cache: dict[str, dict] = {}
    exact = _parse_exact
    max_time = MAX_NANO_TIME
    pending: list[str] | None = None
    pending_line = 0
    quote_line = 0  # where the quote that keeps a pending entry open was opened
    state = [False, False, 0, 0, False]
    lineno = 0
    for lines, dirty in _line_batches(source):
        limit = -1 if dirty else _FAST_MAX_LENGTH  # lines holding stray bytes go the exact way
        for line in lines:
            lineno += 1
            if pending is None:
                if len(line) <= limit:
                    match = match_line(line)
                elif limit > 0:
                    match = _match_long_line(line)
                else:
                    match = None
                if match is not None:
                    name, tag_text, fields, timestamp = match.groups()
                    tags = tag_cache.get(tag_text)
                    if tags is None:
                        tags = _simple_tags(tag_text)
                        if tags is not None and len(tag_text) <= _FAST_MAX_LENGTH:
                            if len(tag_cache) > 100_000:
                                tag_cache.clear()
                            tag_cache[tag_text] = tags
                    if tags is not None:
                        if timestamp is None:
                            yield Point(name, tags, None, default_time, database, retention_policy, fields)
                            continue
                        point_time = int(timestamp) * multiplier
                        if point_time <= max_time:
                            yield Point(name, tags, None, point_time, database, retention_policy, fields)
                            continue
                if '"' in line or "\\" in line:
                    pending = []
                    pending_line = lineno
                    state[:] = False, False, 0, 0, False
                else:
                    block = line
                    block_line = lineno
            if pending is not None:
                pending.append(line)
                if _line_continues(line, state):
                    if state[4]:
                        quote_line = lineno
                    continue
                block = "\n".join(pending)
                block_line = pending_line
                pending = None
            start = _skip_whitespace(block, 0)
            if start >= len(block) or block[start] == "#":
                continue
            try:
                point = exact(block, multiplier, now)
            except _Invalid as err:
                report(LineError(source_name, block_line, _reason(err, block[start:]), _clean(block)))
                continue
            point.database = database
            point.retention_policy = retention_policy
            yield point
    if pending is not None:
        block = "\n".join(pending)
        start = _skip_whitespace(block, 0)
        if start < len(block) and block[start] != "#":
            try:
                point = exact(block, multiplier, now)
            except _Invalid as err:
                reason = _reason(err, block[start:])
                if state[1] and lineno > pending_line:
                    # One stray quote makes the rest of the input one entry, as in InfluxDB: say where.
                    reason += (f"; the double quote opened on line {quote_line} is never closed, so lines "
                               f"{pending_line} to {lineno} were read as one entry")
                report(LineError(source_name, pending_line, reason, _clean(block)))
            else:
                point.database = database
                point.retention_policy = retention_policy
                yield point


def read_points(
    source,
    precision: str = "ns",
    source_name: str = "<stdin>",
    now: int | None = None,
    on_error: Callable[[LineError], None] | None = None,
    database: str = "",
    retention_policy: str = "",
) -> Iterator[Point]:
    """Points of a line-protocol input; malformed entries are reported and skipped.

    Points read from one input may share their `tags` dict: treat tags and fields as
    read-only and `copy()` a point before changing it."""
    multiplier = precision_multiplier(precision)
    if now is None:
        now = _time.time_ns()
    return _read(source, multiplier, now, on_error or _print_error, source_name, database, retention_policy)


def parse_points(text, precision: str = "ns", now: int | None = None) -> list[Point]:
    """All points of `text` (str or bytes); LineProtocolError when any entry is malformed."""
    multiplier = precision_multiplier(precision)
    errors: list[LineError] = []
    points = list(_read(text, multiplier, now, errors.append, "<input>", "", ""))
    if errors:
        raise LineProtocolError(errors, points)
    return points


def parse_line(line: str, precision: str = "ns", now: int | None = None) -> Point:
    """Exactly one point from one entry; LineProtocolError otherwise."""
    multiplier = precision_multiplier(precision)
    point = None if not line.isascii() and _SURROGATE(line) else _parse_fast(line, multiplier, now)
    if point is not None:
        return point
    start = _skip_whitespace(line, 0)
    if start >= len(line) or line[start] == "#":
        raise LineProtocolError([LineError("<input>", 1, "no point on the line", _clean(line))])
    try:
        return _parse_exact(line, multiplier, now)
    except _Invalid as err:
        raise LineProtocolError([LineError("<input>", 1, _reason(err, line[start:]), _clean(line))]) from None

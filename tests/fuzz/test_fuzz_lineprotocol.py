"""Fuzz target: line protocol, as `tickpy run` reads it.

Reading may only reject entries (LineError through on_error; LineProtocolError from
parse_points), never raise anything else; and the reader's fast path (one regular expression
for ordinary lines, lazily decoded fields) must give what the exact scanner (InfluxDB's parser
step by step) gives for the same line: the same point or the same rejection. Inputs: lines
built from real fragments (escapes, quotes, every number and boolean spelling, huge numbers,
timestamps at and past the int64 edges) and byte mutations of the conformance inputs."""

from __future__ import annotations

import base64
import json
import math
import struct

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.support import bounded_time, corpus_files, fuzz_settings, mutated
from tickpy.runtime.lineprotocol import (
    LineProtocolError,
    _Invalid,
    _parse_exact,
    _reason,
    _skip_whitespace,
    parse_points,
    precision_multiplier,
    read_points,
)

NOW = 1_700_000_000_123_456_789
NAMES = ["cpu", "a b", "a\\ b", "a\\,b", "c,", "é", "#x", "a=b", '"q"', "m\\", "\\", "x" * 70000]
KEYS = ["host", "a\\ b", "a\\=b", "k,", "", "é", "a\\,b", "t\\\\", "k=", " k"]
VALUES = ["srv1", "", "a\\ b", "v\\,x", "v=", "é", '"q"', "\\"]
NUMBERS = ["1", "-1", "1i", "-9223372036854775808i", "9223372036854775807i", "9223372036854775808i", "1u", "1.5",
           "1e3", "1E+30", ".5", "-.5", "1.", "1e", "0x10", "NaN", "Inf", "-inf", "1_0", "0000001", "1" * 400,
           "1" * 5000 + "i", "1e309", "-1e-400", "t", "T", "true", "True", "TRUE", "f", "false", "False", "FALSE",
           "tru", '"s"', '""', '"a\\"b"', '"a\\\\"', '"x\ny"', '"é"', '"unclosed', '"' + "x" * 70000 + '"']
TIMESTAMPS = ["", " 0", " 1", " -1", " 9223372036854775807", " -9223372036854775806", " 9223372036854775808",
              " 1" + "0" * 30, " 1" + "0" * 5000, " 1.5", " 1e9", " x", " 1 2", "  1", " 1 ", "\t1"]
PRECISIONS = ["ns", "us", "ms", "s"]

ITEM = st.tuples(st.sampled_from(KEYS), st.sampled_from(["=", "", "=="]), st.sampled_from(VALUES)).map("".join)
FIELD = st.tuples(st.sampled_from(KEYS + ["value"]), st.sampled_from(["=", ""]), st.sampled_from(NUMBERS)).map(
    "".join)
LINE = st.tuples(
    st.sampled_from(["", " ", "\t", "# "]),
    st.sampled_from(NAMES),
    st.lists(ITEM, max_size=3).map(lambda items: "".join("," + item for item in items)),
    st.sampled_from([" ", "  ", "\t", ""]),
    st.lists(FIELD, min_size=0, max_size=3).map(",".join),
    st.sampled_from(TIMESTAMPS),
).map("".join)


def _corpus_inputs() -> list[bytes]:
    inputs = []
    for path in corpus_files("lineprotocol/cases.jsonl"):
        for line in filter(None, path.read_text(encoding="utf-8").split("\n")):
            case = json.loads(line)
            inputs.append(base64.b64decode(case["input_b64"]) if "input_b64" in case else case["input"].encode())
    inputs += [path.read_bytes()[:4000] for path in corpus_files("alerts/*/points.lp")]
    return inputs or [b"cpu,host=a value=1 1\n"]


FRAGMENTS = [text.encode() for text in NUMBERS[:-1] + KEYS + VALUES + TIMESTAMPS[:-8]
             + ["\n", "\r\n", ",", "=", " ", '"', "\\", "#", "\x00", "\ufeff"]]
MUTATED = mutated(_corpus_inputs(), FRAGMENTS)


def canonical(point) -> tuple:
    fields = {}
    for key, value in point.fields.items():
        if isinstance(value, float):
            fields[key] = ("float", "nan" if math.isnan(value) else struct.pack("<d", value))
        else:
            fields[key] = (type(value).__name__, value)
    return point.name, point.tags, fields, point.time


def exact_verdict(line: str, precision: str):
    """What the exact scanner alone says of one line: no entry, a point or a rejection."""
    start = _skip_whitespace(line, 0)
    if start >= len(line) or line[start] == "#":
        return None
    try:
        return ("point", canonical(_parse_exact(line, precision_multiplier(precision), NOW)))
    except _Invalid as error:
        return ("error", _reason(error, line[start:]))


def reader_verdict(line: str, precision: str):
    errors = []
    points = list(read_points(line, precision=precision, now=NOW, on_error=errors.append))
    assert len(points) + len(errors) <= 1
    if points:
        return ("point", canonical(points[0]))
    if errors:
        return ("error", errors[0].reason)
    return None


def reads_consistently(data, precision: str) -> None:
    """read_points rejects what parse_points rejects, and a line on its own reads as the exact
    scanner alone reads it."""
    errors = []
    points = list(read_points(data, precision=precision, now=NOW, on_error=errors.append))
    for point in points:
        canonical(point)  # lazily decoded fields decode
    try:
        parsed = parse_points(data, precision=precision, now=NOW)
    except LineProtocolError as error:
        assert errors and len(error.errors) == len(errors)
    else:
        assert not errors and len(parsed) == len(points)
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if "\n" not in text and "\r" not in text:
        assert reader_verdict(text, precision) == exact_verdict(text, precision)


@fuzz_settings(150)
@given(LINE, st.sampled_from(PRECISIONS))
def test_structured_lines(line, precision):
    with bounded_time():
        reads_consistently(line, precision)


@fuzz_settings(150)
@given(MUTATED, st.sampled_from(PRECISIONS))
def test_mutated_corpus_inputs(data, precision):
    with bounded_time():
        reads_consistently(data, precision)

"""The fast paths of the alert-event path give exactly the bytes of the reference (slow,
obviously-Go-shaped) implementations, on many generated inputs."""

from __future__ import annotations

import math
import random
import struct

import pytest

from tickpy.alerting import gojson
from tickpy.lang import gotemplate_html

# Characters that matter to one escaper or another: HTML and JSON specials, control
# characters, U+2028/9, non-ASCII, surrogates standing for invalid UTF-8 bytes (and others),
# noncharacters that html/template writes as references, astral characters.
ALPHABET = (
    [chr(c) for c in range(0x80)]
    + ["\u2028", "\u2029", "é", "ß", "日本", "\xa0", "\u200b", "\ufeff", "\ufffd", "\U0001f600"]
    + ["\udc80", "\udcff", "\ud800", "\udfff", "\ufdd0", "\ufdef", "\ufdcf", "\ufff0", "\uffff", "\ufff5"]
    + ["&#34;", "&amp;", "\\u003c", "</script>", '\\"']
)


def random_texts(seed: int, count: int, longest: int = 24):
    rnd = random.Random(seed)
    for _ in range(count):
        yield "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, longest)))


def reference_quote_string(text: str) -> str:
    return '"' + text.translate(gojson._TRANSLATION) + '"'


def test_quote_string_matches_translation_table():
    for text in random_texts(1, 40_000):
        assert gojson.quote_string(text) == reference_quote_string(text), repr(text)


def _json_float_or_error(function, value):
    try:
        return function(value)
    except gojson.GoJSONError as error:
        return f"error: {error}"


EDGE_FLOATS = [
    0.0, -0.0, 1e-6, -1e-6, 1e-7, 9.999999999999999e-7, math.nextafter(1e-6, 0), math.nextafter(1e-6, 1),
    1e-4, math.nextafter(1e-4, 0), 9.999999999999999e-05, 1e16, math.nextafter(1e16, 0), 1e20,
    math.nextafter(1e21, 0), 1e21, -1e21, 1e22, 5e-324, -5e-324, 2.2250738585072014e-308,
    1.7976931348623157e308, 0.1, 0.2 + 0.1, 1 / 3, 100.0, 123456789012345678.0, 2.0**53, 2.0**63,
    math.nan, math.inf, -math.inf,
]


def random_floats(seed: int, count: int):
    rnd = random.Random(seed)
    for _ in range(count):
        choice = rnd.random()
        if choice < 0.4:  # any bit pattern: every exponent, subnormals, NaNs
            yield struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(64)))[0]
        elif choice < 0.8:  # around the 'f'/'e' and repr layout boundaries
            yield rnd.uniform(-1, 1) * 10.0 ** rnd.randint(-26, 26)
        else:  # measurement-like values with few digits
            yield round(rnd.uniform(-1e6, 1e6), rnd.randint(0, 9))


@pytest.mark.parametrize("value", EDGE_FLOATS)
def test_json_float_edge_values_match_reference(value):
    assert _json_float_or_error(gojson.format_json_float, value) == _json_float_or_error(
        gojson._slow_json_float, value
    )


def test_json_float_random_values_match_reference():
    for value in random_floats(2, 200_000):
        fast = _json_float_or_error(gojson.format_json_float, value)
        assert fast == _json_float_or_error(gojson._slow_json_float, value), repr(value)


HTML_TABLES = [
    gotemplate_html.HTML_TABLE,
    gotemplate_html.HTML_NORM_TABLE,
    gotemplate_html.HTML_NOSPACE_TABLE,
    gotemplate_html.HTML_NOSPACE_NORM_TABLE,
]


@pytest.mark.parametrize("bad_runes", [True, False])
@pytest.mark.parametrize("table_index", range(len(HTML_TABLES)))
def test_html_replacer_matches_character_loop(table_index, bad_runes):
    table = HTML_TABLES[table_index]
    for text in random_texts(3 + table_index, 10_000):
        expected = gotemplate_html._table_replace_by_character(text, table, bad_runes)
        assert gotemplate_html._table_replace(text, table, bad_runes) == expected, repr(text)


def test_replacement_order_refuses_a_cycle():
    assert gotemplate_html._replacement_order({"a": "b", "b": "a"}) is None
    text = "abba"
    assert gotemplate_html._table_replace(text, {"a": "b", "b": "a"}, True) == "baab"

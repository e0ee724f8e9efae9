"""The fast paths of the alert-event path give exactly the bytes of the reference (slow,
obviously-Go-shaped) implementations, on many generated inputs."""

from __future__ import annotations

import base64
import math
import random
import struct

import pytest

from tickpy.check import alert_templates as template_data
from tickpy.golang import gojson, gotemplate_html
from tickpy.lang.values import Duration, Time
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.messages import point_row
from tickpy.runtime.nodes.alert import alert_wire

# Characters that matter to one escaper or another: HTML and JSON specials, control
# characters, U+2028/9, non-ASCII, surrogates standing for invalid UTF-8 bytes (and others),
# noncharacters that html/template writes as references, astral characters.
ALPHABET = (
    [chr(c) for c in range(0x80)]
    + ["\u2028", "\u2029", "é", "ß", "日本", "\xa0", "\u200b", "\ufeff", "\ufffd", "\U0001f600"]
    + ["\udc80", "\udcff", "\ud800", "\udfff", "\ufdd0", "\ufdef", "\ufdcf", "\ufff0", "\uffff", "\ufff5"]
    + ["&#34;", "&amp;", "\\u003c", "</script>", '\\"']
)


# What input text can hold: invalid UTF-8 bytes decode to U+DC80-U+DCFF (surrogateescape).
INPUT_ALPHABET = [text for text in ALPHABET if text not in ("\ud800", "\udfff")]


def random_texts(seed: int, count: int, longest: int = 24, alphabet=ALPHABET):
    rnd = random.Random(seed)
    for _ in range(count):
        yield "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest)))


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
    for value in random_floats(2, 100_000):
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


# --- encoder -------------------------------------------------------------------------------


def reference_encode(value, out: list) -> None:
    """gojson's encoder before members were written inline (one call per value)."""
    kind = type(value)
    if kind is str:
        out.append(gojson.quote_string(value))
    elif kind is bool:
        out.append("true" if value else "false")
    elif kind is int:
        out.append(str(value))
    elif kind is float:
        out.append(gojson.format_json_float(value))
    elif value is None:
        out.append("null")
    elif kind is gojson.Struct:
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append(("," if index else "") + gojson.quote_string(key) + ":")
            reference_encode(item, out)
        out.append("}")
    elif isinstance(value, dict):
        out.append("{")
        for index, key in enumerate(sorted(value, key=gojson._map_key)):
            out.append(("," if index else "") + gojson.quote_string(gojson._map_key(key)) + ":")
            reference_encode(value[key], out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            reference_encode(item, out)
        out.append("]")
    elif kind is Time:
        out.append(gojson.marshal_time(value.nanoseconds))
    elif kind is Duration:
        out.append(str(value.nanoseconds))
    elif kind is gojson.RawJSON:
        out.append(str(value))
    elif isinstance(value, str):
        out.append(gojson.quote_string(str(value)))
    elif isinstance(value, (bytes, bytearray)):
        out.append('"' + base64.b64encode(bytes(value)).decode("ascii") + '"')
    else:
        raise gojson.GoJSONError(f"json: unsupported type: {type(value).__name__}")


def reference_dumps(value) -> str:
    out: list[str] = []
    try:
        reference_encode(value, out)
    except gojson.GoJSONError as error:
        return f"error: {error}"
    return "".join(out)


def fast_dumps(value) -> str:
    try:
        return gojson.dumps(value)
    except gojson.GoJSONError as error:
        return f"error: {error}"


class _Text(str):
    pass


def random_value(rnd: random.Random, depth: int = 0):
    texts = list(random_texts(rnd.randrange(1 << 30), 1, 8))
    choice = rnd.randrange(16 if depth < 3 else 9)
    if choice == 0:
        return texts[0]
    if choice == 1:
        return next(random_floats(rnd.randrange(1 << 30), 1))
    if choice == 2:
        return rnd.randint(-(1 << 70), 1 << 70)
    if choice == 3:
        return rnd.choice([True, False, None])
    if choice == 4:
        # years 0-9999 and beyond (time.Time refuses those)
        return Time(rnd.randint(-70_000_000_000_000_000_000, 260_000_000_000_000_000_000))
    if choice == 5:
        return Duration(rnd.randint(-(1 << 63), (1 << 63) - 1))
    if choice == 6:
        return rnd.choice([gojson.RawJSON('{"a":[1,2]}'), _Text(texts[0]), bytes(rnd.randrange(256) for _ in range(5))])
    if choice == 7:
        return rnd.choice([1.5, 0.0, -0.0, 1e21, 1e-7, 123.0])
    if choice == 8:
        return texts[0] + "\u2028&<>"
    if choice in (9, 10):
        names = random_texts(rnd.randrange(1 << 30), rnd.randint(0, 5), 6)
        return gojson.Struct((name, random_value(rnd, depth + 1)) for name in names)
    if choice in (11, 12):
        keys = list(random_texts(rnd.randrange(1 << 30), rnd.randint(0, 5), 6))
        if rnd.random() < 0.2:  # integer keys sort by their text, mixed keys too
            keys = [rnd.randint(-20, 20) for _ in keys] + keys[: rnd.randint(0, 2)]
        if rnd.random() < 0.1:
            keys.append(_Text("k"))
        return {key: random_value(rnd, depth + 1) for key in keys}
    if choice in (13, 14):
        return [random_value(rnd, depth + 1) for _ in range(rnd.randint(0, 5))]
    return tuple(random_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3)))


def test_encoder_matches_reference_on_nested_values():
    rnd = random.Random(11)
    for _ in range(6_000):
        value = random_value(rnd)
        assert fast_dumps(value) == reference_dumps(value), repr(value)


def test_encoder_map_keys_sort_by_their_text():
    assert gojson.dumps({10: 1, 9: 2, "a": 3}) == reference_dumps({10: 1, 9: 2, "a": 3}) == '{"10":1,"9":2,"a":3}'
    assert fast_dumps({1.5: 1}) == reference_dumps({1.5: 1})


# --- alert templates -------------------------------------------------------------------------

TEMPLATE_ACTIONS = [
    "{{ .Name }}", "{{.TaskName}}", "{{ .Group }}", "{{ .ID }}", "{{ .Level }}", "{{ .Message }}",
    "{{ json . }}", "{{ jsonCompact . }}", "{{- .Name -}}", "{{/* a comment */}}", "{{ .Tags }}",
    '{{ index .Tags "t" }}', "{{ .Fields }}", "{{ .Time }}", "{{ .Duration }}", "{{ .Name | printf \"%q\" }}",
    "{{ json .Fields }}", "{{ $x := .Name }}{{ $x }}", "{{ if .Name }}y{{ end }}",
]


def random_template(rnd: random.Random, kind: str) -> str:
    parts = []
    for _ in range(rnd.randint(0, 5)):
        if rnd.random() < 0.5:
            text = next(random_texts(rnd.randrange(1 << 30), 1, 6, INPUT_ALPHABET)).replace("{", "(").replace("}", ")")
            if kind == "details" and rnd.random() < 0.7:
                text = text.replace("<", "[")  # mostly text the fast path takes
            parts.append(text)
        else:
            parts.append(rnd.choice(TEMPLATE_ACTIONS))
    return "".join(parts)


def random_event_data(rnd: random.Random) -> dict:
    def text() -> str:
        return next(random_texts(rnd.randrange(1 << 30), 1, 6, INPUT_ALPHABET))

    fields = {}
    for _ in range(rnd.randint(0, 5)):
        fields[text()] = rnd.choice([
            next(random_floats(rnd.randrange(1 << 30), 1)), rnd.randint(-(1 << 63), (1 << 63) - 1), text(),
            rnd.choice([True, False]), None, 1.5, math.nan if rnd.random() < 0.2 else 2.0,
        ])
    return {
        "name": text(),
        "task_name": text(),
        "group": rnd.choice(["nil", text()]),
        "tags": {text(): text() for _ in range(rnd.randint(0, 3))},
        "fields": fields,
        "level": rnd.choice(["OK", "INFO", "WARNING", "CRITICAL"]),
        # mostly ordinary times; some outside the years encoding/json accepts
        "time_ns": rnd.choice([rnd.randint(0, 2_000_000_000_000_000_000),
                               rnd.randint(-70_000_000_000_000_000_000, 260_000_000_000_000_000_000)]),
        "duration_ns": rnd.randint(0, 1 << 40),
    }


def _render_or_error(function):
    try:
        return function()
    except template_data.TemplateError as error:
        return f"error: {error.go_message}"


def typed_render(templates, data) -> tuple:
    """The reference: the templates executed over the typed Go values."""
    event_id = _render_or_error(lambda: templates.render_id(
        template_data.id_data(data["name"], data["task_name"], data["group"], data["tags"])))
    info = template_data.message_data(data["name"], data["task_name"], data["group"], data["tags"], event_id,
                                      data["fields"], data["level"], data["time_ns"], data["duration_ns"])
    message = _render_or_error(lambda: templates.render_message(info))
    details = _render_or_error(lambda: templates.render_details(template_data.details_data(info, message)))
    return event_id, message, details


def fast_render(templates, data) -> tuple:
    event_id = _render_or_error(
        lambda: templates.event_id(data["name"], data["task_name"], data["group"], data["tags"]))
    message_and_details = _render_or_error(lambda: templates.message_and_details(
        event_id, data["name"], data["task_name"], data["group"], data["tags"], data["fields"], data["level"],
        data["time_ns"], data["duration_ns"]))
    if isinstance(message_and_details, str):  # the message failed: the details are not rendered
        return event_id, message_and_details, None
    return (event_id, *message_and_details)


def test_default_templates_are_compiled_to_closures():
    templates = template_data.compile_alert_templates()
    assert templates.fast_id is not None and templates.fast_message is not None and templates.fast_details is not None


def test_default_templates_fast_path_matches_typed_templates():
    rnd = random.Random(21)
    reference = template_data.compile_alert_templates()
    templates = template_data.compile_alert_templates()
    for _ in range(3_000):
        data = random_event_data(rnd)
        assert fast_render(templates, data) == typed_render(reference, data), data


def test_generated_templates_fast_path_matches_typed_templates():
    rnd = random.Random(22)
    compiled = 0
    fast = 0
    for _ in range(1_500):
        texts = {kind: random_template(rnd, kind) for kind in ("id", "message", "details")}
        try:
            fast_templates = template_data.compile_alert_templates(texts["id"], texts["message"], texts["details"])
        except template_data.TemplateError:
            continue
        compiled += 1
        fast += fast_templates.fast_details is not None
        for _ in range(3):
            data = random_event_data(rnd)
            reference = template_data.compile_alert_templates(texts["id"], texts["message"], texts["details"])
            expected = typed_render(reference, data)
            got = fast_render(fast_templates, data)
            if isinstance(got[1], str) and got[1].startswith("error: ") and got[2] is None:
                assert got[:2] == expected[:2], (texts, data)
            else:
                assert got == expected, (texts, data)
    assert compiled > 500 and fast > 100  # both paths were exercised


# --- the alert's wire JSON ---------------------------------------------------------------------


def reference_alert_wire(event: AlertEvent) -> bytes:
    data = gojson.Struct()
    data["id"] = event.id
    data["message"] = event.message
    data["details"] = event.details
    data["time"] = Time(event.time_ns)
    data["duration"] = event.duration_ns
    data["level"] = event.level
    data["data"] = event.result
    data["previousLevel"] = event.previous_level
    data["recoverable"] = event.recoverable
    out: list[str] = []
    reference_encode(data, out)
    return "".join(out).encode("utf-8", errors="surrogateescape")


def _wire_or_error(function, event):
    try:
        return function(event)
    except gojson.GoJSONError as error:
        return f"error: {error}"


def random_result(rnd: random.Random, data: dict):
    """models.Result shapes the alert node hands on: a point's row, a batch's row (several
    values, tags or not, no name), none; and some it does not."""
    row = point_row(data["name"], data["tags"], data["fields"], data["time_ns"])
    choice = rnd.randrange(6)
    if choice == 0:
        return gojson.Struct(series=[row])
    if choice == 1:
        del row["columns"][1:]
        row["values"] = [[Time(rnd.randint(0, 1 << 62)), *[f"v{i}" for i in range(len(row["columns"]) - 1)]]
                         for _ in range(rnd.randint(0, 3))]
        row.pop("name", None)
        if rnd.random() < 0.5:
            row.pop("tags", None)
        return gojson.Struct(series=[row])
    if choice == 2:
        return gojson.Struct(series=None)
    if choice == 3:
        return gojson.Struct(series=[row, row])
    if choice == 4:
        return {"series": [row]}
    return gojson.Struct(series=[gojson.Struct(reversed(list(row.items())))])


def test_alert_wire_matches_reference():
    rnd = random.Random(31)
    templates = template_data.compile_alert_templates()
    for _ in range(2_000):
        data = random_event_data(rnd)
        event_id = templates.event_id(data["name"], data["task_name"], data["group"], data["tags"])
        message, details = templates.message_and_details(
            event_id, data["name"], data["task_name"], data["group"], data["tags"], data["fields"], data["level"],
            data["time_ns"], data["duration_ns"])
        event = AlertEvent(
            id=event_id, message=message, details=details, time_ns=data["time_ns"], duration_ns=data["duration_ns"],
            level=data["level"], previous_level=rnd.choice(["OK", "CRITICAL"]), name=data["name"],
            task_name=data["task_name"], group=data["group"], tags=data["tags"], fields=data["fields"],
            recoverable=rnd.choice([True, False]),
            result=random_result(rnd, data),
        )
        assert _wire_or_error(alert_wire, event) == _wire_or_error(reference_alert_wire, event), data


@pytest.mark.parametrize("details", [None, "{{ .Name }}", "{{ json . }}"])
def test_field_of_another_type_takes_the_typed_path(details):
    # The typed data refuses a field value that no point can carry; the fast paths hand such an
    # event to it rather than render something else.
    odd = {"d": object()}
    templates = template_data.compile_alert_templates(None, None, details)
    with pytest.raises(TypeError, match="unsupported field value"):
        templates.message_and_details("cpu:nil", "cpu", "task", "nil", {}, odd, "OK", 0, 0)
    with pytest.raises(TypeError, match="unsupported field value"):
        template_data.message_data("cpu", "task", "nil", {}, "cpu:nil", odd, "OK", 0, 0)


def test_duration_field_is_a_go_duration_in_templates_and_nanoseconds_in_json():
    # eval(lambda: 5s) stores a time.Duration field: "%v" prints 5s, encoding/json an int64.
    templates = template_data.compile_alert_templates(None, '{{ index .Fields "d" }}', None)
    message, details = templates.message_and_details("cpu:nil", "cpu", "task", "nil", {},
                                                     {"d": Duration(5_000_000_000)}, "OK", 0, 0)
    assert message == "5s"
    assert "&#34;Fields&#34;:{&#34;d&#34;:5000000000}" in details

"""Go text/template and html/template as Kapacitor's alert templates use them.

Expected texts follow Go's documented behaviour (text/template, html/template, fmt)."""

from __future__ import annotations

import pytest

from tickpy.check.alert_templates import (
    TemplateError,
    compile_alert_templates,
    compile_template,
    details_data,
    id_data,
    message_data,
)
from tickpy.diagnostics import TickpyError
from tickpy.golang.goformat import format_float
from tickpy.golang.gotemplate_exec import ExecError, TextTemplate
from tickpy.golang.gotemplate_fmt import sprint, sprintf
from tickpy.golang.gotemplate_parse import TemplateParseError
from tickpy.golang.gotemplate_types import FLOAT64, GV, INT, INT64, STRING, go_time
from tickpy.golang.gotime import format_go_duration

TIME_NS = 1709300730_123456789  # 2024-03-01T13:45:30.123456789Z


def _message_info(fields=None, tags=None, duration_ns=0, level="CRITICAL"):
    return message_data(
        "cpu", "cpu_alert", "nil", tags if tags is not None else {"host": "server01"}, "cpu:nil",
        fields if fields is not None else {"value": 91.5, "count": 42, "ok": False, "status": "degraded"},
        level, TIME_NS, duration_ns,
    )


def render(kind: str, text: str, **kwargs) -> str:
    template = compile_template(kind, text)
    info = _message_info(**kwargs)
    if kind == "id":
        return template.render(id_data("cpu", "cpu_alert", "nil", {"host": "server01"}))
    if kind == "message":
        return template.render(info)
    return template.render(details_data(info, "cpu:nil is CRITICAL"))


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("{{ .Name", "template: message:1: unclosed action"),
        ("{{ .Name }", 'template: message:1: unexpected "}" in operand'),
        ("{{ nope }}", 'template: message:1: function "nope" not defined'),
        ("{{ $y }}", 'template: message:1: undefined variable "$y"'),
        ("{{ .Tags.host-name }}", "template: message:1: bad character U+002D '-'"),
        ("a\nb\n{{ end }}", "template: message:3: unexpected {{end}}"),
        ("{{ if .Name }}x", "template: message:1: unexpected EOF"),
        ("{{ continue }}", "template: message:1: {{continue}} outside {{range}}"),
        ("{{ .Name | 3 }}", "template: message:1: non executable command in pipeline stage 2"),
        ("{{ json . }}", 'template: message:1: function "json" not defined'),
        ("{{/* a\nb */}}{{ end }}", "template: message:2: unexpected {{end}}"),
        ("{{ .Name\n", "template: message:2: unclosed action started at message:1"),
    ],
)
def test_parse_errors_have_go_text(text, message):
    with pytest.raises(TemplateError) as caught:
        compile_template("message", text)
    assert caught.value.go_message == message
    assert caught.value.stage == "parse"
    assert isinstance(caught.value, TickpyError)


@pytest.mark.parametrize(
    "literal, shown",
    [("0x1F", "31"), ("0o17", "15"), ("0b101", "5"), ("1_000", "1000"), ("-0", "0"), ("1e3", "1000"),
     ("0x1p-2", "0.25"), ("2.5i", "(0+2.5i)")],
)
def test_number_literals_read_as_strconv_reads_them(literal, shown):
    # parse.newNumber: ParseUint/ParseInt with base 0 (prefixes and '_'), else ParseFloat.
    assert render("message", "{{ print " + literal + " }}") == shown


@pytest.mark.parametrize(
    "literal, message",
    [("1__0", 'illegal number syntax: "1__0"'),  # '_' only between digits (underscoreOK)
     ("7_", 'illegal number syntax: "7_"'),
     ("0x10i", 'illegal number syntax: "0x10i"'),  # an imaginary part goes through ParseFloat: no 0x without p
     ("99999999999999999999", 'integer overflow: "99999999999999999999"')],
)
def test_number_literals_strconv_refuses(literal, message):
    with pytest.raises(TemplateError) as caught:
        compile_template("message", "{{ print " + literal + " }}")
    assert caught.value.go_message == "template: message:1: " + message


def test_trim_markers_and_comments():
    assert render("message", "a  {{- .Name -}}  b") == "acpub"
    assert render("message", "[{{-3}}]") == "[-3]"
    assert render("message", "x {{- /* note */ -}} y") == "xy"
    assert render("message", "x\n{{- if true }}\n  y\n{{- end }}\nz") == "x\n  y\nz"


# --- execution -------------------------------------------------------------------------------


def test_fields_tags_and_missing_keys():
    assert render("message", "{{ .Tags.host }} {{ .Fields.value }} {{ .Fields.count }}") == "server01 91.5 42"
    assert render("message", "[{{ .Tags.nope }}][{{ index .Tags \"nope\" }}][{{ index .Fields \"nope\" }}]") == (
        "[<no value>][][<no value>]"
    )
    assert render("details", "[{{ .Tags.nope }}][{{ index .Fields \"nope\" }}]") == "[][]"
    assert render("message", "{{ print .Fields.nope }}") == "<nil>"


def test_values_print_like_go():
    fields = {"big": 1.5e21, "million": 1234567.0, "whole": 100.0, "negzero": -0.0, "tiny": 1.25e-7}
    text = "{{ .Fields.big }} {{ .Fields.million }} {{ .Fields.whole }} {{ .Fields.negzero }} {{ .Fields.tiny }}"
    assert render("message", text, fields=fields) == "1.5e+21 1.234567e+06 100 -0 1.25e-07"
    assert render("message", "{{ .Time }}") == "2024-03-01 13:45:30.123456789 +0000 UTC"
    assert render("message", "{{ .Duration }}", duration_ns=90_000_000_000) == "1m30s"
    assert render("message", "{{ .Tags }}", tags={"b": "2", "a": "1"}) == "map[a:1 b:2]"


@pytest.mark.parametrize(
    "ns, text",
    [(0, "0s"), (1, "1ns"), (1500, "1.5µs"), (750_000_000, "750ms"), (1_500_000_000, "1.5s"),
     (7_384_005_000_000, "2h3m4.005s"), (129_600_000_000_000, "36h0m0s"), (-90_000_000_000, "-1m30s")],
)
def test_duration_string(ns, text):
    assert format_go_duration(ns) == text


def test_exec_errors_blame_go_node():
    with pytest.raises(TemplateError) as caught:
        render("id", "prefix {{ .Name }} {{ .Level }}")
    assert caught.value.go_message == (
        'template: id:1:22: executing "id" at <.Level>: can\'t evaluate field Level in type kapacitor.idInfo'
    )
    with pytest.raises(ExecError, match=r"at <\.Fields\.value\.x>: can't evaluate field x in type interface \{\}"):
        compile_template("message", "{{ .Fields.value.x }}").template.execute(_message_info())
    with pytest.raises(ExecError, match="incompatible types for comparison: float64 and int"):
        compile_template("message", "{{ eq .Fields.value 91 }}").template.execute(_message_info())
    with pytest.raises(ExecError, match=r"error calling len: len of type float64"):
        compile_template("message", "{{ len .Fields.value }}").template.execute(_message_info())


def test_control_structures():
    tags = {"cpu": "cpu-total", "host": "server01", "region": "us-west"}
    text = "{{ range $k, $v := .Tags }}{{ if eq $k \"region\" }}{{ break }}{{ end }}{{ $k }}={{ $v }};{{ end }}"
    assert render("message", text, tags=tags) == "cpu=cpu-total;host=server01;"
    assert render("message", "{{ range 3 }}{{ . }}{{ end }}") == "012"
    assert render("message", "{{ range .Tags }}x{{ else }}none{{ end }}", tags={}) == "none"
    assert render("message", "{{ with .Fields.nope }}x{{ else with .Tags.host }}h={{ . }}{{ end }}") == "h=server01"
    assert render("message", "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}") == "2"
    assert render("message", "{{ or .Tags.nope \"default\" }} {{ and 1 0 2 }}") == "default 0"
    assert render("message", '{{ define "T" }}[{{ .host }}]{{ end }}{{ template "T" .Tags }}') == "[server01]"
    assert render("message", '{{ block "b" . }}default {{ .Level }}{{ end }}') == "default CRITICAL"


def test_methods_of_time_and_duration():
    assert render("message", '{{ .Time.Format "2006-01-02 15:04:05 MST" }}') == "2024-03-01 13:45:30 UTC"
    assert render("message", "{{ .Time.Unix }} {{ .Time.Weekday }} {{ .Time.YearDay }}") == "1709300730 Friday 61"
    assert render("message", "{{ .Duration.Seconds }}", duration_ns=1_500_000_000) == "1.5"
    with pytest.raises(ExecError, match="wrong number of args for Format: want 1 got 0"):
        compile_template("message", "{{ .Time.Format }}").template.execute(_message_info())


# --- fmt ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fmt, args, text",
    [
        ("%d", [GV(FLOAT64, 91.5)], "%!d(float64=91.5)"),
        ("%5.1f", [GV(INT64, 42)], "%!f(int64=   42)"),
        ("%d %d", [GV(INT64, 42)], "42 %!d(MISSING)"),
        ("%d", [GV(INT64, 1), GV(INT, 2)], "1%!(EXTRA int=2)"),
        ("%-8s|", [GV(STRING, "ab")], "ab      |"),
        ("%08.3f", [GV(FLOAT64, -3.5)], "-003.500"),
        ("%x", [GV(STRING, "hi")], "6869"),
        ("%q", [GV(STRING, 'a"b')], '"a\\"b"'),
        ("%+q", [GV(STRING, "é")], '"\\u00e9"'),
        ("%U", [GV(INT64, 0x2A)], "U+002A"),
        ("%6.2f%%", [GV(FLOAT64, 0.3)], "  0.30%"),
        ("%v", [None], "<nil>"),
        ("%T", [go_time(0)], "time.Time"),
        ("%x", [GV(FLOAT64, 1.0)], "0x1p+00"),
        ("%[2]d %[1]d", [GV(INT, 1), GV(INT, 2)], "2 1"),
        ("%[3]d", [GV(INT, 1)], "%!d(BADINDEX)"),
        ("%", [GV(INT, 1)], "%!(NOVERB)%!(EXTRA int=1)"),
    ],
)
def test_sprintf(fmt, args, text):
    assert sprintf(fmt, args) == text


def test_sprint_spacing_and_float_formats():
    assert sprint([GV(STRING, "a"), GV(INT, 1), GV(INT, 2), GV(STRING, "b")]) == "a1 2b"
    assert format_float(1234567.0, "g", -1) == "1.234567e+06"
    assert format_float(999999.0, "g", -1) == "999999"
    assert format_float(0.1 + 0.2, "e", 3) == "3.000e-01"


# --- html/template ----------------------------------------------------------------------------


def test_details_escape_by_context():
    tags = {"host": "a<b>&c", "quote": "it's \"q\""}
    assert render("details", "{{ .Tags.host }}", tags=tags) == "a&lt;b&gt;&amp;c"
    assert render("details", '<a title="{{ .Tags.quote }}">', tags=tags) == '<a title="it&#39;s &#34;q&#34;">'
    assert render("details", '<a href="/x?h={{ .Tags.host }}">', tags=tags) == '<a href="/x?h=a%3cb%3e%26c">'
    assert render("details", "<script>var h = {{ .Tags.host }};</script>", tags=tags) == (
        '<script>var h = "a\\u003cb\\u003e\\u0026c";</script>'
    )
    assert render("details", "<!-- {{ .Name }} -->x") == "x"
    assert render("details", "{{ .Time }}") == "2024-03-01 13:45:30.123456789 &#43;0000 UTC"
    assert render("message", "<b>{{ .Tags.host }}</b>", tags=tags) == "<b>a<b>&c</b>"


def test_details_json_functions():
    out = render("details", "{{ jsonCompact .Fields }}", fields={"v": 1.5, "s": "<"})
    assert out == "{&#34;s&#34;:&#34;\\u003c&#34;,&#34;v&#34;:1.5}"
    assert render("details", "{{ json .Level }}") == "&#34;CRITICAL&#34;\n"


def test_details_context_errors_at_render_time():
    template = compile_template("details", '<a href="{{ .Name }}')
    with pytest.raises(TemplateError) as caught:
        template.render(details_data(_message_info(), "m"))
    assert caught.value.stage == "execute"
    assert caught.value.go_message == (
        "html/template:details: ends in a non-text context: "
        "{stateURL delimDoubleQuote urlPartNone jsCtxRegexp attrURL elementNone <nil>}"
    )
    with pytest.raises(ExecError, match=r'html/template:details:1:3: predefined escaper "html" disallowed'):
        compile_template("details", "{{ html .Name | len }}").template.execute(details_data(_message_info(), "m"))


def test_compile_alert_templates_defaults_and_render():
    templates = compile_alert_templates()
    info = _message_info()
    assert templates.render_id(id_data("cpu", "t", "nil", {})) == "cpu:nil"
    assert templates.render_message(info) == "cpu:nil is CRITICAL"
    assert templates.render_details(details_data(info, "m")).startswith("{&#34;Name&#34;:&#34;cpu&#34;")
    with pytest.raises(TemplateError) as caught:
        compile_alert_templates(message_text="{{ .Nope }}").render_message(info)
    assert caught.value.stage == "execute"


def test_text_template_usable_directly():
    template = TextTemplate("t", "{{ printf \"%05.1f\" . }}")
    assert template.execute(GV(FLOAT64, 3.14159)) == "003.1"
    with pytest.raises(TemplateParseError):
        TextTemplate("t", "{{ end }}")

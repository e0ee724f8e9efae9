"""The data Kapacitor's alert node renders its `.id()`, `.message()` and `.details()` templates
over, and those templates compiled once per task.

Kapacitor hands Go structs to the templates (`idInfo`, `messageInfo` embedding it,
`detailsInfo` embedding that, in package `kapacitor`); their type names and field order are
visible to users through `{{ . }}`, `%#v`, `json` and error messages, so they are rebuilt
here as typed Go values.
"""

from __future__ import annotations

from dataclasses import dataclass

from tickpy.alerting.gojson import GoJSONError, Struct, dumps
from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.lang.gotemplate_exec import ExecError, Func, TextTemplate
from tickpy.lang.gotemplate_html import HTMLTemplate
from tickpy.lang.gotemplate_parse import TemplateParseError
from tickpy.lang.gotemplate_types import (
    BOOL,
    DURATION,
    EMPTY_INTERFACE,
    FLOAT64,
    GV,
    HTML_JS,
    INT64,
    MAP_STRING_ANY,
    MAP_STRING_STRING,
    STRING,
    TIME,
    GoType,
    StructField,
    go_duration,
    go_time,
    iface,
)

DEFAULT_ID_TEMPLATE = "{{ .Name }}:{{ .Group }}"
DEFAULT_MESSAGE_TEMPLATE = "{{ .ID }} is {{ .Level }}"
DEFAULT_DETAILS_TEMPLATE = "{{ json . }}"

SERVER_INFO_TYPE = GoType(
    "kapacitor.serverInfo",
    "struct",
    fields=[StructField("Hostname", STRING), StructField("ClusterID", STRING), StructField("ServerID", STRING)],
)
ID_INFO_TYPE = GoType(
    "kapacitor.idInfo",
    "struct",
    fields=[
        StructField("Name", STRING),
        StructField("TaskName", STRING),
        StructField("Group", STRING),
        StructField("Tags", MAP_STRING_STRING),
        StructField("ServerInfo", SERVER_INFO_TYPE),
    ],
)
MESSAGE_INFO_TYPE = GoType(
    "kapacitor.messageInfo",
    "struct",
    fields=[
        StructField("idInfo", ID_INFO_TYPE, embedded=True),
        StructField("ID", STRING),
        StructField("Fields", MAP_STRING_ANY),
        StructField("Level", STRING),
        StructField("Time", TIME),
        StructField("Duration", DURATION),
    ],
)
DETAILS_INFO_TYPE = GoType(
    "kapacitor.detailsInfo",
    "struct",
    fields=[StructField("messageInfo", MESSAGE_INFO_TYPE, embedded=True), StructField("Message", STRING)],
)

ZERO_UUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What `.ServerInfo` shows; a real server has its own stored IDs."""

    hostname: str = "localhost"
    cluster_id: str = ZERO_UUID
    server_id: str = ZERO_UUID


def go_field_value(value) -> GV:
    """A point's field value as the `interface {}` Kapacitor stores in `.Fields`."""
    kind = type(value)
    if kind is bool:
        return iface(GV(BOOL, value))
    if kind is int:
        return iface(GV(INT64, value))
    if kind is float:
        return iface(GV(FLOAT64, value))
    if kind is str:
        return iface(GV(STRING, value))
    if value is None:
        return iface(None)
    raise TypeError(f"unsupported field value {value!r}")


def id_data(name: str, task_name: str, group: str, tags: dict[str, str], server: ServerInfo = ServerInfo()) -> GV:
    server_value = GV(SERVER_INFO_TYPE, [GV(STRING, server.hostname), GV(STRING, server.cluster_id), GV(STRING, server.server_id)])
    tags_value = GV(MAP_STRING_STRING, {k: GV(STRING, v) for k, v in tags.items()})
    return GV(ID_INFO_TYPE, [GV(STRING, name), GV(STRING, task_name), GV(STRING, group), tags_value, server_value])


def message_data(
    name: str,
    task_name: str,
    group: str,
    tags: dict[str, str],
    alert_id: str,
    fields: dict,
    level: str,
    time_ns: int,
    duration_ns: int,
    server: ServerInfo = ServerInfo(),
) -> GV:
    fields_value = GV(MAP_STRING_ANY, {k: go_field_value(v) for k, v in fields.items()})
    return GV(
        MESSAGE_INFO_TYPE,
        [
            id_data(name, task_name, group, tags, server),
            GV(STRING, alert_id),
            fields_value,
            GV(STRING, level),
            go_time(time_ns),
            go_duration(duration_ns),
        ],
    )


def details_data(message_info: GV, message: str) -> GV:
    return GV(DETAILS_INFO_TYPE, [message_info, GV(STRING, message)])


# --- json / jsonCompact --------------------------------------------------------------------


def to_json_value(value: GV | None):
    """A typed Go value as the Python value `gojson.dumps` encodes the same way Go would."""
    from tickpy.lang.values import Time

    if value is None:
        return None
    t = value.t
    kind = t.kind
    if t is TIME:
        return Time(value.v)
    if kind == "interface":
        return to_json_value(value.v)
    if kind == "struct":
        out = Struct()
        _flatten_struct(value, out)
        return out
    if kind == "map":
        if value.v is None:
            return None
        return {k: to_json_value(v) for k, v in value.v.items()}
    if kind == "slice":
        if value.v is None:
            return None
        if t.elem.kind == "uint8":
            return bytes(b.v for b in value.v)
        return [to_json_value(v) for v in value.v]
    if kind == "ptr":
        return None if value.v is None else str(value.v)
    if kind == "complex128":
        raise GoJSONError("json: unsupported type: complex128")
    return value.v


def _flatten_struct(value: GV, out: Struct):
    for spec, item in zip(value.t.fields, value.v):
        if spec.embedded and spec.type.kind == "struct":
            _flatten_struct(item, out)
        elif spec.exported:
            out[spec.name] = to_json_value(item)


def _encode(value) -> str:
    try:
        return dumps(to_json_value(value)) + "\n"
    except GoJSONError:
        return ""  # Kapacitor ignores the encoder's error and keeps the empty buffer


def _json_func(value):
    return GV(HTML_JS, _encode(value))


def _json_compact_func(value):
    return GV(HTML_JS, _encode(value).rstrip("\n"))


DETAILS_FUNCS = {
    "json": Func("json", [EMPTY_INTERFACE], [HTML_JS], _json_func),
    "jsonCompact": Func("jsonCompact", [EMPTY_INTERFACE], [HTML_JS], _json_compact_func),
}


# --- compiled templates ----------------------------------------------------------------------


class TemplateError(TickpyError):
    """A template failed to parse or render; `go_message` is Kapacitor's exact text."""

    def __init__(self, go_message: str, stage: str, kind: str):
        self.go_message = go_message
        self.stage = stage
        self.kind = kind
        super().__init__(Diagnostic(go_message, code=f"template-{stage}", kapacitor_message=go_message))


@dataclass
class AlertTemplate:
    """One compiled template; `render` raises TemplateError with Kapacitor's text."""

    kind: str  # "id", "message" or "details"
    template: TextTemplate

    def render(self, data: GV) -> str:
        try:
            return self.template.execute(data)
        except ExecError as err:
            raise TemplateError(str(err), "execute", self.kind) from None


@dataclass
class AlertTemplates:
    id_template: AlertTemplate
    message_template: AlertTemplate
    details_template: AlertTemplate

    def render_id(self, data: GV) -> str:
        return self.id_template.render(data)

    def render_message(self, data: GV) -> str:
        return self.message_template.render(data)

    def render_details(self, data: GV) -> str:
        return self.details_template.render(data)


def compile_template(kind: str, text: str) -> AlertTemplate:
    """One template as Kapacitor builds it: text/template for id and message, html/template
    with `json`/`jsonCompact` for details. Raises TemplateError (stage "parse")."""
    try:
        if kind == "details":
            return AlertTemplate(kind, HTMLTemplate(kind, text, DETAILS_FUNCS))
        return AlertTemplate(kind, TextTemplate(kind, text))
    except TemplateParseError as err:
        raise TemplateError(str(err), "parse", kind) from None


def compile_alert_templates(
    id_text: str | None = None, message_text: str | None = None, details_text: str | None = None
) -> AlertTemplates:
    """The three templates of an alert node (None: Kapacitor's default)."""
    return AlertTemplates(
        compile_template("id", DEFAULT_ID_TEMPLATE if id_text is None else id_text),
        compile_template("message", DEFAULT_MESSAGE_TEMPLATE if message_text is None else message_text),
        compile_template("details", DEFAULT_DETAILS_TEMPLATE if details_text is None else details_text),
    )


__all__ = [
    "AlertTemplate",
    "AlertTemplates",
    "ServerInfo",
    "TemplateError",
    "compile_alert_templates",
    "compile_template",
    "details_data",
    "id_data",
    "message_data",
]

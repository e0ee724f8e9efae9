"""The data Kapacitor's alert node renders its `.id()`, `.message()` and `.details()` templates
over, and those templates compiled once per task.

Kapacitor hands Go structs to the templates (`idInfo`, `messageInfo` embedding it,
`detailsInfo` embedding that, in package `kapacitor`); their type names and field order are
visible to users through `{{ . }}`, `%#v`, `json` and error messages, so they are rebuilt
here as typed Go values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.golang import gojson
from tickpy.golang import gotemplate_parse as P
from tickpy.golang.gojson import GoJSONError, Struct, dumps
from tickpy.golang.gotemplate_exec import ExecError, Func, TextTemplate
from tickpy.golang.gotemplate_html import HTMLTemplate, escape_html_text
from tickpy.golang.gotemplate_parse import TemplateParseError
from tickpy.golang.gotemplate_types import (
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
    to_json_value,
)
from tickpy.lang.values import Duration, Time

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


_GO_SCALAR_TYPES = {bool: BOOL, int: INT64, float: FLOAT64, str: STRING}


def go_scalar_value(value) -> GV | None:
    """A bool, int, float or str (exactly those types) as an `interface {}` holding Go's
    bool, int64, float64 or string; None for any other value."""
    go_type = _GO_SCALAR_TYPES.get(type(value))
    return None if go_type is None else iface(GV(go_type, value))


def go_field_value(value) -> GV:
    """A point's field value as the `interface {}` Kapacitor stores in `.Fields`."""
    scalar = go_scalar_value(value)
    if scalar is not None:
        return scalar
    kind = type(value)
    if value is None:
        return iface(None)
    if kind is Duration:  # an eval() of a duration lambda stores a time.Duration
        return iface(go_duration(value.nanoseconds))
    if kind is Time:
        return iface(go_time(value.nanoseconds))
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

    def __post_init__(self):
        # Templates made only of text, string fields and `json .` render through closures
        # compiled once (`fast_renderer`); the others walk their tree over typed Go values.
        self.fast_id = fast_renderer(self.id_template)
        self.fast_message = fast_renderer(self.message_template)
        self.fast_details = fast_renderer(self.details_template)
        self.details_json = DetailsJSON()

    def render_id(self, data: GV) -> str:
        return self.id_template.render(data)

    def render_message(self, data: GV) -> str:
        return self.message_template.render(data)

    def render_details(self, data: GV) -> str:
        return self.details_template.render(data)

    def event_id(self, name: str, task_name: str, group: str, tags: dict[str, str]) -> str:
        """The `.id()` text of an event (`group` as the templates show it: "nil" for none)."""
        if self.fast_id is not None:
            return self.fast_id(name, task_name, group, "", "", "", None)
        return self.render_id(id_data(name, task_name, group, tags))

    def message_and_details(self, event_id: str, name: str, task_name: str, group: str, tags: dict[str, str],
                            fields, level: str, time_ns: int, duration_ns: int) -> tuple[str, str]:
        """The `.message()` and `.details()` texts of an event."""
        info = None
        if self.fast_message is not None:
            message = self.fast_message(name, task_name, group, event_id, level, "", None)
        else:
            info = message_data(name, task_name, group, tags, event_id, fields, level, time_ns, duration_ns)
            message = self.render_message(info)
        fast_details = self.fast_details
        if fast_details is not None:
            try:
                if fast_details.uses_json:
                    json_text = self.details_json.escaped(
                        name, task_name, group, tags, event_id, fields, level, time_ns, duration_ns, message)
                else:
                    json_text = None
                    _check_plain_fields(fields)
            except _NotPlainField:
                pass  # a field value the typed path must judge: render through it
            else:
                return message, fast_details(name, task_name, group, event_id, level, message, json_text)
        if info is None:
            info = message_data(name, task_name, group, tags, event_id, fields, level, time_ns, duration_ns)
        return message, self.render_details(details_data(info, message))


# --- fast rendering ----------------------------------------------------------------------------

# The string fields each template's data has (idInfo; messageInfo adds ID and Level;
# detailsInfo adds Message), in the order of the compiled renderers' parameters.
_RENDER_PARAMETERS = ("Name", "TaskName", "Group", "ID", "Level", "Message")
_STRING_FIELDS = {
    "id": {"Name", "TaskName", "Group"},
    "message": {"Name", "TaskName", "Group", "ID", "Level"},
    "details": {"Name", "TaskName", "Group", "ID", "Level", "Message"},
}


class FastRenderer(Protocol):
    """What `fast_renderer` compiles: the rendering function, marked with whether it reads
    `json_text`."""

    uses_json: bool

    def __call__(
        self, Name: str, TaskName: str, Group: str, ID: str, Level: str, Message: str, json_text: str | None
    ) -> str: ...


def fast_renderer(compiled: AlertTemplate) -> FastRenderer | None:
    """A function `(Name, TaskName, Group, ID, Level, Message, json_text) -> str` giving what
    the template renders, or None when the template is not one it can compile: only literal
    text, `{{ .Field }}` of a string field of the template's data and, in details, `{{ json . }}`
    and `{{ jsonCompact . }}` (`json_text` is then the html-escaped `json .` text). Details are
    html/template: without a `<` in its text every action is in the HTML text context, where
    html/template escapes it with the HTML table; with one, contexts matter, so the template
    walks its tree."""
    template = compiled.template
    is_html = isinstance(template, HTMLTemplate)
    tree = template.trees.get(template.name)
    if tree is None or tree.root is None or not tree.root.nodes or len(template.trees) != 1:
        return None
    if isinstance(template, HTMLTemplate) and template.escaped:
        return None
    fields = _STRING_FIELDS[compiled.kind]
    parts = []
    for node in tree.root.nodes:
        if type(node) is P.TextNode:
            if is_html and "<" in node.text:
                return None
            parts.append(repr(node.text))
            continue
        if type(node) is P.CommentNode:
            continue
        if type(node) is not P.ActionNode or node.pipe.decl or len(node.pipe.cmds) != 1:
            return None
        args = node.pipe.cmds[0].args
        if len(args) == 1 and type(args[0]) is P.FieldNode and len(args[0].ident) == 1 and args[0].ident[0] in fields:
            name = args[0].ident[0]
            parts.append(f"escape({name})" if is_html else name)
        elif (compiled.kind == "details" and len(args) == 2 and type(args[0]) is P.IdentifierNode
              and args[0].ident in ("json", "jsonCompact") and type(args[1]) is P.DotNode):
            parts.append("json_text" if args[0].ident == "json" else 'json_text.rstrip("\\n")')
        else:
            return None
    source = f"def render({', '.join(_RENDER_PARAMETERS)}, json_text):\n    return {' + '.join(parts) or repr('')}\n"
    namespace: dict[str, Any] = {"escape": escape_html_text}
    exec(compile(source, f"<{compiled.kind} template>", "exec"), namespace)
    render: FastRenderer = namespace["render"]
    render.uses_json = any(part.startswith("json_text") for part in parts)
    return render


class _NotPlainField(Exception):
    """A field value that is not a bool, int, float, string or nil."""


_SERVER_INFO_JSON = dumps(Struct([("Hostname", ServerInfo().hostname), ("ClusterID", ServerInfo().cluster_id),
                                  ("ServerID", ServerInfo().server_id)]))


class DetailsJSON:
    """`{{ json . }}` of detailsInfo, html-escaped (what the default details show), written
    directly: the same bytes as encoding the typed data, the part that is constant per
    measurement, group and tags (up to `"ID":`) kept from event to event."""

    MAX_CACHED = 4096

    def __init__(self):
        self.prefixes: dict[tuple, str] = {}

    def escaped(self, name, task_name, group, tags, event_id, fields, level, time_ns, duration_ns, message) -> str:
        """The html-escaped JSON text plus newline, or "" when encoding/json refuses it."""
        fields_text = _fields_json(fields)  # first: a field of another type goes the typed way
        quote = gojson.quote_string
        try:
            key = (name, task_name, group, tuple(tags.items()))
            prefix = self.prefixes.get(key)
            if prefix is None:
                prefix = escape_html_text(
                    '{"Name":' + quote(name) + ',"TaskName":' + quote(task_name) + ',"Group":' + quote(group)
                    + ',"Tags":' + dumps(dict(tags)) + ',"ServerInfo":' + _SERVER_INFO_JSON + ',"ID":')
                if len(self.prefixes) >= self.MAX_CACHED:
                    self.prefixes.clear()
                self.prefixes[key] = prefix
            if fields_text is None:
                return ""
            rest = (quote(event_id) + ',"Fields":' + fields_text + ',"Level":' + quote(level) + ',"Time":'
                    + gojson.marshal_time(time_ns) + ',"Duration":' + str(duration_ns) + ',"Message":'
                    + quote(message) + "}\n")
        except GoJSONError:
            return ""  # Kapacitor ignores the encoder's error and keeps the empty buffer
        return prefix + escape_html_text(rest)


def _check_plain_fields(fields) -> None:
    """_NotPlainField unless every field value is a bool, int, float, str or nil (the typed
    data refuses the others)."""
    for value in fields.values():
        if type(value) not in _PLAIN_FIELD_TYPES:
            raise _NotPlainField


_PLAIN_FIELD_TYPES = frozenset((bool, int, float, str, type(None)))
_QUOTED_KEYS: dict[str, str] = {}
_INFINITIES = (float("inf"), float("-inf"))


def _fields_json(fields) -> str | None:
    """The JSON of `.Fields` (a map[string]interface {}); None when a value is NaN or infinite
    (encoding/json refuses those); _NotPlainField for a value not bool, int, float, str or nil."""
    parts = []
    finite = True
    format_float = gojson.format_json_float
    quote = gojson.quote_string
    for key, value in sorted(fields.items()):  # keys are unique: values are never compared
        kind = type(value)
        if kind is float:
            if value != value or value in _INFINITIES:
                finite = False
                continue
            text = format_float(value)
        elif kind is str:
            text = quote(value)
        elif kind is bool:
            text = "true" if value else "false"
        elif kind is int:
            text = str(value)
        elif value is None:
            text = "null"
        else:
            raise _NotPlainField
        quoted_key = _QUOTED_KEYS.get(key)
        if quoted_key is None:
            if len(_QUOTED_KEYS) >= 4096:
                _QUOTED_KEYS.clear()
            quoted_key = _QUOTED_KEYS[key] = quote(key) + ":"
        parts.append(quoted_key + text)
    return "{" + ",".join(parts) + "}" if finite else None


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

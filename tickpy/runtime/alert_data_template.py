"""Go templates over an alert's `alert.Data`, as Kapacitor's httppost service runs them: the
`url` of a post handler or endpoint, and an endpoint's `alert-template` (the request body).

The data is rebuilt as typed Go values: `.ID`, `.Message`, `.Details`, `.Time`, `.Duration`,
`.Level` and `.PreviousLevel` (alert.Level prints as OK/INFO/...), `.Data` (models.Result, which
prints as its JSON), `.Data.Series` rows with `.Name`, `.Tags`, `.Columns`, `.Values`, and
`.Recoverable`. `json` and `jsonCompact` write Go's encoding/json text of any of them.
(Kapacitor's rows are pointers; here they are plain structs, which only `{{ printf "%v" }}` of a
row could tell apart.)
"""

from __future__ import annotations

from tickpy.check.alert_templates import go_scalar_value
from tickpy.golang import gojson
from tickpy.golang.gotemplate_exec import ExecError, Func, TextTemplate
from tickpy.golang.gotemplate_parse import TemplateParseError
from tickpy.golang.gotemplate_types import (
    BOOL,
    DURATION,
    EMPTY_INTERFACE,
    GV,
    MAP_STRING_STRING,
    STRING,
    TIME,
    GoType,
    Method,
    StructField,
    go_duration,
    go_time,
    iface,
    to_json_value,
)
from tickpy.runtime.alert_event import LEVEL_RANK, LEVELS, AlertEvent
from tickpy.runtime.alert_wire import result_struct


class _JSONGV(GV):
    """A typed value that also knows its exact JSON text (what encoding/json writes for it)."""

    __slots__ = ("json_text",)

    def __init__(self, t, v, json_text: str):
        super().__init__(t, v)
        self.json_text = json_text


LEVEL = GoType("alert.Level", "int")
LEVEL.methods["String"] = Method("String", [], [STRING],
                                 lambda l: GV(STRING, LEVELS[l.v] if 0 <= l.v < len(LEVELS) else "unknown"))
STRINGS = GoType("[]string", "slice", elem=STRING)
ROW_CELLS = GoType("[]interface {}", "slice", elem=EMPTY_INTERFACE)
ROW_VALUES = GoType("[][]interface {}", "slice", elem=ROW_CELLS)
ROW = GoType("models.Row", "struct", fields=[
    StructField("Name", STRING), StructField("Tags", MAP_STRING_STRING), StructField("Columns", STRINGS),
    StructField("Values", ROW_VALUES), StructField("Partial", BOOL)])
ROWS = GoType("models.Rows", "slice", elem=ROW)
ERROR = GoType("error", "interface")
RESULT = GoType("models.Result", "struct", fields=[StructField("Series", ROWS), StructField("Err", ERROR)])
RESULT.methods["String"] = Method("String", [], [STRING], lambda r: GV(STRING, getattr(r, "json_text", "")))
ALERT_DATA = GoType("alert.Data", "struct", fields=[
    StructField("ID", STRING), StructField("Message", STRING), StructField("Details", STRING),
    StructField("Time", TIME), StructField("Duration", DURATION), StructField("Level", LEVEL),
    StructField("Data", RESULT), StructField("PreviousLevel", LEVEL), StructField("Recoverable", BOOL)])


def template_cell(value) -> GV:
    scalar = go_scalar_value(value)
    if scalar is not None:
        return scalar
    nanoseconds = getattr(value, "nanoseconds", None)
    if isinstance(nanoseconds, int):
        return iface(go_time(nanoseconds))
    return iface(None)


def _row(series: dict, index: int) -> GV:
    values = []
    for row in series.get("values") or []:
        cells = [template_cell(v) for v in row]
        if row and type(row[0]) is int and (series.get("columns") or [""])[0] == "time":
            cells[0] = iface(go_time(row[0]))
        values.append(GV(ROW_CELLS, cells))
    struct = result_struct({"series": [series]})["series"][0]
    return _JSONGV(ROW, [
        GV(STRING, series.get("name", "")),
        GV(MAP_STRING_STRING, {k: GV(STRING, v) for k, v in (series.get("tags") or {}).items()} or None),
        GV(STRINGS, [GV(STRING, c) for c in series.get("columns") or []] or None),
        GV(ROW_VALUES, values or None),
        GV(BOOL, bool(series.get("partial"))),
    ], gojson.dumps(struct))


def alert_data_value(event: AlertEvent, wire: bytes) -> GV:
    """`event.AlertData()` as a typed Go value (its JSON is `wire`)."""
    series = (event.result or {}).get("series") or []
    rows = GV(ROWS, [_row(s, i) for i, s in enumerate(series)] or None)
    result = _JSONGV(RESULT, [rows, GV(ERROR, None)], gojson.dumps(result_struct(event.result)))
    return _JSONGV(ALERT_DATA, [
        GV(STRING, event.id), GV(STRING, event.message), GV(STRING, event.details), go_time(event.time_ns),
        go_duration(event.duration_ns), GV(LEVEL, LEVEL_RANK[event.level]), result,
        GV(LEVEL, LEVEL_RANK[event.previous_level]), GV(BOOL, event.recoverable),
    ], wire.decode("utf-8", "replace"))


def _json_text(value: GV | None) -> str:
    if value is None:
        return "null"
    if value.t.kind == "interface":
        return _json_text(value.v)
    if isinstance(value, _JSONGV):
        return value.json_text
    if value.t is LEVEL:
        return gojson.dumps(LEVELS[value.v])
    return gojson.dumps(to_json_value(value))


FUNCS = {
    "json": Func("json", [EMPTY_INTERFACE], [STRING], lambda v: GV(STRING, _json_text(v) + "\n")),
    "jsonCompact": Func("jsonCompact", [EMPTY_INTERFACE], [STRING], lambda v: GV(STRING, _json_text(v))),
}


class AlertDataTemplate:
    """A template Kapacitor's httppost service executes with an alert's data. Raises ValueError
    with Go's text when it does not parse."""

    def __init__(self, text: str, with_funcs: bool = True):
        self.text = text
        try:
            self._template = TextTemplate("body", text, FUNCS if with_funcs else None)
        except TemplateParseError as err:
            raise ValueError(f"failed to parse template: {err}") from None

    def render(self, event: AlertEvent, wire: bytes) -> str:
        """The text; ValueError with Go's message when execution fails."""
        try:
            return self._template.execute(alert_data_value(event, wire))
        except ExecError as err:
            raise ValueError(str(err)) from None


TEMPLATE_DATA = GoType("alert.TemplateData", "struct", fields=[
    StructField("ID", STRING), StructField("Message", STRING), StructField("Level", STRING),
    StructField("Time", TIME), StructField("Duration", DURATION), StructField("Details", STRING),
    StructField("Name", STRING), StructField("TaskName", STRING), StructField("Group", STRING),
    StructField("Tags", MAP_STRING_STRING), StructField("Fields", GoType("map[string]interface {}", "map",
                                                                        elem=EMPTY_INTERFACE, key=STRING))])


def template_data_value(event: AlertEvent) -> GV:
    """`event.TemplateData()`: what pagerduty2 links and MQTT topic templates see."""
    return GV(TEMPLATE_DATA, [
        GV(STRING, event.id), GV(STRING, event.message), GV(STRING, event.level), go_time(event.time_ns),
        go_duration(event.duration_ns), GV(STRING, event.details), GV(STRING, event.name),
        GV(STRING, event.task_name), GV(STRING, event.group),
        GV(MAP_STRING_STRING, {k: GV(STRING, v) for k, v in event.tags.items()}),
        GV(TEMPLATE_DATA.fields[10].type, {k: template_cell(v) for k, v in event.fields.items()}),
    ])


def render_event_template(name: str, text: str, event: AlertEvent) -> str:
    """A handler option template (no extra functions) over the event's TemplateData; ValueError
    with Go's message when it fails."""
    try:
        return TextTemplate(name, text).execute(template_data_value(event))
    except (TemplateParseError, ExecError) as err:
        raise ValueError(str(err)) from None

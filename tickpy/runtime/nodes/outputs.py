"""Output nodes: httpOut (keeps the last point/batch per group, Kapacitor's result JSON) and
influxDBOut (writes line protocol instead of sending to InfluxDB)."""

from __future__ import annotations

import base64
import functools
import urllib.parse
from typing import Any

from tickpy.golang.goformat import format_float_f
from tickpy.golang.gohttp import canonical_header_key, url_port_problem
from tickpy.golang.gojson import Struct, encoder_encode
from tickpy.runtime.messages import BatchMessage, BatchPoint, PointMessage
from tickpy.runtime.nodes.base import RuntimeNode, register


@register("HTTPOutNode")
class HTTPOutNode(RuntimeNode):
    """Kapacitor's httpOut: per group (in order of creation) the row of the last point or batch.

    `result()` is what `GET /kapacitor/v1/tasks/<task>/<endpoint>` would answer."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("rows",)  # forgotten on a delete-group message
        self.endpoint = str(spec.args[0]) if spec.args else ""
        self.rows: dict[str, Any] = {}  # group id -> row (dicts keep creation order)

    def point(self, msg: PointMessage) -> None:
        # The row is built lazily: only the last one of a group is ever read.
        self.rows[msg.group] = msg
        self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        self.rows[msg.group] = msg
        self.forward_batch(msg)

    def result(self) -> Struct:
        if not self.rows:
            return Struct(series=None)
        return Struct(series=[message.to_row() for message in self.rows.values()])


_PRECISION_DIVISORS = {"": 1, "n": 1, "ns": 1, "u": 1_000, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
                       "m": 60_000_000_000, "h": 3_600_000_000_000}


@register("InfluxDBOutNode")
class InfluxDBOutNode(RuntimeNode):
    """Writes every point (and each point of a batch) as a line of line protocol, with the
    node's measurement/tags overrides and precision; the database and retention policy the
    write would target are kept in `writes` for reference."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.database = str(self.property_value("database", "") or "")
        self.retention_policy = str(self.property_value("retentionPolicy", "") or "")
        self.measurement = str(self.property_value("measurement", "") or "")
        self.extra_tags: dict[str, str] = {}
        for call in spec.properties:
            if call.name == "tag" and len(call.args) == 2:
                self.extra_tags[str(call.args[0])] = str(call.args[1])
        precision = str(self.property_value("precision", "") or "")
        if precision not in _PRECISION_DIVISORS:
            raise self.script_error(f"invalid precision {precision!r}")
        self.divisor = _PRECISION_DIVISORS[precision]
        self.lines_written = 0

    def _write(self, name: str, tags, fields, time: int) -> None:
        if self.extra_tags:
            tags = {**tags, **self.extra_tags}
        line = encode_line(self.measurement or name, tags, fields, time // self.divisor if self.divisor > 1 else time)
        if line is None:
            return
        self.lines_written += 1
        self.ctx.influxdb_lines.append(line)
        if self.ctx.line_sink is not None:
            self.ctx.line_sink(line)

    def point(self, msg: PointMessage) -> None:
        self._write(msg.name, msg.tags, msg.fields, msg.time)
        self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        for point in msg.points:
            self._write(msg.name, point.tags, point.fields, point.time)
        self.forward_batch(msg)

    def extra_stats(self) -> dict[str, Any]:
        return {"points_written": self.lines_written}


@register("KapacitorLoopbackNode")
class KapacitorLoopbackNode(RuntimeNode):
    """Kapacitor writes these points back into its own stream, for other tasks. Offline they are
    written as line protocol (nanoseconds) to the same output as influxDBOut's, so that another
    `tickpy run` can read them. Writing to one of the task's own dbrps is a loop, refused as
    Kapacitor refuses it."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.database = str(self.property_value("database", "") or "")
        self.retention_policy = str(self.property_value("retentionPolicy", "") or "")
        self.measurement = str(self.property_value("measurement", "") or "")
        self.extra_tags = {str(c.args[0]): str(c.args[1]) for c in spec.properties
                           if c.name == "tag" and len(c.args) == 2}
        for database, retention_policy in ctx.dbrps:
            if database == self.database and retention_policy == self.retention_policy:
                raise self.script_error(f"loop detected on dbrp: {database}.{retention_policy}")
        self.points_written = 0

    def _write(self, name, tags, fields, time) -> None:
        if self.extra_tags:
            tags = {**tags, **self.extra_tags}
        line = encode_line(self.measurement or name, tags, fields, time)
        if line is None:
            return
        self.points_written += 1
        self.ctx.influxdb_lines.append(line)
        if self.ctx.line_sink is not None:
            self.ctx.line_sink(line)

    def point(self, msg: PointMessage) -> None:
        self._write(msg.name, msg.tags, msg.fields, msg.time)

    def batch(self, msg: BatchMessage) -> None:
        for point in msg.points:
            self._write(msg.name, point.tags, point.fields, point.time)

    def extra_stats(self) -> dict[str, Any]:
        return {"points_written": self.points_written}


@register("HTTPPostNode")
class HTTPPostNode(RuntimeNode):
    """Kapacitor's httpPost: POSTs each point or batch as a result JSON (`{"series":[row]}` and
    a newline, Content-Type application/json) to its URL or `[[httppost]]` endpoint, waits for
    the answer, and passes the data on (with the status code in `.codeField()`, 0 when the
    request failed). Failures are node errors; the task goes on."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        headers: dict[str, str] = {}
        endpoint_name = self.property_value("endpoint")
        if spec.args:
            self.url = str(spec.args[0])
        elif endpoint_name is not None:
            config = getattr(ctx.alert_service, "config", None)
            endpoint = (getattr(config, "httppost", None) or {}).get(str(endpoint_name))
            if endpoint is None:
                raise self.script_error(f"endpoint '{endpoint_name}' does not exist",
                                        hint="define it in a [[httppost]] section of --config")
            if getattr(endpoint, "row_template", ""):
                raise self.unsupported(f"endpoint '{endpoint_name}': row-template")
            self.url = endpoint.url
            if endpoint.basic_auth:
                user, password = endpoint.basic_auth
                headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            headers.update({canonical_header_key(k): v for k, v in endpoint.headers.items()})
        else:
            raise self.script_error("httpPost needs a URL or an .endpoint()")
        # Kapacitor reads every httpPost URL (argument or endpoint) as a Go template over the
        # row being posted; most have no action and are used as they are.
        self.url_template = None
        if "{{" in self.url:
            # deferred: start-up (the Go template engine, ~0.1 s, only for a task that uses it)
            from tickpy.golang.gotemplate_exec import TextTemplate
            from tickpy.golang.gotemplate_parse import TemplateParseError
            from tickpy.runtime.alert_data_template import FUNCS

            try:
                self.url_template = TextTemplate("body", self.url, FUNCS)
            except TemplateParseError as err:
                raise self.script_error(f"error in url templating: failed to parse template: {err}") from None
        else:
            port_problem = url_port_problem(self.url)
            if port_problem:  # every POST would fail: say it before the run
                raise self.script_error(f"httpPost: {port_problem}")
        headers["Content-Type"] = "application/json"
        for call in spec.properties:
            if call.name == "header" and len(call.args) == 2:
                headers[canonical_header_key(str(call.args[0]))] = str(call.args[1])
        self.headers = headers
        self.capture_response = self.has("captureResponse")
        self.timeout_s = self.duration_property("timeout", 0) / 1e9 or None
        self.code_field = str(self.property_value("codeField", "") or "")
        self.posts = 0

    def _post(self, row) -> int:
        import http.client  # deferred: start-up (with ssl, only an httpPost node needs it)

        body = encoder_encode(Struct(series=[row])).encode("utf-8", errors="surrogateescape")
        url = self.url
        if self.url_template is not None:
            # deferred: start-up (the Go template engine, ~0.1 s, only for a task that uses it)
            from tickpy.golang.gotemplate_exec import ExecError

            try:
                url = self.url_template.execute(mapped_row_value(row))
            except ExecError as err:
                self.error(f"failed to POST data: failed to marshal row data json: failed to execute url template: {err}")
                return 0
        parts = urllib.parse.urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self.posts += 1
        try:
            connection = connection_class(parts.hostname, parts.port, timeout=self.timeout_s or 30)
            try:
                connection.request("POST", path, body=body, headers=self.headers)
                response = connection.getresponse()
                answer = response.read()
            finally:
                connection.close()
        except (OSError, ValueError, http.client.HTTPException) as error:
            self.error(f"failed to POST data: Post {url!r}: {getattr(error, 'strerror', None) or error}")
            return 0
        if response.status // 100 != 2:
            reason = (answer.decode("utf-8", errors="replace") if self.capture_response
                      else "unknown error, use .captureResponse() to capture the HTTP response")
            self.error(f"POST returned non 2xx status code {response.status}: {reason}")
        return response.status

    def point(self, msg: PointMessage) -> None:
        code = self._post(msg.to_row())
        if self.code_field:
            msg = msg.copy()
            msg.fields = {**msg.fields, self.code_field: code}
        self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        code = self._post(msg.to_row())
        if self.code_field:
            msg = msg.copy()
            msg.points = [BatchPoint(p.time, {**p.fields, self.code_field: code}, p.tags) for p in msg.points]
        self.forward_batch(msg)

    def extra_stats(self) -> dict[str, Any]:
        return {"posts": self.posts}


@functools.cache
def _mapped_row_type():
    # deferred: start-up (the Go template engine, ~0.1 s, only for a task that uses it)
    from tickpy.golang.gotemplate_types import EMPTY_INTERFACE, MAP_STRING_STRING, STRING, GoType, StructField

    value_map = GoType("map[string]interface {}", "map", elem=EMPTY_INTERFACE, key=STRING)
    return GoType("kapacitor.mappedRow", "struct", fields=[
        StructField("Name", STRING), StructField("Tags", MAP_STRING_STRING),
        StructField("Values", GoType("[]map[string]interface {}", "slice", elem=value_map))])


def mapped_row_value(row: Struct):
    """The row as the Go value Kapacitor's httpPost gives its URL template: `.Name`, `.Tags`
    and `.Values`, one map per value row from column name to cell (`time` is a time.Time)."""
    # deferred: start-up (the Go template engine, ~0.1 s, only for a task that uses it)
    from tickpy.golang.gotemplate_types import GV, MAP_STRING_STRING, STRING
    from tickpy.runtime.alert_data_template import template_cell

    mapped_row = _mapped_row_type()
    values_type = mapped_row.fields[2].type
    columns = row.get("columns") or []
    values = [GV(values_type.elem, {column: template_cell(cell) for column, cell in zip(columns, cells)})
              for cells in row.get("values") or []]
    tags = row.get("tags")
    return GV(mapped_row, [
        GV(STRING, row.get("name", "")),
        GV(MAP_STRING_STRING, {k: GV(STRING, v) for k, v in tags.items()} if tags else None),
        GV(values_type, values or None),
    ])


def _escape(text: str, specials: str) -> str:
    for char in specials:
        if char in text:
            text = text.replace(char, "\\" + char)
    return text


def _escape_key(text: str) -> str:
    return _escape(text, ",= ")


def encode_field_value(value: Any) -> str:
    kind = type(value)
    if kind is float:
        return format_float_f(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return f"{value}i"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def encode_line(name: str, tags, fields, time: int) -> str | None:
    """One line of line protocol (tags sorted by key, empty tag values left out), or None
    when there is no field to write."""
    if not fields:
        return None
    parts = [_escape(name, ", ")]
    for key in sorted(tags):
        value = tags[key]
        if value == "" or key == "":
            continue
        parts.append("," + _escape_key(key) + "=" + _escape_key(value))
    parts.append(" ")
    parts.append(",".join(_escape_key(k) + "=" + encode_field_value(fields[k]) for k in sorted(fields)))
    parts.append(f" {time}")
    return "".join(parts)


__all__ = ["HTTPOutNode", "HTTPPostNode", "KapacitorLoopbackNode", "InfluxDBOutNode", "encode_field_value", "encode_line"]

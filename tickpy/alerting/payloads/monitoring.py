"""Requests for monitoring systems: sensu, servicenow, zenoss, snmptrap.

- sensu: not HTTP. Kapacitor dials the `addr` of [sensu] over TCP and writes one JSON object
  (json.NewEncoder: map keys sorted, trailing newline). Returned as a dict
  `{"network": "tcp", "address", "body"}`; `body` is that text exactly.
- servicenow, zenoss: an HTTP POST (`HTTPRequest`). With `username` and `password` both set in
  the service's --config section, the `Authorization` header is shown as Go's
  `req.SetBasicAuth` sends it: `Basic <base64 of user:password>` (so the password is in the
  capture file, as it would be on the wire). The handler options `username`/`password` are
  accepted by Kapacitor but never used (only the config's are); tickpy does the same.
- snmptrap: not HTTP. A dict describing the SNMPv2c trap snmpgo would send over UDP: target
  address, community, trap OID, and the variable bindings in order (the sysUpTime and
  snmpTrapOID bindings Kapacitor always puts first, then the data list), each with its OID (as
  snmpgo normalises it), type name and value as snmpgo prints them; an OctetString's value is
  its text (the bytes sent), plus "hex" of the bytes when they are not valid UTF-8.

An enabled section lacking the address or URL Kapacitor's config check requires sends nothing;
without a section, Kapacitor's defaults are used (a section without `enabled = true` is refused
for every service by `service_request`).

Option templates (go text/template): sensu `source` and snmptrap data values are parsed when the
handler is built (one that does not parse refuses the handler, see CHECKS); they see the event's
TemplateData and one failing to execute sends nothing. servicenow and zenoss run theirs over their own
small structs, and Kapacitor ignores the execution error there: the text written before the
error is used.
"""

from __future__ import annotations

import base64
import functools
import re

from tickpy.alerting.payloads.common import (
    HTTPRequest,
    NotSent,
    creation_check,
    encode,
    execute_template,
    parse_option_template,
)
from tickpy.check.alert_templates import go_field_value
from tickpy.golang import gojson
from tickpy.golang.goformat import GoNumError, format_value_v, go_quote, parse_int
from tickpy.golang.gostrings import from_go_bytes, go_bytes
from tickpy.golang.gotemplate_exec import ExecError
from tickpy.golang.gotemplate_types import (
    BOOL,
    DURATION,
    GV,
    MAP_STRING_ANY,
    MAP_STRING_STRING,
    STRING,
    TIME,
    GoType,
    StructField,
    go_duration,
    go_time,
)
from tickpy.golang.gotypes import wrap_int
from tickpy.runtime.alert_data_template import LEVEL, template_data_value
from tickpy.runtime.alert_event import LEVEL_RANK, AlertEvent

# --- shared ----------------------------------------------------------------------------------


def _require_setting(settings: dict, required: str, default: str, refusal: str) -> None:
    """An enabled section without its `required` key is a configuration Kapacitor refuses to start with."""
    if not settings:
        return
    if not settings.get(required, default):
        raise NotSent(f"invalid configuration: {refusal} (Kapacitor would not start with it)")


def _basic_auth_headers(settings: dict) -> dict[str, str]:
    username, password = settings.get("username", ""), settings.get("password", "")
    if not (username and password):
        return {}
    credentials = f"{username}:{password}".encode("utf-8", "surrogateescape")
    return {"Authorization": "Basic " + base64.b64encode(credentials).decode("ascii")}


def _cut_bytes(text: str, limit: int) -> str:
    """Go's text[:min(limit, len(text))]: a byte cut, which may split a character (json.Marshal
    then writes one U+FFFD per stray byte; the surrogate escapes carry those bytes)."""
    data = go_bytes(text)
    if len(data) <= limit:
        return text
    return from_go_bytes(data[:limit])


def _lenient_render(name: str, text: str, data) -> str:
    """A servicenow/zenoss field template: a parse error sends nothing (ValueError), an
    execution error is ignored and what was written before it is the value."""
    if not text:
        return ""
    template = parse_option_template(name, name, text)  # Kapacitor parses these per event, not when built
    try:
        return template.execute(data)
    except ExecError:
        return "".join(template.out)


def _strict_render(template, event: AlertEvent) -> str:
    """A template parsed when the handler was built, over the event's TemplateData."""
    return execute_template(template, template_data_value(event))


def _tags_value(tags: dict):
    return GV(MAP_STRING_STRING, {k: GV(STRING, v) for k, v in tags.items()})


# --- sensu -----------------------------------------------------------------------------------

# Go's regexp: \w is ASCII only and $ is the end of the text (not before a final newline).
_SENSU_NAME = re.compile(r"[\w.-]+", re.ASCII)
_SENSU_STATUS = {"OK": 0, "INFO": 0, "WARNING": 1, "CRITICAL": 2}


def _sensu_source(options):
    return parse_option_template("source", "source", options.get("source", ""))


def _sensu(options, event, settings):
    source = _strict_render(_sensu_source(options), event)
    if not _SENSU_NAME.fullmatch(event.id):
        raise NotSent(f"invalid name {go_quote(event.id)} for sensu alert. Must match ^[\\w\\.-]+$")
    _require_setting(settings, "addr", "", "must specify client address")
    body = {"name": event.id, "source": source or settings.get("source", "Kapacitor"), "output": event.message,
            "status": _SENSU_STATUS.get(event.level, 3),
            "handlers": options.get("handlers") or settings.get("handlers")}
    for key, value in (options.get("metadata") or {}).items():
        body.setdefault(key, value)  # metadata never replaces the check's own keys
    return {"network": "tcp", "address": settings.get("addr", ""), "body": encode(body)}


# --- servicenow ------------------------------------------------------------------------------

@functools.cache
def _servicenow_data_type():
    return GoType("servicenow.dataInfo", "struct", fields=[
        StructField("ID", STRING), StructField("Name", STRING), StructField("TaskName", STRING),
        StructField("Fields", MAP_STRING_ANY), StructField("Tags", MAP_STRING_STRING)])


_SERVICENOW_URL = "https://instance.service-now.com/api/global/em/jsonv2"  # Kapacitor's placeholder default
_SERVICENOW_SEVERITY = {"OK": "5", "INFO": "5", "WARNING": "4", "CRITICAL": "1"}


def _fields_value(fields: dict):
    return GV(MAP_STRING_ANY, {k: go_field_value(v) for k, v in fields.items()})


def _servicenow(options, event, settings):
    _require_setting(settings, "url", _SERVICENOW_URL, "must specify events URL")
    url = options.get("url") or settings.get("url", _SERVICENOW_URL)
    data = GV(_servicenow_data_type(), [GV(STRING, event.id), GV(STRING, event.name), GV(STRING, event.task_name),
                                        _fields_value(event.fields), _tags_value(event.tags)])
    rendered = {name: _lenient_render(name, options.get(option, ""), data)
                for name, option in (("node", "node"), ("type", "type"), ("resource", "resource"),
                                     ("metricName", "metricname"), ("messageKey", "messagekey"))}
    additional_info = ""
    if options.get("additional_info"):
        info = {key: _lenient_render("additional_info." + key, value, data) if isinstance(value, str)
                else format_value_v(value) for key, value in options["additional_info"].items()}
        additional_info = gojson.dumps(info)
    record = gojson.Struct.omitting_empty([
        ("source", _cut_bytes(options.get("source") or settings.get("source", ""), 100)),
        ("node", _cut_bytes(rendered["node"], 100)),
        ("type", _cut_bytes(rendered["type"], 100)),
        ("resource", _cut_bytes(rendered["resource"], 100)),
        ("metric_name", _cut_bytes(rendered["metricName"], 100)),
        ("message_key", _cut_bytes(rendered["messageKey"] or event.id, 1024)),
        ("severity", _SERVICENOW_SEVERITY[event.level]),
        ("description", _cut_bytes(event.message, 4000)),
        ("additional_info", additional_info),
    ], omitempty=("node", "type", "resource", "metric_name", "message_key", "severity", "description",
                  "additional_info"))
    body = gojson.Struct([("records", [record])])
    return HTTPRequest(url, gojson.dumps(body), headers=_basic_auth_headers(settings))


# --- zenoss ----------------------------------------------------------------------------------

_ZENOSS_URL = "https://tenant.zenoss.io:8080/zport/dmd/evconsole_router"
_ZENOSS_SEVERITY_DEFAULTS = {"OK": "Clear", "INFO": "Info", "WARNING": "Warning", "CRITICAL": "Critical"}


@functools.cache
def _zenoss_data_type():
    fields = [("Name", STRING), ("TaskName", STRING), ("ID", STRING), ("Message", STRING), ("Details", STRING),
              ("Time", TIME), ("Duration", DURATION), ("Level", LEVEL), ("Recoverable", BOOL),
              ("Tags", MAP_STRING_STRING)]
    name = "struct { " + "; ".join(f"{n} {t.name}" for n, t in fields) + " }"  # an anonymous Go struct
    return GoType(name, "struct", fields=[StructField(n, t) for n, t in fields])


def _zenoss_data(event: AlertEvent):
    return GV(_zenoss_data_type(), [
        GV(STRING, event.name), GV(STRING, event.task_name), GV(STRING, event.id), GV(STRING, event.message),
        GV(STRING, event.details), go_time(event.time_ns), go_duration(event.duration_ns),
        GV(LEVEL, LEVEL_RANK[event.level]), GV(BOOL, event.recoverable),
        _tags_value(event.tags)])


def _zenoss_severity(settings: dict, level: str):
    """The severity-map entry for the level (TOML keys OK, Info, Warning, Critical, any case).
    Kapacitor passes it through a JSON round trip: numbers come out as float64."""
    chosen = _ZENOSS_SEVERITY_DEFAULTS[level]
    for key, value in (settings.get("severity-map") or {}).items():
        if str(key).upper() == level:
            chosen = value
    return _json_round_trip(chosen)


def _json_round_trip(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_json_round_trip(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _json_round_trip(v) for k, v in value.items()}
    return value


_STRAY_BYTE = re.compile("[\udc80-\udcff]")


def _valid_utf8(text: str) -> str:
    """A string after a JSON round trip in Go: each byte that was not UTF-8 (carried as a
    surrogate escape) is now a real U+FFFD, which the final json.Marshal writes as is."""
    return _STRAY_BYTE.sub("\ufffd", text)


def _go_unmarshal(text: str, otherwise):
    """json.Unmarshal into interface{}, or `otherwise` when Go refuses the text."""
    try:
        return gojson.unmarshal(_valid_utf8(text))
    except ValueError:
        return otherwise


def _zenoss(options, event, settings):
    _require_setting(settings, "url", _ZENOSS_URL, "must specify events URL")
    data = _zenoss_data(event)

    def render(name, option):
        return _lenient_render(name, options.get(option, ""), data)

    summary = render("summary", "summary") or event.message
    message = _cut_bytes(render("message", "message"), 4096)
    collector = render("collector", "collector") or settings.get("collector", "Kapacitor")
    # Kapacitor builds this part as a struct and turns it into a map by a JSON round trip
    event_data = {"summary": _cut_bytes(summary, 256), "device": render("device", "device"),
                  "component": render("component", "component"),
                  "evclasskey": render("evclasskey", "eventclasskey"), "evclass": render("evclass", "eventclass")}
    if collector:
        event_data["collector"] = collector
    if message:
        event_data["message"] = message
    event_data = {key: _valid_utf8(text) for key, text in event_data.items()}
    event_data["severity"] = _zenoss_severity(settings, event.level)
    for key, value in (options.get("customField") or {}).items():
        if isinstance(value, str):
            value = _lenient_render("customData." + key, value, data)
            if value[:1] in ("{", "["):  # maybe JSON: then the parsed value is sent, else the text
                value = _go_unmarshal(value, value)
        event_data[key] = value  # custom fields may replace the standard ones
    body = gojson.Struct([
        ("action", options.get("action") or settings.get("action", "EventsRouter")),
        ("method", options.get("method") or settings.get("method", "add_event")),
        ("data", [event_data]),
        ("type", options.get("type") or settings.get("type", "rpc")),
        ("tid", options.get("tid") or settings.get("tid", 1)),
    ])
    url = settings.get("url", _ZENOSS_URL)
    return HTTPRequest(url, gojson.dumps(body), headers=_basic_auth_headers(settings))


# --- snmptrap --------------------------------------------------------------------------------

_SYS_UPTIME_OID = "1.3.6.1.2.1.1.3.0"
_SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"
_DECIMAL = re.compile(r"[+-]?[0-9]+")
_UNSUPPORTED_SNMP_TYPES = {"a": "IP address", "d": "Decimal string", "o": "Object ID",
                           "u": "Unsigned integer", "x": "Hexadecimal string"}


def _snmp_oid(text: str) -> str:
    """snmpgo.NewOid: the normalised dotted OID, or ValueError with snmpgo's message."""
    def refuse(message):
        raise ValueError(f"{message}, value `{text}`")

    parts = text.split(".")
    if parts[0] == "":
        parts = parts[1:]  # a leading dot is allowed
    if len(parts) > 128:
        refuse("The sub-identifiers in an OID is up to 128")
    numbers = []
    for part in parts:
        # past 10 significant digits a part is past 32 bits (and int() refuses past 4,300)
        if not _DECIMAL.fullmatch(part) or len(part.lstrip("+-").lstrip("0")) > 10 or not 0 <= int(part) <= 0xFFFFFFFF:
            refuse("The sub-identifiers is range 0..4294967295")
        numbers.append(int(part))
    if numbers and numbers[0] > 2:
        refuse("The first sub-identifier is range 0..2")
    if len(numbers) < 2:
        refuse("The first and second sub-identifier is required")
    if numbers[0] < 2 and numbers[1] >= 40:
        refuse("The second sub-identifier is range 0..39")
    return ".".join(map(str, numbers))


def _parse_int64(text: str) -> int:
    """strconv.ParseInt(text, 10, 64), its error refusing the event."""
    try:
        return parse_int(text)
    except GoNumError as err:
        raise NotSent(str(err)) from None


def _snmptrap_values(options) -> list:
    """Each data item's value template (OIDs and types are only checked when a trap is sent)."""
    return [parse_option_template("data-list", "data", item.get("value", ""), item=f"data-list[{i}].value")
            for i, item in enumerate(options.get("data-list", []))]


def _snmptrap(options, event, settings):
    values = [_strict_render(template, event) for template in _snmptrap_values(options)]
    _require_setting(settings, "addr", "localhost:162", "must specify addr")
    trap_oid = options.get("trap-oid", "")
    try:
        trap_oid = _snmp_oid(trap_oid)
    except ValueError as err:
        raise NotSent(f"invalid trap Oid {go_quote(trap_oid)}: {err}") from None
    varbinds = [{"oid": _SYS_UPTIME_OID, "type": "TimeTicks", "value": "1000"},
                {"oid": _SNMP_TRAP_OID, "type": "Oid", "value": trap_oid}]
    for item, value in zip(options.get("data-list", []), values):
        try:
            oid = _snmp_oid(item.get("oid", ""))
        except ValueError as err:
            raise NotSent(f"invalid data Oid {go_quote(item.get('oid', ''))}: {err}") from None
        kind = item.get("type", "")
        if kind in _UNSUPPORTED_SNMP_TYPES:
            raise NotSent(f"Snmptrap Datatype '{_UNSUPPORTED_SNMP_TYPES[kind]}' not supported")
        if kind == "c":
            varbinds.append({"oid": oid, "type": "Counter64", "value": str(wrap_int(_parse_int64(value), 64, False))})
        elif kind == "i":
            varbinds.append({"oid": oid, "type": "Integer", "value": str(wrap_int(_parse_int64(value), 32, True))})
        elif kind == "n":
            varbinds.append({"oid": oid, "type": "Null", "value": ""})
        elif kind == "s":
            octets = {"oid": oid, "type": "OctetString", "value": _valid_utf8(value)}
            if octets["value"] != value:  # bytes that are not UTF-8 text: all of them in hex, as snmpgo shows them
                octets["hex"] = value.encode("utf-8", "surrogateescape").hex(":")
            varbinds.append(octets)
        elif kind == "t":
            varbinds.append({"oid": oid, "type": "TimeTicks", "value": str(wrap_int(_parse_int64(value), 32, False))})
        else:
            raise NotSent(f"Snmptrap Datatype not known: {kind}")
    return {"network": "udp", "address": settings.get("addr", "localhost:162"), "version": "2c",
            "community": settings.get("community", "kapacitor"), "pdu": "SNMPv2-Trap", "trap_oid": trap_oid,
            "varbinds": varbinds}


BUILDERS = {
    "sensu": _sensu,
    "servicenow": _servicenow,
    "zenoss": _zenoss,
    "snmptrap": _snmptrap,
}

# The kinds whose Kapacitor handler constructor refuses options (a template that does not parse).
# servicenow and zenoss are not: Kapacitor parses their templates for each event.
CHECKS = {
    "sensu": creation_check(_sensu_source),
    "snmptrap": creation_check(_snmptrap_values),
}

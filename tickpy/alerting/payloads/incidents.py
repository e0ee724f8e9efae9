"""Requests for incident services: pagerduty, pagerduty2, victorops, opsgenie, opsgenie2,
alerta, bigpanda."""

from __future__ import annotations

import base64
import html

from tickpy.alerting.payloads.common import (
    KAPACITOR_URL,
    HTTPRequest,
    NotSent,
    creation_check,
    encode,
    execute_template,
    parse_option_template,
    result_json,
    service_url,
)
from tickpy.golang import gojson
from tickpy.golang.gotemplate_exec import ExecError, TextTemplate
from tickpy.golang.gotemplate_types import GV, MAP_STRING_STRING, STRING, GoType, StructField
from tickpy.golang.gotime import format_time
from tickpy.runtime.alert_data_template import template_data_value


def _pagerduty(options, event, settings):
    event_type = {"WARNING": "trigger", "CRITICAL": "trigger", "OK": "resolve"}.get(event.level)
    if event_type is None:
        raise NotSent("AlertLevel 'info' is currently ignored by the PagerDuty service")
    body = {"service_key": options.get("service-key") or settings.get("service-key", ""), "event_type": event_type,
            "description": event.message, "incident_key": event.id, "client": "kapacitor",
            "client_url": KAPACITOR_URL, "details": event.details}
    url = settings.get("url", "https://events.pagerduty.com/generic/2010-04-15/create_event.json")
    return HTTPRequest(url, encode(body))


def _pagerduty2_links(options) -> list:
    """Each link's href and text (None when empty) as Go templates over the event's TemplateData,
    parsed as Kapacitor's handler constructor parses them."""
    return [(parse_option_template("links", "href", link.get("href", ""), item=f"links[{i}].href"),
             parse_option_template("links", "text", link["text"], item=f"links[{i}].text") if link.get("text")
             else None)
            for i, link in enumerate(options.get("links", []))]


def _pagerduty2(options, event, settings):
    severity = {"WARNING": "warning", "CRITICAL": "critical", "INFO": "info"}.get(event.level, "info")
    action = "resolve" if event.level == "OK" else "trigger"
    timestamp = format_time(event.time_ns, "2006-01-02T15:04:05.000000000Z07:00")
    payload = gojson.Struct([
        ("summary", event.message), ("source", event.tags.get("host", "unknown")), ("severity", severity),
        ("timestamp", timestamp), ("class", event.task_name), ("component", ""), ("group", ""),
        ("custom_details", {"result": gojson.RawJSON(gojson.dumps(result_json(event)))}),
    ])
    links = []
    data = template_data_value(event)
    for href_template, text_template in _pagerduty2_links(options):
        href = execute_template(href_template, data)
        text = execute_template(text_template, data) if text_template is not None else href
        links.append(gojson.Struct([("href", href), ("text", text)]))
    body = gojson.Struct([
        ("routing_key", options.get("routing-key") or settings.get("routing-key", "")), ("event_action", action),
        ("dedup_key", event.id), ("payload", payload), ("images", None), ("links", links or None),
        ("client", "kapacitor"), ("client_url", KAPACITOR_URL)])
    return HTTPRequest(settings.get("url", "https://events.pagerduty.com/v2/enqueue"), encode(body))


def _victorops(options, event, settings):
    message_type = "RECOVERY" if event.level == "OK" else event.level
    result = gojson.RawJSON(gojson.dumps(result_json(event)))
    body = {"message_type": message_type, "entity_id": event.id, "state_message": event.message,
            "timestamp": event.time_ns // 1_000_000_000, "monitoring_tool": "kapacitor",
            "data": result if settings.get("json-data") else gojson.dumps(result_json(event))}
    base = settings.get("url", "https://alert.victorops.com/integrations/generic/20131114/alert").rstrip("/")
    routing_key = options.get("routing-key") or settings.get("routing-key", "")
    url = "/".join(part for part in (base, settings.get("api-key", ""), routing_key) if part)
    return HTTPRequest(url, encode(body))


def _responders(options, settings) -> tuple[list, list]:
    """Teams and recipients: the handler's lists, or the config's when the handler's is empty."""
    return (options.get("teams-list") or settings.get("teams") or [],
            options.get("recipients-list") or settings.get("recipients") or [])


# --- opsgenie (API v1: the key in the body, recoveries posted to the note URL) -----------------


def _opsgenie(options, event, settings):
    message_type = "RECOVERY" if event.level == "OK" else event.level
    url = settings.get("url", "https://api.opsgenie.com/v1/json/alert") + "/"
    body = {"apiKey": settings.get("api-key", ""), "entity": event.id, "alias": event.id,
            "message": event.message, "note": "", "monitoring_tool": "kapacitor",
            "details": {"Level": message_type, "Monitoring Tool": "Kapacitor"},
            "description": gojson.dumps(result_json(event))}
    if message_type == "RECOVERY":
        url = settings.get("recovery_url", "https://api.opsgenie.com/v1/json/alert/note") + "/"
        body["note"] = event.message
    teams, recipients = _responders(options, settings)
    if teams:
        body["teams"] = teams
    if recipients:
        body["recipients"] = recipients
    return HTTPRequest(url, encode(body))  # a Go map: keys sorted


# --- opsgenie2 (API v2: GenieKey header, alias in base64, OK adds a note or closes) ------------

_OPSGENIE2_PRIORITY = {"INFO": "P5", "WARNING": "P3", "CRITICAL": "P1"}
_OPSGENIE2_RECOVERY_ACTIONS = ("close", "notes")


def _opsgenie2(options, event, settings):
    base = settings.get("url", "https://api.opsgenie.com/v2/alerts")
    alias = base64.urlsafe_b64encode(event.id.encode("utf-8", "surrogateescape")).decode("ascii")
    headers = {"Authorization": "GenieKey " + settings.get("api-key", "")}
    if event.level == "OK":
        # An invalid action falls back to the config's, then to "notes".
        action = options.get("recovery_action", "")
        if action not in _OPSGENIE2_RECOVERY_ACTIONS:
            action = settings.get("recovery_action", "notes")
            if action not in _OPSGENIE2_RECOVERY_ACTIONS:
                action = "notes"
        url = service_url(base, (alias, action), query="identifierType=alias")
        return HTTPRequest(url, encode({"note": event.message}), headers=headers)
    if settings.get("details") and event.details:
        description = event.details
    else:
        description = gojson.dumps(result_json(event))
    details = {"Monitoring Tool": "Kapacitor", "Level": event.level}
    series = (event.result or {}).get("series") or []
    if series:  # the first row's tags, and its name under a misleading key (Kapacitor's choice)
        details.update(series[0].get("tags") or {})
        details["Kapacitor Task Name"] = series[0].get("name", "")
    teams, recipients = _responders(options, settings)
    responders = [{"name": team, "type": "team"} for team in teams]
    responders += [{"username": user, "type": "user"} for user in recipients]
    body = {"entity": event.id, "alias": alias, "message": event.message, "note": "",
            "priority": _OPSGENIE2_PRIORITY.get(event.level, ""), "description": description, "details": details}
    if responders:
        body["responders"] = responders
    return HTTPRequest(base, encode(body), headers=headers)


# --- alerta ---------------------------------------------------------------------------------

_ALERTA_SEVERITY = {"OK": "ok", "INFO": "informational", "WARNING": "warning", "CRITICAL": "critical"}
_DAY_NS = 24 * 3600 * 1_000_000_000
_SECOND_NS = 1_000_000_000


# The event template sees less than the others: only these fields of the alert.
_ALERTA_EVENT_DATA = GoType("alerta.eventData", "struct", fields=[
    StructField("ID", STRING), StructField("Name", STRING), StructField("TaskName", STRING),
    StructField("Group", STRING), StructField("Tags", MAP_STRING_STRING)])


def _alerta_event_data(event):
    return GV(_ALERTA_EVENT_DATA, [
        GV(STRING, event.id), GV(STRING, event.name), GV(STRING, event.task_name), GV(STRING, event.group),
        GV(MAP_STRING_STRING, {k: GV(STRING, v) for k, v in event.tags.items()})])


def _alerta_templates(options) -> dict:
    """Every template of the handler, parsed in the order Kapacitor's constructor parses them."""
    def parse(option, text, name=None, item=""):
        return parse_option_template(option, name or option, text, item=item)

    return {
        "resource": parse("resource", options.get("resource", "{{ .Name }}")),
        "event": parse("event", options.get("event", "{{ .ID }}")),
        "environment": parse("environment", options.get("environment", "")),
        "group": parse("group", options.get("group", "{{ .Group }}")),
        "value": parse("value", options.get("value", "")),
        "service": [parse("service", text, item=f"service[{i}]") for i, text in enumerate(options.get("service", []))],
        "correlate": [parse("correlate", text, item=f"correlate[{i}]")
                      for i, text in enumerate(options.get("correlate", []))],
        "attributes": {key: parse("attributes", item, key, f"attributes.{key}") if isinstance(item, str) else item
                       for key, item in (options.get("attributes") or {}).items()},
    }


def _alerta(options, event, settings):
    templates = _alerta_templates(options)  # all parsed before any runs, as the handler was built
    data = template_data_value(event)
    resource_text = execute_template(templates["resource"], data)
    event_name = execute_template(templates["event"], _alerta_event_data(event))
    environment_text = execute_template(templates["environment"], data) or settings.get("environment", "")
    group_text = execute_template(templates["group"], data)
    value_text = execute_template(templates["value"], data)
    service_list = [execute_template(t, data) for t in templates["service"]] or [event.name]
    correlate_list = [execute_template(t, data) for t in templates["correlate"]] or [event.name]
    attribute_values = {key: execute_template(item, data) if isinstance(item, TextTemplate) else item
                        for key, item in templates["attributes"].items()}
    if not resource_text or not event_name:
        raise NotSent("Resource and Event are required to send an alert")

    timeout_ns = options.get("timeout", _DAY_NS)
    timeout_s = -(-timeout_ns // _SECOND_NS) if timeout_ns < 0 else timeout_ns // _SECOND_NS  # Go truncates
    body = {"resource": resource_text, "event": event_name, "environment": environment_text,
            "severity": _ALERTA_SEVERITY.get(event.level, "indeterminate"), "group": group_text,
            "value": value_text, "text": event.message, "origin": options.get("origin") or settings.get("origin", ""),
            "rawData": result_json(event), "timeout": timeout_s,
            # Kapacitor walks a Go map here, so its order varies from run to run; sorted here.
            "tags": [f"{k}={v}" for k, v in sorted(event.tags.items())]}
    body["service"] = service_list  # never empty: the measurement by default
    body["correlate"] = correlate_list
    if attribute_values:
        body["attributes"] = attribute_values
    token = options.get("token") or settings.get("token", "")
    prefix = options.get("token-prefix") or settings.get("token-prefix") or "Bearer"
    url = service_url(settings.get("url", ""), ("alert",))
    return HTTPRequest(url, encode(body), headers={"Authorization": f"{prefix} {token}"})


# --- bigpanda -------------------------------------------------------------------------------

_BIGPANDA_STATUS = {"OK": "ok", "INFO": "ok", "WARNING": "warning", "CRITICAL": "critical"}


def _bigpanda_render(name: str, text: str, data) -> str:
    # Kapacitor ignores an execution error here: what was written before it is the value.
    if not text:
        return ""
    template = parse_option_template(name, name, text)
    try:
        return template.execute(data)
    except ExecError:
        return "".join(template.out)


def _bigpanda(options, event, settings):
    data = template_data_value(event)
    attributes = {"host": _bigpanda_render("host", options.get("host", ""), data)}
    for key, item in (options.get("attributes") or {}).items():
        attributes[key] = _bigpanda_render(key, item, data) if isinstance(item, str) else gojson.dumps(item)

    body: dict = {}
    if event.message:
        body["description"] = event.message
    if event.details:
        details = html.unescape(event.details)
        if not details.startswith("{"):  # the default details (the alert's JSON) are left out
            body["details"] = details
    if event.id:
        body["check"] = event.id
    body["task"] = f"{event.task_name}:{event.name}"
    body["timestamp"] = event.time_ns // _SECOND_NS
    body["status"] = _BIGPANDA_STATUS.get(event.level, "critical")
    if options.get("primary-property"):
        body["primary_property"] = options["primary-property"]
    if options.get("secondary-property"):
        body["secondary_property"] = options["secondary-property"]
    body["app_key"] = options.get("app-key") or settings.get("app-key", "")
    auto = settings.get("auto-attributes", "tags,fields").lower()
    if "tags" in auto:
        body.update(event.tags)
    if "fields" in auto:
        for key, item in event.fields.items():
            body[key] = item if isinstance(item, str) else gojson.dumps(item)
    body.update(attributes)  # "host" always, empty unless the handler sets it
    url = options.get("url") or settings.get("url", "https://api.bigpanda.io/data/v2/alerts")
    # Encoded then compacted: json.Compact drops the encoder's trailing newline.
    return HTTPRequest(url, gojson.dumps(body), headers={"Authorization": "Bearer " + settings.get("token", "")})


# --- Go's net/url: a URL parsed, its path joined with more elements, written back -------------


BUILDERS = {
    "pagerduty": _pagerduty,
    "pagerduty2": _pagerduty2,
    "victorops": _victorops,
    "opsgenie": _opsgenie,
    "opsgenie2": _opsgenie2,
    "alerta": _alerta,
    "bigpanda": _bigpanda,
}

# The kinds whose Kapacitor handler constructor refuses options (a template that does not parse).
CHECKS = {
    "alerta": creation_check(_alerta_templates),
    "pagerduty2": creation_check(_pagerduty2_links),
}

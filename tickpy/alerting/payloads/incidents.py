"""Requests for incident services: pagerduty, pagerduty2, victorops."""

from __future__ import annotations

from tickpy.alerting import gojson
from tickpy.alerting.payloads.common import KAPACITOR_URL, HTTPRequest, NotSent, encode, result_json


def _pagerduty(options, event, settings):
    event_type = {"WARNING": "trigger", "CRITICAL": "trigger", "OK": "resolve"}.get(event.level)
    if event_type is None:
        raise NotSent("AlertLevel 'info' is currently ignored by the PagerDuty service")
    body = {"service_key": options.get("service-key") or settings.get("service-key", ""), "event_type": event_type,
            "description": event.message, "incident_key": event.id, "client": "kapacitor",
            "client_url": KAPACITOR_URL, "details": event.details}
    url = settings.get("url", "https://events.pagerduty.com/generic/2010-04-15/create_event.json")
    return HTTPRequest(url, encode(body))


def _pagerduty2(options, event, settings):
    severity = {"WARNING": "warning", "CRITICAL": "critical", "INFO": "info"}.get(event.level, "info")
    action = "resolve" if event.level == "OK" else "trigger"
    seconds, nanos = divmod(event.time_ns, 1_000_000_000)
    timestamp = gojson.format_time_rfc3339nano(seconds * 1_000_000_000)[:-1] + f".{nanos:09d}Z"
    payload = gojson.Struct([
        ("summary", event.message), ("source", event.tags.get("host", "unknown")), ("severity", severity),
        ("timestamp", timestamp), ("class", event.task_name), ("component", ""), ("group", ""),
        ("custom_details", {"result": gojson.RawJSON(gojson.dumps(result_json(event)))}),
    ])
    from tickpy.alerting.alert_template import render_event_template

    links = []
    for link in options.get("links", []):  # href and text are Go templates over the event's TemplateData
        href = render_event_template("href", link.get("href", ""), event)
        text = render_event_template("text", link["text"], event) if link.get("text") else href
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


BUILDERS = {
    "pagerduty": _pagerduty,
    "pagerduty2": _pagerduty2,
    "victorops": _victorops,
}

"""What an external service's handler would send, for the capture sink.

For the kinds listed in `_BUILDERS` the request is built as Kapacitor's service builds it (URL,
and the body byte for byte), with the service's settings from the `--config` section of the same
name ([slack], [pagerduty], ...) or Kapacitor's defaults. For the other kinds the capture
record carries the alert data and the handler's options, and no `request`.
"""

from __future__ import annotations

from tickpy.alerting import gojson
from tickpy.alerting.event import AlertEvent

KAPACITOR_URL = "http://localhost:9092"  # Kapacitor's own address in client_url fields (httpd default)


def service_request(kind: str, options: dict, event: AlertEvent, alert, settings: dict | None = None) -> dict | None:
    builder = _BUILDERS.get(kind)
    if builder is None:
        return None
    settings = settings or {}
    try:
        built = builder(options, event, settings)
    except ValueError as err:  # a template in the options failed: Kapacitor logs it and sends nothing
        return {"error": f"{err} (nothing would be sent)"}
    if isinstance(built, dict):  # not an HTTP request (kafka, mqtt)
        return built
    url, body = built
    if body is None:
        return {"error": "AlertLevel 'info' is currently ignored by the PagerDuty service (nothing would be sent)"}
    return {"method": "POST", "url": url, "content_type": "application/json", "body": body,
            "settings": "from --config" if settings else "Kapacitor's defaults (no section in --config)"}


def _encode(value) -> str:
    return gojson.encoder_encode(value)  # json.NewEncoder(...).Encode: compact JSON + newline


def _slack(options, event, settings):
    level = event.level
    color = {"WARNING": "warning", "CRITICAL": "danger"}.get(level, "good")
    attachment = gojson.Struct([("fallback", event.message), ("color", color), ("text", event.message),
                                ("mrkdwn_in", ["text"])])
    body = {"channel": options.get("channel") or settings.get("channel", ""), "text": "",
            "attachments": [attachment],
            "username": options.get("username") or settings.get("username") or "kapacitor",
            "icon_emoji": options.get("icon-emoji") or settings.get("icon-emoji", "")}
    return settings.get("url", ""), _encode(body)


def _pagerduty(options, event, settings):
    event_type = {"WARNING": "trigger", "CRITICAL": "trigger", "OK": "resolve"}.get(event.level)
    if event_type is None:  # Kapacitor: "AlertLevel 'info' is currently ignored by the PagerDuty service"
        return None, None
    body = {"service_key": options.get("service-key") or settings.get("service-key", ""), "event_type": event_type,
            "description": event.message, "incident_key": event.id, "client": "kapacitor",
            "client_url": KAPACITOR_URL, "details": event.details}
    return settings.get("url", "https://events.pagerduty.com/generic/2010-04-15/create_event.json"), _encode(body)


def _pagerduty2(options, event, settings):
    severity = {"WARNING": "warning", "CRITICAL": "critical", "INFO": "info"}.get(event.level, "info")
    action = "resolve" if event.level == "OK" else "trigger"
    seconds, nanos = divmod(event.time_ns, 1_000_000_000)
    timestamp = gojson.format_time_rfc3339nano(seconds * 1_000_000_000)[:-1] + f".{nanos:09d}Z"
    payload = gojson.Struct([
        ("summary", event.message), ("source", event.tags.get("host", "unknown")), ("severity", severity),
        ("timestamp", timestamp), ("class", event.task_name), ("component", ""), ("group", ""),
        ("custom_details", {"result": gojson.RawJSON(gojson.dumps(_result(event)))}),
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
    return settings.get("url", "https://events.pagerduty.com/v2/enqueue"), _encode(body)


def _victorops(options, event, settings):
    message_type = "RECOVERY" if event.level == "OK" else event.level
    result = gojson.RawJSON(gojson.dumps(_result(event)))
    body = {"message_type": message_type, "entity_id": event.id, "state_message": event.message,
            "timestamp": event.time_ns // 1_000_000_000, "monitoring_tool": "kapacitor",
            "data": result if settings.get("json-data") else gojson.dumps(_result(event))}
    base = settings.get("url", "https://alert.victorops.com/integrations/generic/20131114/alert").rstrip("/")
    routing_key = options.get("routing-key") or settings.get("routing-key", "")
    url = "/".join(part for part in (base, settings.get("api-key", ""), routing_key) if part)
    return url, _encode(body)


def _teams(options, event, settings):
    title = f"{event.level}: [{event.id}]" if event.id else (f"{event.level}: [{event.topic}]" if event.topic else event.level)
    summary = f"{title} - {event.message}" if event.id or event.topic else f"{title}: {event.message}"
    summary_bytes = summary.encode()
    summary = summary_bytes[:min(len(summary_bytes), 70)].decode("utf-8", "replace") + "..."  # byte cut, as Go slices
    color = {"WARNING": "FFA533", "CRITICAL": "CC4A31"}.get(event.level, "34CC25")
    card = gojson.Struct([("@type", "MessageCard"), ("@context", "http://schema.org/extensions"), ("title", title),
                          ("text", event.message), ("summary", summary), ("themeColor", color)])
    return options.get("channel-url") or settings.get("channel-url", ""), gojson.dumps(card)


def _telegram(options, event, settings):
    body = {"chat_id": options.get("chat-id") or settings.get("chat-id", ""), "text": event.message}
    parse_mode = options.get("parse-mode") or settings.get("parse-mode", "")
    if parse_mode:
        body["parse_mode"] = parse_mode
    if options.get("disable-web-page-preview") or settings.get("disable-web-page-preview"):
        body["disable_web_page_preview"] = True
    if options.get("disable-notification") or settings.get("disable-notification"):
        body["disable_notification"] = True
    url = settings.get("url", "https://api.telegram.org/bot") + settings.get("token", "") + "/sendMessage"
    return url, _encode(body)


def _kafka(options, event, settings):
    template = options.get("template", "")
    if template:
        from tickpy.alerting.alert_template import AlertDataTemplate

        try:
            value = AlertDataTemplate(template).render(event, event.wire)
        except ValueError as err:
            return {"error": f"failed to execute alert template: {err} (nothing would be sent)"}
    else:
        value = event.wire.decode("utf-8", "replace") + "\n"
    return {"cluster": options.get("cluster", ""), "topic": options.get("topic", ""), "key": event.id,
            "value": value}


def _mqtt(options, event, settings):
    topic = options.get("topic", "")
    if "{{" in topic:
        from tickpy.alerting.alert_template import render_event_template

        topic = render_event_template("topic", topic, event)
    return {"broker": options.get("broker-name", "") or settings.get("name", ""), "topic": topic,
            "qos": options.get("qos", 0), "retained": options.get("retained", False), "message": event.message}


def _smtp(options, event, settings):
    to = list(options.get("to", []))
    if options.get("to-field"):
        return {"error": "to-field templates (over alert.EventData) are not rendered by tickpy",
                "to": to, "subject": event.message, "body": event.details}
    to = to or list(settings.get("to", []) or [])
    if not to:
        return {"error": "no recipients specified (nothing would be sent)"}
    return {"from": settings.get("from", ""), "to": to, "subject": event.message,
            "content_type": "text/html", "body": event.details}


def _result(event: AlertEvent):
    from tickpy.alerting.wire import result_struct

    return result_struct(event.result)


_BUILDERS = {
    "slack": _slack,
    "pagerduty": _pagerduty,
    "pagerduty2": _pagerduty2,
    "victorops": _victorops,
    "teams": _teams,
    "telegram": _telegram,
    "kafka": _kafka,
    "smtp": _smtp,
    "mqtt": _mqtt,
}

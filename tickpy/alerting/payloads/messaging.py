"""Messages for brokers and mail: kafka, mqtt, smtp."""

from __future__ import annotations


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


BUILDERS = {
    "kafka": _kafka,
    "mqtt": _mqtt,
    "smtp": _smtp,
}

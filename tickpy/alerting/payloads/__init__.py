"""What an external service's handler would send, for the capture sink.

Each module builds the requests of a group of services as Kapacitor's service builds them (URL,
headers, and the body byte for byte), with the service's settings from the `--config` section of
the same name ([slack], [pagerduty], ...) or Kapacitor's defaults. A builder takes
(options, event, settings) and returns an `HTTPRequest`, a plain dict for what is not HTTP
(a Kafka or MQTT message, a mail, an SNMP trap), or raises `NotSent` with the reason.
`option_problems(kind, options)` says what Kapacitor refuses when the handler is built.
"""

from __future__ import annotations

from typing import Any

from tickpy.alerting.payloads import chat, incidents, messaging, monitoring
from tickpy.alerting.payloads.common import HTTPRequest, NotSent
from tickpy.runtime.alert_event import AlertEvent

_BUILDERS = {**chat.BUILDERS, **incidents.BUILDERS, **messaging.BUILDERS, **monitoring.BUILDERS}
_CHECKS = {**chat.CHECKS, **incidents.CHECKS, **messaging.CHECKS, **monitoring.CHECKS}


TEMPLATE_HINT = "Kapacitor parses this Go template when it creates the handler, and refuses the handler when it does not parse"


def option_problems(kind: str, options: dict) -> list[tuple[str, str]]:
    """What Kapacitor's handler constructor for `kind` refuses in these decoded options (a template
    that does not parse): [(option key, Kapacitor's error text)], empty when it builds the handler."""
    check = _CHECKS.get(kind)
    return check(options) if check is not None else []


def service_request(kind: str, options: dict, event: AlertEvent, alert, settings: dict | None = None) -> dict | None:
    """The capture record's "request": an HTTP request, a broker message, or why nothing is sent."""
    builder = _BUILDERS.get(kind)
    if builder is None:
        return None
    settings = settings or {}
    # Kapacitor's services start disabled: a section in --config must say `enabled = true`. Without
    # a section tickpy shows what the service would send with Kapacitor's defaults.
    if settings and settings.get("enabled") is not True:
        return {"error": f"service is not enabled ([{kind}] in --config has no enabled = true) (nothing would be sent)"}
    try:
        built = builder(options, event, settings)
    except NotSent as reason:
        return {"error": f"{reason} (nothing would be sent)"}
    except ValueError as err:  # a template in the options failed: Kapacitor logs it and sends nothing
        return {"error": f"{err} (nothing would be sent)"}
    if not isinstance(built, HTTPRequest):  # not an HTTP request (kafka, mqtt, smtp, snmptrap)
        return built
    request: dict[str, Any] = {"method": built.method, "url": built.url, "content_type": built.content_type}
    if built.headers:
        request["headers"] = built.headers
    request["body"] = built.body
    request["settings"] = "from --config" if settings else "Kapacitor's defaults (no section in --config)"
    return request

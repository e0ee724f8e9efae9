"""What an external service's handler would send, for the capture sink.

Only kinds whose request tickpy can build exactly are listed; for the others the capture
record carries the alert data and the handler's options, and no `request`.
"""

from __future__ import annotations

from tickpy.alerting.event import AlertEvent


def service_request(kind: str, options: dict, event: AlertEvent, alert) -> dict | None:
    builder = _BUILDERS.get(kind)
    return builder(options, event, alert) if builder else None


_BUILDERS: dict = {}

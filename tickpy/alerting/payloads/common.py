"""Helpers shared by the request builders of each external service."""

from __future__ import annotations

from dataclasses import dataclass, field

from tickpy.alerting import gojson
from tickpy.alerting.event import AlertEvent

KAPACITOR_URL = "http://localhost:9092"  # Kapacitor's own address in client_url fields (httpd default)


def encode(value) -> str:
    return gojson.encoder_encode(value)  # json.NewEncoder(...).Encode: compact JSON + newline


def result_json(event: AlertEvent):
    """The event's models.Result as the Go struct marshals it (field order, omitempty)."""
    from tickpy.alerting.wire import result_struct

    return result_struct(event.result)


@dataclass(slots=True)
class HTTPRequest:
    """An HTTP request a service handler would make; `body` is the exact bytes as text."""

    url: str
    body: str
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"


class NotSent(Exception):
    """Kapacitor's handler would send nothing for this event; the message says why."""

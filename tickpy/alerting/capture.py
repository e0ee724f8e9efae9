"""The capture sink: what a handler for an external service (slack, pagerduty, smtp, ...) would
send, written down instead of sent. tickpy never contacts those services.

With `--capture FILE` each event is one JSON line, marked `"sent": false`; without it, one short
line per event goes to stderr, labelled "captured (not sent)".
"""

from __future__ import annotations

import json
import sys
import threading
from typing import TextIO

from tickpy.alerting.payloads import service_request
from tickpy.runtime.alert_event import AlertEvent

NOTE = "captured by tickpy, NOT sent: tickpy does not contact external services"


class CaptureSink:
    def __init__(self, path: str | None = None, stream: TextIO | None = None, settings=None):
        self.path = path
        self._settings = settings  # (kind, options) -> the service's --config section
        self._stream = stream
        self._lock = threading.Lock()
        self._file: TextIO | None = None  # opened at the first capture: no file when nothing was captured
        self.count = 0

    def capture_record(self, kind: str, record: dict, summary: str) -> None:
        """Something else tickpy would have sent to an external service (an autoscale node's
        scale request): `record` as a JSON line of the --capture file, else `summary` on stderr."""
        with self._lock:
            self.count += 1
            if self.path and self._file is None:
                self._file = open(self.path, "a", encoding="utf-8")
            if self._file is not None:
                self._file.write(json.dumps({"sent": False, "note": NOTE, "kind": kind, **record}, ensure_ascii=False,
                                            default=str) + "\n")
                self._file.flush()
            else:
                (self._stream or sys.stderr).write(f"tickpy: captured (not sent) {summary}\n")

    def capture(self, *, kind: str, handler_id: str, topic: str, options: dict, event: AlertEvent, wire: bytes) -> None:
        if event.wire_error:
            alert = None
        else:
            try:
                alert = json.loads(wire)
            except ValueError:
                alert = wire.decode("utf-8", "replace")
        settings = self._settings(kind, options) if self._settings else {}
        request = service_request(kind, options, event, alert, settings)  # a marshal error becomes its "error"
        with self._lock:
            self.count += 1
            if self.path and self._file is None:
                self._file = open(self.path, "a", encoding="utf-8")
            if self._file is not None:
                record = {"sent": False, "note": NOTE, "kind": kind, "handler": handler_id, "topic": topic,
                          "options": options, "event_id": event.id, "level": event.level, "alert": alert}
                if event.wire_error:
                    record["alert_error"] = event.wire_error
                if request is not None:
                    record["request"] = request
                self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                self._file.flush()
            else:
                stream = self._stream or sys.stderr
                target = _target_text(kind, options)
                refused = ""
                if request is not None and "error" in request:  # Kapacitor's service would send nothing
                    refused = f" [{kind} would send nothing: {request['error'].removesuffix(' (nothing would be sent)')}]"
                stream.write(f"tickpy: captured (not sent) {kind}{target} handler {handler_id!r}: "
                             f"{event.level} {event.id}: {event.message}{refused}\n")
                stream.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _target_text(kind: str, options: dict) -> str:
    for key in ("channel", "to", "routing-key", "service-key", "chat-id", "topic", "room", "channel-url",
                "workspace", "teams-list", "broker-name", "cluster"):
        value = options.get(key)
        if value:
            return f" [{key}={','.join(value) if isinstance(value, list) else value}]"
    return ""

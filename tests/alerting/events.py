"""Alert events for tests, with their wire JSON encoded by tickpy's encoder."""

from __future__ import annotations

from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.alert_wire import alert_data_json

SECOND = 1_000_000_000


def make_event(event_id="cpu:host=a", level="CRITICAL", time_s=10, previous_level="OK", topic="",
               tags=None, name="cpu", task="task", message=None, value=5.0, duration_s=0, no_external=False):
    tags = {"host": "a"} if tags is None else tags
    event = AlertEvent(
        id=event_id, message=message if message is not None else f"{event_id} is {level}", details="",
        time_ns=time_s * SECOND, duration_ns=duration_s * SECOND, level=level, previous_level=previous_level,
        name=name, task_name=task, group=",".join(f"{k}={v}" for k, v in sorted(tags.items())) or "nil",
        tags=dict(tags), fields={"value": value}, recoverable=True,
        result={"series": [{"name": name, "tags": dict(tags), "columns": ["time", "value"],
                            "values": [[time_s * SECOND, value]]}]},
        topic=topic, no_external=no_external)
    event.wire = alert_data_json(event)
    return event


def server_test_event(level="CRITICAL"):
    """The alert of Kapacitor's TestServer_AlertHandlers (server/server_test.go): id "id", message
    "message", details "details", time 0, one row with value 1."""
    event = make_event(event_id="id", message="message", level=level, time_s=0, name="alert", tags={},
                       task="testAlertHandlers", value=1.0)
    event.details = "details"
    event.wire = alert_data_json(event)
    return event

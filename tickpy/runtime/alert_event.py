"""An alert event as the alert node hands it to handlers and topics.

Shaped like Kapacitor's `alert.Event`: the state (id, message, details, time, duration,
level), the data it was computed from (name, task, category, group, tags, fields, the
`models.Result` with the point(s)), the previous level, and the topic it is published to.
The wire JSON (`AlertData` in Kapacitor) is produced once per event by `alert_json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK, INFO, WARNING, CRITICAL = "OK", "INFO", "WARNING", "CRITICAL"
LEVELS = (OK, INFO, WARNING, CRITICAL)  # ascending severity; index is Kapacitor's alert.Level value
LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}


@dataclass(slots=True, eq=False)
class AlertEvent:
    # state
    id: str
    message: str
    details: str
    time_ns: int
    duration_ns: int
    level: str
    previous_level: str
    # data
    name: str  # measurement
    task_name: str
    # Kapacitor's raw group id: "" without groupBy (the nil group), "host=a,cpu=x" by tags,
    # "cpu\nhost=a" with byMeasurement. Only the alert node's id/message/details templates
    # print "" as "nil"; handler templates ({{ .Group }} in TemplateData) see it raw.
    group: str
    tags: dict[str, str]
    fields: dict[str, Any]
    recoverable: bool
    result: dict  # models.Result as JSON-ready data: {"series": [{"name", "tags", "columns", "values"}]}
    category: str = ""
    topic: str = ""
    no_external: bool = False
    node: str = ""  # the label of the alert node that made it ("alert3"), for reports
    # The exact JSON bytes Kapacitor writes for this event (without trailing newline); filled
    # by the alert node once, shared by every handler.
    wire: bytes = field(default=b"", repr=False)
    # Why `wire` is empty when json.Marshal refuses the data (a NaN or infinite field value):
    # Kapacitor's tcp, log, exec and post handlers then log "failed to marshal alert data
    # json" and send nothing.
    wire_error: str = ""

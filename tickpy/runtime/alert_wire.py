"""The alert-data JSON handlers send (Kapacitor's `alert.Data`), and its framing per handler kind.

The alert node fills `AlertEvent.wire` once per event. A topic tracks its own previous level per
event id (Kapacitor sets `previousLevel` from the topic the event is collected into), so the
service may have to rewrite that one field; `with_previous_level` does it without re-encoding.
"""

from __future__ import annotations

from tickpy.golang import gojson
from tickpy.lang.values import Time
from tickpy.runtime.alert_event import AlertEvent

_SERIES_OMITEMPTY = ("name", "tags", "columns", "values", "partial")


def _row(series: dict) -> gojson.Struct:
    values = series.get("values")
    if values:
        converted = []
        for row in values:
            if row and type(row[0]) is int:  # a bare nanosecond time in the time column
                row = [Time(row[0]), *row[1:]]
            converted.append(list(row))
        values = converted
    return gojson.Struct.omitting_empty(
        [("name", series.get("name", "")), ("tags", series.get("tags") or {}),
         ("columns", series.get("columns") or []), ("values", values or []),
         ("partial", series.get("partial", False))],
        _SERIES_OMITEMPTY,
    )


def result_struct(result: dict | None) -> gojson.Struct:
    """models.Result: {"series": [...]} (series null when there are none)."""
    series = (result or {}).get("series")
    return gojson.Struct([("series", [_row(s) for s in series] if series else None)])


def alert_data_json(event: AlertEvent, previous_level: str | None = None) -> bytes:
    """`json.Marshal(alert.Data)` of the event (no trailing newline)."""
    data = gojson.Struct([
        ("id", event.id),
        ("message", event.message),
        ("details", event.details),
        ("time", Time(event.time_ns)),
        ("duration", event.duration_ns),
        ("level", event.level),
        ("data", result_struct(event.result)),
        ("previousLevel", previous_level if previous_level is not None else event.previous_level),
        ("recoverable", event.recoverable),
    ])
    return gojson.dumps_bytes(data)


def encode_wire(event: AlertEvent) -> bytes:
    """Fill `event.wire` (or, when json.Marshal would refuse the data, `event.wire_error`)."""
    try:
        event.wire = alert_data_json(event)
    except gojson.GoJSONError as error:
        event.wire = b""
        event.wire_error = f"failed to marshal alert data json: {error}"
    return event.wire


def event_wire(event: AlertEvent) -> bytes:
    """The event's wire bytes, encoding them once if the producer left them empty
    (b"" when they cannot be encoded: see `event.wire_error`)."""
    if not event.wire and not event.wire_error:
        encode_wire(event)
    return event.wire


def with_previous_level(wire: bytes, previous_level: str, recoverable: bool) -> bytes:
    """The same JSON with `previousLevel` replaced: the last two keys are fixed by alert.Data."""
    tail = b',"previousLevel":"'
    cut = wire.rfind(tail)
    if cut < 0:
        raise ValueError("not alert-data JSON: previousLevel missing")
    return (wire[:cut] + tail + previous_level.encode() + b'","recoverable":'
            + (b"true" if recoverable else b"false") + b"}")


# Framing of one event per handler kind (see conformance/alerts/README.md).
def tcp_payload(wire: bytes) -> bytes:
    return wire + b"\n\n"


def line_payload(wire: bytes) -> bytes:
    """log lines, exec stdin and POST bodies: json.Encoder's output (JSON + newline)."""
    return wire + b"\n"

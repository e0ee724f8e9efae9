"""Alert handlers: what happens to an event collected into a topic (or sent by an alert node
directly). Each handler gets the event as its topic sees it: `previous_level` from the topic's
state and `wire` (the alert-data JSON) to match.

- DeliveringHandler: tcp, log, exec, post; frames the payload and queues it on its Worker.
- CaptureHandler: external services (slack, pagerduty, ...); records what would be sent.
- PublishHandler: re-publishes the event to other topics.
- AggregateHandler: collects events for an interval of event time, then publishes one event.
- MatchHandler: passes on only events for which the `match` expression is true.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tickpy.alerting.capture import CaptureSink
from tickpy.alerting.delivery import Delivery, HandlerStats, Worker
from tickpy.golang.gotemplate_exec import ExecError, TextTemplate
from tickpy.golang.gotemplate_parse import TemplateParseError
from tickpy.golang.gotemplate_types import DURATION, GV, INT, GoType, StructField, go_duration, go_int
from tickpy.runtime.alert_event import LEVEL_RANK, OK, AlertEvent
from tickpy.runtime.alert_wire import encode_wire


class Handler:
    kind: str = ""
    handler_id: str = ""
    stats: HandlerStats | None = None

    def handle(self, event: AlertEvent) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Called once at the end of the run, before the queues are drained."""

    @property
    def workers(self) -> list[Worker]:
        return []


class DeliveringHandler(Handler):
    """`framing` turns the wire JSON into the payload; `prepare`, when given, builds the payload
    (and URL) from the event instead, raising ValueError when it cannot (a template failed)."""

    def __init__(self, kind: str, handler_id: str, worker: Worker, framing: Callable[[bytes], bytes],
                 prepare: Callable[[AlertEvent], tuple[bytes, str | None]] | None = None):
        self.kind = kind
        self.handler_id = handler_id
        self.worker = worker
        self.stats = worker.stats
        self._framing = framing
        self._prepare = prepare

    def handle(self, event: AlertEvent) -> None:
        if event.no_external:  # Kapacitor wraps tcp/log/exec/post in its external-handler filter
            return
        if event.wire_error:  # Kapacitor logs the marshal error and sends nothing; we count it
            self.worker.reject(Delivery(event.id, event.level, event.time_ns, event.topic, b""), event.wire_error)
            return
        if self._prepare is None:
            self.worker.submit(Delivery(event.id, event.level, event.time_ns, event.topic, self._framing(event.wire)))
            return
        try:
            payload, url = self._prepare(event)
        except ValueError as err:
            self.worker.reject(Delivery(event.id, event.level, event.time_ns, event.topic,
                                        self._framing(event.wire)), str(err))
            return
        self.worker.submit(Delivery(event.id, event.level, event.time_ns, event.topic, payload, url))

    @property
    def workers(self) -> list[Worker]:
        return [self.worker]


class CaptureHandler(Handler):
    stats: HandlerStats  # always given (the base class allows None)

    def __init__(self, kind: str, handler_id: str, options: dict, sink: CaptureSink, stats: HandlerStats):
        self.kind = kind
        self.handler_id = handler_id
        self.options = options
        self.sink = sink
        self.stats = stats

    def handle(self, event: AlertEvent) -> None:
        if event.no_external:
            return
        self.sink.capture(kind=self.kind, handler_id=self.handler_id, topic=event.topic, options=self.options,
                          event=event, wire=event.wire)
        self.stats.captured += 1


class PublishHandler(Handler):
    kind = "publish"

    def __init__(self, handler_id: str, topics: list[str], collect: Callable[[str, AlertEvent], None]):
        self.handler_id = handler_id
        self.topics = topics
        self._collect = collect

    def handle(self, event: AlertEvent) -> None:
        for topic in self.topics:
            self._collect(topic, event)


class AggregateMessage:
    """The aggregate handler's message template, a Go text/template over Kapacitor's
    `aggregateMessageData{Count int; Interval time.Duration}`. Like Kapacitor, it is parsed and
    executed once with zero data when the handler is built, so errors show before the run."""

    def __init__(self, text: str):
        self._type = GoType("alert.aggregateMessageData", "struct",
                            fields=[StructField("Count", INT), StructField("Interval", DURATION)])
        try:
            self._template = TextTemplate("message", text)
            self._template.execute(self._data(0, 0))
        except TemplateParseError as err:
            raise ValueError(str(err)) from None
        except ExecError as err:
            raise ValueError(f"failed to evaluate message template with aggregate message data: {err}") from None

    def _data(self, count: int, interval_ns: int):
        return GV(self._type, [go_int(count), go_duration(interval_ns)])

    def render(self, count: int, interval_ns: int) -> str:
        try:
            return self._template.execute(self._data(count, interval_ns))
        except Exception:  # Kapacitor ignores the error here: the template ran once already
            return ""


def check_aggregate_message(template: str) -> str | None:
    """The problem with an aggregate message template, or None."""
    try:
        AggregateMessage(template)
    except ValueError as err:
        return str(err)
    return None


class AggregateHandler(Handler):
    """Kapacitor's aggregate handler with event time for its clock: events are grouped into
    intervals [start + k*interval, start + (k+1)*interval) counted from the first event; an
    interval is published when an event at or past its end arrives, and the last one at the
    end of the run (Kapacitor's ticker would publish it once the interval passed)."""

    kind = "aggregate"

    def __init__(self, handler_id: str, interval_ns: int, topic: str, event_id: str, message: str,
                 collect: Callable[[str, AlertEvent], None]):
        self.handler_id = handler_id
        self.interval_ns = interval_ns
        self.topic = topic
        self.event_id = event_id
        self.message = AggregateMessage(message)
        self._collect = collect
        self._events: list[AlertEvent] = []
        self._start: int | None = None

    def handle(self, event: AlertEvent) -> None:
        if self._start is None:
            self._start = event.time_ns
        elif event.time_ns >= self._start + self.interval_ns:
            self._publish()
            skipped = (event.time_ns - self._start) // self.interval_ns
            self._start += skipped * self.interval_ns
        self._events.append(event)

    def flush(self) -> None:
        self._publish()

    def _publish(self) -> None:
        events, self._events = self._events, []
        if not events:
            return
        level, time_ns, duration_ns = OK, events[0].time_ns, 0
        series: list[dict] = []
        for e in events:
            if LEVEL_RANK[e.level] > LEVEL_RANK[level]:
                level = e.level
            time_ns = max(time_ns, e.time_ns)
            duration_ns = max(duration_ns, e.duration_ns)
            series.extend((e.result or {}).get("series") or [])
        aggregated = AlertEvent(
            id=self.event_id, message=self.message.render(len(events), self.interval_ns),
            details="\n".join(e.message for e in events), time_ns=time_ns, duration_ns=duration_ns, level=level,
            previous_level=OK, name="", task_name="", group="", tags={}, fields={}, recoverable=False,
            result={"series": series}, topic=self.topic, no_external=all(e.no_external for e in events))
        encode_wire(aggregated)
        self._collect(self.topic, aggregated)


class MatchHandler(Handler):
    def __init__(self, inner: Handler, expression: str, predicate: Callable[[AlertEvent], bool],
                 report: Callable[[str], None]):
        self.inner = inner
        self.kind = inner.kind
        self.handler_id = inner.handler_id
        self.stats = inner.stats
        self.expression = expression
        self._predicate = predicate
        self._report = report
        self._reported: set[str] = set()

    def handle(self, event: AlertEvent) -> None:
        try:
            matched = self._predicate(event)
        except Exception as err:  # Kapacitor logs "failed to evaluate match expression" and skips
            message = str(err) or type(err).__name__
            if message not in self._reported and len(self._reported) < 5:
                self._reported.add(message)
                self._report(f"tickpy: handler {self.handler_id!r}: failed to evaluate match expression "
                             f"{self.expression!r} for event {event.id!r}: {message}")
            return
        if matched:
            self.inner.handle(event)

    def flush(self) -> None:
        self.inner.flush()

    @property
    def workers(self) -> list[Worker]:
        return self.inner.workers


def event_for_topic(event: AlertEvent, topic: str, previous_level: str, wire: bytes) -> AlertEvent:
    """The event as one topic's handlers see it."""
    return replace(event, topic=topic, previous_level=previous_level, wire=wire)

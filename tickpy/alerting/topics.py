"""Topic state as Kapacitor keeps it: per topic, per event id, the latest state. The level stored
before an event arrives is that event's previous level, which is what `changed()` compares to
and what the alert data's `previousLevel` says for handlers of that topic."""

from __future__ import annotations

from dataclasses import dataclass, field

from tickpy.golang.gotime import format_time_rfc3339nano
from tickpy.runtime.alert_event import LEVEL_RANK, OK


@dataclass(slots=True)
class EventState:
    id: str
    level: str
    message: str
    time_ns: int
    duration_ns: int
    count: int = 0  # events collected with this id


@dataclass(slots=True)
class Topic:
    id: str
    events: dict[str, EventState] = field(default_factory=dict)
    collected: int = 0
    handlers: list = field(default_factory=list)  # the topic's handlers, in load order

    def update(self, event, previous_if_new: str = OK) -> str:
        """Store the event's state; return the level it had before (`previous_if_new` for a new
        id: Kapacitor then leaves the event's previous state as it came)."""
        self.collected += 1
        current = self.events.get(event.id)
        if current is None:
            self.events[event.id] = EventState(event.id, event.level, event.message, event.time_ns,
                                               event.duration_ns, 1)
            return previous_if_new
        previous = current.level
        current.level = event.level
        current.message = event.message
        current.time_ns = event.time_ns
        current.duration_ns = event.duration_ns
        current.count += 1
        return previous

    def set_state(self, state: EventState) -> None:
        """Kapacitor's UpdateEvent: replace the stored state of `state.id` by a copy of `state`,
        without collecting an event (no handler runs, nothing is counted)."""
        current = self.events.get(state.id)
        count = current.count if current is not None else 0
        self.events[state.id] = EventState(state.id, state.level, state.message, state.time_ns,
                                           state.duration_ns, count)

    @property
    def max_level(self) -> str:
        level = OK
        for state in self.events.values():
            if LEVEL_RANK[state.level] > LEVEL_RANK[level]:
                level = state.level
        return level

    def sorted_events(self) -> list[EventState]:
        """Most severe first, then by id (Kapacitor's order)."""
        return sorted(self.events.values(), key=lambda s: (-LEVEL_RANK[s.level], s.id))


def _table(header: tuple, rows: list[tuple]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in [header, *rows]]


def render_topics(topics: list[Topic]) -> str:
    """The `tickpy run --topics` summary: each topic (like `kapacitor list topics`, with its
    handlers), then each topic's events (like `kapacitor show-topic`), most severe first."""
    if not topics:
        return "topics: none (no event was published to a topic)"
    ordered = sorted(topics, key=lambda t: t.id)
    lines = _table(("TOPIC", "LEVEL", "COLLECTED", "HANDLERS"),
                   [(t.id, t.max_level, str(t.collected), ", ".join(h.handler_id for h in t.handlers) or "-")
                    for t in ordered])
    rows = []
    for topic in ordered:
        for state in topic.sorted_events():
            message = state.message if len(state.message) <= 60 else state.message[:57] + "..."
            rows.append((topic.id, state.id, state.level, str(state.count),
                         format_time_rfc3339nano(state.time_ns), message))
    if rows:
        lines.append("")
        lines.extend(_table(("TOPIC", "EVENT", "LEVEL", "COUNT", "LAST TIME", "MESSAGE"), rows))
    return "\n".join(lines)

"""Topic state as Kapacitor keeps it: per topic, per event id, the latest state. The level stored
before an event arrives is that event's previous level, which is what `changed()` compares to
and what the alert data's `previousLevel` says for handlers of that topic."""

from __future__ import annotations

from dataclasses import dataclass, field

from tickpy.alerting.event import LEVEL_RANK, OK
from tickpy.alerting.gojson import format_time_rfc3339nano


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

    def update(self, event) -> str:
        """Store the event's state; return the level it had before (OK for a new id)."""
        self.collected += 1
        current = self.events.get(event.id)
        if current is None:
            self.events[event.id] = EventState(event.id, event.level, event.message, event.time_ns,
                                               event.duration_ns, 1)
            return OK
        previous = current.level
        current.level = event.level
        current.message = event.message
        current.time_ns = event.time_ns
        current.duration_ns = event.duration_ns
        current.count += 1
        return previous

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


def render_topics(topics: list[Topic]) -> str:
    """The `tickpy run --topics` table: one row per event id of each topic."""
    if not topics:
        return "topics: none (no event was published to a topic)"
    header = ("TOPIC", "LEVEL", "EVENT", "EVENT LEVEL", "COUNT", "LAST TIME", "MESSAGE")
    rows = []
    for topic in sorted(topics, key=lambda t: t.id):
        events = topic.sorted_events()
        if not events:
            rows.append((topic.id, topic.max_level, "-", "-", "0", "-", ""))
        for index, state in enumerate(events):
            rows.append((topic.id if index == 0 else "", topic.max_level if index == 0 else "", state.id,
                         state.level, str(state.count), format_time_rfc3339nano(state.time_ns),
                         state.message if len(state.message) <= 60 else state.message[:57] + "..."))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in [header, *rows]]
    total = sum(t.collected for t in topics)
    lines.append(f"{len(topics)} topic(s), {total} event(s) collected")
    return "\n".join(lines)

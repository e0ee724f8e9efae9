"""The window node (Kapacitor's window.go): buffers each group's points and emits them as
batches by event time (`period`/`every`, `align`, `fillPeriod`) or by count
(`periodCount`/`everyCount`). Nothing is emitted at end of input unless the run flushes."""

from __future__ import annotations

from tickpy.runtime.messages import BarrierMessage, BatchMessage, BatchPoint, PointMessage, display_group
from tickpy.runtime.nodes.base import RuntimeNode, register
from tickpy.runtime.windowing import CountWindow, TimeWindow


class _GroupWindow:
    __slots__ = ("window", "name", "tags", "dimensions", "group", "just_buffers_before_next_emit")

    def __init__(self, window, msg: PointMessage):
        self.window = window
        # A time window with `every` only buffers a point earlier than its next emit time.
        self.just_buffers_before_next_emit = isinstance(window, TimeWindow) and window.every > 0
        self.name = msg.name
        self.tags = msg.group_tags()
        self.dimensions = msg.dimensions
        self.group = msg.group


@register("WindowNode")
class WindowNode(RuntimeNode):
    def describe_state(self, show_time) -> list[str]:
        lines = []
        for state in self.groups.values():
            window = state.window
            buffered = list(window.buffer)
            held = f"{len(buffered)} point{'s' if len(buffered) != 1 else ''} buffered"
            if buffered:
                held += f" ({show_time(buffered[0].time)} .. {show_time(buffered[-1].time)})"
            if isinstance(window, TimeWindow):
                held += (f", next window emitted when a point at or past {show_time(window.next_emit)} arrives"
                         if window.every else "")
            else:
                held += f", next window emitted at point {window.next_emit} (has {window.count})"
            lines.append(f"group {display_group(state.group)}: {held}")
        return lines

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("groups",)  # forgotten on a delete-group message
        self.period = self.duration_property("period", 0)
        self.every = self.duration_property("every", 0)
        self.align = bool(self.property_value("align", False))
        self.fill_period = bool(self.property_value("fillPeriod", False))
        self.period_count = int(self.property_value("periodCount", 0) or 0)
        self.every_count = int(self.property_value("everyCount", 0) or 0)
        if self.period_count and self.period:
            raise self.script_error("cannot specify both period and periodCount")
        if self.period_count and self.align:
            raise self.script_error("can only align windows based off time, not count")
        if self.period_count and self.every_count <= 0:
            raise self.script_error("everyCount must be greater than zero")
        if self.period == 0 and self.period_count == 0:
            raise self.script_error("window node must have either a non zero period or non zero period count")
        self.groups: dict[str, _GroupWindow] = {}

    def _new_window(self, first_time: int):
        if self.period:
            return TimeWindow(first_time, self.period, self.every, self.align, self.fill_period)
        return CountWindow(self.period_count, self.every_count, self.fill_period)

    def point(self, msg: PointMessage) -> None:
        state = self.groups.get(msg.group)
        if state is None:
            state = self.groups[msg.group] = _GroupWindow(self._new_window(msg.time), msg)
        time = msg.time
        window = state.window
        if state.just_buffers_before_next_emit and time < window.next_emit:
            window.buffer.append(BatchPoint(time, msg.fields, msg.tags))  # TimeWindow.add's common case
            return
        due = window.add(BatchPoint(time, msg.fields, msg.tags))
        if due is not None:
            self._emit(state, due)

    def _emit(self, state: _GroupWindow, due: tuple[int, list]) -> None:
        tmax, points = due
        self.forward_batch(BatchMessage(state.name, state.tags, state.dimensions, tmax, points, state.group))

    def batch(self, msg: BatchMessage) -> None:
        self.error("window does not support batch data", msg.tmax)

    def barrier(self, msg: BarrierMessage) -> None:
        """A time window emits the window due by the barrier's time, in place of the barrier
        (as Kapacitor's does); a count window lets the barrier pass."""
        state = self.groups.get(msg.group)
        if state is None:
            return
        window = state.window
        if not isinstance(window, TimeWindow):
            self.forward_barrier(msg)
            return
        due = window.barrier(msg.time)
        if due is not None:
            self._emit(state, due)

    def pending(self, group: str) -> tuple[int, int | None]:
        """For observers: how many points the group's next window holds so far, and when it
        is emitted (None for a count window, or before the group's first point)."""
        state = self.groups.get(group)
        if state is None:
            return 0, None
        window = state.window
        if not self.period:
            return len(window.buffer), None
        buffer = window.buffer
        if window.every:
            # The buffer still holds points of the window just emitted: count the next one's.
            buffer = [p for p in buffer if p.time >= window.next_emit - self.period]
        return len(buffer), window.next_emit

    def finish(self) -> None:
        if not self.ctx.flush_at_end:
            return
        for state in self.groups.values():
            due = state.window.flush()
            if due is not None:
                self._emit(state, due)

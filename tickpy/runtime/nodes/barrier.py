"""barrier() on event time (Kapacitor's barrier.go).

A barrier tells the nodes below that a group will send nothing older than its time: a time
window emits the window due by then, a join stops waiting for that parent. With `.delete(TRUE)`
each barrier is followed by a delete-group message, and every node below forgets the group.

Kapacitor emits barriers on wall-clock timers per group: `.idle(d)` when the group has had no
data for `d` (the barrier's time is the group's last time + d, and again every `d` while it
stays idle), `.period(d)` every `d` (at the current time). A replay has no wall clock, so
tickpy's clock here is the time of the data reaching the barrier node (of any group): a
group's barrier is due when that time reaches it, and is emitted before the data that got
there. Idle barriers fall at the group's last time + d, periodic ones every d from the
group's first time. Nothing is emitted after the last point unless the run's clock runs on
(`advance_clock`, as with stats()).

Data older than a group's last barrier is dropped, as Kapacitor does.
"""

from __future__ import annotations

import heapq

from tickpy.runtime.messages import BarrierMessage, BatchMessage, DeleteGroupMessage, PointMessage
from tickpy.runtime.nodes.base import RuntimeNode, register

_NO_BARRIER_YET = -(2**63)  # older than any time (Kapacitor's zero time.Time)


class _GroupBarrier:
    __slots__ = ("tags", "dimensions", "last_time", "last_barrier", "due")

    def __init__(self, tags, dimensions):
        self.tags = tags
        self.dimensions = dimensions
        self.last_time = _NO_BARRIER_YET
        self.last_barrier = _NO_BARRIER_YET
        self.due = None  # the time of the group's next barrier


@register("BarrierNode")
class BarrierNode(RuntimeNode):
    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.idle = self.duration_property("idle", 0)
        self.period = self.duration_property("period", 0)
        if self.idle <= 0 and self.period <= 0:
            raise self.script_error("barrier node must have either a non zero idle or a non zero period")
        self.delete = bool(self.property_value("delete", False))
        self.groups: dict[str, _GroupBarrier] = {}
        self.group_state = ("groups",)  # forgotten on a delete-group message
        self.schedule: list[tuple[int, int, str]] = []  # heap of (due time, sequence, group)
        self.sequence = 0
        self.clock = _NO_BARRIER_YET  # the latest time of data that reached the node

    # ---- the event-time clock ----

    def _advance(self, time: int) -> None:
        """Data at `time` arrived: emit every barrier due by then, oldest first."""
        if time > self.clock:
            self.clock = time
        schedule = self.schedule
        while schedule and schedule[0][0] <= self.clock:
            when, _, group = heapq.heappop(schedule)
            state = self.groups.get(group)
            if state is not None and state.due == when:  # else the entry is stale
                self._emit_barrier(group, state, when)

    advance_clock = _advance

    def _set_due(self, group: str, state: _GroupBarrier, when: int) -> None:
        state.due = when
        self.sequence += 1
        heapq.heappush(self.schedule, (when, self.sequence, group))

    def _emit_barrier(self, group: str, state: _GroupBarrier, when: int) -> None:
        state.last_barrier = when
        if self.idle:
            state.last_time = when
        self.forward_barrier(BarrierMessage(group, state.tags, state.dimensions, when))
        if self.delete:
            self.delete_group(DeleteGroupMessage(group, state.tags, state.dimensions))
        else:
            self._set_due(group, state, when + (self.idle or self.period))

    def _group(self, group: str, tags, dimensions, time: int) -> _GroupBarrier:
        state = self.groups.get(group)
        if state is None:
            state = self.groups[group] = _GroupBarrier(tags, dimensions)
            if self.period:
                self._set_due(group, state, time + self.period)
        return state

    def _seen(self, group: str, state: _GroupBarrier, time: int) -> None:
        if self.idle:
            state.last_time = time
            self._set_due(group, state, time + self.idle)

    # ---- messages ----

    def point(self, msg: PointMessage) -> None:
        self._advance(msg.time)
        state = self._group(msg.group, msg.group_tags(), msg.dimensions, msg.time)
        if msg.time < state.last_barrier:
            return
        self._seen(msg.group, state, msg.time)
        self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        self._advance(max((p.time for p in msg.points), default=msg.tmax))
        state = self._group(msg.group, msg.tags, msg.dimensions, msg.tmax)
        points = [p for p in msg.points if p.time >= state.last_barrier]
        if points:
            self._seen(msg.group, state, points[-1].time)
        if len(points) != len(msg.points):
            msg = msg.copy()
            msg.points = points
        self.forward_batch(msg)

    def barrier(self, msg: BarrierMessage) -> None:
        self._advance(msg.time)
        state = self._group(msg.group, msg.tags, msg.dimensions, msg.time)
        if msg.time < state.last_barrier:
            return
        if self.idle:
            state.last_barrier = msg.time
            self._seen(msg.group, state, msg.time)
        self.forward_barrier(msg)

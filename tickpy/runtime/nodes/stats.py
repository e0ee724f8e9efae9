"""stats() — and so deadman() — on event time.

Kapacitor's stats node wakes up on a wall-clock ticker every `interval` and emits, per group
of its source node, a point named "stats" with the field `emitted`: how many points (batch
points) the source has emitted so far in that group. A replay of recorded points has no wall
clock, so tickpy ticks on the time of the points the task reads: whenever a point's time
reaches the next tick, the stats are emitted for that tick (once per tick passed, so a gap in
the data gives several equal counts and deadman's derivative falls to 0), before the point is
processed. The first tick is one interval after the first point (with `.align()`: at the next
multiple of the interval, and times rounded to it, as Kapacitor rounds `now`).
This is the one place where tickpy's clock differs from Kapacitor's; nothing ticks after
the last point unless the run's clock runs on (RunOptions.clock_until: `advance_clock`), and
`--clock wall` ticks it on the wall clock instead (tickpy.runtime.engine.WallClock).
"""

from __future__ import annotations

from typing import Any

from tickpy.golang.gotime import time_round, time_truncate
from tickpy.runtime.messages import NO_DIMENSIONS, Dimensions, PointMessage
from tickpy.runtime.nodes.base import RuntimeNode, duration_ns, register


class _GroupCounter:
    """Counts what the source node emits, per group (Kapacitor's edge group stats)."""

    __slots__ = ("groups",)

    def __init__(self):
        self.groups: dict[str, list] = {}  # group id -> [count, tags, dimensions]

    def point(self, msg: PointMessage) -> None:
        entry = self.groups.get(msg.group)
        if entry is None:
            self.groups[msg.group] = [1, msg.group_tags(), msg.dimensions]
        else:
            entry[0] += 1

    def batch(self, msg) -> None:
        entry = self.groups.get(msg.group)
        if entry is None:
            self.groups[msg.group] = [len(msg.points), dict(msg.tags), msg.dimensions]
        else:
            entry[0] += len(msg.points)

    def barrier(self, msg) -> None:
        pass

    def delete_group(self, msg) -> None:
        self.groups.pop(msg.group, None)  # Kapacitor's edge drops the group's counts too


@register("StatsNode")
class StatsNode(RuntimeNode):
    """Observers: `tick(time, emit)` is called at each tick, and must call `emit(time)` to emit
    the stats; `emitted_counts()` tells what they report."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.interval = duration_ns(spec.args[0]) if spec.args else 0
        if self.interval <= 0:
            raise self.script_error("stats node must have positive interval")
        self.align = self.has("align")
        source = spec.extra.get("source")
        nodes = ctx.shared.get("nodes_by_id", {})
        source_node = nodes.get(getattr(source, "id", None))
        if source_node is None:
            raise self.script_error(f"no node found for {getattr(source, 'label', source)}")
        self.counter = _GroupCounter()
        source_node.children.append(self.counter)
        ctx.shared.setdefault("time_listeners", []).append(self)
        self.next_tick: int | None = None

    def advance(self, time: int) -> None:
        """The task read a point at `time`: emit the stats of every tick it reached."""
        if self.next_tick is None:
            first = time_truncate(time, self.interval) if self.align else time
            self.next_tick = first + self.interval
            return
        while time >= self.next_tick:
            tick = time_round(self.next_tick, self.interval) if self.align else self.next_tick
            if self.observer is None:
                self._emit(tick)
            else:
                self.observer.tick(tick, self._emit)
            self.next_tick += self.interval

    advance_clock = advance

    def emitted_counts(self) -> list[tuple[int, dict, Dimensions]]:
        """What the source node has emitted so far, per group: (count, group tags, dimensions),
        in the order the groups appeared."""
        return [tuple(entry) for entry in self.counter.groups.values()]

    def _emit(self, time: int) -> None:
        groups = self.counter.groups
        if not groups:
            self.forward_point(PointMessage("stats", {}, {"emitted": 0}, time, NO_DIMENSIONS, ""))
            return
        for count, tags, dimensions in list(groups.values()):
            dims = dimensions if isinstance(dimensions, Dimensions) else NO_DIMENSIONS
            self.forward_point(PointMessage("stats", dict(tags), {"emitted": count}, time, dims))

    def extra_stats(self) -> dict[str, Any]:
        return {"interval_ns": self.interval}


__all__ = ["StatsNode"]

"""Bounds on the groups a task holds: `tickpy run --max-groups N` and `--group-expiry DURATION`.

Kapacitor never forgets a group: every node keeps its state for every group it has seen (a
window's buffer, an aggregate's context, an alert's state), so a task over ever new series grows
without bound (kapacitor#1255, #2471), about 13 KB per series for window + mean by host. Neither
bound exists in Kapacitor; both are off unless asked for.

- max_groups: a message of a group the task does not hold yet, arriving at a node that keeps
  per-group state, when the task already holds `max_groups` groups, stops the run with
  GroupLimitExceeded (the engine's caller ends the run as at the end of input, minus finishing).
- group_expiry_ns: a group that has received no message (at any node that keeps per-group
  state) for that long in data time is forgotten by every node of the task: a delete-group
  message goes down from the task's root, as `barrier().idle(d).delete(TRUE)` right below the
  root would send one, without the barrier first (an open window of the group is dropped, not
  emitted). The data time is the time of the latest input point, as for barrier's idle.

Only installed when asked for: the nodes that keep per-group state then get instance-level
wrappers of their input methods; an unbounded run has none, and pays nothing.
"""

from __future__ import annotations

import heapq
from typing import Any

from tickpy.diagnostics import visible
from tickpy.runtime.messages import DeleteGroupMessage, display_group
from tickpy.runtime.nodes.base import RunContext, RuntimeNode


class GroupLimitExceeded(Exception):
    """The task would hold more groups than `max_groups`."""

    def __init__(self, node: str, count: int, group: str, limit: int):
        self.node = node
        self.count = count
        self.group = group
        self.limit = limit
        super().__init__(f"node {node} would hold group number {count}, more than the {limit} groups allowed: "
                         f"{visible(display_group(group))}")


class GroupBounds:
    """The groups a task holds, by the data time each last received a message."""

    def __init__(self, root: RuntimeNode, nodes: list[RuntimeNode], ctx: RunContext):
        self.root = root
        self.max_groups = ctx.max_groups
        self.expiry_ns = ctx.group_expiry_ns or 0
        self.last_seen: dict[str, int] = {}
        self.delete_messages: dict[str, DeleteGroupMessage] = {}
        self.schedule: list[tuple[int, str]] = []  # heap of (time the group may expire, group)
        self.clock = -(2**63)
        self.expired = 0
        for node in nodes:
            if node.group_state or type(node).delete_group is not RuntimeNode.delete_group:
                self._track(node)
        if self.expiry_ns:
            ctx.shared.setdefault("time_listeners", []).append(self)

    # ---- a group's messages ----

    def _track(self, node: RuntimeNode) -> None:
        cls = type(node)
        if node.point_group_state:
            node.point = self._tracking(node, node.point)  # type: ignore[method-assign]
        node.batch = self._tracking(node, node.batch, batch=True)  # type: ignore[method-assign]
        if cls.point_from is not RuntimeNode.point_from:  # a multi-parent node's own way in
            node.point_from = self._tracking_from(node, node.point_from)  # type: ignore[method-assign]
            node.batch_from = self._tracking_from(node, node.batch_from, batch=True)  # type: ignore[method-assign]

    def _tracking(self, node: RuntimeNode, deliver, batch: bool = False):
        last_seen = self.last_seen
        new_group = self._new_group
        if batch:
            def receive(msg) -> None:
                if msg.group not in last_seen:
                    new_group(node, msg, msg.tmax)
                last_seen[msg.group] = msg.tmax
                deliver(msg)
        else:
            def receive(msg) -> None:
                if msg.group not in last_seen:
                    new_group(node, msg, msg.time)
                last_seen[msg.group] = msg.time
                deliver(msg)
        return receive

    def _tracking_from(self, node: RuntimeNode, deliver, batch: bool = False):
        last_seen = self.last_seen
        new_group = self._new_group

        def receive(index: int, msg) -> None:
            time = msg.tmax if batch else msg.time
            if msg.group not in last_seen:
                new_group(node, msg, time)
            last_seen[msg.group] = time
            deliver(index, msg)

        return receive

    def _new_group(self, node: RuntimeNode, msg: Any, time: int) -> None:
        held = len(self.last_seen)
        if self.max_groups is not None and held >= self.max_groups:
            raise GroupLimitExceeded(node.label, held + 1, msg.group, self.max_groups)
        if self.expiry_ns:
            tags = msg.group_tags() if hasattr(msg, "group_tags") else dict(msg.tags)
            self.delete_messages[msg.group] = DeleteGroupMessage(msg.group, tags, msg.dimensions)
            heapq.heappush(self.schedule, (time + self.expiry_ns, msg.group))

    # ---- expiry (a time listener: called with each input point's time before it goes in) ----

    def advance(self, time: int) -> None:
        if time > self.clock:
            self.clock = time
        schedule = self.schedule
        while schedule and schedule[0][0] <= self.clock:
            _, group = heapq.heappop(schedule)
            last = self.last_seen.get(group)
            if last is None:
                continue
            due = last + self.expiry_ns
            if due > self.clock:  # the group had messages since: look again then
                heapq.heappush(schedule, (due, group))
                continue
            del self.last_seen[group]
            self.expired += 1
            self.root.delete_group(self.delete_messages.pop(group))


def install_group_bounds(root: RuntimeNode, nodes: list[RuntimeNode], ctx: RunContext) -> GroupBounds | None:
    """Bound the task's groups as `ctx.max_groups` and `ctx.group_expiry_ns` say (None: unbounded)."""
    if ctx.max_groups is None and not ctx.group_expiry_ns:
        return None
    return GroupBounds(root, nodes, ctx)


__all__ = ["GroupBounds", "GroupLimitExceeded", "install_group_bounds"]

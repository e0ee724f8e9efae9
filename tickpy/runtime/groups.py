"""Bounds on the groups a task holds: `tickpy run --max-groups N` and `--group-expiry DURATION`.

Kapacitor never forgets a group: every node keeps its state for every group it has seen (a
window's buffer, an aggregate's context, an alert's state), so a task over ever new series grows
without bound (kapacitor#1255, #2471), about 13 KB per series for window + mean by host. Neither
bound exists in Kapacitor; both are off unless asked for.

- max_groups: a message of a group new to a node that keeps per-group state, when that node
  already holds `max_groups` groups, stops the run with GroupLimitExceeded (the engine's caller
  ends the run as at the end of input, minus finishing). A group a delete-group message made
  the node forget (the expiry, or the script's barrier().delete(TRUE)) no longer counts.
- group_expiry_ns: a group that has received no message (at any node that keeps per-group
  state) for that long in data time is forgotten by every node of the task: a delete-group
  message goes down from the task's root, as `barrier().idle(d).delete(TRUE)` right below the
  root would send one, without the barrier first (an open window of the group is dropped, not
  emitted). The data time is the time of the latest input point (also with --clock wall).

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
            ctx.shared.setdefault("data_time_listeners", []).append(self)

    # ---- a group's messages ----

    def _track(self, node: RuntimeNode) -> None:
        held: dict[str, None] = {}  # the groups this node holds
        cls = type(node)
        if node.point_group_state:
            node.point = self._tracking(node, held, node.point)  # type: ignore[method-assign]
        node.batch = self._tracking(node, held, node.batch, batch=True)  # type: ignore[method-assign]
        if cls.point_from is not RuntimeNode.point_from:  # a multi-parent node's own way in
            node.point_from = self._tracking_from(node, held, node.point_from)  # type: ignore[method-assign]
            node.batch_from = self._tracking_from(node, held, node.batch_from, batch=True)  # type: ignore[method-assign]
        # A delete-group message (from the expiry, or a barrier().delete(TRUE) of the script)
        # makes the node forget the group.
        node.delete_group = self._forgetting(held, node.delete_group)  # type: ignore[method-assign]
        if cls.delete_group_from is not RuntimeNode.delete_group_from:
            node.delete_group_from = self._forgetting_from(held, node.delete_group_from)  # type: ignore[method-assign]

    def _tracking(self, node: RuntimeNode, held: dict, deliver, batch: bool = False):
        last_seen = self.last_seen
        expires = bool(self.expiry_ns)
        new_group = self._new_group
        if batch:
            def receive(msg) -> None:
                if msg.group not in held:
                    new_group(node, held, msg, msg.tmax)
                if expires:
                    last_seen[msg.group] = msg.tmax
                deliver(msg)
        else:
            def receive(msg) -> None:
                if msg.group not in held:
                    new_group(node, held, msg, msg.time)
                if expires:
                    last_seen[msg.group] = msg.time
                deliver(msg)
        return receive

    def _tracking_from(self, node: RuntimeNode, held: dict, deliver, batch: bool = False):
        last_seen = self.last_seen
        expires = bool(self.expiry_ns)
        new_group = self._new_group

        def receive(index: int, msg) -> None:
            time = msg.tmax if batch else msg.time
            if msg.group not in held:
                new_group(node, held, msg, time)
            if expires:
                last_seen[msg.group] = time
            deliver(index, msg)

        return receive

    @staticmethod
    def _forgetting(held: dict, deliver):
        def delete_group(msg) -> None:
            held.pop(msg.group, None)
            deliver(msg)

        return delete_group

    @staticmethod
    def _forgetting_from(held: dict, deliver):
        def delete_group_from(index: int, msg) -> None:
            held.pop(msg.group, None)
            deliver(index, msg)

        return delete_group_from

    def _new_group(self, node: RuntimeNode, held: dict, msg: Any, time: int) -> None:
        if self.max_groups is not None and len(held) >= self.max_groups:
            raise GroupLimitExceeded(node.label, len(held) + 1, msg.group, self.max_groups)
        held[msg.group] = None
        if self.expiry_ns and msg.group not in self.last_seen:
            tags = msg.group_tags() if hasattr(msg, "group_tags") else dict(msg.tags)
            self.delete_messages[msg.group] = DeleteGroupMessage(msg.group, tags, msg.dimensions)
            heapq.heappush(self.schedule, (time + self.expiry_ns, msg.group))

    # ---- expiry (a data-time listener: called with each input point's time before it goes in) ----

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

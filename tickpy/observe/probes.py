"""Edge probes: put between each node and its children only when a run is observed
(`--stats`, `--graph-out`, `--trace`), so that an unobserved run pays nothing.

A probe stands in a parent's `children` list where the child (or the child's `ParentPort`)
was, counts what goes through the edge, and hands each message to the child's `NodeWatch`,
which calls the child and looks at what it did: the groups it saw, for alert nodes whether
an event was sent and why not, and, while a point is traced, a line saying what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tickpy.runtime.messages import BatchMessage
from tickpy.runtime.nodes.base import ParentPort, RuntimeNode

if TYPE_CHECKING:  # pragma: no cover
    from tickpy.observe.trace import NodeExplainer

OK = 0

# Why an alert node sent nothing for a message (keys of NodeWatch.suppressed are the first three).
SUPPRESSED_FLAPPING = "flapping"
SUPPRESSED_STATE_CHANGES_ONLY = "stateChangesOnly"
SUPPRESSED_NO_RECOVERIES = "noRecoveries"
SENT = "sent"
INHIBITED = "inhibited"
FAILED = "error"
QUIET_OK = "ok"  # OK and no earlier problem: nothing to say
EMPTY = "empty"  # an empty batch: nothing evaluated
UNEXPLAINED = "none"

# How the alert node words a failed level (or reset) expression: it then goes on to the next level.
LEVEL_ERROR_PREFIXES = ("error evaluating expression for level", "error evaluating reset expression")


class EdgeProbe:
    """One parent -> child edge."""

    __slots__ = ("target", "watch", "child_spec", "count")

    def __init__(self, target, watch: NodeWatch):
        self.target = target  # the child node, or its ParentPort
        self.watch = watch
        self.child_spec = watch.spec
        self.count = 0

    def point(self, msg) -> None:
        self.count += 1
        self.watch.receive(self.target.point, msg, "point")

    def batch(self, msg) -> None:
        self.count += 1
        self.watch.receive(self.target.batch, msg, "batch")

    def ingest(self, point) -> None:  # stream -> from
        self.count += 1
        self.watch.receive(self.target.ingest, point, "ingest")

    # Barriers and group deletions pass uncounted, as Kapacitor's edge statistics count data.
    def barrier(self, msg) -> None:
        self.target.barrier(msg)

    def delete_group(self, msg) -> None:
        self.target.delete_group(msg)


@dataclass(slots=True)
class AlertSnapshot:
    """An alert node's state for one group before it handles a message."""

    level: int
    new_group: bool  # the node had no state for the group yet
    triggered: int  # the node's alerts_triggered
    kept: int  # events kept in the run context (ctx.alerts), to find the one sent
    inhibited: int
    errors: int


class NodeWatch:
    """What is observed about one runtime node."""

    def __init__(self, spec, node: RuntimeNode, observer):
        self.spec = spec
        self.node = node
        self.label = spec.label
        self.observer = observer  # has `.tracer` (None unless tracing)
        self.in_probes: list[EdgeProbe] = []
        self.out_probes: list[EdgeProbe] = []
        self.groups: set = set()
        self.is_alert = spec.type == "AlertNode"
        # Alert nodes only: events not sent, by reason.
        self.suppressed: dict[str, int] = {}
        if self.is_alert:
            self.suppressed = {SUPPRESSED_FLAPPING: 0, SUPPRESSED_STATE_CHANGES_ONLY: 0, SUPPRESSED_NO_RECOVERIES: 0}
        self.explainer: NodeExplainer | None = None  # set by the tracer
        self.last: Any = None  # the last message the node was handed

    def in_count(self) -> int:
        return sum(probe.count for probe in self.in_probes)

    def receive(self, call: Callable[[Any], None], msg, kind: str) -> None:
        self.last = msg
        if kind != "ingest":
            self.groups.add(msg.group)
        tracer = self.observer.tracer
        if tracer is not None and tracer.active:
            tracer.traced_call(self, call, msg, kind)
        elif self.is_alert:
            before = alert_snapshot(self.node, msg)
            call(msg)
            self.count_outcome(alert_outcome(self.node, msg, before)[0])
        else:
            call(msg)

    def count_outcome(self, reason: str) -> None:
        if reason in self.suppressed:
            self.suppressed[reason] += 1


def alert_snapshot(node, msg) -> AlertSnapshot:
    state = node.states.get(msg.group)
    level = state.history[state.idx] if state is not None else OK
    counters = node.counters
    return AlertSnapshot(level, state is None, counters.get("alerts_triggered", 0), len(node.ctx.alerts),
                         counters.get("alerts_inhibited", 0), node.errors)


def alert_outcome(node, msg, before: AlertSnapshot) -> tuple[str, Any]:
    """(reason, detail) for what an alert node did with a message: SENT with the event, or
    why nothing was sent (an event counted in alerts_triggered is sent: Kapacitor counts
    it when it hands it to its topics), read from the group's alert state as the node left it (the same
    conditions Kapacitor's alert node checks, in its order)."""
    ctx = node.ctx
    if node.counters.get("alerts_triggered", 0) > before.triggered:
        # The event itself, when the run keeps events (else the trace words it without).
        return SENT, ctx.alerts[before.kept] if len(ctx.alerts) > before.kept else None
    if node.counters.get("alerts_inhibited", 0) > before.inhibited:
        return INHIBITED, node.category
    if node.errors > before.errors and not _only_level_errors(node, before):
        return FAILED, None
    state = node.states.get(msg.group)
    if state is None or (isinstance(msg, BatchMessage) and not msg.points):
        return EMPTY, None
    level = state.history[state.idx]
    if level == OK and not state.changed:
        return QUIET_OK, None
    if node.use_flapping and state.flapping:
        return SUPPRESSED_FLAPPING, state.percent_change()
    if node.state_changes_only and not state.changed and not state.expired:
        return SUPPRESSED_STATE_CHANGES_ONLY, level
    if node.no_recoveries and level == OK:
        return SUPPRESSED_NO_RECOVERIES, None
    return UNEXPLAINED, None


def _only_level_errors(node, before: AlertSnapshot) -> bool:
    """Whether the errors reported since `before` were all level-expression errors (the
    node went on with the next level) rather than a failed event (a template)."""
    new = node.errors - before.errors
    recent = node.ctx.node_errors[-new:] if new > 0 else []
    return all(error.node == node.label and error.message.startswith(LEVEL_ERROR_PREFIXES) for error in recent)


def install_probes(task, observer) -> dict[int, NodeWatch]:
    """Put an EdgeProbe on every edge of `task` (a CompiledTask, not yet run); node id -> watch."""
    watches: dict[int, NodeWatch] = {}
    by_node: dict[int, NodeWatch] = {}
    for spec, node in zip(task.specs, task.nodes):
        watch = NodeWatch(spec, node, observer)
        watches[spec.id] = watch
        by_node[id(node)] = watch
    for spec, node in zip(task.specs, task.nodes):
        parent_watch = watches[spec.id]
        children = node.children  # replaced in place: closures may hold this list
        for index, child in enumerate(children):
            target = child.node if isinstance(child, ParentPort) else child
            if not isinstance(target, RuntimeNode) or id(target) not in by_node:
                continue  # e.g. a stats node's counter: not an edge of the graph
            child_watch = by_node[id(target)]
            probe = EdgeProbe(child, child_watch)
            children[index] = probe
            parent_watch.out_probes.append(probe)
            child_watch.in_probes.append(probe)
    return watches


__all__ = ["AlertSnapshot", "EdgeProbe", "NodeWatch", "alert_outcome", "alert_snapshot", "install_probes"]

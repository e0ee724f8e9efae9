"""Per-node counters of a run, named and drawn the way Kapacitor reports them.

Kapacitor keeps, for each node, an expvar map (`errors`, `working_cardinality`,
`avg_exec_time_ns` and the node's own keys, e.g. the alert node's `alerts_triggered`,
`alerts_inhibited`, `oks_triggered`, `infos_triggered`, `warns_triggered`,
`crits_triggered`), and per edge the messages that went through it. Its task API adds
`collected` (what the node's parent edges delivered) and `emitted` (what its child edges
took), and `kapacitor show` prints a DOT graph with the map as node attributes and
`processed=N` on each edge. This module builds the same from a finished run.

Differences, on purpose:
- `avg_exec_time_ns` is left out: nodes run nested in one thread here, so a node's own time
  cannot be told from its children's without timing every call.
- `working_cardinality` is the number of groups that reached the node (Kapacitor's gauge
  falls when a group is deleted, which a finite replay hardly sees); Kapacitor only keeps it
  for the node kinds declared with `working_cardinality` (tickpy.check.node_kinds), the
  others show 0 as there.
- Alert nodes get tickpy's own `events_suppressed` (events not sent because of flapping,
  `.stateChangesOnly()` or `.noRecoveries()`), which Kapacitor does not count.

As in Kapacitor, stream0 counts only the points the task is handed (its dbrps, the
measurements its from() nodes select, see runtime StreamNode), and the throughput is stream0's;
the points read but not handed to the task are counted apart (`TaskStats.ignored`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tickpy.check.dot import _label, _sources
from tickpy.check.evaluate import sorted_nodes
from tickpy.check.node_kinds import node_kind
from tickpy.check.pipeline import Pipeline
from tickpy.golang.goformat import format_float_v

# Keys Kapacitor's alert node never publishes (it sets crits_triggered twice instead).
UNPUBLISHED_KEYS = frozenset({"events_dropped"})


@dataclass(slots=True)
class EdgeStats:
    child: str
    processed: int


@dataclass(slots=True)
class NodeStats:
    label: str
    kind: str  # the node's DOT name without id: "alert", "from", "mean"
    collected: int
    emitted: int
    counters: dict[str, Any]  # Kapacitor's expvar keys and values (sorted when shown)
    edges: list[EdgeStats] = field(default_factory=list)
    # tickpy's breakdown of events_suppressed: reason -> count (alert nodes only)
    suppressed: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class TaskStats:
    task_name: str
    points_read: int
    elapsed_s: float
    nodes: list[NodeStats]
    unit: str = "points"
    # Points read that the task was not handed, by why ("for other dbrps", ...).
    ignored: dict[str, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        """Kapacitor's: what the source node (stream0) collected, per second."""
        collected = self.nodes[0].collected if self.nodes else self.points_read
        return collected / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def node(self, label: str) -> NodeStats:
        for node in self.nodes:
            if node.label == label:
                return node
        raise KeyError(label)

    def as_dict(self) -> dict[str, Any]:
        """Like the task API's `stats`: task-stats and node-stats (with collected/emitted)."""
        node_stats = {}
        for node in self.nodes:
            entry = dict(node.counters)
            entry["collected"] = node.collected
            entry["emitted"] = node.emitted
            node_stats[node.label] = entry
        return {"task-stats": {"throughput": self.throughput}, "node-stats": node_stats}


def collect_stats(task, watches: dict[int, Any], elapsed_s: float, task_name: str) -> TaskStats:
    """The stats of a finished run of `task` (a CompiledTask) observed through `watches`
    (node id -> probes.NodeWatch)."""
    by_id = {spec.id: (spec, node) for spec, node in zip(task.specs, task.nodes)}
    root_spec = task.specs[0]
    results = []
    order = walk_order(task.specs)
    # Kapacitor links a node's child edges as it walks the children: they come in walk order.
    walk_index = {_label(spec): index for index, spec in enumerate(order)}
    for spec in order:
        spec_node = by_id.get(spec.id)
        if spec_node is None:
            continue
        node = spec_node[1]
        if spec.type == "BatchNode":
            continue  # Kapacitor's stats and graph leave the batch root out
        watch = watches.get(spec.id)
        edges = []
        if watch is not None:
            edges = sorted((EdgeStats(_label(probe.child_spec), probe.count) for probe in watch.out_probes),
                           key=lambda edge: walk_index.get(edge.child, 0))
        if spec is root_spec:
            collected = node.points_out
        else:
            collected = watch.in_count() if watch is not None else 0
        counters: dict[str, Any] = {"errors": node.errors}
        cardinality = 0
        if watch is not None and node_kind(spec.type).working_cardinality:
            cardinality = len(watch.groups)
        counters["working_cardinality"] = cardinality
        for key, value in node.extra_stats().items():
            if key not in UNPUBLISHED_KEYS:
                counters[key] = value
        suppressed: dict[str, int] = {}
        if watch is not None and watch.is_alert:
            suppressed = {reason: count for reason, count in watch.suppressed.items() if count}
            counters["events_suppressed"] = sum(watch.suppressed.values())
        results.append(NodeStats(
            label=_label(spec),
            kind=spec.name,
            collected=collected,
            emitted=sum(edge.processed for edge in edges),
            counters=counters,
            edges=edges,
            suppressed=suppressed,
        ))
    root = task.root
    ignored = {"for other dbrps": getattr(root, "ignored_other_dbrps", 0),
               "of measurements no from() selects": getattr(root, "ignored_other_measurements", 0)}
    return TaskStats(task_name, task.points_read, elapsed_s, results,
                     ignored={why: count for why, count in ignored.items() if count})


def walk_order(specs: list) -> list:
    """Kapacitor's node walk order (as `kapacitor show` lists them)."""
    return sorted_nodes(_sources(Pipeline("stream", list(specs))))


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float_v(value)
    return str(value)


def to_dot(stats: TaskStats, labels: bool = False) -> str:
    """`kapacitor show`'s DOT: node attributes are the node's stats (sorted by key), edges
    carry `processed`. `labels=True` is its `dot-view=labels` form (stats drawn as labels)."""
    out = [f"digraph {stats.task_name} {{\n"]
    throughput = f"{stats.throughput:.2f} {stats.unit}/s"
    if labels:
        out.append(f'graph [label="Throughput: {throughput}" forcelabels=true pad="0.8,0.5"];\n')
    else:
        out.append(f'graph [throughput="{throughput}"];\n')
    for node in stats.nodes:
        items = sorted(node.counters.items())
        if labels:
            text = "\\r".join(f"{key}={_value_text(value)}" for key, value in items)
            out.append(f'\n{node.label} [xlabel="{text}"];\n')
            for edge in node.edges:
                out.append(f'{node.label} -> {edge.child} [label="processed={edge.processed}"];\n')
        else:
            text = "".join(f'{key}="{_value_text(value)}" ' for key, value in items)
            out.append(f"\n{node.label} [{text}];\n")
            for edge in node.edges:
                out.append(f'{node.label} -> {edge.child} [processed="{edge.processed}"];\n')
    out.append("}")
    return "".join(out)


def to_text(stats: TaskStats) -> str:
    """One line per node: collected, emitted, then the node's counters by Kapacitor's names;
    its edges below it."""
    width = max((len(node.label) for node in stats.nodes), default=0)
    ignored = ""
    if stats.ignored:
        ignored = " (" + ", ".join(f"{count} {why}" for why, count in stats.ignored.items()) + ", ignored)"
    lines = [
        f"node stats of task {stats.task_name}: {stats.points_read} points read{ignored} in {stats.elapsed_s:.3f}s "
        f"({stats.throughput:.2f} {stats.unit}/s)"
    ]
    for node in stats.nodes:
        parts = [f"collected={node.collected}", f"emitted={node.emitted}"]
        parts.extend(f"{key}={_value_text(value)}" for key, value in sorted(node.counters.items()))
        line = f"  {node.label.ljust(width)}  " + " ".join(parts)
        if node.suppressed:
            line += " (" + ", ".join(f"{reason}: {count}" for reason, count in sorted(node.suppressed.items())) + ")"
        lines.append(line)
        for edge in node.edges:
            lines.append(f"  {' ' * width}    -> {edge.child} processed={edge.processed}")
    notes = ["avg_exec_time_ns, which Kapacitor keeps for every node, is not measured"]
    if any("events_suppressed" in node.counters for node in stats.nodes):
        notes.insert(0, "events_suppressed is tickpy's own counter (by reason in parentheses), not Kapacitor's")
    lines.append("  (" + "; ".join(notes) + ")")
    return "\n".join(lines)


__all__ = ["EdgeStats", "NodeStats", "TaskStats", "collect_stats", "to_dot", "to_text", "walk_order"]

"""The checked program: the pipeline graph a script builds, as Kapacitor's `pipeline` package
would hold it after evaluating the script. The checker produces it; `tickpy graph`, the
engine's compiler and the teaching tools read it.

Argument values are evaluated: str, int, float, bool, `values.Duration`, `values.Regex`,
`values.STAR`, lists, and `ast.Lambda` for lambdas (compiled later by tickpy.lang).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tickpy.lang.values import Duration
from tickpy.syntax.ast import Lambda, Span


@dataclass(frozen=True, slots=True)
class TimeDimension:
    """What `time(length[, offset])` gives: a GROUP BY time() bucket for a batch query's `.groupBy()`."""

    length: Duration
    offset: Duration = Duration(0)


@dataclass(slots=True, eq=False)
class PropertyCall:
    name: str  # as Kapacitor spells the method, first letter lower-case: "crit", "period"
    args: list[Any]
    span: Span


@dataclass(slots=True, eq=False)
class HandlerSpec:
    """An alert handler added with a property such as `.tcp(addr)`, `.log(path)`, `.post(url)`,
    `.exec(prog, args...)` or `.slack()`, with its own sub-properties (`.mode(0644)`,
    `.header(k, v)`, `.endpoint(name)`, `.channel('#ops')`)."""

    kind: str  # the property's name: "tcp", "log", "post", "exec", "slack", ...
    args: list[Any]
    properties: list[PropertyCall] = field(default_factory=list)
    span: Span = field(default_factory=Span.unknown)

    def last(self, name: str) -> PropertyCall | None:
        return _last(self.properties, name)


@dataclass(slots=True, eq=False)
class PipelineNode:
    id: int  # Kapacitor's node id: stream0 -> from1 -> alert2 (creation order)
    type: str  # catalogue type: "StreamNode", "FromNode", "AlertNode", "InfluxQLNode", ...
    name: str  # the name in DOT output: "stream", "from", "alert", "mean", "http_out"
    args: list[Any] = field(default_factory=list)  # arguments of the chaining call
    properties: list[PropertyCall] = field(default_factory=list)  # in call order
    handlers: list[HandlerSpec] = field(default_factory=list)  # alert nodes only
    parents: list[PipelineNode] = field(default_factory=list)
    children: list[PipelineNode] = field(default_factory=list)
    span: Span = field(default_factory=Span.unknown)
    wants: str = "stream"  # edge type consumed: "stream", "batch" or "noedge"
    provides: str = "stream"  # edge type produced
    # Anything else the node was built with outside its properties, e.g. a deadman's alert
    # gets "id"/"message" defaults; a stats node its "source" node; a UDF its "options".
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The node's DOT name, e.g. "alert2"."""
        return f"{self.name}{self.id}"

    def last(self, name: str) -> PropertyCall | None:
        """The last call of property `name` (later calls override earlier ones)."""
        return _last(self.properties, name)

    def all(self, name: str) -> list[PropertyCall]:
        return [p for p in self.properties if p.name == name]


@dataclass(slots=True, eq=False)
class Pipeline:
    task_type: str  # "stream" or "batch"
    nodes: list[PipelineNode]  # in id order; nodes[0] is the root
    dbrps: list[tuple[str, str]] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> PipelineNode:
        return self.nodes[0]

    def lambdas(self) -> list[Lambda]:
        found: list[Lambda] = []
        for node in self.nodes:
            for call in node.properties:
                found.extend(a for a in call.args if isinstance(a, Lambda))
        return found


def _last(properties: list[PropertyCall], name: str) -> PropertyCall | None:
    for call in reversed(properties):
        if call.name == name:
            return call
    return None

"""The runtime node base class, the node registry and the run context.

How a task runs
---------------
The engine (`tickpy.runtime.engine`) compiles a checked `Pipeline` into one `RuntimeNode` per
`PipelineNode`, connected like the pipeline: each node holds its `children`. Input points
enter at the `stream` node; every node handles a message and hands results to its children
with `forward_point` / `forward_batch`. Everything is synchronous and single-threaded, in
input order, so results are deterministic.

Writing a node
--------------
Declare the kind in `tickpy.check.node_kinds` (its checks, its sentence, what graphs show),
subclass `RuntimeNode`, register it for the declared type (and optionally the node name), and
override what you need:

    from tickpy.runtime.nodes.base import RuntimeNode, register

    @register("DerivativeNode")
    class DerivativeNode(RuntimeNode):
        def __init__(self, spec, ctx):
            super().__init__(spec, ctx)       # always first
            self.field = spec.args[0]
            self.unit_ns = self.duration_property("unit", 1_000_000_000)

        def point(self, msg):                  # a PointMessage arrived (stream edge)
            ...
            self.forward_point(out)            # hand a (new) message to every child

        def batch(self, msg):                  # a BatchMessage arrived (batch edge)
            ...
            self.forward_batch(out)

        def finish(self):                      # end of input (see below)
            ...

`register("InfluxQLNode", name="mean")` registers for one node name only; lookup tries
(type, name) first, then (type). A module under `tickpy/runtime/nodes/` is imported
automatically by `load_node_modules()`, so registering is all a new module has to do.

Rules
-----
- Never mutate a received message or its dicts: build a new one (see `tickpy.runtime.messages`).
- A recoverable problem with one point (a lambda that fails, a missing field) is reported with
  `self.error(text)` and the point is dropped, as Kapacitor logs and goes on. `text` should
  read like Kapacitor's log message (e.g. "error evaluating expression: ...").
- A problem with the script itself that the checker let through (an unsupported option) is
  raised from `__init__` as `TickpyError` (use `self.unsupported(...)` / `self.script_error(...)`),
  so it is reported before any point is read.
- Lambdas: `self.compile_lambda(ast_lambda, mode)` compiles once per task (cached);
  `PerGroup(compiled)` gives each group its own stateful evaluator
  (`evaluators.get(msg.group)`), as Kapacitor keeps expression state per group.
- Multi-parent nodes (join, union, combine...) override `point_from(index, msg)` /
  `batch_from(index, msg)`: `index` is the position of the parent in `spec.parents`. The
  engine wires such nodes through `ParentPort`s; single-parent nodes just get `point`/`batch`.
- `finish()` is called once, after the last input point, parents before children. Kapacitor
  emits nothing at end of input; a node with buffered data (windows) emits it only when
  `self.ctx.flush_at_end` is true (`tickpy run --flush`).
- Barriers and delete-group messages (from `barrier()`) reach `barrier(msg)` and
  `delete_group(msg)`: by default a barrier is passed on, and a delete-group message drops
  the group from the attributes named in `self.group_state` before it is passed on.
- Counters: `points_out`/`batches_out`/`errors` are kept by the base class; the engine derives
  the "in" counts from the parents' "out" counts. Add node-specific ones by overriding
  `extra_stats()`.

Observers
---------
`tickpy.observe` (--stats, --graph-out, --trace) watches a run without changing it, through
two hook points, and an unobserved run pays nothing for either:
- Edges: an entry of `children` may be anything with `point`, `batch`, `barrier` and
  `delete_group` (an edge probe stands there in an observed run, in place of the child).
- Nodes: `observe(observer)` attaches one observer, which the node then calls at the moments
  its class documents (AlertNode: `level_evaluated`, JoinNode: `set_emitted`, StatsNode:
  `tick`); the default `observer` is None. A node whose hook is on the hot path builds its
  observed variant in `observe` instead of testing for an observer on every message. What an
  observer may read of a node's state is documented on its class (e.g. WindowNode.pending).
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tickpy.check.node_kinds import node_kind
from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.golang.goformat import go_quote
from tickpy.lang import compile_lambda
from tickpy.lang.values import Duration
from tickpy.runtime.messages import BarrierMessage, BatchMessage, DeleteGroupMessage, PointMessage

if TYPE_CHECKING:  # pragma: no cover
    from tickpy.check.pipeline import PipelineNode


# --------------------------------------------------------------------------- run context


@dataclass(slots=True)
class NodeError:
    """A runtime error a node reported for one point/batch (the point was dropped)."""

    node: str  # node label, e.g. "where2"
    message: str
    time_ns: int | None = None

    def log_line(self, task_name: str) -> str:
        """Kapacitor-like log text for stderr."""
        return f"lvl=error task={task_name} node={self.node} err={logfmt_string(self.message)}"


def logfmt_string(text: str) -> str:
    """A string value as Kapacitor's logger writes it: Go-quoted only if it has a space or a quote."""
    return go_quote(text) if " " in text or '"' in text else text


MAX_KEPT_NODE_ERRORS = 10_000


def wall_clock_ns() -> int:
    return time.time_ns()


@dataclass(slots=True, eq=False)
class RunContext:
    """What every node of one task run can reach.

    Attributes:
        task_name: the task's name (alert `.Task`, `{{ .TaskName }}`, log lines).
        database, retention_policy: the task's (first) dbrp: points without one belong to it.
        dbrps: every (database, retention policy) the task reads (empty: any).
        config: the Kapacitor configuration as a dict (TOML), e.g. `config["httppost"]`.
        alert_service: the alert service (topics, handlers); None when there is none.
        flush_at_end: `--flush`: close open windows at end of input (not Kapacitor's behaviour).
        clock: wall-clock nanoseconds (e.g. for `now()` where Kapacitor uses real time).
        node_errors: the `NodeError`s reported, in order (the first MAX_KEPT_NODE_ERRORS).
        on_error: called with each `NodeError` as it is reported (the CLI prints it).
        influxdb_lines: lines written by influxDBOut nodes (the engine decides where they go).
        line_sink: called with each line-protocol line influxDBOut writes (None: only kept).
        log_sink: where log nodes write their lines (None: stderr).
        alerts: every alert event the alert nodes produced, in order (kept only when
            `keep_alerts`; `alert_counts` counts them by level either way).
        shared: state shared by nodes of the run, by key: "inhibitors" (alert nodes),
            "nodes_by_id" (the runtime nodes built so far, by pipeline id), "time_listeners"
            (nodes with `advance(time_ns)`, called before each input point: event-time ticks).
        wall_clock_ticks: the time listeners tick on the wall clock instead, through
            `CompiledTask.tick(now_ns)` (a long-running task, as Kapacitor's stats() ticker).
    """

    task_name: str = "task"
    database: str = ""
    retention_policy: str = ""
    dbrps: list = field(default_factory=list)
    config: dict = field(default_factory=dict)
    alert_service: Any = None
    flush_at_end: bool = False
    clock: Callable[[], int] = wall_clock_ns
    node_errors: list[NodeError] = field(default_factory=list)
    on_error: Callable[[NodeError], None] | None = None
    influxdb_lines: list[str] = field(default_factory=list)
    line_sink: Callable[[str], None] | None = None
    log_sink: Callable[[str], None] | None = None
    alerts: list = field(default_factory=list)
    keep_alerts: bool = True
    wall_clock_ticks: bool = False
    alert_counts: dict = field(default_factory=dict)
    shared: dict = field(default_factory=dict)
    _lambda_cache: dict = field(default_factory=dict)

    def report_error(self, node: RuntimeNode | str, message: str, time_ns: int | None = None) -> None:
        label = node if isinstance(node, str) else node.label
        error = NodeError(label, message, time_ns)
        if len(self.node_errors) < MAX_KEPT_NODE_ERRORS:  # the nodes' `errors` counters count them all
            self.node_errors.append(error)
        if self.on_error is not None:
            self.on_error(error)

    def compile_lambda(self, lambda_node, mode: str = "predicate"):
        """The `CompiledLambda` of an `ast.Lambda` (or expression), compiled once per task."""
        key = (id(lambda_node), mode)
        compiled = self._lambda_cache.get(key)
        if compiled is None:
            compiled = compile_lambda(lambda_node, mode=mode)
            # keep the AST alive so that id() stays unique for the cache's lifetime
            self._lambda_cache[key] = compiled
            self._lambda_cache[(key, "ast")] = lambda_node
        return compiled


class PerGroup:
    """One stateful evaluator of a compiled lambda per group (created on first use)."""

    __slots__ = ("compiled", "by_group")

    def __init__(self, compiled):
        self.compiled = compiled
        self.by_group: dict[str, Any] = {}

    def get(self, group: str):
        evaluator = self.by_group.get(group)
        if evaluator is None:
            evaluator = self.by_group[group] = self.compiled.new_evaluator()
        return evaluator


# --------------------------------------------------------------------------- registry

_REGISTRY: dict[tuple[str, str | None], type[RuntimeNode]] = {}


def register(node_type: str, name: str | None = None):
    """Class decorator: run pipeline nodes of catalogue `node_type` (and node `name`) with it.
    The type must be declared in tickpy.check.node_kinds (KeyError otherwise)."""
    node_kind(node_type)

    def decorate(cls):
        key = (node_type, name)
        existing = _REGISTRY.get(key)
        if existing is not None and existing is not cls:
            raise RuntimeError(f"runtime node {key} registered twice: {existing.__name__}, {cls.__name__}")
        _REGISTRY[key] = cls
        return cls

    return decorate


def lookup(node_type: str, name: str | None = None) -> type[RuntimeNode] | None:
    """The runtime class for a pipeline node, or None when tickpy cannot run it."""
    load_node_modules()
    return _REGISTRY.get((node_type, name)) or _REGISTRY.get((node_type, None))


def registered() -> dict[tuple[str, str | None], type[RuntimeNode]]:
    load_node_modules()
    return dict(_REGISTRY)


_loaded = False


def load_node_modules() -> None:
    """Import every module of `tickpy.runtime.nodes` once so that they register their nodes."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import tickpy.runtime.nodes as package  # deferred: cycle (the package imports this module)

    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}")


# --------------------------------------------------------------------------- node base


class RuntimeNode:
    """A running pipeline node. See the module docstring for how to write one.

    Attributes:
        spec: the checked `PipelineNode` (args, properties, handlers, span)
        ctx: the `RunContext`
        label: "alert2" (Kapacitor's node name, used in stats and errors)
        children: the nodes (or ports) fed by this node, in pipeline order
        observer: what `observe` attached (None: the run is not observed)
    """

    observer: Any = None

    def __init__(self, spec: PipelineNode, ctx: RunContext):
        self.spec = spec
        self.ctx = ctx
        self.label = spec.label
        self.children: list[Any] = []
        self.points_out = 0
        self.batches_out = 0
        self.errors = 0

    # ---- data in (override) ----

    def point(self, msg: PointMessage) -> None:
        """A point arrived on a stream edge. Default: pass it on."""
        self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        """A batch arrived on a batch edge. Default: pass it on."""
        self.forward_batch(msg)

    def point_from(self, parent_index: int, msg: PointMessage) -> None:
        """A point from parent number `parent_index` (multi-parent nodes override this)."""
        self.point(msg)

    def batch_from(self, parent_index: int, msg: BatchMessage) -> None:
        self.batch(msg)

    def finish(self) -> None:
        """End of input (parents are finished first). Default: nothing."""

    def describe_state(self, show_time: Callable[[int], str]) -> list[str]:
        """What the node holds per group now, one line each, in words (a test's state dump);
        `show_time` writes a time. Default: nothing to say."""
        return []

    def advance_clock(self, time: int) -> None:
        """The task's clock reached `time` with no data (a test's `clock.until`, `--clock wall`):
        nodes that act on a timer in Kapacitor (stats, barrier) do what is due by then.
        Default: nothing."""

    # ---- barriers and group deletion (Kapacitor's BarrierMessage / DeleteGroupMessage) ----

    # The attributes holding per-group state: dicts keyed by group id, or `PerGroup`s. A
    # delete-group message drops the group from each of them, as Kapacitor's grouped
    # consumers drop the group's receiver.
    group_state: tuple[str, ...] = ()

    def barrier(self, msg: BarrierMessage) -> None:
        """A barrier arrived. Default: pass it on."""
        self.forward_barrier(msg)

    def barrier_from(self, parent_index: int, msg: BarrierMessage) -> None:
        self.barrier(msg)

    def delete_group(self, msg: DeleteGroupMessage) -> None:
        """Forget the group (see `group_state`) and pass the message on."""
        self.forget_group(msg.group)
        self.forward_delete_group(msg)

    def delete_group_from(self, parent_index: int, msg: DeleteGroupMessage) -> None:
        self.delete_group(msg)

    def forget_group(self, group: str) -> None:
        for name in self.group_state:
            state = getattr(self, name, None)
            if isinstance(state, PerGroup):
                state = state.by_group
            if isinstance(state, dict):
                state.pop(group, None)

    # ---- data out ----

    def forward_point(self, msg: PointMessage) -> None:
        self.points_out += 1
        for child in self.children:
            child.point(msg)

    def forward_batch(self, msg: BatchMessage) -> None:
        self.batches_out += 1
        for child in self.children:
            child.batch(msg)

    def forward_barrier(self, msg: BarrierMessage) -> None:
        for child in self.children:
            child.barrier(msg)

    def forward_delete_group(self, msg: DeleteGroupMessage) -> None:
        for child in self.children:
            child.delete_group(msg)

    # ---- errors ----

    def error(self, message: str, time_ns: int | None = None) -> None:
        """Report a per-point problem (the caller drops the point)."""
        self.errors += 1
        self.ctx.report_error(self, message, time_ns)

    def script_error(self, message: str, span=None, hint: str | None = None, code: str = "run") -> TickpyError:
        """A TickpyError pointing at this node (or `span`): raise it from `__init__`."""
        span = span if span is not None else self.spec.span
        return TickpyError(
            Diagnostic(
                message,
                line=span.line,
                column=span.column,
                end_line=span.end_line,
                end_column=span.end_column,
                code=code,
                hint=hint,
            )
        )

    def unsupported(self, what: str, span=None) -> TickpyError:
        """`what` is not supported by tickpy run yet (raise it from `__init__`)."""
        return self.script_error(f"{what} is not supported by tickpy run yet", span=span, code="unsupported")

    # ---- reading the spec ----

    def has(self, name: str) -> bool:
        return self.spec.last(name) is not None

    def property_args(self, name: str) -> list[Any] | None:
        """The arguments of the last `.name(...)` call, or None if never called."""
        call = self.spec.last(name)
        return None if call is None else call.args

    def property_value(self, name: str, default: Any = None) -> Any:
        """The first argument of the last `.name(...)` call; `True` for a call without
        arguments (flags like `.align()`); `default` if never called."""
        call = self.spec.last(name)
        if call is None:
            return default
        return call.args[0] if call.args else True

    def duration_property(self, name: str, default: int = 0) -> int:
        """A duration property in nanoseconds."""
        return duration_ns(self.property_value(name, None), default)

    def compile_lambda(self, lambda_node, mode: str = "predicate"):
        return self.ctx.compile_lambda(lambda_node, mode)

    # ---- stats and observers ----

    def extra_stats(self) -> dict[str, Any]:
        return {}

    def observe(self, observer: Any) -> None:
        """Attach `observer` (tickpy.observe): the node calls it at the moments its class
        documents. Nodes that call it on the hot path override this to build their observed
        variant here."""
        self.observer = observer

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label}>"


def duration_ns(value: Any, default: int = 0) -> int:
    """Nanoseconds of a Duration (ints are taken as nanoseconds already)."""
    if value is None:
        return default
    if isinstance(value, Duration):
        return value.nanoseconds
    if type(value) is int:
        return value
    raise TypeError(f"not a duration: {value!r}")


class ParentPort:
    """The edge from one parent into a multi-parent node: tags messages with the parent index."""

    __slots__ = ("node", "index")

    def __init__(self, node: RuntimeNode, index: int):
        self.node = node
        self.index = index

    def point(self, msg: PointMessage) -> None:
        self.node.point_from(self.index, msg)

    def batch(self, msg: BatchMessage) -> None:
        self.node.batch_from(self.index, msg)

    def barrier(self, msg: BarrierMessage) -> None:
        self.node.barrier_from(self.index, msg)

    def delete_group(self, msg: DeleteGroupMessage) -> None:
        self.node.delete_group_from(self.index, msg)


__all__ = [
    "NodeError",
    "ParentPort",
    "PerGroup",
    "RunContext",
    "RuntimeNode",
    "duration_ns",
    "load_node_modules",
    "lookup",
    "register",
    "registered",
]

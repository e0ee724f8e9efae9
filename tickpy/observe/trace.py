"""`tickpy run --trace`: what happened to each input point, one compact line per node it reached.

    point 4: cpu,cpu=cpu-total,host=server02 usage_idle=8.1 1700000020000000000 (2023-11-14T22:13:40Z)
      from1: selected (measurement 'cpu')
        alert2: CRITICAL "usage_idle" < 10 -> true (usage_idle=8.1); level CRITICAL (was OK); event raised ...; handed to 1 handler: .log() ...

The tracer works through the edge probes (tickpy.observe.probes): a probe hands each message
to the tracer while the current input point is traced, and the node's explainer compares the
node before and after (its counters, errors, alert state) to say what it did. An explainer
that needs more attaches to its node's hook point (RuntimeNode.observe): the alert node reports
each level expression's result, the join node each set it emits, the stats node its ticks; it
reads only what the node's class documents. A point is traced when
it matches the `--trace-filter` lambda (all points without one); what a traced point causes
downstream (a window's batch, an aggregate) is shown under it. A stats()/deadman() tick that
the point's time reaches gets its own line in the point's block. Other stderr lines written
while a block is open (handler reports from delivery threads, log-node lines) wait and come
after the block (observer.StderrGate), so an alert's delivery is never reported before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tickpy.check.node_kinds import node_kind
from tickpy.diagnostics import visible
from tickpy.golang.goformat import format_float_v
from tickpy.golang.gotime import format_go_duration, format_time_rfc3339nano
from tickpy.lang import compile_lambda
from tickpy.lang.compiler import find_references
from tickpy.observe import probes
from tickpy.runtime.alert_event import LEVELS as LEVEL_NAMES
from tickpy.runtime.nodes.combine import NO_FILL
from tickpy.runtime.nodes.outputs import encode_line
from tickpy.syntax import ast, format_expression
from tickpy.syntax.parser import parse_lambda_expression

LEVEL_PROPERTIES = {1: "info", 2: "warn", 3: "crit"}
INDENT = "  "


# --------------------------------------------------------------------------- text helpers


def show_value(value: Any) -> str:
    """A value as a TICKscript literal would show it."""
    if value is None:
        return "<missing>"
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return format_float_v(value)
    if kind is int:
        return str(value)
    if kind is str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return str(value)


def show_time(time_ns: int | None) -> str:
    if time_ns is None:
        return "?"

    try:
        return format_time_rfc3339nano(time_ns)
    except (ValueError, OverflowError):
        return str(time_ns)


def point_text(name: str, tags, fields, time_ns: int) -> str:
    """Line protocol, for showing a point (fields of any kind, even none)."""

    line = encode_line(name, tags, fields, time_ns)
    if line is None:
        marked = encode_line(name, tags, {"<no fields>": True}, time_ns)
        assert marked is not None, "a point with a field is written"
        line = marked.replace("<no fields>=true", "<no fields>")
    return line


def lambda_text(lambda_node) -> str:
    expression = getattr(lambda_node, "expression", lambda_node)
    return format_expression(expression) if expression is not None else "<no expression>"


def references(lambda_node) -> list[str]:
    return find_references(getattr(lambda_node, "expression", lambda_node))


def referenced_values(lambda_node, fields, tags) -> str:
    """`name=value` for each field or tag the lambda reads, `<missing>` when the point has
    neither (a missing field is the usual reason for a lambda error)."""
    shown = []
    for name in references(lambda_node):
        if name == "time":
            continue
        if name in fields:
            value = fields[name]
        elif name in tags:
            value = tags[name]
        else:
            value = None
        shown.append(f"{name}={show_value(value)}")
    return ", ".join(shown)


def missing_names(lambda_node, fields, tags) -> list[str]:
    return [name for name in references(lambda_node) if name != "time" and name not in fields and name not in tags]


def group_text(msg) -> str:
    names = getattr(getattr(msg, "dimensions", None), "tag_names", ()) or ()
    if not names:
        return "all points"
    return ",".join(f"{name}={msg.tags.get(name, '')}" for name in names)


def node_lambdas(spec) -> list:
    """The lambdas a node was given, as (where, ast.Lambda): "arg" or the property name."""

    found = [("arg", a) for a in spec.args if isinstance(a, ast.Lambda)]
    for call in spec.properties:
        found.extend((call.name, a) for a in call.args if isinstance(a, ast.Lambda))
    return found


# --------------------------------------------------------------------------- tracer


class Tracer:
    """Collects the lines of the current input point and writes them when it is done."""

    def __init__(self, task, watches: dict[int, probes.NodeWatch], write: Callable[[str], None],
                 point_filter: Callable[[Any], bool] | None = None, gate=None):
        self.task = task
        self.write = write
        self.gate = gate  # observer.StderrGate: other stderr lines wait while a block is open
        self.point_filter = point_filter
        self.active = False
        self.depth = 0
        self.lines: list[list] = []  # [depth, text] in the order nodes were reached
        self.point = None  # the input point being traced
        self.header_written = False
        self.points_traced = 0
        for watch in watches.values():
            watch.explainer = explainer_for(watch, self)

    # ---- per input point

    def begin_point(self, number: int, point) -> None:
        self.flush()
        self.active = self.point_filter is None or self.point_filter(point)
        if not self.active:
            return
        if self.gate is not None:
            self.gate.hold()
        self.points_traced += 1
        self.point = point
        fields = point.fields
        header = f"point {number}: {point_text(point.name, point.tags, fields, point.time)} ({show_time(point.time)})"
        self.lines.append([0, header])

    def begin_block(self, header: str) -> None:
        """A batch task's unit of input: a query run, or a recorded batch (the filter, which
        selects input points, does not apply)."""
        self.flush()
        self.active = True
        if self.gate is not None:
            self.gate.hold()
        self.points_traced += 1
        self.point = None
        self.lines.append([0, header])

    def begin_finish(self) -> None:
        """End of input: what nodes emit when they finish (--flush) is traced under its own heading."""
        self.flush()
        self.active = True
        if self.gate is not None:
            self.gate.hold()
        self.lines.append([0, "end of input:"])

    def flush(self) -> None:
        lines, self.lines = self.lines, []
        self.active = False
        if len(lines) == 1 and lines[0][1] != "end of input:":
            if self.point is None:  # a query run
                lines.append([1, "no batch: the query returned no series"])
            else:
                lines.append([1, f"reached no node: {self.task.root.ignored_reason(self.point)}"])
        if len(lines) <= 1:
            if self.gate is not None:
                self.gate.release()  # nothing to write: let what waited through
            return
        # Names and values come from the data: control characters are shown, not sent to the terminal.
        self.write("\n".join(INDENT * depth + visible(text) for depth, text in lines))

    # ---- per node

    def traced_call(self, watch: probes.NodeWatch, call, msg, kind: str) -> None:
        self.depth += 1
        slot = [self.depth, watch.label + ":"]
        self.lines.append(slot)
        explainer = watch.explainer
        assert explainer is not None, "the tracer gives every watch an explainer"
        before = explainer.before(watch, msg, kind)
        try:
            call(msg)
        finally:
            self.depth -= 1
            try:
                slot[1] = f"{watch.label}: {explainer.after(watch, msg, kind, before)}"
            except Exception as error:  # never let an explanation break the run
                slot[1] = f"{watch.label}: (cannot explain: {type(error).__name__}: {error})"


# --------------------------------------------------------------------------- explainers


EXPLAINERS: dict[str, type[NodeExplainer]] = {}


def explains(node_type: str):
    """Class decorator: trace the nodes of this declared kind with the explainer (the others
    get NodeExplainer)."""
    node_kind(node_type)

    def decorate(cls):
        EXPLAINERS[node_type] = cls
        return cls

    return decorate


def explainer_for(watch: probes.NodeWatch, tracer: Tracer) -> NodeExplainer:
    return EXPLAINERS.get(watch.spec.type, NodeExplainer)(watch, tracer)


class NodeExplainer:
    """Any node: what came in, what went out, errors with the point and the expression."""

    def __init__(self, watch: probes.NodeWatch, tracer: Tracer):
        self.spec = watch.spec
        self.tracer = tracer
        self.lambdas = node_lambdas(watch.spec)

    def before(self, watch, msg, kind):
        node = watch.node
        return node.points_out, node.batches_out, node.errors, len(node.ctx.node_errors)

    def after(self, watch, msg, kind, before) -> str:
        node = watch.node
        parts = []
        if kind == "batch":
            parts.append(f"batch of {len(msg.points)} points at {show_time(msg.tmax)} ({group_text(msg)})")
        errors = self.error_texts(watch, msg, kind, before[3])
        if not errors and node.errors > before[2]:
            errors = ["error (not logged: .quiet())"]
        parts.extend(errors)
        out = self.output_text(node.points_out - before[0], node.batches_out - before[1], kind, errors)
        if out:
            parts.append(out)
        return "; ".join(parts)

    def output_text(self, points: int, batches: int, kind: str, errors: list[str]) -> str:
        if points and kind == "point" and points == 1:
            return "passed on"
        out = []
        if points:
            out.append(f"{points} point{'s' if points != 1 else ''}")
        if batches:
            out.append(f"{batches} batch{'es' if batches != 1 else ''}")
        if out:
            return "-> " + " and ".join(out)
        if errors and kind != "batch":
            return "dropped"
        return "nothing passed on" if not errors else ""

    def error_texts(self, watch, msg, kind, errors_before: int) -> list[str]:
        node_errors = watch.node.ctx.node_errors[errors_before:]
        texts = []
        for error in node_errors:
            if error.node != watch.label:
                continue
            fields, tags, time_ns, name = _error_point(msg, kind, error.time_ns)
            text = f"error: {error.message}"
            culprits = [(where, lam) for where, lam in self.lambdas if missing_names(lam, fields, tags)]
            shown = culprits or self.lambdas[:3]
            for _, lam in shown:
                missing = missing_names(lam, fields, tags)
                text += f"; expression: {lambda_text(lam)}"
                if missing:
                    text += f" (missing: {', '.join(missing)})"
            text += f"; point: {point_text(name, tags, fields, time_ns)}"
            texts.append(text)
        return texts


def _error_point(msg, kind: str, time_ns: int | None):
    """(fields, tags, time, name) of the point an error was reported for."""
    if kind == "batch":
        for point in msg.points:
            if point.time == time_ns:
                return point.fields, point.tags, point.time, msg.name
        if msg.points:
            point = msg.points[0]
            return point.fields, point.tags, point.time, msg.name
        return {}, msg.tags, msg.tmax, msg.name
    return msg.fields, msg.tags, msg.time, msg.name


@explains("BatchNode")
class BatchExplainer(NodeExplainer):
    """A replayed recording: each batch starts a block, under its query node's name."""

    def __init__(self, watch, tracer):
        super().__init__(watch, tracer)
        watch.node.observe(self)

    def replaying(self, query, batch) -> None:
        self.tracer.begin_block(f"recorded batch for {query.label}: {batch.name} ({group_text(batch)}), "
                                f"{len(batch.points)} point{'s' if len(batch.points) != 1 else ''}, "
                                f"at {show_time(batch.tmax)}")


@explains("QueryNode")
class QueryExplainer(NodeExplainer):
    """Each run of the query starts a block: when, and the query sent; its batches below."""

    def __init__(self, watch, tracer):
        super().__init__(watch, tracer)
        watch.node.observe(self)

    def run_started(self, node, window, plan) -> None:
        from tickpy.influxql import rewrite  # deferred: start-up (stream tasks need no InfluxQL)

        self.tracer.begin_block(f"{node.label} run at {show_time(window.tick)}: {rewrite(plan)}")


@explains("StatsNode")
class StatsExplainer(NodeExplainer):
    """A stats node has no parent edge: it ticks when a point's time reaches its next tick. Its
    tick gets its own line, with what it reports per group, and what it emits is traced under it."""

    def __init__(self, watch, tracer):
        super().__init__(watch, tracer)
        self.watch = watch
        watch.node.observe(self)

    def tick(self, time_ns: int, emit: Callable[[int], None]) -> None:
        tracer = self.tracer
        if not tracer.active:
            emit(time_ns)
            return
        tracer.depth += 1
        tracer.lines.append([tracer.depth, f"{self.watch.label}: {tick_text(self.watch.node, time_ns)}"])
        try:
            emit(time_ns)
        finally:
            tracer.depth -= 1


def tick_text(node, time_ns: int) -> str:
    """What a stats node reports at a tick: the count of points its source emitted so far, per group."""
    groups = node.emitted_counts()
    head = f"tick at {show_time(time_ns)}"
    if not groups:
        return head + ": its source has emitted nothing yet: emitted=0"
    counts = []
    for count, tags, dimensions in groups:
        names = dimensions.tag_names or ()
        where = ",".join(f"{name}={tags.get(name, '')}" for name in names) or "all points"
        counts.append(f"{where}: emitted={count}")
    return head + ": points its source emitted so far, one 'stats' point per group: " + "; ".join(counts)


@explains("DerivativeNode")
class DerivativeExplainer(NodeExplainer):
    """Says why nothing was passed on (the group's first point, a negative change dropped)
    and the rate it computed."""

    def before(self, watch, msg, kind):
        previous = watch.node.previous.get(msg.group)
        return super().before(watch, msg, kind), previous

    def after(self, watch, msg, kind, before) -> str:
        counters, previous = before
        if kind != "point":
            return super().after(watch, msg, kind, counters)
        node = watch.node
        errors = self.error_texts(watch, msg, kind, counters[3])
        if errors:
            return "; ".join(errors) + "; dropped"
        field = node.field
        value = msg.fields.get(field)
        if previous is None:
            return (f"first point of {group_text(msg)} ({field}={show_value(value)}): nothing to compare it with "
                    f"yet, so nothing passed on")
        if node.points_out > counters[0]:
            try:
                rate = (value - previous[1]) / ((msg.time - previous[0]) / node.unit)
                return (f"passed on: {node.as_name}={show_value(float(rate))} "
                        f"(({show_value(value)} - {show_value(previous[1])}) per {show_duration(node.unit)}, "
                        f"since {show_time(previous[0])})")
            except (TypeError, ZeroDivisionError):
                return "passed on"
        if node.non_negative:
            return (f"nothing passed on: {field} fell from {show_value(previous[1])} to {show_value(value)}, "
                    f"a negative change (.nonNegative())")
        return "nothing passed on"


@explains("JoinNode")
class JoinExplainer(NodeExplainer):
    """Which (rounded) time sets were emitted, and which wait for which parent."""

    def __init__(self, watch, tracer):
        super().__init__(watch, tracer)
        self.parents = [parent.label for parent in watch.spec.parents]
        self.emitted: list[tuple[int, list[bool]]] = []
        self.recording = False
        watch.node.observe(self)

    def set_emitted(self, time_ns: int, present: list[bool]) -> None:
        if self.recording:
            self.emitted.append((time_ns, present))

    def before(self, watch, msg, kind):
        self.emitted.clear()
        self.recording = True
        return super().before(watch, msg, kind)

    def after(self, watch, msg, kind, before) -> str:
        self.recording = False
        node = watch.node
        text = super().after(watch, msg, kind, before)
        tolerance = node.tolerance
        rounded = f" (rounded to {show_duration(tolerance)})" if tolerance else ""
        parts = []
        if text and text != "nothing passed on":
            parts.append(text)
        for time_ns, present in self.emitted:
            missing = [label for label, here in zip(self.parents, present) if not here]
            if not missing:
                parts.append(f"joined the set at {show_time(time_ns)}{rounded}")
            elif node.fill == NO_FILL:
                parts.append(f"set at {show_time(time_ns)}{rounded} dropped: no point from {', '.join(missing)} "
                             "(inner join, no .fill())")
            else:
                fill = "null" if node.fill_value is None else repr(node.fill_value)
                parts.append(f"set at {show_time(time_ns)}{rounded} emitted without {', '.join(missing)}: "
                             f"its fields filled with {fill}")
        for time_ns, present in node.waiting_sets(msg.group):
            missing = [label for label, here in zip(self.parents, present) if not here]
            if missing:
                parts.append(f"waiting for {', '.join(missing)} at {show_time(time_ns)}{rounded}")
        return "; ".join(parts) or "nothing passed on"


@explains("FromNode")
class FromExplainer(NodeExplainer):
    def __init__(self, watch, tracer):
        super().__init__(watch, tracer)
        spec = watch.spec
        self.measurement = _property(spec, "measurement", "")
        self.database = _property(spec, "database", "")
        self.retention_policy = _property(spec, "retentionPolicy", "")
        self.where = _property(spec, "where", None)
        group_by = spec.last("groupBy")
        self.group_by = [a for a in (group_by.args if group_by is not None else []) if isinstance(a, str)]
        self.group_all = group_by is not None and any(not isinstance(a, str) for a in group_by.args)

    def after(self, watch, msg, kind, before) -> str:
        node = watch.node
        selected = node.points_out > before[0]
        errors = self.error_texts(watch, msg, kind, before[3])
        if errors:
            return "; ".join(errors) + "; dropped"
        if selected:
            text = "selected"
            reasons = []
            if self.measurement:
                reasons.append(f"measurement {show_value(self.measurement)}")
            if self.where is not None:
                reasons.append(f"where {lambda_text(self.where)} is true ({referenced_values(self.where, msg.fields, msg.tags)})")
            text += f" ({'; '.join(reasons)})" if reasons else ""
            if self.group_all:
                text += "; group: every tag"
            elif self.group_by:
                text += "; group " + ",".join(f"{name}={msg.tags.get(name, '')}" for name in sorted(self.group_by))
            return text
        if self.measurement and msg.name != self.measurement:
            return f"dropped: measurement {show_value(msg.name)} is not {show_value(self.measurement)}"
        database = msg.database or node.ctx.database
        retention_policy = msg.retention_policy or node.ctx.retention_policy
        if (self.database and database != self.database) or (
            self.retention_policy and retention_policy != self.retention_policy
        ):
            return (f"dropped: written to {database}.{retention_policy}, not "
                    f"{self.database or '*'}.{self.retention_policy or '*'}")
        if self.where is not None:
            return (f"dropped by where: {lambda_text(self.where)} is false "
                    f"({referenced_values(self.where, msg.fields, msg.tags)})")
        return "dropped"


@explains("WhereNode")
class WhereExplainer(NodeExplainer):
    def after(self, watch, msg, kind, before) -> str:
        if kind == "batch":
            return super().after(watch, msg, kind, before)
        node = watch.node
        errors = self.error_texts(watch, msg, kind, before[3])
        if errors:
            return "; ".join(errors) + "; dropped"
        expression = self.spec.args[0]
        values = referenced_values(expression, msg.fields, msg.tags)
        if node.points_out > before[0]:
            return f"passed: {lambda_text(expression)} is true ({values})"
        return f"dropped: {lambda_text(expression)} is false ({values})"


@explains("WindowNode")
class WindowExplainer(NodeExplainer):
    def after(self, watch, msg, kind, before) -> str:
        if kind != "point":
            return super().after(watch, msg, kind, before)
        node = watch.node
        emitted = node.batches_out - before[1]
        buffered, next_emit = node.pending(msg.group)
        text = ""
        if emitted:
            text = f"window closed: emitted {emitted} batch{'es' if emitted != 1 else ''}; "
        text += f"buffered ({buffered} point{'s' if buffered != 1 else ''} in the window of {group_text(msg)}"
        if next_emit is not None:
            text += f", next emit at {show_time(next_emit)}"
        return text + ")"


@explains("UDFNode")
class UDFExplainer(NodeExplainer):
    """What went to the UDF and what came back (UDFNode.observe): its points, batch begins and
    ends, errors. The keepalive tickpy sends after each message (to know the UDF is done with
    it) is not shown."""

    def __init__(self, watch, tracer):
        super().__init__(watch, tracer)
        self.exchanged_messages: list[tuple[str, str, Any]] = []
        self.recording = False
        watch.node.observe(self)

    def exchanged(self, direction: str, kind: str, message) -> None:
        if self.recording and kind != "keepalive":
            self.exchanged_messages.append((direction, kind, message))

    def before(self, watch, msg, kind):
        self.exchanged_messages.clear()
        self.recording = True
        return super().before(watch, msg, kind)

    def after(self, watch, msg, kind, before) -> str:
        self.recording = False
        parts = [f"{direction} {udf_message_text(what, message)}" for direction, what, message in self.exchanged_messages]
        text = super().after(watch, msg, kind, before)
        if text:
            parts.append(text)
        return "; ".join(parts)


def udf_message_text(kind: str, message) -> str:
    """A message to or from a UDF: an agent's udf.proto message (a dict) or a Python UDF's object."""
    if isinstance(message, dict):
        if kind == "point":
            fields: dict[str, Any] = {}
            for key in ("fieldsString", "fieldsInt", "fieldsDouble", "fieldsBool"):
                fields.update(message.get(key, {}))
            return "point " + point_text(message.get("name", ""), message.get("tags", {}), fields, message.get("time", 0))
        if kind in ("begin", "end"):
            where = message.get("group", "") or "nil"
            extra = f", {message['size']} points" if kind == "begin" and message.get("size") else ""
            when = f" at {show_time(message.get('tmax', 0))}" if kind == "end" else ""
            return f"{kind} batch {message.get('name', '')} (group {where}{extra}){when}"
        if kind == "error":
            return f"error: {message.get('error', '')}"
        return kind
    own_fields = getattr(message, "fields", None)
    if own_fields is not None and hasattr(message, "time"):
        return f"{kind} " + point_text(getattr(message, "name", ""), getattr(message, "tags", {}), own_fields,
                                       message.time)
    return kind if message is None else f"{kind} {message!r}"


@explains("AlertNode")
class AlertExplainer(NodeExplainer):
    """Each level expression's result (the node reports them: AlertNode.observe), the
    resulting level, and whether an event was sent or why not."""

    def __init__(self, watch, tracer):
        super().__init__(watch, tracer)
        self.results: list[tuple[int, bool, Any, Any, Any, int]] = []
        self.recording = False
        self.expressions: dict[tuple[int, bool], Any] = {}
        spec = watch.spec
        for level, name in LEVEL_PROPERTIES.items():
            call = spec.last(name)
            if call is not None and call.args:
                self.expressions[(level, False)] = call.args[0]
            reset = spec.last(name + "Reset")
            if reset is not None and reset.args:
                self.expressions[(level, True)] = reset.args[0]
        watch.node.observe(self)

    def level_evaluated(self, level: int, reset: bool, result, fields, tags, time: int) -> None:
        if self.recording:
            self.results.append((level, reset, result, fields, tags, time))

    def before(self, watch, msg, kind):
        self.results.clear()
        self.recording = True
        return super().before(watch, msg, kind), probes.alert_snapshot(watch.node, msg)

    def after(self, watch, msg, kind, before) -> str:
        self.recording = False
        counters, snapshot = before
        node = watch.node
        reason, detail = probes.alert_outcome(node, msg, snapshot)
        watch.count_outcome(reason)
        parts = []
        if kind == "batch":
            parts.append(f"batch of {len(msg.points)} points at {show_time(msg.tmax)} ({group_text(msg)})")
        state = node.states.get(msg.group)
        was = LEVEL_NAMES[snapshot.level]
        restored = state.restored_from if state is not None and snapshot.new_group else None
        if restored is not None:
            event_id, restored_level, restored_time = restored
            was = LEVEL_NAMES[restored_level]
            parts.append(f"new group: state restored from the last event of id {show_value(event_id)} ({was}, "
                         f"triggered {show_time(restored_time)}): Kapacitor starts a group from the last event "
                         f"stored for its id")
        parts.extend(self._level_texts(kind, msg))
        if state is not None and reason != probes.EMPTY:  # (an empty batch makes a group, evaluates nothing)
            level = state.history[state.idx]
            text = (f"level {LEVEL_NAMES[level]} (was {was})" if LEVEL_NAMES[level] != was
                    else f"level {LEVEL_NAMES[level]} (unchanged)")
            if level == 0 and was != "OK" and any(isinstance(r[2], Exception) for r in self.results):
                text += " (an expression that fails counts as false: a missing field can recover an alert)"
            parts.append(text)
        other_errors = [e for e in node.ctx.node_errors[counters[3]:]
                        if e.node == watch.label and not e.message.startswith(probes.LEVEL_ERROR_PREFIXES)]
        parts.append(self._outcome_text(node, reason, detail, other_errors))
        return "; ".join(parts)

    def _level_texts(self, kind: str, msg) -> list[str]:
        if kind == "batch":
            return self._batch_level_texts()
        texts = []
        previous = None
        for level, reset, value, fields, tags, time in self.results:
            # The current level's expression is evaluated twice when it no longer holds
            # (Kapacitor's order): show it once, saying so (an error is counted each time).
            key = (level, reset, repr(value))
            if key == previous:
                texts[-1] += (f" [evaluated again: Kapacitor checks the levels above the current one, then from the "
                              f"current level {LEVEL_NAMES[level]} down"
                              + ("; an error counts as false, and as one more node error]" if isinstance(value, Exception)
                                 else "]"))
                continue
            previous = key
            expression = self.expressions.get((level, reset))
            name = LEVEL_NAMES[level] + (" reset" if reset else "")
            shown = lambda_text(expression) if expression is not None else "?"
            values = referenced_values(expression, fields, tags) if expression is not None else ""
            if isinstance(value, Exception):
                missing = missing_names(expression, fields, tags) if expression is not None else []
                text = f"{name} {shown} -> error: {value}"
                if missing:
                    text += f" (missing: {', '.join(missing)})"
                text += f"; point: {point_text(msg.name, tags, fields, time)}"
            else:
                text = f"{name} {shown} -> {show_value(value)}" + (f" ({values})" if values else "")
            texts.append(text)
        return texts

    def _batch_level_texts(self) -> list[str]:
        tally: dict[tuple[int, bool], list[int]] = {}
        first_error: dict[tuple[int, bool], Exception] = {}
        seen: set = set()
        for level, reset, value, fields, _tags, time in self.results:
            # A point's current level is evaluated twice when it no longer holds: count it once.
            if (level, reset, time, id(fields)) in seen:
                continue
            seen.add((level, reset, time, id(fields)))
            counts = tally.setdefault((level, reset), [0, 0, 0])
            if isinstance(value, Exception):
                counts[2] += 1
                first_error.setdefault((level, reset), value)
            elif value:
                counts[0] += 1
            else:
                counts[1] += 1
        texts = []
        for (level, reset), (true, false, errors) in tally.items():
            expression = self.expressions.get((level, reset))
            shown = lambda_text(expression) if expression is not None else "?"
            total = true + false + errors
            text = f"{LEVEL_NAMES[level]}{' reset' if reset else ''} {shown} -> true for {true} of {total} points"
            if errors:
                text += f", error for {errors} (first: {first_error[(level, reset)]})"
            texts.append(text)
        return texts

    def _outcome_text(self, node, reason: str, detail, other_errors) -> str:
        if reason == probes.SENT:
            # Raised and handed over; delivery runs later on each handler's own thread, and
            # may fail: its result is reported after this block and in the summary.
            event = detail
            handlers = [f".{h.kind}()" for h in self.spec.handlers]
            handlers += [f".{kind}() (global in --config)" for kind in node.global_handler_kinds]
            target = ""
            if handlers:
                count = len(handlers)
                target = f"; handed to {count} handler{'s' if count != 1 else ''}: {', '.join(handlers)}"
            if node.topic:
                target += f"; published to topic {show_value(node.topic)}"
            if handlers or node.topic:
                target += (" (delivery runs on each handler's own thread: a failure or capture is reported after "
                           "this block, every outcome in the summary)")
            else:
                target = "; no handler"
            if event is None:
                return f"event raised{target}"
            return f"event raised: {event.level} (previous {event.previous_level}), id {show_value(event.id)}{target}"
        if reason == probes.QUIET_OK:
            return "no event: OK without a previous problem"
        if reason == probes.SUPPRESSED_FLAPPING:
            return (f"no event: flapping (state changes weigh {detail:.0%} of the last {node.history} levels, "
                    f"over the .flapping() high threshold {node.flap_high:.0%}, not yet under low {node.flap_low:.0%})")
        if reason == probes.SUPPRESSED_STATE_CHANGES_ONLY:
            text = f"no event: no state change under stateChangesOnly (still {LEVEL_NAMES[detail]})"
            forced_by = node.state_changes_only_from
            if forced_by and self.spec.last("stateChangesOnly") is None:
                text += f" (made stateChangesOnly by the global --config [{'], ['.join(forced_by)}])"
            if node.state_changes_duration:
                text += f"; it is sent again {show_duration(node.state_changes_duration)} after the last event"
            return text
        if reason == probes.SUPPRESSED_NO_RECOVERIES:
            return "no event: recovery not sent (noRecoveries)"
        if reason == probes.INHIBITED:
            return f"no event: inhibited (category {show_value(detail)} is inhibited by another alert)"
        if reason == probes.FAILED:
            messages = "; ".join(e.message for e in other_errors) or "see the node errors"
            return f"no event: {messages}"
        if reason == probes.EMPTY:
            return "no event: empty batch"
        return "no event"


def show_duration(nanoseconds: int) -> str:
    return format_go_duration(nanoseconds)


def _property(spec, name: str, default):
    call = spec.last(name)
    if call is None:
        return default
    return call.args[0] if call.args else True


def compile_filter(text: str) -> Callable[[Any], bool]:
    """The --trace-filter lambda (what follows `lambda:`) as a test on input points: true
    when it evaluates to true; a point it cannot be evaluated on (a missing field) is not traced.
    Raises TickpyError for an expression that does not parse or compile."""

    source = text.strip()
    if source.startswith("lambda:"):
        source = source[len("lambda:"):]
    compiled = compile_lambda(parse_lambda_expression(source), mode="predicate")
    evaluate = compiled.new_evaluator().evaluate

    def matches(point) -> bool:
        try:
            return bool(evaluate(point.fields, point.tags, point.time))
        except Exception:
            return False

    return matches


__all__ = ["Tracer", "compile_filter", "explainer_for", "point_text", "show_value"]

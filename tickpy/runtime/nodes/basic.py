"""Stream entry and per-point transform nodes: stream, from, where, eval, default, delete,
groupBy, noOp and log — with Kapacitor's behaviour (stream.go, where.go, eval.go, default.go,
delete.go, group_by.go, noop.go, log.go)."""

from __future__ import annotations

import sys
from typing import Any

from tickpy.golang.goformat import format_float_f
from tickpy.golang.gotime import format_time_rfc3339nano, time_round, time_truncate
from tickpy.golang.gotypes import go_type_name
from tickpy.lang.values import StarValue
from tickpy.runtime.messages import BatchMessage, BatchPoint, Dimensions, LazyFields, PointMessage, group_id
from tickpy.runtime.nodes.base import PerGroup, RuntimeNode, logfmt_string, register
from tickpy.runtime.point import Point
from tickpy.syntax import ast


def _and_lambdas(first, second):
    """`first AND second`, as FromNode.Where combines a second call."""
    expression = ast.Binary(span=second.span, operator="AND", left=first.expression, right=second.expression)
    return ast.Lambda(span=first.span, expression=expression)


def lambda_error_text(error: Exception) -> str:
    return str(error) or type(error).__name__


def split_dimensions(args: list[Any]) -> tuple[bool, tuple[str, ...]]:
    """(all tags?, sorted explicit tag names) of groupBy arguments, as determineTagNames."""
    all_tags = False
    names = []
    for arg in args:
        if isinstance(arg, StarValue):
            all_tags = True
        elif isinstance(arg, str):
            names.append(arg)
        elif isinstance(arg, (list, tuple)):
            for item in arg:
                if isinstance(item, StarValue):
                    all_tags = True
                elif isinstance(item, str):
                    names.append(item)
    return all_tags, tuple(sorted(names))


# --------------------------------------------------------------------------- stream / from


@register("StreamNode")
class StreamNode(RuntimeNode):
    """The task's root: every point Kapacitor hands the task goes to every `from` child.

    Kapacitor hands a task the points written to its dbrps whose measurement one of its
    `from()` nodes selects (`.measurement()`), all of them when a `from()` selects none; a
    point goes in once for its measurement's from() and once more when a from() selects
    every measurement (task_master.go's forkPoint: one fork per (db, rp, measurement), and
    the empty measurement's). `points_out` (stream0's counters) counts what the task got;
    `ignored_other_dbrps` and `ignored_other_measurements` what it did not.

    The engine calls `ingest(point)` per input point: anything with `name`, `tags`, `fields`
    and `time` (a `tickpy.runtime.point.Point` or a `PointMessage`). Points become messages
    only in a `from` that selects them, so that dropped points cost little (and their lazily
    decoded fields are never decoded)."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.dbrps = {tuple(pair) for pair in ctx.dbrps}
        selected = {_from_measurement(child) for child in spec.children if child.type == "FromNode"}
        self.takes_every_measurement = "" in selected
        self.measurements = frozenset(selected - {""})
        self.ignored_other_dbrps = 0
        self.ignored_other_measurements = 0

    def ingest(self, point) -> None:
        # A task only sees the points written to its dbrps (points with no database are its).
        if point.database and self.dbrps and (point.database, point.retention_policy) not in self.dbrps:
            self.ignored_other_dbrps += 1
            return
        if point.name in self.measurements:
            self.handed_in(point)
            if not self.takes_every_measurement:
                return
        elif not self.takes_every_measurement:
            self.ignored_other_measurements += 1
            return
        self.handed_in(point)

    def handed_in(self, point) -> None:
        self.points_out += 1
        for child in self.children:
            child.ingest(point)

    def fast_ingest(self):
        """The function the engine calls per point: with a single `from` and no dbrp to check,
        that from's own ingest (it drops the measurements it does not select itself, counting
        them; `count_fast_ingested` sets points_out at the end)."""
        if self.ctx.shared.get("time_listeners") and not self.ctx.wall_clock_ticks:
            return self.ingest_with_clock
        if len(self.children) == 1 and not self.dbrps and isinstance(self.children[0], FromNode):
            return self.children[0].ingest
        return self.ingest

    def count_fast_ingested(self, count: int) -> None:
        """`count` more points went straight to the single from (see fast_ingest)."""
        ignored = self.children[0].other_measurements - self.ignored_other_measurements
        self.ignored_other_measurements += ignored
        self.points_out += count - ignored

    def ignored_reason(self, point) -> str | None:
        """Why the task is not handed `point` (for the trace), None when it is."""
        if point.database and self.dbrps and (point.database, point.retention_policy) not in self.dbrps:
            return "the point is not written to the task's database and retention policy"
        if not self.takes_every_measurement and point.name not in self.measurements:
            if not self.measurements:
                return "the task has no from(): Kapacitor hands it no point"
            shown = ", ".join(repr(name) for name in sorted(self.measurements))
            return (f"Kapacitor hands the task only the measurements its from() nodes select ({shown}), "
                    f"not {point.name!r}")
        return None

    def ingest_with_clock(self, point) -> None:
        """`ingest`, telling the nodes that run on event time (stats) how far it got first."""
        if point.database and self.dbrps and (point.database, point.retention_policy) not in self.dbrps:
            self.ignored_other_dbrps += 1
            return
        time = point.time
        for listener in self.ctx.shared["time_listeners"]:
            listener.advance(time)
        self.ingest(point)

    def point(self, msg: PointMessage) -> None:
        self.ingest(msg)


def _from_measurement(spec) -> str:
    call = spec.last("measurement")
    return str(call.args[0]) if call is not None and call.args else ""


@register("FromNode")
class FromNode(RuntimeNode):
    """Selects points by database, retention policy, measurement and where lambda, sets the
    group (groupBy tags or `*`, groupByMeasurement) and truncates/rounds times."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.database = self.property_value("database", "") or ""
        self.retention_policy = self.property_value("retentionPolicy", "") or ""
        self.measurement = self.property_value("measurement", "") or ""
        self.truncate_ns = self.duration_property("truncate", 0)
        self.round_ns = self.duration_property("round", 0)
        group_args = self.property_args("groupBy") or []
        self.all_dimensions, self.tag_names = split_dimensions(group_args)
        self.by_name = bool(self.property_value("groupByMeasurement", False))
        self.dimensions = Dimensions(self.by_name, self.tag_names)
        wheres = [call.args[0] for call in self.spec.all("where") if call.args]
        where = wheres[0] if wheres else None
        for extra in wheres[1:]:  # Kapacitor ANDs repeated .where() calls
            where = _and_lambdas(where, extra)
        # Kapacitor evaluates from's where with one expression state for all groups.
        self.where = self.compile_lambda(where).new_evaluator().evaluate if where is not None else None
        self.filters_dbrp = bool(self.database or self.retention_policy)
        # Points of another measurement dropped here: when the engine gives this from every
        # point (StreamNode.fast_ingest), these are the ones Kapacitor never hands the task.
        self.other_measurements = 0
        if not (where is not None or self.truncate_ns or self.round_ns or self.filters_dbrp
                or self.all_dimensions or self.by_name):
            self.ingest = self._simple_ingest()

    def _simple_ingest(self):
        """The common case on the hot path (measurement and groupBy tags only), as a closure."""
        measurement = self.measurement
        dimensions = self.dimensions
        grouped = bool(dimensions.tag_names)
        children = self.children  # filled in by the engine after construction
        task_database, task_retention_policy = self.ctx.database, self.ctx.retention_policy
        node = self
        # The line-protocol reader gives the points of one series the same tags dict: the
        # group id is computed once per dict (kept with it, so its id cannot be reused).
        # (Not grouped by measurement here, so the name plays no part.)
        groups_by_tags: dict[int, tuple[dict, str]] = {}

        def ingest(point) -> None:
            name = point.name
            if measurement and name != measurement:
                node.other_measurements += 1
                return
            tags = point.tags
            if grouped:
                known = groups_by_tags.get(id(tags))
                if known is not None and known[0] is tags:
                    group = known[1]
                else:
                    group = group_id(name, tags, dimensions)
                    if len(groups_by_tags) >= 100_000:
                        groups_by_tags.clear()
                    groups_by_tags[id(tags)] = (tags, group)
            else:
                group = ""
            msg = PointMessage(
                name, tags, LazyFields(point) if point.__class__ is Point else point.fields, point.time, dimensions,
                group, point.database or task_database, point.retention_policy or task_retention_policy,
            )
            node.points_out += 1
            for child in children:
                child.point(msg)

        return ingest

    def ingest(self, point) -> None:
        name = point.name
        if self.measurement and name != self.measurement:
            self.other_measurements += 1
            return
        if self.filters_dbrp and not self._dbrp_matches(point):
            return
        tags = point.tags
        fields = LazyFields(point) if point.__class__ is Point else point.fields
        time = point.time
        where = self.where
        if where is not None:
            try:
                if not where(fields, tags, time):
                    return
            except Exception as error:  # LambdaRuntimeError and friends: Kapacitor logs, drops
                self.error(f"failed to evaluate WHERE expression: {lambda_error_text(error)}", time)
                return
        if self.truncate_ns:
            time = time_truncate(time, self.truncate_ns)
        if self.round_ns:
            time = time_round(time, self.round_ns)
        if self.all_dimensions:
            dimensions = Dimensions(self.by_name, tuple(sorted(tags)))
        else:
            dimensions = self.dimensions
        msg = PointMessage(
            name, tags, fields, time, dimensions, None,
            point.database or self.ctx.database, point.retention_policy or self.ctx.retention_policy,
        )
        self.points_out += 1
        for child in self.children:
            child.point(msg)

    def _dbrp_matches(self, point) -> bool:
        # A point without a database belongs to the task's (first) dbrp.
        database = point.database or self.ctx.database
        retention_policy = point.retention_policy or self.ctx.retention_policy
        if self.database and database != self.database:
            return False
        if self.retention_policy and retention_policy != self.retention_policy:
            return False
        return True

    def point(self, msg: PointMessage) -> None:
        self.ingest(msg)

    def batch(self, msg: BatchMessage) -> None:
        self.error("from does not support batch data")


# --------------------------------------------------------------------------- where


@register("WhereNode")
class WhereNode(RuntimeNode):
    """Keeps the points (and batch points) for which the lambda is true; state per group."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("evaluators",)  # forgotten on a delete-group message
        self.evaluators = PerGroup(self.compile_lambda(spec.args[0]))

    def point(self, msg: PointMessage) -> None:
        try:
            passed = self.evaluators.get(msg.group).evaluate(msg.fields, msg.tags, msg.time)
        except Exception as error:
            self.error(f"error while evaluating expression: {lambda_error_text(error)}", msg.time)
            return
        if passed:
            self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        evaluate = self.evaluators.get(msg.group).evaluate
        kept = []
        for point in msg.points:
            try:
                if evaluate(point.fields, point.tags, point.time):
                    kept.append(point)
            except Exception as error:
                self.error(f"error while evaluating expression: {lambda_error_text(error)}", point.time)
        out = msg.copy()
        out.points = kept
        self.forward_batch(out)


# --------------------------------------------------------------------------- eval


class _EvalFailed(Exception):
    pass


@register("EvalNode")
class EvalNode(RuntimeNode):
    """Evaluates lambdas into fields (`.as`), optionally tags (`.tags`), keeping the original
    fields with `.keep()` or only some with `.keep(names...)`; `.quiet()` silences errors."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("groups",)  # forgotten on a delete-group message
        self.names = [str(a) for a in (self.property_args("as") or [])]
        lambdas = list(spec.args)
        if len(self.names) != len(lambdas):
            raise self.script_error("must provide one name per expression via the 'As' property")
        self.compiled = [self.compile_lambda(expr, "eval") for expr in lambdas]
        self.tag_names = set(self.property_args("tags") or [])
        keep = self.spec.last("keep")
        self.keep = keep is not None
        self.keep_list = [str(a) for a in keep.args] if keep is not None else []
        self.quiet = self.has("quiet")
        self.groups: dict[str, list] = {}

    def _evaluators(self, group: str) -> list:
        evaluators = self.groups.get(group)
        if evaluators is None:
            evaluators = self.groups[group] = [c.new_evaluator().evaluate for c in self.compiled]
        return evaluators

    def _eval(self, evaluators, fields, tags, time):
        """(new fields, new tags) or raises _EvalFailed with the reason."""
        results: dict[str, Any] = {}
        scope = fields
        for name, evaluate in zip(self.names, evaluators):
            try:
                value = evaluate(scope, tags, time)
            except Exception as error:
                raise _EvalFailed(lambda_error_text(error)) from None
            results[name] = value
            # Later expressions see earlier results; a point field of the same name wins,
            # as Kapacitor refills its scope from the point before each expression.
            scope = {**results, **fields}
        new_tags = tags
        if self.tag_names:
            new_tags = dict(tags)
            for tag in self.tag_names:
                value = results.get(tag)
                if type(value) is not str:
                    type_name = go_type_name(value)
                    raise _EvalFailed(f"result of a tag expression must be of type string, got {type_name}")
                new_tags[tag] = value
        if self.keep:
            if self.keep_list:
                new_fields = {}
                for name in self.keep_list:
                    if name in results:
                        new_fields[name] = results[name]
                    elif name in fields:
                        new_fields[name] = fields[name]
                    else:
                        raise _EvalFailed(f'cannot keep field "{name}", field does not exist')
            else:
                new_fields = dict(fields)
                new_fields.update(results)
        else:
            new_fields = {name: value for name, value in results.items() if name not in self.tag_names}
        return new_fields, new_tags

    def _failed(self, reason: str, time: int) -> None:
        if self.quiet:
            self.errors += 1
        else:
            self.error(f"error evaluating expression: {reason}", time)

    def point(self, msg: PointMessage) -> None:
        try:
            fields, tags = self._eval(self._evaluators(msg.group), msg.fields, msg.tags, msg.time)
        except _EvalFailed as failure:
            self._failed(str(failure), msg.time)
            return
        self.forward_point(msg.with_values(fields, tags))

    def batch(self, msg: BatchMessage) -> None:
        evaluators = self._evaluators(msg.group)
        points = []
        for point in msg.points:
            try:
                fields, tags = self._eval(evaluators, point.fields, point.tags, point.time)
            except _EvalFailed as failure:
                self._failed(str(failure), point.time)
                continue
            points.append(BatchPoint(point.time, fields, tags))
        out = msg.copy()
        out.points = points
        self.forward_batch(out)


# --------------------------------------------------------------------------- default / delete


@register("DefaultNode")
class DefaultNode(RuntimeNode):
    """Sets fields that are missing and tags that are missing or empty."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.field_defaults: dict[str, Any] = {}
        self.tag_defaults: dict[str, str] = {}
        for call in spec.properties:
            if call.name == "field" and len(call.args) == 2:
                self.field_defaults[call.args[0]] = call.args[1]
            elif call.name == "tag" and len(call.args) == 2:
                self.tag_defaults[call.args[0]] = call.args[1]
        self.fields_defaulted = 0
        self.tags_defaulted = 0

    def _defaults(self, fields, tags):
        new_fields = fields
        for name, value in self.field_defaults.items():
            if fields.get(name) is None:
                if new_fields is fields:
                    new_fields = dict(fields)
                new_fields[name] = value
                self.fields_defaulted += 1
        new_tags = tags
        for name, value in self.tag_defaults.items():
            if not tags.get(name):
                if new_tags is tags:
                    new_tags = dict(tags)
                new_tags[name] = value
                self.tags_defaulted += 1
        return new_fields, new_tags

    def point(self, msg: PointMessage) -> None:
        fields, tags = self._defaults(msg.fields, msg.tags)
        if fields is msg.fields and tags is msg.tags:
            self.forward_point(msg)
            return
        self.forward_point(msg.with_values(fields, tags))

    def batch(self, msg: BatchMessage) -> None:
        _, batch_tags = self._defaults({}, msg.tags)
        points = []
        for point in msg.points:
            fields, tags = self._defaults(point.fields, point.tags)
            points.append(BatchPoint(point.time, fields, tags))
        dimensions = msg.dimensions
        if batch_tags is not msg.tags:  # a begin-batch's SetTags makes every tag a dimension
            dimensions = Dimensions(dimensions.by_name, tuple(sorted(batch_tags)))
        self.forward_batch(BatchMessage(msg.name, batch_tags, dimensions, msg.tmax, points))

    def extra_stats(self) -> dict[str, Any]:
        return {"fields_defaulted": self.fields_defaulted, "tags_defaulted": self.tags_defaulted}


@register("DeleteNode")
class DeleteNode(RuntimeNode):
    """Removes fields and tags (and a deleted tag from the group's dimensions)."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.field_names = [c.args[0] for c in spec.properties if c.name == "field" and c.args]
        self.tag_names = [c.args[0] for c in spec.properties if c.name == "tag" and c.args]
        self.tag_set = set(self.tag_names)
        self.fields_deleted = 0
        self.tags_deleted = 0

    def _delete(self, fields, tags):
        new_fields = fields
        for name in self.field_names:
            if name in new_fields:
                if new_fields is fields:
                    new_fields = dict(fields)
                del new_fields[name]
                self.fields_deleted += 1
        new_tags = tags
        for name in self.tag_names:
            if name in new_tags:
                if new_tags is tags:
                    new_tags = dict(tags)
                del new_tags[name]
                self.tags_deleted += 1
        return new_fields, new_tags

    def point(self, msg: PointMessage) -> None:
        fields, tags = self._delete(msg.fields, msg.tags)
        out = msg.copy()
        out.fields = fields
        out.tags = tags
        dimensions = msg.dimensions
        if any(tag in self.tag_set for tag in dimensions.tag_names):
            dimensions = Dimensions(
                dimensions.by_name, tuple(t for t in dimensions.tag_names if t not in self.tag_set)
            )
        out.dimensions = dimensions
        out.group = group_id(out.name, tags, dimensions)
        self.forward_point(out)

    def batch(self, msg: BatchMessage) -> None:
        _, batch_tags = self._delete({}, msg.tags)
        points = []
        for point in msg.points:
            fields, tags = self._delete(point.fields, point.tags)
            points.append(BatchPoint(point.time, fields, tags))
        # Kapacitor's SetTags on a begin-batch message makes every remaining tag a dimension.
        dimensions = Dimensions(msg.dimensions.by_name, tuple(sorted(batch_tags)))
        self.forward_batch(BatchMessage(msg.name, batch_tags, dimensions, msg.tmax, points))

    def extra_stats(self) -> dict[str, Any]:
        return {"fields_deleted": self.fields_deleted, "tags_deleted": self.tags_deleted}


# --------------------------------------------------------------------------- groupBy


@register("GroupByNode")
class GroupByNode(RuntimeNode):
    """Regroups points by tags (or `*`, minus `.exclude(...)`), `.byMeasurement()`.

    Batches are regrouped point by point; the regrouped batches of one incoming tmax are
    emitted when a batch with a different tmax arrives (as Kapacitor does), and at the end
    with `--flush`."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("pending",)  # forgotten on a delete-group message
        self.excluded = tuple(str(a) for a in (self.property_args("exclude") or []))
        all_tags, names = split_dimensions(list(spec.args))
        self.all_dimensions = all_tags
        self.tag_names = tuple(t for t in names if t not in self.excluded)
        self.by_name = bool(self.property_value("byMeasurement", False))
        self.pending: dict[str, BatchMessage] = {}
        self.last_tmax: int | None = None

    def _tag_names(self, tags) -> tuple[str, ...]:
        if self.all_dimensions:
            return tuple(t for t in sorted(tags) if t not in self.excluded)
        return self.tag_names

    def point(self, msg: PointMessage) -> None:
        out = msg.copy()
        out.set_dimensions(Dimensions(msg.dimensions.by_name or self.by_name, self._tag_names(msg.tags)))
        self.forward_point(out)

    def batch(self, msg: BatchMessage) -> None:
        self._emit_before(msg.tmax)
        by_name = msg.dimensions.by_name or self.by_name
        for point in msg.points:
            dimensions = Dimensions(by_name, self._tag_names(point.tags))
            group = group_id(msg.name, point.tags, dimensions)
            pending = self.pending.get(group)
            if pending is None:
                tags = {t: point.tags.get(t, "") for t in dimensions.tag_names}
                pending = self.pending[group] = BatchMessage(msg.name, tags, dimensions, msg.tmax, [], group)
            pending.points.append(point)

    def barrier(self, msg) -> None:
        # Kapacitor's groupBy treats a barrier's time as the next batch's: a new time emits
        # the regrouped batches first.
        self._emit_before(msg.time)
        self.forward_barrier(msg)

    def _emit_before(self, tmax: int) -> None:
        if tmax != self.last_tmax:
            self.last_tmax = tmax
            self._emit_all()

    def _emit_all(self) -> None:
        pending, self.pending = self.pending, {}
        for batch in pending.values():
            batch.points.sort(key=lambda p: p.time)
            self.forward_batch(batch)

    def finish(self) -> None:
        if self.ctx.flush_at_end:
            self._emit_all()


# --------------------------------------------------------------------------- trickle


@register("TrickleNode")
class TrickleNode(RuntimeNode):
    """Turns each batch into its points, one stream point each (with the batch's name and
    dimensions, the batch point's tags). Like Kapacitor, only the first child is fed."""

    def batch(self, msg: BatchMessage) -> None:
        children = self.children[:1]
        for point in msg.points:
            out = PointMessage(msg.name, point.tags, point.fields, point.time, msg.dimensions)
            self.points_out += 1
            for child in children:
                child.point(out)

    def point(self, msg: PointMessage) -> None:
        self.points_out += 1
        for child in self.children[:1]:
            child.point(msg)


# --------------------------------------------------------------------------- noOp, log


@register("NoOpNode")
class NoOpNode(RuntimeNode):
    pass


@register("LogNode")
class LogNode(RuntimeNode):
    """Logs every point/batch to stderr in Kapacitor's logfmt, then passes it on."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.level = str(self.property_value("level", "INFO")).upper()
        self.prefix = str(self.property_value("prefix", ""))
        self._head_level = {"ERROR": "error", "DEBUG": "debug"}.get(self.level, "info")

    def write(self, line: str) -> None:
        # The sink is read per line: an observer may wrap `ctx.log_sink` after the node is built.
        (self.ctx.log_sink or write_stderr_line)(line)

    def _line(self, msg_text: str, pairs: list[tuple[str, Any]]) -> str:
        parts = [
            f"ts={_log_time(self.ctx.clock())}",
            f"lvl={self._head_level}",
            f"msg={_logfmt_value(msg_text)}",
            "service=kapacitor",
            "task_master=main",
            f"task={_logfmt_value(self.ctx.task_name)}",
            f"node={self.label}",
        ]
        parts.extend(f"{key}={_logfmt_value(value)}" for key, value in pairs)
        return " ".join(parts)

    def point(self, msg: PointMessage) -> None:
        pairs: list[tuple[str, Any]] = [
            ("prefix", self.prefix),
            ("name", msg.name),
            ("db", msg.database),
            ("rp", msg.retention_policy),
            ("group", msg.group),
        ]
        pairs.extend((f"dimension_{i}", name) for i, name in enumerate(msg.dimensions.tag_names))
        pairs.extend((f"tag_{k}", v) for k, v in sorted(msg.tags.items()))
        pairs.extend((f"field_{k}", v) for k, v in sorted(msg.fields.items()))
        pairs.append(("time", format_time_rfc3339nano(msg.time)))
        self.write(self._line("point", pairs))
        self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        head = [("prefix", self.prefix), ("name", msg.name), ("group", msg.group)]
        begin = head + [(f"tag_{k}", v) for k, v in sorted(msg.tags.items())]
        begin.append(("time", format_time_rfc3339nano(msg.tmax)))
        self.write(self._line("begin batch", begin))
        for point in msg.points:
            pairs = head + [(f"tag_{k}", v) for k, v in sorted(point.tags.items())]
            pairs.extend((f"field_{k}", v) for k, v in sorted(point.fields.items()))
            pairs.append(("time", format_time_rfc3339nano(point.time)))
            self.write(self._line("batch point", pairs))
        self.write(self._line("end batch", begin))
        self.forward_batch(msg)


def write_stderr_line(text: str) -> None:
    """Where log nodes write without a `ctx.log_sink`."""
    sys.stderr.write(text + "\n")


def _log_time(ns: int) -> str:
    """RFC3339 with milliseconds, as Kapacitor's logger stamps lines."""
    text = format_time_rfc3339nano(ns - ns % 1_000_000)
    date_part, _, rest = text.partition("T")
    clock = rest.rstrip("Z")
    seconds, _, fraction = clock.partition(".")
    return f"{date_part}T{seconds}.{(fraction + '000')[:3]}Z"


def _logfmt_value(value: Any) -> str:
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return logfmt_string(format_float_f(value))
    return logfmt_string(str(value))


__all__ = [
    "DefaultNode",
    "DeleteNode",
    "EvalNode",
    "FromNode",
    "GroupByNode",
    "LogNode",
    "NoOpNode",
    "StreamNode",
    "TrickleNode",
    "WhereNode",
    "split_dimensions",
    "write_stderr_line",
]

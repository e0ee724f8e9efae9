"""InfluxQL function nodes (Kapacitor's influxql.go with InfluxDB's reducers, see
`tickpy.runtime.aggregates`): count, distinct, mean, median, mode, spread, sum, first, last,
min, max, percentile, top, bottom, stddev, elapsed, difference, movingAverage, cumulativeSum.

Per group:
- a batch is reduced as a whole; the result takes the batch's time (or, with
  `.usePointTimes()`, the selected point's time where the function has one);
- on a stream, points with the same time are reduced together and the result is emitted when a
  point with another time arrives;
- stream transformations (elapsed, difference, movingAverage, cumulativeSum) emit after every
  point with that point's time; on batches their state restarts with every batch.
"""

from __future__ import annotations

from typing import cast

from tickpy.golang.goformat import go_quote  # Go's %q, as Kapacitor's messages print names
from tickpy.golang.gotypes import GO_TYPE_NAMES, go_type_name
from tickpy.runtime.aggregates import (
    FUNCTIONS,
    HOLT_WINTERS_WITH_FIT,
    FunctionSpec,
    Reducer,
    ReducerTypeError,
)
from tickpy.runtime.messages import BatchMessage, BatchPoint, PointMessage
from tickpy.runtime.nodes.base import RuntimeNode, duration_ns, register

_MISSING = object()


class _Context:
    """Kapacitor's per-group reduce context: name, group, the context time and the reducer."""

    __slots__ = ("name", "tags", "dimensions", "group", "time", "reducer", "kind", "pending")

    def __init__(self, name: str, tags: dict, dimensions, group: str, time: int):
        self.name = name
        self.tags = tags
        self.dimensions = dimensions
        self.group = group
        self.time = time
        self.reducer: Reducer | None = None  # None until realized from the first value's type
        self.kind: type | None = None
        self.pending = False  # stream points reduced but not emitted yet


class InfluxQLNode(RuntimeNode):
    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("contexts",)  # forgotten on a delete-group message
        self.method = spec.name
        self.function: FunctionSpec = FUNCTIONS[self.method]
        args = list(spec.args)
        if self.method in ("top", "bottom"):
            # top(num, field, fieldsAndTags...): only num reaches the reducer
            self.field = args[1] if len(args) > 1 else ""
            self.extra_args = [args[0] if args else 0]
        else:
            self.field = args[0] if args else ""
            self.extra_args = args[1:]
        if self.method == "elapsed":
            self.extra_args = [duration_ns(self.extra_args[0] if self.extra_args else None, 0)]
        if self.method == "holtWinters":
            # holtWinters(field, h, m, interval); holtWintersWithFit builds the same node
            h, m, interval = (self.extra_args + [0, 0, None])[:3]
            self.extra_args = [h, m, duration_ns(interval, 0)]
            if spec.extra.get("includeFitData"):
                self.function = HOLT_WINTERS_WITH_FIT
        self.field = self.property_value("field", self.field)
        self.as_name = self.property_value("as", self.method)
        self.point_times = (
            bool(self.property_value("usePointTimes", False))
            or self.function.stream_transformation
            or self.method == "holtWinters"  # Kapacitor always uses the forecast's times
        )
        self.emits_batches = spec.provides == "batch" or self.function.provides_batch
        self.contexts: dict[str, _Context] = {}

    # ---- reducer set-up and feeding ----

    def _realize(self, context: _Context, fields) -> bool:
        value = fields.get(self.field)
        if value is None and self.field not in fields:
            self.error(f"failed to realize reduce context from fields: field {go_quote(self.field)} missing from point")
            return False
        return self._realize_kind(context, type(value))

    def _realize_kind(self, context: _Context, kind: type) -> bool:
        try:
            context.reducer = self.function.new_reducer(kind, self.extra_args)
        except ReducerTypeError as problem:
            self.error(
                f"failed to realize reduce context from fields: invalid influxql func {self.method} "
                f"with field {self.field}: {problem}"
            )
            return False
        context.kind = kind
        return True

    def _aggregate(self, context: _Context, time: int, fields, source, failed: str = "failed to aggregate point") -> None:
        field = self.field
        value = fields.get(field)
        if value is None and field not in fields:
            self.error(f"{failed}: field {field} missing from point cannot aggregate", time)
            return
        kind = context.kind
        if type(value) is not kind:
            assert kind is not None, "a value is aggregated once its context is realized"
            self.error(
                f"{failed}: field {field} has wrong type: got {go_type_name(value)} "
                f"exp {GO_TYPE_NAMES.get(kind, '?')}",
                time,
            )
            return
        cast(Reducer, context.reducer).add(time, value, source)  # realized: kind is set

    # ---- output ----

    def _result_time(self, context: _Context, time: int | None) -> int:
        if self.point_times and time is not None:
            return time
        return context.time

    def _emit_point(self, context: _Context) -> PointMessage | None:
        results = cast(Reducer, context.reducer).emit()  # only realized contexts emit
        if len(results) != 1:
            return None
        time, value, source = results[0]
        time = self._result_time(context, time)
        if self.function.simple_selector:
            tags = source.tags
            fields = dict(source.fields)
            if self.as_name != self.field:
                fields[self.as_name] = fields.pop(self.field, None)
        else:
            tags = context.tags
            fields = {self.as_name: value}
        return PointMessage(context.name, tags, fields, time, context.dimensions, context.group)

    def _emit_batch(self, context: _Context) -> BatchMessage:
        assert context.reducer is not None, "only realized contexts emit"
        results = context.reducer.emit()
        tmax = context.time
        group_tags = context.tags
        as_name = self.as_name
        points = []
        for time, value, source in results:
            time = self._result_time(context, time)
            if source is not None and source.tags and self.function.provides_batch:
                tags = {**group_tags, **source.tags}
            else:
                tags = group_tags
            points.append(BatchPoint(time, {as_name: value}, tags))
            if time > tmax:
                tmax = time
        return BatchMessage(context.name, group_tags, context.dimensions, tmax, points, context.group)

    def _emit(self, context: _Context) -> None:
        if self.emits_batches:
            self.forward_batch(self._emit_batch(context))
        else:
            out = self._emit_point(context)
            if out is not None:
                self.forward_point(out)

    # ---- input ----

    def _context_for(self, msg) -> _Context:
        context = self.contexts.get(msg.group)
        if context is None:
            tags = msg.group_tags() if isinstance(msg, PointMessage) else msg.tags
            context = self.contexts[msg.group] = _Context(msg.name, tags, msg.dimensions, msg.group, msg.time)
        return context

    def point(self, msg: PointMessage) -> None:
        context = self._context_for(msg)
        if msg.time != context.time:
            # time moved on: the points of the previous time are complete
            if context.reducer is not None:
                self._emit(context)
            context.pending = False
            context.name = msg.name
            context.time = msg.time
            context.reducer = None
        if context.reducer is None and not self._realize(context, msg.fields):
            return
        self._aggregate(context, msg.time, msg.fields, msg)
        context.pending = True

    def finish(self) -> None:
        # Kapacitor never emits the points of the last time; `--flush` does.
        if not self.ctx.flush_at_end:
            return
        for context in self.contexts.values():
            if context.pending and context.reducer is not None:
                context.pending = False
                self._emit(context)

    def batch(self, msg: BatchMessage) -> None:
        context = self._context_for(msg)
        context.time = msg.tmax
        context.reducer = None
        field = self.field
        points = msg.points
        all_values = [point.fields.get(field, _MISSING) for point in points]
        kinds = set(map(type, all_values))
        if len(kinds) == 1 and next(iter(kinds)) in self.function.factories:
            self._realize_kind(context, kinds.pop())
            assert context.reducer is not None, "a kind the function has a factory for realizes"
            # the common case: every point has the field, all of one type
            context.reducer.add_all(all_values, points)
            self._emit(context)
            return
        size = 0
        kind = None
        values: list = []
        sources: list = []
        for point in points:
            value = point.fields.get(field, _MISSING)
            if kind is None:
                if value is _MISSING:
                    self.error(f"failed to realize reduce context from fields: field {go_quote(field)} missing from point")
                    continue
                if not self._realize_kind(context, type(value)):
                    continue
                kind = context.kind
            size += 1
            if type(value) is kind:
                values.append(value)
                sources.append(point)
            else:
                # reports why not, in Kapacitor's words for a batch
                self._aggregate(context, point.time, point.fields, point, "failed to aggregate point in batch")
        if values:
            assert context.reducer is not None, "values are kept once the context is realized"
            context.reducer.add_all(values, sources)
        if size == 0 and not self.function.empty_ok:
            return
        if context.reducer is None:
            self._realize_kind(context, float)  # no data: Kapacitor assumes float
        self._emit(context)


class StreamTransformationNode(InfluxQLNode):
    """elapsed, difference, movingAverage, cumulativeSum: a result after every point."""

    def finish(self) -> None:
        pass  # nothing is ever held back

    def _emit_one(self, context: _Context):
        results = cast(Reducer, context.reducer).emit()  # only realized contexts emit
        if len(results) != 1:
            return None
        time, value, _ = results[0]
        return self._result_time(context, time), value

    def point(self, msg: PointMessage) -> None:
        context = self._context_for(msg)
        if context.reducer is None and not self._realize(context, msg.fields):
            return
        # Kapacitor emits even when this point could not be aggregated (the last result repeats).
        self._aggregate(context, msg.time, msg.fields, msg)
        result = self._emit_one(context)
        if result is not None:
            time, value = result
            self.forward_point(
                PointMessage(context.name, context.tags, {self.as_name: value}, time, context.dimensions, context.group)
            )

    def batch(self, msg: BatchMessage) -> None:
        context = self._context_for(msg)
        context.time = msg.tmax
        context.reducer = None
        points = []
        tags = context.tags
        for point in msg.points:
            if context.reducer is None and not self._realize(context, point.fields):
                continue
            self._aggregate(context, point.time, point.fields, point)
            result = self._emit_one(context)
            if result is not None:
                time, value = result
                points.append(BatchPoint(time, {self.as_name: value}, tags))
        self.forward_batch(BatchMessage(msg.name, msg.tags, msg.dimensions, msg.tmax, points, msg.group))


for _name, _function in FUNCTIONS.items():
    register("InfluxQLNode", name=_name)(
        StreamTransformationNode if _function.stream_transformation else InfluxQLNode
    )

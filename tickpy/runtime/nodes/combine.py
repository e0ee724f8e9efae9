"""Nodes that bring data together: join, union (several parents), combine and flatten (points
of one group at one time). Kapacitor's join.go, union.go, combine.go and flatten.go.

Go's zero time (January 1 of year 1, `GO_ZERO_TIME_NS`) is Kapacitor's "not set" marker for
times; it is kept so that comparisons against unset marks behave as in Kapacitor.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tickpy.golang.gotime import GO_ZERO_TIME_NS, time_round
from tickpy.runtime.messages import (
    BarrierMessage,
    BatchMessage,
    BatchPoint,
    DeleteGroupMessage,
    Dimensions,
    PointMessage,
    group_id,
)
from tickpy.runtime.nodes.base import PerGroup, RuntimeNode, register


def _flat_strings(args) -> list[str]:
    names: list[str] = []
    for arg in args or []:
        if isinstance(arg, (list, tuple)):
            names.extend(arg)
        else:
            names.append(arg)
    return names


def _group_tags(msg) -> dict:
    return msg.group_tags() if isinstance(msg, PointMessage) else msg.tags


def _error_text(error: Exception) -> str:
    return str(error) or type(error).__name__


# --------------------------------------------------------------------------- join


# JoinNode.fill: an inner join, missing fields set to null, or to JoinNode.fill_value.
NO_FILL, NULL_FILL, NUMBER_FILL = 0, 1, 2


class _JoinSet:
    """The messages of all parents for one (rounded) time."""

    __slots__ = ("time", "name", "values", "size", "first")

    def __init__(self, time: int, name: str, expected: int):
        self.time = time
        self.name = name
        self.values: list = [None] * expected
        self.size = 0
        self.first = expected

    def ready(self) -> bool:
        return self.size == len(self.values)

    def put(self, index: int, msg) -> None:
        if index < self.first:
            self.first = index
        self.values[index] = msg
        self.size += 1


class _JoinGroup:
    __slots__ = ("node", "sets", "heads", "oldest")

    def __init__(self, node: JoinNode, parents: int):
        self.node = node
        self.sets: dict[int, list[_JoinSet]] = {}
        self.heads = [GO_ZERO_TIME_NS] * parents
        self.oldest = GO_ZERO_TIME_NS

    def collect(self, index: int, msg) -> None:
        node = self.node
        time = time_round(msg.time, node.tolerance)
        if time < self.oldest or self.oldest == GO_ZERO_TIME_NS:
            self.oldest = time
        sets = self.sets.get(time)
        if sets is None:
            sets = self.sets[time] = [_JoinSet(time, node.stream_name, node.parent_count)]
        target = None
        for candidate in sets:
            if candidate.values[index] is None:
                target = candidate
                break
        if target is None:
            target = _JoinSet(time, node.stream_name, node.parent_count)
            sets.append(target)
        target.put(index, msg)
        self.heads[index] = time
        self.emit(self.only_ready_sets())

    def only_ready_sets(self) -> bool:
        """True while some parent has not yet moved past the oldest time: then only complete
        sets may be emitted."""
        oldest = self.oldest
        return any(head <= oldest for head in self.heads)

    def emit(self, only_ready: bool) -> None:
        while self.sets:
            sets = self.sets.get(self.oldest)
            emitted = 0
            if sets is not None:
                for joined in sets:
                    if joined.ready() or not only_ready:
                        self.node.emit_set(joined)
                        emitted += 1
                    else:
                        break
                if emitted == len(sets):
                    del self.sets[self.oldest]
                else:
                    del sets[:emitted]
            self.oldest = min(self.sets) if self.sets else GO_ZERO_TIME_NS
            if only_ready:
                return
            # A parent skipped ahead: emit what is left once every head has passed it.
            only_ready = self.only_ready_sets()

    def emit_all(self) -> None:
        while self.sets:
            self.emit(False)


@register("JoinNode")
class JoinNode(RuntimeNode):
    """Joins the points (or batches) of its parents that share a group and a time (rounded to
    `tolerance`) into one, prefixing field names with the `.as()` names. With `.on(dims)`,
    points grouped by more tags are matched with the less specific points of the other parents.
    `.fill()` makes it an outer join.

    Observers: `set_emitted(time, present)` is called as each set is emitted (its rounded time,
    and for each parent whether it sent a message); `waiting_sets(group)` tells what waits;
    `tolerance`, `fill` and `fill_value` may be read."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.names = _flat_strings(self.property_args("as"))
        self.parent_count = max(len(spec.parents), 1)
        if not self.names:
            raise self.script_error("a call to join.as() is required to specify the output stream prefixes.")
        if len(self.names) != self.parent_count:
            raise self.script_error("number of prefixes specified by join.as() must match the number of joined streams")
        self.on = tuple(_flat_strings(self.property_args("on")))
        self.delimiter = self.property_value("delimiter", ".")
        self.tolerance = self.duration_property("tolerance", 0)
        self.stream_name = self.property_value("streamName", "") or ""
        fill = self.property_value("fill", None)
        self.fill_value = None
        if isinstance(fill, str):
            if fill == "null":
                self.fill = NULL_FILL
            elif fill == "none":
                self.fill = NO_FILL
            else:
                raise self.script_error(f"unexpected fill option {fill}")
        elif type(fill) in (int, float):
            self.fill = NUMBER_FILL
            self.fill_value = fill
        else:
            self.fill = NO_FILL
        self.joins_batches = spec.wants == "batch"
        self.delete_all = bool(self.property_value("deleteAll", False))
        self.groups: dict[str, _JoinGroup] = {}
        self.low_marks: dict[tuple[int, str], int] = {}
        self.match_buffers: dict[str, deque] = {}
        self.specific_buffers: dict[str, deque] = {}
        self.reported: set[int] = set()
        self.all_reported = False

    # ---- input ----

    def point_from(self, index: int, msg: PointMessage) -> None:
        self._message(index, msg)

    def batch_from(self, index: int, msg: BatchMessage) -> None:
        self._message(index, msg)

    def point(self, msg: PointMessage) -> None:
        self._message(0, msg)

    def batch(self, msg: BatchMessage) -> None:
        self._message(0, msg)

    def barrier(self, msg: BarrierMessage) -> None:
        self.barrier_from(0, msg)

    def barrier_from(self, index: int, msg: BarrierMessage) -> None:
        """The parent will send nothing older in that group: its head moves to the barrier's
        time, which may complete (or give up on) the oldest sets."""
        joined = self._group(msg.group)
        time = time_round(msg.time, self.tolerance)
        if time < joined.oldest or joined.oldest == GO_ZERO_TIME_NS:
            joined.oldest = time
        joined.heads[index] = time
        if joined.sets:
            joined.emit(joined.only_ready_sets())
        self.forward_barrier(msg)

    def delete_group(self, msg: DeleteGroupMessage) -> None:
        self.delete_group_from(0, msg)

    def delete_group_from(self, index: int, msg: DeleteGroupMessage) -> None:
        """Drops the group's sets and buffers, and the parent's low mark for it (every low
        mark with `.deleteAll()`), as Kapacitor's join does."""
        group = msg.group
        self.groups.pop(group, None)
        self.match_buffers.pop(group, None)
        self.specific_buffers.pop(group, None)
        if self.delete_all:
            self.low_marks.clear()
        else:
            self.low_marks.pop((index, group), None)
        self.forward_delete_group(msg)

    def _message(self, index: int, msg) -> None:
        if self.on:
            self._match(index, msg)
        else:
            self._group(msg.group).collect(index, msg)

    def _group(self, group: str) -> _JoinGroup:
        joined = self.groups.get(group)
        if joined is None:
            joined = self.groups[group] = _JoinGroup(self, self.parent_count)
        return joined

    def _match(self, index: int, msg) -> None:
        """Pairs points grouped by more tags than `on` (specific) with the points of the other
        parents grouped by exactly `on` (match points), as they arrive."""
        if not self.all_reported:
            self.reported.add(index)
            self.all_reported = len(self.reported) == self.parent_count
        tolerance = self.tolerance
        time = time_round(msg.time, tolerance)
        join_group = group_id(msg.name, _group_tags(msg), Dimensions(msg.dimensions.by_name, self.on))
        self.low_marks[(index, join_group)] = time

        low_mark = GO_ZERO_TIME_NS
        if self.all_reported:
            for parent in range(self.parent_count):
                mark = self.low_marks.get((parent, join_group), GO_ZERO_TIME_NS)
                if low_mark == GO_ZERO_TIME_NS or mark < low_mark:
                    low_mark = mark
            waiting = self.specific_buffers.get(join_group)
            if waiting:
                while waiting and time_round(waiting[0][1].time, tolerance) < low_mark:
                    self._send_specific(*waiting.popleft())

        if len(msg.dimensions.tag_names) > len(self.on):
            matches = self.match_buffers.get(join_group)
            matched = False
            if matches:
                checked = 0
                for match in matches:
                    match_time = time_round(match[1].time, tolerance)
                    if match_time == time:
                        self._send_match((index, msg), match)
                        matched = True
                    if not match_time < low_mark:
                        break
                    checked += 1
                if self.all_reported:
                    for _ in range(checked):
                        matches.popleft()
            if not matched:
                if self.all_reported and time < low_mark:
                    self._send_specific(index, msg)
                else:
                    self.specific_buffers.setdefault(join_group, deque()).append((index, msg))
        else:
            self.match_buffers.setdefault(join_group, deque()).append((index, msg))
            waiting = self.specific_buffers.get(join_group)
            if waiting:
                sent = 0
                for specific in waiting:
                    if time_round(specific[1].time, tolerance) == time:
                        self._send_match(specific, (index, msg))
                        sent += 1
                    else:
                        break
                for _ in range(sent):
                    waiting.popleft()

    def _send_match(self, specific: tuple[int, Any], matched: tuple[int, Any]) -> None:
        specific_index, specific_msg = specific
        matched_index, matched_msg = matched
        tags = _group_tags(specific_msg)
        if isinstance(matched_msg, BatchMessage):
            adopted = matched_msg.copy()
            adopted.tags = tags
            adopted.group = group_id(adopted.name, tags, Dimensions(adopted.dimensions.by_name, tuple(sorted(tags))))
        else:
            adopted = matched_msg.copy()
            adopted.tags = tags
            adopted.set_dimensions(specific_msg.dimensions)
        joined = self._group(specific_msg.group)
        joined.collect(specific_index, specific_msg)
        joined.collect(matched_index, adopted)

    def _send_specific(self, index: int, msg) -> None:
        self._group(msg.group).collect(index, msg)

    # ---- output ----

    def emit_set(self, joined: _JoinSet) -> None:
        if self.observer is not None:
            self.observer.set_emitted(joined.time, [value is not None for value in joined.values])
        if joined.name == "":
            joined.name = joined.values[joined.first].name
        if self.joins_batches:
            batch = self._join_batches(joined)
            if batch is not None:
                self.forward_batch(batch)
        else:
            point = self._join_points(joined)
            if point is not None:
                self.forward_point(point)

    def waiting_sets(self, group: str) -> list[tuple[int, list[bool]]]:
        """The group's sets not emitted yet, oldest first: (rounded time, for each parent
        whether it sent a message)."""
        joined = self.groups.get(group)
        if joined is None:
            return []
        return [(time, [value is not None for value in waiting.values])
                for time, sets in sorted(joined.sets.items()) for waiting in sets]

    def _join_points(self, joined: _JoinSet) -> PointMessage | None:
        first = joined.values[joined.first]
        first_fields = first.fields
        delimiter = self.delimiter
        fields: dict[str, Any] = {}
        for prefix, value in zip(self.names, joined.values):
            if value is None:
                if self.fill == NO_FILL:
                    return None  # inner join: no point without every parent
                fill = None if self.fill == NULL_FILL else self.fill_value
                for key in first_fields:
                    fields[prefix + delimiter + key] = fill
            else:
                for key, field in value.fields.items():
                    fields[prefix + delimiter + key] = field
        tags = first.group_tags()
        return PointMessage(joined.name, tags, fields, joined.time, first.dimensions)

    def _join_batches(self, joined: _JoinSet) -> BatchMessage | None:
        first = joined.values[joined.first]
        tolerance = self.tolerance
        delimiter = self.delimiter
        expected = len(joined.values)
        batch_tags = first.tags
        points: list[BatchPoint] = []
        empty = [False] * expected
        empty_count = 0
        positions = [0] * expected
        field_names: list[str] | None = None
        while empty_count < expected:
            row: list = [None] * expected
            row_time = GO_ZERO_TIME_NS
            count = 0
            for i, batch in enumerate(joined.values):
                if empty[i]:
                    continue
                if batch is None or positions[i] == len(batch.points):
                    empty_count += 1
                    empty[i] = True
                    continue
                point = batch.points[positions[i]]
                time = time_round(point.time, tolerance)
                if row_time == GO_ZERO_TIME_NS:
                    row_time = time
                if time < row_time:
                    # an earlier time: start the row again from this point
                    row_time = time
                    for j in range(expected):
                        if row[j] is not None:
                            positions[j] -= 1
                        row[j] = None
                    row[i] = point
                    positions[i] += 1
                    count = 1
                elif time == row_time:
                    if field_names is None:
                        field_names = list(point.fields) or None
                    row[i] = point
                    positions[i] += 1
                    count += 1
            if count == 0:
                continue
            fields: dict[str, Any] = {}
            complete = True
            for prefix, point in zip(self.names, row):
                if point is None:
                    if self.fill == NO_FILL:
                        complete = False
                        break
                    fill = None if self.fill == NULL_FILL else self.fill_value
                    for key in field_names or ():
                        fields[prefix + delimiter + key] = fill
                else:
                    for key, field in point.fields.items():
                        fields[prefix + delimiter + key] = field
            if complete:
                points.append(BatchPoint(row_time, fields, batch_tags))
        return BatchMessage(
            joined.name,
            batch_tags,
            Dimensions(first.dimensions.by_name, tuple(sorted(batch_tags))),
            joined.time,
            points,
        )

    def finish(self) -> None:
        # Kapacitor joins what is left when its input ends (JoinNode.Finish), flush or not.
        for joined in list(self.groups.values()):
            joined.emit_all()


# --------------------------------------------------------------------------- union


@register("UnionNode")
class UnionNode(RuntimeNode):
    """Merges its parents' data in time order: a message is passed on once every parent has
    sent something at or after its time (the lowest mark of all parents)."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.rename = self.property_value("rename", "") or ""
        count = max(len(spec.parents), 1)
        self.queues: list[deque] = [deque() for _ in range(count)]
        self.low_marks: list[int | None] = [None] * count

    def point_from(self, index: int, msg: PointMessage) -> None:
        if self.rename:
            msg = msg.copy()
            msg.name = self.rename
            msg.group = group_id(msg.name, msg.tags, msg.dimensions)
        self.queues[index].append(msg)
        self._emit_ready(False)

    def batch_from(self, index: int, msg: BatchMessage) -> None:
        if self.rename:
            msg = msg.copy()
            msg.name = self.rename
            msg.group = group_id(msg.name, msg.tags, msg.dimensions)
        self.queues[index].append(msg)
        self._emit_ready(False)

    def point(self, msg: PointMessage) -> None:
        self.point_from(0, msg)

    def batch(self, msg: BatchMessage) -> None:
        self.batch_from(0, msg)

    def barrier_from(self, index: int, msg: BarrierMessage) -> None:
        # A barrier takes its place in time order, as Kapacitor's union queues it.
        self.queues[index].append(msg)
        self._emit_ready(False)

    def barrier(self, msg: BarrierMessage) -> None:
        self.barrier_from(0, msg)

    def _emit_ready(self, drain: bool) -> None:
        queues = self.queues
        low_marks = self.low_marks
        emitted = True
        while emitted:
            emitted = False
            mark = None
            valid = 0
            for i, queue in enumerate(queues):
                source_mark = low_marks[i]
                if queue:
                    front = queue[0].time
                    if mark is None or front < mark:
                        mark = front
                    source_mark = front
                low_marks[i] = source_mark
                if source_mark is not None:
                    valid += 1
                    if not drain and (mark is None or source_mark < mark):
                        mark = source_mark
            if not drain and valid != len(queues):
                return  # wait until every parent has sent something
            if mark is None:
                return
            for queue in queues:
                while queue and queue[0].time <= mark:
                    self._forward(queue.popleft())
                    emitted = True

    def _forward(self, msg) -> None:
        if isinstance(msg, BatchMessage):
            self.forward_batch(msg)
        elif isinstance(msg, BarrierMessage):
            self.forward_barrier(msg)
        else:
            self.forward_point(msg)

    def finish(self) -> None:
        # Kapacitor passes on everything buffered when its input ends (UnionNode.Finish).
        self._emit_ready(True)


# --------------------------------------------------------------------------- combine


class _CombineBuffer:
    __slots__ = ("time", "name", "tags", "dimensions", "points", "evaluators")

    def __init__(self, msg, evaluators):
        self.time = msg.time
        self.name = msg.name
        self.tags = _group_tags(msg)
        self.dimensions = msg.dimensions
        self.points: list = []
        self.evaluators = evaluators


def combination_count(n: int, k: int) -> int:
    """n choose k, or -1 when n < k (Kapacitor's combination.Count)."""
    if n < k:
        return -1
    count = 1
    for i in range(k):
        count = (count * (n - i)) // (i + 1)
    return count


def combinations(n: int, k: int):
    """Index combinations of n choose k in lexicographic order."""
    indices = list(range(k))
    yield list(indices)
    while True:
        i = k - 1
        while i >= 0 and indices[i] == i + n - k:
            i -= 1
        if i == -1:
            return
        indices[i] += 1
        for j in range(i + 1, k):
            indices[j] = indices[j - 1] + 1
        yield list(indices)


@register("CombineNode")
class CombineNode(RuntimeNode):
    """Combines the points of a group that share a (rounded) time: every combination of points
    matching the lambdas in order becomes one point, fields and non-group tags prefixed with the
    `.as()` names."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("buffers",)  # forgotten on a delete-group message
        lambdas = list(spec.args)
        if self.has("lambdas"):
            lambdas = _flat_strings(self.property_args("lambdas"))
        self.compiled = [self.compile_lambda(lam) for lam in lambdas]
        self.names = _flat_strings(self.property_args("as"))
        if not self.names:
            raise self.script_error("a call to combine.as() is required to specify the output stream prefixes.")
        if len(self.names) != len(self.compiled):
            raise self.script_error(
                "number of prefixes specified by combine.as() must match the number of combine expressions"
            )
        self.delimiter = self.property_value("delimiter", ".")
        self.tolerance = self.duration_property("tolerance", 0)
        self.max = int(self.property_value("max", 1_000_000))
        self.buffers: dict[str, _CombineBuffer] = {}

    def _buffer(self, msg) -> _CombineBuffer:
        buffer = self.buffers.get(msg.group)
        if buffer is None:
            evaluators = [PerGroup(compiled).get(msg.group) for compiled in self.compiled]
            buffer = self.buffers[msg.group] = _CombineBuffer(msg, evaluators)
        return buffer

    def _add(self, buffer: _CombineBuffer, point) -> None:
        time = time_round(point.time, self.tolerance)
        if time == buffer.time:
            buffer.points.append((time, point))
        else:
            self._combine(buffer)
            buffer.time = time
            buffer.points = [(time, point)]

    def point(self, msg: PointMessage) -> None:
        self._add(self._buffer(msg), msg)

    def batch(self, msg: BatchMessage) -> None:
        buffer = self._buffer(msg)
        buffer.name = msg.name
        buffer.time = GO_ZERO_TIME_NS
        buffer.points = []
        for point in msg.points:
            self._add(buffer, point)
        self._combine(buffer)
        buffer.points = []

    def finish(self) -> None:
        # Kapacitor never combines the points of the last time; `--flush` does.
        if self.ctx.flush_at_end:
            for buffer in self.buffers.values():
                self._combine(buffer)
                buffer.points = []

    def _combine(self, buffer: _CombineBuffer) -> None:
        points = buffer.points
        if not points:
            return
        matches = []
        for evaluator in buffer.evaluators:
            matched = []
            for time, point in points:
                try:
                    matched.append(bool(evaluator.evaluate(point.fields, point.tags, time)))
                except Exception as error:
                    self.error(f"error evaluating lambda expression: {_error_text(error)}", time)
                    matched.append(False)
            matches.append(matched)
        size = len(self.compiled)
        count = combination_count(len(points), size)
        if count > self.max:
            self.error(
                f"refusing to perform combination as total combinations {count} exceeds max combinations {self.max}"
            )
            return
        if count == -1:
            return
        dimensions = set(buffer.dimensions.tag_names)
        for indices in combinations(len(points), size):
            chosen = []
            for lambda_index in range(size):
                found = None
                for position, point_index in enumerate(indices):
                    if matches[lambda_index][point_index]:
                        found = position
                        break
                if found is None:
                    break
                chosen.append(points[indices.pop(found)])
            else:
                self._emit(buffer, chosen, dimensions)

    def _emit(self, buffer: _CombineBuffer, chosen: list, dimensions: set) -> None:
        delimiter = self.delimiter
        fields: dict[str, Any] = {}
        tags: dict[str, str] = {}
        for prefix, (_, point) in zip(self.names, chosen):
            for key, value in point.fields.items():
                fields[prefix + delimiter + key] = value
            for key, value in point.tags.items():
                if key in dimensions:
                    tags[key] = value
                else:
                    tags[prefix + delimiter + key] = value
        time = time_round(chosen[0][0], self.tolerance)
        self.forward_point(PointMessage(buffer.name, tags, fields, time, buffer.dimensions))


# --------------------------------------------------------------------------- flatten


class _FlattenBuffer:
    __slots__ = ("time", "name", "tags", "dimensions", "group", "points")

    def __init__(self, msg, time: int):
        self.time = time
        self.name = msg.name
        self.tags = _group_tags(msg)
        self.dimensions = msg.dimensions
        self.group = msg.group
        self.points: list = []


@register("FlattenNode")
class FlattenNode(RuntimeNode):
    """Flattens the points of a group at one (rounded) time into one point whose field names are
    prefixed with the values of the `.on()` tags."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("buffers",)  # forgotten on a delete-group message
        self.on = _flat_strings(self.property_args("on"))
        self.delimiter = self.property_value("delimiter", ".")
        self.tolerance = self.duration_property("tolerance", 0)
        self.drop_original = bool(self.property_value("dropOriginalFieldName", False))
        self.buffers: dict[str, _FlattenBuffer] = {}

    def _buffer(self, msg) -> _FlattenBuffer:
        buffer = self.buffers.get(msg.group)
        if buffer is None:
            buffer = self.buffers[msg.group] = _FlattenBuffer(msg, time_round(msg.time, self.tolerance))
        return buffer

    def _add(self, buffer: _FlattenBuffer, time: int, point) -> tuple[int, dict] | None:
        flushed = None
        if time != buffer.time:
            if buffer.points:
                flushed = (buffer.time, self._flatten(buffer.points))
                buffer.points = []
            buffer.time = time
        buffer.points.append(point)
        return flushed

    def point(self, msg: PointMessage) -> None:
        buffer = self._buffer(msg)
        flushed = self._add(buffer, time_round(msg.time, self.tolerance), msg)
        if flushed is None or not flushed[1]:
            return
        time, fields = flushed
        self.forward_point(PointMessage(buffer.name, buffer.tags, fields, time, buffer.dimensions, buffer.group))

    def barrier(self, msg: BarrierMessage) -> None:
        """The group's points of a time before the barrier are complete: flatten them."""
        buffer = self.buffers.get(msg.group)
        if buffer is not None and buffer.points and msg.time > buffer.time:
            fields = self._flatten(buffer.points)
            buffer.points = []
            if fields:
                self.forward_point(PointMessage(buffer.name, buffer.tags, fields, buffer.time, buffer.dimensions,
                                                buffer.group))
        self.forward_barrier(msg)

    def batch(self, msg: BatchMessage) -> None:
        buffer = self._buffer(msg)
        buffer.name = msg.name
        buffer.time = GO_ZERO_TIME_NS
        buffer.points = []
        out_points = []
        tolerance = self.tolerance
        for point in msg.points:
            flushed = self._add(buffer, time_round(point.time, tolerance), point)
            if flushed is not None and flushed[1]:
                out_points.append(BatchPoint(flushed[0], flushed[1], buffer.tags))
        if buffer.points:
            out_points.append(BatchPoint(buffer.time, self._flatten(buffer.points), buffer.tags))
            buffer.points = []
        out = msg.copy()
        out.points = out_points
        self.forward_batch(out)

    def finish(self) -> None:
        # Kapacitor never flattens the points of the last time; `--flush` does.
        if not self.ctx.flush_at_end:
            return
        for buffer in self.buffers.values():
            if buffer.points:
                fields = self._flatten(buffer.points)
                buffer.points = []
                if fields:
                    self.forward_point(
                        PointMessage(buffer.name, buffer.tags, fields, buffer.time, buffer.dimensions, buffer.group)
                    )

    def _flatten(self, points: list) -> dict:
        fields: dict[str, Any] = {}
        delimiter = self.delimiter
        prefix = ""
        for point in points:
            tags = point.tags
            complete = True
            for position, tag in enumerate(self.on):
                value = tags.get(tag)
                if value is None:
                    self.error(f"point missing tag for flatten operation: tag {tag} is missing from point", point.time)
                    complete = False
                    break
                if position > 0:
                    prefix += delimiter
                prefix += value
            if not complete:
                continue  # Kapacitor keeps the partial prefix for the next point
            for key, value in point.fields.items():
                if self.drop_original:
                    name = prefix
                elif prefix:
                    name = prefix + delimiter + key
                else:
                    name = key
                fields[name] = value
            prefix = ""
        return fields

"""State tracking and change detection (Kapacitor's state_tracking.go, change_detect.go):
stateDuration, stateCount and changeDetect, each with its state per group."""

from __future__ import annotations

from typing import Any

from tickpy.runtime.messages import BatchMessage, PointMessage
from tickpy.runtime.nodes.base import PerGroup, RuntimeNode, register

_MISSING = object()


def _error_text(error: Exception) -> str:
    return str(error) or type(error).__name__


class _DurationTracker:
    __slots__ = ("unit", "start")

    def __init__(self, unit: int):
        self.unit = unit
        self.start: int | None = None

    def reset(self) -> None:
        self.start = None

    def track(self, time: int, in_state: bool) -> float:
        if not in_state:
            self.start = None
            return -1.0
        if self.start is None:
            self.start = time
        return float(time - self.start) / float(self.unit)


class _CountTracker:
    __slots__ = ("count",)

    def __init__(self):
        self.count = 0

    def reset(self) -> None:
        self.count = 0

    def track(self, time: int, in_state: bool) -> int:
        if not in_state:
            self.count = 0
            return -1
        self.count += 1
        return self.count


class _StateTrackingNode(RuntimeNode):
    """Adds field `as` to every point: how long / how many points the lambda has been true
    in a row (-1 when it is false). A point whose lambda fails is dropped."""

    default_as = ""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("evaluators", "trackers")  # forgotten on a delete-group message
        lambda_node = self.property_value("lambda", spec.args[0] if spec.args else None)
        if lambda_node is None:
            raise self.script_error(f"nil expression passed to {spec.type}")
        self.evaluators = PerGroup(self.compile_lambda(lambda_node))
        self.as_name = self.property_value("as", self.default_as)
        self.trackers: dict[str, Any] = {}

    def new_tracker(self):
        raise NotImplementedError

    def _tracker(self, group: str):
        tracker = self.trackers.get(group)
        if tracker is None:
            tracker = self.trackers[group] = self.new_tracker()
        return tracker

    def _track(self, group: str, tracker, fields, tags, time: int):
        try:
            passed = self.evaluators.get(group).evaluate(fields, tags, time)
        except Exception as error:
            self.error(f"error while evaluating expression: {_error_text(error)}", time)
            return None
        return {**fields, self.as_name: tracker.track(time, bool(passed))}

    def point(self, msg: PointMessage) -> None:
        fields = self._track(msg.group, self._tracker(msg.group), msg.fields, msg.tags, msg.time)
        if fields is None:
            return
        out = msg.copy()
        out.fields = fields
        self.forward_point(out)

    def batch(self, msg: BatchMessage) -> None:
        tracker = self._tracker(msg.group)
        tracker.reset()
        points = []
        for point in msg.points:
            fields = self._track(msg.group, tracker, point.fields, point.tags, point.time)
            if fields is not None:
                points.append(type(point)(point.time, fields, point.tags))
        out = msg.copy()
        out.points = points
        self.forward_batch(out)


@register("StateDurationNode")
class StateDurationNode(_StateTrackingNode):
    default_as = "state_duration"

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.unit = self.duration_property("unit", 1_000_000_000)

    def new_tracker(self):
        return _DurationTracker(self.unit)


@register("StateCountNode")
class StateCountNode(_StateTrackingNode):
    default_as = "state_count"

    def new_tracker(self):
        return _CountTracker()


def go_values_differ(previous: Any, current: Any) -> bool:
    """Go's `!=` on two interface values: different dynamic types always differ (1 vs 1.0);
    NaN differs from itself."""
    if type(previous) is not type(current):
        return True
    return not (previous == current)


@register("ChangeDetectNode")
class ChangeDetectNode(RuntimeNode):
    """Passes a point only when one of the fields differs from the last point passed (per group;
    on batches, per batch)."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("previous",)  # forgotten on a delete-group message
        fields = self.property_args("fields")
        names = fields if fields is not None else spec.args
        flat: list[str] = []
        for name in names:
            if isinstance(name, (list, tuple)):
                flat.extend(name)
            else:
                flat.append(name)
        self.fields = flat
        self.previous: dict[str, Any] = {}

    def _changed(self, previous_fields, fields, time: int) -> bool:
        for name in self.fields:
            value = fields.get(name, _MISSING)
            if value is _MISSING:
                self.error(f"Invalid field in change detect: expected field {name} not found", time)
                continue
            previous = None if previous_fields is None else previous_fields.get(name)
            if go_values_differ(previous, value):
                return True
        return False

    def point(self, msg: PointMessage) -> None:
        if self._changed(self.previous.get(msg.group), msg.fields, msg.time):
            self.previous[msg.group] = msg.fields
            self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        previous = None
        points = []
        for point in msg.points:
            if self._changed(previous, point.fields, point.time):
                previous = point.fields
                points.append(point)
        out = msg.copy()
        out.points = points
        self.forward_batch(out)

"""Per-point transforms with their own state: derivative, shift and sample (Kapacitor's
derivative.go, shift.go, sample.go)."""

from __future__ import annotations

from typing import Any

from tickpy.golang.gotime import time_truncate
from tickpy.golang.gotypes import go_type_name
from tickpy.lang.values import Duration
from tickpy.runtime.messages import BatchMessage, BatchPoint, PointMessage
from tickpy.runtime.nodes.base import RuntimeNode, duration_ns, register


def _number(value: Any) -> float | None:
    """Kapacitor's numToFloat: only int64 and float64 fields have a derivative."""
    kind = type(value)
    if kind is float:
        return value
    if kind is int:
        return float(value)
    return None


@register("DerivativeNode")
class DerivativeNode(RuntimeNode):
    """Rate of change of `field` per `unit` between consecutive points of a group (of a batch),
    written to `as` (default: the field itself) on the later point.

    Observers may read `previous` (group -> (time, value) of its last point), `field`,
    `as_name`, `unit` and `non_negative`."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("previous",)  # forgotten on a delete-group message
        self.field = self.property_value("field", spec.args[0] if spec.args else "")
        self.as_name = self.property_value("as", self.field)
        self.unit = self.duration_property("unit", 1_000_000_000)
        self.non_negative = bool(self.property_value("nonNegative", False))
        self.previous: dict[str, Any] = {}  # group -> (time, value)

    def _derive(self, previous, fields, time: int):
        """(new previous, output fields or None)."""
        current = _number(fields.get(self.field))
        if current is None:
            self.error(
                f"cannot perform derivative: field is the wrong type (field={self.field}, "
                f"type={go_type_name(fields.get(self.field))})",
                time,
            )
            return previous, None
        if previous is None:
            return (time, current), None
        elapsed = float(time - previous[0])
        if elapsed == 0:
            self.error("cannot perform derivative: elaspsed time was 0", time)
            return (time, current), None
        difference = current - previous[1]
        if self.non_negative and difference < 0:
            return (time, current), None
        value = difference / (elapsed / float(self.unit))
        return (time, current), {**fields, self.as_name: value}

    def point(self, msg: PointMessage) -> None:
        previous, fields = self._derive(self.previous.get(msg.group), msg.fields, msg.time)
        self.previous[msg.group] = previous
        if fields is not None:
            out = msg.copy()
            out.fields = fields
            self.forward_point(out)

    def batch(self, msg: BatchMessage) -> None:
        previous = None
        points = []
        for point in msg.points:
            previous, fields = self._derive(previous, point.fields, point.time)
            if fields is not None:
                points.append(BatchPoint(point.time, fields, point.tags))
        out = msg.copy()
        out.points = points
        self.forward_batch(out)


@register("ShiftNode")
class ShiftNode(RuntimeNode):
    """Moves points and batches in time by a fixed duration."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        shift = self.property_value("shift", spec.args[0] if spec.args else None)
        self.shift = duration_ns(shift, 0)
        if self.shift == 0:
            raise self.script_error("invalid shift value: must be non zero duration")

    def point(self, msg: PointMessage) -> None:
        out = msg.copy()
        out.time = msg.time + self.shift
        self.forward_point(out)

    def batch(self, msg: BatchMessage) -> None:
        shift = self.shift
        out = msg.copy()
        out.tmax = msg.tmax + shift
        out.points = [BatchPoint(p.time + shift, p.fields, p.tags) for p in msg.points]
        self.forward_batch(out)


@register("SampleNode")
class SampleNode(RuntimeNode):
    """Keeps every n-th point of a group (of a batch), or the points whose time is a multiple of
    a duration."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("counts",)  # forgotten on a delete-group message
        rate = spec.args[0] if spec.args else None
        self.every_n = int(self.property_value("n", rate if type(rate) is int else 0) or 0)
        duration = self.property_value("duration", rate if isinstance(rate, Duration) else None)
        self.duration = duration_ns(duration, 0)
        if self.duration == 0 and self.every_n == 0:
            raise self.script_error("invalid sample rate: must be positive integer or duration")
        self.counts: dict[str, int] = {}

    def _keep(self, count: int, time: int) -> bool:
        if self.duration:
            return time_truncate(time, self.duration) == time
        return count % self.every_n == 0

    def point(self, msg: PointMessage) -> None:
        count = self.counts.get(msg.group, 0)
        self.counts[msg.group] = count + 1
        if self._keep(count, msg.time):
            self.forward_point(msg)

    def batch(self, msg: BatchMessage) -> None:
        out = msg.copy()
        out.points = [p for count, p in enumerate(msg.points) if self._keep(count, p.time)]
        self.forward_batch(out)

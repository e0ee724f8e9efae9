"""The roots of a batch task: `batch` and its `query` nodes (Kapacitor's batch.go).

The batch node only holds the query nodes. Each query node is handed the batches of its own
runs (`collect`), by the engine: from a recording (`.brpl`, one per query node) or from its
scheduled queries (`schedule` gives the runs; the engine queries the database and turns the
results into batches, `tickpy.runtime.batches`). What the node is configured with is checked
when the task starts, with Kapacitor's errors (newQueryNode).
"""

from __future__ import annotations

from typing import Any

from tickpy.check.pipeline import TimeDimension
from tickpy.lang.values import StarValue
from tickpy.runtime.messages import BatchMessage
from tickpy.runtime.nodes.base import RuntimeNode, duration_ns, register
from tickpy.runtime.schedule import EveryTicker, query_windows

__all__ = ["BatchNode", "QueryNode", "QueryDimensions"]


@register("BatchNode")
class BatchNode(RuntimeNode):
    """The task's root: its children are its query nodes, in the script's order. Kapacitor's
    graphs and stats leave it out (it is no edge of the task's data)."""

    def hand(self, index: int, batch: BatchMessage) -> None:
        """A batch of query node number `index` (its results, or its recording's)."""
        self.children[index].batch(batch)


class QueryDimensions:
    """What `.groupBy(...)` asks of the query (Kapacitor replaces the query's own GROUP BY
    with it): the time() bucket and its offset (ns), the tags, `*`."""

    __slots__ = ("time_length", "time_offset", "tags", "all_tags")

    def __init__(self, time_length: int | None, time_offset: int, tags: tuple[str, ...], all_tags: bool):
        self.time_length = time_length
        self.time_offset = time_offset
        self.tags = tags
        self.all_tags = all_tags


@register("QueryNode")
class QueryNode(RuntimeNode):
    """One `|query('SELECT ...')`: its schedule (every/align or cron, period, offset), what it
    asks of the query (groupBy, fill, alignGroup, groupByMeasurement), and the batches it is
    handed, counted as Kapacitor counts them (batches_queried, points_queried)."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.query_text: str = spec.args[0]
        self.period = self.duration_property("period", 0)
        self.every = self.duration_property("every", 0)
        self.offset = self.duration_property("offset", 0)
        self.align = self.has("align")
        self.align_group = self.has("alignGroup")
        self.by_measurement = self.has("groupByMeasurement")
        self.cron: str = self.property_value("cron", "") or ""
        self.cluster: str = self.property_value("cluster", "") or ""
        self.fill = self.property_value("fill", None)
        self.dimensions = self._dimensions()
        self.batches_queried = 0
        self.points_queried = 0
        if self.every != 0 and self.cron:
            raise self.script_error("must not set both 'every' and 'cron' properties")
        if self.every < 0:
            raise self.script_error("'every' duration must must non-negative")
        if self.every > 0:
            self.ticker: Any = EveryTicker(self.every, self.align)
        elif self.cron:
            self.ticker = self._cron_ticker()
        else:
            raise self.script_error("must define one of 'every' or 'cron'")

    def _dimensions(self) -> QueryDimensions:
        length, offset, tags, all_tags = None, 0, [], False
        for arg in self.property_args("groupBy") or []:
            if isinstance(arg, TimeDimension):
                if length is not None:
                    raise self.script_error("groupBy cannot have more than one time dimension")
                length, offset = duration_ns(arg.length), duration_ns(arg.offset)
            elif isinstance(arg, StarValue):
                all_tags = True
            elif isinstance(arg, str):
                tags.append(arg)
            else:  # a duration: time(d) written as a bare duration
                if length is not None:
                    raise self.script_error("groupBy cannot have more than one time dimension")
                length = duration_ns(arg)
        return QueryDimensions(length, offset, tuple(tags), all_tags)

    def _cron_ticker(self):
        from tickpy.runtime.cron import CronError, CronTicker  # deferred: only .cron() tasks parse cron expressions

        try:
            return CronTicker(self.cron)
        except CronError as error:
            raise self.script_error(str(error)) from None

    def schedule(self, start: int, stop: int | None):
        """The runs (QueryWindow: tick, start, stop) of ticks after `start` up to `stop`."""
        return query_windows(self.ticker, start, stop, self.period, self.offset)

    def batch(self, batch: BatchMessage) -> None:
        """A batch of this query's results (or of its recording): counted, handed on."""
        self.batches_queried += 1
        self.points_queried += len(batch.points)
        self.forward_batch(batch)

    def extra_stats(self) -> dict[str, Any]:
        return {"batches_queried": self.batches_queried, "points_queried": self.points_queried}

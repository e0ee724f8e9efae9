"""The roots of a batch task: `batch` and its `query` nodes (Kapacitor's batch.go).

The batch node only holds the query nodes. Each query node is handed the batches of its own
runs (`batch`) by the engine: from a recording (`.brpl`, one per query node), or from its
scheduled queries (`runs` gives them, `run` sends one to the database and makes its result the
batches Kapacitor makes of it, `tickpy.runtime.batches`). What the node is configured with is
checked when the task starts, with Kapacitor's errors (newQueryNode).
"""

from __future__ import annotations

from typing import Any

from tickpy.check.pipeline import TimeDimension
from tickpy.golang.goformat import go_quote
from tickpy.lang.values import Duration, StarValue
from tickpy.runtime.batches import result_batches
from tickpy.runtime.messages import BatchMessage
from tickpy.runtime.nodes.base import RuntimeNode, duration_ns, register
from tickpy.runtime.schedule import EveryTicker, QueryWindow, runs

__all__ = ["BatchNode", "QueryNode", "QueryDimensions"]


@register("BatchNode")
class BatchNode(RuntimeNode):
    """The task's root: its children are its query nodes, in Kapacitor's walk order (the
    engine sets them so). Kapacitor's graphs and stats leave it out (it is no edge of the
    task's data). Its observer hears `replaying(query_node, batch)` before each recorded batch."""

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.queries: list[QueryNode] = []

    def hand(self, index: int, batch: BatchMessage, replayed: bool = False) -> None:
        """A batch of query node number `index` (its results, or its recording's)."""
        if replayed and self.observer is not None:
            self.observer.replaying(self.queries[index], batch)
        self.batches_out += 1  # what the query node counts in (RunResult.stats' batches_in)
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
        self.fill = self._fill()
        self.dimensions = self._dimensions()
        self.sources = self._sources()
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

    def _sources(self) -> list[tuple[str, str]]:
        """(database, retention policy) of each measurement the query reads (NewQuery's checks)."""
        # deferred: start-up (a stream task loads this module, and needs no InfluxQL)
        from tickpy.influxql import InfluxQLError, parse_select

        text = self.query_text
        try:
            statement = parse_select(text)
        except InfluxQLError as error:
            statements = _statement_count(text)
            if statements > 1:
                raise self.script_error(f"query must be a single select statement, got {statements} statements") from None
            first_word = text.split(None, 1)[0].upper() if text.strip() else ""
            if first_word in _OTHER_STATEMENTS:
                raise self.script_error(f"query is not a select statement {go_quote(text.strip())}") from None
            raise self.script_error(f"failed to parse InfluxQL query: {error}") from None
        return [(source.database, source.retention_policy) for source in statement.sources]

    def _fill(self):
        fill = self.property_value("fill", None)
        if isinstance(fill, str) and fill not in ("null", "none", "previous", "linear"):
            raise self.script_error(f"unexpected fill option {fill}")
        if isinstance(fill, bool):
            return None  # Kapacitor's switch takes only strings and numbers
        return fill

    def plan(self, window: QueryWindow):
        """What this node asks of the database for one run (a tickpy.influxql.QueryPlan)."""
        from tickpy.influxql import QueryPlan  # deferred: start-up (as in _sources)

        group_by_time = None
        dimensions = self.dimensions
        if dimensions.time_length is not None:
            offset = dimensions.time_offset
            if self.align_group:
                # Kapacitor's SetStartTime: the buckets start at the range's start (Go's %, whose
                # remainder has the dividend's sign)
                remainder = abs(window.start) % dimensions.time_length
                offset = -remainder if window.start < 0 else remainder
            group_by_time = (dimensions.time_length, offset)
        return QueryPlan(self.query_text, window.start, window.stop, group_by_time, dimensions.tags,
                         dimensions.all_tags, self.fill, self.by_measurement)

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
            elif isinstance(arg, Duration):  # time(d) written as the bare duration
                if length is not None:
                    raise self.script_error("groupBy cannot have more than one time dimension")
                length = arg.nanoseconds
            else:
                go_type = _GO_TYPES.get(type(arg).__name__, type(arg).__name__)
                raise self.script_error(f"invalid dimension type:{go_type}, must be string or time.Duration")
        return QueryDimensions(length, offset, tuple(tags), all_tags)

    def _cron_ticker(self):
        from tickpy.runtime.cron import CronError, CronTicker  # deferred: only .cron() tasks parse cron expressions

        try:
            return CronTicker(self.cron)
        except CronError as error:
            raise self.script_error(str(error)) from None

    def runs(self, start: int | None, stop: int | None, first: int | None, last: int | None):
        """The runs (QueryWindow: tick, start, stop) `tickpy run` makes (tickpy.runtime.schedule.runs)."""
        return runs(self.ticker, self.period, self.offset, start, stop, first, last)

    def run(self, window: QueryWindow, database, dbrp: tuple[str, str]) -> list[BatchMessage]:
        """One run: the query sent to `database` (`select(plan, db, rp)`, `dbrp` for what FROM does
        not name), its result as batches. Its observer hears `run_started(node, window, plan)`
        first. An error of the database is logged, as Kapacitor logs it, and the run gives none."""
        from tickpy.runtime.influxdb import InfluxDBError  # deferred: start-up (its live client loads http)

        plan = self.plan(window)
        if self.observer is not None:
            self.observer.run_started(self, window, plan)
        try:
            series = database.select(plan, dbrp[0], dbrp[1])
        except InfluxDBError as error:
            self.error(f"error executing query: {error}", window.tick)
            return []
        return result_batches(series, self.by_measurement, plan.group_by_time is not None, window.stop)

    def batch(self, batch: BatchMessage) -> None:
        """A batch of this query's results (or of its recording): counted, handed on."""
        self.batches_queried += 1
        self.points_queried += len(batch.points)
        self.forward_batch(batch)

    def extra_stats(self) -> dict[str, Any]:
        return {"batches_queried": self.batches_queried, "points_queried": self.points_queried}


# Go's names (%T) of what a script can pass to .groupBy() besides strings, time() and durations.
_GO_TYPES = {"int": "int64", "float": "float64", "bool": "bool", "Lambda": "*ast.LambdaNode",
             "RegexValue": "*regexp.Regexp", "list": "[]interface {}"}


# The first words of InfluxQL's other statements: Kapacitor parses them, then refuses them.
_OTHER_STATEMENTS = frozenset({"ALTER", "CREATE", "DELETE", "DROP", "EXPLAIN", "GRANT", "KILL", "REVOKE", "SET",
                               "SHOW"})


def _statement_count(text: str) -> int:
    """How many statements `text` holds, as InfluxQL splits them (on semicolons outside quotes)."""
    count, quote, index = 0, "", 0
    pending = False
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            pending = True
        elif char == ";":
            count += pending
            pending = False
        elif not char.isspace():
            pending = True
        index += 1
    return count + pending

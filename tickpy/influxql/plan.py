"""What a Kapacitor query node asks InfluxDB for one scheduled run, and the text it sends.

Kapacitor 1.5.7 (query.go) parses the script's SELECT, ANDs `time >= start AND time < stop` onto
its WHERE (without parentheses: `a OR b` becomes `a OR b AND time >= ...`, which InfluxDB reads as
`a OR (b AND time ...)`), replaces its GROUP BY with the node's `.groupBy(...)` (a time dimension
always carries its offset, `time(1m, 0s)`), sets the node's `.fill(...)` when there is one, and
sends the statement as the influxql package prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tickpy.influxql.ast import (
    FILL_LINEAR,
    FILL_NONE,
    FILL_NULL,
    FILL_NUMBER,
    FILL_PREVIOUS,
    BinaryExpr,
    Call,
    DurationLiteral,
    Expr,
    SelectStatement,
    TimeLiteral,
    VarRef,
    Wildcard,
)
from tickpy.influxql.parser import parse_select


@dataclass(frozen=True)
class QueryPlan:
    """One scheduled run of a query node."""

    text: str  # the SELECT as written in the script
    start_ns: int  # the time range [start, stop) Kapacitor adds to WHERE
    stop_ns: int
    group_by_time: tuple[int, int] | None = None  # (interval_ns, offset_ns) from .groupBy(time(d, o))
    group_by_tags: tuple[str, ...] = ()  # from .groupBy('host', ...)
    group_by_all_tags: bool = False  # .groupBy(*)
    fill: str | int | float | None = None  # 'null'|'none'|'previous'|'linear'|number; None: not set
    group_by_measurement: bool = False  # .groupByMeasurement(): how Kapacitor groups, not the query


_FILL_OPTIONS = {"null": FILL_NULL, "none": FILL_NONE, "previous": FILL_PREVIOUS, "linear": FILL_LINEAR}


def planned_statement(plan: QueryPlan) -> SelectStatement:
    """The statement Kapacitor builds for `plan` (before printing)."""
    statement = parse_select(plan.text)
    time_range: Expr = BinaryExpr(
        "AND",
        BinaryExpr(">=", VarRef("time"), TimeLiteral(plan.start_ns)),
        BinaryExpr("<", VarRef("time"), TimeLiteral(plan.stop_ns)),
    )
    condition = time_range if statement.condition is None else BinaryExpr("AND", statement.condition, time_range)
    dimensions: list[Expr] = []
    if plan.group_by_time is not None:
        interval, offset = plan.group_by_time
        dimensions.append(Call("time", (DurationLiteral(interval), DurationLiteral(offset))))
    dimensions += [VarRef(tag) for tag in plan.group_by_tags]
    if plan.group_by_all_tags:
        dimensions.append(Wildcard())
    statement = replace(statement, condition=condition, dimensions=tuple(dimensions))
    if plan.fill is not None:
        if isinstance(plan.fill, str):
            statement = replace(statement, fill=_FILL_OPTIONS[plan.fill], fill_value=None)
        else:
            statement = replace(statement, fill=FILL_NUMBER, fill_value=plan.fill)
    return statement


def rewrite(plan: QueryPlan) -> str:
    """The query text Kapacitor sends to InfluxDB for this plan."""
    return str(planned_statement(plan))

"""`tickpy explain SCRIPT`: the pipeline in plain sentences, for teaching and review.

One numbered step per node, in the order the script builds them: what it selects, how it
groups, windows and aggregates, when each alert level fires and where events go. Words come
from the checked Pipeline (tickpy.check), so what is explained is what Kapacitor would run.
"""

from __future__ import annotations

from typing import Any, Callable

from tickpy.check.pipeline import Pipeline, PipelineNode

LEVELS = (("crit", "CRITICAL"), ("warn", "WARNING"), ("info", "INFO"))

# InfluxQL functions: what each computes (selectors keep a point, aggregates compute a value).
AGGREGATES = {
    "mean": "the mean", "median": "the median", "mode": "the most frequent value", "sum": "the sum",
    "count": "the number of values", "distinct": "the distinct values", "spread": "the spread (max - min)",
    "stddev": "the standard deviation", "integral": "the integral",
}
SELECTORS = {
    "first": "the first value", "last": "the last value", "min": "the smallest value",
    "max": "the largest value", "percentile": "a percentile",
    "top": "the largest values", "bottom": "the smallest values",
}
TRANSFORMS = {
    "cumulativeSum": "the running sum", "movingAverage": "the moving average", "difference": "the difference",
    "elapsed": "the time elapsed", "holtWinters": "a Holt-Winters forecast",
    "holtWintersWithFit": "a Holt-Winters forecast with the fitted values",
}


# --------------------------------------------------------------------------- text helpers


def literal(value: Any) -> str:
    from tickpy.check.dot import _show

    if isinstance(value, list):
        return ", ".join(literal(item) for item in value)
    return _show(value)


def expression(value: Any) -> str:
    """A lambda as its expression text (without `lambda:`)."""
    from tickpy.syntax import ast, format_expression

    if isinstance(value, ast.Lambda):
        if value.expression is None:  # a template's lambda var without a value
            return "<the template's lambda, not given>"
        return format_expression(value.expression)
    return literal(value)


def duration(value: Any) -> str:
    from tickpy.check.values import go_duration_string
    from tickpy.lang.values import Duration

    if isinstance(value, Duration):
        return go_duration_string(value.nanoseconds)
    return literal(value)


def prop(node: PipelineNode, name: str, default: Any = None) -> Any:
    call = node.last(name)
    if call is None:
        return default
    return call.args[0] if call.args else True


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def label(node: PipelineNode) -> str:
    return node.extra.get("name") or node.label


def group_words(args: list) -> str:
    names = []
    star = False
    for arg in args:
        items = arg if isinstance(arg, list) else [arg]
        for item in items:
            if type(item).__name__ == "StarValue":
                star = True
            elif isinstance(item, str):
                names.append(item)
            elif type(item).__name__ == "TimeDimension":
                names.append(f"time({duration(item.length)})")
    if star:
        return "every tag"
    return ", ".join(name if name.startswith("time(") else f"'{name}'" for name in names)


def grouping(node: PipelineNode) -> str:
    """How the data reaching `node` is grouped: "" (one group) or words such as "'host'"."""
    seen = set()
    current = node.parents[0] if node.parents else None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.type in ("FromNode", "QueryNode"):
            call = current.last("groupBy")
            args = [a for a in (call.args if call is not None else []) if type(a).__name__ != "TimeDimension"]
            return group_words(args)
        if current.type == "GroupByNode":
            return group_words(current.args)
        current = current.parents[0] if current.parents else None
    return ""


def per_group(node: PipelineNode) -> str:
    """", per host" / ", per group of every tag" / "" (everything is one group)."""
    words = grouping(node)
    if not words:
        return ""
    return ", per group of every tag" if words == "every tag" else f", per {words}"


def unit(node: PipelineNode) -> str:
    return "batch" if node.wants == "batch" else "point"


# --------------------------------------------------------------------------- per node


def _stream(node: PipelineNode, pipeline: Pipeline) -> str:
    if pipeline.dbrps:
        where = " and ".join(f'"{db}"."{rp}"' for db, rp in pipeline.dbrps)
        return f"Stream task: every point written to {where} enters here, in time order."
    return "Stream task: every point written to the task's database and retention policy enters here, in time order."


def _batch(node: PipelineNode, pipeline: Pipeline) -> str:
    return "Batch task: the queries below run against InfluxDB on a schedule; each result is a batch."


def _from(node: PipelineNode, pipeline: Pipeline) -> str:
    parts = []
    measurement = prop(node, "measurement")
    what = f"the points of measurement {literal(measurement)}" if measurement else "every point (no .measurement())"
    database, retention_policy = prop(node, "database"), prop(node, "retentionPolicy")
    if database or retention_policy:
        what += f" written to {literal(database or '*')}.{literal(retention_policy or '*')}"
    parts.append(f"Selects {what}")
    where = prop(node, "where")
    if where is not None:
        parts[-1] += f" for which {expression(where)} is true (the others are dropped; a point missing a field it reads is dropped with an error)"
    group = node.last("groupBy")
    if group is not None and group.args:
        parts.append(f"Groups them by {group_words(group.args)}: each group gets its own windows, aggregates and alert state")
    else:
        parts.append("All points form one group (no .groupBy())")
    if prop(node, "groupByMeasurement"):
        parts.append("The measurement name is part of the group")
    if prop(node, "truncate") is not None:
        parts.append(f"Times are truncated to {duration(prop(node, 'truncate'))}")
    if prop(node, "round") is not None:
        parts.append(f"Times are rounded to {duration(prop(node, 'round'))}")
    return ". ".join(parts) + "."


def _query(node: PipelineNode, pipeline: Pipeline) -> str:
    query = node.args[0] if node.args else ""
    text = f"Runs the InfluxQL query {literal(query)}"
    period, every, cron = prop(node, "period"), prop(node, "every"), prop(node, "cron")
    if cron is not None:
        text += f" on the schedule {literal(cron)}"
    elif every is not None:
        text += f" every {duration(every)}"
    if period is not None:
        text += f", over the last {duration(period)}"
    offset = prop(node, "offset")
    if offset is not None:
        text += f", shifted back by {duration(offset)}"
    group = node.last("groupBy")
    if group is not None and group.args:
        text += f"; results are grouped by {group_words(group.args)}"
    fill = prop(node, "fill")
    if fill is not None:
        text += f"; empty intervals are filled with {literal(fill)}"
    return text + "."


def _where(node: PipelineNode, pipeline: Pipeline) -> str:
    test = expression(node.args[0]) if node.args else "?"
    thing = "points" if node.wants == "stream" else "batch points"
    return (f"Keeps only the {thing} for which {test} is true; the others are dropped silently "
            f"(a point missing a field it reads is dropped with an error).")


def _eval(node: PipelineNode, pipeline: Pipeline) -> str:
    names = [str(a) for a in (node.last("as").args if node.last("as") else [])]
    pairs = [f"{name} = {expression(lam)}" for name, lam in zip(names, node.args)]
    text = "Computes " + ("; ".join(pairs) if pairs else "its expressions") + " for each point"
    tags = node.last("tags")
    if tags is not None and tags.args:
        text += f"; {literal(tags.args)} become tags"
    keep = node.last("keep")
    if keep is None:
        text += "; only the computed fields are kept (the point's other fields are dropped, use .keep() to keep them)"
    elif keep.args:
        text += f"; keeps the fields {literal(keep.args)}"
    else:
        text += "; the point's original fields are kept too"
    if node.last("quiet") is not None:
        text += "; errors are not logged (.quiet())"
    return text + "."


def _window(node: PipelineNode, pipeline: Pipeline) -> str:
    period, every = prop(node, "period"), prop(node, "every")
    period_count, every_count = prop(node, "periodCount"), prop(node, "everyCount")
    if period_count is not None:
        text = (f"Collects the points into windows of the last {plural(int(period_count), 'point')}{per_group(node)}, "
                f"emitted every {plural(int(every_count or 1), 'point')}")
    else:
        text = f"Collects the points into windows of {duration(period)}{per_group(node)}"
        if every is not None:
            text += f", one emitted every {duration(every)}"
        else:
            text += ", one emitted with every point"
        if prop(node, "align"):
            text += ", aligned to multiples of that interval"
    if prop(node, "fillPeriod"):
        text += "; the first window waits until a full period has passed"
    return text + ". A window closes only when a point at or after its end arrives (nothing is emitted at the end of the data)."


def _influxql(node: PipelineNode, pipeline: Pipeline) -> str:
    name = node.name
    field = literal(node.args[0]) if node.args else "?"
    what = AGGREGATES.get(name) or SELECTORS.get(name) or TRANSFORMS.get(name) or f"{name}()"
    if name in ("top", "bottom") and node.args:
        what = f"the {literal(node.args[0])} {'largest' if name == 'top' else 'smallest'}"
        field = literal(node.args[1]) if len(node.args) > 1 else "?"
    elif name == "percentile" and len(node.args) > 1:
        what = f"the {literal(node.args[1])}th percentile"
    per = "each window (batch)" if node.wants == "batch" else "each point as it arrives"
    alias = prop(node, "as", name)
    text = f"Computes {what} of {field} over {per}{per_group(node)}, as the field {literal(alias)}"
    if name in SELECTORS:
        text += " (a selector: the result keeps the chosen point's time)"
    return text + "."


def _alert(node: PipelineNode, pipeline: Pipeline) -> str:
    per = "each point" if node.wants == "stream" else "each batch (the highest level of its points)"
    if prop(node, "all") and node.wants == "batch":
        per = "each batch (a level only when every point of the batch reaches it)"
    levels = []
    for name, level in LEVELS:
        test = prop(node, name)
        if test is None:
            continue
        text = f"{level} when {expression(test)}"
        reset = prop(node, name + "Reset")
        if reset is not None:
            text += f" (and it stays {level} until {expression(reset)})"
        levels.append(text)
    sentences = []
    if levels:
        sentences.append(f"Checks {per}{per_group(node)}, from the highest level down: " + "; ".join(levels) + "; otherwise OK")
    else:
        sentences.append(f"Has no level expression: every {unit(node)} is OK, so it never sends an event")
    events = "Sends an event for each non-OK result and on recovery (back to OK)"
    scope = prop(node, "stateChangesOnly")
    if scope is not None:
        events = "Sends an event only when the level changes"
        if scope is not True:
            events += f" (or again after {duration(scope)} at the same level)"
    if prop(node, "noRecoveries") is not None:
        events += "; recoveries (OK) are not sent"
    flapping = node.last("flapping")
    if flapping is not None and len(flapping.args) == 2:
        low, high = flapping.args
        events += (f"; when the level changes too often (over {float(high):.0%} of its last "
                   f"{prop(node, 'history', 21)} levels) it is flapping and nothing is sent until that falls below {float(low):.0%}")
    sentences.append(events)
    message = prop(node, "message")
    sentences.append(f"The message is {literal(message)}" if message is not None
                     else "The message is Kapacitor's default '{{ .ID }} is {{ .Level }}'")
    alert_id = prop(node, "id")
    if alert_id is not None:
        sentences.append(f"The id is {literal(alert_id)}")
    targets = []
    for handler in node.handlers:
        args = literal(handler.args) if handler.args else ""
        targets.append(f".{handler.kind}({args})")
    topic = prop(node, "topic")
    if topic is not None:
        targets.append(f"topic {literal(topic)} (whose handler files decide where they go)")
    sentences.append("Events go to " + ", ".join(targets) if targets
                     else "Events go nowhere but downstream (no handler and no .topic())")
    extras = [name for name in ("levelTag", "levelField", "idTag", "idField", "messageField", "durationField")
              if prop(node, name) is not None]
    if extras:
        sentences.append("The points it passes on carry " + ", ".join(f"{name} {literal(prop(node, name))}" for name in extras))
    return ". ".join(sentences) + "."


def _group_by(node: PipelineNode, pipeline: Pipeline) -> str:
    text = f"Regroups the data by {group_words(node.args) or 'nothing (one group)'}"
    exclude = node.last("exclude")
    if exclude is not None and exclude.args:
        text += f" except {literal(exclude.args)}"
    if prop(node, "byMeasurement"):
        text += ", and by measurement"
    return text + "."


def _influxdb_out(node: PipelineNode, pipeline: Pipeline) -> str:
    database, retention_policy = prop(node, "database", ""), prop(node, "retentionPolicy", "")
    measurement = prop(node, "measurement")
    text = f"Writes the data to InfluxDB database {literal(database)}"
    if retention_policy:
        text += f", retention policy {literal(retention_policy)}"
    if measurement:
        text += f", as measurement {literal(measurement)}"
    return text + " (tickpy run prints these lines)."


def _http_out(node: PipelineNode, pipeline: Pipeline) -> str:
    name = literal(node.args[0]) if node.args else "?"
    return f"Keeps the latest result of each group, served at the task's HTTP endpoint {name}."


def _log(node: PipelineNode, pipeline: Pipeline) -> str:
    return f"Logs every {unit(node)} it sees (level {literal(prop(node, 'level', 'INFO'))}) and passes it on."


def _derivative(node: PipelineNode, pipeline: Pipeline) -> str:
    field = literal(node.args[0]) if node.args else "?"
    text = f"Computes the rate of change of {field} between consecutive points, per {duration(prop(node, 'unit')) if prop(node, 'unit') else '1s'}"
    if prop(node, "nonNegative"):
        text += "; negative changes are dropped"
    return text + f", as the field {literal(prop(node, 'as', 'derivative'))}."


def _default(node: PipelineNode, pipeline: Pipeline) -> str:
    parts = [f"{'field' if call.name == 'field' else 'tag'} {literal(call.args[0])} = {literal(call.args[1])}"
             for call in node.properties if call.name in ("field", "tag") and len(call.args) == 2]
    return "Fills in missing values: " + ("; ".join(parts) or "none given") + "."


def _delete(node: PipelineNode, pipeline: Pipeline) -> str:
    parts = [f"{call.name} {literal(call.args[0])}" for call in node.properties if call.name in ("field", "tag") and call.args]
    return "Removes " + (", ".join(parts) or "nothing") + " from each point."


def _join(node: PipelineNode, pipeline: Pipeline) -> str:
    names = literal(node.last("as").args) if node.last("as") else "?"
    tolerance = prop(node, "tolerance")
    text = f"Joins {', '.join(label(p) for p in node.parents)} point by point when their times match"
    if tolerance is not None:
        text += f" (within {duration(tolerance)})"
    return text + f"; their fields are prefixed {names}."


def _union(node: PipelineNode, pipeline: Pipeline) -> str:
    return f"Merges the data of {', '.join(label(p) for p in node.parents)} into one stream."


def _shift(node: PipelineNode, pipeline: Pipeline) -> str:
    return f"Shifts each {unit(node)}'s time by {duration(node.args[0]) if node.args else '?'}."


def _sample(node: PipelineNode, pipeline: Pipeline) -> str:
    rate = node.args[0] if node.args else "?"
    return f"Keeps one {unit(node)} out of every {duration(rate)}."


def _state(node: PipelineNode, pipeline: Pipeline) -> str:
    test = expression(node.args[0]) if node.args else "?"
    what = "for how long" if node.type == "StateDurationNode" else "for how many points in a row"
    return f"Counts {what} {test} has been true{per_group(node)}, as the field {literal(prop(node, 'as', 'state_duration' if node.type == 'StateDurationNode' else 'state_count'))}."


def _stats(node: PipelineNode, pipeline: Pipeline) -> str:
    source = node.extra.get("source")
    watched = label(source) if isinstance(source, PipelineNode) else "its source"
    return (f"Every {duration(node.args[0]) if node.args else '?'}, reports how many points {watched} has emitted "
            f"(tickpy run ticks on the points' time).")


def _noop(node: PipelineNode, pipeline: Pipeline) -> str:
    return f"Passes every {unit(node)} on unchanged."


def _generic(node: PipelineNode, pipeline: Pipeline) -> str:
    from tickpy.check.dot import _describe

    return f"Runs {_describe(node)} on each {unit(node)}."


DESCRIBERS: dict[str, Callable[[PipelineNode, Pipeline], str]] = {
    "StreamNode": _stream,
    "BatchNode": _batch,
    "FromNode": _from,
    "QueryNode": _query,
    "WhereNode": _where,
    "EvalNode": _eval,
    "WindowNode": _window,
    "InfluxQLNode": _influxql,
    "AlertNode": _alert,
    "GroupByNode": _group_by,
    "InfluxDBOutNode": _influxdb_out,
    "HTTPOutNode": _http_out,
    "LogNode": _log,
    "DerivativeNode": _derivative,
    "DefaultNode": _default,
    "DeleteNode": _delete,
    "JoinNode": _join,
    "UnionNode": _union,
    "ShiftNode": _shift,
    "SampleNode": _sample,
    "StateDurationNode": _state,
    "StateCountNode": _state,
    "StatsNode": _stats,
    "NoOpNode": _noop,
}


def describe(node: PipelineNode, pipeline: Pipeline) -> str:
    return DESCRIBERS.get(node.type, _generic)(node, pipeline)


def explain(pipeline: Pipeline) -> list[str]:
    """One paragraph per node, in the order the script builds them."""
    paragraphs = []
    for number, node in enumerate(pipeline.nodes, 1):
        text = f"{number}. {label(node)}: {describe(node, pipeline)}"
        if len(node.children) > 1:
            text += f" Its output goes to each of {', '.join(label(c) for c in node.children)}."
        if node.parents and len(node.parents) == 1 and node.parents[0] is not _previous(pipeline, node):
            text += f" (It reads from {label(node.parents[0])}.)"
        if not node.children and node.type not in SINKS:
            text += " Nothing uses its output."
        paragraphs.append(text)
    return paragraphs


# Nodes whose work is done when nothing follows them.
SINKS = frozenset({"AlertNode", "HTTPOutNode", "HTTPPostNode", "InfluxDBOutNode", "LogNode",
                   "KapacitorLoopbackNode", "StreamNode", "BatchNode"})


def _previous(pipeline: Pipeline, node: PipelineNode) -> PipelineNode | None:
    index = pipeline.nodes.index(node)
    return pipeline.nodes[index - 1] if index > 0 else None


def explain_text(pipeline: Pipeline) -> str:
    return "\n".join(explain(pipeline))


__all__ = ["describe", "explain", "explain_text"]

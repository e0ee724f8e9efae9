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


class Unset(str):
    """A template var without a value, shown as `<var NAME (TYPE), not given>` wherever it is
    used (define-template gives it a zero value, which would read as a real one: '' or TRUE)."""


def literal(value: Any) -> str:
    from tickpy.check.dot import _show

    if isinstance(value, Unset):
        return str(value)
    if isinstance(value, list):
        return ", ".join(literal(item) for item in value)
    return _show(value)


def expression(value: Any) -> str:
    """A lambda as its expression text (without `lambda:`)."""
    from tickpy.syntax import ast, format_expression

    if isinstance(value, Unset):
        return str(value)
    if isinstance(value, ast.Lambda):
        if value.expression is None:  # a template's lambda var without a value
            return "<the template's lambda, not given>"
        return format_expression(value.expression)
    return literal(value)


def duration(value: Any) -> str:
    from tickpy.golang.gotime import format_go_duration as go_duration_string
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
    if node.type == "StatsNode" and isinstance(node.extra.get("source"), PipelineNode):
        current = node.extra["source"]  # stats() reports per group of the node it watches
    else:
        current = node.parents[0] if node.parents else None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.type in ("FromNode", "QueryNode"):
            call = current.last("groupBy")
            args = [a for a in (call.args if call is not None else []) if type(a).__name__ != "TimeDimension"]
            return group_words(args)
        if current.type == "GroupByNode":
            return group_words(current.args)
        if current.type == "StatsNode" and isinstance(current.extra.get("source"), PipelineNode):
            # stats() reports per group of the node it watches
            current = current.extra["source"]
            continue
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
    if grouping(node):
        closes = ("A group's window closes only when a point of that same group at or after its end arrives "
                  "(a point of another group does not close it; nothing is emitted at the end of the data).")
    else:
        closes = "A window closes only when a point at or after its end arrives (nothing is emitted at the end of the data)."
    return text + ". " + closes


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
    per = duration(prop(node, 'unit')) if prop(node, 'unit') else '1s'
    groups = grouping(node)
    text = f"Computes the rate of change of {field} (change per {per}) between consecutive points"
    text += f" of the same group ({groups})" if groups else ""
    if prop(node, "nonNegative"):
        text += "; negative changes are dropped"
    text += "; the first point of each group only sets the starting value (nothing is passed on)"
    # As in Kapacitor, the result goes to the input field itself unless .as() names another.
    alias = prop(node, "as")
    if alias is None or alias == (node.args[0] if node.args else None):
        return text + f"; the result is written as the field {field} (replacing its value)."
    return text + f"; the result is written as the field {literal(alias)}."


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
    parents = ", ".join(label(p) for p in node.parents)
    on = node.last("on")
    if on is not None and on.args:
        scope = f", matching on {group_words(on.args)}"
    else:
        scope = per_group(node)
    text = f"Joins {parents}{scope}: points"
    if tolerance is not None:
        # Kapacitor rounds each time to the tolerance and joins equal rounded times: two points
        # closer than the tolerance can still round apart (10s and 10.5s round to 10s and 11s).
        text += (f" whose times, rounded to the nearest {duration(tolerance)}, are equal are joined into one "
                 f"(points closer than {duration(tolerance)} can still round to different times)")
    else:
        text += " with exactly the same time are joined into one"
    text += f"; their fields are prefixed {names}"
    fill = prop(node, "fill")
    if fill is None or fill == "none":
        text += ("; a point with no partner is dropped (an inner join: no .fill()); sets are matched as the "
                 "parents move past their time")
    elif fill == "null":
        text += "; a point with no partner is still emitted, the missing side's fields set to null (.fill('null'): an outer join)"
    else:
        text += (f"; a point with no partner is still emitted, the missing side's fields set to {literal(fill)} "
                 f"(.fill({literal(fill)}): an outer join)")
    return text + "."


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
    text = ""
    alert = _deadman_alert(node)
    if alert is not None:
        crit = prop(alert, "crit")
        condition = expression(crit) if crit is not None else '"emitted" <= threshold'
        text = ("Added by deadman(): `|deadman(threshold, interval)` is shorthand for "
                "|stats(interval).align() |derivative('emitted').unit(interval).nonNegative() "
                f"|alert().crit(lambda: {condition}). ")
    return text + (f"Every {duration(node.args[0]) if node.args else '?'}, reports how many points {watched} has emitted "
                   f"so far{per_group(node) or ''}, as a point named 'stats' with the field 'emitted' "
                   f"(tickpy run ticks on the points' time).")


def _deadman_alert(stats: PipelineNode) -> PipelineNode | None:
    """The alert a deadman() built after this stats node, if it was built by deadman()."""
    for child in stats.children:
        for grandchild in child.children:
            if grandchild.type == "AlertNode" and grandchild.extra.get("deadman"):
                return grandchild
    return None


def _deadman_part(node: PipelineNode) -> str:
    """"Part of deadman() ..." for the derivative and alert nodes a deadman() built."""
    alert = node if node.type == "AlertNode" else next(iter(node.children), None) if node.type == "DerivativeNode" else None
    if alert is None or not alert.extra.get("deadman"):
        return ""
    derivative = alert.parents[0] if alert.parents else None
    stats = derivative.parents[0] if derivative is not None and derivative.parents else None
    return f"Part of deadman() (see {label(stats)}). " if stats is not None else "Part of deadman(). "


def _noop(node: PipelineNode, pipeline: Pipeline) -> str:
    parent = node.parents[0] if node.parents else None
    if parent is not None and len(parent.children) == 1 and any(
            n.type == "StatsNode" and n.extra.get("source") is parent for n in pipeline.nodes):
        return (f"Added by Kapacitor, not by the script: {label(parent)} is watched by stats()/deadman() and "
                f"has no other child, so this node gives it one (its points are counted as they leave it). "
                f"It does nothing else; ignore it.")
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


def explain(pipeline: Pipeline, program=None, given_vars=()) -> list[str]:
    """One paragraph per node, in the order the script builds them. With the parsed `program`,
    a template var that has no value (not in `given_vars`) is shown by name where it is used."""
    paragraphs = []
    unset = unset_var_uses(program, given_vars) if program is not None else []
    if unset:
        names = ", ".join(dict.fromkeys(name for name, _type, _offset in unset))
        paragraphs.append(f"Template: the vars {names} have no value here (give them with --vars); "
                          "their uses are shown as <var NAME (TYPE), not given>.")
    for number, node in enumerate(pipeline.nodes, 1):
        try:
            shown = with_placeholders(node, unset) if unset else node
            described = describe(shown, pipeline)
        except Exception:  # a placeholder where a number is needed: describe the zero value
            described = describe(node, pipeline)
        text = f"{number}. {label(node)}: {_deadman_part(node)}{described}"
        text += lambda_problems(node)
        if len(node.children) > 1:
            text += f" Its output goes to each of {', '.join(label(c) for c in node.children)}."
        if node.parents and len(node.parents) == 1 and (
                node.parents[0] is not _previous(pipeline, node) or len(node.parents[0].children) > 1):
            # Said of every child of a branching node, not only of those listed out of order.
            text += f" (It reads from {label(node.parents[0])}.)"
        if not node.children and node.type not in SINKS and node.type != "NoOpNode":
            text += " Nothing uses its output."
        paragraphs.append(text)
    return paragraphs


# Nodes whose work is done when nothing follows them.
SINKS = frozenset({"AlertNode", "HTTPOutNode", "HTTPPostNode", "InfluxDBOutNode", "LogNode",
                   "KapacitorLoopbackNode", "StreamNode", "BatchNode"})


def _previous(pipeline: Pipeline, node: PipelineNode) -> PipelineNode | None:
    index = pipeline.nodes.index(node)
    return pipeline.nodes[index - 1] if index > 0 else None


def explain_text(pipeline: Pipeline, program=None, given_vars=()) -> str:
    return "\n".join(explain(pipeline, program, given_vars))


# --------------------------------------------------------------------------- template vars


def unset_var_uses(program, given_vars) -> list[tuple[str, str, int]]:
    """(name, type, source offset) of each use of a declared var (`var x type`) that has no value."""
    from tickpy.syntax import ast

    declared = {s.name.name: s.type_name.name for s in program.statements
                if type(s) is ast.TypeDeclaration and s.name.name not in set(given_vars or ())}
    if not declared:
        return []
    declarations = {id(s.name) for s in program.statements if type(s) is ast.TypeDeclaration}
    return [(node.name, declared[node.name], node.span.offset) for node in ast.walk(program)
            if type(node) is ast.Identifier and node.name in declared and id(node) not in declarations]


def with_placeholders(node: PipelineNode, unset: list[tuple[str, str, int]]) -> PipelineNode:
    """A copy of `node` whose arguments that came from a var without a value read
    `<var NAME (TYPE), not given>` (the node itself is left alone)."""
    import copy

    from tickpy.check.pipeline import PropertyCall

    def placeholder(span):
        for name, type_name, offset in unset:
            if span.offset <= offset < span.end_offset:
                return Unset(f"<var {name} ({type_name}), not given>")
        return None

    properties = []
    changed = False
    for call in node.properties:
        shown = placeholder(call.span) if call.args else None
        if shown is not None:
            call = PropertyCall(call.name, [shown] * len(call.args), call.span)
            changed = True
        properties.append(call)
    args = node.args
    outside = [u for u in unset if not any(c.span.offset <= u[2] < c.span.end_offset for c in node.properties)]
    shown = placeholder(node.span) if node.args and outside else None
    if shown is not None:
        unset_here = [u for u in outside if node.span.offset <= u[2] < node.span.end_offset]
        if unset_here and len(node.args) == 1:
            args = [shown]
            changed = True
    if not changed:
        return node
    copied = copy.copy(node)
    copied.properties = properties
    copied.args = args
    return copied


# --------------------------------------------------------------------------- lambdas that fail


def lambda_problems(node: PipelineNode) -> str:
    """" Note: ..." for each of the node's lambdas that is certain to fail: one that Kapacitor
    refuses when the task starts (`kapacitor define` accepts it: lambdas are compiled only when
    the task is enabled), or one that fails on every point."""
    from tickpy.diagnostics import ERROR
    from tickpy.syntax import ast

    try:
        from tickpy.lang.typecheck import check_lambda
    except ImportError:
        return ""
    notes = []
    predicates = {"where", "crit", "warn", "info", "critReset", "warnReset", "infoReset"}
    lambdas = [("predicate" if node.type == "WhereNode" else "eval", a) for a in node.args if isinstance(a, ast.Lambda)]
    lambdas += [("predicate" if call.name in predicates else "eval", a)
                for call in node.properties for a in call.args if isinstance(a, ast.Lambda)]
    for mode, lam in lambdas:
        if lam.expression is None:
            continue
        try:
            problems = check_lambda(lam, mode=mode)
        except Exception:
            continue
        for problem in problems:
            text = f"lambda: {expression(lam)}"
            if problem.severity == ERROR:
                notes.append(f" Note: {text} would stop this task from starting (`kapacitor define` accepts it, "
                             f"`kapacitor enable` and tickpy run refuse it): {problem.message}.")
            else:
                notes.append(f" Note: {text} fails on every point (Kapacitor logs: {problem.message}).")
    return "".join(notes)


__all__ = ["describe", "explain", "explain_text"]

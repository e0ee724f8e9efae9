"""One declaration per kind of pipeline node: what tickpy knows about it before it runs.

A `NodeKind` gathers, for one catalogue type (`WindowNode`), the facts every stage reads:

- `check`: Kapacitor's consistency checks of the node (its `validate()`), run by
  `tickpy.check.build_pipeline` once the script is evaluated; raise `RuleError`.
- `describe`: the node in plain sentences, for `tickpy explain` (built from
  `tickpy.check.node_words`).
- `working_cardinality`: whether Kapacitor's node publishes a `working_cardinality` gauge
  (`tickpy run --stats`; the others show 0 there, as Kapacitor's do).
- `sink`: its work is done when nothing follows it (`tickpy explain` does not say "Nothing
  uses its output").

The runtime class that runs the kind registers against its declaration
(`tickpy.runtime.nodes.base.register("WindowNode")` refuses an undeclared type), and
`tickpy.observe` reads the hooks that class documents. Every catalogue node type has exactly
one declaration here (tests/check/test_node_kinds.py), in alphabetical order below, each
section holding the kind's rules, its sentence and its declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tickpy.check.node_rules import (
    RuleError,
    at_call,
    check_autoscale,
    check_autoscale_replicas,
    check_dimensions,
    check_prefixes,
    go_type,
    last_arg,
    last_args,
    nanoseconds,
)
from tickpy.check.node_words import (
    call_text,
    duration,
    expression,
    group_words,
    grouping,
    label,
    literal,
    per_group,
    plural,
    prop,
    unit,
)
from tickpy.check.pipeline import Pipeline, PipelineNode


@dataclass(frozen=True, slots=True)
class NodeKind:
    type: str  # the catalogue type: "WindowNode"
    describe: Callable[[PipelineNode, Pipeline], str]
    check: Callable[[PipelineNode], None] | None = None  # None: the catalogue's checks are all
    working_cardinality: bool = False
    sink: bool = False


NODE_KINDS: dict[str, NodeKind] = {}


def declare(kind: NodeKind) -> NodeKind:
    if kind.type in NODE_KINDS:
        raise RuntimeError(f"node kind {kind.type} declared twice")
    NODE_KINDS[kind.type] = kind
    return kind


def node_kind(node_type: str) -> NodeKind:
    """The declaration of a pipeline node's type (KeyError for a type that has none)."""
    return NODE_KINDS[node_type]


def _names(values: list) -> str:
    """'a', 'b' and 'c' ("?" for none)."""
    shown = [literal(value) for value in values] or ["?"]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _flat_args(node: PipelineNode, name: str) -> list:
    """The arguments of every .name(...) call, in order (lists flattened)."""
    values: list = []
    for call in node.all(name):
        for arg in call.args:
            values.extend(arg if isinstance(arg, list) else [arg])
    return values


def _same_time(node: PipelineNode) -> str:
    tolerance = prop(node, "tolerance")
    return f" (within {duration(tolerance)} of each other)" if tolerance is not None else ""


# ---------------------------------------------------------------------- alert


LEVELS = (("crit", "CRITICAL"), ("warn", "WARNING"), ("info", "INFO"))


def check_alert(node: PipelineNode) -> None:
    for handler in node.handlers:
        if handler.kind == "snmpTrap":
            oid = handler.args[0] if handler.args else ""
            if not oid:
                raise RuleError(".snmpTrap() needs a trap OID", f'invalid SNMP trap "{oid}": you must supply a trap Oid')
            for call in handler.properties:
                if call.name == "data" and len(call.args) == 3 and call.args[1] not in ("c", "i", "n", "s", "t"):
                    raise RuleError(
                        f".data() type must be one of c, i, n, s, t, got {call.args[1]!r}",
                        f'invalid SNMP trap "{oid}": unsupported data type "{call.args[1]}" for data entry "{call.args[0]}"',
                    )
    for handler in node.handlers:
        if handler.kind == "post":
            for call in handler.properties:
                if call.name == "header" and call.args and str(call.args[0]).upper() == "AUTHENTICATE":
                    raise RuleError("the 'Authenticate' header cannot be set", "invalid post: cannot set 'authenticate' header")


def describe_alert(node: PipelineNode, pipeline: Pipeline) -> str:
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
    category = prop(node, "category")
    if category is not None:
        sentences.append(f"It is in category {literal(category)}: while an alert with .inhibit({literal(category)}, ...) "
                         "is not OK for matching tags, its events are dropped")
    inhibited = [_inhibited_words(call.args) for call in node.all("inhibit")]
    if inhibited:
        sentences.append(f"While one of its groups is not OK, alerts in {' and in '.join(inhibited)} have their events dropped")
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


def _inhibited_words(args: list) -> str:
    """Whose events one `.inhibit(category, tags...)` drops: "category 'cpu' with that group's 'host'"."""
    category, *tags = args
    text = f"category {literal(category)}"
    return text + f" with that group's {literal(tags)}" if tags else text + " (any tags)"


declare(NodeKind("AlertNode", describe=describe_alert, check=check_alert, working_cardinality=True, sink=True))


# -------------------------------------------------------------------- barrier


def check_barrier(node: PipelineNode) -> None:
    idle = nanoseconds(last_arg(node, "idle"))
    period = nanoseconds(last_arg(node, "period"))
    if idle and period:
        raise RuleError("set either .idle() or .period() on |barrier(), not both", "cannot specify both idle and period")
    if period == 0 and idle <= 0:
        raise RuleError("|barrier() needs .idle() greater than zero (or a .period())", "idle must be greater than zero")
    if period <= 0 and idle == 0:
        raise RuleError("|barrier() needs .period() greater than zero", "period must be greater than zero")


def describe_barrier(node: PipelineNode, pipeline: Pipeline) -> str:
    idle = prop(node, "idle")
    words = grouping(node)
    groups = f"group (by {words})" if words else "group"
    when = (f", once a {groups} has had no data for {duration(idle)}, adds a barrier to it" if idle is not None
            else f" adds a barrier to each {groups} every {duration(prop(node, 'period'))}")
    text = (f"Passes the data on and{when} (on Kapacitor's clock; tickpy run: on the data's time): the nodes "
            "below take that group's time as having reached it (a window emits, a join stops waiting), and the "
            "group's data older than it is dropped.")
    if prop(node, "delete") is True:
        text += " After each barrier the group is deleted, here and below, until it sends data again."
    return text


declare(NodeKind("BarrierNode", describe=describe_barrier, check=check_barrier, working_cardinality=True))


# ---------------------------------------------------------------------- batch


def describe_batch(node: PipelineNode, pipeline: Pipeline) -> str:
    return "Batch task: the queries below run against InfluxDB on a schedule; each result is a batch."


declare(NodeKind("BatchNode", describe=describe_batch, sink=True))


# --------------------------------------------------------------- changeDetect


def describe_change_detect(node: PipelineNode, pipeline: Pipeline) -> str:
    fields = [name for arg in node.args for name in (arg if isinstance(arg, list) else [arg])]
    what = f"the field {_names(fields)}" if len(fields) == 1 else f"any of the fields {_names(fields)}"
    if node.wants == "batch":
        return (f"Keeps, in each batch, only the points where {what} differs from the last point kept (the first "
                "point is kept).")
    return (f"Passes a point on only when {what} differs from the last point passed{per_group(node)} (the first "
            "point of each group passes); the others are dropped.")


declare(NodeKind("ChangeDetectNode", describe=describe_change_detect, working_cardinality=True))


# -------------------------------------------------------------------- combine


def check_combine(node: PipelineNode) -> None:
    call = node.last("as")
    with at_call(call.span if call else None):
        check_prefixes(node, len(node.args), "combinations", last_arg(node, "delimiter", "."), combine=True)


def describe_combine(node: PipelineNode, pipeline: Pipeline) -> str:
    tests = " / ".join(expression(arg) for arg in node.args)
    names = last_args(node, "as") or []
    delimiter = last_arg(node, "delimiter", ".")
    return (f"Combines points of the same time{_same_time(node)}{per_group(node)}: every set of {len(node.args)} "
            f"different points that match {tests} in turn becomes one point, whose fields and tags are prefixed "
            f"{_names(names)} with {literal(delimiter)}.")


declare(NodeKind("CombineNode", describe=describe_combine, check=check_combine, working_cardinality=True))


# -------------------------------------------------------------------- default


def check_default(node: PipelineNode) -> None:
    for call in node.all("field"):
        if len(call.args) == 2 and type(call.args[1]) not in (float, int, bool, str):
            raise RuleError(
                f"the default for field {call.args[0]!r} must be a float, int, string or bool",
                f'unsupported type {go_type(call.args[1])} for field "{call.args[0]}", field default values must be float,int,string or bool',
                span=call.span,
            )


def describe_default(node: PipelineNode, pipeline: Pipeline) -> str:
    parts = [f"{'field' if call.name == 'field' else 'tag'} {literal(call.args[0])} = {literal(call.args[1])}"
             for call in node.properties if call.name in ("field", "tag") and len(call.args) == 2]
    return "Fills in missing values: " + ("; ".join(parts) or "none given") + "."


declare(NodeKind("DefaultNode", describe=describe_default, check=check_default))


# --------------------------------------------------------------------- delete


def describe_delete(node: PipelineNode, pipeline: Pipeline) -> str:
    parts = [f"{call.name} {literal(call.args[0])}" for call in node.properties if call.name in ("field", "tag") and call.args]
    return "Removes " + (", ".join(parts) or "nothing") + " from each point."


declare(NodeKind("DeleteNode", describe=describe_delete))


# ----------------------------------------------------------------- derivative


def describe_derivative(node: PipelineNode, pipeline: Pipeline) -> str:
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


declare(NodeKind("DerivativeNode", describe=describe_derivative, working_cardinality=True))


# --------------------------------------------------------------- ec2Autoscale


def describe_autoscale(node: PipelineNode, pipeline: Pipeline) -> str:
    """ec2Autoscale, k8sAutoscale, swarmAutoscale: what is scaled, to what, within which bounds."""
    def named(name_property: str, tag_property: str) -> str:
        name, tag = prop(node, name_property), prop(node, tag_property)
        return f"named {literal(name)}" if name is not None else f"named by the tag {literal(tag)}" if tag is not None else "?"

    if node.type == "Ec2AutoscaleNode":
        target = f"the AWS EC2 autoscaling group {named('groupName', 'groupNameTag')}"
    elif node.type == "K8sAutoscaleNode":
        kind = prop(node, "kind", "deployments")
        target = f"the Kubernetes resource of kind {literal(kind)} {named('resourceName', 'resourceNameTag')}"
    else:
        target = f"the Docker Swarm service {named('serviceName', 'serviceNameTag')}"
    replicas = prop(node, "replicas")
    text = f"Scales {target} to {expression(replicas) if replicas is not None else '?'} replicas, computed for each {unit(node)}"
    low, high = prop(node, "min"), prop(node, "max")
    if low is not None or high is not None:
        text += f" and kept within {literal(low) if low is not None else 1} .. {literal(high) if high is not None else 'no maximum'}"
    cooldowns = [f"{duration(prop(node, name))} after {what}" for name, what in
                 (("increaseCooldown", "an increase"), ("decreaseCooldown", "a decrease")) if prop(node, name) is not None]
    if cooldowns:
        text += f"; it waits {' and '.join(cooldowns)}"
    return text + "; it passes on a point for each change it makes (tickpy run does not scale anything)."


def check_ec2_autoscale(node: PipelineNode) -> None:
    check_autoscale(node, "groupName", "groupNameTag")
    check_autoscale_replicas(node)


declare(NodeKind("Ec2AutoscaleNode", describe=describe_autoscale, check=check_ec2_autoscale, working_cardinality=True))


# ----------------------------------------------------------------------- eval


def check_eval(node: PipelineNode) -> None:
    names = last_args(node, "as") or []
    as_call = node.last("as")
    if len(names) != len(node.args) and as_call is not None:
        with at_call(as_call.span):
            _eval_counts(node, names)
    _eval_counts(node, names)
    tags_call = node.last("tags")
    with at_call(tags_call.span if tags_call else None):
        _eval_tags(node, names)


def _eval_counts(node: PipelineNode, names: list) -> None:
    if len(names) != len(node.args):
        raise RuleError(
            f"|eval() has {len(node.args)} expression(s) but .as() names {len(names)}",
            f"must specify same number of expressions and .as() names: got {len(names)} as names, and {len(node.args)} expressions.",
            hint="give each expression a name with .as('name', ...)",
        )


def _eval_tags(node: PipelineNode, names: list) -> None:
    for tag in last_args(node, "tags") or []:
        if tag not in names:
            raise RuleError(
                f".tags() names {tag!r}, which is not one of the .as() names",
                f'invalid tag name "{tag}", name is not present is .as() names',
            )


def describe_eval(node: PipelineNode, pipeline: Pipeline) -> str:
    names = [str(a) for a in last_args(node, "as") or []]
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


declare(NodeKind("EvalNode", describe=describe_eval, check=check_eval, working_cardinality=True))


# -------------------------------------------------------------------- flatten


def describe_flatten(node: PipelineNode, pipeline: Pipeline) -> str:
    tags = _flat_args(node, "on")
    delimiter = last_arg(node, "delimiter", ".")
    text = (f"Flattens the points of the same time{_same_time(node)} into one point{per_group(node)}: each field is "
            f"renamed to the values of its point's tags {_names(tags)}")
    if prop(node, "dropOriginalFieldName") is True:
        return text + f", joined by {literal(delimiter)} (its own name is dropped)."
    return text + (f" then its own name, joined by {literal(delimiter)} (port=80 bytes=1 and port=443 bytes=2, "
                   "flattened on 'port', become 80.bytes=1,443.bytes=2).")


declare(NodeKind("FlattenNode", describe=describe_flatten, working_cardinality=True))


# ----------------------------------------------------------------------- from


def check_from(node: PipelineNode) -> None:
    call = node.last("groupBy")
    with at_call(call.span if call else None):
        check_dimensions(list(call.args) if call else [], [])


def describe_from(node: PipelineNode, pipeline: Pipeline) -> str:
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


declare(NodeKind("FromNode", describe=describe_from, check=check_from))


# -------------------------------------------------------------------- groupBy


def check_group_by(node: PipelineNode) -> None:
    excluded = [d for call in node.all("exclude") for d in call.args]
    check_dimensions(list(node.args), excluded)


def describe_group_by(node: PipelineNode, pipeline: Pipeline) -> str:
    text = f"Regroups the data by {group_words(node.args) or 'nothing (one group)'}"
    exclude = node.last("exclude")
    if exclude is not None and exclude.args:
        text += f" except {literal(exclude.args)}"
    if prop(node, "byMeasurement"):
        text += ", and by measurement"
    return text + "."


# Kapacitor's groupBy gauge counts the batch groups it keeps; stream points never enter that map,
# so a stream task shows 0 (the gauge exists, as Kapacitor's does).
declare(NodeKind("GroupByNode", describe=describe_group_by, check=check_group_by))


# -------------------------------------------------------------------- httpOut


def describe_http_out(node: PipelineNode, pipeline: Pipeline) -> str:
    name = literal(node.args[0]) if node.args else "?"
    return f"Keeps the latest result of each group, served at the task's HTTP endpoint {name}."


declare(NodeKind("HTTPOutNode", describe=describe_http_out, sink=True, working_cardinality=True))


# ------------------------------------------------------------------- httpPost


def check_http_post(node: PipelineNode) -> None:
    urls = list(node.args)
    endpoints = [c.args[0] for c in node.all("endpoint") if c.args]
    if len(urls) >= 2:
        raise RuleError(f"|httpPost() takes at most one URL, got {len(urls)}", f"httpPost expects 0 or 1 arguments, got {len(urls)}")
    if len(endpoints) > 1:
        raise RuleError(f"|httpPost() takes at most one .endpoint(), got {len(endpoints)}", f"httpPost expects 0 or 1 endpoints, got {len(endpoints)}")
    if not urls and not endpoints:
        raise RuleError("|httpPost() needs a URL or an .endpoint()", "must provide url or endpoint")
    if urls and endpoints:
        raise RuleError("|httpPost() takes a URL or an .endpoint(), not both", "only one endpoint and url may be specified")
    for call in node.all("header"):
        if call.args and str(call.args[0]).upper() == "AUTHENTICATE":
            raise RuleError("the 'Authenticate' header cannot be set", "cannot set 'authenticate' header")


def describe_http_post(node: PipelineNode, pipeline: Pipeline) -> str:
    endpoint = prop(node, "endpoint")
    where = (literal(node.args[0]) if node.args else
             f"the URL of the endpoint {literal(endpoint)} of the configuration's [[httppost]] sections")
    text = f"Posts each {unit(node)} as JSON (Kapacitor's result format) to {where}, and passes it on"
    code_field = prop(node, "codeField")
    if code_field is not None:
        text += f" with the answer's HTTP status code in the field {literal(code_field)} (0 when nothing answered)"
    return text + "."


declare(NodeKind("HTTPPostNode", describe=describe_http_post, check=check_http_post, sink=True,
                 working_cardinality=True))


# ---------------------------------------------------------------- influxDBOut


def describe_influxdb_out(node: PipelineNode, pipeline: Pipeline) -> str:
    database, retention_policy = prop(node, "database", ""), prop(node, "retentionPolicy", "")
    measurement = prop(node, "measurement")
    text = f"Writes the data to InfluxDB database {literal(database)}"
    if retention_policy:
        text += f", retention policy {literal(retention_policy)}"
    if measurement:
        text += f", as measurement {literal(measurement)}"
    return text + " (tickpy run prints these lines)."


declare(NodeKind("InfluxDBOutNode", describe=describe_influxdb_out, sink=True))


# ------------------------------------------- influxQL: mean, top, movingAverage, ...


# InfluxQL functions (the node is named after its function): what each computes (selectors keep
# a point, aggregates compute a value).
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


def describe_influxql(node: PipelineNode, pipeline: Pipeline) -> str:
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


declare(NodeKind("InfluxQLNode", describe=describe_influxql, working_cardinality=True))


# ----------------------------------------------------------------------- join


def check_join(node: PipelineNode) -> None:
    call = node.last("as")
    with at_call(call.span if call else None):
        check_prefixes(node, len(node.parents), "joined streams", last_arg(node, "delimiter", "."), combine=False)


def describe_join(node: PipelineNode, pipeline: Pipeline) -> str:
    as_call = node.last("as")
    names = literal(as_call.args) if as_call is not None else "?"
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


declare(NodeKind("JoinNode", describe=describe_join, check=check_join, working_cardinality=True))


# --------------------------------------------------------------- k8sAutoscale


def check_k8s_autoscale(node: PipelineNode) -> None:
    check_autoscale(node, "resourceName", "resourceNameTag")
    kind = last_arg(node, "kind", "deployments")
    if kind not in ("deployments", "replicasets", "replicationcontrollers"):
        raise RuleError(
            f".kind() must be 'deployments', 'replicasets' or 'replicationcontrollers', got {kind!r}",
            f"invalid Kind, must be 'deployments', 'replicasets' or 'replicationcontrollers', got {kind}",
        )
    check_autoscale_replicas(node)


declare(NodeKind("K8sAutoscaleNode", describe=describe_autoscale, check=check_k8s_autoscale, working_cardinality=True))


# ---------------------------------------------------------- kapacitorLoopback


def check_loopback(node: PipelineNode) -> None:
    if not last_arg(node, "database", ""):
        raise RuleError("|kapacitorLoopback() needs .database()", "must specify a database")
    if not last_arg(node, "retentionPolicy", ""):
        raise RuleError("|kapacitorLoopback() needs .retentionPolicy()", "must specify a retention policy")


def describe_loopback(node: PipelineNode, pipeline: Pipeline) -> str:
    text = (f"Writes each point back into Kapacitor's own stream, to database {literal(prop(node, 'database', ''))}, "
            f"retention policy {literal(prop(node, 'retentionPolicy', ''))}")
    measurement = prop(node, "measurement")
    if measurement is not None:
        text += f", as measurement {literal(measurement)}"
    tags = [f"{literal(call.args[0])}={literal(call.args[1])}" for call in node.all("tag") if len(call.args) == 2]
    if tags:
        text += f", with the tags {', '.join(tags)}"
    return text + ", where other tasks read it (tickpy run prints these lines)."


declare(NodeKind("KapacitorLoopbackNode", describe=describe_loopback, check=check_loopback, sink=True))


# ------------------------------------------------------------------------ log


def describe_log(node: PipelineNode, pipeline: Pipeline) -> str:
    return f"Logs every {unit(node)} it sees (level {literal(prop(node, 'level', 'INFO'))}) and passes it on."


declare(NodeKind("LogNode", describe=describe_log, sink=True))


#  noOp: not a TICKscript node; Kapacitor adds one after a node watched by stats() that has no other child


def describe_noop(node: PipelineNode, pipeline: Pipeline) -> str:
    parent = node.parents[0] if node.parents else None
    if parent is not None and len(parent.children) == 1 and any(
            n.type == "StatsNode" and n.extra.get("source") is parent for n in pipeline.nodes):
        return (f"Added by Kapacitor, not by the script: {label(parent)} is watched by stats()/deadman() and "
                f"has no other child, so this node gives it one (its points are counted as they leave it). "
                f"It does nothing else; ignore it.")
    return f"Passes every {unit(node)} on unchanged."


declare(NodeKind("NoOpNode", describe=describe_noop))


# ---------------------------------------------------------------------- query


def describe_query(node: PipelineNode, pipeline: Pipeline) -> str:
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


declare(NodeKind("QueryNode", describe=describe_query))


# ------------------------------------------------------------------ queryFlux


def describe_query_flux(node: PipelineNode, pipeline: Pipeline) -> str:
    text = f"Runs the Flux query {literal(node.args[0]) if node.args else '?'}"
    every, cron, period = prop(node, "every"), prop(node, "cron"), prop(node, "period")
    if cron is not None:
        text += f" on the schedule {literal(cron)}"
    elif every is not None:
        text += f" every {duration(every)}"
    if period is not None:
        text += f", over the last {duration(period)}"
    return text + "; each result is a batch."


declare(NodeKind("QueryFluxNode", describe=describe_query_flux))


# --------------------------------------------------------------------- sample


def describe_sample(node: PipelineNode, pipeline: Pipeline) -> str:
    rate = node.args[0] if node.args else "?"
    return f"Keeps one {unit(node)} out of every {duration(rate)}."


declare(NodeKind("SampleNode", describe=describe_sample, working_cardinality=True))


# ---------------------------------------------------------------------- shift


def describe_shift(node: PipelineNode, pipeline: Pipeline) -> str:
    return f"Shifts each {unit(node)}'s time by {duration(node.args[0]) if node.args else '?'}."


declare(NodeKind("ShiftNode", describe=describe_shift))


# ------------------------------------------------------------------- sideload


def describe_sideload(node: PipelineNode, pipeline: Pipeline) -> str:
    added = [f"{kind} {literal(call.args[0])} (default {literal(call.args[1])})"
             for kind in ("field", "tag") for call in node.all(kind) if len(call.args) == 2]
    order = _flat_args(node, "order")
    return (f"Adds to each {unit(node)} the {', '.join(added) if added else 'values'} read from {literal(prop(node, 'source', ''))}: "
            f"the first of the files {_names(order)} (templates filled in with the point's tags) "
            "that has a value gives it, else the default.")


declare(NodeKind("SideloadNode", describe=describe_sideload))


# -------------------------------------------------- stateCount, stateDuration


def describe_state(node: PipelineNode, pipeline: Pipeline) -> str:
    test = expression(node.args[0]) if node.args else "?"
    what = "for how long" if node.type == "StateDurationNode" else "for how many points in a row"
    default_name = "state_duration" if node.type == "StateDurationNode" else "state_count"
    return f"Counts {what} {test} has been true{per_group(node)}, as the field {literal(prop(node, 'as', default_name))}."


declare(NodeKind("StateCountNode", describe=describe_state, working_cardinality=True))
declare(NodeKind("StateDurationNode", describe=describe_state, working_cardinality=True))


# ----------------------------- stats (and deadman(), which adds a stats node)


def describe_stats(node: PipelineNode, pipeline: Pipeline) -> str:
    source = node.extra.get("source")
    watched = label(source) if isinstance(source, PipelineNode) else "its source"
    text = ""
    alert = deadman_alert(node)
    if alert is not None:
        crit = prop(alert, "crit")
        condition = expression(crit) if crit is not None else '"emitted" <= threshold'
        text = ("Added by deadman(): `|deadman(threshold, interval)` is shorthand for "
                "|stats(interval).align() |derivative('emitted').unit(interval).nonNegative() "
                f"|alert().crit(lambda: {condition}). ")
    return text + (f"Every {duration(node.args[0]) if node.args else '?'}, reports how many points {watched} has emitted "
                   f"so far{per_group(node) or ''}, as a point named 'stats' with the field 'emitted' "
                   f"(tickpy run ticks on the points' time).")


def deadman_alert(stats: PipelineNode) -> PipelineNode | None:
    """The alert a deadman() built after this stats node, if it was built by deadman()."""
    for child in stats.children:
        for grandchild in child.children:
            if grandchild.type == "AlertNode" and grandchild.extra.get("deadman"):
                return grandchild
    return None


declare(NodeKind("StatsNode", describe=describe_stats))


# --------------------------------------------------------------------- stream


def describe_stream(node: PipelineNode, pipeline: Pipeline) -> str:
    if pipeline.dbrps:
        where = " and ".join(f'"{db}"."{rp}"' for db, rp in pipeline.dbrps)
        return f"Stream task: every point written to {where} enters here, in time order."
    return "Stream task: every point written to the task's database and retention policy enters here, in time order."


declare(NodeKind("StreamNode", describe=describe_stream, sink=True))


# ------------------------------------------------------------- swarmAutoscale


def check_swarm_autoscale(node: PipelineNode) -> None:
    check_autoscale(node, "serviceName", "serviceNameTag")
    check_autoscale_replicas(node)


declare(NodeKind("SwarmAutoscaleNode", describe=describe_autoscale, check=check_swarm_autoscale,
                 working_cardinality=True))


# -------------------------------------------------------------------- trickle


def describe_trickle(node: PipelineNode, pipeline: Pipeline) -> str:
    return "Turns each batch back into single points: the nodes below get a stream."


declare(NodeKind("TrickleNode", describe=describe_trickle))


# ------------------------------------------------------------- UDFs (@name())


def describe_udf(node: PipelineNode, pipeline: Pipeline) -> str:
    options = "".join(f".{call.name}({', '.join(literal(arg) for arg in call.args)})" for call in node.properties)
    with_options = f" with the options {options}" if options else ""
    return (f"Sends each {unit(node)} to the user-defined function {call_text(node)}{with_options} (a program or "
            "socket set up in Kapacitor's configuration) and passes on what it answers (tickpy run does not run UDFs).")


declare(NodeKind("UDFNode", describe=describe_udf))


# ---------------------------------------------------------------------- union


def describe_union(node: PipelineNode, pipeline: Pipeline) -> str:
    return f"Merges the data of {', '.join(label(p) for p in node.parents)} into one stream."


declare(NodeKind("UnionNode", describe=describe_union))


# ---------------------------------------------------------------------- where


def describe_where(node: PipelineNode, pipeline: Pipeline) -> str:
    test = expression(node.args[0]) if node.args else "?"
    thing = "points" if node.wants == "stream" else "batch points"
    return (f"Keeps only the {thing} for which {test} is true; the others are dropped silently "
            f"(a point missing a field it reads is dropped with an error).")


declare(NodeKind("WhereNode", describe=describe_where, working_cardinality=True))


# --------------------------------------------------------------------- window


def check_window(node: PipelineNode) -> None:
    period = nanoseconds(last_arg(node, "period"))
    period_count = last_arg(node, "periodCount", 0)
    every_count = last_arg(node, "everyCount", 0)
    if period_count and period:
        raise RuleError("set either .period() or .periodCount(), not both", "cannot specify both period and periodCount")
    if period_count and node.last("align"):
        raise RuleError(".align() only works with time windows, not with .periodCount()", "can only align windows based off time, not count")
    if period_count and every_count <= 0:
        raise RuleError(".everyCount() must be greater than zero with .periodCount()", "everyCount must be greater than zero")


def describe_window(node: PipelineNode, pipeline: Pipeline) -> str:
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


declare(NodeKind("WindowNode", describe=describe_window, check=check_window, working_cardinality=True))


__all__ = ["NODE_KINDS", "NodeKind", "RuleError", "declare", "node_kind"]

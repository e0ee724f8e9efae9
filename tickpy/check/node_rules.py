"""Kapacitor's per-node consistency checks, run after the whole script is evaluated (its
`validate()` methods). These messages carry no position in Kapacitor; we point at the node.

The rules read the node's recorded property calls, so they follow Kapacitor's semantics of
each setter: `.as()` replaces the names, `.endpoint()` appends, a field keeps its last value.
"""

from __future__ import annotations

from typing import Any, Callable

from tickpy.check.pipeline import PipelineNode
from tickpy.lang.values import Duration, StarValue
from tickpy.syntax import ast


class RuleError(Exception):
    def __init__(self, message: str, kapacitor: str, hint: str | None = None, span: ast.Span | None = None):
        self.message = message
        self.kapacitor = kapacitor
        self.hint = hint
        self.span = span  # the call at fault, when it is one call; else the node is shown
        super().__init__(message)


def _at(span: ast.Span | None):
    """Attach a call's position to a RuleError raised inside the block."""

    class _Attach:
        def __enter__(self):
            return self

        def __exit__(self, kind, err, tb):
            if isinstance(err, RuleError) and err.span is None:
                err.span = span
            return False

    return _Attach()


def _last(node: PipelineNode, name: str, default: Any = None) -> Any:
    call = node.last(name)
    if call is None or not call.args:
        return default
    return call.args[0]


def _last_args(node: PipelineNode, name: str) -> list | None:
    call = node.last(name)
    return None if call is None else list(call.args)


def _ns(value: Any) -> int:
    return value.nanoseconds if type(value) is Duration else 0


def _go_type(value: Any) -> str:
    from tickpy.check.catalogue import load
    from tickpy.check.values import go_type_of

    return go_type_of(value, load())


def _words(value: Any) -> str:
    return {
        bool: "a bool",
        int: "an int",
        float: "a float",
        Duration: "a duration",
        ast.Reference: 'a double-quoted reference ("...")',
        ast.Lambda: "a lambda",
        list: "a list",
    }.get(type(value)) or _any_words(value)


def _any_words(value: Any) -> str:
    from tickpy.check.evaluate import _a
    from tickpy.check.values import kind_of_value

    return _a(kind_of_value(value))


def _dimensions(dimensions: list, excluded: list) -> None:
    has_star = False
    for d in dimensions:
        if type(d) is str:
            if not d:
                raise RuleError("a group-by tag name cannot be empty", "dimensions cannot not be the empty string")
        elif type(d) is StarValue:
            has_star = True
        else:
            raise RuleError(
                f"groupBy takes tag names in single quotes or *, not {_words(d)}",
                f"invalid dimension object of type {_go_type(d)}",
                hint="write tag names as 'host'" if type(d) is ast.Reference else None,
            )
    if has_star and len(dimensions) > 1:
        raise RuleError("groupBy(*) cannot be combined with named tags", "cannot group by both '*' and named dimensions.")
    if not has_star and excluded:
        raise RuleError(".exclude() only works after groupBy(*)", "exclude requires '*'")


def check_from(node: PipelineNode) -> None:
    call = node.last("groupBy")
    with _at(call.span if call else None):
        _dimensions(list(call.args) if call else [], [])


def check_group_by(node: PipelineNode) -> None:
    excluded = [d for call in node.all("exclude") for d in call.args]
    _dimensions(list(node.args), excluded)


def check_window(node: PipelineNode) -> None:
    period = _ns(_last(node, "period"))
    period_count = _last(node, "periodCount", 0)
    every_count = _last(node, "everyCount", 0)
    if period_count and period:
        raise RuleError("set either .period() or .periodCount(), not both", "cannot specify both period and periodCount")
    if period_count and node.last("align"):
        raise RuleError(".align() only works with time windows, not with .periodCount()", "can only align windows based off time, not count")
    if period_count and every_count <= 0:
        raise RuleError(".everyCount() must be greater than zero with .periodCount()", "everyCount must be greater than zero")


def check_barrier(node: PipelineNode) -> None:
    idle = _ns(_last(node, "idle"))
    period = _ns(_last(node, "period"))
    if idle and period:
        raise RuleError("set either .idle() or .period() on |barrier(), not both", "cannot specify both idle and period")
    if period == 0 and idle <= 0:
        raise RuleError("|barrier() needs .idle() greater than zero (or a .period())", "idle must be greater than zero")
    if period <= 0 and idle == 0:
        raise RuleError("|barrier() needs .period() greater than zero", "period must be greater than zero")


def _prefixes(node: PipelineNode, count: int, what: str, delimiter: str, combine: bool) -> None:
    names = _last_args(node, "as") or []
    if not names:
        raise RuleError(
            f"|{node.name}() needs .as() to name its {what}",
            f"a call to {node.name}.as() is required to specify the output stream prefixes.",
            hint=f".as({', '.join(repr(f'p{i}') for i in range(max(count, 1)))})",
        )
    if len(names) != count:
        if combine:
            raise RuleError(
                f".as() gives {len(names)} names for {count} expressions",
                "number of prefixes specified by combine.as() must match the number of combine expressions",
            )
        raise RuleError(
            f".as() gives {len(names)} names for {count} joined streams",
            "number of prefixes specified by join.as() must match the number of joined streams",
        )
    for name in names:
        if not name:
            raise RuleError(
                "a name given to .as() is empty",
                f"must provide a prefix name for the {node.name} node, see .as() property method",
            )
        if delimiter and delimiter in name:
            if combine:
                kap = f"cannot use name {name} as field prefix, it contains the delimiter character {delimiter}"
            else:
                kap = f'cannot use name {name} as field prefix, it contains the delimiter "{delimiter}"\t'
            raise RuleError(f"the name {name!r} contains the delimiter {delimiter!r}", kap)
    if len(set(names)) != len(names):
        raise RuleError("the names given to .as() must be different", "cannot use the same prefix name see .as() property method")


def check_join(node: PipelineNode) -> None:
    call = node.last("as")
    with _at(call.span if call else None):
        _prefixes(node, len(node.parents), "joined streams", _last(node, "delimiter", "."), combine=False)


def check_combine(node: PipelineNode) -> None:
    call = node.last("as")
    with _at(call.span if call else None):
        _prefixes(node, len(node.args), "combinations", _last(node, "delimiter", "."), combine=True)


def check_eval(node: PipelineNode) -> None:
    names = _last_args(node, "as") or []
    as_call = node.last("as")
    if len(names) != len(node.args) and as_call is not None:
        with _at(as_call.span):
            _eval_counts(node, names)
    _eval_counts(node, names)
    tags_call = node.last("tags")
    with _at(tags_call.span if tags_call else None):
        _eval_tags(node, names)


def _eval_counts(node: PipelineNode, names: list) -> None:
    if len(names) != len(node.args):
        raise RuleError(
            f"|eval() has {len(node.args)} expression(s) but .as() names {len(names)}",
            f"must specify same number of expressions and .as() names: got {len(names)} as names, and {len(node.args)} expressions.",
            hint="give each expression a name with .as('name', ...)",
        )


def _eval_tags(node: PipelineNode, names: list) -> None:
    for tag in _last_args(node, "tags") or []:
        if tag not in names:
            raise RuleError(
                f".tags() names {tag!r}, which is not one of the .as() names",
                f'invalid tag name "{tag}", name is not present is .as() names',
            )


def check_default(node: PipelineNode) -> None:
    for call in node.all("field"):
        if len(call.args) == 2 and type(call.args[1]) not in (float, int, bool, str):
            raise RuleError(
                f"the default for field {call.args[0]!r} must be a float, int, string or bool",
                f'unsupported type {_go_type(call.args[1])} for field "{call.args[0]}", field default values must be float,int,string or bool',
                span=call.span,
            )


def _autoscale(node: PipelineNode, name_field: str, tag_field: str, label: str) -> None:
    name = _last(node, name_field, "")
    tag = _last(node, tag_field, "")
    if bool(name) == bool(tag):
        go_name = name_field[0].upper() + name_field[1:]
        go_tag = tag_field[0].upper() + tag_field[1:]
        raise RuleError(
            f"set exactly one of .{name_field}() and .{tag_field}()",
            f"must specify exactly one of {go_name} or {go_tag}",
        )


def _autoscale_tail(node: PipelineNode) -> None:
    minimum = _last(node, "min", 1)
    if type(minimum) is int and minimum < 1:
        raise RuleError(f".min() must be at least 1, got {minimum}", f"min must be >= 1, got {minimum}")
    if node.last("replicas") is None:
        raise RuleError(f"|{node.name}() needs .replicas(lambda: ...)", "must provide a replicas lambda expression")


def check_ec2(node: PipelineNode) -> None:
    _autoscale(node, "groupName", "groupNameTag", "group")
    _autoscale_tail(node)


def check_swarm(node: PipelineNode) -> None:
    _autoscale(node, "serviceName", "serviceNameTag", "service")
    _autoscale_tail(node)


def check_k8s(node: PipelineNode) -> None:
    _autoscale(node, "resourceName", "resourceNameTag", "resource")
    kind = _last(node, "kind", "deployments")
    if kind not in ("deployments", "replicasets", "replicationcontrollers"):
        raise RuleError(
            f".kind() must be 'deployments', 'replicasets' or 'replicationcontrollers', got {kind!r}",
            f"invalid Kind, must be 'deployments', 'replicasets' or 'replicationcontrollers', got {kind}",
        )
    _autoscale_tail(node)


def check_loopback(node: PipelineNode) -> None:
    if not _last(node, "database", ""):
        raise RuleError("|kapacitorLoopback() needs .database()", "must specify a database")
    if not _last(node, "retentionPolicy", ""):
        raise RuleError("|kapacitorLoopback() needs .retentionPolicy()", "must specify a retention policy")


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


RULES: dict[str, Callable[[PipelineNode], None]] = {
    "FromNode": check_from,
    "GroupByNode": check_group_by,
    "WindowNode": check_window,
    "BarrierNode": check_barrier,
    "JoinNode": check_join,
    "CombineNode": check_combine,
    "EvalNode": check_eval,
    "DefaultNode": check_default,
    "Ec2AutoscaleNode": check_ec2,
    "SwarmAutoscaleNode": check_swarm,
    "K8sAutoscaleNode": check_k8s,
    "KapacitorLoopbackNode": check_loopback,
    "HTTPPostNode": check_http_post,
    "AlertNode": check_alert,
}

"""`|k8sAutoscale()`, `|swarmAutoscale()`, `|ec2Autoscale()` (Kapacitor's autoscale.go).

Each point (or batch point) names a resource (a Kubernetes deployment, a swarm service, an EC2
autoscaling group: by a name or a tag); the `.replicas()` lambda, with the resource's current
replica count in `.currentField()`, gives the wanted count, bounded by `.min()`/`.max()`. A
change outside its direction's cooldown (`.increaseCooldown()`, `.decreaseCooldown()`, on the
points' time) is an event: the node emits Kapacitor's point (fields old and new, the group's
tags plus the resource's tags) and the scale request Kapacitor would send goes to the capture
sink, marked not sent (tickpy contacts no cluster). Kapacitor asks the cluster for a resource's
current count the first time it sees it; tickpy takes it from `--replicas NAME=N` or the
`[tickpy.replicas]` table of --config (`ctx.shared["replicas"]`: name -> count), and reports a
resource it is not given as Kapacitor reports one the cluster does not know (a node error, the
point dropped).
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

from tickpy.runtime.messages import BatchMessage, Dimensions, PointMessage
from tickpy.runtime.nodes.base import RuntimeNode, register

GO_ZERO_TIME_NS = -62_135_596_800 * 10**9  # time.Time{}: the last change of a resource never changed
K8S_NAMESPACE_DEFAULT = "default"


class _Failed(Exception):
    pass


class _ResourceState:
    __slots__ = ("current", "last_increase", "last_decrease")

    def __init__(self, current: int):
        self.current = current
        self.last_increase = GO_ZERO_TIME_NS
        self.last_decrease = GO_ZERO_TIME_NS


class AutoscaleNode(RuntimeNode, metaclass=ABCMeta):
    """What the three kinds share; a kind says how a resource is named, tagged and requested."""

    service = ""  # the captured request's kind

    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.min = int(self.property_value("min", 1))
        self.max = int(self.property_value("max", 0))
        self.increase_cooldown = self.duration_property("increaseCooldown", 0)
        self.decrease_cooldown = self.duration_property("decreaseCooldown", 0)
        self.current_field = str(self.property_value("currentField", "") or "")
        self.cluster = str(self.property_value("cluster", "") or "")
        self.compiled = self.compile_lambda(self.property_value("replicas"), "eval")
        self.group_state = ("evaluators",)
        self.evaluators: dict[str, Any] = {}
        self.states: dict[str, _ResourceState] = {}
        self.counts = {"increase_events": 0, "decrease_events": 0, "cooldown_drops": 0}
        self.known_replicas: dict[str, int] = ctx.shared.get("replicas") or {}
        self.requests: list[dict] = []  # the scale requests that would have been sent, in order

    # ---- what a kind defines ----

    @abstractmethod
    def resource(self, tags: dict) -> tuple[str, str]:
        """(its id, its full name) of the point's resource; _Failed without one."""

    @abstractmethod
    def resource_tags(self, resource: tuple[str, str], tags: dict) -> None:
        """Add the resource's tags to an event point's tags (SetResourceIDOnTags)."""

    @abstractmethod
    def request(self, resource: tuple[str, str], old: int, new: int) -> dict:
        """The request that would set the resource's replicas to `new`."""

    def _named(self, name_property: str, tag_property: str, tags: dict, names: str) -> str:
        name = str(self.property_value(name_property, "") or "")
        tag = str(self.property_value(tag_property, "") or "")
        if name:
            return name
        if not tag:
            raise _Failed(f"expected one of {names} to be set")
        name = tags.get(tag, "")
        if not name:
            raise _Failed("could not determine the name of the resource")
        return name

    # ---- data ----

    def point(self, msg: PointMessage) -> None:
        self._handle(msg.name, msg.dimensions, msg.group, msg.fields, msg.tags, msg.time, "error handling point")

    def batch(self, msg: BatchMessage) -> None:
        for point in msg.points:
            self._handle(msg.name, msg.dimensions, msg.group, point.fields, point.tags, point.time,
                         "error batch handling point")

    def _handle(self, name: str, dimensions: Dimensions, group: str, fields, tags, time: int, what: str) -> None:
        try:
            out = self._event(name, dimensions, group, fields, tags, time)
        except _Failed as failure:
            self.error(f"{what}: {failure}", time)
            return
        if out is not None:
            self.forward_point(out)

    def _event(self, name, dimensions, group, fields, tags, time) -> PointMessage | None:
        resource = self.resource(tags)
        key = resource[0]
        state = self.states.get(key)
        if state is None:
            current = self.known_replicas.get(resource[1], self.known_replicas.get(key))
            if current is None:
                raise _Failed(f'could not determine initial scale for "{resource[1]}": its current replicas are not '
                              f"given (tickpy run --replicas {key}=N, or [tickpy.replicas] in --config)")
            state = self.states[key] = _ResourceState(int(current))
        new = self._replicas(state.current, group, fields, tags, time)
        old = state.current
        if self.max > 0 and new > self.max:
            new = self.max
        if new < self.min:
            new = self.min
        if new == old:
            return None
        if new > old:
            if time < state.last_increase + self.increase_cooldown:
                self.counts["cooldown_drops"] += 1
                return None
            state.last_increase = time
            self.counts["increase_events"] += 1
        else:
            if time < state.last_decrease + self.decrease_cooldown:
                self.counts["cooldown_drops"] += 1
                return None
            state.last_decrease = time
            self.counts["decrease_events"] += 1
        state.current = new
        self._capture(resource, old, new, time)
        out_tags = {tag: tags.get(tag, "") for tag in dimensions.tag_names}
        self.resource_tags(resource, out_tags)
        return PointMessage(name, out_tags, {"old": old, "new": new}, time, dimensions)

    def _replicas(self, current: int, group: str, fields, tags, time: int) -> int:
        evaluator = self.evaluators.get(group)
        if evaluator is None:
            evaluator = self.evaluators[group] = self.compiled.new_evaluator()
        # Kapacitor sets the current count first; a field or tag of the same name replaces it.
        given = {self.current_field: current, **fields} if self.current_field else fields
        try:
            scope = self.compiled.fill_scope(given, tags, time)
            return self.compiled.root.eval_int(scope, evaluator.state)
        except Exception as error:  # GoError, LambdaRuntimeError: Kapacitor logs and drops the point
            raise _Failed(f"failed to evaluate the replicas expression: {getattr(error, 'message', error)}") from None

    def _capture(self, resource: tuple[str, str], old: int, new: int, time: int) -> None:
        request = {"cluster": self.cluster, "node": self.label, "resource": resource[1], "old": old, "new": new,
                   "time": time, "request": self.request(resource, old, new)}
        self.requests.append(request)
        service = self.ctx.alert_service
        sink = service.capture_sink() if service is not None and hasattr(service, "capture_sink") else None
        if sink is not None:
            sink.capture_record(self.service, request,
                                f"{self.service} scale {resource[1]} from {old} to {new} replicas (node {self.label})")

    def extra_stats(self) -> dict[str, Any]:
        return dict(self.counts)


@register("K8sAutoscaleNode")
class K8sAutoscaleNode(AutoscaleNode):
    service = "k8s"

    def resource(self, tags):
        name = self._named("resourceName", "resourceNameTag", tags, "ResourceName or ResourceNameTag")
        namespace = str(self.property_value("namespace", "") or "") or K8S_NAMESPACE_DEFAULT
        kind = str(self.property_value("kind", "deployments"))
        return name, f"{namespace}/{kind}/{name}"

    def resource_tags(self, resource, tags):
        namespace, kind, name = resource[1].split("/", 2)
        for tag_property, default, value in (("namespaceTag", "namespace", namespace), ("kindTag", "kind", kind),
                                             ("resourceTag", "resource", name)):
            tag = str(self.property_value(tag_property, default))
            if tag:
                tags[tag] = value

    def request(self, resource, old, new):
        namespace, kind, name = resource[1].split("/", 2)
        # Kapacitor's k8s client: a JSON patch of the scale's selfLink (the scale GET before it answers that)
        return {"method": "PATCH", "path": f"/apis/extensions/v1beta1/namespaces/{namespace}/{kind}/{name}/scale",
                "content_type": "application/json-patch+json",
                "body": [{"op": "replace", "path": "/spec/replicas", "value": new}]}


@register("SwarmAutoscaleNode")
class SwarmAutoscaleNode(AutoscaleNode):
    service = "swarm"

    def resource(self, tags):
        name = self._named("serviceName", "serviceNameTag", tags, "ServiceName or ServiceNameTag")
        return name, name

    def resource_tags(self, resource, tags):
        tag = str(self.property_value("outputServiceNameTag", "") or "") or str(self.property_value("serviceNameTag", "") or "")
        if tag:
            tags[tag] = resource[0]

    def request(self, resource, old, new):
        return {"method": "POST", "path": f"/services/{resource[0]}/update",
                "body": {"Mode": {"Replicated": {"Replicas": new}}}}


@register("Ec2AutoscaleNode")
class Ec2AutoscaleNode(AutoscaleNode):
    service = "ec2"

    def resource(self, tags):
        name = self._named("groupName", "groupNameTag", tags, "GroupName or GroupNameTag")
        return name, name

    def resource_tags(self, resource, tags):
        tag = str(self.property_value("outputGroupNameTag", "") or "") or str(self.property_value("groupNameTag", "") or "")
        if tag:
            tags[tag] = resource[0]

    def request(self, resource, old, new):
        return {"action": "UpdateAutoScalingGroup", "AutoScalingGroupName": resource[0], "DesiredCapacity": new}

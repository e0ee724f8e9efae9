"""The UDFs a run has (agents from `[udf.functions]`, Python UDFs), and one running UDF per node.

    registry = UDFRegistry(configs, python_udfs)
    registry.infos(names)            -> {name: UDFInfo}    (the checker validates `@name()` with them)
    session = registry.start(name, task, node, options, on_stderr=..., on_message=...)
    session.point(msg) / session.batch(msg) / session.close()  -> the messages the UDF produced

A session turns tickpy's messages into the UDF's and back, as Kapacitor's udf.Server does: a
point's fields split by type, a batch as begin, points, end; an agent's answers made into
points (their group from their dimensions) or buffered into a batch (grouped by all its tags).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from tickpy.check.evaluate import UDFInfo
from tickpy.lang.values import Duration
from tickpy.runtime.messages import BatchMessage, BatchPoint, Dimensions, PointMessage
from tickpy.runtime.udf import wire
from tickpy.runtime.udf.agent import Agent, AgentError, ConfigProblem, FunctionConfig, function_configs, load_info
from tickpy.runtime.udf.errors import UDFError
from tickpy.runtime.udf.inprocess import Batch, Begin, End, Point, UDFDefinition, load_module_udfs
from tickpy.syntax import ast

_TYPE_NUMBERS = {name: number for number, name in wire.VALUE_TYPE_NAMES.items()}


def info_of_response(name: str, info: dict) -> UDFInfo:
    options = {option: [wire.VALUE_TYPE_NAMES.get(kind, str(kind)) for kind in entry.get("valueTypes", [])]
               for option, entry in info.get("options", {}).items()}
    return UDFInfo(name, wire.EDGE_NAMES.get(info.get("wants", 0), "stream"),
                   wire.EDGE_NAMES.get(info.get("provides", 0), "stream"), options)


class UDFRegistry:
    """The UDFs of a run by name: agent configurations and in-process Python UDFs."""

    def __init__(self, agents: dict[str, FunctionConfig] | None = None,
                 python: dict[str, UDFDefinition] | None = None):
        self.agents = dict(agents or {})
        self.python = dict(python or {})
        self._infos: dict[str, UDFInfo] = {}

    def names(self) -> set[str]:
        return set(self.agents) | set(self.python)

    def infos(self, names, on_stderr: Callable[[str, str], None] | None = None) -> dict[str, UDFInfo]:
        """The UDFInfo of each of `names` the registry has; an agent is started once for its info,
        as Kapacitor does when it starts (UDFError if that fails)."""
        out = {}
        for name in names:
            if name in self.python:
                udf = self.python[name]
                out[name] = UDFInfo(name, udf.wants, udf.provides, dict(udf.options))
            elif name in self.agents:
                if name not in self._infos:
                    sink = (lambda line, n=name: on_stderr(n, line)) if on_stderr else None
                    try:
                        self._infos[name] = info_of_response(name, load_info(self.agents[name], on_stderr=sink))
                    except AgentError as error:
                        raise UDFError(name, f"failed to load process info: {error.reason}", error.stderr) from None
                out[name] = self._infos[name]
        return out

    def start(self, name: str, task: str, node: str, options: list[tuple[str, list[Any], list[str]]], *,
              on_stderr: Callable[[str], None] | None = None,
              on_message: Callable[[str, str, dict], None] | None = None) -> Any:
        """A started and initialised session of UDF `name` for one node. `options` are the
        script's (name, values, declared types), in call order. UDFError if it fails."""
        if name in self.python:
            return PythonSession(name, self.python[name], options, on_message=on_message)
        return AgentSession(name, self.agents[name], task, node, options, on_stderr=on_stderr, on_message=on_message)


def called_udfs(program) -> set[str]:
    """The names the script calls with `@name()`."""
    names: set[str] = set()
    stack = [program]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not dataclasses.is_dataclass(node):
            continue
        if isinstance(node, ast.Function) and node.kind == "dynamic":
            names.add(node.name)
        stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return names


def build_registry(config_sections: dict | None, given: dict | None = None, modules=()) -> UDFRegistry | None:
    """The UDFs of a run: `[udf.functions]` of the configuration (agents, or `module = ...`
    Python UDFs), `modules` (each "module" or "module:object" of Python UDFs) and `given` (name
    -> UDFDefinition or FunctionConfig). None when there are none. ConfigProblem, ImportError or
    ValueError for what cannot be loaded."""
    agents: dict[str, FunctionConfig] = {}
    python: dict[str, UDFDefinition] = {}
    for name, config in function_configs(config_sections or {}).items():
        if config.module:
            found = load_module_udfs(config.module)
            if ":" in config.module or len(found) == 1:
                python[name] = next(iter(found.values()))
            elif name in found:
                python[name] = found[name]
            else:
                raise ConfigProblem(f"UDF {name}: module {config.module} declares no UDF named {name}: name one "
                                    "with module = \"MODULE:OBJECT\"")
        else:
            agents[name] = config
    for spec in modules:
        python.update(load_module_udfs(spec))
    for name, udf in (given or {}).items():
        if isinstance(udf, FunctionConfig):
            agents[name] = udf
        else:
            python[name] = udf
    for name in python:
        agents.pop(name, None)
    if not agents and not python:
        return None
    return UDFRegistry(agents, python)


# --------------------------------------------------------------------------- agents


def _typed_fields(fields) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for key, value in fields.items():
        kind = type(value)
        if kind is bool:
            out.setdefault("fieldsBool", {})[key] = value
        elif kind is int:
            out.setdefault("fieldsInt", {})[key] = value
        elif kind is float:
            out.setdefault("fieldsDouble", {})[key] = value
        else:
            out.setdefault("fieldsString", {})[key] = str(value)
    return out


def _fields_of(point: dict) -> dict:
    """Kapacitor's typeMapsToFields: strings, then integers, floats and booleans."""
    fields: dict[str, Any] = {}
    for key in ("fieldsString", "fieldsInt", "fieldsDouble", "fieldsBool"):
        fields.update(point.get(key, {}))
    return fields


def point_request(msg: PointMessage) -> dict:
    values = {"time": msg.time, "name": msg.name, "database": msg.database,
              "retentionPolicy": msg.retention_policy, "group": msg.group,
              "dimensions": list(msg.dimensions.tag_names), "byName": msg.dimensions.by_name,
              "tags": dict(msg.tags)}
    values.update(_typed_fields(msg.fields))
    return values


def batch_requests(msg: BatchMessage) -> list[tuple[str, dict]]:
    requests: list[tuple[str, dict]] = [("begin", {"name": msg.name, "group": msg.group, "tags": dict(msg.tags),
                                                   "size": len(msg.points), "byName": msg.dimensions.by_name})]
    for point in msg.points:
        values = {"time": point.time, "group": msg.group, "tags": dict(point.tags)}
        values.update(_typed_fields(point.fields))
        requests.append(("point", values))
    requests.append(("end", {"name": msg.name, "group": msg.group, "tmax": msg.tmax, "tags": dict(msg.tags)}))
    return requests


def _option_value(value: Any, kind: str) -> dict:
    number = _TYPE_NUMBERS[kind]
    if isinstance(value, Duration):
        value = value.nanoseconds
    return {"type": number, wire.VALUE_FIELDS[number]: value}


class AgentSession:
    """One agent (a process or a socket connection) serving one node."""

    def __init__(self, name: str, config: FunctionConfig, task: str, node: str, options, *,
                 on_stderr=None, on_message=None):
        self.name = name
        self.agent = Agent(config, task, node, on_stderr=on_stderr, on_message=on_message)
        self._begin: dict | None = None
        self._batch_points: list[BatchPoint] | None = None
        init_options = [{"name": option, "values": [_option_value(v, k) for v, k in zip(values, kinds)]}
                        for option, values, kinds in options]
        try:
            self.agent.open()
            self.agent.init(init_options)
        except AgentError as error:
            self.agent.failed = self.agent.failed or error
            self.agent.close()  # a failed agent is only ended
            raise UDFError(name, error.reason, error.stderr) from None

    def point(self, msg: PointMessage) -> list:
        return self._exchange([("point", point_request(msg))])

    def batch(self, msg: BatchMessage) -> list:
        return self._exchange(batch_requests(msg))

    def _exchange(self, requests: list[tuple[str, dict]]) -> list:
        try:
            return self._messages(self.agent.send(requests))
        except AgentError as error:
            self.abort()
            raise UDFError(self.name, error.reason, error.stderr) from None

    def close(self) -> list:
        try:
            return self._messages(self.agent.close())
        except AgentError as error:
            raise UDFError(self.name, error.reason, error.stderr) from None

    def abort(self) -> None:
        """End the agent at once (the task stops)."""
        if self.agent.failed is None:
            self.agent.failed = AgentError("aborted")
        self.agent.close()

    def _messages(self, responses: list[dict]) -> list:
        out: list = []
        for response in responses:
            kind = wire.which(response)
            values = response[kind]
            if kind == "begin":
                self._begin = values
                self._batch_points = []
            elif kind == "point":
                if self._batch_points is not None:
                    self._batch_points.append(BatchPoint(values.get("time", 0), _fields_of(values),
                                                         values.get("tags", {})))
                else:
                    dimensions = Dimensions(values.get("byName", False), tuple(values.get("dimensions", ())))
                    out.append(PointMessage(values.get("name", ""), values.get("tags", {}), _fields_of(values),
                                            values.get("time", 0), dimensions,
                                            database=values.get("database", ""),
                                            retention_policy=values.get("retentionPolicy", "")))
            elif kind == "end":
                tags = values.get("tags", {})
                by_name = (self._begin or {}).get("byName", False)
                out.append(BatchMessage(values.get("name", ""), tags, Dimensions(by_name, tuple(sorted(tags))),
                                        values.get("tmax", 0), self._batch_points or []))
                self._begin = None
                self._batch_points = None
        return out


# --------------------------------------------------------------------------- in-process


class PythonSession:
    """A Python UDF's instance serving one node."""

    def __init__(self, name: str, udf: UDFDefinition, options, *, on_message=None):
        self.name = name
        self.udf = udf
        self.on_message = on_message
        given = {}
        for option, values, _ in options:
            converted = [v.nanoseconds if isinstance(v, Duration) else v for v in values]
            given[option] = converted[0] if len(converted) == 1 else tuple(converted)
        self._trace("sent", "init", given)
        try:
            self.instance = udf(given)
        except Exception as error:
            raise UDFError(name, f"failed to initialize: {type(error).__name__}: {error}") from None
        self._begin: Begin | None = None

    def _trace(self, direction: str, kind: str, value: Any) -> None:
        if self.on_message is not None:
            self.on_message(direction, kind, value)

    def _call(self, method: str, argument: Any) -> Any:
        handler = getattr(self.instance, method, None)
        if handler is None:
            raise UDFError(self.name, f"{type(self.instance).__name__} has no {method}() for the data it gets")
        self._trace("sent", method, argument)
        try:
            return handler(argument)
        except UDFError:
            raise
        except Exception as error:
            raise UDFError(self.name, f"error processing request of type {method}: {type(error).__name__}: {error}") from None

    def point(self, msg: PointMessage) -> list:
        point = Point(msg.time, dict(msg.fields), dict(msg.tags), msg.name, msg.database, msg.retention_policy,
                      msg.group, list(msg.dimensions.tag_names), msg.dimensions.by_name)
        return self._outputs(self._call("point", point))

    def batch(self, msg: BatchMessage) -> list:
        out = self._outputs(self._call("begin_batch", Begin(msg.name, msg.group, dict(msg.tags), len(msg.points),
                                                            msg.dimensions.by_name)))
        for item in msg.points:
            out += self._outputs(self._call("point", Point(item.time, dict(item.fields), dict(item.tags),
                                                           group=msg.group)))
        out += self._outputs(self._call("end_batch", End(msg.name, msg.group, dict(msg.tags), msg.tmax,
                                                         msg.dimensions.by_name)))
        return out

    def close(self) -> list:
        """The end of the task: a UDF with a close() may still produce data."""
        closing = getattr(self.instance, "close", None)
        if closing is None:
            return []
        self._trace("sent", "close", None)
        try:
            return self._outputs(closing())
        except UDFError:
            raise
        except Exception as error:
            raise UDFError(self.name, f"error in close: {type(error).__name__}: {error}") from None

    def abort(self) -> None:
        """Nothing runs outside tickpy: nothing to end."""

    def _outputs(self, returned: Any) -> list:
        if returned is None:
            return []
        items = returned if isinstance(returned, (list, tuple)) else [returned]
        out: list = []
        for item in items:
            self._trace("received", type(item).__name__.lower(), item)
            if isinstance(item, Point):
                dimensions = Dimensions(item.by_name, tuple(item.dimensions))
                out.append(PointMessage(item.name, dict(item.tags), dict(item.fields), item.time, dimensions,
                                        database=item.database, retention_policy=item.retention_policy))
            elif isinstance(item, Batch):
                tags = dict(item.tags)
                points = [BatchPoint(p.time, dict(p.fields), dict(p.tags)) for p in item.points]
                out.append(BatchMessage(item.name, tags, Dimensions(item.by_name, tuple(sorted(tags))), item.tmax,
                                        points))
            else:
                raise UDFError(self.name, f"a handler returned {type(item).__name__}, not a tickpy.udf.Point or Batch")
        return out


__all__ = ["AgentSession", "PythonSession", "UDFError", "UDFRegistry", "batch_requests", "build_registry",
           "called_udfs", "info_of_response", "point_request"]

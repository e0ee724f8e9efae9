"""Python UDFs that run inside tickpy: no process, no protobuf (`tickpy.udf` is the public name).

    import tickpy.udf as udf

    @udf.function(wants="stream", provides="stream", options={"field": "string", "size": "int", "as": "string"})
    class movingAverage:
        def __init__(self, options):          # the script's .field('value') ... as {"field": "value", ...}
            ...                               # raise ValueError to refuse them (the task does not start)
        def point(self, point):               # a udf.Point; return a Point, a list of them, or None
            ...

A UDF that wants batches gets `begin_batch(begin)` (a udf.Begin), `point(point)` for each of its
points and `end_batch(end)` (a udf.End); one that provides batches returns udf.Batch objects. Each
`@name()` node of a task gets its own instance, as each gets its own agent process in Kapacitor.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import dataclass, field
from typing import Any

_TYPES = {"bool": "bool", "int": "int", "double": "double", "float": "double", "string": "string", "str": "string",
          "duration": "duration", bool: "bool", int: "int", float: "double", str: "string"}


@dataclass(slots=True)
class Point:
    """A point, as an agent gets it (the fields of udf.proto's Point)."""

    time: int
    fields: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)
    name: str = ""
    database: str = ""
    retention_policy: str = ""
    group: str = ""
    dimensions: list[str] = field(default_factory=list)
    by_name: bool = False


@dataclass(slots=True)
class Begin:
    """The start of a batch: its name, group, group tags and number of points."""

    name: str
    group: str
    tags: dict[str, str]
    size: int
    by_name: bool = False


@dataclass(slots=True)
class End:
    """The end of a batch: as Begin, with its time (tmax)."""

    name: str
    group: str
    tags: dict[str, str]
    tmax: int
    by_name: bool = False


@dataclass(slots=True)
class Batch:
    """A batch a UDF provides: its name, group tags, time (tmax) and points (time, fields, tags)."""

    name: str
    tags: dict[str, str]
    tmax: int
    points: list[Point] = field(default_factory=list)
    by_name: bool = False


class UDFDefinition:
    """What `@function(...)` makes of a class: its name, edges, options and the class itself."""

    def __init__(self, factory: Any, name: str, wants: str, provides: str, options: dict[str, list[str]]):
        self.factory = factory
        self.name = name
        self.wants = wants
        self.provides = provides
        self.options = options

    def __call__(self, options: dict) -> Any:
        return self.factory(options)

    def __repr__(self) -> str:
        return f"<tickpy UDF {self.name}: wants {self.wants}, provides {self.provides}>"


def _option_types(name: str, declared: Any) -> list[str]:
    kinds = declared if isinstance(declared, (list, tuple)) else [declared]
    out = []
    for kind in kinds:
        if kind not in _TYPES:
            raise TypeError(f"option {name}: unknown type {kind!r} (bool, int, double, string, duration)")
        out.append(_TYPES[kind])
    return out


def function(*, wants: str = "stream", provides: str = "stream", options: dict | None = None, name: str | None = None):
    """Class decorator: declare a Python UDF. `options` maps each option to its type (or a list of
    types for an option taking several arguments): "bool", "int", "double", "string", "duration"
    (or bool, int, float, str). `name` is how scripts call it (default: the class's name)."""
    for edge, value in (("wants", wants), ("provides", provides)):
        if value not in ("stream", "batch"):
            raise ValueError(f"{edge} must be 'stream' or 'batch', not {value!r}")
    declared = {key: _option_types(key, kinds) for key, kinds in (options or {}).items()}

    def decorate(cls):
        if not callable(cls):
            raise TypeError("@tickpy.udf.function decorates a class (or a factory taking the options)")
        return UDFDefinition(cls, name or cls.__name__, wants, provides, declared)

    return decorate


def load_module_udfs(spec: str) -> dict[str, UDFDefinition]:
    """The UDFs `--udf-module` names: "module:object" (that one) or "module" (every UDF it defines).
    ImportError/ValueError with what is wrong."""
    module_name, _, object_name = spec.partition(":")
    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")  # as `python -m`: modules beside the user are found
    module = importlib.import_module(module_name)
    if object_name:
        target: Any = module
        for part in object_name.split("."):
            target = getattr(target, part, None)
            if target is None:
                raise ValueError(f"module {module_name} has no {object_name}")
        if not isinstance(target, UDFDefinition):
            raise ValueError(f"{spec} is not a UDF declared with @tickpy.udf.function")
        return {target.name: target}
    found = {value.name: value for _, value in inspect.getmembers(module) if isinstance(value, UDFDefinition)}
    if not found:
        raise ValueError(f"module {module_name} declares no UDF with @tickpy.udf.function")
    return found


__all__ = ["Batch", "Begin", "End", "Point", "UDFDefinition", "function", "load_module_udfs"]

"""sideload: add fields and tags from YAML/JSON files, as Kapacitor's sideload node does.

`.source('file:///dir')` names a directory; every file under it is read once at task start
(YAML through JSON, so every number is a float64, as Kapacitor's ghodss/yaml reads it).
`.order('host/{{.host}}.yml', 'default.yml')` gives, per point, the files to look in, first
match wins; `.field(name, default)` and `.tag(name, default)` say what to set, the default
giving the type the value is converted to. Only file sources run offline: an http(s) source
or a named endpoint is reported as unsupported before any point is read.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path
from typing import Any

from tickpy.golang.goformat import GoNumError, atoi, format_float_f, parse_bool, parse_float
from tickpy.golang.gojson import unmarshal
from tickpy.golang.gotypes import go_type_name
from tickpy.runtime.messages import BatchMessage, BatchPoint, PointMessage
from tickpy.runtime.nodes.base import RuntimeNode, register


class ConversionError(Exception):
    pass


def convert_type(value: Any, default: Any) -> Any:
    """Kapacitor's convertType: the file's value as the type of the default."""
    kind, source = type(default), type(value)
    if kind is int:
        if source is int:
            return value
        if source is float and float(int(value)) == value:
            return int(value)
        if source is str:
            try:
                return atoi(value)
            except GoNumError as err:
                raise ConversionError(f"cannot convert string to int64: {err}") from None
    elif kind is float:
        if source in (int, float):
            return float(value)
        if source is str:
            try:
                return parse_float(value)
            except GoNumError as err:
                raise ConversionError(f"cannot convert string to float64: {err}") from None
    elif kind is bool:
        if source is bool:
            return value
        if source is str:
            try:
                return parse_bool(value)
            except GoNumError as err:
                raise ConversionError(f"cannot convert string to bool: {err}") from None
    elif kind is str:
        if source is int:
            return str(value)
        if source is float:
            return format_float_f(value)
        if source is bool:
            return "true" if value else "false"
        if source is str:
            return value
    raise ConversionError(f"cannot convert value of type {go_type_name(value)} to type {go_type_name(default)}")


def _json_numbers_as_floats(value):
    if type(value) is int:
        return float(value)
    if isinstance(value, dict):
        return {k: _json_numbers_as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_numbers_as_floats(v) for v in value]
    return value


def load_directory(directory: Path) -> dict[str, dict[str, Any]]:
    """Every file under `directory` by its relative path: its top-level values."""
    import yaml  # deferred: start-up (only a sideload node needs it)

    from tickpy.golang.goyaml import SafeLoader

    cache: dict[str, dict[str, Any]] = {}
    for root, _dirs, files in os.walk(directory):
        for name in files:
            path = Path(root) / name
            relative = os.path.relpath(path, directory)
            text = path.read_text(encoding="utf-8")
            suffix = path.suffix
            if suffix in (".yml", ".yaml"):
                values = yaml.load(text, Loader=SafeLoader) or {}
            elif suffix == ".json":
                values = unmarshal(text)  # past float64: "number out of range", as Go refuses it
            else:
                values = {}
            if not isinstance(values, dict):
                raise ValueError(f"failed to unmarshal values {str(path)!r}: not a map")
            cache[relative] = {str(k): _json_numbers_as_floats(v) for k, v in values.items()}
    return cache


@register("SideloadNode")
class SideloadNode(RuntimeNode):
    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        import yaml  # deferred: start-up (only a sideload node needs it)

        # deferred: start-up (the Go template engine, ~0.1 s, only for a task that uses it)
        from tickpy.golang.gotemplate_exec import TextTemplate
        from tickpy.golang.gotemplate_parse import TemplateParseError

        source = str(self.property_value("source", "") or "")
        parts = urllib.parse.urlsplit(source)
        if parts.scheme != "file":
            what = f"a {parts.scheme} source" if parts.scheme else "an endpoint source"
            raise self.unsupported(f"sideload from {what} ({source!r})")
        directory = Path(urllib.parse.unquote(parts.path))
        if not directory.is_dir():
            raise self.script_error(f"sideload source {source!r}: {directory} is not a directory")
        try:
            self.cache = load_directory(directory)
        except (OSError, ValueError, yaml.YAMLError) as error:
            raise self.script_error(
                f"failed to update sideload cache for source file {str(directory)!r}: {error}") from None
        self.order = []
        for call in spec.properties:
            if call.name == "order":
                for text in call.args:
                    try:
                        self.order.append((str(text), TextTemplate("order", str(text))))
                    except TemplateParseError as error:
                        raise self.script_error(str(error), span=call.span) from None
        self.fields = {c.args[0]: c.args[1] for c in spec.properties if c.name == "field" and len(c.args) == 2}
        self.tags = {c.args[0]: c.args[1] for c in spec.properties if c.name == "tag" and len(c.args) == 2}

    def _lookup(self, order: list[str], key: str):
        key = os.path.normpath(key)
        for path in order:
            values = self.cache.get(path)
            if values is not None and key in values:
                return values[key]
        return None

    def _sideload(self, fields, tags, time):
        """(fields, tags) with the sideloaded values, or None when an order template failed."""
        # deferred: start-up (the Go template engine, ~0.1 s, only for a task that uses it)
        from tickpy.golang.gotemplate_types import GV, MAP_STRING_STRING, STRING

        data = GV(MAP_STRING_STRING, {k: GV(STRING, v) for k, v in tags.items()})
        order = []
        for raw, template in self.order:
            try:
                order.append(template.execute(data))
            except Exception as error:
                self.error(f"failed to evaluate order template {raw!r}: {error}", time)
                return None
        if self.fields:
            fields = dict(fields)
            for key, default in self.fields.items():
                fields[key] = self._value(order, key, default, time)
        if self.tags:
            tags = dict(tags)
            for key, default in self.tags.items():
                tags[key] = self._value(order, key, default, time)
        return fields, tags

    def _value(self, order, key, default, time):
        value = self._lookup(order, key)
        if value is None:
            return default
        try:
            return convert_type(value, default)
        except ConversionError as error:
            self.error(f"failed to load key {key!r}: {error}", time)
            return default

    def point(self, msg: PointMessage) -> None:
        loaded = self._sideload(msg.fields, msg.tags, msg.time)
        if loaded is None:
            self.forward_point(msg)  # Kapacitor passes the point on unchanged
            return
        fields, tags = loaded
        self.forward_point(msg.with_values(fields, tags))

    def batch(self, msg: BatchMessage) -> None:
        points = []
        for point in msg.points:
            loaded = self._sideload(point.fields, point.tags, point.time)
            points.append(point if loaded is None else BatchPoint(point.time, loaded[0], loaded[1]))
        out = msg.copy()
        out.points = points
        self.forward_batch(out)


__all__ = ["SideloadNode", "convert_type", "load_directory"]

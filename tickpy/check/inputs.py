"""Reading what `define` is given besides the script: `-vars` JSON and the server's UDF list."""

from __future__ import annotations

import json
import pathlib
from typing import Any

from tickpy.check.evaluate import UDFInfo
from tickpy.datafiles import NestingError, bounded_safe_loader, check_nesting
from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.golang.gojson import json_float, json_int
from tickpy.golang.gotime import parse_influx_duration
from tickpy.lang.values import STAR, Duration, Regex
from tickpy.syntax import ast
from tickpy.syntax.parser import parse_lambda_expression

VAR_TYPES = ("bool", "int", "float", "string", "regex", "duration", "lambda", "list", "star")

def _problem(message: str, path: str) -> TickpyError:
    return TickpyError(Diagnostic(message=f"{path}: {message}", code="bad-input"))


def var_value(name: str, raw: dict, path: str) -> tuple[str, Any]:
    if not isinstance(raw, dict) or "type" not in raw:
        raise _problem(f'var "{name}" must be an object with "type" and "value"', path)
    kind = raw["type"]
    value: Any = raw.get("value")  # any JSON value, checked against `kind` below
    if kind not in VAR_TYPES:
        raise _problem(f'var "{name}" has unknown type {kind!r} (one of {", ".join(VAR_TYPES)})', path)
    try:
        if kind == "bool" and type(value) is bool:
            return kind, value
        if kind == "int" and type(value) in (int, float) and float(value).is_integer():
            return kind, int(value)
        if kind == "float" and type(value) in (int, float):
            return kind, float(value)
        if kind == "string" and isinstance(value, str):
            return kind, value
        if kind == "duration":
            if isinstance(value, str):
                try:  # the client reads it with influxql.ParseDuration
                    return kind, Duration(parse_influx_duration(value))
                except ValueError:
                    raise ValueError(f"invalid duration {value!r}") from None
            if type(value) is int:
                return kind, Duration(value)
        if kind == "regex" and isinstance(value, str):
            import re2  # deferred: start-up (only a regex var needs it)

            return kind, Regex(value, re2.compile(value))
        if kind == "lambda" and isinstance(value, str):
            expression = parse_lambda_expression(value, path)
            return kind, ast.Lambda(span=expression.span, expression=expression)
        if kind == "list" and isinstance(value, list):
            return kind, [var_value(f"{name}[{i}]", item, path)[1] for i, item in enumerate(value)]
        if kind == "star":
            return kind, STAR
    except TickpyError:
        raise
    except Exception as err:  # bad duration/regex text
        raise _problem(f'var "{name}": {err}', path) from None
    raise _problem(f'var "{name}" of type {kind} has an unusable value {value!r}', path)


def load_vars(path: str) -> dict[str, tuple[str, Any]]:
    """`kapacitor define -vars` JSON: {"name": {"type": "duration", "value": "5m"}, ...}."""
    try:
        text = pathlib.Path(path).read_text()
        check_nesting(text)
        data = json.loads(text, parse_int=json_int, parse_float=json_float)
    except NestingError as err:
        raise TickpyError(Diagnostic(message=f"{path}:{err.line}:{err.column}: {err}", line=err.line,
                                     column=err.column, code="bad-input")) from None
    except (OSError, ValueError) as err:
        raise _problem(f"cannot read vars: {err}", path) from None
    if not isinstance(data, dict):
        raise _problem("vars must be a JSON object of name -> {type, value}", path)
    return {name: var_value(name, raw, path) for name, raw in data.items()}


def load_udfs(path: str) -> dict[str, UDFInfo]:
    """UDFs the server has, JSON or YAML: {"name": {"wants": "stream", "provides": "batch",
    "options": {"field": ["string"], "size": ["int"]}}}; a list of names means stream->stream
    UDFs without options."""
    text = ""
    try:
        text = pathlib.Path(path).read_text()
        if path.endswith((".yaml", ".yml")):
            import yaml  # deferred: start-up (only a YAML --udfs file needs it)

            data = yaml.load(text, Loader=bounded_safe_loader())
        else:
            check_nesting(text)
            data = json.loads(text, parse_int=json_int, parse_float=json_float)
    except Exception as err:
        raise _problem(f"cannot read UDFs: {err}", path) from None
    if isinstance(data, dict) and "udfs" in data:
        data = data["udfs"]
    if isinstance(data, list):
        for item in data:
            if not isinstance(item, str):
                raise _problem(f"a list of UDFs must hold their names (strings), got {_json_kind(item)} {json.dumps(item)}", path)
        data = {name: {} for name in data}
    if not isinstance(data, dict):
        raise _problem("UDFs must be an object of name -> {wants, provides, options}", path)
    udfs = {}
    for name, info in data.items():
        if info is None:
            info = {}
        if not isinstance(info, dict):
            raise _problem(f"UDF {name} must be an object with wants, provides, options, got {_json_kind(info)}", path)
        wants = info.get("wants", "stream")
        provides = info.get("provides", "stream")
        if wants not in ("stream", "batch") or provides not in ("stream", "batch"):
            raise _problem(f'UDF "{name}": wants/provides must be "stream" or "batch"', path)
        declared = info.get("options")
        if declared is None:
            declared = {}
        if not isinstance(declared, dict):
            raise _problem(f"UDF {name}: options must be an object of option name -> types, got {_json_kind(declared)}", path)
        options = {}
        for option, types in declared.items():
            options[option] = _option_types(name, option, types, path)
        udfs[name] = UDFInfo(name, wants, provides, options)
    return udfs


# The value types of UDF options (Kapacitor's udf.ValueType), and the spellings accepted.
_UDF_TYPES = {"bool": "bool", "int": "int", "double": "double", "float": "double", "string": "string", "duration": "duration"}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _option_types(udf: str, option: str, types: Any, path: str) -> list[str]:
    """An option's argument types: "int", ["string", "double"] or {"types": ...}."""
    if isinstance(types, dict) and set(types) == {"types"}:
        types = types["types"]
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list):
        raise _problem(
            f"UDF {udf} option {option}: give its argument types as a string or a list of strings, got {_json_kind(types)}",
            path,
        )
    result = []
    for kind in types:
        if not isinstance(kind, str):
            raise _problem(f"UDF {udf} option {option}: a type must be a string, got {_json_kind(kind)} {json.dumps(kind)}", path)
        if kind.lower() not in _UDF_TYPES:
            known = ", ".join(name for name in _UDF_TYPES if name != "float")
            raise _problem(f'UDF {udf} option {option}: unknown type "{kind}" (one of {known})', path)
        result.append(_UDF_TYPES[kind.lower()])
    return result

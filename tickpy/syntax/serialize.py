"""The AST as plain JSON-ready data (`tickpy parse --json`): one object per node with its
class name, its span and its fields; comments are included where they are attached."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from tickpy.syntax import ast


def span_to_dict(span: ast.Span) -> dict:
    return {
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "offset": span.offset,
        "end_offset": span.end_offset,
    }


def node_to_dict(node: ast.Node) -> dict:
    """A node and its descendants as dicts (built without Python recursion, so that very
    deeply nested expressions convert too)."""
    root: dict = {}
    # (value, the dict or list to put it in, its key or index there)
    stack: list[tuple[object, dict | list | None, Any]] = [(node, None, None)]
    while stack:
        value, parent, key = stack.pop()
        converted = _convert(value, stack)
        if parent is None:
            root = converted
        else:
            parent[key] = converted
    return root


def _convert(value, stack):
    if isinstance(value, ast.Span):
        return span_to_dict(value)
    if isinstance(value, ast.Node):
        out: dict = {"type": type(value).__name__}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if isinstance(item, (ast.Node, ast.Span, list)):
                out[field.name] = None
                stack.append((item, out, field.name))
            else:
                out[field.name] = item
        return out
    if isinstance(value, list):
        out_list: list = [None] * len(value)
        for index, item in enumerate(value):
            if isinstance(item, (ast.Node, ast.Span, list)):
                stack.append((item, out_list, index))
            else:
                out_list[index] = item
        return out_list
    return value


def dumps(value, indent: int | None = None) -> str:
    """JSON text of dicts/lists/scalars, written without recursion (for any depth of tree).

    Without `indent` the text is one line, its size linear in the tree's; with it, each
    level is indented, which for a long chain (nested one level per link) grows with the
    square of its length."""
    encode_scalar = json.JSONEncoder(ensure_ascii=False).encode
    out: list[str] = []
    # Work items: ("value", v, depth) to write a value, or ("text", s) to write text.
    stack: list[tuple] = [("value", value, 0)]
    while stack:
        item = stack.pop()
        if item[0] == "text":
            out.append(item[1])
            continue
        _, current, depth = item
        if isinstance(current, dict):
            entries = list(current.items())
        elif isinstance(current, list):
            entries = None
        else:
            out.append(encode_scalar(current))
            continue
        items = entries if entries is not None else current
        opener, closer = ("{", "}") if entries is not None else ("[", "]")
        if not items:
            out.append(opener + closer)
            continue
        if indent is None:
            separator, inner_pad, outer_pad = ", ", "", ""
        else:
            inner_pad = "\n" + " " * (indent * (depth + 1))
            outer_pad = "\n" + " " * (indent * depth)
            separator = ","
        out.append(opener)
        pending: list[tuple] = []
        for index, entry in enumerate(items):
            prefix = (separator if index else "") + inner_pad
            if entries is not None:
                key, child = entry
                pending.append(("text", prefix + encode_scalar(str(key)) + ": "))
            else:
                child = entry
                pending.append(("text", prefix))
            pending.append(("value", child, depth + 1))
        pending.append(("text", outer_pad + closer))
        stack.extend(reversed(pending))
    return "".join(out)

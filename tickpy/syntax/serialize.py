"""The AST as plain JSON-ready data (`tickpy parse --json`): one object per node with its
class name, its span and its fields; comments are included where they are attached."""

from __future__ import annotations

import dataclasses

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
    stack: list[tuple[object, object, object]] = [(node, None, None)]
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

"""Deep lambda expressions: their depth, and room on Python's stack to walk them.

Kapacitor compiles and evaluates a lambda by recursion over its tree, on a Go stack that
grows to 1 GB, so allow-lists of thousands of `OR` terms work there. The exact evaluator
(`tickpy.lang.nodes`) and the compiler recurse the same way; Python's default recursion
limit (1000 frames) would stop them after a few hundred nested operators. For an expression
deeper than `SHALLOW`, the recursive stages run inside `recursion_room(depth)`, which raises
the limit for as long as one of them runs. Python 3.11 keeps the frames of Python-to-Python
calls off the C stack, so the extra room costs memory only; the code that runs inside never
converts a deep tree through C recursion (no `str()`/`repr()` of the whole tree).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tickpy.syntax import ast

SHALLOW = 60  # levels that fit in Python's default limit, whoever the caller is
_FRAMES_PER_LEVEL = 12  # generous: evaluating one binary node takes about five frames
_MAX_LIMIT = 2_000_000

_lock = threading.Lock()
_users = 0
_saved_limit = 0


def expression_depth(node: ast.Node) -> int:
    """Levels of nesting below and including `node` (a literal is 1), without recursion."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        if level > deepest:
            deepest = level
        for child in ast.children(current):
            stack.append((child, level + 1))
    return deepest


@contextmanager
def recursion_room(depth: int) -> Iterator[None]:
    """Enough of Python's recursion limit to recurse `depth` levels of an expression."""
    global _users, _saved_limit
    if depth <= SHALLOW:
        yield
        return
    needed = min(_MAX_LIMIT, depth * _FRAMES_PER_LEVEL)
    with _lock:
        if _users == 0:
            _saved_limit = sys.getrecursionlimit()
        _users += 1
        if sys.getrecursionlimit() < _saved_limit + needed:
            sys.setrecursionlimit(_saved_limit + needed)
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                sys.setrecursionlimit(_saved_limit)

"""Runtime nodes: one module per group of node types, each registering its classes with
`tickpy.runtime.nodes.base.register`. Every module of this package is imported by
`base.load_node_modules()`, so adding a module is enough to make its nodes runnable.

See `tickpy.runtime.nodes.base` for how to write a node and `tickpy.runtime.messages` for the
messages that flow between nodes.
"""

from tickpy.runtime.nodes.base import (
    NodeError,
    ParentPort,
    PerGroup,
    RunContext,
    RuntimeNode,
    duration_ns,
    load_node_modules,
    lookup,
    register,
)

__all__ = [
    "NodeError",
    "ParentPort",
    "PerGroup",
    "RunContext",
    "RuntimeNode",
    "duration_ns",
    "load_node_modules",
    "lookup",
    "register",
]

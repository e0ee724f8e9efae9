"""Data files read within bounds: handler files, test files, `--vars` JSON, `--udfs`, `--config` TOML.

Kapacitor reads a handler file with go-yaml v2 (through ghodss/yaml, then encoding/json), which
stop a document that nests deeper than 10000 levels or that is mostly alias expansion. tickpy
reads the same files with PyYAML, `json` and `tomllib`, which have neither bound: a deep file
ends in a RecursionError, and a billion laughs (`&a1 [*a0, *a0, ...]`, nine levels) becomes a
value that everything walking it later (option decoding, JSON, templates) expands in full. Here:

- nesting: at most MAX_DEPTH levels of lists and mappings (aliases expanded). go-yaml allows
  10000; tickpy allows fewer because PyYAML's scanner is slow on deep flow collections and the
  code that walks a value recurses once per level. Real files nest fewer than ten.
- aliases: go-yaml's own rule (yaml.v2 decode.go, `allowedAliasRatio`), so that a file with
  anchors reads as it does in Kapacitor: every value decoded counts, those inside an alias
  expansion also count as aliased, and the document fails with "document contains excessive
  aliasing" once more than 100 were aliased, more than 1000 decoded, and the aliased share
  exceeds 99% (up to 400,000 decoded), falling to 10% at 4,000,000. Counted as the YAML is
  composed, without expanding anything: a billion laughs stops after a few thousand values.
- an anchor whose value holds an alias to itself ("anchor 'x' value contains itself") and a
  mapping key that is a list or a mapping ("invalid map key") are refused, as go-yaml does.

Problems are positioned: YAML ones as yaml's MarkedYAMLError (the callers already report those
with their line and column), JSON and TOML nesting as NestingError.
"""

from __future__ import annotations

import functools
import re

MAX_DEPTH = 100

# go-yaml's alias budget (decode.go)
_ALIAS_RATIO_RANGE_LOW = 400_000
_ALIAS_RATIO_RANGE_HIGH = 4_000_000


def allowed_alias_ratio(decoded: int) -> float:
    if decoded <= _ALIAS_RATIO_RANGE_LOW:
        return 0.99
    if decoded >= _ALIAS_RATIO_RANGE_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decoded - _ALIAS_RATIO_RANGE_LOW) / (_ALIAS_RATIO_RANGE_HIGH - _ALIAS_RATIO_RANGE_LOW)


def excessive_aliasing(decoded: int, aliased: int) -> bool:
    return aliased > 100 and decoded > 1000 and aliased / decoded > allowed_alias_ratio(decoded)


class NestingError(ValueError):
    """JSON or TOML nested deeper than MAX_DEPTH; line and (byte) column are 1-based."""

    def __init__(self, line: int, column: int, what: str):
        super().__init__(f"too deeply nested: more than {MAX_DEPTH} levels of {what}")
        self.line = line
        self.column = column


_JSON_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[\[\]{}]')
# TOML: multi-line strings first, then one-line strings, comments, brackets
_TOML_TOKENS = re.compile(r'"""(?:[^\\]|\\.)*?(?:"""|\Z)|\'\'\'.*?(?:\'\'\'|\Z)|"(?:[^"\\\n]|\\.)*"?|\'[^\'\n]*\'?'
                          r'|#[^\n]*|[\[\]{}]', re.DOTALL)


def check_nesting(text: str, toml: bool = False) -> None:
    """NestingError at the first bracket deeper than MAX_DEPTH (outside strings and comments)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for token in (_TOML_TOKENS if toml else _JSON_TOKENS).finditer(text):
        opener = token.group()
        if opener in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                start = token.start()
                line_start = text.rfind("\n", 0, start) + 1
                raise NestingError(text.count("\n", 0, start) + 1, len(text[line_start:start].encode()) + 1,
                                   "arrays and tables" if toml else "arrays and objects")
        elif opener in ("]", "}"):
            depth = max(0, depth - 1)


class BoundedComposer:
    """Mixed into a yaml Loader before it (class L(BoundedComposer, yaml.SafeLoader)): composes
    with go-yaml's bounds on nesting and aliases, and its refusal of list and mapping keys."""

    def compose_document(self):
        self._decoded = 1  # go-yaml counts the document itself
        self._aliased = 0
        self._frames = [[0, 0]]  # per open node: values decoded inside it, its depth (aliases expanded)
        self._expansions = {}  # anchor -> (values decoded when it is expanded, its depth)
        self._open_anchors = set()
        return super().compose_document()

    def compose_node(self, parent, index):
        # yaml is imported by the loader's base class already; here only by name (start-up)
        from yaml.composer import ComposerError
        from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
        from yaml.nodes import MappingNode, ScalarNode

        event = self.peek_event()
        is_key = isinstance(parent, MappingNode) and index is None
        frames = self._frames
        if isinstance(event, AliasEvent):
            anchor = event.anchor
            if anchor in self._open_anchors:
                raise ComposerError(None, None, f"anchor {anchor!r} value contains itself", event.start_mark)
            node = super().compose_node(parent, index)  # the anchored node, or "found undefined alias"
            if is_key and not isinstance(node, ScalarNode):
                raise ComposerError(None, None, _invalid_key(node), event.start_mark)
            size, depth = self._expansions[anchor]
            if len(frames) - 1 + depth > MAX_DEPTH:
                raise ComposerError(None, None, f"too deeply nested: alias *{anchor} makes more than {MAX_DEPTH} "
                                                "levels of lists and mappings", event.start_mark)
            self._count(1, 0, event.start_mark)  # the alias itself
            self._count(size, size, event.start_mark)
            frames[-1][0] += 1 + size
            frames[-1][1] = max(frames[-1][1], depth)
            return node
        if isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            if is_key:
                raise ComposerError(None, None, _invalid_key(event), event.start_mark)
            if len(frames) > MAX_DEPTH:
                raise ComposerError(None, None, f"too deeply nested: more than {MAX_DEPTH} levels of lists and "
                                                "mappings", event.start_mark)
        self._count(1, 0, event.start_mark)
        anchor = event.anchor
        if anchor is not None:
            self._open_anchors.add(anchor)
        frames.append([0, 0])
        node = super().compose_node(parent, index)
        inside, depth = frames.pop()
        if not isinstance(node, ScalarNode):
            depth += 1
        frames[-1][0] += 1 + inside
        frames[-1][1] = max(frames[-1][1], depth)
        if anchor is not None:
            self._open_anchors.discard(anchor)
            self._expansions[anchor] = (1 + inside, depth)
        return node

    def _count(self, decoded: int, aliased: int, mark) -> None:
        self._decoded += decoded
        self._aliased += aliased
        if excessive_aliasing(self._decoded, self._aliased):
            from yaml.composer import ComposerError  # deferred with yaml (start-up)

            raise ComposerError(None, None, "document contains excessive aliasing (as Kapacitor's YAML "
                                            "library refuses it)", mark)


def _invalid_key(what) -> str:
    kind = "mapping" if type(what).__name__.startswith("Mapping") else "list"
    return f"invalid map key: a key must be a single value, not a {kind}"


@functools.cache
def bounded_safe_loader() -> type:
    """The safe loader of tickpy.golang.goyaml (integers as yaml.v2 resolves them) composing
    within these bounds (a function so that yaml is imported only by what reads YAML: start-up)."""
    from tickpy.golang.goyaml import SafeLoader  # deferred: start-up (yaml loads only for a YAML file)

    return type("BoundedSafeLoader", (BoundedComposer, SafeLoader), {})

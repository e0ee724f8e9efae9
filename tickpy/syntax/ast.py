"""The typed TICKscript AST: what the parser produces and every later stage reads.

The node set mirrors Kapacitor's `tick/ast` (so the formatter, the validator and the DOT
graph can follow Kapacitor's behaviour), but as plain dataclasses with spans.

Positions: `line` and `column` are 1-based; `column` counts *bytes* of the UTF-8 line, as
Kapacitor's "line N char M" does. `offset` is the character offset of the node's start in
the source text (for slicing the source in Python). `end_line`/`end_column` point just past
the node's last byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tickpy.diagnostics import Span  # noqa: F401  (positions are part of the AST's vocabulary)


@dataclass(slots=True, eq=False)
class Node:
    span: Span


@dataclass(slots=True, eq=False)
class Comment(Node):
    """One or more consecutive `//` comment lines, attached to the node that follows them."""

    lines: list[str]  # each line's text after `//`, untouched
    # Kapacitor's CommentNode.Comments: each line trimmed, `//` and one space removed, and a
    # "\n" entry where a blank line separated two comment blocks (the formatter prints these).
    kapacitor_lines: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- literals


@dataclass(slots=True, eq=False)
class NumberLiteral(Node):
    """An integer or float literal. Integers with a leading 0 are octal (`base` 8)."""

    is_int: bool
    int_value: int  # meaningful when is_int
    float_value: float  # meaningful when not is_int
    literal: str  # the source text, for the formatter and for messages
    base: int = 10
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class DurationLiteral(Node):
    nanoseconds: int
    literal: str
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class StringLiteral(Node):
    value: str  # the string's value, escapes resolved
    triple_quoted: bool = False
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class RegexLiteral(Node):
    pattern: str  # the pattern text between the slashes, `\/` resolved to `/`
    literal: str  # the source text including slashes
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class BoolLiteral(Node):
    value: bool
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class Star(Node):
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class ListLiteral(Node):
    elements: list[Expr]
    comment: Comment | None = None


# ----------------------------------------------------------------------------- names


@dataclass(slots=True, eq=False)
class Identifier(Node):
    """A bare name: a variable, `stream`/`batch`, or a word like `true` (which is not a bool)."""

    name: str
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class Reference(Node):
    """A double-quoted name: a field or tag of the point (`"usage_idle"`, `"time"`)."""

    name: str  # escapes resolved
    comment: Comment | None = None


# ----------------------------------------------------------------------------- expressions


@dataclass(slots=True, eq=False)
class Unary(Node):
    operator: str  # "-" or "!"
    operand: Expr
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class Binary(Node):
    """`operator` is written as in TICKscript: + - * / % == != < <= > >= =~ !~ AND OR."""

    operator: str
    left: Expr
    right: Expr
    parens: bool = False  # written inside parentheses
    multiline: bool = False  # the operator was followed by a newline
    comment: Comment | None = None
    operator_span: Span | None = None  # where the operator is (Kapacitor's position of the node)


@dataclass(slots=True, eq=False)
class Lambda(Node):
    expression: Expr
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class Function(Node):
    """A call. `kind` says how it was reached:

    - "global":   `time(5m)` (no receiver)
    - "chain":    `|window()`
    - "property": `.period(5m)`
    - "dynamic":  `@myUDF()`
    """

    kind: str
    name: str
    args: list[Expr] = field(default_factory=list)
    multiline: bool = False  # arguments were written one per line
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class Chain(Node):
    """`left OP right` where OP is "|", "." or "@" and right is the call (or, for ".", a bare
    Identifier reading a field)."""

    operator: str
    left: Expr
    right: Function | Identifier
    comment: Comment | None = None
    operator_span: Span | None = None  # where the operator is (Kapacitor's position of the node)


# ----------------------------------------------------------------------------- statements


@dataclass(slots=True, eq=False)
class Declaration(Node):
    """`var name = value`."""

    name: Identifier
    value: Expr
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class TypeDeclaration(Node):
    """`var name type` — a template task's variable, given its value at define time."""

    name: Identifier
    type_name: Identifier
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class DBRP(Node):
    """`dbrp "db"."rp"`."""

    database: Reference
    retention_policy: Reference
    comment: Comment | None = None


@dataclass(slots=True, eq=False)
class Program(Node):
    statements: list[Statement]
    # Comments left at the end of the file, attached to nothing.
    trailing_comment: Comment | None = None
    # A comment Kapacitor's parser leaves unattached just before the last token (e.g. before a
    # final `)`); its formatter prints it after the statements, before `trailing_comment`.
    dangling_comment: Comment | None = None


Expr = (
    NumberLiteral
    | DurationLiteral
    | StringLiteral
    | RegexLiteral
    | BoolLiteral
    | Star
    | ListLiteral
    | Identifier
    | Reference
    | Unary
    | Binary
    | Lambda
    | Function
    | Chain
)

Statement = Declaration | TypeDeclaration | DBRP | Expr


def children(node: Node) -> Iterator[Node]:
    """The direct child nodes of `node`, in source order (comments excluded)."""
    match node:
        case Program(statements=statements):
            yield from statements
        case Declaration(name=name, value=value):
            yield name
            yield value
        case TypeDeclaration(name=name, type_name=type_name):
            yield name
            yield type_name
        case DBRP(database=db, retention_policy=rp):
            yield db
            yield rp
        case Chain(left=left, right=right):
            yield left
            yield right
        case Function(args=args):
            yield from args
        case ListLiteral(elements=elements):
            yield from elements
        case Lambda(expression=expression):
            yield expression
        case Binary(left=left, right=right):
            yield left
            yield right
        case Unary(operand=operand):
            yield operand


def walk(node: Node) -> Iterator[Node]:
    """`node` and all its descendants, depth first, in source order (without recursion, so
    that deeply nested scripts walk too)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        kids = list(children(current))
        kids.reverse()
        stack.extend(kids)

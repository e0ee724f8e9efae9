"""Kapacitor's canonical TICKscript layout (what `tickfmt` / tick.Format print), byte for byte.

Each node writes itself given the current indent and whether the output is at the start of
a line, exactly as Kapacitor's Format methods do: chains put each link on its own line,
indented 4 spaces (8 for a property method); calls whose arguments were written on several
lines keep one argument per line; comments are re-indented with `// `.
"""

from __future__ import annotations

from tickpy.golang.goformat import format_float_f
from tickpy.syntax import ast
from tickpy.syntax.parser import parse

INDENT_STEP = "    "


def float_literal(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'f', -1, 64), plus ".0" when there is no point."""
    text = format_float_f(value)
    if "." not in text:
        text += ".0"
    return text


def format_number(node: ast.NumberLiteral) -> str:
    if node.is_int:
        if node.base == 8:
            return "0" + format(node.int_value, "o")
        return str(node.int_value)
    return float_literal(node.float_value)


class _Writer:
    """Writes nodes with an explicit work stack instead of recursion, so that any depth of
    nesting formats. A work item is either text to write or a (node, indent, on_new_line)
    triple to expand into more items, in the order Kapacitor's Format methods write them."""

    def __init__(self) -> None:
        self.out: list[str] = []

    def comment_text(self, comment: ast.Comment, indent: str, on_new_line: bool) -> str:
        parts: list[str] = []
        if not on_new_line:
            parts.append("\n")
        lines = comment.kapacitor_lines or [line[1:] if line.startswith(" ") else line for line in comment.lines]
        for line in lines:
            if line == "\n":
                parts.append("\n")
            elif line:
                parts.append(f"{indent}// {line}\n")
            else:
                parts.append(f"{indent}//\n")
        return "".join(parts)

    def comment(self, comment: ast.Comment, indent: str, on_new_line: bool) -> None:
        self.out.append(self.comment_text(comment, indent, on_new_line))

    def node(self, root: ast.Node, indent: str, on_new_line: bool) -> None:
        out = self.out
        stack: list = [(root, indent, on_new_line)]
        while stack:
            item = stack.pop()
            if item.__class__ is str:
                out.append(item)
                continue
            node, indent, on_new_line = item
            items = self.expand(node, indent, on_new_line)
            items.reverse()
            stack.extend(items)

    def expand(self, node: ast.Statement, indent: str, on_new_line: bool) -> list:
        """What `node` writes: text pieces and child triples, in order."""
        if isinstance(node, ast.Chain):
            items: list = [(node.left, indent, on_new_line), "\n"]
            indent += INDENT_STEP
            if node.operator == ".":
                indent += INDENT_STEP
            if node.comment is not None:
                items.append(self.comment_text(node.comment, indent, True))
            items.append(indent + node.operator)
            items.append((node.right, indent, False))
            return items
        if isinstance(node, (ast.Declaration, ast.TypeDeclaration)):
            items = []
            if node.comment is not None:
                items.append(self.comment_text(node.comment, indent, on_new_line))
            items.append("var ")
            items.append((node.name, indent, False))
            if isinstance(node, ast.Declaration):
                items.append(" = ")
                items.append((node.value, indent, False))
            else:
                items.append(" ")
                items.append((node.type_name, indent, False))
            return items
        if isinstance(node, ast.DBRP):
            items = []
            if node.comment is not None:
                items.append(self.comment_text(node.comment, indent, on_new_line))
            items.append(f'{indent}dbrp "{node.database.name}"."{node.retention_policy.name}"')
            return items

        # Every other node: its comment, then the indent when starting a line.
        items = []
        if node.comment is not None:
            items.append(self.comment_text(node.comment, indent, on_new_line))
            on_new_line = True
        if on_new_line:
            items.append(indent)

        if isinstance(node, ast.Function):
            items.append(node.name + "(")
            arg_indent = indent + INDENT_STEP
            multiline = node.multiline
            for i, arg in enumerate(node.args):
                if i:
                    items.append("," if multiline else ", ")
                if multiline:
                    items.append("\n")
                items.append((arg, arg_indent, multiline))
            if multiline and node.args:
                items.append("\n" + indent)
            items.append(")")
        elif isinstance(node, ast.Binary):
            if node.parens:
                items.append("(")
                indent += INDENT_STEP
            items.append((node.left, indent, False))
            items.append(f" {node.operator}" + ("\n" if node.multiline else " "))
            items.append((node.right, indent, node.multiline))
            if node.parens:
                items.append(")")
        elif isinstance(node, ast.Identifier):
            items.append(node.name)
        elif isinstance(node, ast.Reference):
            items.append('"' + node.name.replace('"', '\\"') + '"')
        elif isinstance(node, ast.StringLiteral):
            if node.triple_quoted:
                items.append("'''" + node.value + "'''")
            else:
                items.append("'" + node.value.replace("'", "\\'") + "'")
        elif isinstance(node, ast.NumberLiteral):
            items.append(format_number(node))
        elif isinstance(node, ast.DurationLiteral):
            items.append(node.literal)
        elif isinstance(node, ast.Lambda):
            items.append("lambda: ")
            items.append((node.expression, indent, False))
        elif isinstance(node, ast.Unary):
            items.append(node.operator)
            items.append((node.operand, indent, False))
        elif isinstance(node, ast.BoolLiteral):
            items.append("TRUE" if node.value else "FALSE")
        elif isinstance(node, ast.RegexLiteral):
            items.append(node.literal)
        elif isinstance(node, ast.Star):
            items.append("*")
        elif isinstance(node, ast.ListLiteral):
            items.append("[")
            for i, element in enumerate(node.elements):
                if i:
                    items.append(", ")
                items.append((element, indent, on_new_line))
            items.append("]")
        else:  # pragma: no cover - every node class is handled above
            raise TypeError(f"cannot format {node.__class__.__name__}")
        return items


def format_node(node: ast.Node, indent: str = "", on_new_line: bool = False) -> str:
    writer = _Writer()
    writer.node(node, indent, on_new_line)
    return "".join(writer.out)


def format_program(program: ast.Program) -> str:
    writer = _Writer()
    out = writer.out
    items: list[ast.Statement | ast.Comment] = list(program.statements)
    for extra in (program.dangling_comment, program.trailing_comment):
        if extra is not None:
            items.append(extra)
    for i, item in enumerate(items):
        if i:
            out.append("\n")
        if isinstance(item, ast.Comment):
            writer.comment(item, "", True)
        else:
            writer.node(item, "", True)
        out.append("\n")
    return "".join(out)


def format_expression(node: ast.Node) -> str:
    """An expression on one line as Kapacitor prints a lambda body (LambdaNode.ExpressionString)."""
    return format_node(node, "", True)


def format_source(source: str, path: str = "<script>") -> str:
    return format_program(parse(source, path))

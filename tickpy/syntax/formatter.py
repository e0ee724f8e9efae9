"""Kapacitor's canonical TICKscript layout (what `tickfmt` / tick.Format print), byte for byte.

Each node writes itself given the current indent and whether the output is at the start of
a line, exactly as Kapacitor's Format methods do: chains put each link on its own line,
indented 4 spaces (8 for a property method); calls whose arguments were written on several
lines keep one argument per line; comments are re-indented with `// `.
"""

from __future__ import annotations

from decimal import Decimal

from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.syntax import ast

INDENT_STEP = "    "


def format_float(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'f', -1, 64), plus ".0" when there is no point."""
    text = format(Decimal(repr(value)), "f")
    if "." not in text:
        text += ".0"
    return text


def format_number(node: ast.NumberLiteral) -> str:
    if node.is_int:
        if node.base == 8:
            return "0" + format(node.int_value, "o")
        return str(node.int_value)
    return format_float(node.float_value)


class _Writer:
    def __init__(self):
        self.out: list[str] = []

    def comment(self, comment: ast.Comment, indent: str, on_new_line: bool) -> None:
        out = self.out
        if not on_new_line:
            out.append("\n")
        lines = comment.kapacitor_lines or [line[1:] if line.startswith(" ") else line for line in comment.lines]
        for line in lines:
            if line == "\n":
                out.append("\n")
                continue
            out.append(indent)
            out.append("//")
            if line:
                out.append(" ")
                out.append(line)
            out.append("\n")

    def node(self, node: ast.Node, indent: str, on_new_line: bool) -> None:
        out = self.out
        cls = node.__class__
        if cls is ast.Chain:
            self.node(node.left, indent, on_new_line)
            out.append("\n")
            indent += INDENT_STEP
            if node.operator == ".":
                indent += INDENT_STEP
            if node.comment is not None:
                self.comment(node.comment, indent, True)
            out.append(indent)
            out.append(node.operator)
            self.node(node.right, indent, False)
            return
        if cls is ast.Declaration or cls is ast.TypeDeclaration:
            if node.comment is not None:
                self.comment(node.comment, indent, on_new_line)
            out.append("var ")
            self.node(node.name, indent, False)
            if cls is ast.Declaration:
                out.append(" = ")
                self.node(node.value, indent, False)
            else:
                out.append(" ")
                self.node(node.type_name, indent, False)
            return
        if cls is ast.DBRP:
            if node.comment is not None:
                self.comment(node.comment, indent, on_new_line)
            out.append(indent)
            out.append(f'dbrp "{node.database.name}"."{node.retention_policy.name}"')
            return

        # Every other node: its comment, then the indent when starting a line.
        if node.comment is not None:
            self.comment(node.comment, indent, on_new_line)
            on_new_line = True
        if on_new_line:
            out.append(indent)

        if cls is ast.Function:
            out.append(node.name)
            out.append("(")
            arg_indent = indent + INDENT_STEP
            multiline = node.multiline
            for i, arg in enumerate(node.args):
                if i:
                    out.append("," if multiline else ", ")
                if multiline:
                    out.append("\n")
                self.node(arg, arg_indent, multiline)
            if multiline and node.args:
                out.append("\n")
                out.append(indent)
            out.append(")")
        elif cls is ast.Binary:
            if node.parens:
                out.append("(")
                indent += INDENT_STEP
            self.node(node.left, indent, False)
            out.append(" ")
            out.append(node.operator)
            out.append("\n" if node.multiline else " ")
            self.node(node.right, indent, node.multiline)
            if node.parens:
                out.append(")")
        elif cls is ast.Identifier:
            out.append(node.name)
        elif cls is ast.Reference:
            out.append('"' + node.name.replace('"', '\\"') + '"')
        elif cls is ast.StringLiteral:
            if node.triple_quoted:
                out.append("'''" + node.value + "'''")
            else:
                out.append("'" + node.value.replace("'", "\\'") + "'")
        elif cls is ast.NumberLiteral:
            out.append(format_number(node))
        elif cls is ast.DurationLiteral:
            out.append(node.literal)
        elif cls is ast.Lambda:
            out.append("lambda: ")
            self.node(node.expression, indent, False)
        elif cls is ast.Unary:
            out.append(node.operator)
            self.node(node.operand, indent, False)
        elif cls is ast.BoolLiteral:
            out.append("TRUE" if node.value else "FALSE")
        elif cls is ast.RegexLiteral:
            out.append(node.literal)
        elif cls is ast.Star:
            out.append("*")
        elif cls is ast.ListLiteral:
            out.append("[")
            for i, element in enumerate(node.elements):
                if i:
                    out.append(", ")
                self.node(element, indent, on_new_line)
            out.append("]")
        else:  # pragma: no cover - every node class is handled above
            raise TypeError(f"cannot format {cls.__name__}")


def format_node(node: ast.Node, indent: str = "", on_new_line: bool = False) -> str:
    writer = _Writer()
    writer.node(node, indent, on_new_line)
    return "".join(writer.out)


def format_program(program: ast.Program) -> str:
    writer = _Writer()
    out = writer.out
    items: list[ast.Node] = list(program.statements)
    for extra in (program.dangling_comment, program.trailing_comment):
        if extra is not None:
            items.append(extra)
    try:
        for i, item in enumerate(items):
            if i:
                out.append("\n")
            if item.__class__ is ast.Comment:
                writer.comment(item, "", True)
            else:
                writer.node(item, "", True)
            out.append("\n")
    except RecursionError:
        raise TickpyError(
            Diagnostic(
                message="the script is nested too deeply to format",
                line=program.span.line,
                column=program.span.column,
                code="too-deep",
            )
        ) from None
    return "".join(out)


def format_expression(node: ast.Node) -> str:
    """An expression on one line as Kapacitor prints a lambda body (LambdaNode.ExpressionString)."""
    return format_node(node, "", True)


def format_source(source: str, path: str = "<script>") -> str:
    from tickpy.syntax.parser import parse

    return format_program(parse(source, path))

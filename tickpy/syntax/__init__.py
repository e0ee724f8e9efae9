"""TICKscript syntax: the lexer, the LALR parser (grammar/tickscript.lark), the typed AST and
Kapacitor's formatter.

    parse(source, path)              -> ast.Program        (raises TickpyError, code "syntax")
    parse_lambda_expression(text)    -> ast.Expr           (what follows `lambda:`)
    check_syntax(source, path)       -> list[Diagnostic]   (empty when the script parses)
    format_source(source) / format_program(program) -> str (Kapacitor's tickfmt output)
"""

from __future__ import annotations

from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.syntax import ast
from tickpy.syntax.formatter import format_expression, format_node, format_program, format_source
from tickpy.syntax.parser import parse, parse_lambda_expression


def check_syntax(source: str, path: str = "<script>") -> list[Diagnostic]:
    """The syntax diagnostics of a script: [] when Kapacitor's parser accepts it."""
    try:
        parse(source, path)
    except TickpyError as error:
        return list(error.diagnostics)
    return []


__all__ = [
    "ast",
    "parse",
    "parse_lambda_expression",
    "check_syntax",
    "format_source",
    "format_program",
    "format_node",
    "format_expression",
]

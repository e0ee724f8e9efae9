"""Static checks of a lambda: what is certain to fail before any point arrives.

Kapacitor itself rejects only a few lambdas when a task starts (an operator between two
operands of constant, incompatible types: `compile_lambda` raises those as errors, with
Kapacitor's text). Many more lambdas are certain to fail on *every* point, because the
types that matter are known from literals alone: a call with arguments of the wrong types
(`abs(3)`), an unknown function, more than four arguments, an operator applied to a
function result of the wrong type, or a where/alert lambda whose value is never boolean.
`check_lambda` reports those as warnings carrying the message Kapacitor would log for
each point, so `tickpy validate` can show them early.
"""

from __future__ import annotations

from tickpy.diagnostics import ERROR, WARNING, Diagnostic, diagnostic_at
from tickpy.lang.codegen import all_known, static_result_type
from tickpy.lang.depth import expression_depth, recursion_room
from tickpy.lang.errors import GoError, LambdaCompileError
from tickpy.lang.functions import BUILTIN_FUNCTIONS, LambdaFunction
from tickpy.lang.nodes import MAX_ARGS, wrong_signature_message
from tickpy.lang.operators import (
    BINARY_OPERATIONS,
    COMPARISON_OPERATORS,
    LOGICAL_OPERATORS,
    OPERATORS_BY_TYPE,
    operator_kind,
)
from tickpy.lang.values import BOOL
from tickpy.syntax import ast


def _always_fails(node: ast.Node, message: str, hint: str | None = None) -> Diagnostic:
    """A lambda Kapacitor's define accepts but whose every evaluation fails (it says `message`)."""
    return diagnostic_at(node.span, message, severity=WARNING, code="lambda-always-fails", hint=hint, kapacitor_message=message)


def _literal_text(node: ast.Node, catalogue) -> str:
    from tickpy.lang.compiler import _build

    try:
        return str(_build(node, catalogue))
    except GoError:
        return "?"


def check_lambda(
    expression: ast.Expr | ast.Lambda, mode: str = "predicate", functions: dict[str, LambdaFunction] | None = None
) -> list[Diagnostic]:
    """Problems certain for every point: the compile error (severity error) or warnings."""
    from tickpy.lang.compiler import compile_lambda

    try:
        compile_lambda(expression, mode=mode, functions=functions)
    except LambdaCompileError as error:
        return list(error.diagnostics)
    if isinstance(expression, ast.Lambda):
        expression = expression.expression
    catalogue = BUILTIN_FUNCTIONS if not functions else {**BUILTIN_FUNCTIONS, **functions}
    problems: list[Diagnostic] = []
    failing: set[int] = set()
    types: dict = {}  # static_result_type's memo, shared by all the nodes

    def visit(node: ast.Node) -> bool:
        """Checks the children first; True when this node certainly fails."""
        children_fail = any([visit(child) for child in ast.children(node)])
        if children_fail:
            failing.add(id(node))
            return True
        message = None
        match node:
            case ast.Function(name=name, args=args):
                spec = catalogue.get(name)
                if spec is None:
                    message = f'undefined function: "{name}"'
                elif len(args) > MAX_ARGS:
                    message = f"runtime error: index out of range [{MAX_ARGS}] with length {MAX_ARGS}"
                else:
                    arg_types = tuple([static_result_type(arg, catalogue, types) for arg in args])
                    if all_known(arg_types) and arg_types not in spec.signatures:
                        literals = [_literal_text(arg, catalogue) for arg in args]
                        message = wrong_signature_message(name, literals, arg_types, spec)
            case ast.Binary(operator=operator, left=left, right=right):
                left_type = static_result_type(left, catalogue, types)
                right_type = static_result_type(right, catalogue, types)
                if left_type is not None and right_type is not None and (operator, left_type, right_type) not in BINARY_OPERATIONS:
                    if operator not in OPERATORS_BY_TYPE.get(left_type, ()):
                        message = f"invalid {operator_kind(operator)} operator {operator} for type {left_type}"
                    else:
                        message = (
                            f"mismatched type to binary operator. got {left_type} {operator} {right_type}. "
                            "see bool(), int(), float(), string(), duration()"
                        )
        if message is not None:
            problems.append(_always_fails(node, message))
            failing.add(id(node))
            return True
        return False

    with recursion_room(expression_depth(expression)):
        visit(expression)
    if mode == "predicate" and id(expression) not in failing:
        result = static_result_type(expression, catalogue, types)
        is_comparison = isinstance(expression, ast.Binary) and (
            expression.operator in COMPARISON_OPERATORS or expression.operator in LOGICAL_OPERATORS
        )
        if result is not None and result != BOOL and not is_comparison:
            problems.append(
                _always_fails(
                    expression,
                    f"the lambda's value is {result}, but where and alert conditions must be boolean",
                    hint="compare it, e.g. `lambda: ... > 0`",
                )
            )
    return problems


__all__ = ["check_lambda", "ERROR", "WARNING"]

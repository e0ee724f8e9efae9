"""Evaluate an operator expression outside a lambda (`var every = 2 * 5m`), as Kapacitor does at
define time with an empty scope. Only the operand type pairs Kapacitor's expression engine
defines are accepted: int and float mix only in comparisons, never in arithmetic."""

from __future__ import annotations

from typing import Any

from tickpy.check.evaluate import EvalError, _located, _regex
from tickpy.diagnostics import Diagnostic
from tickpy.golang.goformat import format_float_f
from tickpy.golang.gotime import format_go_duration
from tickpy.lang import compile_lambda
from tickpy.lang.values import Duration, Regex
from tickpy.syntax import ast

COMPARISONS = {"==", "!=", "<", "<=", ">", ">="}
ARITHMETIC = {"+", "-", "*", "/", "%"}


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _type(value: Any) -> str:
    return {bool: "boolean", int: "int", float: "float", str: "string", Duration: "duration", Regex: "regex"}.get(
        type(value), "invalid type"
    )


def _fail(message: str, kapacitor: str, hint: str | None = None):
    return EvalError(
        Diagnostic(message=message, code="bad-expression", hint=hint, kapacitor_message=kapacitor, extra={"stage": "pipeline"})
    )


def evaluate_binary(node: ast.Binary) -> Any:
    """An operator expression outside a lambda. Field references are reported as Kapacitor does
    (undefined names, with our position); the value itself comes from the lambda engine, which
    implements Kapacitor's expression semantics exactly, with this module as the fallback."""
    try:
        mine = evaluate_constant(node)
        mine_error = None
    except Exception as err:
        diagnostic = getattr(err, "diagnostic", None)
        if diagnostic is not None and "is undefined" in (diagnostic.kapacitor_message or ""):
            raise
        mine, mine_error = None, err
    try:
        value = compile_lambda(node, mode="eval").new_evaluator()({}, {}, 0)
    except Exception as err:
        text = str(err)
        diagnostic = getattr(mine_error, "diagnostic", None)
        if mine_error is not None and diagnostic is not None:
            diagnostic.kapacitor_message = text
            raise mine_error from None
        raise _fail(f"this expression fails: {text}", text) from None
    if type(value) in (bool, int, float, str, Duration, Regex):
        return value
    if mine_error is not None:
        raise mine_error
    return mine


def evaluate_constant(node: ast.Node) -> Any:
    if isinstance(node, ast.NumberLiteral):
        return node.int_value if node.is_int else node.float_value
    if isinstance(node, ast.StringLiteral):
        return node.value
    if isinstance(node, ast.BoolLiteral):
        return node.value
    if isinstance(node, ast.DurationLiteral):
        return Duration(node.nanoseconds)
    if isinstance(node, ast.RegexLiteral):
        return _regex(node.pattern)
    if isinstance(node, ast.Unary):
        value = evaluate_constant(node.operand)
        if node.operator == "-" and type(value) in (int, float):
            return -value
        if node.operator == "-" and type(value) is Duration:
            return Duration(-value.nanoseconds)
        if node.operator == "!" and type(value) is bool:
            return not value
        raise _fail(
            f"'{node.operator}' cannot be applied to {_a(_type(value))}",
            f"invalid unary operator {node.operator} for type {_type(value)}",
        )
    if isinstance(node, ast.Reference):
        raise _located(_fail(
            f'"{node.name}" reads a field, which only exists inside a lambda',
            f'name "{node.name}" is undefined. Names in scope: ',
            hint='did you forget "lambda:" before the expression?',
        ), node.span)
    if isinstance(node, ast.Binary):
        left = evaluate_constant(node.left)
        right = evaluate_constant(node.right)
        return _binary(node.operator, left, right)
    if isinstance(node, ast.Lambda):
        return node
    if isinstance(node, ast.Function) and node.kind == "global":
        args = []
        for index, arg in enumerate(node.args):
            try:
                args.append(evaluate_constant(arg))
            except Exception as err:
                diagnostic = getattr(err, "diagnostic", None)
                if diagnostic is not None and diagnostic.kapacitor_message:
                    diagnostic.kapacitor_message = f"Failed to handle {index + 1} argument: {diagnostic.kapacitor_message}"
                raise
        return _call(node.name, args, node)
    raise _fail("this expression cannot be evaluated outside a lambda", "unsupported expression")


def _binary(op: str, left: Any, right: Any) -> Any:
    lt, rt = type(left), type(right)
    lname, rname = _type(left), _type(right)
    if op in ("AND", "OR"):
        if lt is bool and rt is bool:
            return (left and right) if op == "AND" else (left or right)
    elif op in COMPARISONS:
        numeric = (int, float)
        if (lt in numeric and rt in numeric and lt is not bool and rt is not bool) or (lt is rt and lt in (str, Duration)):
            a = left.nanoseconds if lt is Duration else left
            b = right.nanoseconds if rt is Duration else right
            return {
                "==": a == b,
                "!=": a != b,
                "<": a < b,
                "<=": a <= b,
                ">": a > b,
                ">=": a >= b,
            }[op]
        if lt is bool and rt is bool and op in ("==", "!="):
            return (left == right) if op == "==" else (left != right)
    elif op in ("=~", "!~"):
        if lt is str and rt is Regex and right.compiled is not None:
            matched = right.compiled.search(left) is not None
            return matched if op == "=~" else not matched
    elif op in ARITHMETIC:
        if lt is rt and lt in (int, float) and lt is not bool:
            if op == "+":
                return left + right
            if op == "-":
                return left - right
            if op == "*":
                return left * right
            if op == "/":
                if right == 0:
                    raise _fail("division by zero", "divide by zero")
                if lt is int:
                    quotient = abs(left) // abs(right)
                    return quotient if (left >= 0) == (right >= 0) else -quotient
                return left / right
            if op == "%" and lt is int:
                if right == 0:
                    raise _fail("division by zero", "divide by zero")
                return left - right * int(left / right)
        if lt is str and rt is str and op == "+":
            return left + right
        if lt is Duration and rt is Duration:
            if op == "+":
                return Duration(left.nanoseconds + right.nanoseconds)
            if op == "-":
                return Duration(left.nanoseconds - right.nanoseconds)
            if op == "/" and right.nanoseconds:
                return left.nanoseconds // right.nanoseconds
        if op == "*" and {lt, rt} <= {Duration, int, float} and Duration in (lt, rt) and lt is not rt:
            duration, factor = (left, right) if lt is Duration else (right, left)
            return Duration(int(duration.nanoseconds * factor))
        if op == "/" and lt is Duration and rt in (int, float) and right:
            return Duration(int(left.nanoseconds / right))
    if lname != rname:
        raise _fail(
            f"'{op}' cannot combine {_a(lname)} and {_a(rname)}; convert one side with int(), float(), string() or duration()",
            f"mismatched type to binary operator. got {lname} {op} {rname}. see bool(), int(), float(), string(), duration()",
        )
    raise _fail(
        f"'{op}' cannot be applied to {lname} values",
        f"invalid {'math' if op in ARITHMETIC else 'comparison' if op in COMPARISONS else 'logical'} operator {op} for type {lname}",
    )


def _call(name: str, args: list, node: ast.Function | None = None) -> Any:
    """The conversion functions, the ones scripts use outside lambdas to build strings."""
    if len(args) == 1:
        value = args[0]
        t = type(value)
        if name == "string":
            if t is str:
                return value
            if t is bool:
                return "true" if value else "false"
            if t is int:
                return str(value)
            if t is float:
                return format_float_f(value)
            if t is Duration:
                return format_go_duration(value.nanoseconds)
        if name == "int" and t in (int, float, bool):
            return int(value)
        if name == "float" and t in (int, float, bool):
            return float(value)
        if name == "bool" and t is bool:
            return value
        if name == "duration" and t is Duration:
            return value
    if name in ("string", "int", "float", "bool", "duration"):
        raise _fail(
            f"{name}() cannot convert these arguments",
            f"cannot convert {', '.join(_type(a) for a in args)} with {name}()",
        )
    if node is not None:
        return _via_lambda_engine(node)
    raise _fail(f"{name}() cannot be evaluated outside a lambda", f"undefined function {name}")


def _via_lambda_engine(node: ast.Function) -> Any:
    """Other functions (abs(), strLength(), ...): Kapacitor evaluates them with its expression
    engine and an empty scope, which is what the lambda compiler implements."""
    try:
        value = compile_lambda(node, mode="eval").new_evaluator()({}, {}, 0)
    except Exception as err:
        raise _fail(f"{node.name}() fails: {err}", str(err)) from None
    if type(value) in (bool, int, float, str, Duration, Regex):
        return value
    raise _fail(f"{node.name}() does not give a value usable outside a lambda", f"unsupported value {value!r}")

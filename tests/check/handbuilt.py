"""Build small ASTs by hand, for checker tests that must not depend on the parser."""

from tickpy.syntax import ast


def span(line=1, column=1):
    return ast.Span(line, column, line, column + 1)


def call(kind, name, *args, line=1, column=1):
    return ast.Function(span=span(line, column), kind=kind, name=name, args=list(args))


def chain(left, *steps):
    """chain(ident, ("|", "from"), (".", "measurement", s("cpu")), ...)"""
    node = left
    for step in steps:
        op, name, *rest = step
        position = {}
        if rest and isinstance(rest[-1], dict):
            position = rest.pop()
        kind = {"|": "chain", ".": "property", "@": "dynamic"}[op]
        node = ast.Chain(span=node.span, operator=op, left=node, right=call(kind, name, *rest, **position))
    return node


def ident(name):
    return ast.Identifier(span=span(), name=name)


def s(value):
    return ast.StringLiteral(span=span(), value=value)


def d(seconds):
    return ast.DurationLiteral(span=span(), nanoseconds=int(seconds * 1e9), literal=f"{seconds}s")


def i(value):
    return ast.NumberLiteral(span=span(), is_int=True, int_value=value, float_value=0.0, literal=str(value))


def f(value):
    return ast.NumberLiteral(span=span(), is_int=False, int_value=0, float_value=value, literal=repr(value))


def ref(name):
    return ast.Reference(span=span(), name=name)


def lam(left, op, right):
    return ast.Lambda(span=span(), expression=ast.Binary(span=span(), operator=op, left=left, right=right))


def var(name, value):
    return ast.Declaration(span=span(), name=ident(name), value=value)


def program(*statements):
    return ast.Program(span=span(), statements=list(statements))

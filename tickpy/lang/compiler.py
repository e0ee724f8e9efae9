"""Compile a lambda expression once into Python callables, with Kapacitor's semantics.

    compiled = compile_lambda(expr, mode="predicate")   # or "eval"
    evaluator = compiled.new_evaluator()                # one per group: holds function state
    evaluator.evaluate(fields, tags, time_ns)           # value, or raises LambdaRuntimeError

Compilation does what Kapacitor's `stateful.NewExpression` does (static type errors of
operators whose operand types are known are reported here, as LambdaCompileError), builds
the exact evaluator (`tickpy.lang.nodes`) and generates a fast path specialised to the
operand types (`tickpy.lang.codegen`) that defers to the exact evaluator for anything
unusual (missing values, type errors, panics).

Modes:
- "eval": EvalNode semantics (Kapacitor's `Expression.Eval`): any of int, float, string,
  boolean, duration; Go runtime panics become ordinary errors.
- "predicate": WhereNode/AlertNode semantics (`EvalPredicate`): Type() then EvalBool;
  a non-boolean result is an error; panics are reported with stage "panic".
"""

from __future__ import annotations

from collections.abc import Callable

from tickpy.lang import codegen
from tickpy.lang.depth import SHALLOW, expression_depth, recursion_room
from tickpy.lang.errors import GoError, GoPanic, LambdaCompileError, LambdaRuntimeError
from tickpy.lang.functions import BUILTIN_FUNCTIONS, LambdaFunction
from tickpy.lang.nodes import (
    BinaryNode,
    BoolNode,
    DurationNode,
    EvalNode,
    ExecutionState,
    FloatNode,
    FunctionNode,
    IntNode,
    ReferenceNode,
    RegexNode,
    StringNode,
    UnaryNode,
)
from tickpy.lang.operators import COMPARISON_OPERATORS, LOGICAL_OPERATORS, binary_result_type
from tickpy.lang.values import (
    BOOL,
    DURATION,
    FLOAT,
    INT,
    INVALID,
    MISSING,
    MISSING_TYPE,
    REGEX,
    STRING,
    Duration,
    Regex,
    Time,
)
from tickpy.syntax import ast

MODES = ("eval", "predicate")
STACK_OVERFLOW = "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow"

# Kapacitor's `%T` names of AST nodes that cannot be evaluated.
_AST_GO_TYPES = {
    ast.Identifier: "*ast.IdentifierNode",
    ast.Star: "*ast.StarNode",
    ast.ListLiteral: "*ast.ListNode",
    ast.Chain: "*ast.ChainNode",
    ast.Declaration: "*ast.DeclarationNode",
    ast.TypeDeclaration: "*ast.TypeDeclarationNode",
    ast.DBRP: "*ast.DBRPNode",
    ast.Program: "*ast.ProgramNode",
}


def constant_type(node: ast.Node, memo: dict[int, str] | None = None) -> str:
    """Kapacitor's getConstantNodeType: the type knowable without a point.

    `memo` (id of node -> type) keeps a long operator chain linear: each level asks again
    for the type of the subtree below it."""
    if memo is not None:
        known = memo.get(id(node))
        if known is None:
            known = memo[id(node)] = _constant_type(node, memo)
        return known
    return _constant_type(node, None)


def _constant_type(node: ast.Node, memo: dict[int, str] | None) -> str:
    match node:
        case ast.NumberLiteral(is_int=is_int):
            return INT if is_int else FLOAT
        case ast.DurationLiteral():
            return DURATION
        case ast.StringLiteral():
            return STRING
        case ast.BoolLiteral():
            return BOOL
        case ast.RegexLiteral():
            return REGEX
        case ast.Unary(operator="!"):
            return BOOL
        case ast.Unary(operator="-", operand=operand):
            return constant_type(operand, memo)
        case ast.Binary(operator=operator, left=left, right=right):
            if operator in COMPARISON_OPERATORS or operator in LOGICAL_OPERATORS:
                return BOOL
            return binary_result_type(operator, constant_type(left, memo), constant_type(right, memo)) or INVALID
        case ast.Lambda(expression=expression):
            return constant_type(expression, memo)
    return INVALID


def compile_regex(pattern: str):
    import re2  # deferred: start-up (only scripts with a regex need it)

    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


def _build(node: ast.Node, catalogue: dict[str, LambdaFunction], memo: dict[int, str] | None = None) -> EvalNode:
    """Kapacitor's createNodeEvaluator; raises GoError with its message."""
    if memo is None:
        memo = {}
    match node:
        case ast.NumberLiteral(is_int=True, int_value=value):
            return IntNode(value)
        case ast.NumberLiteral(float_value=value):
            return FloatNode(float(value))
        case ast.DurationLiteral(nanoseconds=value):
            return DurationNode(Duration(value))
        case ast.StringLiteral(value=value):
            return StringNode(value)
        case ast.BoolLiteral(value=value):
            return BoolNode(value)
        case ast.RegexLiteral(pattern=pattern, literal=literal):
            try:
                compiled = compile_regex(pattern)
            except Exception as error:  # re2.error; the parser normally rejects these first
                raise GoError(f"error parsing regexp: {error}") from None
            return RegexNode(Regex(pattern, compiled), literal[1:-1] if literal.startswith("/") else literal)
        case ast.Reference(name=name):
            return ReferenceNode(name)
        case ast.Binary(operator=operator, left=left, right=right):
            try:
                left_node = _build(left, catalogue, memo)
            except GoError as error:
                raise GoError(f"Failed to handle left node: {error}") from None
            try:
                right_node = _build(right, catalogue, memo)
            except GoError as error:
                raise GoError(f"Failed to handle right node: {error}") from None
            return BinaryNode(
                operator, left_node, right_node, constant_type(node, memo), constant_type(left, memo), constant_type(right, memo)
            )
        case ast.Unary(operator=operator, operand=operand):
            try:
                child = _build(operand, catalogue, memo)
            except GoError as error:
                raise GoError(f"Failed to handle node: {error}") from None
            return UnaryNode(operator, child, constant_type(node, memo))
        case ast.Function(name=name, args=args):
            built = []
            for index, arg in enumerate(args):
                try:
                    built.append(_build(arg, catalogue, memo))
                except GoError as error:
                    raise GoError(f"Failed to handle {index + 1} argument: {error}") from None
            return FunctionNode(name, built, catalogue)
        case ast.Lambda(expression=expression):
            return _build(expression, catalogue, memo)
    go_type = _AST_GO_TYPES.get(type(node), f"*ast.{type(node).__name__}Node")
    raise GoError(f"Given node type is not valid evaluation node: {go_type}")


def find_references(node: ast.Node) -> list[str]:
    """Field/tag names the expression reads (and "time"), in order of first appearance."""
    names: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Reference) and child.name not in names:
            names.append(child.name)
    return names


class Evaluator:
    """One evaluation context: the stateful functions' running values (one per group)."""

    __slots__ = ("compiled", "state", "evaluate")

    def __init__(self, compiled: CompiledLambda):
        self.compiled = compiled
        self.state = ExecutionState(compiled.catalogue)
        self.evaluate: Callable = compiled._make_evaluate(self.state)

    def __call__(self, fields: dict, tags: dict, time_ns: int):
        return self.evaluate(fields, tags, time_ns)


class CompiledLambda:
    """A lambda compiled once. `new_evaluator()` for each group; `references` are the
    field/tag names it reads; `result_type` is its type when known without a point."""

    def __init__(self, expression: ast.Expr, mode: str, catalogue: dict[str, LambdaFunction], span: ast.Span):
        self.expression = expression
        self.mode = mode
        self.catalogue = catalogue
        self.span = span
        self.references: tuple[str, ...] = tuple(find_references(expression))
        self.depth = expression_depth(expression)
        with recursion_room(self.depth):
            try:
                self.root = _build(expression, catalogue)
            except GoError as error:
                raise LambdaCompileError(error.message, span.line, span.column, span.end_line, span.end_column) from None
            except GoPanic as panic:
                raise LambdaCompileError(panic.message, span.line, span.column, span.end_line, span.end_column) from None
            self.result_type = codegen.static_result_type(expression, catalogue)
        self.stateful = any(
            isinstance(node, ast.Function) and catalogue.get(node.name) is not None and catalogue[node.name].stateful
            for node in ast.walk(expression)
        )
        self._fast = codegen.FastPath(self)

    def new_evaluator(self) -> Evaluator:
        return Evaluator(self)

    # -- the exact path

    def fill_scope(self, fields: dict, tags: dict, time_ns: int) -> dict:
        """Kapacitor's fillScope: each referenced name from the fields, else the tags, else missing."""
        scope: dict[str, object] = {}
        for name in self.references:
            if name == "time":
                scope["time"] = Time(time_ns)
                continue
            in_fields = name in fields
            if in_fields:
                scope[name] = fields[name]
            if name in tags:
                if in_fields:
                    raise LambdaRuntimeError(
                        f'cannot have field and tags with same name "{name}"', "scope", self.span.line, self.span.column
                    )
                scope[name] = tags[name]
            elif not in_fields:
                scope[name] = MISSING
        return scope

    def evaluate_exact(self, state: ExecutionState, fields: dict, tags: dict, time_ns: int):
        scope = self.fill_scope(fields, tags, time_ns)
        try:
            if self.depth > SHALLOW:
                with recursion_room(self.depth):
                    if self.mode == "predicate":
                        return self._predicate(scope, state)
                    return self._eval(scope, state)
            if self.mode == "predicate":
                return self._predicate(scope, state)
            return self._eval(scope, state)
        except RecursionError:
            # Kapacitor retries a type-guard failure forever in a few cases (e.g. `-'a' + 'b'`):
            # Go's stack overflow is fatal, recover() cannot catch it, the process dies.
            raise self._error(STACK_OVERFLOW, "panic") from None

    def _error(self, message: str, stage: str) -> LambdaRuntimeError:
        return LambdaRuntimeError(message, stage, self.span.line, self.span.column)

    def _predicate(self, scope: dict, state: ExecutionState):
        root = self.root
        try:
            try:
                root.type(scope)
            except GoError as error:
                raise self._error(error.message, "type") from None
            try:
                return root.eval_bool(scope, state)
            except GoError as error:
                raise self._error(error.message, "eval") from None
        except GoPanic as panic:
            raise self._error(panic.message, "panic") from None

    def _eval(self, scope: dict, state: ExecutionState):
        root = self.root
        try:
            result_type = root.type(scope)
            if result_type == INT:
                return root.eval_int(scope, state)
            if result_type == FLOAT:
                return root.eval_float(scope, state)
            if result_type == STRING:
                return root.eval_string(scope, state)
            if result_type == BOOL:
                return root.eval_bool(scope, state)
            if result_type == DURATION:
                return root.eval_duration(scope, state)
            if result_type == MISSING_TYPE:
                return root.eval_missing(scope, state)
            raise GoError(f"expression returned unexpected type {result_type}")
        except GoError as error:
            raise self._error(error.message, "eval") from None
        except GoPanic as panic:
            raise self._error(panic.message, "eval") from None

    def _make_evaluate(self, state: ExecutionState) -> Callable:
        return self._fast.make_evaluate(state)


def compile_lambda(
    expr: ast.Expr | ast.Lambda,
    mode: str = "predicate",
    functions: dict[str, LambdaFunction] | None = None,
) -> CompiledLambda:
    """Compile a lambda (the `ast.Lambda` or its expression) for "eval" or "predicate" mode.

    `functions` adds or replaces callable names (`LambdaFunction` entries), e.g. the
    handler-file `match` functions; a constant can be a zero-argument function.
    Raises LambdaCompileError for errors Kapacitor reports when the task starts."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    span = expr.span
    if isinstance(expr, ast.Lambda):
        expr = expr.expression
    catalogue = BUILTIN_FUNCTIONS if not functions else {**BUILTIN_FUNCTIONS, **functions}
    return CompiledLambda(expr, mode, catalogue, span)

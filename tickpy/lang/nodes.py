"""Kapacitor's evaluation protocol, node by node: the exact (general) path.

Kapacitor's `tick/stateful` evaluator gives every node a `Type(scope)` and one `Eval<T>`
per requested type; a node asked for a type it does not produce fails with a TypeGuard
error, and binary nodes pick (and re-pick, when operand types change) a specialised
operation from the operator table. Its messages and error stages follow from exactly this
protocol, so tickpy follows it too for the general case: each AST node is compiled once
into an evaluator object whose methods call their children directly.

The generated fast path (`tickpy.lang.codegen`) handles the common well-typed cases and
defers to this module for everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tickpy.golang.goformat import format_float_v
from tickpy.golang.gotime import format_go_duration
from tickpy.golang.gotypes import wrap_int64
from tickpy.lang.errors import GoError, GoPanic, MissingValueError, TypeGuardFailed
from tickpy.lang.functions import LambdaFunction
from tickpy.lang.operators import BINARY_OPERATIONS, OPERATORS_BY_TYPE, operator_kind
from tickpy.lang.values import (
    BOOL,
    DURATION,
    FLOAT,
    INT,
    INVALID,
    MISSING_TYPE,
    REGEX,
    STRING,
    TIME,
    Duration,
    Regex,
    Time,
    type_of,
)

MAX_ARGS = 4  # Kapacitor's Domain is a [4]ValueType: a fifth argument panics.


class SideError(Exception):
    """Kapacitor's ErrSide: an operand's error, remembering which side it came from."""

    def __init__(self, error: GoError, is_left: bool = False, is_right: bool = False):
        super().__init__(str(error))
        self.error = error
        self.is_left = is_left
        self.is_right = is_right


def _go_result_type_name(value: object) -> str:
    """`%T` of resultContainer.value(): only bool, int64 and float64 are reported."""
    kind = type(value)
    if kind is bool:
        return "bool"
    if kind is int:
        return "int64"
    if kind is float:
        return "float64"
    return "<nil>"


class ExecutionState:
    """Per-evaluator state: one instance of every function, so stateful ones keep their
    running values (shared by all calls of the same name in the expression)."""

    __slots__ = ("functions", "catalogue")

    def __init__(self, catalogue: dict[str, LambdaFunction]):
        self.catalogue = catalogue
        self.functions: dict[str, Callable] = {}

    def function(self, name: str) -> Callable | None:
        instance = self.functions.get(name)
        if instance is None:
            spec = self.catalogue.get(name)
            if spec is None:
                return None
            instance = spec.instance()
            self.functions[name] = instance
        return instance


class EvalNode:
    """Base: a constant node of one type. Subclasses override what they produce."""

    go_type = "*stateful.EvalNode"
    const_type = INVALID
    value: object = None

    def is_dynamic(self) -> bool:
        return False

    def type(self, scope: dict) -> str:
        return self.const_type

    def guard(self, requested: str) -> TypeGuardFailed:
        return TypeGuardFailed(requested, self.const_type)

    # eval_float, eval_int, ... eval_missing: each raises self.guard(<its type>); defined
    # from _EVAL_METHOD below, and overridden by the nodes that produce that type.
    if TYPE_CHECKING:
        def eval_float(self, scope: dict, state: ExecutionState) -> float: ...
        def eval_int(self, scope: dict, state: ExecutionState) -> int: ...
        def eval_string(self, scope: dict, state: ExecutionState) -> str: ...
        def eval_bool(self, scope: dict, state: ExecutionState) -> bool: ...
        def eval_regex(self, scope: dict, state: ExecutionState) -> Regex: ...
        def eval_time(self, scope: dict, state: ExecutionState) -> Time: ...
        def eval_duration(self, scope: dict, state: ExecutionState) -> Duration: ...
        def eval_missing(self, scope: dict, state: ExecutionState) -> object: ...

    def eval_as(self, requested: str, scope, state):
        return getattr(self, _EVAL_METHOD[requested])(scope, state)


_EVAL_METHOD = {
    FLOAT: "eval_float",
    INT: "eval_int",
    STRING: "eval_string",
    BOOL: "eval_bool",
    REGEX: "eval_regex",
    TIME: "eval_time",
    DURATION: "eval_duration",
    MISSING_TYPE: "eval_missing",
}


def _define_eval_methods(cls, make_method: Callable, exclude: tuple[str, ...] = ()):
    """Give `cls` an Eval<T> method for each type T (but those in `exclude`, written by
    hand): `make_method(T)`. The per-type methods of a node are one rule, not eight copies."""
    for value_type, name in _EVAL_METHOD.items():
        if value_type not in exclude:
            method = make_method(value_type)
            method.__name__ = method.__qualname__ = name
            setattr(cls, name, method)
    return cls


def _type_guard_method(value_type: str):
    def evaluate(self, scope, state):
        raise self.guard(value_type)

    return evaluate


def _typed_method(value_type: str):
    def evaluate(self, scope, state):
        return self._typed(scope, state, value_type)

    return evaluate


# The base produces nothing: every Eval<T> fails its type guard.
_define_eval_methods(EvalNode, _type_guard_method)


def _own_value(self, scope, state):
    """A constant's Eval<T> for its own type T: the value it holds."""
    return self.value


class ConstantNode(EvalNode):
    """A literal: it holds one value of `const_type`, which its own Eval<T> returns."""

    def __init__(self, value):
        self.value = value

    def __str__(self) -> str:
        return str(self.value)


class FloatNode(ConstantNode):
    go_type = "*stateful.EvalFloatNode"
    const_type = FLOAT
    eval_float = _own_value
    value: float

    def __str__(self) -> str:
        return format_float_v(self.value)

    def eval_int(self, scope, state):
        raise TypeGuardFailed(FLOAT, FLOAT)  # sic: Kapacitor reports the requested type as float


class IntNode(ConstantNode):
    go_type = "*stateful.EvalIntNode"
    const_type = INT
    eval_int = _own_value
    value: int


class StringNode(ConstantNode):
    go_type = "*stateful.EvalStringNode"
    const_type = STRING
    eval_string = _own_value
    value: str


class BoolNode(ConstantNode):
    go_type = "*stateful.EvalBoolNode"
    const_type = BOOL
    eval_bool = _own_value
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


class RegexNode(ConstantNode):
    go_type = "*stateful.EvalRegexNode"
    const_type = REGEX
    eval_regex = _own_value
    value: Regex

    def __init__(self, value, literal: str):
        self.value = value
        self.literal = literal

    def __str__(self) -> str:
        return self.literal


class DurationNode(ConstantNode):
    go_type = "*stateful.EvalDurationNode"
    const_type = DURATION
    eval_duration = _own_value
    value: Duration

    def __str__(self) -> str:
        return format_go_duration(self.value.nanoseconds)


def scope_get(scope: dict, name: str) -> object:
    try:
        return scope[name]
    except KeyError:
        names = ",".join(scope)
        raise GoError(f'name "{name}" is undefined. Names in scope: {names}') from None


class ReferenceNode(EvalNode):
    """A field, tag or "time": its type is whatever the point's value has."""

    go_type = "*stateful.EvalReferenceNode"

    def __init__(self, name: str):
        self.name = name

    def __str__(self) -> str:
        return f'"{self.name}"'

    def is_dynamic(self) -> bool:
        return True

    def _value(self, scope) -> object:
        value = scope_get(scope, self.name)
        if value is None:
            raise GoError(f'referenced value "{self.name}" is nil.')
        return value

    def type(self, scope):
        return type_of(self._value(scope))

    def _typed(self, scope, state, requested: str):
        value = self._value(scope)
        actual = type_of(value)
        if actual == requested:
            return value
        if actual == MISSING_TYPE:
            raise GoError(f'reference "{self.name}" is missing value')
        raise TypeGuardFailed(requested, actual)

    def eval_missing(self, scope, state):
        value = self._value(scope)
        actual = type_of(value)
        if actual == MISSING_TYPE:
            raise MissingValueError(f'missing value: "{self.name}"', value)
        raise TypeGuardFailed(MISSING_TYPE, actual)


# Its type is the value's: each Eval<T> checks the value it finds (eval_missing by hand).
_define_eval_methods(ReferenceNode, _typed_method, exclude=(MISSING_TYPE,))


class UnaryNode(EvalNode):
    go_type = "*stateful.EvalUnaryNode"

    def __init__(self, operator: str, child: EvalNode, const_type: str):
        self.operator = operator
        self.child = child
        self.const_type = const_type
        # Fixed once built; cached so that a long chain does not ask its whole subtree each time.
        self.dynamic = const_type == INVALID and child.is_dynamic()

    def __str__(self) -> str:
        return render(self)

    def is_dynamic(self) -> bool:
        return self.dynamic

    def type(self, scope):
        if self.const_type == INVALID:
            return self.child.type(scope)
        return self.const_type

    def eval_missing(self, scope, state):
        if isinstance(self.child, ReferenceNode):
            raise MissingValueError(f'reference "{self.child.name}" is missing value', None)
        raise GoError(f"expected nodeEvaluator to be *EvalReferenceNode got {self.child.go_type}")

    def eval_duration(self, scope, state):
        actual = self.type(scope)
        if actual == DURATION:
            return Duration(wrap_int64(-self.child.eval_duration(scope, state).nanoseconds))
        raise TypeGuardFailed(DURATION, actual)

    def eval_float(self, scope, state):
        actual = self.type(scope)
        if actual == FLOAT:
            return -1.0 * self.child.eval_float(scope, state)
        raise TypeGuardFailed(FLOAT, actual)

    def eval_int(self, scope, state):
        actual = self.type(scope)
        if actual == INT:
            return wrap_int64(-self.child.eval_int(scope, state))
        raise TypeGuardFailed(INT, actual)

    def eval_bool(self, scope, state):
        # Kapacitor negates a boolean operand whatever the operator: `-TRUE` is false.
        actual = self.type(scope)
        if actual == BOOL:
            return not self.child.eval_bool(scope, state)
        raise TypeGuardFailed(BOOL, actual)


class BinaryNode(EvalNode):
    """A binary operator, re-specialised to its operands' types as Kapacitor does.

    The cached operand types and chosen operation are per compiled expression (shared by
    all evaluators, as Kapacitor shares its node tree across groups)."""

    go_type = "*stateful.EvalBinaryNode"

    def __init__(self, operator: str, left: EvalNode, right: EvalNode, const_type: str, left_const: str, right_const: str):
        self.operator = operator
        self.left = left
        self.right = right
        self.const_type = const_type
        self.left_type = INVALID
        self.right_type = INVALID
        self.operands_dynamic = left.is_dynamic() or right.is_dynamic()
        self.dynamic = const_type == INVALID and self.operands_dynamic
        if self.operands_dynamic:
            self.operation = self._evaluate_dynamic
        else:
            self.left_type = left_const
            self.right_type = right_const
            self.operation = self._lookup()
            if self.operation is None:
                raise self.determine_error(None, None)

    def __str__(self) -> str:
        return render(self)

    def is_dynamic(self) -> bool:
        return self.dynamic

    def type(self, scope):
        if self.const_type == INVALID:
            self.left_type = self.left.type(scope)
            self.right_type = self.right.type(scope)
            entry = BINARY_OPERATIONS.get((self.operator, self.left_type, self.right_type))
            if entry is None:
                raise self.determine_error(None, None)
            return entry[0]
        return self.const_type

    # -- evaluation machinery (Kapacitor's eval / evaluateDynamicNode / lookupEvaluationFn)

    def _lookup(self):
        entry = BINARY_OPERATIONS.get((self.operator, self.left_type, self.right_type))
        if entry is None:
            return None
        return self._specialise(self.left_type, self.right_type, entry[1])

    def _specialise(self, left_type: str, right_type: str, operation):
        left_eval = getattr(self.left, _EVAL_METHOD[left_type])
        right_eval = getattr(self.right, _EVAL_METHOD[right_type])
        operator = self.operator

        def specialised(scope, state):
            try:
                left_value = left_eval(scope, state)
            except GoError as error:
                raise SideError(error, is_left=True) from None
            if operator == "AND" and not left_value:
                return False
            if operator == "OR" and left_value:
                return True
            try:
                right_value = right_eval(scope, state)
            except GoError as error:
                raise SideError(error, is_right=True) from None
            return operation(left_value, right_value)

        return specialised

    def _eval(self, scope, state):
        if self.operation is None:
            raise SideError(self.determine_error(scope, state))
        try:
            return self.operation(scope, state)
        except SideError as side:
            error = side.error
            if isinstance(error, TypeGuardFailed):
                if side.is_left:
                    self.left_type = error.actual
                if side.is_right:
                    self.right_type = error.actual
                self.operation = self._lookup()
                if self.operation is None:
                    raise
                return self._eval(scope, state)
            raise

    def _evaluate_dynamic(self, scope, state):
        try:
            left_type = self.left.type(scope)
        except GoError as error:
            raise SideError(error, is_left=True) from None
        try:
            right_type = self.right.type(scope)
        except GoError as error:
            raise SideError(error, is_right=True) from None
        self.left_type = left_type
        self.right_type = right_type
        self.operation = self._lookup()
        return self._eval(scope, state)

    def determine_error(self, scope, state) -> GoError:
        if scope is not None:
            try:
                left_type = self.left.type(scope)
            except GoError as error:
                return GoError(f"can't get the type of the left node: {error}")
            self.left_type = left_type
            if left_type == INVALID:
                return GoError("left value is invalid value type")
            if left_type == MISSING_TYPE:
                if not isinstance(self.left, ReferenceNode):
                    return GoError(f"expected leftEvaluator to be *EvalReferenceNode got {self.left.go_type}")
                return GoError(f'left reference value "{self.left.name}" is missing value')
            try:
                right_type = self.right.type(scope)
            except GoError as error:
                return GoError(f"can't get the type of the right node: {error}")
            self.right_type = right_type
            if right_type == INVALID:
                return GoError("right value is invalid value type")
            if right_type == MISSING_TYPE:
                if not isinstance(self.right, ReferenceNode):
                    return GoError(f"expected rightEvaluator to be *EvalReferenceNode got {self.right.go_type}")
                return GoError(f'right reference value "{self.right.name}" is missing value')
        operator = self.operator
        left_ok = operator in OPERATORS_BY_TYPE.get(self.left_type, ())
        if self.left_type != INVALID and not left_ok:
            return GoError(f"invalid {operator_kind(operator)} operator {operator} for type {self.left_type}")
        if self.right_type != INVALID and not left_ok:
            return GoError(f"invalid {operator_kind(operator)} operator {operator} for type {self.right_type}")
        return GoError(
            f"mismatched type to binary operator. got {self.left_type} {operator} {self.right_type}. "
            "see bool(), int(), float(), string(), duration()"
        )

    # -- typed results

    def _result(self, scope, state):
        try:
            return self._eval(scope, state)
        except SideError as side:
            raise side.error from None

    def eval_bool(self, scope, state):
        try:
            if self.operands_dynamic:
                result = self._evaluate_dynamic(scope, state)
            else:
                result = self._eval(scope, state)
        except SideError as side:
            raise side.error from None
        if type(result) is bool:
            return result
        raise GoError(f"expression returned unexpected type {_go_result_type_name(result)}")

    def eval_float(self, scope, state):
        result = self._result(scope, state)
        if type(result) is float:
            return result
        if type(result) is int:
            raise TypeGuardFailed(FLOAT, INT)
        raise TypeGuardFailed(FLOAT, self.const_type)

    def eval_int(self, scope, state):
        result = self._result(scope, state)
        if type(result) is int:
            return result
        if type(result) is float:
            raise TypeGuardFailed(INT, FLOAT)
        raise TypeGuardFailed(INT, self.const_type)

    def eval_string(self, scope, state):
        result = self._result(scope, state)
        if type(result) is str:
            return result
        raise GoError(f"expression returned unexpected type {_go_result_type_name(result)}")

    def eval_duration(self, scope, state):
        result = self._result(scope, state)
        if type(result) is Duration:
            return result
        raise GoError(f"expression returned unexpected type {_go_result_type_name(result)}")


class FunctionNode(EvalNode):
    go_type = "*stateful.EvalFunctionNode"

    def __init__(self, name: str, args: list[EvalNode], catalogue: dict[str, LambdaFunction]):
        self.name = name
        self.args = args
        self.catalogue = catalogue

    def __str__(self) -> str:
        return render(self)

    def is_dynamic(self) -> bool:
        return True

    def type(self, scope):
        spec = self.catalogue.get(self.name)
        if spec is None:
            raise GoError(f'undefined function: "{self.name}"')
        domain: list[str] = []
        for index, arg in enumerate(self.args):
            try:
                arg_type = arg.type(scope)
            except GoError as error:
                raise GoError(f"Failed to handle {index + 1} argument: {error}") from None
            if index >= MAX_ARGS:
                raise GoPanic(f"runtime error: index out of range [{index}] with length {MAX_ARGS}")
            domain.append(arg_type)
        result = spec.signatures.get(tuple(domain))
        if result is None:
            literals = [str(arg) for arg in self.args]
            missing = [literal for literal, arg_type in zip(literals, domain) if arg_type == MISSING_TYPE]
            if missing:
                raise GoError(missing_arguments_message(self.name, missing, list(scope)))
            raise GoError(wrong_signature_message(self.name, literals, domain, spec))
        return result

    def call(self, scope, state):
        args = []
        for index, arg in enumerate(self.args):
            try:
                args.append(evaluate_argument(arg, scope, state))
            except GoError as error:
                raise GoError(f"Failed to handle {index + 1} argument: {error}") from None
        function = state.function(self.name)
        if function is None:
            raise GoError(f'undefined function: "{self.name}"')
        try:
            return function(args)
        except GoError as error:
            raise GoError(f'error calling "{self.name}": {error}') from None

    def _typed(self, scope, state, requested: str):
        value = self.call(scope, state)
        actual = type_of(value)
        if actual == requested:
            return value
        raise TypeGuardFailed(requested, actual)



# Its type is the result's: each Eval<T> calls the function and checks what it returns.
_define_eval_methods(FunctionNode, _typed_method)


def render(node: EvalNode) -> str:
    """Kapacitor's String() of a node (`"x" > 5`, `-"y"`, `abs("z")`), written with a work
    stack: a nested `str()` would recurse through C once per level of a deep expression."""
    parts: list[str] = []
    stack: list = [node]
    while stack:
        item = stack.pop()
        if type(item) is str:
            parts.append(item)
        elif isinstance(item, BinaryNode):
            stack += [item.right, f" {item.operator} ", item.left]
        elif isinstance(item, UnaryNode):
            stack += [item.child, item.operator]
        elif isinstance(item, FunctionNode):
            stack.append(")")
            for index in range(len(item.args) - 1, -1, -1):
                stack.append(item.args[index])
                if index:
                    stack.append(", ")
            stack.append(item.name + "(")
        else:
            parts.append(str(item))
    return "".join(parts)


def missing_arguments_message(name: str, missing: list[str], scope_names: list[str]) -> str:
    references = [f'"{variable}"' for variable in scope_names]
    for literal in missing:
        if literal in references:
            references.remove(literal)
    if len(missing) > 1:
        template = 'Cannot call function "{}" arguments {} are missing, values in scope are [{}]'
    else:
        template = 'Cannot call function "{}" argument {} is missing, values in scope are [{}]'
    return template.format(name, ", ".join(missing), ", ".join(references))


def wrong_signature_message(name: str, literals: list[str], domain: Sequence[str], spec: LambdaFunction) -> str:
    given = "(" + ",".join(f"{literal}: {arg_type}" for literal, arg_type in zip(literals, domain)) + ")"
    available = ", ".join("(" + ",".join(signature) + ")" for signature in spec.signatures)
    return f'Cannot call function "{name}" with args {given}, available signatures are [{available}].'


def evaluate_argument(node: EvalNode, scope, state):
    """Kapacitor's `eval` helper for function arguments: Type() then the matching Eval."""
    arg_type = node.type(scope)
    method = _EVAL_METHOD.get(arg_type)
    if method is None:
        raise GoError(f"function arg expression returned unexpected type {arg_type}")
    if arg_type == MISSING_TYPE:
        try:
            return node.eval_missing(scope, state)
        except MissingValueError as error:
            return error.value
        except GoError as error:
            if "missing value" in str(error):
                return None
            raise
    return getattr(node, method)(scope, state)

"""Fast path: Python source generated per expression, specialised to its operand types.

For one assignment of Python types to the referenced fields/tags (e.g. `usage_idle` is a
float), the whole lambda has a static type, and Kapacitor's result is a plain Python
expression: `"usage_idle" < 10` becomes `v0 < 10.0`. The generated `evaluate`:

1. reads each referenced name from the fields (else the tags, else missing), as
   Kapacitor's fillScope does, deferring a field/tag name clash to the exact path;
2. checks the value types against the predicted assignment and, if they match, returns the
   specialised expression (no tree walk, no per-node type checks);
3. otherwise dispatches on the type tuple to another specialisation generated on first
   use, or to the exact evaluator (`tickpy.lang.nodes`) when the types make Kapacitor
   fail (missing values, mismatched operands) — the exact path produces the error text.

A specialisation only returns a value; it never reports an error. Whatever it raises
(an operation that fails for some values, such as integer division by zero, conversions of
strings, `strSubstring`, or anything unforeseen) re-runs the point on the exact path, which
gives Kapacitor's value or error text. Re-running is only safe without stateful functions
(their state would move twice), so an expression mixing them with an operation that can
fail has no fast path for those types.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TypeGuard

from tickpy.golang.gomath import go_divide
from tickpy.golang.gostrings import join_text
from tickpy.golang.gotypes import int64_div, int64_rem, wrap_int64
from tickpy.lang.functions import LambdaFunction
from tickpy.lang.nodes import BinaryNode, EvalNode
from tickpy.lang.operators import BINARY_OPERATIONS, COMPARISON_OPERATORS, LOGICAL_OPERATORS
from tickpy.lang.values import (
    BOOL,
    DURATION,
    FLOAT,
    INT,
    MISSING,
    MISSING_TYPE,
    REGEX,
    STRING,
    TIME,
    Duration,
    MissingValue,
    Time,
)
from tickpy.syntax import ast

_PY_TYPE_NAMES = {float: FLOAT, int: INT, str: STRING, bool: BOOL, MissingValue: MISSING_TYPE, Duration: DURATION}
_EVAL_RESULT_TYPES = (INT, FLOAT, STRING, BOOL, DURATION)
_MAX_SPECIALISATIONS = 32
_MAX_GENERATED_DEPTH = 40  # levels; a level opens at most four parentheses


def all_known(types: tuple[str | None, ...]) -> TypeGuard[tuple[str, ...]]:
    """Whether no type in `types` is unknown (None)."""
    return None not in types


class _NoFastPath(Exception):
    """This expression has no specialisation for these operand types."""


class _Fail(Exception):
    """A partial operation failed: re-run the point on the exact path."""


def _int_divide(left: int, right: int) -> int:
    if right == 0:
        raise _Fail
    return int64_div(left, right)


def _int_remainder(left: int, right: int) -> int:
    if right == 0:
        raise _Fail
    return int64_rem(left, right)


# wrap_int64 written into the generated source: a call per operation would cost more than it.
_WRAP = "((({}) + 9223372036854775808) & 18446744073709551615) - 9223372036854775808"


class _Generator:
    """Generates one specialisation: Python source for the expression under given types."""

    def __init__(self, catalogue: dict[str, LambdaFunction], references: tuple[str, ...], types: dict[str, str], prefix: str = ""):
        self.prefix = prefix  # keeps names of several specialisations in one namespace apart
        self.catalogue = catalogue
        self.references = references
        self.types = types
        self.constants: dict[str, object] = {}
        self.functions: dict[str, str] = {}  # function name -> local variable holding the instance
        self.partial = False
        self.stateful = False

    def constant(self, value: object) -> str:
        name = f"_k{self.prefix}{len(self.constants)}"
        self.constants[name] = value
        return name

    def function(self, name: str) -> str:
        if name not in self.functions:
            self.functions[name] = f"_f{self.prefix}{len(self.functions)}"
        return self.functions[name]

    def expression(self, node: ast.Node) -> tuple[str, str]:
        match node:
            case ast.NumberLiteral(is_int=True, int_value=value):
                return repr(value), INT
            case ast.NumberLiteral(float_value=value):
                return repr(float(value)), FLOAT
            case ast.StringLiteral(value=value):
                return repr(value), STRING
            case ast.BoolLiteral(value=value):
                return ("True" if value else "False"), BOOL
            case ast.DurationLiteral(nanoseconds=value):
                return self.constant(Duration(value)), DURATION
            case ast.RegexLiteral():
                raise _NoFastPath  # regexes only appear as operands; handled by `=~`
            case ast.Reference(name="time"):
                return "_Time(time_ns)", TIME
            case ast.Reference(name=name):
                kind = self.types[name]
                return f"v{self.references.index(name)}", kind
            case ast.Unary(operator=operator, operand=operand):
                return self.unary(operator, operand)
            case ast.Binary(operator=operator, left=left, right=right):
                return self.binary(operator, left, right)
            case ast.Function(name=name, args=args):
                return self.call(name, args)
            case ast.Lambda(expression=expression):
                return self.expression(expression)
        raise _NoFastPath

    def unary(self, operator: str, operand: ast.Node) -> tuple[str, str]:
        code, kind = self.expression(operand)
        if operator == "!" or kind == BOOL:
            # Kapacitor negates a boolean operand whatever the operator.
            if kind != BOOL:
                raise _NoFastPath
            return f"(not {code})", BOOL
        if kind == FLOAT:
            return f"(-{code})", FLOAT
        if kind == INT:
            return "(" + _WRAP.format(f"-{code}") + ")", INT
        if kind == DURATION:
            negate = self.constant(lambda d: Duration(wrap_int64(-d.nanoseconds)))
            return f"{negate}({code})", DURATION
        raise _NoFastPath

    def binary(self, operator: str, left: ast.Node, right: ast.Node) -> tuple[str, str]:
        if operator in ("=~", "!~") and isinstance(right, ast.RegexLiteral):
            left_code, left_kind = self.expression(left)
            if left_kind != STRING:
                raise _NoFastPath
            from tickpy.lang.compiler import compile_regex  # local: the compiler imports this module

            search = self.constant(compile_regex(right.pattern).search)
            self.partial = True  # RE2 refuses the raw bytes of a cut UTF-8 sequence: exact path
            test = "is None" if operator == "!~" else "is not None"
            return f"({search}({left_code}) {test})", BOOL
        if operator in LOGICAL_OPERATORS:
            return self.logical_chain(operator, left, right)
        left_code, left_kind = self.expression(left)
        right_code, right_kind = self.expression(right)
        entry = BINARY_OPERATIONS.get((operator, left_kind, right_kind))
        if entry is None:
            raise _NoFastPath
        result, operation = entry
        if operator in ("=~", "!~"):
            return f"{self.constant(operation)}({left_code}, {right_code})", BOOL
        if operator in COMPARISON_OPERATORS:
            if left_kind == DURATION:
                return f"({left_code}.nanoseconds {operator} {right_code}.nanoseconds)", BOOL
            if left_kind == INT and right_kind == FLOAT:
                left_code = self.as_float(left, left_code)
            elif left_kind == FLOAT and right_kind == INT:
                right_code = self.as_float(right, right_code)
            elif left_kind not in (FLOAT, INT, STRING, BOOL):
                raise _NoFastPath
            return f"({left_code} {operator} {right_code})", BOOL
        if left_kind == right_kind == FLOAT:
            if operator == "/":
                if isinstance(right, ast.NumberLiteral) and right.float_value != 0:
                    return f"({left_code} / {right_code})", FLOAT
                return f"_fdiv({left_code}, {right_code})", FLOAT
            return f"({left_code} {operator} {right_code})", FLOAT
        if left_kind == right_kind == INT:
            if operator == "/":
                self.partial = True
                return f"_idiv({left_code}, {right_code})", INT
            if operator == "%":
                self.partial = True
                return f"_irem({left_code}, {right_code})", INT
            return "(" + _WRAP.format(f"{left_code} {operator} {right_code}") + ")", INT
        if left_kind == right_kind == STRING:
            return f"_join({left_code}, {right_code})", STRING
        if operator == "/" and right_kind in (INT, DURATION):
            self.partial = True
        return f"{self.constant(operation)}({left_code}, {right_code})", result

    def logical_chain(self, operator: str, left: ast.Node, right: ast.Node) -> tuple[str, str]:
        """`a OR b OR c ...` as one flat Python `or` (nested, each operator would open a
        parenthesis, and CPython refuses more than 200 nested ones)."""
        operands = _logical_operands(operator, left, right)
        codes = []
        for operand in operands:
            code, kind = self.expression(operand)
            if kind != BOOL:
                raise _NoFastPath
            codes.append(code)
        return "(" + f" {operator.lower()} ".join(codes) + ")", BOOL

    def as_float(self, node: ast.Node, code: str) -> str:
        if isinstance(node, ast.NumberLiteral) and node.is_int:
            return repr(float(node.int_value))
        return f"float({code})"

    def call(self, name: str, args: list) -> tuple[str, str]:
        spec = self.catalogue.get(name)
        if spec is None or len(args) > 4:
            raise _NoFastPath
        codes = []
        kinds = []
        for arg in args:
            code, kind = self.expression(arg)
            codes.append(code)
            kinds.append(kind)
        result = spec.signatures.get(tuple(kinds))
        if result is None:
            raise _NoFastPath
        if spec.stateful:
            self.stateful = True
        if not spec.total:
            self.partial = True
        direct = spec.extra.get("python")
        if direct is not None and not spec.stateful:
            # The argument types are known to match: call the plain operation directly.
            return f"{self.constant(direct)}({', '.join(codes)})", result
        return f"{self.function(name)}([{', '.join(codes)}])", result


def _logical_operands(operator: str, left: ast.Node, right: ast.Node) -> list[ast.Node]:
    """The operands of a run of the same logical operator, in source order, without recursion."""
    operands = []
    stack = [right, left]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Binary) and node.operator == operator:
            stack.append(node.right)
            stack.append(node.left)
        else:
            operands.append(node)
    return operands


def _generated_depth(expression: ast.Node) -> int:
    """Nesting of the code generated for `expression`: a run of one logical operator is flat."""
    deepest = 0
    stack: list[tuple[ast.Node, int, str | None]] = [(expression, 1, None)]
    while stack:
        node, level, parent_operator = stack.pop()
        if isinstance(node, ast.Binary) and node.operator in LOGICAL_OPERATORS and node.operator == parent_operator:
            level -= 1  # continues the parent's flat run
        deepest = max(deepest, level)
        operator = node.operator if isinstance(node, ast.Binary) else None
        for child in ast.children(node):
            stack.append((child, level + 1, operator))
    return deepest


def _predict(expression: ast.Node, references: tuple[str, ...], catalogue: dict[str, LambdaFunction]) -> dict[str, str]:
    """A likely type for each reference from how it is used (floats unless told otherwise)."""
    guesses: dict[str, str] = {}

    def note(node: ast.Node, kind: str) -> None:
        if isinstance(node, ast.Reference) and node.name != "time" and node.name not in guesses:
            if kind in (STRING, BOOL, INT, FLOAT):
                guesses[node.name] = FLOAT if kind == INT else kind

    for node in ast.walk(expression):
        match node:
            case ast.Binary(operator=operator, left=left, right=right):
                if operator in LOGICAL_OPERATORS:
                    note(left, BOOL)
                    note(right, BOOL)
                elif operator in ("=~", "!~"):
                    note(left, STRING)
                else:
                    for this, other in ((left, right), (right, left)):
                        if isinstance(other, ast.StringLiteral):
                            note(this, STRING)
                        elif isinstance(other, ast.BoolLiteral):
                            note(this, BOOL)
            case ast.Unary(operator="!", operand=operand):
                note(operand, BOOL)
            case ast.Function(name=name, args=args):
                spec = catalogue.get(name)
                if spec is not None:
                    for signature in spec.signatures:
                        if len(signature) == len(args):
                            for arg, kind in zip(args, signature):
                                note(arg, kind)
                            break
    return {name: guesses.get(name, FLOAT) for name in references if name != "time"}


_PY_CLASS = {FLOAT: "float", INT: "int", STRING: "str", BOOL: "bool", MISSING_TYPE: "_MissingValue"}


class FastPath:
    """The generated evaluators of one compiled lambda (shared by all its evaluators)."""

    def __init__(self, compiled):
        self.compiled = compiled
        self.references: tuple[str, ...] = tuple(name for name in compiled.references if name != "time")
        self.uses_time = "time" in compiled.references
        self.specialisations: dict[tuple, Callable | None] = {}
        # Binary nodes whose operation Kapacitor fixes at compile time: if one ever loses
        # it (Kapacitor's sticky failure after a type-guard error), stop using the fast path.
        self.static_binaries = [node for node in _walk_nodes(compiled.root) if isinstance(node, BinaryNode) and node.operation is not None and not node.operands_dynamic]
        self.switch = {"off": False}
        # Deeper expressions are left to the exact evaluator: the generated Python would
        # exceed what CPython's parser and compiler nest (200 parentheses).
        self.too_deep = _generated_depth(compiled.expression) > _MAX_GENERATED_DEPTH
        predicted = _predict(compiled.expression, self.references, compiled.catalogue)
        primary_types = tuple(predicted[name] for name in self.references)
        # Inline variants: the predicted types, and the same with ints for the numbers
        # (line protocol writes `5` as a float and `5i` as an int).
        self.inline: list[tuple[tuple[str, ...], tuple]] = []
        numeric = [index for index, kind in enumerate(primary_types) if kind == FLOAT]
        if len(numeric) <= 2:
            choices = [dict(zip(numeric, combo)) for combo in itertools.product((FLOAT, INT), repeat=len(numeric))]
        else:
            choices = [{}, {index: INT for index in numeric}]
        variants = [tuple(choice.get(index, kind) for index, kind in enumerate(primary_types)) for choice in choices]
        for index, kinds in enumerate(dict.fromkeys(variants)):
            generated = self._generate(kinds, prefix=f"p{index}_")
            if generated is not None:
                self.inline.append((kinds, generated))
        self.evaluate_factory = self._generate_entry()

    # -- generation

    def _generate(self, kinds: tuple[str, ...], prefix: str = ""):
        """(generator, Python expression) for these operand types, or None."""
        if self.too_deep:
            return None
        types = dict(zip(self.references, kinds))
        generator = _Generator(self.compiled.catalogue, self.references, types, prefix)
        try:
            code, kind = generator.expression(self.compiled.expression)
        except _NoFastPath:
            return None
        if self.compiled.mode == "predicate" and kind != BOOL:
            return None
        if self.compiled.mode == "eval" and kind not in _EVAL_RESULT_TYPES:
            return None
        if generator.stateful and generator.partial:
            return None
        return generator, code

    def _namespace(self, generator: _Generator) -> dict:
        namespace = dict(generator.constants)
        namespace.update(
            _Time=Time,
            _M=_ABSENT,
            _MISSING=MISSING,
            _MissingValue=MissingValue,
            _fdiv=go_divide,
            _join=join_text,
            _idiv=_int_divide,
            _irem=_int_remainder,
            _switch=self.switch,
        )
        return namespace

    def _load_lines(self) -> list[str]:
        lines = []
        for index, name in enumerate(self.references):
            key = repr(name)
            lines += [
                f"        v{index} = fields.get({key}, _M)",
                f"        if v{index} is _M:",
                f"            v{index} = tags.get({key}, _MISSING)",
                f"        elif tags and {key} in tags:",
                "            return slow(fields, tags, time_ns)",
            ]
        return lines

    def _generate_entry(self) -> Callable:
        """`make(state, slow, dispatch) -> evaluate(fields, tags, time_ns)`."""
        values = ", ".join(f"v{index}" for index in range(len(self.references)))
        lines = ["def make(state, slow, dispatch):"]
        body = ["    def evaluate(fields, tags, time_ns):"]
        if self.static_binaries:
            body.append("        if _switch['off']:\n            return slow(fields, tags, time_ns)")
        body += self._load_lines()
        namespace: dict = {"_M": _ABSENT, "_MISSING": MISSING, "_switch": self.switch}
        for kinds, (generator, code) in self.inline:
            namespace.update(self._namespace(generator))
            for name, local in generator.functions.items():
                lines.append(f"    {local} = state.function({name!r})")
            guard = " and ".join(f"v{index}.__class__ is {_PY_CLASS[kind]}" for index, kind in enumerate(kinds))
            indent = "        "
            if guard:
                body.append(f"        if {guard}:")
                indent = "            "
            if generator.stateful:
                body.append(f"{indent}return {code}")
            else:
                body += [f"{indent}try:", f"{indent}    return {code}", f"{indent}except Exception:", f"{indent}    return slow(fields, tags, time_ns)"]
            if not guard:
                break
        body.append(f"        return dispatch(fields, tags, time_ns, ({values}{',' if len(self.references) == 1 else ''}))")
        lines += body
        lines.append("    return evaluate")
        source = "\n".join(lines) + "\n"
        exec(compile(source, "<lambda>", "exec"), namespace)
        self.source = source
        return namespace["make"]

    def _specialisation(self, classes: tuple) -> Callable | None:
        """`make(state, slow) -> spec(values, fields, tags, time_ns)` for these Python classes,
        or None."""
        if classes in self.specialisations:
            return self.specialisations[classes]
        factory = None
        kinds = tuple(_PY_TYPE_NAMES.get(cls) for cls in classes)
        if all_known(kinds) and len(self.specialisations) < _MAX_SPECIALISATIONS:
            generated = self._generate(kinds)
            if generated is not None:
                generator, code = generated
                lines = ["def make(state, slow):"]
                for name, local in generator.functions.items():
                    lines.append(f"    {local} = state.function({name!r})")
                unpack = "".join(f"v{index}, " for index in range(len(self.references)))
                lines.append("    def spec(values, fields, tags, time_ns):")
                if self.references:
                    lines.append(f"        {unpack}= values")
                if generator.stateful:
                    lines.append(f"        return {code}")
                else:
                    lines += ["        try:", f"            return {code}", "        except Exception:", "            return slow(fields, tags, time_ns)"]
                lines.append("    return spec")
                namespace = self._namespace(generator)
                exec(compile("\n".join(lines) + "\n", "<lambda specialisation>", "exec"), namespace)
                factory = namespace["make"]
        self.specialisations[classes] = factory
        return factory

    # -- per evaluator

    def make_evaluate(self, state) -> Callable:
        exact = self.compiled.evaluate_exact
        static_binaries = self.static_binaries
        switch = self.switch
        specialised: dict[tuple, Callable | None] = {}

        def slow(fields, tags, time_ns):
            try:
                return exact(state, fields, tags, time_ns)
            finally:
                if static_binaries and not switch["off"]:
                    if any(node.operation is None for node in static_binaries):
                        switch["off"] = True

        def dispatch(fields, tags, time_ns, values):
            classes = tuple(value.__class__ for value in values)
            spec = specialised.get(classes, _ABSENT)
            if spec is _ABSENT:
                factory = self._specialisation(classes)
                spec = specialised[classes] = factory(state, slow) if factory is not None else None
            if spec is None:
                return slow(fields, tags, time_ns)
            return spec(values, fields, tags, time_ns)

        return self.evaluate_factory(state, slow, dispatch)


class _Absent:
    __slots__ = ()


_ABSENT = _Absent()


def _walk_nodes(node: EvalNode):
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        for attribute in ("left", "right", "child"):
            child = getattr(node, attribute, None)
            if isinstance(child, EvalNode):
                stack.append(child)
        stack.extend(getattr(node, "args", ()) or ())


def static_result_type(expression: ast.Node, catalogue: dict[str, LambdaFunction], memo: dict | None = None) -> str | None:
    """The lambda's result type when it is the same for every point, else None.

    `memo` (id of node -> result) keeps callers that ask for every node of a long chain linear."""
    if memo is None:
        memo = {}
    key = id(expression)
    if key in memo:
        return memo[key]
    result = memo[key] = _static_result_type(expression, catalogue, memo)
    return result


def _static_result_type(expression: ast.Node, catalogue: dict[str, LambdaFunction], memo: dict) -> str | None:
    match expression:
        case ast.NumberLiteral(is_int=is_int):
            return INT if is_int else FLOAT
        case ast.StringLiteral():
            return STRING
        case ast.BoolLiteral():
            return BOOL
        case ast.DurationLiteral():
            return DURATION
        case ast.RegexLiteral():
            return REGEX
        case ast.Reference(name=name):
            return TIME if name == "time" else None
        case ast.Unary(operator="!"):
            return BOOL
        case ast.Unary(operand=operand):
            return static_result_type(operand, catalogue, memo)
        case ast.Binary(operator=operator, left=left, right=right):
            if operator in COMPARISON_OPERATORS or operator in LOGICAL_OPERATORS:
                return BOOL
            left_type = static_result_type(left, catalogue, memo)
            right_type = static_result_type(right, catalogue, memo)
            if left_type is None or right_type is None:
                results = {
                    result
                    for (op, lt, rt), (result, _) in BINARY_OPERATIONS.items()
                    if op == operator and left_type in (None, lt) and right_type in (None, rt)
                }
                return results.pop() if len(results) == 1 else None
            entry = BINARY_OPERATIONS.get((operator, left_type, right_type))
            return entry[0] if entry else None
        case ast.Function(name=name, args=args):
            spec = catalogue.get(name)
            if spec is None:
                return None
            results = set(spec.signatures.values())
            if len(results) == 1:
                return results.pop()
            arg_types = tuple([static_result_type(arg, catalogue, memo) for arg in args])
            if all_known(arg_types):
                return spec.signatures.get(arg_types)
            return None
        case ast.Lambda(expression=inner):
            return static_result_type(inner, catalogue, memo)
    return None


"""Evaluate a parsed script into its Pipeline, accepting and rejecting exactly what Kapacitor's
`define` does, in the same order (so the first error reported is Kapacitor's first error).

Kapacitor walks the AST with a stack machine: for a chain it evaluates the left side, then the
call's arguments, then calls the named Go method through reflection with the arguments
unconverted. Names are looked up on the receiver (chain methods for `|`, properties then fields
for `.`, UDFs for `@`) in the catalogue; argument types must match Go's exactly.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from tickpy.check import catalogue as catalogue_module
from tickpy.check.catalogue import Catalogue, ObjectType, lookup_key
from tickpy.check.pipeline import HandlerSpec, Pipeline, PipelineNode, PropertyCall, TimeDimension
from tickpy.check.values import (
    NIL,
    SCALAR_KIND_NAMES,
    TIME_FUNCTION,
    ZERO_LAMBDA,
    AlertData,
    GlobalCall,
    GoValue,
    HandlerObject,
    go_type_of,
    is_pointer,
    kind_of_value,
)
from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.golang.goformat import format_value_v
from tickpy.golang.gotime import format_go_duration
from tickpy.lang.depth import expression_depth, recursion_room
from tickpy.lang.values import STAR, Duration, Regex, StarValue
from tickpy.syntax import ast

TYPE_NAMES = {
    "int": "int",
    "float": "float",
    "bool": "bool",
    "string": "string",
    "regex": "regex",
    "duration": "duration",
    "lambda": "lambda",
    "list": "list",
    "star": "star",
}

# Names people reach for that TICKscript spells differently (only used for hints).
NODE_ALIASES = {
    "filter": "where",
    "average": "mean",
    "avg": "mean",
    "total": "sum",
    "map": "eval",
    "select": "eval",
    "output": "httpOut",
    "groupby": "groupBy",
    "influxdbout": "influxDBOut",
    "httpout": "httpOut",
}

DEADMAN_ID = "{{ .Group }}:NODE_NAME for task '{{ .TaskName }}'"
DEADMAN_MESSAGE = (
    '{{ .ID }} is {{ if eq .Level "OK" }}alive{{ else }}dead{{ end }}: '
    '{{ index .Fields "emitted" | printf "%0.3f" }} points/INTERVAL.'
)


@dataclass(slots=True)
class UDFInfo:
    """A UDF as the server would describe it: its edges and options (name -> value types)."""

    name: str
    wants: str = "stream"
    provides: str = "stream"
    options: dict[str, list[str]] = field(default_factory=dict)


class EvalError(Exception):
    """Raised inside the evaluator; turned into a Diagnostic at the top."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(diagnostic.message)


def _name_span(fn: ast.Function) -> tuple[int, int, int, int]:
    """Kapacitor points at the first character of the method's name."""
    line, column = fn.span.line, fn.span.column
    return line, column, line, column + len(fn.name.encode("utf-8"))


# For each call kind (chain |, property ., dynamic @): its operator, the diagnostic code
# that asks for it, Kapacitor's word for such a method, and for "such a method exists".
_CALL_KINDS = {
    "chain": ("|", "use-pipe", "chaining", "chaining method"),
    "property": (".", "use-dot", "property", "property"),
    "dynamic": ("@", "use-at", "dynamic", "dynamic method"),
}


def _wrong_operator(fn: ast.Function, go: str, wanted: str, message: str, hint: str | None = None) -> EvalError:
    """`fn` names a method of kind `wanted`, called with the wrong operator: Kapacitor's one
    message for every such mix-up, and ours ending in how to write it."""
    operator, code, _, exists = _CALL_KINDS[wanted]
    called = _CALL_KINDS[fn.kind][2]
    name = fn.name
    return _error(
        code,
        f"{message}: write {operator}{name}(...)",
        f'no {called} method "{name}" on {go}, but {exists} does exist. '
        f"Use '{operator}' operator instead: 'node{operator}{name}(..)'.",
        at=fn,
        hint=hint,
    )


def _error(
    code: str,
    message: str,
    kapacitor: str,
    at: ast.Function | None = None,
    hint: str | None = None,
    stage: str = "pipeline",
) -> EvalError:
    line = column = end_line = end_column = 0
    if at is not None:
        line, column, end_line, end_column = _name_span(at)
        kapacitor = f"line {line} char {column}: {kapacitor}"
    return EvalError(
        Diagnostic(
            message=message,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            code=code,
            hint=hint,
            kapacitor_message=kapacitor,
            extra={"stage": stage},
        )
    )


def _located(err: EvalError, span: ast.Span | None) -> EvalError:
    """Give a position to an error Kapacitor reports without one (its text stays unpositioned)."""
    d = err.diagnostic
    if span is not None and span.line and not d.line:
        d.line, d.column, d.end_line, d.end_column = span.line, span.column, span.end_line, span.end_column
        d.extra["kapacitor_has_position"] = False
    return err


def _suggest(name: str, candidates) -> str | None:
    import difflib  # deferred: start-up (only a misspelled name needs it)

    lowered = {c.lower(): c for c in candidates}
    if name.lower() in lowered:
        return lowered[name.lower()]
    found = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return found[0] if found else None


class Evaluator:
    def __init__(
        self,
        task_type: str,
        *,
        variables: dict[str, Any] | None = None,
        udfs: dict[str, UDFInfo] | None = None,
        template: bool = False,
        catalogue: Catalogue | None = None,
    ):
        self.cat = catalogue or catalogue_module.load()
        self.task_type = task_type
        self.predefined = variables or {}
        self.udfs = udfs or {}
        self.template = template
        self.next_id = 0
        self.nodes: list[PipelineNode] = []
        self.sources: list[PipelineNode] = []
        self.dbrps: list[tuple[str, str]] = []
        self.declared: dict[str, Any] = {}
        self.written: dict[int, str] = {}  # node -> the name the script used (`groupBy`, not `groupby`)
        root_type = self.cat.roots[task_type]
        root_entry = self.cat.types[root_type]
        root = self._new_node(root_type, root_entry.desc or task_type, root_entry.wants, root_entry.provides)
        self.sources.append(root)
        self.scope: dict[str, Any] = {"time": TIME_FUNCTION, task_type: root}

    # ------------------------------------------------------------------ graph helpers

    def _assign_id(self, node: PipelineNode) -> None:
        node.id = self.next_id
        self.next_id += 1

    def _new_node(self, type_name: str, desc: str, wants: str | None, provides: str | None, span=None) -> PipelineNode:
        node = PipelineNode(
            id=-1,
            type=type_name,
            name=desc,
            wants=wants or "stream",
            provides=provides or "stream",
            span=span or ast.Span.unknown(),
        )
        self._assign_id(node)
        self.nodes.append(node)
        return node

    def _link(self, parent: PipelineNode, child: PipelineNode) -> None:
        self._assign_id(child)
        parent.children.append(child)
        child.parents.append(parent)

    def _create_child(self, parent: PipelineNode, type_name: str, desc: str, wants, provides, span) -> PipelineNode:
        child = PipelineNode(id=-1, type=type_name, name=desc, wants=wants, provides=provides, span=span)
        self.nodes.append(child)
        self._link(parent, child)
        return child

    # ------------------------------------------------------------------ scope

    def scope_get(self, name: str, span: ast.Span | None = None) -> Any:
        if name in self.scope:
            return self.scope[name]
        raise _located(self._undefined(name), span)

    def _undefined(self, name: str) -> EvalError:
        names = ",".join(sorted(self.scope))
        hint = None
        close = _suggest(name, [n for n in self.scope if n != "time"])
        if name.lower() in ("true", "false"):
            hint = f"booleans are written in capitals: {name.upper()}"
        elif close:
            hint = f"did you mean {close}?"
        return _error(
            "undefined-name",
            f'"{name}" is not defined (names defined at this point: {", ".join(sorted(self.scope))})',
            f'name "{name}" is undefined. Names in scope: {names}',
            hint=hint,
        )

    def resolve(self, value: Any) -> Any:
        if type(value) is ast.Identifier:
            return self.scope_get(value.name, value.span)
        return value

    # ------------------------------------------------------------------ program

    def run(self, program: ast.Program) -> None:
        for statement in program.statements:
            # Chains are walked in a loop, but operators (`var x = 1 + 1 + ...`, lambdas)
            # recurse once per level: give deep statements the room they need.
            with recursion_room(expression_depth(statement)):
                result = self.eval(statement)
                if type(result) is GlobalCall:
                    self.call_global(result)

    def eval(self, node: ast.Node) -> Any:
        if isinstance(node, ast.Chain):
            return self.eval_chain(node)
        if isinstance(node, ast.Function):
            args = self.eval_args(node)
            return GlobalCall(node, args)
        if isinstance(node, ast.NumberLiteral):
            return node.int_value if node.is_int else node.float_value
        if isinstance(node, ast.StringLiteral):
            return node.value
        if isinstance(node, ast.DurationLiteral):
            return Duration(node.nanoseconds)
        if isinstance(node, ast.BoolLiteral):
            return node.value
        if isinstance(node, ast.RegexLiteral):
            return _regex(node.pattern)
        if isinstance(node, ast.Star):
            return STAR
        if isinstance(node, ast.Reference):
            return node
        if isinstance(node, ast.Identifier):
            return node
        if isinstance(node, ast.Lambda):
            return self.eval_lambda(node)
        if isinstance(node, ast.ListLiteral):
            values = []
            for element in node.elements:
                values.append(self.resolve(self.eval(element)))
            return values
        if isinstance(node, ast.Unary):
            return self.eval_unary(node)
        if isinstance(node, ast.Binary):
            return self.eval_binary(node)
        if isinstance(node, ast.Declaration):
            self.eval_declaration(node)
            return None
        if isinstance(node, ast.TypeDeclaration):
            self.eval_type_declaration(node)
            return None
        if isinstance(node, ast.DBRP):
            self.dbrps.append((node.database.name, node.retention_policy.name))
            return None
        return None

    def eval_chain(self, node: ast.Chain) -> Any:
        """A chain link by link from its root, in a loop: chains thousands of links long
        would otherwise exhaust Python's recursion limit."""
        links = []
        root: ast.Expr = node
        while type(root) is ast.Chain:
            links.append(root)
            root = root.left
        value = self.eval(root)
        for link in reversed(links):
            right = link.right
            if isinstance(right, ast.Function):
                args = self.eval_args(right)
                receiver = self.resolve(value)
                value = self.call(right, receiver, args)
            else:
                receiver = self.resolve(value)
                value = self.read_field(link, receiver, right)
        return value

    def eval_args(self, fn: ast.Function) -> list:
        args = []
        for arg in fn.args:
            value = self.eval(arg)
            if type(value) is ast.Identifier:
                value = self.scope_get(value.name, value.span)
            elif type(value) is GlobalCall:
                value = self.call_global(value)
            args.append(value)
        # A single list argument becomes the argument list.
        if len(args) == 1 and type(args[0]) is list:
            args = list(args[0])
        return args

    # ------------------------------------------------------------------ declarations

    def eval_declaration(self, node: ast.Declaration) -> None:
        value = self.eval(node.value)
        name = node.name.name
        if name in self.scope:
            raise _located(
                _error(
                    "redeclared",
                    f'variable "{name}" is declared twice; variables cannot be reassigned',
                    f"attempted to redefine {name}, vars are immutable",
                    hint="give the second variable another name",
                ),
                node.name.span,
            )
        value = self.resolve(value)
        if name in self.predefined:
            supplied_type, supplied = self.predefined[name]
            actual = _value_type(value)
            if supplied_type != actual:
                raise _error(
                    "var-type",
                    f'the value given for "{name}" is a {supplied_type}, but the script declares it as a {actual}',
                    f"invalid type supplied for {name}, got {supplied_type} exp {actual}",
                )
            value = supplied
        self.declared[name] = value
        self.scope[name] = value

    def eval_type_declaration(self, node: ast.TypeDeclaration) -> None:
        type_name = node.type_name.name
        name = node.name.name
        if type_name not in TYPE_NAMES:
            raise _error(
                "var-type",
                f'unknown type "{type_name}" for variable "{name}"',
                f'invalid var type "{type_name}"',
                hint="types are int, float, bool, string, regex, duration, lambda, list and star",
            )
        if name in self.predefined:
            supplied_type, supplied = self.predefined[name]
            if supplied_type != type_name:
                raise _error(
                    "var-type",
                    f'the value given for "{name}" is a {supplied_type}, but the script declares it as a {type_name}',
                    f"invalid type supplied for {name}, got {_kapacitor_type_word(supplied_type)} exp {_kapacitor_type_word(type_name)}",
                )
            self.scope[name] = supplied
        elif self.template:
            self.scope[name] = _zero_value(type_name)
        else:
            raise _located(
                _error(
                    "missing-var",
                    f'template variable "{name}" has no value',
                    f'missing value for var "{name}".',
                    hint="give it a value with --vars FILE (JSON as for kapacitor define -vars)",
                ),
                node.name.span,
            )
        self.declared[name] = self.scope[name]

    # ------------------------------------------------------------------ expressions

    def eval_lambda(self, node: ast.Lambda) -> ast.Lambda:
        with recursion_room(expression_depth(node.expression)):
            expression = self._substitute(node.expression)
        if expression is node.expression:
            return node
        return dataclasses.replace(node, expression=expression)

    def _substitute(self, node: ast.Expr) -> ast.Expr:
        """Replace names by their values, as Kapacitor does when it evaluates a lambda."""
        if isinstance(node, ast.Identifier):
            return _literal_node(node, self.scope_get(node.name, node.span), self.cat)
        if isinstance(node, ast.Unary):
            operand = self._substitute(node.operand)
            return node if operand is node.operand else dataclasses.replace(node, operand=operand)
        if isinstance(node, ast.Binary):
            left = self._substitute(node.left)
            right = self._substitute(node.right)
            if left is node.left and right is node.right:
                return node
            return dataclasses.replace(node, left=left, right=right)
        if isinstance(node, ast.Function):
            args = [self._substitute(a) for a in node.args]
            if all(a is b for a, b in zip(args, node.args)):
                return node
            return dataclasses.replace(node, args=args)
        return node

    def eval_unary(self, node: ast.Unary) -> Any:
        value = self.resolve(self.eval(node.operand))
        if node.operator == "-":
            t = type(value)
            if t is int or t is float:
                return -value
            if t is Duration:
                return Duration(-value.nanoseconds)
            raise _error(
                "bad-operand",
                f"'-' cannot be applied to {with_article(kind_of_value(value))}",
                f"invalid arugument to '-' {format_value_v(value)}",
                at=ast.Function(span=node.span, kind="global", name="-"),
            )
        if type(value) is bool:
            return not value
        raise _error(
            "bad-operand",
            f"'!' cannot be applied to {with_article(kind_of_value(value))}",
            f"invalid arugument to '!' {format_value_v(value)}",
            at=ast.Function(span=node.span, kind="global", name="!"),
        )

    def eval_binary(self, node: ast.Binary) -> Any:
        from tickpy.check.constexpr import evaluate_binary  # deferred: cycle (constexpr imports this module)

        expression = self._substitute(node)
        assert isinstance(expression, ast.Binary)  # substituting names keeps the operator
        try:
            return evaluate_binary(expression)
        except EvalError as err:
            raise _located(err, getattr(node, "operator_span", None) or node.span) from None

    # ------------------------------------------------------------------ calls

    def call_global(self, call: GlobalCall) -> Any:
        fn = call.function
        args = call.args
        if fn.name not in self.scope:
            hint = None
            key = lookup_key(fn.name)
            if any(key in t.chain for t in self.cat.types.values()):
                hint = f"a node is added with '|': |{fn.name}(...) after the node it follows"
            elif any(key in t.props for t in self.cat.types.values()):
                hint = f"a property is set with '.': .{fn.name}(...) after the node it belongs to"
            raise _error(
                "unknown-function",
                f"{fn.name}() is not a function; the only function usable without a receiver is time()",
                f'no global function "{fn.name}" defined',
                at=fn,
                hint=hint,
            )
        target = self.scope[fn.name]
        if target is not TIME_FUNCTION:
            kind = _go_kind(target, self.cat)
            raise self._call_panic(
                fn,
                NIL,
                f"reflect: call of reflect.Value.Call on {kind} Value",
                f'"{fn.name}" is a variable, not a function',
            )
        spec = self.cat.global_functions["time"]
        problem = self._reflect_call_problem(spec["params"], spec["variadic"], args)
        if problem:
            raise self._call_panic(fn, NIL, problem[0], f"time() {problem[1]}")
        if len(args) > 2:
            raise _error(
                "bad-arguments",
                f"time() takes a length and at most one offset, got {len(args)} arguments",
                f"time() function expects 1 or 2 args, got {len(args)}",
                at=fn,
            )
        return TimeDimension(args[0], args[1] if len(args) > 1 else Duration(0))

    def _describe(self, receiver: Any) -> ObjectType | None:
        t = type(receiver)
        if t is PipelineNode:
            return self.cat.types.get(receiver.type) or self.cat.types["UDFNode"]
        if t is AlertData:
            return self.cat.types["AlertNodeData"]
        if t is HandlerObject:
            return self.cat.types[receiver.type_name]
        return None

    def _words(self, receiver: Any) -> str:
        t = type(receiver)
        if t is PipelineNode:
            if receiver.type in ("StreamNode", "BatchNode"):
                return receiver.name
            if receiver.type == "UDFNode":
                return f"@{receiver.name}()"
            return f"|{self.written.get(id(receiver), receiver.name)}()"
        if t is AlertData:
            return "the alert"
        if t is HandlerObject:
            return f"the .{receiver.spec.kind}() handler"
        return f"a {kind_of_value(receiver)}"

    def call(self, fn: ast.Function, receiver: Any, args: list) -> Any:
        go = go_type_of(receiver, self.cat)
        if receiver is NIL:
            raise _error(
                "nothing-to-call-on",
                f"nothing to call .{fn.name}() on: the previous call returns nothing",
                "object is invalid <nil> of type <nil>",
                at=fn,
            )
        if not is_pointer(receiver):
            what = kind_of_value(receiver) if type(receiver) is not GlobalCall else f"the result of {receiver.function.name}()"
            hint = None
            if type(receiver) is GlobalCall:
                hint = f"did you forget the '|' before {receiver.function.name}()?"
            raise _error(
                "not-a-node",
                f"{fn.name}() cannot be called on {what}",
                "cannot get properties of non pointer value",
                at=fn,
                hint=hint,
            )
        entry = self._describe(receiver)
        name = fn.name
        key = lookup_key(name)
        udf_options = receiver.extra.get("udf_options") if type(receiver) is PipelineNode and receiver.type == "UDFNode" else None
        has_chain = entry is not None and key in entry.chain
        has_prop = entry is not None and key in entry.props
        has_option = udf_options is not None and name in udf_options
        where = self._words(receiver)
        if fn.kind == "chain":
            if has_chain:
                assert entry is not None  # has_chain says so
                return self.call_chain(fn, receiver, entry, key, args)
            if has_prop or has_option:
                raise _wrong_operator(
                    fn, go, "property", f"{name} is a property of {where}, not a node", hint=f"replace '|{name}' with '.{name}'"
                )
            if name in self.udfs:
                raise _wrong_operator(fn, go, "dynamic", f"{name} is a UDF")
        elif fn.kind == "property":
            if has_option:
                return self.set_udf_option(fn, receiver, name, args)
            if has_prop:
                assert entry is not None  # has_prop says so
                return self.set_property(fn, receiver, entry, key, args)
            if has_chain:
                raise _wrong_operator(
                    fn, go, "chain", f"{name} adds a node, it is not a property of {where}", hint=f"replace '.{name}' with '|{name}'"
                )
            if name in self.udfs:
                raise _wrong_operator(fn, go, "dynamic", f"{name} is a UDF")
        elif fn.kind == "dynamic":
            if name in self.udfs:
                return self.call_udf(fn, receiver, self.udfs[name])
            if has_prop or has_option:
                raise _wrong_operator(fn, go, "property", f"{name} is a property of {where}, not a UDF")
            if has_chain:
                raise _wrong_operator(fn, go, "chain", f"{name} adds a built-in node, not a UDF")
            raise _error(
                "unknown-udf",
                f"no UDF named {name} is declared",
                f'no method or property "{name}" on {go}',
                at=fn,
                hint="declare the UDFs your server has with --udfs FILE (validate, graph, explain; tickpy run does not run UDFs yet)",
            )
        raise self._unknown(fn, receiver, entry, go)

    def _unknown(self, fn: ast.Function, receiver: Any, entry: ObjectType | None, go: str) -> EvalError:
        name = fn.name
        where = self._words(receiver)
        hint = None
        if entry is not None:
            if fn.kind == "chain":
                pool = [k for k, m in entry.chain.items() if self.cat.methods[m].creates_node]
                close = _suggest(name, pool)
                if close:
                    hint = f"did you mean |{close}()?"
                elif _suggest(name, entry.props):
                    hint = f"did you mean .{_suggest(name, entry.props)}()?"
            else:
                close = _suggest(name, entry.props)
                if close:
                    hint = f"did you mean .{close}()?"
                elif _suggest(name, [k for k, m in entry.chain.items() if self.cat.methods[m].creates_node]):
                    hint = f"did you mean |{_suggest(name, entry.chain)}()?"
        op = {"chain": "|", "property": ".", "dynamic": "@"}.get(fn.kind, "")
        kind = "node" if fn.kind == "chain" else "property"
        key = lookup_key(name)
        if hint is None and fn.kind == "chain" and key.lower() in NODE_ALIASES and entry is not None:
            alias = NODE_ALIASES[key.lower()]
            if alias in entry.chain:
                hint = f"did you mean |{alias}()?"
        if hint is None and fn.kind == "property":
            owners = sorted(
                {f"|{t.desc}()" for t in self.cat.types.values() if t.category == "node" and t.desc and key in t.props}
            )
            if 0 < len(owners) <= 4:
                hint = f".{key}() belongs to " + ", ".join(owners)
        if hint is None and type(receiver) is PipelineNode and receiver.type in ("StreamNode", "BatchNode"):
            hint = self._root_hint(receiver, key, fn)
        if type(receiver) is PipelineNode and receiver.type in ("StreamNode", "BatchNode"):
            other = "batch" if receiver.type == "StreamNode" else "stream"
            other_entry = self.cat.types[self.cat.roots[other]]
            if key in other_entry.chain:
                return _error(
                    "wrong-root",
                    f"|{name}() follows {other}, not {receiver.name}: a {receiver.name} task "
                    + ("reads points with stream|from()" if other == "batch" else "queries InfluxDB with batch|query('SELECT ...')"),
                    f'no method or property "{name}" on {go}',
                    at=fn,
                    hint=f"start a {other} task with {other}|{key}(...), or keep {receiver.name} and use |"
                    + ("from()" if other == "batch" else "query(...)"),
                )
        return _error(
            "unknown-method",
            f"unknown {kind} {op}{name}() on {where}",
            f'no method or property "{name}" on {go}',
            at=fn,
            hint=hint,
        )

    # -- reflection argument rules

    def _assignable(self, value: Any, go: str) -> bool:
        if value is NIL:
            return False
        if go == "interface {}":
            return True
        if go == "pipeline.Node":
            return type(value) in (PipelineNode, AlertData, HandlerObject)
        return go_type_of(value, self.cat) == go

    def _reflect_call_problem(self, params: list[str], variadic: bool, args: list) -> tuple[str, str] | None:
        """Go's reflect.Value.Call checks: (Kapacitor's panic text, our words) or None."""
        fixed = len(params) - 1 if variadic else len(params)
        if len(args) < fixed:
            want = ", ".join(self.cat.kind_of(p) for p in params)
            return "reflect: Call with too few input arguments", f"needs {fixed} argument{'s' * (fixed != 1)} ({want}), got {len(args)}"
        if not variadic and len(args) > fixed:
            if not fixed:
                return "reflect: Call with too many input arguments", f"takes no arguments, got {len(args)}"
            want = ", ".join(self.cat.kind_of(p) for p in params)
            return "reflect: Call with too many input arguments", f"takes {fixed} argument{'s' * (fixed != 1)} ({want}), got {len(args)}"
        for value in args:
            if value is NIL:
                return "reflect: Call using zero Value argument", "got an argument with no value"
        for i in range(fixed):
            if not self._assignable(args[i], params[i]):
                return (
                    f"reflect: Call using {go_type_of(args[i], self.cat)} as type {params[i]}",
                    f"argument {i + 1} must be {with_article(self.cat.kind_of(params[i]))}, "
                    f"got {with_article(kind_of_value(args[i]))}",
                )
        if variadic:
            element = params[-1][3:]
            for i in range(fixed, len(args)):
                if not self._assignable(args[i], element):
                    return (
                        f"reflect: cannot use {go_type_of(args[i], self.cat)} as type {element} in Call",
                        f"argument {i + 1} must be {with_article(self.cat.kind_of(element))}, "
                        f"got {with_article(kind_of_value(args[i]))}",
                    )
        return None

    def _call_panic(self, fn: ast.Function, receiver: Any, panic: str, ours: str, hint: str | None = None) -> EvalError:
        go = go_type_of(receiver, self.cat)
        kapacitor = f'error calling func "{fn.name}" on obj {go}: {panic}'
        if "*ast.ReferenceNode" in kapacitor and "type string" in kapacitor:
            kapacitor = "cannot assign *ast.ReferenceNode to type string, did you use double quotes instead of single quotes?"
            return _error(
                "double-quoted-string",
                f'{ours}: "..." is a field or tag reference; a string is written in single quotes',
                kapacitor,
                at=fn,
                hint="write 'text' instead of \"text\"",
            )
        if hint is None and "as type float64" in panic and "int64" in panic:
            hint = "write the number with a decimal point, e.g. 1.0"
        if hint is None and "time.Duration" in panic and "int64" in panic:
            hint = "durations need a unit, e.g. 10s or 5m"
        if hint is None and "*ast.LambdaNode" in panic:
            hint = 'conditions and expressions are lambdas: write lambda: "field" > 10'
        code = "bad-arguments" if "input arguments" in panic else "wrong-type"
        return _error(code, ours, kapacitor, at=fn, hint=hint)

    def _argument_hint(self, method, args: list) -> str | None:
        """When a node got an argument it does not take, name the properties that take it."""
        if method.params or not args or method.returns not in self.cat.types:
            return None
        kind = kind_of_value(args[0])
        created = self.cat.types[method.returns]
        fitting = sorted(
            name
            for name, prop in created.props.items()
            if len(prop.params) == 1 and self.cat.kind_of(prop.params[0]) in (kind, "any", "any...") and not prop.handler
        )
        if not fitting or len(fitting) > 5:
            return None
        return "settings are properties: " + ", ".join(f".{name}(...)" for name in fitting)

    def _root_hint(self, receiver: PipelineNode, key: str, fn: ast.Function) -> str | None:
        """`stream|alert()`: the name works on the node the root creates (from/query)."""
        entry = self.cat.types.get(receiver.type)
        if entry is None:
            return None
        for root_key, method_key in entry.chain.items():
            method = self.cat.methods[method_key]
            created = self.cat.types.get(method.returns or "")
            if not method.creates_node or created is None or created.category != "node":
                continue
            if method.returns == "StatsNode" or root_key == "deadman":
                continue
            op = "|" if fn.kind == "chain" else "."
            if fn.kind == "chain" and created.chain_errors.get(key, {}).get(created.provides or ""):
                continue
            if (fn.kind == "chain" and key in created.chain) or (fn.kind == "property" and key in created.props):
                return f"{receiver.name} is only the source: write {receiver.name}|{root_key}(...){op}{key}(...)"
        return None

    # -- chain methods

    def call_chain(self, fn: ast.Function, receiver: Any, entry: ObjectType, key: str, args: list) -> Any:
        method = self.cat.methods[entry.chain[key]]
        parent = receiver if type(receiver) is PipelineNode else receiver.alert
        edge = parent.provides
        call_error = entry.chain_errors.get(key, {}).get(edge)
        if call_error and call_error.startswith("reflect:"):
            raise self._call_panic(fn, receiver, call_error, f"|{fn.name}() cannot follow {self._words(receiver)}: the name is hidden by its .{fn.name}() property")
        problem = self._reflect_call_problem(method.params, method.variadic, args)
        if problem:
            raise self._call_panic(fn, receiver, problem[0], f"|{fn.name}() {problem[1]}", hint=self._argument_hint(method, args))
        if call_error:
            raise self._call_panic(
                fn, receiver, call_error, f"|{fn.name}() cannot follow {self._words(receiver)}, which sends {edge} data",
                hint=_edge_hint(key, edge),
            )
        if not method.creates_node:
            if method.returns_go in (None, "(none)"):
                if key == "setName" and args:
                    parent.extra["name"] = args[0]
                return NIL
            return GoValue(method.returns_go or "?", None)
        builder = SPECIAL_BUILDERS.get(method.go_name)
        if builder is not None:
            node = builder(self, fn, parent, method, args, receiver)
        else:
            info = method.edges.get(edge)
            if info is None or "error" in info:
                info = {"type": method.returns, "desc": lookup_key(method.go_name).lower(), "wants": edge, "provides": edge}
            node = self._create_child(parent, info["type"], info["desc"], info["wants"], info["provides"], fn.span)
            node.args = list(args)
            if info["type"] == "QueryNode" and fn.args and type(fn.args[0]) is ast.StringLiteral:
                node.extra["query_literal"] = fn.args[0]  # to point into the query's text
            if method.go_name == "HoltWintersWithFit":  # Kapacitor names it "holtWinters" too
                node.extra["includeFitData"] = True
        self.written[id(node)] = lookup_key(fn.name)
        return node

    # -- properties

    def set_property(self, fn: ast.Function, receiver: Any, entry: ObjectType, key: str, args: list) -> Any:
        prop = entry.props[key]
        go = go_type_of(receiver, self.cat)
        if prop.kind == "field":
            if len(args) != 1:
                raise _error(
                    "bad-arguments",
                    f".{fn.name}() takes exactly one {self.cat.kind_of(prop.params[0])}, got {len(args)} arguments",
                    f"too many arguments to set property {prop.field} on {go}",
                    at=fn,
                )
            if not self._assignable(args[0], prop.params[0]):
                value_go = go_type_of(args[0], self.cat)
                raise self._call_panic(
                    fn,
                    receiver,
                    f"reflect.Set: value of type {value_go} is not assignable to type {prop.params[0]}",
                    f".{fn.name}() takes {with_article(self.cat.kind_of(prop.params[0]))}, "
                    f"got {with_article(kind_of_value(args[0]))}",
                )
        else:
            problem = self._reflect_call_problem(prop.params, prop.variadic, args)
            if problem:
                raise self._call_panic(fn, receiver, problem[0], f".{fn.name}() {problem[1]}")
        call = PropertyCall(key, list(args), fn.span)
        t = type(receiver)
        if prop.handler:
            alert = receiver.alert if t in (AlertData, HandlerObject) else receiver
            spec = HandlerSpec(kind=key, args=list(args), span=fn.span)
            alert.handlers.append(spec)
            return HandlerObject(alert, spec, prop.handler)
        if t is HandlerObject:
            if key in entry.own_props:
                receiver.spec.properties.append(call)
            else:
                receiver.alert.properties.append(call)
        elif t is AlertData:
            receiver.alert.properties.append(call)
        else:
            receiver.properties.append(call)
        if prop.next and prop.next != entry.name:
            if prop.next == "AlertNodeData":
                return AlertData(receiver.alert if t in (AlertData, HandlerObject) else receiver)
        return receiver

    def set_udf_option(self, fn: ast.Function, receiver: PipelineNode, name: str, args: list) -> Any:
        expected = receiver.extra["udf_options"][name]
        if len(args) != len(expected):
            raise _error(
                "bad-arguments",
                f".{name}() of UDF {receiver.name} takes {len(expected)} argument(s), got {len(args)}",
                f"unexpected number of args to {name}, got {len(args)} expected {len(expected)}",
                at=fn,
            )
        for value, want in zip(args, expected):
            got = _udf_type(value)
            if got != want:
                raise _error(
                    "wrong-type",
                    f".{name}() of UDF {receiver.name} takes {', '.join(expected)}, got {with_article(kind_of_value(value))}",
                    f"unexpected arg to {name}, got {got.upper()} expected {want.upper()}",
                    at=fn,
                )
        receiver.properties.append(PropertyCall(name, list(args), fn.span))
        return receiver

    def call_udf(self, fn: ast.Function, receiver: Any, info: UDFInfo) -> Any:
        if type(receiver) not in (PipelineNode, AlertData, HandlerObject):
            raise _error(
                "not-a-node",
                f"@{fn.name}() must follow a node",
                f"cannot call {fn.name} on {go_type_of(receiver, self.cat)}",
            )
        parent = receiver if type(receiver) is PipelineNode else receiver.alert
        node = self._create_child(parent, "UDFNode", info.name, info.wants, info.provides, fn.span)
        node.extra["udf_options"] = dict(info.options)
        return node

    def read_field(self, chain: ast.Chain, receiver: Any, name_node: ast.Identifier) -> Any:
        """`node.name` without parentheses reads a field's current value. Kapacitor reports
        problems at the `.` operator."""
        span = name_node.span
        operator = ast.Span(span.line, max(span.column - 1, 1), span.line, span.column)
        at = ast.Function(span=operator, kind="property", name=".")
        name = name_node.name
        if receiver is NIL:
            raise _error("nothing-to-call-on", f"nothing to read .{name} from", "object is invalid <nil> of type <nil>", at=at)
        if not is_pointer(receiver):
            raise _error(
                "not-a-node",
                f".{name} cannot be read from {kind_of_value(receiver)}",
                "cannot get properties of non pointer value",
                at=at,
            )
        entry = self._describe(receiver)
        key = lookup_key(name)
        prop = entry.props.get(key) if entry else None
        if prop is None or prop.kind != "field":
            hint = f"to set it, call it: .{name}(...)" if prop is not None else None
            raise _error(
                "unknown-property",
                f"{self._words(receiver)} has no field {name} to read",
                f"object {go_type_of(receiver, self.cat)} has no property {name}",
                at=at,
                hint=hint,
            )
        holder = receiver if type(receiver) is PipelineNode else receiver.alert
        last = holder.last(key)
        return last.args[0] if last and last.args else _zero_of_go(prop.params[0] if prop.params else "")


# ---------------------------------------------------------------------- special node builders
# A few chain methods build more than one node or link more than one parent; Kapacitor's
# Go code does this by hand, so it is spelled out here too.


def _build_join_like(ev: Evaluator, fn, parent, method, args, receiver):
    info = method.edges.get(parent.provides) or {"type": method.returns, "desc": method.go_name.lower()}
    node = PipelineNode(id=-1, type=info["type"], name=info["desc"], wants=parent.provides, provides=parent.provides, span=fn.span)
    ev.nodes.append(node)
    others = [a if type(a) is PipelineNode else a.alert for a in args]
    node.args = list(args)
    # Kapacitor links every parent in turn, and each link assigns a fresh id: the node keeps
    # the last one.
    for p in [parent] + others:
        ev._link(p, node)
    return node


def _build_stats(ev: Evaluator, fn, parent, method, args, receiver):
    info = method.edges.get(parent.provides) or {"type": "StatsNode", "desc": "stats", "wants": "stream", "provides": "stream"}
    stats = PipelineNode(id=-1, type=info["type"], name=info["desc"], wants=info["wants"], provides=info["provides"], span=fn.span)
    stats.args = list(args)
    stats.extra["source"] = parent
    ev.nodes.append(stats)
    ev._assign_id(stats)
    ev.sources.append(stats)
    if not parent.children:
        ev._create_child(parent, "NoOpNode", "noop", parent.provides, parent.provides, fn.span)
    return stats


def _build_deadman(ev: Evaluator, fn, parent, method, args, receiver):
    threshold, interval = args[0], args[1]
    extra_conditions = args[2:]
    stats_method = ev.cat.methods["node.Stats"]
    stats = _build_stats(ev, fn, parent, stats_method, [interval], receiver)
    stats.properties.append(PropertyCall("align", [], fn.span))
    derivative = ev._create_child(stats, "DerivativeNode", "derivative", "stream", "stream", fn.span)
    derivative.args = ["emitted"]
    derivative.properties.append(PropertyCall("nonNegative", [], fn.span))
    derivative.properties.append(PropertyCall("unit", [interval], fn.span))
    alert = ev._create_child(derivative, "AlertNode", "alert", "stream", "stream", fn.span)
    span = fn.span
    condition: ast.Expr = ast.Binary(
        span=span,
        operator="<=",
        left=ast.Reference(span=span, name="emitted"),
        right=ast.NumberLiteral(span=span, is_int=False, int_value=0, float_value=threshold, literal=repr(threshold)),
    )
    for extra in extra_conditions:
        if isinstance(extra, ast.Lambda) and extra.expression is not None:
            condition = ast.Binary(span=span, operator="AND", left=condition, right=extra.expression)
    alert.properties.append(PropertyCall("crit", [ast.Lambda(span=span, expression=condition)], span))
    node_name = parent.extra.get("name") or parent.label
    alert.properties.append(PropertyCall("id", [DEADMAN_ID.replace("NODE_NAME", node_name, 1)], span))
    alert.properties.append(
        PropertyCall("message", [DEADMAN_MESSAGE.replace("INTERVAL", format_go_duration(interval.nanoseconds), 1)], span)
    )
    alert.extra["deadman"] = True
    return alert


def _build_sample(ev: Evaluator, fn, parent, method, args, receiver):
    if type(args[0]) not in (int, Duration):
        raise ev._call_panic(
            fn,
            receiver,
            "must pass int64 or duration to new sample node",
            f"|{fn.name}() takes a count (int) or a duration, got {with_article(kind_of_value(args[0]))}",
        )
    info = method.edges[parent.provides]
    node = ev._create_child(parent, info["type"], info["desc"], info["wants"], info["provides"], fn.span)
    node.args = list(args)
    return node


SPECIAL_BUILDERS = {
    "Join": _build_join_like,
    "Union": _build_join_like,
    "Stats": _build_stats,
    "Deadman": _build_deadman,
    "Sample": _build_sample,
}


# ---------------------------------------------------------------------- helpers


def _edge_hint(key: str, edge: str) -> str | None:
    if key == "window":
        return "a batch query already returns windows of data; use .period()/.every() on the query instead"
    if key == "trickle":
        return "|trickle() turns batches into points; it follows |window() or a batch query"
    return None


def with_article(word: str) -> str:
    if word.startswith(("the ", "a ", "an ")):
        return word
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _regex(pattern: str) -> Regex:
    try:
        import re2  # deferred: start-up (only a script with a regex needs it)

        compiled = re2.compile(pattern)
    except Exception:  # the parser reports regex syntax errors; keep the pattern anyway
        compiled = None
    return Regex(pattern, compiled)


_VALUE_TYPES = {
    **SCALAR_KIND_NAMES,
    ast.Lambda: "lambda",
    list: "list",
    StarValue: "star",
}


def _value_type(value: Any) -> str:
    return _VALUE_TYPES.get(type(value), "invalid type")


def _kapacitor_type_word(type_name: str) -> str:
    return "boolean" if type_name == "bool" else type_name


def _zero_value(type_name: str) -> Any:
    return {
        "int": 0,
        "float": 0.0,
        "bool": False,
        "string": "",
        "regex": Regex("", None),
        "duration": Duration(0),
        "lambda": ZERO_LAMBDA,
        "list": [],
        "star": STAR,
    }[type_name]


def _zero_of_go(go: str) -> Any:
    return {
        "string": "",
        "int64": 0,
        "float64": 0.0,
        "bool": False,
        "time.Duration": Duration(0),
    }.get(go, NIL)


def _udf_type(value: Any) -> str:
    return {bool: "bool", int: "int", float: "double", str: "string", Duration: "duration"}.get(type(value), "unknown")


def _go_kind(value: Any, cat) -> str:
    t = type(value)
    if t in (PipelineNode, AlertData, HandlerObject, Regex, ast.Lambda, StarValue):
        return "ptr"
    if t is Duration:
        return "int64"
    if t is list:
        return "slice"
    return go_type_of(value, cat)


def _literal_node(at: ast.Identifier, value: Any, cat) -> ast.Expr:
    """Kapacitor's ValueToLiteralNode: a variable's value as a literal inside a lambda."""
    span = at.span
    t = type(value)
    if t is bool:
        return ast.BoolLiteral(span=span, value=value)
    if t is int:
        return ast.NumberLiteral(span=span, is_int=True, int_value=value, float_value=0.0, literal=str(value))
    if t is float:
        return ast.NumberLiteral(span=span, is_int=False, int_value=0, float_value=value, literal=repr(value))
    if t is Duration:
        return ast.DurationLiteral(span=span, nanoseconds=value.nanoseconds, literal=format_go_duration(value.nanoseconds))
    if t is str:
        return ast.StringLiteral(span=span, value=value)
    if t is Regex:
        return ast.RegexLiteral(span=span, pattern=value.pattern, literal="/" + value.pattern.replace("/", "\\/") + "/")
    if t is ast.Lambda or value is ZERO_LAMBDA:
        expression = value.expression
        if type(expression) is ast.Binary:
            expression = dataclasses.replace(expression, parens=True)
        return expression if expression is not None else ast.BoolLiteral(span=span, value=False)
    if t is StarValue:
        return ast.Star(span=span)
    if t is list:
        return ast.ListLiteral(span=span, elements=[_literal_node(at, v, cat) for v in value])
    raise _error(
        "bad-variable",
        f'variable "{at.name}" holds {with_article(kind_of_value(value))}, which cannot be used inside a lambda',
        f"unsupported literal type {go_type_of(value, cat)}",
    )


def infer_task_type(program: ast.Program) -> str | None:
    """Kapacitor's rule: the roots of top-level chains and declarations, all `stream` or all `batch`."""
    found: set[str] = set()
    for statement in program.statements:
        if isinstance(statement, ast.Declaration):
            node = statement.value
        elif isinstance(statement, ast.Chain):
            node = statement.left
        else:
            continue
        while type(node) is ast.Chain:
            node = node.left
        if type(node) is ast.Identifier and node.name in ("stream", "batch"):
            found.add(node.name)
    if len(found) == 1:
        return found.pop()
    return None


def sorted_nodes(sources: list[PipelineNode]) -> list[PipelineNode]:
    """Kapacitor's walk order: depth-first post-order from the sources (last source first),
    reversed."""
    order: list[PipelineNode] = []
    done: set[int] = set()

    def visit(node: PipelineNode) -> None:
        stack = [(node, iter(node.children))]
        done.add(id(node))
        while stack:
            current, children = stack[-1]
            for child in children:
                if id(child) not in done:
                    done.add(id(child))
                    stack.append((child, iter(child.children)))
                    break
            else:
                stack.pop()
                order.append(current)

    for source in reversed(sources):
        if id(source) not in done:
            visit(source)
    order.reverse()
    return order


def to_pipeline(ev: Evaluator) -> Pipeline:
    nodes = sorted(ev.nodes, key=lambda n: n.id)
    return Pipeline(task_type=ev.task_type, nodes=nodes, dbrps=list(ev.dbrps), variables=dict(ev.declared))


def raise_diagnostic(err: EvalError) -> None:
    raise TickpyError(err.diagnostic) from None

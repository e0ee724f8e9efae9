"""Executing a parsed Go template over typed Go values (`GV`), as Go's text/template does.

Follows Go's evaluation rules closely because users see their results: which node an error
blames and how it is printed, when a missing map key prints `<no value>`, how `and`/`or`
short-circuit, how arguments are converted to a function's parameter types.
"""

from __future__ import annotations

import urllib.parse
from typing import NoReturn

from tickpy.golang import gotemplate_parse as P
from tickpy.golang.goformat import go_quote, is_go_printable
from tickpy.golang.gotemplate_fmt import sort_map_keys, sprint, sprintf, sprintln
from tickpy.golang.gotemplate_types import (
    BOOL,
    COMPLEX128,
    COMPLEX_KINDS,
    EMPTY_INTERFACE,
    ERROR_TYPE,
    FLOAT64,
    FLOAT_KINDS,
    GV,
    INT,
    INT_KINDS,
    REFLECT_VALUE,
    STRING,
    UINT8,
    UINT_KINDS,
    GoCallError,
    GoType,
    Method,
    go_int,
    indirect_interface,
    struct_fields,
)

MAX_EXEC_DEPTH = 100000
# Python cannot nest 100000 template calls; a chain this deep can only be unbounded recursion.
_PYTHON_DEPTH_LIMIT = 60


class ExecError(Exception):
    """Executing a template failed; the message is Go's full error text."""


class _Missing:
    def __repr__(self):
        return "missingVal"


MISSING = _Missing()


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def Func(name, params, results, impl, variadic=False) -> Method:
    """A template function with a Go signature (params: GoTypes; the last is the element type
    of the variadic slice when `variadic`)."""
    return Method(name, params, results, impl, variadic)


# --- helpers over values ---------------------------------------------------------------------


def indirect(value: GV | None) -> tuple[GV | None, bool]:
    while value is not None and value.t.kind in ("interface", "ptr"):
        if value.v is None:
            return value, True
        if value.t.kind == "interface":
            value = value.v
        else:
            return value, False  # pointers we model have no element to walk to
    return value, False


def is_true(value: GV | None) -> tuple[bool, bool]:
    if value is None:
        return False, True
    kind = value.t.kind
    if kind in ("slice", "map", "string"):
        return bool(value.v), True
    if kind == "bool":
        return bool(value.v), True
    if kind in COMPLEX_KINDS or kind in INT_KINDS or kind in UINT_KINDS or kind in FLOAT_KINDS:
        return value.v != 0, True
    if kind in ("ptr", "interface", "func", "chan"):
        return value.v is not None, True
    if kind == "struct":
        return True, True
    return False, False


def truth(value: GV | None) -> bool:
    return is_true(indirect_interface(value))[0]


def can_be_nil(typ: GoType) -> bool:
    return typ is REFLECT_VALUE or typ.kind in ("chan", "func", "interface", "map", "ptr", "slice")


def zero_value(typ: GoType) -> GV | None:
    if typ is REFLECT_VALUE:
        return None
    kind = typ.kind
    if kind in ("interface", "map", "slice", "ptr", "func", "chan"):
        return GV(typ, None)
    if kind == "string":
        return GV(typ, "")
    if kind == "bool":
        return GV(typ, False)
    if kind in FLOAT_KINDS:
        return GV(typ, 0.0)
    if kind in COMPLEX_KINDS:
        return GV(typ, 0j)
    if kind in INT_KINDS or kind in UINT_KINDS:
        return GV(typ, 0)
    return GV(typ, None)


def assignable(value_type: GoType, target: GoType) -> bool:
    if value_type is target:
        return True
    if target.kind == "interface" and target is not ERROR_TYPE:
        return True
    # unnamed composite types with identical structure ([]uint8 and []byte)
    return value_type.name == target.name and value_type.kind == target.kind


def good_func(name: str, results: list) -> str | None:
    if len(results) == 1:
        return None
    if len(results) == 2 and results[1] is ERROR_TYPE:
        return None
    if len(results) == 2:
        return f"invalid function signature for {name}: second return value should be error; is {results[1].name}"
    return f"function {name} has {len(results)} return values; should be 1 or 2"


# --- builtin functions -----------------------------------------------------------------------

_BAD_TYPE = "invalid type for comparison"


def basic_kind(value: GV | None) -> str:
    if value is None:
        return "invalid"
    kind = value.t.kind
    if kind == "bool":
        return "bool"
    if kind in INT_KINDS:
        return "int"
    if kind in UINT_KINDS:
        return "uint"
    if kind in FLOAT_KINDS:
        return "float"
    if kind in COMPLEX_KINDS:
        return "complex"
    if kind == "string":
        return "string"
    return "invalid"


def _comparable(value: GV) -> bool:
    kind = value.t.kind
    if kind in ("map", "slice", "func"):
        return False
    if kind == "struct" and value.t.name != "time.Time":
        return all(_comparable(item) for item in value.v if item is not None)
    return True


def _is_nil(value: GV | None) -> bool:
    if value is None:
        return True
    return value.t.kind in ("chan", "func", "interface", "map", "ptr", "slice") and value.v is None


def _go_equal(a: GV, b: GV) -> bool:
    if a.t is not b.t and a.t.name != b.t.name:
        return False
    kind = a.t.kind
    if kind == "struct" and a.t.name != "time.Time":
        return all(_go_equal(x, y) for x, y in zip(a.v, b.v))
    if kind == "interface":
        if a.v is None or b.v is None:
            return a.v is None and b.v is None
        return _go_equal(a.v, b.v)
    return a.v == b.v


def builtin_eq(arg1, *rest):
    arg1 = indirect_interface(arg1)
    if not rest:
        raise GoCallError("missing argument for comparison")
    k1 = basic_kind(arg1)
    for arg in rest:
        arg = indirect_interface(arg)
        k2 = basic_kind(arg)
        result = False
        if k1 != k2:
            if k1 == "int" and k2 == "uint":
                result = arg1.v >= 0 and arg1.v == arg.v
            elif k1 == "uint" and k2 == "int":
                result = arg.v >= 0 and arg1.v == arg.v
            elif arg1 is not None and arg is not None:
                raise GoCallError(f"incompatible types for comparison: {arg1.t.name} and {arg.t.name}")
        elif k1 != "invalid":
            result = arg1.v == arg.v
        else:
            if not (arg1 is None or arg is None or arg1.t.kind == arg.t.kind):
                raise GoCallError(
                    f"non-comparable types {sprintf('%s', [arg1])}: {arg1.t.name}, {arg.t.name}: {sprint([arg])}"
                )
            if _is_nil(arg1) or _is_nil(arg):
                result = _is_nil(arg) == _is_nil(arg1)
            else:
                if not _comparable(arg):
                    raise GoCallError(f"non-comparable type {sprintf('%s', [arg])}: {arg.t.name}")
                result = _go_equal(arg1, arg)
        if result:
            return GV(BOOL, True)
    return GV(BOOL, False)


def builtin_ne(arg1, arg2):
    return GV(BOOL, not builtin_eq(arg1, arg2).v)


def _less(arg1, arg2) -> bool:
    arg1 = indirect_interface(arg1)
    k1 = basic_kind(arg1)
    if k1 == "invalid":
        raise GoCallError(_BAD_TYPE)
    arg2 = indirect_interface(arg2)
    k2 = basic_kind(arg2)
    if k2 == "invalid":
        raise GoCallError(_BAD_TYPE)
    if k1 != k2:
        if k1 == "int" and k2 == "uint":
            return arg1.v < 0 or arg1.v < arg2.v
        if k1 == "uint" and k2 == "int":
            return arg2.v >= 0 and arg1.v < arg2.v
        raise GoCallError(f"incompatible types for comparison: {arg1.t.name} and {arg2.t.name}")
    if k1 in ("bool", "complex"):
        raise GoCallError(_BAD_TYPE)
    if k1 == "string":
        return arg1.v.encode("utf-8", "surrogateescape") < arg2.v.encode("utf-8", "surrogateescape")
    return arg1.v < arg2.v


def builtin_lt(a, b):
    return GV(BOOL, _less(a, b))


def builtin_le(a, b):
    if _less(a, b):
        return GV(BOOL, True)
    return builtin_eq(a, b)


def builtin_gt(a, b):
    return GV(BOOL, not builtin_le(a, b).v)


def builtin_ge(a, b):
    return GV(BOOL, not _less(a, b))


def _index_arg(index: GV | None, cap: int) -> int:
    if index is None:
        raise GoCallError("cannot index slice/array with nil")
    if index.t.kind in INT_KINDS or index.t.kind in UINT_KINDS:
        x = index.v
    else:
        raise GoCallError(f"cannot index slice/array with type {index.t.name}")
    if x < 0 or x > cap:
        raise GoCallError(f"index out of range: {x}")
    return x


def _prepare_arg(value: GV | None, target: GoType) -> GV | None:
    if value is None:
        if not can_be_nil(target):
            raise GoCallError(f"value is nil; should be of type {target.name}")
        return zero_value(target)
    if assignable(value.t, target):
        return value
    int_like = INT_KINDS | UINT_KINDS
    if value.t.kind in int_like and target.kind in int_like:
        return GV(target, value.v)
    raise GoCallError(f"value has type {value.t.name}; should be {target.name}")


def _element(item: GV, x: int) -> GV:
    if item.t.kind == "string":
        data = item.v.encode("utf-8", "surrogateescape")
        if x >= len(data):
            raise GoCallError("reflect: string index out of range")
        return GV(UINT8, data[x])
    if x >= len(item.v or []):
        raise GoCallError("reflect: slice index out of range")
    return item.v[x]


def builtin_index(item, *indexes):
    item = indirect_interface(item)
    if item is None:
        raise GoCallError("index of untyped nil")
    for index in indexes:
        index = indirect_interface(index)
        item, nil = indirect(item)
        if nil:
            raise GoCallError("index of nil pointer")
        kind = item.t.kind
        if kind in ("slice", "array", "string"):
            length = len(item.v.encode("utf-8", "surrogateescape")) if kind == "string" else len(item.v or [])
            item = _element(item, _index_arg(index, length))
        elif kind == "map":
            key = _prepare_arg(index, item.t.key)
            entries = item.v or {}
            found = entries.get(key.v) if key is not None else None
            item = found if found is not None else zero_value(item.t.elem)
        else:
            raise GoCallError(f"can't index item of type {item.t.name}")
    return item


def builtin_slice(item, *indexes):
    item = indirect_interface(item)
    if item is None:
        raise GoCallError("slice of untyped nil")
    if len(indexes) > 3:
        raise GoCallError(f"too many slice indexes: {len(indexes)}")
    kind = item.t.kind
    if kind == "string":
        if len(indexes) == 3:
            raise GoCallError("cannot 3-index slice a string")
        data = item.v.encode("utf-8", "surrogateescape")
        cap = len(data)
    elif kind == "slice":
        data = item.v or []
        cap = len(data)
    else:
        raise GoCallError(f"can't slice item of type {item.t.name}")
    idx = [0, len(data), 0]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(indirect_interface(index), cap)
    if idx[0] > idx[1]:
        raise GoCallError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise GoCallError(f"invalid slice index: {idx[1]} > {idx[2]}")
    part = data[idx[0] : idx[1]]
    if kind == "string":
        return GV(item.t, part.decode("utf-8", "surrogateescape"))
    return GV(item.t, list(part))


def builtin_len(item):
    item, nil = indirect(item)
    if nil:
        raise GoCallError("len of nil pointer")
    if item is None:
        raise GoCallError("reflect: call of reflect.Value.Type on zero Value")
    kind = item.t.kind
    if kind == "string":
        return go_int(len(item.v.encode("utf-8", "surrogateescape")))
    if kind in ("slice", "map", "array", "chan"):
        return go_int(len(item.v or ()))
    raise GoCallError(f"len of type {item.t.name}")


def builtin_not(arg):
    return GV(BOOL, not truth(arg))


def eval_args(args: list) -> str:
    if len(args) == 1 and args[0] is not None and args[0].t is STRING:
        return args[0].v
    converted = [GV(STRING, "<no value>") if arg is None else arg for arg in args]
    return sprint(converted)


def html_escape_string(text: str) -> str:
    if not any(c in text for c in "'\"&<>\0"):
        return text
    return (
        text.replace("&", "&amp;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\0", "\ufffd")
    )


_JS_SPECIAL = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}


def js_escape_string(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _JS_SPECIAL:
            out.append(_JS_SPECIAL[ch])
        elif code < 0x20:
            out.append(f"\\u00{code:02X}")
        elif code < 0x80:
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF or not is_go_printable(ch):
            out.append(f"\\u{0xFFFD if 0xDC80 <= code <= 0xDCFF else code:04X}")
        else:
            out.append(ch)
    return "".join(out)


def url_query_escape(text: str) -> str:
    data = text.encode("utf-8", "surrogateescape")
    return urllib.parse.quote_plus(data, safe="-_.~")


_IFACE = EMPTY_INTERFACE
_RV = REFLECT_VALUE

BUILTINS: dict[str, Method] = {
    "and": Func("and", [_RV, _RV], [_RV], None, variadic=True),
    "or": Func("or", [_RV, _RV], [_RV], None, variadic=True),
    "call": Func("call", [_RV, _RV], [_RV], None, variadic=True),
    "html": Func("html", [_IFACE], [STRING], lambda *a: GV(STRING, html_escape_string(eval_args(list(a)))), True),
    "js": Func("js", [_IFACE], [STRING], lambda *a: GV(STRING, js_escape_string(eval_args(list(a)))), True),
    "urlquery": Func("urlquery", [_IFACE], [STRING], lambda *a: GV(STRING, url_query_escape(eval_args(list(a)))), True),
    "index": Func("index", [_RV, _RV], [_RV, ERROR_TYPE], builtin_index, True),
    "slice": Func("slice", [_RV, _RV], [_RV, ERROR_TYPE], builtin_slice, True),
    "len": Func("len", [_RV], [INT, ERROR_TYPE], builtin_len),
    "not": Func("not", [_RV], [BOOL], builtin_not),
    "print": Func("print", [_IFACE], [STRING], lambda *a: GV(STRING, sprint(list(a))), True),
    "printf": Func("printf", [STRING, _IFACE], [STRING], lambda f, *a: GV(STRING, sprintf(f.v, list(a))), True),
    "println": Func("println", [_IFACE], [STRING], lambda *a: GV(STRING, sprintln(list(a))), True),
    "eq": Func("eq", [_RV, _RV], [BOOL, ERROR_TYPE], builtin_eq, True),
    "ne": Func("ne", [_RV, _RV], [BOOL, ERROR_TYPE], builtin_ne),
    "lt": Func("lt", [_RV, _RV], [BOOL, ERROR_TYPE], builtin_lt),
    "le": Func("le", [_RV, _RV], [BOOL, ERROR_TYPE], builtin_le),
    "gt": Func("gt", [_RV, _RV], [BOOL, ERROR_TYPE], builtin_gt),
    "ge": Func("ge", [_RV, _RV], [BOOL, ERROR_TYPE], builtin_ge),
}


# --- the executor ----------------------------------------------------------------------------


# A literal argument for a parameter of a basic kind (text/template's evalArg): the parameter
# kinds, which literal node fits, the node attribute holding the value, the word for errors.
_LITERAL_ARGUMENTS = (
    (frozenset({"bool"}), lambda node: isinstance(node, P.BoolNode), "value", "bool"),
    (COMPLEX_KINDS, lambda node: isinstance(node, P.NumberNode) and node.is_complex, "complex128", "complex"),
    (FLOAT_KINDS, lambda node: isinstance(node, P.NumberNode) and node.is_float, "float64", "float"),
    (INT_KINDS, lambda node: isinstance(node, P.NumberNode) and node.is_int, "int64", "integer"),
    (UINT_KINDS, lambda node: isinstance(node, P.NumberNode) and node.is_uint, "uint64", "unsigned integer"),
    (frozenset({"string"}), lambda node: isinstance(node, P.StringNode), "text", "string"),
)


class State:
    def __init__(self, template, tree: P.Tree, dot, depth: int = 0):
        self.template = template
        self.tree = tree
        self.node = None
        self.vars: list[list] = [["$", dot]]
        self.depth = depth
        self.out: list[str] = template.out

    def at(self, node):
        self.node = node

    def errorf(self, message: str) -> NoReturn:
        name = self.tree.name
        if self.node is None:
            raise ExecError(f"template: {name}: {message}")
        location = error_location(self.tree, self.node)
        raise ExecError(f"template: {location}: executing {go_quote(name)} at <{self.node}>: {message}")

    # variables
    def push(self, name, value):
        self.vars.append([name, value])

    def mark(self) -> int:
        return len(self.vars)

    def pop(self, mark: int):
        del self.vars[mark:]

    def set_var(self, name, value):
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def set_top_var(self, n, value):
        self.vars[len(self.vars) - n][1] = value

    def var_value(self, name):
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    # walking
    def walk(self, dot, node):
        self.at(node)
        if isinstance(node, P.ActionNode):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, value)
        elif isinstance(node, P.ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, P.TextNode):
            self.out.append(node.text)
        elif isinstance(node, P.RangeNode):
            self.walk_range(dot, node)
        elif isinstance(node, (P.IfNode, P.WithNode)):
            self.walk_if_or_with(isinstance(node, P.WithNode), dot, node.pipe, node.list, node.else_list)
        elif isinstance(node, P.TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, P.BreakNode):
            raise _Break()
        elif isinstance(node, P.ContinueNode):
            raise _Continue()
        elif isinstance(node, P.CommentNode):
            pass
        else:
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, is_with, dot, pipe, body, else_list):
        mark = self.mark()
        try:
            value = self.eval_pipeline(dot, pipe)
            result, ok = is_true(indirect_interface(value))
            if not ok:
                self.errorf(f"if/with can't use {sprint([value])}")
            if result:
                self.walk(value if is_with else dot, body)
            elif else_list is not None:
                self.walk(dot, else_list)
        finally:
            self.pop(mark)

    def walk_range(self, dot, node: P.RangeNode):
        self.at(node)
        outer_mark = self.mark()
        try:
            value, _ = indirect(self.eval_pipeline(dot, node.pipe))
            mark = self.mark()
            decl = node.pipe.decl

            def one_iteration(index, elem):
                if decl:
                    if node.pipe.is_assign:
                        self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
                    else:
                        self.set_top_var(1, elem)
                if len(decl) > 1:
                    if node.pipe.is_assign:
                        self.set_var(decl[1].ident[0], elem)
                    else:
                        self.set_top_var(2, index)
                try:
                    self.walk(elem, node.list)
                except _Continue:
                    pass
                finally:
                    self.pop(mark)

            try:
                # An invalid value (None) ranges over nothing.
                if value is not None:
                    kind = value.t.kind
                    if kind == "slice" and value.v:
                        for i, elem in enumerate(value.v):
                            one_iteration(go_int(i), elem)
                        return
                    if kind == "map" and value.v:
                        key_type = value.t.key
                        assert key_type is not None, "a map type carries its key type"
                        for key in sort_map_keys(value.v):
                            one_iteration(GV(key_type, key), value.v[key])
                        return
                    if kind in INT_KINDS or kind in UINT_KINDS:
                        if len(decl) > 1:
                            self.errorf(f"can't use {sprint([value])} to iterate over more than one variable")
                        if value.v > 0:
                            for i in range(value.v):
                                one_iteration(None, GV(value.t, i))
                            return
                    elif kind not in ("slice", "map", "invalid"):
                        self.errorf(f"range can't iterate over {sprint([value])}")
                if node.else_list is not None:
                    self.walk(dot, node.else_list)
            except _Break:
                pass
        finally:
            self.pop(outer_mark)

    def walk_template(self, dot, node: P.TemplateNode):
        self.at(node)
        tree = self.template.lookup(node.name)
        if tree is None:
            self.errorf(f"template {go_quote(node.name)} not defined")
        if self.depth >= _PYTHON_DEPTH_LIMIT:
            self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        dot = self.eval_pipeline(dot, node.pipe)
        inner = State(self.template, tree, dot, self.depth + 1)
        inner.walk(dot, tree.root)

    # evaluation
    def eval_pipeline(self, dot, pipe):
        if pipe is None:
            return None
        self.at(pipe)
        value = MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
            if value is not None and value is not MISSING and value.t.kind == "interface" and value.t is not ERROR_TYPE:
                value = value.v
        for variable in pipe.decl:
            if pipe.is_assign:
                self.set_var(variable.ident[0], value)
            else:
                self.push(variable.ident[0], value)
        return value

    def not_a_function(self, args, final):
        if (args is not None and len(args) > 1) or final is not MISSING:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot, cmd: P.CommandNode, final):
        first = cmd.args[0]
        if isinstance(first, P.FieldNode):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, P.ChainNode):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, P.IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, P.PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, P.VariableNode):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, P.BoolNode):
            return GV(BOOL, first.value)
        if isinstance(first, P.DotNode):
            return dot
        if isinstance(first, P.NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, P.NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, P.StringNode):
            return GV(STRING, first.text)
        self.errorf(f"can't evaluate command {go_quote(str(first))}")

    def ideal_constant(self, node: P.NumberNode):
        self.at(node)
        text = node.text
        is_hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and not any(c in text for c in "pP")
        if node.is_complex:
            return GV(COMPLEX128, node.complex128)
        if node.is_float and not is_hex_int and not text.startswith("'") and any(c in text for c in ".eEpP"):
            return GV(FLOAT64, node.float64)
        if node.is_int:
            return GV(INT, node.int64)
        if node.is_uint:
            self.errorf(f"{text} overflows int")
        return None

    def eval_field_node(self, dot, node, args, final):
        self.at(node)
        return self.eval_field_chain(dot, dot, node, node.ident, args, final)

    def eval_chain_node(self, dot, chain: P.ChainNode, args, final):
        self.at(chain)
        if isinstance(chain.node, P.NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        pipe = self.eval_arg(dot, None, chain.node)
        return self.eval_field_chain(dot, pipe, chain, chain.fields, args, final)

    def eval_variable_node(self, dot, variable: P.VariableNode, args, final):
        self.at(variable)
        value = self.var_value(variable.ident[0])
        if len(variable.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, variable, variable.ident[1:], args, final)

    def eval_field_chain(self, dot, receiver, node, idents, args, final):
        for name in idents[:-1]:
            receiver = self.eval_field(dot, name, node, None, MISSING, receiver)
        return self.eval_field(dot, idents[-1], node, args, final, receiver)

    def eval_function(self, dot, node: P.IdentifierNode, cmd, args, final):
        self.at(node)
        name = node.ident
        function = self.template.funcs.get(name)
        if function is None:
            self.errorf(f"{go_quote(name)} is not a defined function")
        return self.eval_call(dot, function, name in BUILTINS and function is BUILTINS[name], cmd, name, args, final)

    def eval_field(self, dot, name, node, args, final, receiver):
        if receiver is None:
            return None
        typ = receiver.t
        receiver, is_nil = indirect(receiver)
        if receiver.t.kind == "interface" and is_nil:
            self.errorf(f"nil pointer evaluating {typ.name}.{name}")
        method = receiver.t.find_method(name) if receiver.t.kind != "interface" else None
        if method is not None:
            return self.eval_call(dot, method, False, node, name, args, final, receiver=receiver)
        has_args = (args is not None and len(args) > 1) or final is not MISSING
        kind = receiver.t.kind
        if kind == "struct":
            path = receiver.t.find_field(name)
            if path is not None:
                value, spec = self._field_by_path(receiver, path)
                if not spec.exported:
                    self.errorf(f"{name} is an unexported field of struct type {typ.name}")
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return value
        elif kind == "map":
            if receiver.t.key.kind == "string" and receiver.t.key.name == "string":
                if has_args:
                    self.errorf(f"{name} is not a method but has arguments")
                return (receiver.v or {}).get(name)
        elif kind == "ptr" and is_nil:
            self.errorf(f"nil pointer evaluating {typ.name}.{name}")
        self.errorf(f"can't evaluate field {name} in type {typ.name}")

    @staticmethod
    def _field_by_path(value, path):
        spec = None
        for index in path:
            spec = value.t.fields[index]
            value = struct_fields(value)[index]
        return value, spec

    def eval_call(self, dot, fun: Method, is_builtin, node, name, args, final, receiver=None):
        if args is not None:
            args = args[1:]
        else:
            args = []
        params = fun.params
        num_in = len(args) + (0 if final is MISSING else 1)
        num_fixed = len(args)
        if fun.variadic:
            num_fixed = len(params) - 1
            if num_in < num_fixed:
                self.errorf(f"wrong number of args for {name}: want at least {len(params) - 1} got {len(args)}")
        elif num_in != len(params):
            self.errorf(f"wrong number of args for {name}: want {len(params)} got {num_in}")
        problem = good_func(name, fun.results)
        if problem:
            self.errorf(problem)

        if is_builtin and name in ("and", "or"):
            value = None
            for arg in args:
                value = self.eval_arg(dot, REFLECT_VALUE, arg)
                if truth(value) == (name == "or"):
                    return value
            if final is not MISSING:
                value = self.validate_type(final, REFLECT_VALUE)
            return value

        argv = []
        i = 0
        while i < num_fixed and i < len(args):
            argv.append(self.eval_arg(dot, params[i], args[i]))
            i += 1
        if fun.variadic:
            elem = params[-1]
            while i < len(args):
                argv.append(self.eval_arg(dot, elem, args[i]))
                i += 1
        if final is not MISSING:
            target = params[-1]
            if fun.variadic and num_in - 1 < num_fixed:
                target = params[num_in - 1]
            argv.append(self.validate_type(final, target))

        if is_builtin and name == "call":
            if args:
                callee_name = str(args[0])
            elif final is not None and final.t.kind == "string":
                callee_name = final.v  # reflect.Value.String of a string
            else:
                callee_name = f"<{final.t.name} Value>" if final is not None else "<invalid Value>"
            fn = indirect_interface(argv[0]) if argv else None
            self.at(node)
            if fn is None:
                self.errorf(f"error calling {name}: call of nil")
            self.errorf(f"error calling {name}: non-function {callee_name} of type {fn.t.name}")

        # Arguments typed interface{} reach the function as their dynamic value.
        call_args = []
        all_params = list(params)
        for index, value in enumerate(argv):
            param = all_params[index] if index < len(all_params) - (1 if fun.variadic else 0) else all_params[-1]
            if param.kind == "interface" and value is not None and value.t.kind == "interface":
                value = value.v
            call_args.append(value)
        # and/or/call returned or failed above; good_func refused the other unimplemented signatures.
        assert fun.impl is not None, f"{name} has no implementation"
        try:
            if receiver is not None:
                result = fun.impl(receiver, *call_args)
            else:
                result = fun.impl(*call_args)
        except GoCallError as err:
            self.at(node)
            self.errorf(f"error calling {name}: {err}")
        return result

    def validate_type(self, value, typ):
        if value is None:
            if typ is None:
                return None
            if can_be_nil(typ):
                return zero_value(typ)
            self.errorf(f"invalid value; expected {typ.name}")
        if typ is REFLECT_VALUE:
            return value
        if typ is not None and not assignable(value.t, typ):
            if value.t.kind == "interface" and value.v is not None:
                value = value.v
                if assignable(value.t, typ):
                    return value
            self.errorf(f"wrong type for value; expected {typ.name}; got {value.t.name}")
        return value

    def eval_arg(self, dot, typ, node):
        self.at(node)
        if isinstance(node, P.DotNode):
            return self.validate_type(dot, typ)
        if isinstance(node, P.NilNode):
            if typ is not None and can_be_nil(typ):
                return zero_value(typ)
            self.errorf(f"cannot assign nil to {typ.name if typ else '<nil>'}")
        if isinstance(node, P.FieldNode):
            return self.validate_type(self.eval_field_node(dot, node, [node], MISSING), typ)
        if isinstance(node, P.VariableNode):
            return self.validate_type(self.eval_variable_node(dot, node, None, MISSING), typ)
        if isinstance(node, P.PipeNode):
            return self.validate_type(self.eval_pipeline(dot, node), typ)
        if isinstance(node, P.IdentifierNode):
            return self.validate_type(self.eval_function(dot, node, node, None, MISSING), typ)
        if isinstance(node, P.ChainNode):
            return self.validate_type(self.eval_chain_node(dot, node, None, MISSING), typ)
        kind = typ.kind
        if typ is REFLECT_VALUE or (kind == "interface" and typ is not ERROR_TYPE):
            return self.eval_empty_interface(dot, node)
        for kinds, accepts, attribute, expected in _LITERAL_ARGUMENTS:
            if kind in kinds:
                if accepts(node):
                    return GV(typ, getattr(node, attribute))
                self.errorf(f"expected {expected}; found {node}")
        self.errorf(f"can't handle {node} for arg of type {typ.name}")

    def eval_empty_interface(self, dot, node):
        self.at(node)
        if isinstance(node, P.BoolNode):
            return GV(BOOL, node.value)
        if isinstance(node, P.DotNode):
            return dot
        if isinstance(node, P.FieldNode):
            return self.eval_field_node(dot, node, None, MISSING)
        if isinstance(node, P.IdentifierNode):
            return self.eval_function(dot, node, node, None, MISSING)
        if isinstance(node, P.NilNode):
            self.errorf("evalEmptyInterface: nil (can't happen)")
        if isinstance(node, P.NumberNode):
            return self.ideal_constant(node)
        if isinstance(node, P.StringNode):
            return GV(STRING, node.text)
        if isinstance(node, P.VariableNode):
            return self.eval_variable_node(dot, node, None, MISSING)
        if isinstance(node, P.PipeNode):
            return self.eval_pipeline(dot, node)
        self.errorf(f"can't handle assignment of {node} to empty interface argument")

    def print_value(self, node, value):
        self.at(node)
        if value is not None and value.t.kind == "interface":
            value = value.v
        if value is None:
            self.out.append("<no value>")
            return
        if value.t.kind in ("func", "chan"):
            self.errorf(f"can't print {node} of type {value.t.name}")
        self.out.append(sprint([value]))


def error_location(tree: P.Tree, node) -> str:
    text = tree.text[: node.pos]
    newline = text.rfind("\n")
    line_text = text[newline + 1 :] if newline >= 0 else text
    column = len(line_text.encode("utf-8", "surrogateescape"))
    line = 1 + text.count("\n")
    return f"{tree.parse_name}:{line}:{column}"


class TextTemplate:
    """A parsed text/template: `TextTemplate(name, text, funcs).execute(data)`."""

    def __init__(self, name: str, text: str, extra_funcs: dict[str, Method] | None = None):
        self.name = name
        self.funcs = dict(BUILTINS)
        if extra_funcs:
            self.funcs.update(extra_funcs)
        self.trees = P.parse_template(name, text, set(self.funcs))
        self.out: list[str] = []

    def lookup(self, name: str):
        tree = self.trees.get(name)
        if tree is None or tree.root is None:
            return None
        return tree

    def execute(self, data) -> str:
        self.out = []
        tree = self.trees[self.name]
        state = State(self, tree, data)
        try:
            state.walk(data, tree.root)
        except RecursionError:
            raise ExecError(f"template: {self.name}: exceeded maximum template depth ({MAX_EXEC_DEPTH})") from None
        return "".join(self.out)

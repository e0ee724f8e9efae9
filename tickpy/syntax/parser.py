"""TICKscript source -> typed AST, with grammar/tickscript.lark (LALR) fed by our lexer.

Lark computes the LALR table of the grammar; grammar/tickscript.table.json ships that table
(written by tools/gen_parser_table.py), so a start needs neither Lark nor the table's
construction. When the grammar no longer matches the table (an edited checkout) the table is
built again from the grammar with Lark, in memory; tests/syntax/test_parser_table.py fails until
the file is regenerated. `_Driver` runs the table over the tokens of `tickpy.syntax.lexer` and
calls `_Builder` at each reduction, as Lark's LALR parser would call it as its transformer, so
the AST is built while parsing and arbitrarily deep input needs no recursion. Comments are
attached as Kapacitor's parser attaches them (they travel on the token that follows them).
"""

from __future__ import annotations

import gc
import json
import os
import threading
import zlib

import tickpy.grammar
from tickpy.diagnostics import TickpyError
from tickpy.syntax import ast
from tickpy.syntax.lexer import LiteralProblem, SourceMap, Tok, lex

GRAMMAR_PATH = os.path.join(os.path.dirname(tickpy.grammar.__file__), "tickscript.lark")
TABLE_PATH = os.path.join(os.path.dirname(tickpy.grammar.__file__), "tickscript.table.json")
START_SYMBOLS = ["program", "lambda_start"]

_OPERATORS = {
    "PLUS": "+", "MINUS": "-", "MULT": "*", "DIV": "/", "MOD": "%",
    "EQ": "==", "NE": "!=", "LT": "<", "GT": ">", "LE": "<=", "GE": ">=",
    "REQ": "=~", "RNE": "!~", "AND": "AND", "OR": "OR", "NOT": "!",
}
_CHAIN_KINDS = {"PIPE": "chain", "DOT": "property", "AT": "dynamic"}
_CHAIN_OPERATORS = {"PIPE": "|", "DOT": ".", "AT": "@"}
_MULTILINE_TOKENS = frozenset({"STRING", "REFERENCE", "REGEX"})


def _reduce(states: list, state_stack: list, value_stack: list, reduction: tuple) -> None:
    """One LALR reduction: pop the rule's children (a unit rule passes its one child
    through), push the callback's value and the goto state."""
    size, origin, callback = reduction
    if callback is None:
        del state_stack[-1]
    elif size:
        children = value_stack[-size:]
        del state_stack[-size:]
        del value_stack[-size:]
        value_stack.append(callback(children))
    else:
        value_stack.append(callback([]))
    state_stack.append(states[state_stack[-1]][origin][1])


def _reduce_states(states: list, stack: list, reduction: tuple) -> None:
    """A reduction on the state stack alone, for the error paths that replay the parse."""
    size, origin, _ = reduction
    if size:
        del stack[-size:]
    stack.append(states[stack[-1]][origin][1])


class LiteralError(Exception):
    """A literal the parser accepted but whose value Kapacitor rejects."""

    def __init__(self, token: Tok, problem: LiteralProblem):
        super().__init__(problem.message)
        self.token = token
        self.problem = problem


def _unescape(body: str, quote: str) -> str:
    if "\\" not in body:
        return body
    return body.replace("\\" + quote, quote)


class _Builder:
    """Builds AST nodes at each reduction of the LALR parser: one method per rule name or alias."""

    def __init__(self):
        self.map: SourceMap | None = None
        self.source = ""
        self.ascii = True
        # The closing `)` of a call or of parentheses, by node: Kapacitor's parser gives the
        # comment before that `)` to a unary operator applied to the node.
        self.rparen_comment: dict[int, Tok] = {}

    # --------------------------------------------------------------- helpers

    def tok_span(self, tok: Tok) -> ast.Span:
        start, end = tok.start_pos, tok.offset_end
        if self.ascii and (tok.type not in _MULTILINE_TOKENS or "\n" not in tok.value):
            return ast.Span(tok.line, tok.column, tok.line, tok.column + end - start, start, end)
        assert self.map is not None, "tokens are only built into nodes during a parse"
        return self.map.span(start, end)

    @staticmethod
    def join(first: ast.Span, last: ast.Span) -> ast.Span:
        return ast.Span(first.line, first.column, last.end_line, last.end_column, first.offset, last.end_offset)

    @staticmethod
    def take_comment(tok: Tok) -> ast.Comment | None:
        comment = tok.comment
        if comment is not None:
            tok.comment = None
        return comment

    def kapacitor_offset(self, node: ast.Node) -> int:
        """Where Kapacitor's parser says a node is: the operator of a binary or chain node."""
        if node.__class__ is ast.Binary or node.__class__ is ast.Chain:
            operator_span = node.operator_span
            assert operator_span is not None, "the parser gives every binary and chain node one"
            return operator_span.offset
        return node.span.offset

    def has_newline(self, start: int, end: int) -> bool:
        return self.source.find("\n", start, end) != -1

    # --------------------------------------------------------------- statements

    def program(self, children):
        return children[0] if children else []

    def first_statement(self, children):
        return [children[0]]

    def next_statement(self, children):
        statements, statement = children
        statements.append(statement)
        return statements

    def lambda_start(self, children):
        return children[0]

    def declaration(self, children):
        var, name_tok, _asgn, value = children
        name = ast.Identifier(self.tok_span(name_tok), name_tok.value, self.take_comment(name_tok))
        return ast.Declaration(self.join(self.tok_span(var), value.span), name, value, self.take_comment(var))

    def type_declaration(self, children):
        var, name_tok, type_tok = children
        name = ast.Identifier(self.tok_span(name_tok), name_tok.value, self.take_comment(name_tok))
        type_name = ast.Identifier(self.tok_span(type_tok), type_tok.value, self.take_comment(type_tok))
        return ast.TypeDeclaration(self.join(self.tok_span(var), type_name.span), name, type_name, self.take_comment(var))

    def dbrp(self, children):
        dbrp_tok, db_tok, _dot, rp_tok = children
        db = self.reference([db_tok])
        rp = self.reference([rp_tok])
        return ast.DBRP(self.join(self.tok_span(dbrp_tok), rp.span), db, rp, self.take_comment(dbrp_tok))

    # --------------------------------------------------------------- expressions

    def lambda_expr(self, children):
        tok, expression = children
        return ast.Lambda(self.join(self.tok_span(tok), expression.span), expression, self.take_comment(tok))

    def list_expr(self, children):
        open_tok, close_tok = children[0], children[-1]
        elements = [c for c in children[1:-1] if not isinstance(c, Tok)]
        return ast.ListLiteral(self.join(self.tok_span(open_tok), self.tok_span(close_tok)), elements, self.take_comment(open_tok))

    def _function(self, kind, name_tok, args, close_tok, comment):
        multiline = bool(args) and self.has_newline(name_tok.start_pos, self.kapacitor_offset(args[-1]))
        node = ast.Function(self.join(self.tok_span(name_tok), self.tok_span(close_tok)), kind, name_tok.value, args, multiline, comment)
        self.rparen_comment[id(node)] = close_tok
        return node

    def chain_call(self, children):
        left, op, name_tok, _open, args, close_tok = children
        right = self._function(_CHAIN_KINDS[op.type], name_tok, args, close_tok, self.take_comment(name_tok))
        return ast.Chain(
            self.join(left.span, right.span), _CHAIN_OPERATORS[op.type], left, right,
            self.take_comment(op), self.tok_span(op),
        )

    def chain_ident(self, children):
        left, op, name_tok = children
        right = ast.Identifier(self.tok_span(name_tok), name_tok.value, self.take_comment(name_tok))
        return ast.Chain(
            self.join(left.span, right.span), _CHAIN_OPERATORS[op.type], left, right,
            self.take_comment(op), self.tok_span(op),
        )

    def chain_root_ident(self, children):
        tok = children[0]
        return ast.Identifier(self.tok_span(tok), tok.value, self.take_comment(tok))

    def global_call(self, children):
        name_tok, _open, args, close_tok = children
        return self._function("global", name_tok, args, close_tok, self.take_comment(name_tok))

    def lfunc(self, children):
        # Kapacitor's parser keeps no comment for a call inside an operator expression.
        name_tok, _open, args, close_tok = children
        return self._function("global", name_tok, args, close_tok, None)

    def args(self, children):
        return [c for c in children if not isinstance(c, Tok)]

    largs = args

    def binary(self, children):
        left, op, right = children
        multiline = self.has_newline(self.kapacitor_offset(left), self.kapacitor_offset(right))
        return ast.Binary(
            self.join(left.span, right.span), _OPERATORS[op.type], left, right,
            False, multiline, self.take_comment(op), self.tok_span(op),
        )

    def unary(self, children):
        op, operand = children
        close_tok = self.rparen_comment.pop(id(operand), None)
        comment = self.take_comment(close_tok) if close_tok is not None else None
        return ast.Unary(self.join(self.tok_span(op), operand.span), _OPERATORS[op.type], operand, comment)

    def paren(self, children):
        open_tok, inner, close_tok = children
        if inner.__class__ is ast.Binary:
            inner.parens = True
        # Kapacitor sets the comment before `(` on the inner node, replacing its own.
        inner.comment = self.take_comment(open_tok)
        self.rparen_comment[id(inner)] = close_tok
        return inner

    # --------------------------------------------------------------- literals

    def number(self, children):
        tok = children[0]
        value = tok.literal
        text = tok.value
        if value.__class__ is float:
            return ast.NumberLiteral(self.tok_span(tok), False, 0, value, text, 10, self.take_comment(tok))
        base = 8 if text[0] == "0" and len(text) > 1 else 10
        return ast.NumberLiteral(self.tok_span(tok), True, value, float(value), text, base, self.take_comment(tok))

    def duration(self, children):
        tok = children[0]
        return ast.DurationLiteral(self.tok_span(tok), tok.literal, tok.value, self.take_comment(tok))

    def string(self, children):
        tok = children[0]
        text = tok.value
        if len(text) >= 6 and text.startswith("'''"):
            return ast.StringLiteral(self.tok_span(tok), text[3:-3], True, self.take_comment(tok))
        return ast.StringLiteral(self.tok_span(tok), _unescape(text[1:-1], "'"), False, self.take_comment(tok))

    def regex(self, children):
        tok = children[0]
        text = tok.value
        return ast.RegexLiteral(self.tok_span(tok), _unescape(text[1:-1], "/"), text, self.take_comment(tok))

    def reference(self, children):
        tok = children[0]
        return ast.Reference(self.tok_span(tok), _unescape(tok.value[1:-1], '"'), self.take_comment(tok))

    def boolean(self, children):
        tok = children[0]
        return ast.BoolLiteral(self.tok_span(tok), tok.type == "TRUE", self.take_comment(tok))

    def star(self, children):
        tok = children[0]
        return ast.Star(self.tok_span(tok), self.take_comment(tok))

    def ident(self, children):
        tok = children[0]
        return ast.Identifier(self.tok_span(tok), tok.value, self.take_comment(tok))


_BUILDER = _Builder()


def lark_parser(grammar: str, transformer=None):
    """Lark's own LALR parser of `grammar`. It never lexes: tokens come from our lexer (fed
    one by one through its interactive parser)."""
    from lark import Lark  # deferred: start-up (the shipped table stands for it)

    return Lark(grammar, parser="lalr", lexer="basic", transformer=transformer, start=START_SYMBOLS,
                maybe_placeholders=False)


def grammar_digest(grammar: str) -> str:
    """Tells an edited grammar from the one the table was built from. CRC-32 is enough to notice
    an edit, and hashlib would load OpenSSL at each start."""
    return f"{zlib.crc32(grammar.encode('utf-8')):08x}"


def build_table(grammar: str) -> dict:
    """The LALR table Lark computes for `grammar`, as plain JSON data.

    States are numbered in the order a breadth-first walk from the start states meets them
    (symbols in sorted order), since Lark's own numbering changes with string hashing. Each
    rule says what its reduction does, as Lark's parse-tree builder would do it with `_Builder`
    for transformer: "pass" hands the one child of a `?rule` on, "call" calls the builder's
    method, "inline" (a `_rule`) gives its children to the rule that contains it; "flatten" are
    the positions of such inlined children, whose own children take their place."""
    from lark.parsers.lalr_analysis import Shift  # deferred: start-up

    lark = lark_parser(grammar)
    parse_table = lark.parser.parser.parser.parse_table
    numbers: dict[int, int] = {}
    pending = [parse_table.start_states[name] for name in sorted(parse_table.start_states)]
    for state in pending:  # the list grows as the walk goes
        if state not in numbers:
            numbers[state] = len(numbers)
            actions = parse_table.states[state]
            pending += [actions[symbol][1] for symbol in sorted(actions) if actions[symbol][0] is Shift]
    rule_numbers = {rule: number for number, rule in enumerate(lark.rules)}
    states = []
    for state in numbers:  # in the order of their numbers
        actions = sorted(parse_table.states[state].items())
        states.append({
            "shift": {str(symbol): numbers[arg] for symbol, (kind, arg) in actions if kind is Shift},
            "reduce": {str(symbol): rule_numbers[arg] for symbol, (kind, arg) in actions if kind is not Shift},
        })
    return {
        "grammar_crc32": grammar_digest(grammar),
        "start_states": {name: numbers[state] for name, state in sorted(parse_table.start_states.items())},
        "end_states": {name: numbers[state] for name, state in sorted(parse_table.end_states.items())},
        "rules": [_rule_record(rule) for rule in lark.rules],
        "states": states,
    }


def _rule_record(rule) -> dict:
    origin = rule.origin.name
    expansion = [symbol.name for symbol in rule.expansion]
    flatten = [index for index, symbol in enumerate(rule.expansion) if not symbol.is_term and symbol.name.startswith("_")]
    record = {"origin": origin, "expansion": expansion}
    if any(symbol.is_term and symbol.filter_out for symbol in rule.expansion) or rule.options.template_source:
        raise ValueError(f"rule {rule}: filtered tokens and templates are not supported by the driver")
    if rule.options.expand1 and not rule.alias:
        if len(expansion) != 1 or flatten:
            raise ValueError(f"rule {rule}: a ?rule must have one child, not inlined")
        record["kind"] = "pass"
        return record
    if origin.startswith("_"):
        record["kind"] = "inline"
    else:
        method = rule.alias or origin
        if not callable(getattr(_Builder, method, None)):
            raise ValueError(f"rule {rule}: _Builder has no method {method}")
        record["kind"] = "call"
        record["method"] = method
    record["flatten"] = flatten
    return record


def load_table(grammar_path: str = GRAMMAR_PATH, table_path: str = TABLE_PATH) -> dict:
    """The table at `table_path`, or when it was built from another grammar than the one at
    `grammar_path`, a table built now from that grammar."""
    with open(grammar_path, encoding="utf-8") as grammar_file:
        grammar = grammar_file.read()
    with open(table_path, encoding="utf-8") as table_file:
        table = json.load(table_file)
    if table.get("grammar_crc32") != grammar_digest(grammar):
        return build_table(grammar)
    return table


class SyntaxStop(Exception):
    """The parser cannot take `token` (None: the end of the input); `expected` is what it could take."""

    def __init__(self, token: Tok | None, expected: set[str]):
        super().__init__(token.type if token is not None else "$END")
        self.token = token
        self.expected = expected


def _children(children: list) -> list:
    return children


def _flattening(then, positions: frozenset):
    """Lark's child filter: the children at `positions` (lists from inlined `_rules`) are
    spliced in. A list in first place is extended in place, so left recursion stays linear."""
    def flatten(children):
        flat = []
        for index, child in enumerate(children):
            if index in positions:
                if flat:
                    flat += child
                else:
                    flat = child
            else:
                flat.append(child)
        return then(flat)
    return flatten


def _callback(rule: dict, builder: _Builder):
    """What a reduction of `rule` calls with its children (None: it passes its one child on)."""
    if rule["kind"] == "pass":
        return None
    then = getattr(builder, rule["method"]) if rule["kind"] == "call" else _children
    return _flattening(then, frozenset(rule["flatten"])) if rule["flatten"] else then


class _Driver:
    """The LALR loop over the parse table, with the reductions Lark's parser would make.

    Lark's own loop does the same work; this one skips the per-token overhead, passes unit
    reductions (`?rule` with one child) through without a call, and on an error works out
    exactly which tokens the parser could have taken there."""

    def __init__(self, table: dict, builder: _Builder):
        # Per rule: (size, goto symbol, callback or None for a pass-through unit reduction).
        reductions = [(len(rule["expansion"]), rule["origin"], _callback(rule, builder)) for rule in table["rules"]]
        reduce_actions = [(False, reduction) for reduction in reductions]
        shift_actions = [(True, state) for state in range(len(table["states"]))]
        # Actions as (True, next state) for a shift and (False, reduction) for a reduce.
        self.states = [
            {
                **{name: shift_actions[state] for name, state in actions["shift"].items()},
                **{name: reduce_actions[rule] for name, rule in actions["reduce"].items()},
            }
            for actions in table["states"]
        ]
        self.start_states = table["start_states"]
        self.end_states = table["end_states"]
        self.terminals = sorted({name for actions in self.states for name in actions if name.isupper()})

    def run(self, tokens: list[Tok], start: str):
        states = self.states
        state_stack = [self.start_states[start]]
        value_stack: list = []
        for tok in tokens:
            tok_type = tok.type
            while True:
                action = states[state_stack[-1]].get(tok_type)
                if action is None:
                    raise SyntaxStop(tok, self.acceptable(self.stack_before(tokens, tok, start), start))
                shift, arg = action
                if shift:
                    state_stack.append(arg)
                    value_stack.append(tok)
                    break
                _reduce(states, state_stack, value_stack, arg)
            if tok.literal.__class__ is LiteralProblem:
                # Kapacitor rejects the literal's value once its parser has taken the literal.
                raise LiteralError(tok, tok.literal)
        end_state = self.end_states[start]
        while True:
            action = states[state_stack[-1]].get("$END")
            if action is None:
                raise SyntaxStop(None, self.acceptable(self.stack_before(tokens, None, start), start))
            _reduce(states, state_stack, value_stack, action[1])
            if state_stack[-1] == end_state:
                return value_stack[-1]

    def stack_before(self, tokens: list[Tok], stop: Tok | None, start: str) -> list[int]:
        """The state stack as it was before the parser looked at `stop` (None: the end).

        LALR may reduce on a token before finding that it cannot take it; what it could take
        is only exact from the stack as it was before those reductions."""
        states = self.states
        stack = [self.start_states[start]]
        for tok in tokens:
            if tok is stop:
                break
            while True:
                shift, arg = states[stack[-1]][tok.type]
                if shift:
                    stack.append(arg)
                    break
                _reduce_states(states, stack, arg)
        return stack

    def acceptable(self, state_stack: list[int], start: str) -> set[str]:
        """The terminals the parser could take with this stack (reductions simulated)."""
        states = self.states
        end_state = self.end_states[start]
        accepted = set()
        for terminal in self.terminals + ["$END"]:
            stack = list(state_stack)
            while True:
                action = states[stack[-1]].get(terminal)
                if action is None:
                    break
                shift, arg = action
                if shift:
                    accepted.add(terminal)
                    break
                _reduce_states(states, stack, arg)
                if stack[-1] == end_state:
                    accepted.add(terminal)
                    break
        return accepted


_DRIVER = _Driver(load_table(), _BUILDER)
_LOCK = threading.Lock()


def _run(source: str, start: str, path: str):
    # The parse makes no reference cycles; the cyclic collector would only rescan the growing
    # tree again and again on big inputs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_without_gc(source, start, path)
    finally:
        if collecting:
            gc.enable()


def _run_without_gc(source: str, start: str, path: str):
    from tickpy.syntax.errors import literal_diagnostic, syntax_diagnostic  # avoid an import cycle

    lexed = lex(source)
    tokens = lexed.tokens
    if lexed.error is not None:
        line, col = lexed.source_map.line_col(lexed.error.offset)
        error_tok = Tok("ERROR", "", lexed.error.offset, line, col, lexed.error.offset)
        tokens = tokens + [error_tok]
    with _LOCK:
        builder = _BUILDER
        builder.map = lexed.source_map
        builder.source = source
        builder.ascii = lexed.source_map.ascii
        builder.rparen_comment = {}
        try:
            result = _DRIVER.run(tokens, start)
        except SyntaxStop as stop:
            raise TickpyError(syntax_diagnostic(stop.token, stop.expected, lexed, source, path, start)) from None
        except LiteralError as error:
            raise TickpyError(literal_diagnostic(error, lexed, source, path, start)) from None
        finally:
            builder.rparen_comment = {}
            builder.map = None
            builder.source = ""
    return result, lexed


def parse(source: str, path: str = "<script>") -> ast.Program:
    """Parse a whole TICKscript. Raises TickpyError (code "syntax") where Kapacitor's parser fails."""
    statements, lexed = _run(source, "program", path)
    end = len(source)
    program = ast.Program(lexed.source_map.span(0, end), statements)
    if lexed.tokens:
        last = lexed.tokens[-1]
        if last.comment is not None:  # a comment no node took (e.g. before a final `)`)
            program.dangling_comment = last.comment
    program.trailing_comment = lexed.eof_comment
    return program


def parse_lambda_expression(text: str, path: str = "<lambda>") -> ast.Expr:
    """Parse what follows `lambda:` (Kapacitor's ast.ParseLambda)."""
    expression, _ = _run(text, "lambda_start", path)
    return expression

"""TICKscript source -> typed AST, with grammar/tickscript.lark (Lark LALR) fed by our lexer.

Lark builds the LALR table from the grammar; `_Driver` runs that table over the tokens of
`tickpy.syntax.lexer` and calls `_Builder` (through Lark's callbacks) at each reduction, so the
AST is built while parsing and arbitrarily deep input needs no recursion. Comments are
attached as Kapacitor's parser attaches them (they travel on the token that follows them).
"""

from __future__ import annotations

import gc
import threading
from importlib import resources

from lark import Lark, Transformer
from lark.parsers.lalr_analysis import Shift as _SHIFT
from lark.lexer import Lexer as _LarkLexer

from tickpy.diagnostics import TickpyError
from tickpy.syntax import ast
from tickpy.syntax.lexer import LiteralProblem, SourceMap, Tok, lex

_OPERATORS = {
    "PLUS": "+", "MINUS": "-", "MULT": "*", "DIV": "/", "MOD": "%",
    "EQ": "==", "NE": "!=", "LT": "<", "GT": ">", "LE": "<=", "GE": ">=",
    "REQ": "=~", "RNE": "!~", "AND": "AND", "OR": "OR", "NOT": "!",
}
_CHAIN_KINDS = {"PIPE": "chain", "DOT": "property", "AT": "dynamic"}
_CHAIN_OPERATORS = {"PIPE": "|", "DOT": ".", "AT": "@"}
_MULTILINE_TOKENS = frozenset({"STRING", "REFERENCE", "REGEX"})


def _reduce(states: dict, state_stack: list, value_stack: list, reduction: tuple) -> None:
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


def _reduce_states(states: dict, stack: list, reduction: tuple) -> None:
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


class _TokenFeed(_LarkLexer):
    """Lark needs a lexer to build its tables; parsing goes through `_Driver`, which takes the
    tokens of `tickpy.syntax.lexer` directly."""

    def __init__(self, lexer_conf):
        pass

    def lex(self, tokens):
        return iter(tokens)


def _unescape(body: str, quote: str) -> str:
    if "\\" not in body:
        return body
    return body.replace("\\" + quote, quote)


class _Builder(Transformer):
    """Builds AST nodes at each reduction of the LALR parser."""

    def __init__(self):
        super().__init__(visit_tokens=False)
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
            return node.operator_span.offset
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


def _load_parser() -> Lark:
    grammar = resources.files("tickpy.grammar").joinpath("tickscript.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer=_TokenFeed,
        transformer=_BUILDER,
        start=["program", "lambda_start"],
        maybe_placeholders=False,
    )


_PARSER = _load_parser()


class SyntaxStop(Exception):
    """The parser cannot take `token` (None: the end of the input); `expected` is what it could take."""

    def __init__(self, token: Tok | None, expected: set[str]):
        super().__init__(token.type if token is not None else "$END")
        self.token = token
        self.expected = expected


class _Driver:
    """The LALR loop over Lark's parse table, with Lark's reduction callbacks.

    Lark's own loop does the same work; this one skips the per-token overhead, passes unit
    reductions (`?rule` with one child) through without a call, and on an error works out
    exactly which tokens the parser could have taken there."""

    def __init__(self, lark: Lark):
        inner = lark.parser.parser.parser
        table = inner.parse_table
        # Per rule: (size, goto symbol, callback or None for a pass-through unit reduction).
        reductions = {}
        for rule, callback in inner.callbacks.items():
            size = len(rule.expansion)
            unit = rule.options.expand1 and not rule.alias and size == 1 and not rule.expansion[0].name.startswith("_")
            reductions[rule] = (size, str(rule.origin.name), None if unit else callback)
        # Actions as (True, next state) for a shift and (False, reduction) for a reduce, under
        # plain-str keys: Lark's symbol names are Token objects whose Python-level __eq__
        # would run on every lookup, and its Rule keys hash in Python too.
        self.states = {
            state: {
                str(name): (True, arg) if kind is _SHIFT else (False, reductions[arg])
                for name, (kind, arg) in actions.items()
            }
            for state, actions in table.states.items()
        }
        self.start_states = table.start_states
        self.end_states = table.end_states
        self.terminals = sorted({name for actions in self.states.values() for name in actions if name.isupper()})

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


_DRIVER = _Driver(_PARSER)
_LOCK = threading.Lock()


def _run(source: str, start: str, path: str):
    from tickpy.syntax.errors import literal_diagnostic, syntax_diagnostic  # avoid an import cycle

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

"""Lexer and parser for Go's text/template language (the syntax of Kapacitor's alert templates).

The node tree mirrors Go's `text/template/parse` so that error messages, which quote Go's
re-printing of a node and its byte position, come out identical.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import NoReturn

from tickpy.golang.goformat import (
    GoNumError,
    go_quote,
    go_unquote,
    is_go_printable,
    parse_float,
    parse_int,
    parse_uint,
    unquote_char,
)
from tickpy.golang.gotemplate_fmt import sprintf
from tickpy.golang.gotemplate_types import GV, INT32
from tickpy.golang.gotypes import float_to_int64, float_to_uint64


class TemplateParseError(Exception):
    """`New(name).Parse(text)` failed; the message is Go's full error text."""


# --- lexer -----------------------------------------------------------------------------------

EOF, ERROR, TEXT, COMMENT, LEFT_DELIM, RIGHT_DELIM, SPACE = "EOF", "error", "text", "comment", "{{", "}}", "space"
BOOL, CHAR, CHAR_CONSTANT, COMPLEX, ASSIGN, DECLARE, FIELD, IDENTIFIER = (
    "bool", "char", "charconst", "complex", "=", ":=", "field", "identifier")
LEFT_PAREN, RIGHT_PAREN, NUMBER, PIPE, RAW_STRING, STRING, VARIABLE = (
    "(", ")", "number", "|", "rawstring", "string", "variable")
# keywords (printed as <word> in errors)
KEYWORDS = {"block", "break", "continue", ".", "define", "else", "end", "if", "nil", "range", "template", "with"}
DOT = "."

_SPACE_CHARS = " \t\r\n"


@dataclass(slots=True)
class Item:
    typ: str
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ in KEYWORDS and self.typ == self.val:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def _is_space(ch: str) -> bool:
    return ch in _SPACE_CHARS and ch != ""


def _is_alnum(ch: str) -> bool:
    if ch == "":
        return False
    return ch == "_" or ch.isalpha() or unicodedata.category(ch) == "Nd"


class Lexer:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.items: list[Item] = []
        self.paren_depth = 0
        self.done = False

    # The lexer runs to completion up front; an error item ends the stream.
    def run(self) -> list[Item]:
        state = self.lex_text
        while state is not None:
            state = state()
        return self.items

    def emit(self, typ: str):
        val = self.text[self.start : self.pos]
        self.items.append(Item(typ, self.start, val, self.start_line))
        self.start = self.pos
        self.start_line = self.line

    def ignore(self):
        self.line += self.text.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def errorf(self, message: str):
        self.items.append(Item(ERROR, self.start, message, self.start_line))
        return None

    def next(self) -> str:
        if self.pos >= len(self.text):
            self.pos += 1  # remember we read EOF so backup works
            return ""
        ch = self.text[self.pos]
        self.pos += 1
        if ch == "\n":
            self.line += 1
        return ch

    def backup(self):
        self.pos -= 1
        if self.pos < len(self.text) and self.text[self.pos] == "\n":
            self.line -= 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def accept(self, valid: str) -> bool:
        ch = self.next()
        if ch != "" and ch in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str):
        while True:
            ch = self.next()
            if ch == "" or ch not in valid:
                self.backup()
                return

    def lex_text(self):
        index = self.text.find("{{", self.pos)
        if index >= 0:
            trim = 0
            after = self.text[index + 2 : index + 4]
            if len(after) == 2 and after[0] == "-" and _is_space(after[1]):
                segment = self.text[self.start : index]
                trim = len(segment) - len(segment.rstrip(_SPACE_CHARS))
            self.pos = index - trim
            if self.pos > self.start:
                self.line += self.text.count("\n", self.start, self.pos)
                self.emit(TEXT)
            self.pos = index
            self.ignore()
            return self.lex_left_delim
        self.pos = len(self.text)
        if self.pos > self.start:
            self.line += self.text.count("\n", self.start, self.pos)
            self.emit(TEXT)
        self.emit(EOF)
        return None

    def _has_left_trim(self, at: int) -> bool:
        return self.text[at : at + 1] == "-" and _is_space(self.text[at + 1 : at + 2])

    def at_right_delim(self) -> tuple[bool, bool]:
        if self.text.startswith("}}", self.pos):
            return True, False
        if (
            _is_space(self.text[self.pos : self.pos + 1])
            and self.text[self.pos + 1 : self.pos + 2] == "-"
            and self.text.startswith("}}", self.pos + 2)
        ):
            return True, True
        return False, False

    def lex_left_delim(self):
        self.pos += 2
        trim = self._has_left_trim(self.pos)
        after = 2 if trim else 0
        if self.text.startswith("/*", self.pos + after):
            self.pos += after
            self.ignore()
            return self.lex_comment
        self.emit(LEFT_DELIM)
        self.pos += after
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self):
        self.pos += 2
        index = self.text.find("*/", self.pos)
        if index < 0:
            return self.errorf("unclosed comment")
        self.pos = index + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.errorf("comment ends before closing delimiter")
        self.line += self.text.count("\n", self.start, self.pos)
        self.emit(COMMENT)
        if trim:
            self.pos += 2
        self.pos += 2
        if trim:
            rest = self.text[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(_SPACE_CHARS))
        self.ignore()
        return self.lex_text

    def lex_right_delim(self):
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += 2
        self.emit(RIGHT_DELIM)
        if trim:
            rest = self.text[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(_SPACE_CHARS))
            self.ignore()
        return self.lex_text

    def lex_inside_action(self):
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.errorf("unclosed left paren")
        ch = self.next()
        if ch == "":
            return self.errorf("unclosed action")
        if _is_space(ch):
            self.backup()
            return self.lex_space
        if ch == "=":
            self.emit(ASSIGN)
        elif ch == ":":
            if self.next() != "=":
                return self.errorf("expected :=")
            self.emit(DECLARE)
        elif ch == "|":
            self.emit(PIPE)
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == "." and self.peek() != "" and not ("0" <= self.peek() <= "9"):
            return self.lex_field
        elif ch == "." or ch in "+-" or ("0" <= ch <= "9"):
            self.backup()
            return self.lex_number
        elif _is_alnum(ch):
            self.backup()
            return self.lex_identifier
        elif ch == "(":
            self.emit(LEFT_PAREN)
            self.paren_depth += 1
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf("unexpected right paren")
            self.emit(RIGHT_PAREN)
        elif ord(ch) <= 0x7F and is_go_printable(ch):
            self.emit(CHAR)
        else:
            return self.errorf(f"unrecognized character in action: {go_rune_repr(ch)}")
        return self.lex_inside_action

    def lex_space(self):
        spaces = 0
        while _is_space(self.peek()):
            self.next()
            spaces += 1
        # A space followed by "-}}" is a trim marker; leave it for the right delimiter.
        if self.text[self.pos : self.pos + 1] == "-" and self.text.startswith("}}", self.pos + 1):
            self.backup()
            if spaces == 1:
                return self.lex_right_delim
        self.emit(SPACE)
        return self.lex_inside_action

    def lex_identifier(self):
        while True:
            ch = self.next()
            if _is_alnum(ch):
                continue
            self.backup()
            word = self.text[self.start : self.pos]
            if not self.at_terminator():
                return self.errorf(f"bad character {go_rune_repr(ch)}")
            if word in KEYWORDS and word != ".":
                self.emit(word)
            elif word in ("true", "false"):
                self.emit(BOOL)
            else:
                self.emit(IDENTIFIER)
            return self.lex_inside_action

    def lex_field(self):
        return self.lex_field_or_variable(FIELD)

    def lex_variable(self):
        if self.at_terminator():
            self.emit(VARIABLE)
            return self.lex_inside_action
        return self.lex_field_or_variable(VARIABLE)

    def lex_field_or_variable(self, typ: str):
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return self.lex_inside_action
        while True:
            ch = self.next()
            if not _is_alnum(ch):
                self.backup()
                break
        if not self.at_terminator():
            return self.errorf(f"bad character {go_rune_repr(ch)}")
        self.emit(typ)
        return self.lex_inside_action

    def at_terminator(self) -> bool:
        ch = self.peek()
        if ch == "" or _is_space(ch):
            return True
        return ch in ".,|:)(" or self.text.startswith("}}", self.pos)

    def lex_char(self):
        return self.lex_escaped_until("'", CHAR_CONSTANT, "unterminated character constant")

    def lex_number(self):
        if not self.scan_number():
            return self.errorf(f"bad number syntax: {go_quote(self.text[self.start:self.pos])}")
        if self.peek() in ("+", "-") and self.peek() != "":
            if not self.scan_number() or self.text[self.pos - 1] != "i":
                return self.errorf(f"bad number syntax: {go_quote(self.text[self.start:self.pos])}")
            self.emit(COMPLEX)
        else:
            self.emit(NUMBER)
        return self.lex_inside_action

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 10 + 1 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 16 + 6 + 1 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if _is_alnum(self.peek()):
            self.next()
            return False
        return True

    def lex_quote(self):
        return self.lex_escaped_until('"', STRING, "unterminated quoted string")

    def lex_escaped_until(self, closing: str, token: str, unterminated: str):
        """A quoted item with backslash escapes on one line: a character constant or a string."""
        while True:
            ch = self.next()
            if ch == "\\":
                ch2 = self.next()
                if ch2 not in ("", "\n"):
                    continue
                return self.errorf(unterminated)
            if ch in ("", "\n"):
                return self.errorf(unterminated)
            if ch == closing:
                break
        self.emit(token)
        return self.lex_inside_action

    def lex_raw_quote(self):
        while True:
            ch = self.next()
            if ch == "":
                return self.errorf("unterminated raw quoted string")
            if ch == "`":
                break
        self.emit(RAW_STRING)
        return self.lex_inside_action


def go_rune_repr(ch: str) -> str:
    """fmt's %#U of a rune, as the lexer's errors print it: U+002D '-'."""
    if ch == "":
        return "U+FFFFFFFF"  # EOF rune (-1) never reaches here in practice
    return sprintf("%#U", [GV(INT32, ord(ch))])


# --- nodes -----------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    pos: int

    def tree_name(self):  # overridden via attribute
        return None


@dataclass(eq=False)
class TextNode(Node):
    text: str

    def __str__(self):
        return go_quote(self.text)


@dataclass(eq=False)
class CommentNode(Node):
    text: str

    def __str__(self):
        return "{{" + self.text + "}}"


@dataclass(eq=False)
class ListNode(Node):
    nodes: list = field(default_factory=list)

    def __str__(self):
        return "".join(str(n) for n in self.nodes)


@dataclass(eq=False)
class IdentifierNode(Node):
    ident: str

    def __str__(self):
        return self.ident


@dataclass(eq=False)
class VariableNode(Node):
    ident: list

    def __str__(self):
        return ".".join(self.ident)


@dataclass(eq=False)
class DotNode(Node):
    def __str__(self):
        return "."


@dataclass(eq=False)
class NilNode(Node):
    def __str__(self):
        return "nil"


@dataclass(eq=False)
class FieldNode(Node):
    ident: list

    def __str__(self):
        return "".join("." + name for name in self.ident)


@dataclass(eq=False)
class ChainNode(Node):
    node: Node
    fields: list = field(default_factory=list)

    def __str__(self):
        inner = str(self.node)
        if isinstance(self.node, PipeNode):
            inner = "(" + inner + ")"
        return inner + "".join("." + f for f in self.fields)


@dataclass(eq=False)
class BoolNode(Node):
    value: bool

    def __str__(self):
        return "true" if self.value else "false"


@dataclass(eq=False)
class NumberNode(Node):
    text: str
    is_int: bool = False
    is_uint: bool = False
    is_float: bool = False
    is_complex: bool = False
    int64: int = 0
    uint64: int = 0
    float64: float = 0.0
    complex128: complex = 0j

    def __str__(self):
        return self.text


@dataclass(eq=False)
class StringNode(Node):
    quoted: str
    text: str

    def __str__(self):
        return self.quoted


@dataclass(eq=False)
class CommandNode(Node):
    args: list = field(default_factory=list)

    def __str__(self):
        parts = []
        for arg in self.args:
            if isinstance(arg, PipeNode):
                parts.append("(" + str(arg) + ")")
            else:
                parts.append(str(arg))
        return " ".join(parts)


@dataclass(eq=False)
class PipeNode(Node):
    line: int = 1
    is_assign: bool = False
    decl: list = field(default_factory=list)
    cmds: list = field(default_factory=list)

    def __str__(self):
        text = ""
        if self.decl:
            text = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return text + " | ".join(str(c) for c in self.cmds)


@dataclass(eq=False)
class ActionNode(Node):
    line: int
    pipe: PipeNode

    def __str__(self):
        return "{{" + str(self.pipe) + "}}"


@dataclass(eq=False)
class BranchNode(Node):
    line: int
    pipe: PipeNode
    list: ListNode
    else_list: ListNode | None
    keyword: str = ""

    def __str__(self):
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            text += "{{else}}" + str(self.else_list)
        return text + "{{end}}"


class IfNode(BranchNode):
    pass


class RangeNode(BranchNode):
    pass


class WithNode(BranchNode):
    pass


@dataclass(eq=False)
class BreakNode(Node):
    line: int = 1

    def __str__(self):
        return "{{break}}"


@dataclass(eq=False)
class ContinueNode(Node):
    line: int = 1

    def __str__(self):
        return "{{continue}}"


@dataclass(eq=False)
class TemplateNode(Node):
    line: int
    name: str
    pipe: PipeNode | None

    def __str__(self):
        if self.pipe is None:
            return "{{template " + go_quote(self.name) + "}}"
        return "{{template " + go_quote(self.name) + " " + str(self.pipe) + "}}"


@dataclass(eq=False)
class EndNode(Node):
    def __str__(self):
        return "{{end}}"


@dataclass(eq=False)
class ElseNode(Node):
    line: int = 1

    def __str__(self):
        return "{{else}}"


# --- numbers ---------------------------------------------------------------------------------


def _float_or_none(text: str) -> float | None:
    """strconv.ParseFloat(text, 64) where newNumber only asks whether it succeeds."""
    try:
        return parse_float(text)
    except GoNumError:
        return None


# --- parser ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Tree:
    name: str
    parse_name: str
    text: str
    root: ListNode | None = None


class Parser:
    def __init__(self, name: str, text: str, funcs: set[str], tree_set: dict):
        self.name = name
        self.parse_name = name
        self.text = text
        self.funcs = funcs
        self.tree_set = tree_set
        self.items = Lexer(text).run()
        self.index = 0
        self.last_line = 1
        self.vars = ["$"]
        self.range_depth = 0
        self.action_line = 0

    # token stream
    def next(self) -> Item:
        item = self.items[self.index] if self.index < len(self.items) else self.items[-1]
        self.index += 1
        if self.index > self._high:
            self._high = self.index
            self.last_line = item.line
        return item

    _high = 0

    def backup(self, count: int = 1):
        self.index -= count

    def peek(self) -> Item:
        item = self.next()
        self.backup()
        return item

    def next_non_space(self) -> Item:
        while True:
            item = self.next()
            if item.typ != SPACE:
                return item

    def peek_non_space(self) -> Item:
        item = self.next_non_space()
        self.backup()
        return item

    def errorf(self, message: str) -> NoReturn:
        raise TemplateParseError(f"template: {self.parse_name}:{self.last_line}: {message}")

    def expect(self, typ: str, context: str) -> Item:
        token = self.next_non_space()
        if token.typ != typ:
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Item, context: str) -> NoReturn:
        if token.typ == ERROR:
            extra = ""
            if self.action_line and self.action_line != token.line:
                extra = f" in action started at {self.parse_name}:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action") :]
            self.errorf(f"{token}{extra}")
        self.errorf(f"unexpected {token} in {context}")

    # grammar
    def parse(self) -> ListNode:
        root = ListNode(self.peek().pos)
        while self.peek().typ != EOF:
            if self.peek().typ == LEFT_DELIM:
                before_delim = self.index
                self.next()
                if self.next_non_space().typ == "define":
                    self.parse_definition()
                    continue
                self.index = before_delim
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                self.errorf(f"unexpected {node}")
            root.nodes.append(node)
        return root

    def add_tree(self, name: str, root: ListNode):
        existing = self.tree_set.get(name)
        if existing is None or is_empty_tree(existing.root):
            self.tree_set[name] = Tree(name, self.parse_name, self.text, root)
            return
        if not is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {go_quote(name)}")

    def parse_definition(self):
        context = "define clause"
        token = self.next_non_space()
        if token.typ not in (STRING, RAW_STRING):
            self.unexpected(token, context)
        name = go_unquote(token.val)
        if name is None:
            self.errorf("invalid syntax")
        self.expect(RIGHT_DELIM, context)
        saved_vars = self.vars
        self.vars = ["$"]
        root, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.vars = saved_vars
        self.add_tree(name, root)

    def item_list(self):
        node_list = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != EOF:
            node = self.text_or_action()
            if isinstance(node, (EndNode, ElseNode)):
                return node_list, node
            node_list.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self):
        token = self.next_non_space()
        if token.typ == TEXT:
            return TextNode(token.pos, token.val)
        if token.typ == LEFT_DELIM:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        if token.typ == COMMENT:
            return CommentNode(token.pos, token.val)
        self.unexpected(token, "input")

    def action(self):
        token = self.next_non_space()
        typ = token.typ
        if typ == "block":
            return self.block_control()
        if typ == "break":
            return self.break_control(token, "break")
        if typ == "continue":
            return self.break_control(token, "continue")
        if typ == "else":
            return self.else_control()
        if typ == "end":
            return EndNode(self.expect(RIGHT_DELIM, "end").pos)
        if typ == "if":
            return self.branch_control(IfNode, "if")
        if typ == "range":
            return self.branch_control(RangeNode, "range")
        if typ == "template":
            return self.template_control()
        if typ == "with":
            return self.branch_control(WithNode, "with")
        self.backup()
        token = self.peek()
        return ActionNode(token.pos, token.line, self.pipeline("command", RIGHT_DELIM))

    def break_control(self, token: Item, word: str):
        following = self.next_non_space()
        if following.typ != RIGHT_DELIM:
            self.unexpected(following, "{{" + word + "}}")
        if self.range_depth == 0:
            self.errorf("{{" + word + "}} outside {{range}}")
        return (BreakNode if word == "break" else ContinueNode)(token.pos, token.line)

    def else_control(self):
        peek = self.peek_non_space()
        if peek.typ in ("if", "with"):
            return ElseNode(peek.pos, peek.line)
        token = self.expect(RIGHT_DELIM, "else")
        return ElseNode(token.pos, token.line)

    def branch_control(self, cls, context: str):
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list = None
            if isinstance(nxt, ElseNode):
                if context == "if" and self.peek().typ == "if":
                    self.next()
                    else_list = ListNode(nxt.pos, [self.branch_control(IfNode, "if")])
                elif context == "with" and self.peek().typ == "with":
                    self.next()
                    else_list = ListNode(nxt.pos, [self.branch_control(WithNode, "with")])
                else:
                    else_list, nxt = self.item_list()
                    if not isinstance(nxt, EndNode):
                        self.errorf(f"expected end; found {nxt}")
            return cls(pipe.pos, pipe.line, pipe, body, else_list, context)
        finally:
            del self.vars[mark:]

    def parse_template_name(self, token: Item, context: str) -> str:
        if token.typ in (STRING, RAW_STRING):
            name = go_unquote(token.val)
            if name is None:
                self.errorf("invalid syntax")
            return name
        self.unexpected(token, context)

    def template_control(self):
        context = "template clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = None
        if self.next_non_space().typ != RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, RIGHT_DELIM)
        return TemplateNode(token.pos, token.line, name, pipe)

    def block_control(self):
        context = "block clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = self.pipeline(context, RIGHT_DELIM)
        saved_vars, saved_depth = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        root, end = self.item_list()
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.vars, self.range_depth = saved_vars, saved_depth
        self.add_tree(name, root)
        return TemplateNode(token.pos, token.line, name, pipe)

    def pipeline(self, context: str, end: str) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, token.line)
        while True:  # declarations
            v = self.peek_non_space()
            if v.typ != VARIABLE:
                break
            self.next_non_space()
            at_variable = self.index - 1
            following = self.peek_non_space()
            if following.typ in (ASSIGN, DECLARE):
                pipe.is_assign = following.typ == ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val.split(".")))
                self.vars.append(v.val)
            elif following.typ == CHAR and following.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val.split(".")))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (VARIABLE, RIGHT_DELIM, RIGHT_PAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            else:
                self.index = at_variable
            break
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in (BOOL, CHAR_CONSTANT, COMPLEX, DOT, FIELD, IDENTIFIER, NUMBER, "nil",
                             RAW_STRING, STRING, VARIABLE, LEFT_PAREN):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(token, context)

    def check_pipeline(self, pipe: PipeNode, context: str):
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for index, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {index + 2}")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == SPACE:
                continue
            if token.typ in (RIGHT_DELIM, RIGHT_PAREN):
                self.backup()
            elif token.typ == PIPE:
                pass
            else:
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self):
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == FIELD:
            chain = ChainNode(self.peek().pos, node)
            while self.peek().typ == FIELD:
                chain.fields.append(self.next().val[1:])
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, VariableNode):
                return VariableNode(chain.pos, node.ident + chain.fields)
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self):
        token = self.next_non_space()
        typ = token.typ
        if typ == IDENTIFIER:
            if token.val not in self.funcs:
                self.errorf(f"function {go_quote(token.val)} not defined")
            return IdentifierNode(token.pos, token.val)
        if typ == DOT:
            return DotNode(token.pos)
        if typ == "nil":
            return NilNode(token.pos)
        if typ == VARIABLE:
            node = VariableNode(token.pos, token.val.split("."))
            if node.ident[0] not in self.vars:
                self.errorf(f"undefined variable {go_quote(node.ident[0])}")
            return node
        if typ == FIELD:
            return FieldNode(token.pos, token.val[1:].split("."))
        if typ == BOOL:
            return BoolNode(token.pos, token.val == "true")
        if typ in (CHAR_CONSTANT, COMPLEX, NUMBER):
            return self.number(token)
        if typ == LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", RIGHT_PAREN)
        if typ in (STRING, RAW_STRING):
            text = go_unquote(token.val)
            if text is None:
                self.errorf("invalid syntax")
            return StringNode(token.pos, token.val, text)
        self.backup()
        return None

    def number(self, token: Item) -> NumberNode:
        text = token.val
        node = NumberNode(token.pos, text)
        if token.typ == CHAR_CONSTANT:
            parsed = unquote_char(text[1:])
            if parsed is None:
                self.errorf("invalid syntax")
            code, tail = parsed
            if tail != "'":
                self.errorf(f"malformed character constant: {text}")
            node.is_int = node.is_uint = node.is_float = True
            node.int64 = node.uint64 = code
            node.float64 = float(code)
            return node
        if token.typ == COMPLEX:
            # fmt.Sscan reads the pair: two floats, the second ending in i
            sign_at = max(text.rfind("+", 1), text.rfind("-", 1))
            real = _float_or_none(text[:sign_at]) if sign_at > 0 else None
            imag = _float_or_none(text[sign_at:-1]) if sign_at > 0 else None
            if real is None or imag is None:
                self.errorf("expected integer")
            node.is_complex = True
            node.complex128 = complex(real, imag)
            self._simplify_complex(node)
            return node
        if text.endswith("i"):  # imaginary constants can only be complex unless they are zero
            imag = _float_or_none(text[:-1])
            if imag is not None:
                node.is_complex = True
                node.complex128 = complex(0, imag)
                self._simplify_complex(node)
                return node
        # integers first, so that 0x123 is one
        unsigned = None
        try:
            unsigned = parse_uint(text, 0)  # fails for -0, fixed below
            node.is_uint, node.uint64 = True, unsigned
        except GoNumError:
            pass
        try:
            node.int64 = parse_int(text, 0)
            node.is_int = True
            if node.int64 == 0:
                node.is_uint, node.uint64 = True, unsigned or 0
        except GoNumError:
            pass
        if node.is_int:
            node.is_float, node.float64 = True, float(node.int64)
        elif node.is_uint:
            node.is_float, node.float64 = True, float(node.uint64)
        else:
            f = _float_or_none(text)
            if f is not None:
                if not any(c in text for c in ".eEpP"):
                    self.errorf(f"integer overflow: {go_quote(text)}")  # too large for an int
                node.is_float, node.float64 = True, f
                if float(float_to_int64(f)) == f:
                    node.is_int, node.int64 = True, float_to_int64(f)
                if float(float_to_uint64(f)) == f:
                    node.is_uint, node.uint64 = True, float_to_uint64(f)
        if not (node.is_int or node.is_uint or node.is_float):
            self.errorf(f"illegal number syntax: {go_quote(text)}")
        return node

    @staticmethod
    def _simplify_complex(node: NumberNode):
        if node.complex128.imag == 0:
            node.is_float = True
            node.float64 = node.complex128.real
            f = node.float64
            if float(float_to_int64(f)) == f:
                node.is_int, node.int64 = True, float_to_int64(f)
            if float(float_to_uint64(f)) == f:
                node.is_uint, node.uint64 = True, float_to_uint64(f)


def is_empty_tree(node) -> bool:
    if node is None:
        return True
    if isinstance(node, ListNode):
        return all(is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return node.text.strip() == ""
    if isinstance(node, CommentNode):
        return True
    return False


def parse_template(name: str, text: str, funcs: set[str]) -> dict[str, Tree]:
    """Parse `text` as template `name`: all trees it defines, keyed by name (Go's treeSet)."""
    tree_set: dict[str, Tree] = {}
    parser = Parser(name, text, funcs, tree_set)
    for item in parser.items:
        if item.typ == ERROR:
            break
    try:
        root = parser.parse()
    except RecursionError:
        # Go's parser recurses on a stack that grows to 1 GB; Python's stops after some hundred
        # nested actions ({{if}} in {{if}} ...)
        parser.errorf("actions nested too deeply for tickpy's template parser")
    parser.add_tree(name, root)
    return tree_set

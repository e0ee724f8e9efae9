"""TICKscript's lexer: the same tokens, at the same places, as Kapacitor's (tick/ast/lex.go).

Kapacitor's lexer is a small state machine with two states that matter here:

- *token* state, at the start of an operand: `-`/`!` are unary operators, `/` starts a regex
  (or a `//` comment), `*` is a star, and `+ < > = %` are errors;
- *operator* state, right after an identifier, keyword, number, duration, string, reference
  or `)`: whitespace is skipped and `+ - * / % ! < > = == != <= >= =~ !~` are operators
  (`=` is an assignment); after `=`, `=~` and `!~` a `/` starts a regex.

Comments (`//` to the end of the line, consecutive comment lines form one token, a blank
line starts a new one) do not reach the parser: they are attached to the next token, which
is where Kapacitor's parser picks them up.

A lexing failure stops the lexer; `LexResult.error` says what and where (the start of the token
being read, as Kapacitor says). The parser sees it as an `ERROR` token after the last good
token and reports it only if it gets that far, like Kapacitor's parser.

Literal values are checked here too (octal `08`, int64 overflow, duration overflow, bad
regex) but such an error is only raised once the parser has accepted the literal: see
`tickpy.syntax.parser`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Protocol, cast

from tickpy.golang.goformat import (
    GoRangeError,
    GoSyntaxError,
    go_quote,
    is_go_digit,
    is_go_letter,
    parse_float,
    parse_int,
    quote_rune,
)
from tickpy.golang.goregexp import compile_error
from tickpy.golang.gotime import DurationOverflowError, parse_influx_duration
from tickpy.syntax import ast

# Kapacitor's token names, as its messages print them (TokenType.String()).
KAPACITOR_NAMES = {
    "VAR": "var",
    "DBRP": "dbrp",
    "ASGN": "=",
    "DOT": ".",
    "PIPE": "|",
    "AT": "@",
    "IDENT": "identifier",
    "REFERENCE": "reference",
    "LAMBDA": "lambda",
    "NUMBER": "number",
    "STRING": "string",
    "DURATION": "duration",
    "LPAREN": "(",
    "RPAREN": ")",
    "LSBRACKET": "[",
    "RSBRACKET": "]",
    "COMMA": ",",
    "NOT": "!",
    "TRUE": "TRUE",
    "FALSE": "FALSE",
    "REGEX": "regex",
    "STAR": "*",
    "PLUS": "+",
    "MINUS": "-",
    "MULT": "*",
    "DIV": "/",
    "MOD": "%",
    "AND": "AND",
    "OR": "OR",
    "EQ": "==",
    "NE": "!=",
    "LT": "<",
    "GT": ">",
    "LE": "<=",
    "GE": ">=",
    "REQ": "=~",
    "RNE": "!~",
    "$END": "EOF",
}

KEYWORDS = {"AND": "AND", "OR": "OR", "TRUE": "TRUE", "FALSE": "FALSE", "var": "VAR", "dbrp": "DBRP"}


class _MatchesEverywhere(Protocol):
    """A pattern that matches (maybe empty) at any position, so its match is never None."""

    def match(self, string: str, pos: int = ...) -> re.Match[str]: ...


# Go's unicode.IsSpace.
_SPACE_CHARS = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# Each is `[...]*`, which matches at any position; the casts record that for the type checker.
_SPACES = cast(_MatchesEverywhere, re.compile("[" + re.escape(_SPACE_CHARS) + "]*"))
_SPACES_NO_NEWLINE = cast(_MatchesEverywhere, re.compile("[" + re.escape(_SPACE_CHARS.replace("\n", "")) + "]*"))
_ASCII_IDENT_TAIL = cast(_MatchesEverywhere, re.compile(r"[A-Za-z0-9_]*"))
_REFERENCE = re.compile(r'(?:\\"|[^"])*+"')
_SINGLE_STRING_BODY = re.compile(r"(?:\\'|[^'])*+'")
_REGEX_BODY = re.compile(r"(?:\\/|[^/])*+/")

_DURATION_UNITS = "uµsmhdw"


class Tok:
    """A token as the LALR driver and the AST builder use it.

    `start_pos`/`offset_end` are character offsets, `line`/`column` Kapacitor's line and byte
    column; `comment` is the comment written before the token; `literal` is the checked value
    of a literal token, or a LiteralProblem."""

    __slots__ = ("type", "value", "start_pos", "line", "column", "comment", "offset_end", "literal")

    def __init__(self, type_: str, value: str, start_pos: int, line: int, column: int, offset_end: int):
        self.type = type_
        self.value = value
        self.start_pos = start_pos
        self.line = line
        self.column = column
        self.offset_end = offset_end
        self.comment: ast.Comment | None = None
        # A number's int or float, a duration's nanoseconds, or a LiteralProblem.
        self.literal: int | float | LiteralProblem | None = None

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, {self.line}:{self.column})"


@dataclass(slots=True)
class LiteralProblem:
    """A literal Kapacitor rejects once its parser takes it (its message has no position)."""

    message: str  # Kapacitor's text after "parser: "
    plain: str  # our wording


@dataclass(slots=True)
class LexError:
    message: str  # Kapacitor's lexer message, e.g. "unterminated string"
    offset: int  # character offset of the token being read


def utf8_len(text: str) -> int:
    """Bytes of `text` in UTF-8; undecodable input bytes (surrogate escapes) count one each."""
    try:
        return len(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return len(text.encode("utf-8", "surrogatepass"))


class SourceMap:
    """Line and byte-column of character offsets, as Kapacitor counts them."""

    def __init__(self, source: str):
        self.source = source
        self.newlines = [m.start() for m in re.finditer("\n", source)]
        self.ascii = source.isascii()

    def line_col(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(self.newlines, offset)
        line_start = self.newlines[index - 1] + 1 if index else 0
        if self.ascii:
            return index + 1, offset - line_start + 1
        return index + 1, utf8_len(self.source[line_start:offset]) + 1

    def span(self, start: int, end: int) -> ast.Span:
        line, col = self.line_col(start)
        end_line, end_col = self.line_col(end)
        return ast.Span(line, col, end_line, end_col, start, end)

    def byte_offset(self, offset: int) -> int:
        if self.ascii:
            return offset
        return utf8_len(self.source[:offset])


@dataclass(slots=True)
class LexResult:
    tokens: list[Tok]
    error: LexError | None
    eof_comment: ast.Comment | None  # comments before the end of the input
    source_map: SourceMap


class _Lexer:
    def __init__(self, source: str):
        self.src = source
        self.n = len(source)
        self.map = SourceMap(source)
        self.tokens: list[Tok] = []
        self.pending_comments: list[tuple[int, str]] = []
        self.error: LexError | None = None
        # Tokens come in source order, so the line is tracked by walking the newline list.
        self.newlines = self.map.newlines
        self.newline_count = len(self.newlines)
        self.line_index = 0  # newlines before the current token
        self.line_start = 0

    # ---------------------------------------------------------------- emitting

    def emit(self, type_: str, start: int, end: int) -> Tok:
        index = self.line_index
        if index < self.newline_count and self.newlines[index] < start:
            newlines = self.newlines
            while index < self.newline_count and newlines[index] < start:
                index += 1
            self.line_index = index
            self.line_start = newlines[index - 1] + 1
        if self.map.ascii:
            col = start - self.line_start + 1
        else:
            col = utf8_len(self.src[self.line_start : start]) + 1
        tok = Tok(type_, self.src[start:end], start, index + 1, col, end)
        if self.pending_comments:
            tok.comment = self.make_comment()
        self.tokens.append(tok)
        return tok

    def make_comment(self) -> ast.Comment:
        blocks = self.pending_comments
        self.pending_comments = []
        raw_lines: list[str] = []
        kapacitor_lines: list[str] = []
        for i, (_, text) in enumerate(blocks):
            if i:
                kapacitor_lines.append("\n")
            for piece in text.split("\n"):
                stripped = piece.strip(_SPACE_CHARS)
                if not stripped:
                    continue
                after = stripped[2:] if stripped.startswith("//") else stripped
                raw_lines.append(after)
                kapacitor_lines.append(after[1:] if after.startswith(" ") else after)
        start = blocks[0][0]
        last_start, last_text = blocks[-1]
        end = last_start + len(last_text.rstrip(_SPACE_CHARS))
        comment = ast.Comment(self.map.span(start, end), raw_lines)
        comment.kapacitor_lines = kapacitor_lines
        return comment

    def fail(self, message: str, start: int) -> None:
        self.error = LexError(message, start)

    # ---------------------------------------------------------------- states

    def run(self) -> LexResult:
        src, n = self.src, self.n
        pos = 0
        operator_state = False
        while True:
            if operator_state:
                operator_state = False
                pos = _SPACES.match(src, pos).end()
                if pos >= n:
                    continue
                c = src[pos]
                nxt = src[pos + 1] if pos + 1 < n else ""
                if c in "+-*%":
                    self.emit({"+": "PLUS", "-": "MINUS", "*": "MULT", "%": "MOD"}[c], pos, pos + 1)
                    pos += 1
                elif c == "/":
                    if nxt == "/":
                        pos = self.comment(pos)
                    else:
                        self.emit("DIV", pos, pos + 1)
                        pos += 1
                elif c == "!":
                    if nxt in ("=", "~") and nxt:
                        self.emit("NE" if nxt == "=" else "RNE", pos, pos + 2)
                        pos += 2
                        if nxt == "~":
                            pos = self.maybe_regex(pos)
                            if pos < 0:
                                break
                    else:
                        self.emit("NOT", pos, pos + 1)
                        pos += 1
                elif c in "<>":
                    if nxt == "=":
                        self.emit("LE" if c == "<" else "GE", pos, pos + 2)
                        pos += 2
                    else:
                        self.emit("LT" if c == "<" else "GT", pos, pos + 1)
                        pos += 1
                elif c == "=":
                    if nxt == "~" or nxt == "=":
                        self.emit("REQ" if nxt == "~" else "EQ", pos, pos + 2)
                        pos += 2
                        if nxt == "~":
                            pos = self.maybe_regex(pos)
                    else:
                        self.emit("ASGN", pos, pos + 1)
                        pos = self.maybe_regex(pos + 1)
                    if pos < 0:
                        break
                continue

            # token state
            if pos >= n:
                break
            c = src[pos]
            if c == "-":
                self.emit("MINUS", pos, pos + 1)
                pos += 1
            elif c == "!":
                self.emit("NOT", pos, pos + 1)
                pos += 1
            elif c == "." or is_go_digit(c):
                pos, operator_state = self.number_duration_or_dot(pos)
                if pos < 0:
                    break
            elif is_go_letter(c):
                pos = self.ident_or_keyword(pos)
                operator_state = True
            elif c == '"':
                m = _REFERENCE.match(src, pos + 1)
                if not m:
                    self.fail("unterminated field reference", pos)
                    break
                self.emit("REFERENCE", pos, m.end())
                pos = m.end()
                operator_state = True
            elif c == "'":
                end = self.string(pos)
                if end < 0:
                    self.fail("unterminated string", pos)
                    break
                self.emit("STRING", pos, end)
                pos = end
                operator_state = True
            elif c in _SPACE_CHARS:
                pos = _SPACES.match(src, pos).end()
            elif c == "(":
                self.emit("LPAREN", pos, pos + 1)
                pos += 1
            elif c == ")":
                self.emit("RPAREN", pos, pos + 1)
                pos += 1
                operator_state = True
            elif c in "[]|@,*":
                self.emit(_SINGLE[c], pos, pos + 1)
                pos += 1
            elif c == "/":
                if pos + 1 < n and src[pos + 1] == "/":
                    pos = self.comment(pos)
                else:
                    pos = self.regex(pos)
                    if pos < 0:
                        break
            else:
                self.fail(f"unknown state, last char: {quote_rune(ord(c))}", pos)
                break

        eof_comment = self.make_comment() if self.pending_comments and self.error is None else None
        return LexResult(self.tokens, self.error, eof_comment, self.map)

    def maybe_regex(self, pos: int) -> int:
        """After `=`, `=~`, `!~`: skip blanks; a `/` there starts a regex."""
        pos = _SPACES.match(self.src, pos).end()
        if pos < self.n and self.src[pos] == "/":
            return self.regex(pos)
        return pos

    def regex(self, pos: int) -> int:
        m = _REGEX_BODY.match(self.src, pos + 1)
        if not m:
            self.fail("unterminated regex", pos)
            return -1
        tok = self.emit("REGEX", pos, m.end())
        tok.literal = check_regex(tok.value[1:-1].replace("\\/", "/"))
        return m.end()

    def comment(self, pos: int) -> int:
        src, n = self.src, self.n
        start = pos
        while True:
            newline = src.find("\n", pos)
            if newline < 0:
                pos = n
                break
            pos = newline + 1
            after = _SPACES_NO_NEWLINE.match(src, pos).end()
            if after < n and src[after] == "/":
                # Kapacitor takes any line that starts with `/` as more comment.
                pos = after + 1
                continue
            pos = after  # the blanks are part of the token; the next character is not
            break
        self.pending_comments.append((start, src[start:pos]))
        return pos

    def ident_or_keyword(self, pos: int) -> int:
        src, n = self.src, self.n
        end = _ASCII_IDENT_TAIL.match(src, pos + 1).end()
        while end < n and not src[end].isascii() and (src[end].isalpha() or src[end].isdecimal()):
            end = _ASCII_IDENT_TAIL.match(src, end + 1).end()
        word = src[pos:end]
        kind = KEYWORDS.get(word)
        if kind is not None:
            self.emit(kind, pos, end)
        elif word == "lambda" and end < n and src[end] == ":":
            end += 1
            self.emit("LAMBDA", pos, end)
        else:
            self.emit("IDENT", pos, end)
        return end

    def number_duration_or_dot(self, pos: int) -> tuple[int, bool]:
        src, n = self.src, self.n
        start = pos
        found_decimal = False
        first = True
        while True:
            c = src[pos] if pos < n else ""
            if c == ".":
                nxt = src[pos + 1] if pos + 1 < n else ""
                if first and not (nxt and nxt.isdecimal()):
                    self.emit("DOT", start, pos + 1)
                    return pos + 1, False
                if found_decimal:
                    self.fail("multiple decimals in number", start)
                    return -1, False
                found_decimal = True
                pos += 1
            elif c and c.isdecimal():
                pos += 1
            elif c and not found_decimal and c in _DURATION_UNITS:
                pos += 1
                if c == "m" and pos < n and src[pos] == "s":
                    pos += 1
                tok = self.emit("DURATION", start, pos)
                tok.literal = check_duration(tok.value)
                return pos, True
            else:
                tok = self.emit("NUMBER", start, pos)
                tok.literal = check_number(tok.value)
                return pos, True
            first = False

    def string(self, pos: int) -> int:
        """End offset of the string starting at `pos`, or -1 when it is not terminated."""
        src = self.src
        if src.startswith("'''", pos):
            return self.triple_string(pos + 3)
        if src.startswith("''", pos):
            return pos + 2
        m = _SINGLE_STRING_BODY.match(src, pos + 1)
        return m.end() if m else -1

    def triple_string(self, pos: int) -> int:
        # Kapacitor counts down the closing quotes; any other character resets the count,
        # except a backslash seen after two quotes, which swallows a following quote.
        src, n = self.src, self.n
        count = 3
        while pos < n:
            c = src[pos]
            pos += 1
            if c == "\\" and count == 1:
                if pos < n and src[pos] == "'":
                    pos += 1
            elif c == "'":
                count -= 1
                if count == 0:
                    return pos
            else:
                count = 3
        return -1


_SINGLE = {"[": "LSBRACKET", "]": "RSBRACKET", "|": "PIPE", "@": "AT", ",": "COMMA", "*": "STAR"}

def _shown_literal(text: str) -> str:
    """A literal for our own messages: a very long one by its ends and length (the caret line
    shows where it is)."""
    return text if len(text) <= 40 else f"{text[:16]}...{text[-8:]} ({len(text)} characters)"


def check_number(text: str):
    """The value of a number literal (int or float), or a LiteralProblem: Kapacitor's newNumber,
    strconv.ParseFloat with a point, else strconv.ParseInt in base 8 after a leading 0."""
    shown = _shown_literal(text)
    if "." in text:
        try:
            return parse_float(text)
        except GoRangeError:
            plain = f"{shown} is too large for a 64-bit float (at most about 1.8e308)"
        except GoSyntaxError:
            plain = f"{shown} is not a valid number"
        return LiteralProblem(f"illegal number syntax: {go_quote(text)}", plain)
    base = 8 if text[0] == "0" and len(text) > 1 else 10
    try:
        return parse_int(text, base)
    except GoRangeError:
        plain = f"{shown} is too large for a 64-bit integer"
    except GoSyntaxError:
        if base == 8:
            plain = f"{shown} is not a valid number: a leading 0 makes it octal, which has no digits 8 or 9"
        else:
            plain = f"{shown} is not a valid number"
    return LiteralProblem(f"illegal number syntax: {go_quote(text)}", plain)


_INT64_DIGITS = re.compile(r"[1-9][0-9]{18,}")  # 19 significant digits or more: near or past int64


def check_duration(text: str):
    """Nanoseconds of a duration literal (influxql.ParseDuration), or a LiteralProblem."""
    try:
        return parse_influx_duration(text)
    except DurationOverflowError as error:
        return LiteralProblem(str(error), f"{_shown_literal(text)} is too long: a duration is at most about 292 years")
    except ValueError:
        if _INT64_DIGITS.search(text):
            return LiteralProblem("invalid duration",
                                  f"{_shown_literal(text)} is too long: a duration is at most about 292 years")
        return LiteralProblem("invalid duration", f"{_shown_literal(text)} is not a valid duration")


def lex(source: str) -> LexResult:
    return _Lexer(source).run()


def check_regex(pattern: str):
    """None when Go's regexp would compile `pattern`, else a LiteralProblem."""
    reason = compile_error(pattern)
    if reason is None:
        return None
    plain = "\\C is not supported" if reason == "invalid escape sequence: `\\C`" else reason
    return LiteralProblem(f"error parsing regexp: {reason}", f"invalid regular expression: {plain}")

"""A small reader of Go test files: tokens, string-literal expressions and table-driven test
cases, enough to lift TICKscripts and their expected answers out of Kapacitor's own tests.

Used by tools/mine_kapacitor_tests.py; it knows Go's lexical rules, not Go's semantics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Token:
    kind: str  # "str", "char", "ident", "num", "op"
    text: str  # the source text
    value: object  # decoded value for literals
    line: int
    end_line: int = 0  # the line the token ends on (raw strings span lines)

    def __post_init__(self):
        self.end_line = self.end_line or self.line + self.text.count("\n")


_OPS = sorted(
    "<<= >>= &^= ... && || <- ++ -- == != <= >= := += -= *= /= %= &= |= ^= << >> &^ "
    "+ - * / % & | ^ < > = ! ( ) [ ] { } , ; . : ~".split(),
    key=len,
    reverse=True,
)
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"'}


def _decode_interpreted(body: str) -> str:
    """The value of a Go interpreted string or rune body (escapes resolved; octal/hex bytes
    decoded as UTF-8 where they form it)."""
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[nxt].encode()
            i += 2
        elif nxt == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif nxt in "01234567":
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        elif nxt == "u":
            out += chr(int(body[i + 2 : i + 6], 16)).encode()
            i += 6
        elif nxt == "U":
            out += chr(int(body[i + 2 : i + 10], 16)).encode()
            i += 10
        else:
            raise ValueError(f"bad escape \\{nxt}")
    return out.decode("utf-8", "surrogateescape")


def tokenize(src: str) -> list[Token]:
    tokens: list[Token] = []
    i, line, n = 0, 1, len(src)
    while i < n:
        ch = src[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch in " \t\r":
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.index("*/", i + 2)
            line += src.count("\n", i, j)
            i = j + 2
        elif ch == "`":
            j = src.index("`", i + 1)
            raw = src[i + 1 : j]
            tokens.append(Token("str", src[i : j + 1], raw.replace("\r", ""), line))
            line += raw.count("\n")
            i = j + 1
        elif ch in "\"'":
            j = i + 1
            while src[j] != ch:
                j += 2 if src[j] == "\\" else 1
            body = src[i + 1 : j]
            kind = "str" if ch == '"' else "char"
            tokens.append(Token(kind, src[i : j + 1], _decode_interpreted(body), line))
            i = j + 1
        elif ch.isalpha() or ch == "_" or ord(ch) > 127:
            m = re.compile(r"[\w]+").match(src, i)
            tokens.append(Token("ident", m.group(), m.group(), line))
            i = m.end()
        elif ch.isdigit() or (ch == "." and i + 1 < n and src[i + 1].isdigit()):
            m = re.compile(r"0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9]+)?i?").match(src, i)
            tokens.append(Token("num", m.group(), m.group(), line))
            i = m.end()
        else:
            for op in _OPS:
                if src.startswith(op, i):
                    tokens.append(Token("op", op, op, line))
                    i += len(op)
                    break
            else:
                raise ValueError(f"unexpected character {ch!r} at line {line}")
    return tokens


@dataclass
class Function:
    name: str
    line: int
    tokens: list[Token]


def functions(tokens: list[Token]) -> list[Function]:
    """Top-level `func Name(...) {...}` bodies (methods included, named Receiver.Name)."""
    found: list[Function] = []
    i = 0
    depth = 0
    while i < len(tokens):
        tok = tokens[i]
        change = nesting_change(tok)
        if change:
            depth += change
        elif depth == 0 and tok.kind == "ident" and tok.text == "func":
            j = i + 1
            name = ""
            if tokens[j].text == "(":  # method receiver
                j = skip_group(tokens, j)
            if tokens[j].kind == "ident":
                name = tokens[j].text
            # find the body: the first "{" at depth 0 after the signature
            k = j
            d = 0
            while k < len(tokens):
                t = tokens[k]
                if t.text in "([":
                    d += 1
                elif t.text in ")]":
                    d -= 1
                elif t.text == "{" and d == 0:
                    break
                k += 1
            end = skip_group(tokens, k)
            found.append(Function(name, tok.line, tokens[k + 1 : end - 1]))
            i = end
            continue
        i += 1
    return found


_NESTING = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def nesting_change(token: Token) -> int:
    """+1 for an opening bracket, -1 for a closing one, 0 for any other token: the one
    bracket-depth rule every scan below shares."""
    return _NESTING.get(token.text, 0) if token.kind == "op" else 0


def skip_group(tokens: list[Token], i: int) -> int:
    """Index just past the bracket group opening at tokens[i]."""
    depth = 0
    while i < len(tokens):
        change = nesting_change(tokens[i])
        depth += change
        if change < 0 and depth == 0:
            return i + 1
        i += 1
    return i


def split_top(tokens: list[Token], sep: str = ",") -> list[list[Token]]:
    """Split a token list at top-level separators."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in tokens:
        depth += nesting_change(t)
        if depth == 0 and t.kind == "op" and t.text == sep:
            parts.append([])
        else:
            parts[-1].append(t)
    return [p for p in parts if p]


@dataclass
class Unknown:
    """A Go expression this reader cannot evaluate; `text` is its source."""

    text: str


@dataclass
class Call:
    func: str
    args: list


@dataclass
class Composite:
    type: str
    items: list  # values (positional) or (key, value) pairs
    keyed: dict = field(default_factory=dict)


def expr_text(tokens: list[Token]) -> str:
    return " ".join(t.text for t in tokens)


def evaluate(tokens: list[Token], resolve=None):
    """A Python value for a Go expression built from literals: strings (with +), numbers,
    true/false/nil, typed conversions like int64(5), composite literals and calls; anything
    else becomes Unknown. `resolve(Unknown)` may supply a string for an unknown operand of a
    string concatenation (a variable, a server URL)."""
    if not tokens:
        return Unknown("")
    # string concatenation
    parts = split_top(tokens, "+")
    if len(parts) > 1:
        values = [evaluate(p) for p in parts]
        if resolve is not None and any(isinstance(v, str) for v in values):
            values = [resolve(v) if isinstance(v, Unknown) else v for v in values]
        if all(isinstance(v, str) for v in values):
            return "".join(values)
        return Unknown(expr_text(tokens))
    if len(tokens) == 1:
        t = tokens[0]
        if t.kind == "str":
            return t.value
        if t.kind == "num":
            return _number(t.text)
        if t.kind == "char":
            return t.value
        if t.text in ("true", "false"):
            return t.text == "true"
        if t.text == "nil":
            return None
        return Unknown(t.text)
    if tokens[0].text == "-" and len(tokens) == 2 and tokens[1].kind == "num":
        value = _number(tokens[1].text)
        return -value if not isinstance(value, Unknown) else value
    if tokens[0].text == "&":
        return evaluate(tokens[1:])
    # Type{...} composite literal
    if tokens[-1].text == "}":
        open_index = _matching_open(tokens, len(tokens) - 1)
        if open_index is not None and open_index > 0 and skip_group(tokens, open_index) == len(tokens):
            return _composite(expr_text(tokens[:open_index]), tokens[open_index + 1 : -1])
        if open_index == 0:
            return _composite("", tokens[1:-1])
    # call f(args)
    if tokens[-1].text == ")":
        open_index = _matching_open(tokens, len(tokens) - 1)
        if open_index is not None and open_index > 0 and skip_group(tokens, open_index) == len(tokens):
            name = expr_text(tokens[:open_index]).replace(" . ", ".").replace(" ", "")
            args = [evaluate(p) for p in split_top(tokens[open_index + 1 : -1])]
            return Call(name, args)
    return Unknown(expr_text(tokens))


def _matching_open(tokens: list[Token], close_index: int) -> int | None:
    pairs = {")": "(", "]": "[", "}": "{"}
    want = pairs[tokens[close_index].text]
    depth = 0
    for i in range(close_index, -1, -1):
        t = tokens[i]
        change = nesting_change(t)
        depth -= change  # walking backwards: a closer opens a group
        if change > 0 and depth == 0:
            return i if t.text == want else None
    return None


def _composite(type_name: str, body: list[Token]) -> Composite:
    result = Composite(type_name.replace(" . ", ".").replace(" ", ""), [])
    for part in split_top(body):
        colon = None
        depth = 0
        for idx, t in enumerate(part):
            change = nesting_change(t)
            if change:
                depth += change
            elif depth == 0 and t.kind == "op" and t.text == ":":
                colon = idx
                break
        if colon is not None:
            key_tokens = part[:colon]
            key = key_tokens[0].text if len(key_tokens) == 1 and key_tokens[0].kind == "ident" else evaluate(key_tokens)
            value = evaluate(part[colon + 1 :])
            result.items.append((key, value))
            if isinstance(key, str):
                result.keyed[key] = value
        else:
            result.items.append(evaluate(part))
    return result


def _number(text: str):
    clean = text.replace("_", "")
    try:
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", clean):
            return int(clean, 16)
        if re.fullmatch(r"0[0-7]+", clean):
            return int(clean, 8)
        if re.fullmatch(r"\d+", clean):
            return int(clean)
        return float(clean)
    except ValueError:
        return Unknown(text)


@dataclass
class Assignment:
    name: str
    value_tokens: list[Token]
    line: int


def assignments(tokens: list[Token]) -> list[Assignment]:
    """`name := expr`, `var name = expr`, `name = expr` and `key: expr` (composite fields)
    in a token list, each with the tokens of its right-hand side."""
    found: list[Assignment] = []
    for i, t in enumerate(tokens):
        if t.kind != "op" or t.text not in (":=", "=", ":"):
            continue
        if i == 0 or tokens[i - 1].kind != "ident":
            continue
        end = i + 1
        depth = 0
        while end < len(tokens):
            u = tokens[end]
            change = nesting_change(u)
            if change < 0 and depth == 0:
                break
            if change:
                depth += change
            elif depth == 0 and u.kind == "op" and u.text in (",", ";"):
                break
            elif depth == 0 and u.line != tokens[end - 1].end_line and tokens[end - 1].text not in ("+", "(", ",", "."):
                break
            end += 1
        found.append(Assignment(tokens[i - 1].text, tokens[i + 1 : end], t.line))
    return found

"""Syntax errors: where Kapacitor's parser stops, its own text, and our plain words and hints."""

from __future__ import annotations

import re
from collections.abc import Set

from tickpy.diagnostics import Diagnostic
from tickpy.syntax.lexer import KAPACITOR_NAMES, LexResult, Tok

# What Kapacitor's parser lists when it wanted the start of an operand.
_PRIMARY_EXPECTED = ["number", "string", "duration", "identifier", "TRUE", "FALSE", "==", "(", "-", "!"]

_PLAIN_TOKEN = {
    "IDENT": "name", "REFERENCE": "field reference", "STRING": "string", "NUMBER": "number",
    "DURATION": "duration", "REGEX": "regex", "LAMBDA": "`lambda:`", "VAR": "`var`", "DBRP": "`dbrp`",
    "TRUE": "`TRUE`", "FALSE": "`FALSE`", "$END": "end of the script",
}


def _kapacitor_expected(expected: set[str]) -> list[str]:
    """Kapacitor's `expected:` list for the place the LALR parser stopped at."""
    if "NUMBER" in expected:
        return _PRIMARY_EXPECTED
    if "STAR" in expected and "STRING" in expected:
        return ["identifier", "string", "*"]
    if "RPAREN" in expected:
        return [")"]
    if "RSBRACKET" in expected:
        return ["]"]
    if "$END" in expected:
        return ["EOF"]
    if "ASGN" in expected or "IDENT" in expected:
        return ["identifier"]
    return sorted(KAPACITOR_NAMES.get(name, name) for name in expected)


_VALUE = "a value (number, string, duration, \"field\", name, TRUE/FALSE, '(', '-' or '!')"
_OPERATOR_TOKENS = {"PLUS", "MINUS", "MULT", "DIV", "MOD", "AND", "OR", "EQ", "NE", "LT", "GT", "LE", "GE", "REQ", "RNE"}
_SIMPLE_WORDS = {
    "IDENT": "a name", "REFERENCE": 'a double-quoted name like "telegraf"', "DOT": "'.'", "LPAREN": "'('",
    "RPAREN": "')'", "RSBRACKET": "']'", "COMMA": "','", "ASGN": "'='", "PIPE": "'|'", "AT": "'@'",
}


def _plain_expected(accepted: set[str]) -> str:
    """What the parser could take, in words, from the exact set of acceptable tokens."""
    operators = bool(accepted & _OPERATOR_TOKENS - {"MINUS"})  # a lone '-' may be a sign
    if "NUMBER" in accepted:
        if "VAR" in accepted:
            return "a statement (var, dbrp, or an expression such as stream|from())"
        if "RPAREN" in accepted and not operators:
            return "an argument or ')'"
        return _VALUE
    if "STAR" in accepted and "STRING" in accepted:
        return "a list item (a name, a 'string' or *)" + (" or ']'" if "RSBRACKET" in accepted else "")
    words = []
    if operators:
        words.append("an operator")
    for name in ("COMMA", "RPAREN", "RSBRACKET", "ASGN", "IDENT", "REFERENCE", "PIPE", "DOT", "AT", "LPAREN"):
        if name in accepted:
            words.append(_SIMPLE_WORDS[name])
    if "$END" in accepted:
        words.append("the end of the expression")
    if not words:
        return " or ".join(sorted(KAPACITOR_NAMES.get(name, name) for name in accepted)) or "nothing more"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _excerpt(source_bytes: bytes, pos: int) -> str:
    """Kapacitor's window of up to 10 bytes either side of the error, cut at newlines."""
    start = max(pos - 10, 0)
    newline = source_bytes.rfind(b"\n", start, pos)
    if newline != -1:
        start = newline + 1
    stop = min(pos + 10, len(source_bytes))
    newline = source_bytes.find(b"\n", pos, stop)
    if newline != -1:
        stop = newline
    return source_bytes[start:stop].decode("utf-8", "replace")


def _encode(source: str) -> bytes:
    try:
        return source.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return source.encode("utf-8", "surrogatepass")


def _describe(tok_type: str, value: str) -> str:
    if tok_type == "IDENT":
        return f"name `{value}`"
    if tok_type in ("STRING", "REFERENCE", "NUMBER", "DURATION", "REGEX"):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"{_PLAIN_TOKEN[tok_type]} {shown}"
    if tok_type in _PLAIN_TOKEN:
        return _PLAIN_TOKEN[tok_type]
    return f"'{value}'"


def _previous_token(lexed: LexResult, offset: int) -> Tok | None:
    previous = None
    for tok in lexed.tokens:
        if tok.start_pos >= offset:
            break
        previous = tok
    return previous


def _unclosed(lexed: LexResult, offset: int) -> Tok | None:
    """The innermost `(` or `[` still open at `offset`."""
    stack: list[Tok] = []
    for tok in lexed.tokens:
        if tok.start_pos >= offset:
            break
        if tok.type in ("LPAREN", "LSBRACKET"):
            stack.append(tok)
        elif tok.type in ("RPAREN", "RSBRACKET") and stack:
            stack.pop()
    return stack[-1] if stack else None


# The names `|name()` can add a node under (every node type's chaining methods); the parser knows
# no catalogue, tests/check/test_catalogue.py keeps this equal to the checker's. Any other name
# after `|` is a property or a typo, so the parenthesis hint points at `.name(...)`.
NODE_ADDING_METHODS = frozenset({
    "alert", "barrier", "bottom", "changeDetect", "combine", "count", "cumulativeSum", "deadman", "default",
    "delete", "derivative", "difference", "distinct", "ec2Autoscale", "elapsed", "eval", "first", "flatten",
    "from", "groupBy", "holtWinters", "holtWintersWithFit", "httpOut", "httpPost", "influxDBOut", "join",
    "k8sAutoscale", "kapacitorLoopback", "last", "log", "max", "mean", "median", "min", "mode",
    "movingAverage", "percentile", "query", "queryFlux", "sample", "shift", "sideload", "spread",
    "stateCount", "stateDuration", "stats", "stddev", "sum", "swarmAutoscale", "top", "trickle", "union",
    "where", "window",
})

_LOWER_KEYWORDS = {"and": "AND", "or": "OR", "true": "TRUE", "false": "FALSE", "not": "!"}


def _hint(
    tok_type: str,
    value: str,
    offset: int,
    lexed: LexResult,
    kapacitor_expected: list[str],
    lex_message: str | None,
    accepted: Set[str] = frozenset(),
) -> str | None:
    """A specific hint for the common mistakes, or None."""
    previous = _previous_token(lexed, offset)
    source_map = lexed.source_map
    source = source_map.source
    if lex_message is not None:
        return _lexer_hint(lex_message, previous)
    if previous is not None and previous.type == "IDENT" and previous.value == "lambda":
        return "write `lambda:` (with the colon) before a lambda expression"
    if tok_type == "ASGN":
        return "`=` only assigns in `var x = ...`; to compare, write `==`"
    if tok_type == "PIPE" and source.startswith("||", offset):
        return "the logical operators are AND and OR (`|` chains nodes)"
    if tok_type == "IDENT" and previous is not None and previous.type in ("NUMBER", "DURATION") and previous.offset_end == offset:
        suffix_hint = _number_suffix_hint(previous, value, source[offset:])
        if suffix_hint is not None:
            return suffix_hint
    if tok_type == "IDENT" and value in _LOWER_KEYWORDS:
        return f"TICKscript's keywords are upper case: write {_LOWER_KEYWORDS[value]}, not {value}"
    if previous is not None and previous.type == "IDENT" and previous.value in ("and", "or"):
        return f"the logical operators are upper case: write {previous.value.upper()}, not {previous.value}"
    if kapacitor_expected == ["."] and previous is not None and previous.type == "REFERENCE":
        return 'a dbrp statement names the database and the retention policy: dbrp "telegraf"."autogen"'
    if kapacitor_expected == ["("] and previous is not None and previous.type == "IDENT":
        name = previous.value
        if name in NODE_ADDING_METHODS:
            return f"`|{name}` is a chaining method: call it with parentheses, `|{name}()`; if `{name}` is a property, write `.{name}(...)`"
        return f"`|{name}` adds no node: if `{name}` is a property, write `.{name}(...)`"
    if previous is not None and previous.type == "STRING" and tok_type not in ("$END", "COMMA", "RPAREN"):
        if "\n" in previous.value or offset == previous.offset_end:
            line, col = source_map.line_col(previous.start_pos)
            return (
                f"the string that starts at line {line} column {col} ends just before this; "
                "is its closing quote missing, or a quote inside it not escaped as \\'?"
            )
    opener = _unclosed(lexed, offset)
    if tok_type == "$END" and opener is not None:
        line, col = source_map.line_col(opener.start_pos)
        return f"the '{opener.value}' at line {line} column {col} is never closed"
    if tok_type in ("PIPE", "DOT", "AT") and opener is not None and opener.type == "LPAREN":
        line, col = source_map.line_col(opener.start_pos)
        return f"the '(' at line {line} column {col} is still open here: is a ')' missing before this '{value}'?"
    if tok_type == "RPAREN" and opener is None:
        return "this ')' closes nothing: is there one ')' too many?"
    if tok_type in ("PIPE", "DOT", "AT") and "VAR" in accepted:
        if previous is None or previous.type not in ("RPAREN", "IDENT"):
            return f"a chain must start from a node or a variable, e.g. stream{value}... or batch{value}...; '{value}' cannot start a statement"
        return f"'{value}' cannot follow what comes before it; a chain continues from a node, a variable or a call"
    if tok_type == "DOT" and previous is not None and previous.type == "DOT":
        return "there is one '.' too many here"
    if kapacitor_expected == [")"] and tok_type in ("IDENT", "STRING", "NUMBER", "REFERENCE", "DURATION", "LAMBDA"):
        return "is a ',' missing between two arguments?"
    return None


_DURATION_UNITS = "u (or µ), ms, s, m, h, d, w"
_EXPONENT = re.compile(r"[eE][+-]?[0-9]+")
_UNIT_LIKE = re.compile(r"[A-Za-zµ]{1,7}")


def _number_suffix_hint(number: Tok, name: str, rest: str) -> str | None:
    """A name glued to a number: an exponent (`1e5`) or a duration unit TICKscript lacks (`1ns`)."""
    exponent = _EXPONENT.match(rest)
    if number.type == "NUMBER" and exponent is not None:
        literal = number.value + exponent.group()
        digits = ""
        power_text = exponent.group()[1:].lstrip("+-").lstrip("0")
        # Short numbers only: int() and str() refuse numbers past 4,300 digits.
        if len(number.value) <= 40 and len(power_text) <= 2 and int(power_text or "0") <= 20:
            power = int(exponent.group()[1:])
            from decimal import Decimal  # deferred: start-up (only this hint needs it, ~7 ms)

            value = Decimal(literal)
            digits = f" ({value:f})" if power < 0 or "." in number.value and value != value.to_integral() else f" ({int(value)})"
        return f"TICKscript numbers have no exponent notation: write {literal} out in digits{digits}"
    if _UNIT_LIKE.fullmatch(name) is None:
        return None
    if number.type == "DURATION":  # `5min` lexes as the duration 5m, then the name `in`
        name = number.value.lstrip("0123456789.") + name
    if name == "ns":
        return f"TICKscript durations have no ns unit (the smallest is u, a microsecond); the units are {_DURATION_UNITS}"
    return f"`{name}` is not a duration unit: TICKscript's units are {_DURATION_UNITS}"


_LEXER_HINTS = {
    "unterminated string": "this string is never closed: end it with a quote (''' for a triple-quoted string)",
    "unterminated field reference": 'this field reference is never closed: end it with "',
    "unterminated regex": "a `/` where a value starts begins a regex, which is never closed here; to divide, write the `/` right after a value",
    "multiple decimals in number": "a number has at most one decimal point",
}

_CHARACTER_HINTS = {
    "'='": "`=` only assigns in `var x = ...`; to compare, write `==`",
    "'{'": "TICKscript has no braces: is this an unfilled template placeholder like {{ .Name }}?",
    "'}'": "TICKscript has no braces: is this an unfilled template placeholder like {{ .Name }}?",
    "'`'": 'quote field and tag names with double quotes ("usage_idle") and strings with single quotes',
    "'&'": "the logical operators are AND and OR",
    "'_'": "a name must start with a letter",
    "'\\ufeff'": ("U+FEFF is a byte order mark, which editors put at the start of a file saved as \"UTF-8 with "
                  "BOM\"; Kapacitor does not accept it either: save the script as UTF-8 without BOM"),
    "';'": "TICKscript statements need no `;`",
    "'#'": "comments start with //",
    "'+'": "an operator must come right after a value (a regex or a comment line before it ends the expression)",
    "'<'": "an operator must come right after a value (a regex or a comment line before it ends the expression)",
    "'>'": "an operator must come right after a value (a regex or a comment line before it ends the expression)",
    "'%'": "an operator must come right after a value (a regex or a comment line before it ends the expression)",
}


def _lexer_hint(lex_message: str, previous: Tok | None) -> str | None:
    if lex_message in _LEXER_HINTS:
        return _LEXER_HINTS[lex_message]
    prefix = "unknown state, last char: "
    if not lex_message.startswith(prefix):
        return None
    char = lex_message[len(prefix) :]
    if char == "':'" and previous is not None and previous.type == "IDENT" and previous.value == "lambda":
        return "write `lambda:` with no space before the colon"
    return _CHARACTER_HINTS.get(char)


def syntax_diagnostic(token, expected: set[str], lexed: LexResult, source: str, path: str, start: str) -> Diagnostic:
    """`token` (None at the end of the input) is where the parser stopped; `expected` is
    what it could have taken there."""
    lex_message = None
    if token is None:
        offset = len(source)
        tok_type, value, token_name = "$END", "", "EOF"
    elif token.type == "ERROR":
        error = lexed.error
        assert error is not None  # the lexer adds an ERROR token only when it failed
        offset = error.offset
        tok_type, value, token_name = "ERROR", "", error.message
        lex_message = error.message
    else:
        offset = token.start_pos
        tok_type, value, token_name = token.type, token.value, KAPACITOR_NAMES.get(token.type, token.type)
    line, column = lexed.source_map.line_col(offset)
    expected_list = _kapacitor_expected(expected)
    source_bytes = _encode(source)
    byte_pos = lexed.source_map.byte_offset(offset)
    kapacitor_message = (
        f'parser: unexpected {token_name} line {line} char {column} in "{_excerpt(source_bytes, byte_pos)}". '
        f"expected: {','.join(chr(34) + item + chr(34) for item in expected_list)}"
    )
    if lex_message is not None:
        message = f"{_plain_lex_message(lex_message)}"
    else:
        message = f"unexpected {_describe(tok_type, value)}: expected {_plain_expected(expected)}"
    end_line, end_column = line, column
    if tok_type not in ("$END", "ERROR"):
        end_line, end_column = lexed.source_map.line_col(token.offset_end)
    return Diagnostic(
        message=message,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        code="syntax",
        hint=_hint(tok_type, value, offset, lexed, expected_list, lex_message, expected),
        kapacitor_message=kapacitor_message,
    )


def _plain_lex_message(message: str) -> str:
    if message.startswith("unknown state, last char: "):
        return f"unexpected character {message[len('unknown state, last char: '):]}"
    if message == "unterminated field reference":
        return "unterminated field reference (missing closing \")"
    if message == "unterminated string":
        return "unterminated string (missing closing ')"
    if message == "unterminated regex":
        return "unterminated regex (missing closing /)"
    return message


def literal_diagnostic(error, lexed: LexResult, source: str, path: str, start: str) -> Diagnostic:
    tok = error.token
    line, column = lexed.source_map.line_col(tok.start_pos)
    end_line, end_column = lexed.source_map.line_col(tok.offset_end)
    return Diagnostic(
        message=error.problem.plain,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        code="syntax",
        kapacitor_message=f"parser: {error.problem.message}",
        extra={"kapacitor_position": False},
    )

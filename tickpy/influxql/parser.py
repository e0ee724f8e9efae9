"""An InfluxQL SELECT parser: the grammar of Kapacitor 1.5.7's vendored `influxql` parser, for
the statements tickpy can run (no INTO, no subqueries, no bound parameters, no SHOW ...).

Errors carry the offset in the text of the token that broke the parse.
"""

from __future__ import annotations

from tickpy.golang.goregexp import compile_error
from tickpy.golang.gotime import parse_influx_duration
from tickpy.influxql.ast import (
    FILL_LINEAR,
    FILL_NONE,
    FILL_NULL,
    FILL_NUMBER,
    FILL_PREVIOUS,
    KEYWORDS,
    BinaryExpr,
    BooleanLiteral,
    Call,
    Distinct,
    DurationLiteral,
    Expr,
    Field,
    IntegerLiteral,
    Measurement,
    NumberLiteral,
    ParenExpr,
    RegexLiteral,
    SelectStatement,
    StringLiteral,
    VarRef,
    Wildcard,
)
from tickpy.influxql.errors import InfluxQLError, unsupported
from tickpy.influxql.support import check_supported

_PRECEDENCE = {
    "OR": 1,
    "AND": 2,
    "=": 4, "!=": 4, "<>": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "=~": 4, "!~": 4,
    "+": 5, "-": 5, "|": 5, "^": 5,
    "*": 6, "/": 6, "%": 6, "&": 6,
}

# Token kinds
WS, IDENT, KEYWORD, NUMBER, INTEGER, DURATION, STRING, OP, LPAREN, RPAREN, COMMA, DOT, DOUBLECOLON, SEMI, EOF = (
    "WS IDENT KEYWORD NUMBER INTEGER DURATION STRING OP ( ) , . :: ; EOF".split()
)

def scan_tokens(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each token of an InfluxQL text, whitespace left out: for editors'
    highlighting. A text the scanner cannot go on with ends the list there."""
    scanner = _Scanner(text)
    found: list[tuple[str, int, int]] = []
    try:
        kind, start, _ = scanner.scan()
        while kind != EOF:
            following = scanner.scan()
            if kind != WS:
                found.append((kind, start, following[1]))
            kind, start, _ = following
    except InfluxQLError:
        pass
    return found


def _is_letter(char: str) -> bool:
    return ("a" <= char <= "z") or ("A" <= char <= "Z")


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def peek_char(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\n\r":
            self.pos += 1

    def scan(self) -> tuple[str, int, str]:
        """(kind, offset, literal) of the next token, whitespace included."""
        text, start = self.text, self.pos
        if start >= len(text):
            return EOF, start, ""
        char = text[start]
        if char in " \t\n\r":
            self.skip_ws()
            return WS, start, text[start:self.pos]
        if _is_letter(char) or char == "_":
            end = start
            while end < len(text) and (_is_letter(text[end]) or _is_digit(text[end]) or text[end] == "_"):
                end += 1
            self.pos = end
            word = text[start:end]
            if word.upper() in KEYWORDS:
                return KEYWORD, start, word.upper()
            return IDENT, start, word
        if char == '"':
            return IDENT, start, self._quoted('"')
        if char == "'":
            return STRING, start, self._quoted("'")
        if _is_digit(char) or (char == "." and _is_digit(text[start + 1 : start + 2])):
            return self._number(start)
        if char in "+-" and (
            _is_digit(text[start + 1 : start + 2])
            or (text[start + 1 : start + 2] == "." and _is_digit(text[start + 2 : start + 3]))
        ):
            self.pos += 1
            kind, _, literal = self._number(start + 1)
            return kind, start, char + literal
        self.pos = start + 1
        two = text[start : start + 2]
        if two in ("!=", "<>", "<=", ">=", "=~", "!~"):
            self.pos = start + 2
            return OP, start, "!=" if two == "<>" else two  # one token, NEQ, printed "!="
        if two == "::":
            self.pos = start + 2
            return DOUBLECOLON, start, "::"
        if char in "+-*/%&|^=<>":
            return OP, start, char
        simple = {"(": LPAREN, ")": RPAREN, ",": COMMA, ".": DOT, ";": SEMI}
        if char in simple:
            return simple[char], start, char
        if char == "$":
            raise unsupported("bound parameters", start)
        raise InfluxQLError(f"found {char}, expected a token", start)

    def _quoted(self, quote: str) -> str:
        text, start = self.text, self.pos
        position = start + 1
        out: list[str] = []
        while True:
            if position >= len(text) or text[position] == "\n":
                raise InfluxQLError("found unterminated " + ("identifier" if quote == '"' else "string"), start)
            char = text[position]
            if char == quote:
                self.pos = position + 1
                return "".join(out)
            if char == "\\":
                following = text[position + 1 : position + 2]
                if following == "n":
                    out.append("\n")
                elif following in ("\\", '"', "'"):
                    out.append(following)
                else:
                    raise InfluxQLError(f"bad escape: \\{following}", position)
                position += 2
                continue
            out.append(char)
            position += 1

    def _number(self, start: int) -> tuple[str, int, str]:
        text = self.text
        end = start
        while end < len(text) and _is_digit(text[end]):
            end += 1
        if text[end : end + 1] == "." and _is_digit(text[end + 1 : end + 2]):
            end += 1
            while end < len(text) and _is_digit(text[end]):
                end += 1
            self.pos = end
            return NUMBER, start, text[start:end]
        if text[end : end + 1] == ".":
            self.pos = end + 1  # "1." is a number without decimals
            return NUMBER, start, text[start : end + 1]
        if end < len(text) and (_is_letter(text[end]) or text[end] == "µ"):
            while end < len(text) and (_is_letter(text[end]) or text[end] == "µ" or _is_digit(text[end])):
                end += 1
            self.pos = end
            return DURATION, start, text[start:end]
        self.pos = end
        return INTEGER, start, text[start:end]

    def scan_regex(self) -> tuple[int, str]:
        text, start = self.text, self.pos
        position = start + 1
        out: list[str] = []
        while True:
            if position >= len(text) or text[position] == "\n":
                raise InfluxQLError("found unterminated regex", start)
            char = text[position]
            if char == "/":
                self.pos = position + 1
                return start, "".join(out)
            if char == "\\" and text[position + 1 : position + 2] == "/":
                out.append("/")
                position += 2
                continue
            out.append(char)
            position += 1


def _describe(kind: str, literal: str) -> str:
    if kind == EOF:
        return "EOF"
    return literal


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.scanner = _Scanner(text)
        self.buffer: list[tuple[str, int, str, int]] = []  # unscanned tokens (kind, offset, literal, end)
        self.history: list[tuple[str, int, str, int]] = []

    def scan(self) -> tuple[str, int, str]:
        if self.buffer:
            token = self.buffer.pop()
            self.scanner.pos = token[3]
        else:
            kind, offset, literal = self.scanner.scan()
            token = (kind, offset, literal, self.scanner.pos)
        self.history.append(token)
        return token[0], token[1], token[2]

    def unscan(self) -> None:
        token = self.history.pop()
        self.buffer.append(token)
        self.scanner.pos = token[1]

    def scan_ignore_ws(self) -> tuple[str, int, str]:
        kind, offset, literal = self.scan()
        if kind == WS:
            kind, offset, literal = self.scan()
        return kind, offset, literal

    def expect_error(self, kind: str, literal: str, expected: str, offset: int) -> InfluxQLError:
        return InfluxQLError(f"found {_describe(kind, literal)}, expected {expected}", offset)

    def peek_regex(self) -> RegexLiteral | None:
        self._drop_buffer()
        self.scanner.skip_ws()
        if self.scanner.peek_char() != "/":
            return None
        offset, pattern = self.scanner.scan_regex()
        _check_regex(pattern, offset)
        return RegexLiteral(pattern)

    def _drop_buffer(self) -> None:
        if self.buffer:
            self.scanner.pos = self.buffer[-1][1]
            self.buffer.clear()

    # --- statement

    def parse_statement(self) -> SelectStatement:
        kind, offset, literal = self.scan_ignore_ws()
        if not (kind == KEYWORD and literal == "SELECT"):
            if kind == KEYWORD and literal in ("SHOW", "CREATE", "DROP", "DELETE", "ALTER", "GRANT", "REVOKE",
                                               "KILL", "SET", "EXPLAIN"):
                raise InfluxQLError("query is not a select statement", offset)  # Kapacitor's words
            raise self.expect_error(kind, literal, "SELECT", offset)
        fields = self.parse_fields()
        kind, offset, literal = self.scan_ignore_ws()
        if kind == KEYWORD and literal == "INTO":
            raise unsupported("SELECT ... INTO", offset)
        if not (kind == KEYWORD and literal == "FROM"):
            raise self.expect_error(kind, literal, "FROM", offset)
        sources = self.parse_sources()
        condition = None
        kind, offset, literal = self.scan_ignore_ws()
        if kind == KEYWORD and literal == "WHERE":
            condition = self.parse_expr()
        else:
            self.unscan()
        dimensions = self.parse_dimensions()
        fill, fill_value = self.parse_fill()
        sort_fields = self.parse_order_by()
        limit = self.parse_optional_int("LIMIT")
        offset_rows = self.parse_optional_int("OFFSET")
        slimit = self.parse_optional_int("SLIMIT")
        soffset = self.parse_optional_int("SOFFSET")
        kind, offset, literal = self.scan_ignore_ws()
        if kind == IDENT and literal.lower() == "tz":
            raise unsupported("tz()", offset)
        if kind == SEMI:
            kind, offset, literal = self.scan_ignore_ws()
            if kind != EOF:
                raise InfluxQLError("query must be a single select statement", offset)  # Kapacitor's words
        if kind != EOF:
            raise self.expect_error(kind, literal, "EOF", offset)
        return SelectStatement(
            fields=tuple(fields),
            sources=tuple(sources),
            condition=condition,
            dimensions=tuple(dimensions),
            fill=fill,
            fill_value=fill_value,
            descending=bool(sort_fields) and not sort_fields[0][1],
            sort_fields=tuple(sort_fields),
            limit=limit,
            offset=offset_rows,
            slimit=slimit,
            soffset=soffset,
        )

    def parse_fields(self) -> list[Field]:
        fields = []
        while True:
            expr = self.parse_expr()
            alias = ""
            kind, offset, literal = self.scan_ignore_ws()
            if kind == KEYWORD and literal == "AS":
                kind, offset, literal = self.scan_ignore_ws()
                if kind != IDENT:
                    raise self.expect_error(kind, literal, "identifier", offset)
                alias = literal
            else:
                self.unscan()
            fields.append(Field(expr, alias))
            kind, offset, literal = self.scan_ignore_ws()
            if kind != COMMA:
                self.unscan()
                return fields

    def parse_sources(self) -> list[Measurement]:
        sources = []
        while True:
            sources.append(self.parse_source())
            kind, _, _ = self.scan_ignore_ws()
            if kind != COMMA:
                self.unscan()
                return sources

    def parse_source(self) -> Measurement:
        regex = self.peek_regex()
        if regex is not None:
            return Measurement(regex=regex)
        kind, offset, literal = self.scan_ignore_ws()
        if kind == LPAREN:
            raise unsupported("subqueries", offset)
        self.unscan()
        idents = self.parse_segmented_idents()
        if len(idents) == 3:
            return Measurement(idents[0], idents[1], idents[2])
        regex = self.peek_regex() if self.scanner.text[self.scanner.pos - 1 : self.scanner.pos] == "." else None
        if len(idents) == 1:
            return Measurement(retention_policy=idents[0], regex=regex) if regex else Measurement(name=idents[0])
        if regex:
            return Measurement(idents[0], idents[1], regex=regex)
        return Measurement(retention_policy=idents[0], name=idents[1])

    def parse_ident(self) -> str:
        kind, offset, literal = self.scan_ignore_ws()
        if kind != IDENT:
            raise self.expect_error(kind, literal, "identifier", offset)
        return literal

    def parse_segmented_idents(self) -> list[str]:
        start = self.scanner.pos
        idents = [self.parse_ident()]
        while True:
            kind, _, _ = self.scan()
            if kind != DOT:
                self.unscan()
                break
            char = self.scanner.peek_char()
            if char in ("/", ":"):
                break
            if char == ".":
                idents.append("")
                continue
            idents.append(self.parse_ident())
        if len(idents) > 3:
            raise InfluxQLError(f"too many segments in {'.'.join(idents)}", start)
        return idents

    def parse_dimensions(self) -> list[Expr]:
        kind, offset, literal = self.scan_ignore_ws()
        if not (kind == KEYWORD and literal == "GROUP"):
            self.unscan()
            return []
        kind, offset, literal = self.scan_ignore_ws()
        if not (kind == KEYWORD and literal == "BY"):
            raise self.expect_error(kind, literal, "BY", offset)
        dimensions: list[Expr] = []
        while True:
            regex = self.peek_regex()
            if regex is not None:
                raise unsupported("GROUP BY a regular expression", self.scanner.pos)
            start = self.scanner.pos
            expr = self.parse_expr()
            self._check_dimension(expr, start)
            dimensions.append(expr)
            kind, _, _ = self.scan()
            if kind != COMMA:
                self.unscan()
                return dimensions

    def _check_dimension(self, expr: Expr, offset: int) -> None:
        if isinstance(expr, VarRef) or isinstance(expr, Wildcard):
            return
        if isinstance(expr, Call) and expr.name == "time":
            if not 1 <= len(expr.args) <= 2 or not isinstance(expr.args[0], DurationLiteral):
                raise InfluxQLError("time dimension must have duration argument", offset)
            if len(expr.args) == 2 and not isinstance(expr.args[1], DurationLiteral):
                if isinstance(expr.args[1], Call) and expr.args[1].name == "now":
                    raise unsupported("time(d, now())", offset)
                raise InfluxQLError("time dimension offset must be duration or now()", offset)
            return
        raise InfluxQLError("only time and tag dimensions allowed", offset)

    def parse_fill(self) -> tuple[str, int | float | None]:
        kind, offset, literal = self.scan_ignore_ws()
        self.unscan()
        if kind != IDENT or literal.lower() != "fill":
            return FILL_NULL, None
        expr = self.parse_expr()
        if not isinstance(expr, Call):
            raise InfluxQLError("fill must be a function call", offset)
        if len(expr.args) != 1:
            raise InfluxQLError("fill requires an argument, e.g.: 0, null, none, previous, linear", offset)
        argument = expr.args[0]
        option = str(argument)
        if option in ("null", "none", "previous", "linear"):
            return {"null": FILL_NULL, "none": FILL_NONE, "previous": FILL_PREVIOUS, "linear": FILL_LINEAR}[
                option
            ], None
        if isinstance(argument, (IntegerLiteral, NumberLiteral)):
            return FILL_NUMBER, argument.value
        raise InfluxQLError("expected number argument in fill()", offset)

    def parse_order_by(self) -> list[tuple[str, bool]]:
        kind, offset, literal = self.scan_ignore_ws()
        if not (kind == KEYWORD and literal == "ORDER"):
            self.unscan()
            return []
        kind, offset, literal = self.scan_ignore_ws()
        if not (kind == KEYWORD and literal == "BY"):
            raise self.expect_error(kind, literal, "BY", offset)
        kind, offset, literal = self.scan_ignore_ws()
        if kind == KEYWORD and literal in ("ASC", "DESC"):
            fields = [("", literal == "ASC")]
        elif kind == IDENT:
            if literal != "time":
                raise InfluxQLError("only ORDER BY time supported at this time", offset)
            fields = [("time", self._direction())]
        else:
            raise self.expect_error(kind, literal, "identifier, ASC, DESC", offset)
        kind, offset, literal = self.scan_ignore_ws()
        if kind == COMMA:
            raise InfluxQLError("only ORDER BY time supported at this time", offset)
        self.unscan()
        return fields

    def _direction(self) -> bool:
        kind, _, literal = self.scan_ignore_ws()
        if kind == KEYWORD and literal in ("ASC", "DESC"):
            return literal == "ASC"
        self.unscan()
        return True

    def parse_optional_int(self, keyword: str) -> int:
        kind, offset, literal = self.scan_ignore_ws()
        if not (kind == KEYWORD and literal == keyword):
            self.unscan()
            return 0
        kind, offset, literal = self.scan_ignore_ws()
        if kind != INTEGER:
            raise self.expect_error(kind, literal, "integer", offset)
        value = int(literal)
        if value < 0:
            raise InfluxQLError(f"{keyword} must be >= 0", offset)
        return value

    # --- expressions

    def parse_expr(self) -> Expr:
        # The vendored parser's tree building: a new operator descends the right spine while the
        # operators there bind less tightly (equal precedence associates to the left).
        root: list[Expr] = [self.parse_unary()]
        while True:
            kind, offset, literal = self.scan_ignore_ws()
            if kind == KEYWORD and literal in ("AND", "OR"):
                op = literal
            elif kind == OP:
                op = literal
            else:
                self.unscan()
                return root[0]
            if op in ("=~", "!~"):
                rhs: Expr | None = self.peek_regex()
                if rhs is None:
                    kind, offset, literal = self.scan_ignore_ws()
                    raise self.expect_error(kind, literal, "regex", offset)
            else:
                rhs = self.parse_unary()
            root[0] = _insert(root[0], op, rhs)

    def parse_unary(self) -> Expr:
        kind, offset, literal = self.scan_ignore_ws()
        if kind == LPAREN:
            expr = self.parse_expr()
            kind, offset, literal = self.scan_ignore_ws()
            if kind != RPAREN:
                raise self.expect_error(kind, literal, ")", offset)
            return ParenExpr(expr)
        if kind == IDENT:
            next_kind, _, _ = self.scan()
            if next_kind == LPAREN:
                return self.parse_call(literal, offset)
            self.unscan()
            self.unscan()
            return self.parse_var_ref()
        if kind == KEYWORD and literal == "DISTINCT":
            next_kind, next_offset, next_literal = self.scan()
            if next_kind == LPAREN:
                return self.parse_call("distinct", offset)
            if next_kind == WS:
                ident_kind, ident_offset, ident = self.scan_ignore_ws()
                if ident_kind != IDENT:
                    raise self.expect_error(ident_kind, ident, "identifier", ident_offset)
                return Distinct(ident, offset)
            raise self.expect_error(next_kind, next_literal, "(, identifier", next_offset)
        if kind == STRING:
            return StringLiteral(literal)
        if kind == NUMBER:
            return NumberLiteral(float(literal))
        if kind == INTEGER:
            value = int(literal)
            if not -(2**63) <= value < 2**63:
                raise InfluxQLError("unable to parse integer", offset)
            return IntegerLiteral(value)
        if kind == KEYWORD and literal in ("TRUE", "FALSE"):
            return BooleanLiteral(literal == "TRUE")
        if kind == DURATION:
            try:
                return DurationLiteral(parse_influx_duration(literal))
            except ValueError as error:
                raise InfluxQLError(str(error), offset) from None
        if kind == OP and literal == "*":
            next_kind, _, _ = self.scan()
            if next_kind == DOUBLECOLON:
                type_kind, type_offset, type_literal = self.scan()
                if type_kind == KEYWORD and type_literal in ("FIELD", "TAG"):
                    return Wildcard(type_literal.lower())
                raise self.expect_error(type_kind, type_literal, "field, tag", type_offset)
            self.unscan()
            return Wildcard()
        if kind == OP and literal == "/":
            self.unscan()
            regex = self.peek_regex()
            if regex is not None:
                return regex
        raise self.expect_error(kind, literal, "identifier, string, number, bool", offset)

    def parse_var_ref(self) -> VarRef:
        kind, offset, _ = self.scan_ignore_ws()
        self.unscan()
        segments = self.parse_segmented_idents()
        var_type = ""
        kind, _, _ = self.scan()
        if kind == DOUBLECOLON:
            type_kind, type_offset, type_literal = self.scan()
            if type_kind == IDENT and type_literal.lower() in ("float", "integer", "string", "boolean"):
                var_type = type_literal.lower()
            elif type_kind == KEYWORD and type_literal in ("FIELD", "TAG"):
                var_type = type_literal.lower()
            else:
                raise self.expect_error(
                    type_kind, type_literal, "float, integer, string, boolean, field, tag", type_offset
                )
        else:
            self.unscan()
        return VarRef(".".join(segments), var_type, offset)

    def parse_call(self, name: str, offset: int) -> Call:
        name = name.lower()
        args: list[Expr] = []
        regex = self.peek_regex()
        if regex is not None:
            args.append(regex)
        else:
            kind, _, _ = self.scan()
            if kind == RPAREN:
                return Call(name, (), offset)
            self.unscan()
            args.append(self.parse_expr())
        while True:
            kind, _, _ = self.scan_ignore_ws()
            if kind != COMMA:
                self.unscan()
                break
            regex = self.peek_regex()
            if regex is not None:
                args.append(regex)
                continue
            args.append(self.parse_expr())
        kind, end_offset, literal = self.scan()
        if kind != RPAREN:
            raise self.expect_error(kind, literal, ")", end_offset)
        return Call(name, tuple(args), offset)


def _insert(root: Expr, op: str, rhs: Expr) -> Expr:
    if isinstance(root, BinaryExpr) and _PRECEDENCE[root.op] < _PRECEDENCE[op]:
        return BinaryExpr(root.op, root.lhs, _insert(root.rhs, op, rhs))
    return BinaryExpr(op, root, rhs)


def _check_regex(pattern: str, offset: int) -> None:
    problem = compile_error(pattern)
    if problem is not None:
        raise InfluxQLError(f"error parsing regexp: {problem}", offset)


def parse_select(text: str) -> SelectStatement:
    """Parse one SELECT statement; InfluxQLError (with the offset in `text`) when it is invalid,
    InfluxQLUnsupported when it is outside what tickpy runs."""
    statement = _Parser(text).parse_statement()
    check_supported(statement)
    return statement

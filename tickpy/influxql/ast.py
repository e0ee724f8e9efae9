"""The InfluxQL SELECT statement as Kapacitor 1.5.7's vendored `influxql` package holds it.

`str()` of every node is that package's `String()`, byte for byte: Kapacitor sends InfluxDB the
statement it re-printed, not the text of the script (a number literal keeps 3 decimals, the
time range is appended without parentheses), so the printed text is what gets executed.
"""

from __future__ import annotations

from dataclasses import dataclass

from tickpy.golang.goformat import format_float, format_float_v
from tickpy.golang.gotime import format_influx_duration, format_time_rfc3339nano
from tickpy.golang.gotypes import int64_div, int64_rem

KEYWORDS = frozenset(
    "ALL ALTER ANY AS ASC BEGIN BY CREATE CONTINUOUS DATABASE DATABASES DEFAULT DELETE DESC DESTINATIONS "
    "DIAGNOSTICS DISTINCT DROP DURATION END EVERY EXPLAIN FIELD FOR FROM GRANT GRANTS GROUP GROUPS IN INF "
    "INSERT INTO KEY KEYS KILL LIMIT MEASUREMENT MEASUREMENTS NAME OFFSET ON ORDER PASSWORD POLICY POLICIES "
    "PRIVILEGES QUERIES QUERY READ REPLICATION RESAMPLE RETENTION REVOKE SELECT SERIES SET SHOW SHARD SHARDS "
    "SLIMIT SOFFSET STATS SUBSCRIPTION SUBSCRIPTIONS TAG TO USER USERS VALUES WHERE WITH WRITE "
    "AND OR TRUE FALSE".split()
)

def format_duration(ns: int) -> str:
    """influxql.FormatDuration of Kapacitor 1.5.7's vendored package: below a microsecond it
    prints whole microseconds (`u`), where later versions print `ns`."""
    if int64_rem(ns, 1000):
        return f"{int64_div(ns, 1000)}u"
    return format_influx_duration(ns)


def _is_letter(char: str) -> bool:
    return ("a" <= char <= "z") or ("A" <= char <= "Z")


def _is_ident_char(char: str) -> bool:
    return _is_letter(char) or ("0" <= char <= "9") or char == "_"


def ident_needs_quotes(ident: str) -> bool:
    if ident.upper() in KEYWORDS:
        return True
    if ident == "":
        return False
    if not (_is_letter(ident[0]) or ident[0] == "_"):
        return True
    return not all(_is_ident_char(char) for char in ident[1:])


def _escape_ident(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def quote_ident(*segments: str) -> str:
    """influxql.QuoteIdent."""
    parts = []
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        quoted = (
            ident_needs_quotes(segment)
            or (i < last and segment != "")
            or ((i == 0 or i == last) and segment == "")
        )
        text = _escape_ident(segment)
        parts.append(f'"{text}"' if quoted else text)
    return ".".join(parts)


def quote_string(text: str) -> str:
    """influxql.QuoteString."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


class Expr:
    __slots__ = ()


@dataclass(frozen=True)
class VarRef(Expr):
    name: str
    type: str = ""  # "", float, integer, string, boolean, field, tag
    offset: int = -1

    def __str__(self) -> str:
        return quote_ident(self.name) + (f"::{self.type}" if self.type else "")


@dataclass(frozen=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]
    offset: int = -1

    def __str__(self) -> str:
        return f"{self.name}({', '.join(str(arg) for arg in self.args)})"


@dataclass(frozen=True)
class Distinct(Expr):
    """`DISTINCT field` (the keyword form of distinct(field))."""

    name: str
    offset: int = -1

    def __str__(self) -> str:
        return f"DISTINCT {self.name}"


@dataclass(frozen=True)
class NumberLiteral(Expr):
    value: float

    def __str__(self) -> str:
        return format_float(self.value, "f", 3)


@dataclass(frozen=True)
class IntegerLiteral(Expr):
    value: int

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class StringLiteral(Expr):
    value: str

    def __str__(self) -> str:
        return quote_string(self.value)


@dataclass(frozen=True)
class BooleanLiteral(Expr):
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass(frozen=True)
class DurationLiteral(Expr):
    value: int  # ns

    def __str__(self) -> str:
        return format_duration(self.value)


@dataclass(frozen=True)
class TimeLiteral(Expr):
    value: int  # ns since the epoch

    def __str__(self) -> str:
        return "'" + format_time_rfc3339nano(self.value) + "'"


@dataclass(frozen=True)
class RegexLiteral(Expr):
    pattern: str  # Go regexp syntax, as written between the slashes (escaped slashes undone)

    def __str__(self) -> str:
        return "/" + self.pattern.replace("/", "\\/") + "/"


@dataclass(frozen=True)
class Wildcard(Expr):
    type: str = ""  # "", field, tag

    def __str__(self) -> str:
        return f"*::{self.type}" if self.type else "*"


@dataclass(frozen=True)
class BinaryExpr(Expr):
    op: str  # AND OR = != < <= > >= =~ !~ + - * / % & | ^
    lhs: Expr
    rhs: Expr

    def __str__(self) -> str:
        return f"{self.lhs} {self.op} {self.rhs}"


@dataclass(frozen=True)
class ParenExpr(Expr):
    expr: Expr

    def __str__(self) -> str:
        return f"({self.expr})"


@dataclass(frozen=True)
class Field:
    expr: Expr
    alias: str = ""

    def __str__(self) -> str:
        return f"{self.expr} AS {quote_ident(self.alias)}" if self.alias else str(self.expr)

    @property
    def name(self) -> str:
        """influxql Field.Name(): the alias, else the call's or variable's name (binary: joined by _)."""
        if self.alias:
            return self.alias
        return expr_name(self.expr)


def expr_name(expr: Expr) -> str:
    if isinstance(expr, Call):
        return expr.name
    if isinstance(expr, Distinct):
        return "distinct"
    if isinstance(expr, BinaryExpr):
        return "_".join(_binary_names(expr))
    if isinstance(expr, ParenExpr):
        return expr_name(expr.expr)
    if isinstance(expr, VarRef):
        return expr.name
    return ""


def _binary_names(expr: Expr) -> list[str]:
    if isinstance(expr, VarRef):
        return [expr.name]
    if isinstance(expr, Call):
        return [expr.name]
    if isinstance(expr, Distinct):
        return ["distinct"]
    if isinstance(expr, BinaryExpr):
        return _binary_names(expr.lhs) + _binary_names(expr.rhs)
    if isinstance(expr, ParenExpr):
        return _binary_names(expr.expr)
    return []


@dataclass(frozen=True)
class Measurement:
    database: str = ""
    retention_policy: str = ""
    name: str = ""
    regex: RegexLiteral | None = None

    def __str__(self) -> str:
        text = ""
        if self.database:
            text += quote_ident(self.database) + "."
        if self.retention_policy:
            text += quote_ident(self.retention_policy)
        if self.database or self.retention_policy:
            text += "."
        if self.name:
            text += quote_ident(self.name)
        elif self.regex is not None:
            text += str(self.regex)
        return text


FILL_NULL, FILL_NONE, FILL_NUMBER, FILL_PREVIOUS, FILL_LINEAR = "null", "none", "number", "previous", "linear"


@dataclass(frozen=True)
class SelectStatement:
    fields: tuple[Field, ...]
    sources: tuple[Measurement, ...]
    condition: Expr | None = None
    dimensions: tuple[Expr, ...] = ()
    fill: str = FILL_NULL
    fill_value: int | float | None = None
    descending: bool = False
    sort_fields: tuple[tuple[str, bool], ...] = ()  # (name, ascending) as written; printed by str()
    limit: int = 0
    offset: int = 0
    slimit: int = 0
    soffset: int = 0

    def __str__(self) -> str:
        text = "SELECT " + ", ".join(str(field) for field in self.fields)
        if self.sources:
            text += " FROM " + ", ".join(str(source) for source in self.sources)
        if self.condition is not None:
            text += f" WHERE {self.condition}"
        if self.dimensions:
            text += " GROUP BY " + ", ".join(str(dimension) for dimension in self.dimensions)
        if self.fill == FILL_NONE:
            text += " fill(none)"
        elif self.fill == FILL_NUMBER:
            value = self.fill_value
            text += f" fill({format_float_v(value) if isinstance(value, float) else value})"
        elif self.fill == FILL_LINEAR:
            text += " fill(linear)"
        elif self.fill == FILL_PREVIOUS:
            text += " fill(previous)"
        if self.sort_fields:
            text += " ORDER BY " + ", ".join(
                (f"{name} " if name else "") + ("ASC" if ascending else "DESC") for name, ascending in self.sort_fields
            )
        if self.limit > 0:
            text += f" LIMIT {self.limit}"
        if self.offset > 0:
            text += f" OFFSET {self.offset}"
        if self.slimit > 0:
            text += f" SLIMIT {self.slimit}"
        if self.soffset > 0:
            text += f" SOFFSET {self.soffset}"
        return text

"""Problems found in a user's input, with where they are, and how they are shown.

Every stage reports through `Diagnostic` so that the CLI shows all of them alike:

    path:line:col: message
      source line
           ^
    hint: ...

Columns are 1-based. Kapacitor counts columns in bytes ("char M"); `Diagnostic.column` keeps
that byte column so positions compare equal to Kapacitor's, and the caret is placed by
converting it back to characters of the line.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """Where a piece of source text is: 1-based line and byte column of its start and end, and
    the offsets of both in the text."""

    line: int
    column: int
    end_line: int
    end_column: int
    offset: int = 0
    end_offset: int = 0

    @staticmethod
    def unknown() -> Span:
        return Span(0, 0, 0, 0)


ERROR = "error"
WARNING = "warning"
INFO = "info"  # a note about the input, neither a problem nor a risk


@dataclass(slots=True)
class Diagnostic:
    message: str
    line: int = 0  # 0 when the problem has no position (Kapacitor gives none for some)
    column: int = 0  # byte column, 1-based
    end_line: int = 0
    end_column: int = 0
    severity: str = ERROR
    code: str = ""  # a short stable identifier, e.g. "syntax", "unknown-property"
    hint: str | None = None
    # Kapacitor's own text for the same problem, when it differs from `message`.
    kapacitor_message: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        data = {
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line or self.line,
            "end_column": self.end_column or self.column,
            "code": self.code,
            "message": self.message,
        }
        if self.hint:
            data["hint"] = self.hint
        if self.kapacitor_message:
            data["kapacitor_message"] = self.kapacitor_message
        return data


def diagnostic_at(
    span: Span | None,
    message: str,
    *,
    severity: str = ERROR,
    code: str = "",
    hint: str | None = None,
    kapacitor_message: str | None = None,
) -> Diagnostic:
    """A Diagnostic covering an AST span (None: a problem without a position)."""
    if span is None:
        return Diagnostic(message, severity=severity, code=code, hint=hint, kapacitor_message=kapacitor_message)
    return Diagnostic(
        message,
        line=span.line,
        column=span.column,
        end_line=span.end_line,
        end_column=span.end_column,
        severity=severity,
        code=code,
        hint=hint,
        kapacitor_message=kapacitor_message,
    )


class TickpyError(Exception):
    """An error that carries diagnostics; the CLI prints them instead of a traceback."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = diagnostics
        super().__init__(diagnostics[0].message if diagnostics else "error")


def byte_column_to_char_index(line_text: str, byte_column: int) -> int:
    """0-based character index in `line_text` of the 1-based byte column."""
    try:
        encoded = line_text.encode("utf-8")
    except UnicodeEncodeError:  # bytes that were not UTF-8, kept as surrogate escapes: one byte each
        remaining = byte_column - 1
        for index, char in enumerate(line_text):
            size = 1 if "\udc80" <= char <= "\udcff" else len(char.encode("utf-8", "replace"))
            if size > remaining:
                return index
            remaining -= size
        return len(line_text)
    prefix = encoded[: max(byte_column - 1, 0)]
    return len(prefix.decode("utf-8", errors="ignore"))


_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def printable(char: str) -> str:
    """`char` itself, or an escape (`\\x1b`, `\\u202e`) for a control, format (bidi) or
    unassigned character; a byte that was not UTF-8 (a surrogate escape) shows as `\\xNN`."""
    if " " <= char <= "~":
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if unicodedata.category(char) not in _UNPRINTABLE_CATEGORIES:
        return char
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str, multiline: bool = False) -> str:
    """`text` with control, format (bidi) and unassigned characters written as escapes (`\\x1b`,
    `\\u202e`, `\\x0d`): text from data (a tag value, a rejected input line, a case name) must not
    drive the terminal, and XML 1.0 forbids most control characters even as character
    references, so one would make a CI server reject a whole JUnit report. Line breaks stay in
    `multiline` text; tabs always stay."""
    if text.isprintable():
        return text
    keep = "\t\n" if multiline else "\t"
    return "".join(char if char in keep else printable(char) for char in text)


def display_path(path: str) -> str:
    """A file name as text: bytes of it that are not UTF-8 (surrogate escapes from the file
    system) show as U+FFFD, since they cannot be written into JSON or UTF-8 output as they are."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def render(diagnostic: Diagnostic, path: str, source: str | None, color: bool = False) -> str:
    """The human form of a diagnostic: location, message, source line, caret, hint."""
    red, yellow, bold, reset = ("\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m") if color else ("",) * 4
    severity_color = red if diagnostic.severity == ERROR else yellow
    where = path
    if diagnostic.line:
        where += f":{diagnostic.line}:{diagnostic.column}"
    out = [f"{bold}{where}:{reset} {severity_color}{diagnostic.severity}:{reset} {diagnostic.message}"]
    if source is not None and diagnostic.line:
        lines = source.split("\n")  # Kapacitor counts lines by "\n" only; an error at the end of a final newline is on the empty last line
        if 0 < diagnostic.line <= len(lines):
            text = lines[diagnostic.line - 1].rstrip("\r").replace("\t", " ")
            # Very long lines (minified input) are cut around the caret.
            start_char = byte_column_to_char_index(text, diagnostic.column)
            window_start = max(0, start_char - 60)
            shown = text[window_start : window_start + 120]
            caret_at = start_char - window_start
            width = 1
            if diagnostic.end_line == diagnostic.line and diagnostic.end_column > diagnostic.column:
                end_char = byte_column_to_char_index(text, diagnostic.end_column)
                width = max(1, min(end_char - start_char, len(shown) - caret_at))
            # Control and escape characters are shown escaped, so that a file cannot drive
            # the terminal; the caret moves with the text it points at.
            escaped = [printable(char) for char in shown]
            width = max(1, sum(len(piece) for piece in escaped[caret_at : caret_at + width]))
            caret_at = sum(len(piece) for piece in escaped[:caret_at])
            shown = "".join(escaped)
            out.append(f"  {shown}")
            out.append(f"  {' ' * caret_at}{severity_color}{'^' * width}{reset}")
    if diagnostic.hint:
        out.append(f"  hint: {diagnostic.hint}")
    return "\n".join(out)


def to_json_line(path: str, ok: bool, diagnostics: list[Diagnostic], **extra) -> str:
    """One file's result in the machine format of `tickpy validate --format json`."""
    record = {"path": path, "ok": ok, "diagnostics": [d.to_json() for d in diagnostics]}
    record.update(extra)
    return json.dumps(record, ensure_ascii=False)


__all__ = ["Diagnostic", "TickpyError", "diagnostic_at", "display_path", "printable", "render", "to_json_line", "visible", "ERROR", "WARNING", "INFO", "asdict"]

"""A script's text as every command reads it (validate, parse, fmt, run), and as diagnostics show it.

Bytes that are not UTF-8 are kept as surrogate escapes, so fmt writes them back unchanged and
every command sees the same text (a regex literal holding one is the same error everywhere).
"""

from __future__ import annotations

import pathlib
import re
import sys

_UNDECODABLE = re.compile("[\\udc80-\\udcff]")


def read_script(path: str) -> str:
    """A script's text (`-`: standard input); bytes that are not UTF-8 are kept (as surrogate escapes)."""
    data = sys.stdin.buffer.read() if path == "-" else pathlib.Path(path).read_bytes()
    return data.decode("utf-8", "surrogateescape")


def shown_source(source: str) -> str:
    """A script's text for the source line under a diagnostic: bytes that were not UTF-8 show
    as "?", one byte each, so the caret stays in place."""
    return _UNDECODABLE.sub("?", source)


def shown_message(text: str) -> str:
    """A rendered diagnostic for a text stream: bytes that were not UTF-8 (in the text of a
    literal it quotes) show as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

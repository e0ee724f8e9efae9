"""Go strings: byte sequences that need not be valid UTF-8.

tickpy holds a Go string as a Python str; bytes of a cut UTF-8 sequence (after
`strSubstring`, say) are kept as lone surrogates (Python's surrogateescape), so that the
bytes survive and Go's byte-wise operations can be reproduced.
"""

from __future__ import annotations

import codecs
import re


def go_bytes(text: str) -> bytes:
    """The bytes of a string as Go holds them. Strings cut inside a UTF-8 sequence (by
    `strSubstring`) keep their raw bytes as lone surrogates (Python's surrogateescape)."""
    return text.encode("utf-8", "surrogateescape")


def from_go_bytes(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _byte_by_byte(error: UnicodeDecodeError) -> tuple[str, int]:
    return "\ufffd", error.start + 1


codecs.register_error("tickpy-go-replace", _byte_by_byte)


_RAW_BYTE = re.compile("[\udc80-\udcff]")


def join_text(left: str, right: str) -> str:
    """Go's string concatenation: raw bytes on both sides may complete a UTF-8 sequence."""
    joined = left + right
    if joined.isascii() or _RAW_BYTE.search(joined) is None:
        return joined
    return from_go_bytes(go_bytes(joined))


def go_text(text: str) -> str:
    """A string as Go prints or JSON-encodes it: each byte of an invalid UTF-8 sequence
    becomes U+FFFD."""
    if text.isascii() or not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    return go_bytes(text).decode("utf-8", "tickpy-go-replace")

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


def _byte_by_byte(error: UnicodeError) -> tuple[str, int]:
    # Registered for decoding only; an encode or translate error is not ours to mend.
    if not isinstance(error, UnicodeDecodeError):
        raise error
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


# --- package strings: byte offsets, one rune per character --------------------------------------


def index(text: str, sub: str) -> int:
    """Go's strings.Index: the byte offset of the first `sub`, or -1."""
    return go_bytes(text).find(go_bytes(sub))


def last_index(text: str, sub: str) -> int:
    """Go's strings.LastIndex: the byte offset of the last `sub`, or -1."""
    return go_bytes(text).rfind(go_bytes(sub))


def index_any(text: str, chars: str) -> int:
    """Go's strings.IndexAny: the byte offset of the first character that is in `chars`, or -1."""
    if not chars:
        return -1
    offset = 0
    for char in text:
        if char in chars:
            return offset
        offset += len(go_bytes(char))
    return -1


def last_index_any(text: str, chars: str) -> int:
    """Go's strings.LastIndexAny: the byte offset of the last character that is in `chars`, or -1."""
    if not chars:
        return -1
    found = -1
    offset = 0
    for char in text:
        if char in chars:
            found = offset
        offset += len(go_bytes(char))
    return found


def contains_any(text: str, chars: str) -> bool:
    """Go's strings.ContainsAny."""
    return index_any(text, chars) >= 0


def count(text: str, sub: str) -> int:
    """Go's strings.Count: non-overlapping `sub`s; for "" the number of runes plus one (a raw
    byte is one rune, as it is one character here)."""
    return text.count(sub)


def replace(text: str, old: str, new: str, n: int) -> str:
    """Go's strings.Replace: the first n `old`s (all when n < 0) by `new`; an empty `old`
    matches before each rune and at the end. Raw bytes joined by the replacement may complete
    a UTF-8 sequence."""
    if old == new or n == 0:
        return text
    if n < 0:
        return from_go_bytes(go_bytes(text.replace(old, new)))
    return from_go_bytes(go_bytes(text.replace(old, new, min(n, 1 << 62))))


# Go's unicode.IsSpace (Python's isspace also counts U+001C..U+001F).
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def trim_space(text: str) -> str:
    """Go's strings.TrimSpace."""
    return text.strip(_SPACE)


# Go's unicode.ToUpper/ToLower map one rune to one rune; Python's may expand ("ß".upper()).
_SIMPLE_LOWER_OVERRIDES = {"\u0130": "i"}


def to_upper(text: str) -> str:
    """Go's strings.ToUpper (invalid bytes become U+FFFD)."""
    if text.isascii():
        return text.upper()
    out = []
    for char in go_text(text):
        upper = char.upper()
        if len(upper) != 1:
            # Go maps one rune to one rune (simple case mapping): where Python's full
            # mapping expands, the titlecase form is the simple uppercase when it is one rune.
            title = char.title()
            upper = title if len(title) == 1 else char
        out.append(upper)
    return "".join(out)


def to_lower(text: str) -> str:
    """Go's strings.ToLower (invalid bytes become U+FFFD)."""
    if text.isascii():
        return text.lower()
    out = []
    for char in go_text(text):
        if char in _SIMPLE_LOWER_OVERRIDES:
            out.append(_SIMPLE_LOWER_OVERRIDES[char])
            continue
        lower = char.lower()
        out.append(lower if len(lower) == 1 else char)
    return "".join(out)

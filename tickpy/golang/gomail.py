"""Go's mime (RFC 2047 Q-encoding), mime/quotedprintable and net/mail address parsing, as the
gomail package Kapacitor's smtp service uses them."""

from __future__ import annotations

from tickpy.golang.goformat import go_quote, quote_rune
from tickpy.golang.gostrings import go_bytes

# --- mime and mime/quotedprintable ------------------------------------------------------------

_HEX = "0123456789ABCDEF"
_Q_WORD_CONTENT = 75 - len("=?UTF-8?q?") - len("?=")  # RFC 2047 limit on one encoded-word


def q_encode(text: str) -> str:
    """mime.QEncoding.Encode("UTF-8", text): unchanged unless it has a control or non-ASCII
    character; then RFC 2047 encoded-words, split so none exceeds 75 bytes or cuts a character."""
    data = go_bytes(text)
    if all(32 <= b <= 126 or b == 9 for b in data):
        return text
    words: list[str] = []
    current: list[str] = []
    length = 0
    i = 0
    while i < len(data):
        b = data[i]
        if 32 <= b <= 126 and b not in b"=?_":
            size, encoded_length = 1, 1
        else:
            size = _utf8_sequence_length(data, i)
            encoded_length = 3 * size
        if length + encoded_length > _Q_WORD_CONTENT:
            words.append("".join(current))
            current, length = [], 0
        for c in data[i:i + size]:
            if c == 32:
                current.append("_")
            elif 33 <= c <= 126 and c not in b"=?_":
                current.append(chr(c))
            else:
                current.append(f"={_HEX[c >> 4]}{_HEX[c & 15]}")
        length += encoded_length
        i += size
    words.append("".join(current))
    return " ".join(f"=?UTF-8?q?{word}?=" for word in words)


def _utf8_sequence_length(data: bytes, i: int) -> int:
    """Bytes of the UTF-8 character at i, as utf8.DecodeRune counts them (1 for an invalid byte)."""
    lead = data[i]
    size = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 1
    try:
        data[i:i + size].decode("utf-8")
    except UnicodeDecodeError:
        return 1
    return size


def quoted_printable(text: str) -> str:
    """mime/quotedprintable.Writer in text mode: lines end in CRLF, '=' and non-ASCII bytes as =XX,
    a space or tab before a line end encoded, soft line breaks keep lines within 76 characters."""
    out: list[str] = []
    line: list[str] = []  # the current line's characters, as the writer buffers them
    after_cr = False

    def flush_with(ending: str):
        out.append("".join(line) + ending)
        line.clear()

    def encode(b: int):
        if 76 - 1 - len(line) < 3:
            flush_with("=\r\n")
        line.extend(f"={_HEX[b >> 4]}{_HEX[b & 15]}")

    def encode_trailing_space():
        if line and line[-1] in " \t":
            encode(ord(line.pop()))

    for b in go_bytes(text):
        if (33 <= b <= 126 and b != 61) or b in (32, 9):
            if len(line) == 76 - 1:
                flush_with("=\r\n")
            line.append(chr(b))
            after_cr = False
        elif b in (10, 13):
            if after_cr and b == 10:
                after_cr = False
                continue
            after_cr = b == 13
            encode_trailing_space()
            flush_with("\r\n")
        else:
            encode(b)
    encode_trailing_space()
    out.append("".join(line))
    return "".join(out)


# --- net/mail --------------------------------------------------------------------------------------


class AddressError(ValueError):
    """net/mail's error for an address it cannot parse (str() is Go's text)."""


_ATEXT_SPECIALS = set("!#$%&'*+-/=?^_`{|}~")


def _is_atext(c: str, dot: bool, permissive: bool) -> bool:
    if c == ".":
        return dot
    if c in "()<>[]:;@\\,\"":
        return permissive and c not in '<>:"'
    if c.isascii():
        return c.isalnum() or c in _ATEXT_SPECIALS
    return True  # any non-ASCII rune is atext (RFC 6532)


class _AddressParser:
    def __init__(self, text: str):
        self.s = text

    def skip_space(self):
        self.s = self.s.lstrip(" \t")

    def consume(self, c: str) -> bool:
        if self.s.startswith(c):
            self.s = self.s[1:]
            return True
        return False

    def atom(self, dot: bool, permissive: bool) -> str:
        i = 0
        while i < len(self.s) and _is_atext(self.s[i], dot, permissive):
            if "\udc80" <= self.s[i] <= "\udcff":
                raise AddressError(f"mail: invalid utf-8 in address: {go_quote(self.s)}")
            i += 1
        if i == 0:
            raise AddressError("mail: invalid string")
        atom, self.s = self.s[:i], self.s[i:]
        if not permissive:
            if atom.startswith("."):
                raise AddressError("mail: leading dot in atom")
            if ".." in atom:
                raise AddressError("mail: double dot in atom")
            if atom.endswith("."):
                raise AddressError("mail: trailing dot in atom")
        return atom

    def quoted_string(self) -> str:
        i, chars, escaped = 1, [], False
        while True:
            if i >= len(self.s):
                raise AddressError("mail: unclosed quoted-string")
            c = self.s[i]
            if "\udc80" <= c <= "\udcff":
                raise AddressError(f"mail: invalid utf-8 in quoted-string: {go_quote(self.s)}")
            visible = "!" <= c <= "~" or ord(c) >= 0x80
            if escaped:
                if not visible and c not in " \t":
                    raise AddressError(f"mail: bad character in quoted-string: {quote_rune(ord(c))}")
                chars.append(c)
                escaped = False
            elif c == '"':
                break
            elif c == "\\":
                escaped = True
            elif visible or c in " \t":
                chars.append(c)
            else:
                raise AddressError(f"mail: bad character in quoted-string: {quote_rune(ord(c))}")
            i += 1
        self.s = self.s[i + 1:]
        return "".join(chars)

    def addr_spec(self) -> str:
        saved = self.s
        try:
            self.skip_space()
            if not self.s:
                raise AddressError("mail: no addr-spec")
            if self.s.startswith('"'):
                local = self.quoted_string()
                if not local:
                    raise AddressError("mail: empty quoted string in addr-spec")
            else:
                local = self.atom(True, False)
            if not self.consume("@"):
                raise AddressError("mail: missing @ in addr-spec")
            self.skip_space()
            if not self.s:
                raise AddressError("mail: no domain in addr-spec")
            if self.s.startswith("["):
                end = self.s.find("]")
                if end < 0:
                    raise AddressError("mail: unclosed domain-literal")
                domain, self.s = self.s[:end + 1], self.s[end + 1:]
            else:
                domain = self.atom(True, False)
            return f"{local}@{domain}"
        except AddressError:
            self.s = saved
            raise

    def phrase(self) -> str:
        words = []
        while True:
            self.skip_space()
            if not self.s:
                break
            try:
                words.append(self.quoted_string() if self.s.startswith('"') else self.atom(True, True))
            except AddressError as err:
                if not words:
                    raise AddressError(f"mail: missing word in phrase: {err}") from None
                break
        return " ".join(words)

    def single_address(self) -> str:
        self.skip_space()
        if not self.s:
            raise AddressError("mail: no address")
        try:
            spec = self.addr_spec()
        except AddressError:
            spec = None
        if spec is None:
            name = "" if self.s.startswith("<") else self.phrase()
            self.skip_space()
            if not self.consume("<"):
                if all(_is_atext(c, True, False) for c in name):
                    raise AddressError("mail: missing '@' or angle-addr")
                raise AddressError("mail: no angle-addr")
            spec = self.addr_spec()
            if not self.consume(">"):
                raise AddressError("mail: unclosed angle-addr")
        self.skip_space()
        if self.s:
            raise AddressError(f"mail: expected single address, got {go_quote(self.s)}")
        return spec


def parse_address(text: str) -> str:
    """The addr-spec of Go's net/mail.ParseAddress (display names, quoted strings and domain
    literals; not comments or groups); AddressError with Go's text."""
    return _AddressParser(text).single_address()

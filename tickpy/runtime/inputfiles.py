"""Point inputs as they arrive: gzip data read as what it holds, and what the first bytes of an
input say about it when they do not look like line protocol.

    open_input(handle) -> binary file    the handle, or a GzipInput over it (gzip's magic bytes)
    first_block(handle) -> bytes          what the handle holds at its start, not consumed
    input_notes(first_bytes) -> [str]     a UTF-8 byte order mark, Windows line endings, or mostly
                                          bytes that are not text: each worth one note to the user
    InputBytes(names)                     how many of the inputs' bytes were read, of how many,
                                          when every input is a regular file (for a progress line)

None of this changes what is read: InfluxDB's parser (and so Kapacitor) rejects or keeps such
lines as it does; the notes say why so many lines fail, once, instead of leaving it to be guessed
from every rejected line.
"""

from __future__ import annotations

import codecs
import io
import os
import stat

__all__ = ["GzipInput", "InputBytes", "open_input", "first_block", "input_notes", "SNIFF_BYTES"]

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 8192  # what a buffered reader holds after its first read: enough to judge by
_NOT_TEXT_SHARE = 0.1  # line protocol holds next to no control bytes; binary data is full of them


class GzipInput(io.BufferedIOBase):
    """The decompressed bytes of a gzip stream (members one after another, as gzip reads them).
    Data that is cut short or corrupt ends the bytes; `error` then says why."""

    def __init__(self, raw):
        import gzip  # deferred: start-up (only gzip input needs it)
        import zlib

        super().__init__()
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self._failures = (OSError, EOFError, zlib.error)
        self.error: str | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._guarded(self._gzip.read, -1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._guarded(self._gzip.read1, size)

    def peek(self, size: int = 0) -> bytes:
        return self._guarded(self._gzip.peek, size)

    def _guarded(self, read, size: int) -> bytes:
        if self.error is not None:
            return b""
        try:
            return read(size)
        except self._failures as error:
            self.error = str(error) or type(error).__name__
            return b""


def _first_bytes(handle, size: int) -> bytes:
    peek = getattr(handle, "peek", None)
    return peek(size)[:size] if peek is not None else b""


def open_input(handle):
    """`handle` (a binary file with peek(), as open(..., "rb") and sys.stdin.buffer are), or a
    GzipInput over it when it starts with gzip's magic bytes, whatever the file is called."""
    if _first_bytes(handle, 2) == GZIP_MAGIC:
        return GzipInput(handle)
    return handle


def first_block(handle) -> bytes:
    """The bytes the handle already holds at its start (up to SNIFF_BYTES), without consuming them."""
    return _first_bytes(handle, SNIFF_BYTES)


def input_notes(data: bytes) -> list[str]:
    """What the first bytes of an input say about it, one sentence per finding."""
    if not data:
        return []
    # Not final: a character cut by the end of the block is held back, not counted as stray bytes.
    text = codecs.getincrementaldecoder("utf-8")("surrogateescape").decode(data)
    not_text = sum(1 for char in text if (char < " " and char not in "\t\n\r") or "\udc80" <= char <= "\udcff"
                   or char == "\x7f")
    if not_text >= max(1, _NOT_TEXT_SHARE * len(text)):
        return [f"this does not look like line protocol: {not_text} of its first {len(data)} bytes are not "
                "text (binary or compressed data? gzip input is read as such; other formats need "
                "decompressing first)"]
    notes = []
    if data.startswith(b"\xef\xbb\xbf"):
        notes.append("it starts with a UTF-8 byte order mark (EF BB BF), which InfluxDB's parser, as Kapacitor "
                     "uses it, keeps as part of the first line ('\\ufeffcpu' is not the measurement 'cpu'); "
                     "save the input without it")
    if b"\r\n" in data:
        notes.append("it has Windows line endings (\\r\\n): InfluxDB's parser, as Kapacitor uses it, takes each "
                     "\\r as part of its line, so such lines are rejected (the \\r shows as \\x0d) or keep it "
                     "in their last value; convert the input first (dos2unix, or tr -d '\\r')")
    return notes


class InputBytes:
    """How far reading the inputs has got, in bytes as stored: a gzip file counts by its
    compressed bytes, which its size is. `total` is None unless every input is a regular file
    (pipes and terminals have no size to measure against; standard input redirected from a file,
    `< points.lp`, has: no INPUT or "-" is standard input)."""

    def __init__(self, names: tuple[str, ...]):
        names = names or ("-",)
        sizes = [_regular_file_size(name) if name != "-" else _stdin_size() for name in names]
        known = [size for size in sizes if size is not None]
        self.total: int | None = sum(known) if len(known) == len(sizes) else None
        self._finished = 0  # bytes of the inputs already read to their end
        self._current = None

    def start(self, handle) -> None:
        """`handle` (a binary file as opened, before any decompression) is now being read."""
        self._current = handle

    def finish(self) -> None:
        """The current input has been read (its handle is about to close)."""
        if self._current is not None and self.total is not None:
            self._finished += self._current.tell()
        self._current = None

    def read(self) -> int:
        """Bytes read so far; reading runs ahead of the points handed on by one buffer at most."""
        if self.total is None:
            return 0
        current = self._current.tell() if self._current is not None else 0
        return self._finished + current


def _stdin_size() -> int | None:
    """The size of the file standard input reads, when it is one (tell() then counts from its
    start, so the size is the whole file's)."""
    try:
        info = os.fstat(0)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _regular_file_size(name: str) -> int | None:
    try:
        info = os.stat(name)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None

"""Written points as InfluxDB 1.x and Kapacitor accept them: line protocol in a (gzip) body, with
`db`, `rp` and `precision`; what is rejected is said in InfluxDB's words."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field

from tickpy.runtime.lineprotocol import LineError, read_points

# InfluxDB's precision names (n, u) and tickpy's (ns, us).
PRECISIONS = {"": "ns", "n": "ns", "ns": "ns", "u": "us", "us": "us", "ms": "ms", "s": "s", "m": "m", "h": "h"}


class WriteRefused(Exception):
    """The whole write is refused: `status` and InfluxDB's error text."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class ParsedWrite:
    points: list
    errors: list[LineError] = field(default_factory=list)

    def error_text(self) -> str | None:
        """InfluxDB's answer when some lines were rejected: the parse errors, one a line, and
        for a write that kept some points, its partial-write form."""
        if not self.errors:
            return None
        reasons = "\n".join(error.reason for error in self.errors)
        if not self.points:
            return reasons
        return f"partial write: {reasons} dropped={len(self.errors)}"


def gunzip(body: bytes, limit: int) -> bytes:
    """A gzip body, decompressed to at most `limit` bytes (a small body cannot become a large one)."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, limit + 1)
    except zlib.error as error:
        raise WriteRefused(400, f"gzip: invalid body: {error}") from None
    if len(data) > limit:
        raise WriteRefused(413, f"request body too large: more than {limit} bytes once decompressed")
    if not decompressor.eof:
        raise WriteRefused(400, "unexpected EOF")
    return data


def parse_write(body: bytes, *, database: str, retention_policy: str, precision: str,
                max_line_bytes: int) -> ParsedWrite:
    """The points of a write body (already decompressed). Lines longer than `max_line_bytes`
    are rejected without being parsed."""
    unit = PRECISIONS.get(precision)
    if unit is None:
        raise WriteRefused(400, f"invalid precision {precision!r}: use one of n, ns, u, us, ms, s, m, h")
    errors: list[LineError] = []
    if len(body) > max_line_bytes:
        body = _without_long_lines(body, max_line_bytes, errors)
    points = list(read_points(body, precision=unit, source_name="<write>", now=time.time_ns(),
                              on_error=errors.append, database=database, retention_policy=retention_policy))
    return ParsedWrite(points, errors)


def _without_long_lines(body: bytes, limit: int, errors: list[LineError]) -> bytes:
    lines = body.split(b"\n")
    if max(map(len, lines)) <= limit:
        return body
    kept = []
    for number, line in enumerate(lines, 1):
        if len(line) > limit:
            errors.append(LineError("<write>", number, f"unable to parse '{line[:200].decode('utf-8', 'replace')}...': "
                                                       f"line too long ({len(line)} bytes, the limit is {limit})"))
            kept.append(b"")  # keeps the other lines' numbers
        else:
            kept.append(line)
    return b"\n".join(kept)

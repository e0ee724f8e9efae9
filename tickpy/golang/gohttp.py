"""Go's net/http, net/url and path behaviour that decides what a request looks like or whether it
can be made at all."""

from __future__ import annotations

import re
from urllib.parse import quote_plus, unquote, urlsplit

from tickpy.golang.gostrings import go_bytes


def canonical_header_key(key: str) -> str:
    """Go's textproto.CanonicalMIMEHeaderKey: content-type -> Content-Type."""
    if not key or any(c in key for c in " :\t\r\n"):
        return key
    return "-".join(part[:1].upper() + part[1:].lower() for part in key.split("-"))


def port_number(text: str) -> int | None:
    """The number a port's ASCII digits spell (any number past 65535 as 65536), or None when
    `text` holds anything but digits: what Go's dialer checks (net's parsePort), never int()
    on unbounded text."""
    if not (text.isascii() and text.isdigit()):
        return None
    significant = text.lstrip("0")
    return int(significant or "0") if len(significant) <= 5 else 65536


def url_port_problem(url: str) -> str | None:
    """What is wrong with the URL's port, or None. Go's url.Parse takes any digits; its dialer
    then fails every request with "invalid port", so tickpy says it before the run."""
    port_text = urlsplit(url).netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
    if port_text and not 0 < (port_number(port_text) or 0) < 65536:
        return f"url {url!r}: invalid port {port_text!r} (1 to 65535)"
    return None


def values_encode(values: dict[str, str]) -> str:
    """Go's url.Values.Encode() of single values: keys sorted (by their bytes), QueryEscape'd
    (space as '+')."""
    return "&".join(f"{quote_plus(go_bytes(key), safe='')}={quote_plus(go_bytes(values[key]), safe='')}"
                    for key in sorted(values, key=go_bytes))


def clean_path(path: str) -> str:
    """Go's path.Clean: single slashes, no "." elements, ".." resolved (never above the root)."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    return "/" + cleaned if rooted else cleaned or "."


_PATH_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~$&+,/:;=@")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def join_url(base: str, elements: tuple, query: str | None = None) -> str:
    """Go's url.Parse(base), Path = path.Join(Path, elements...), RawQuery replaced when `query` is
    given, then url.URL.String(): the joined path re-escaped as EscapedPath does. ValueError with
    url.Parse's text when the base does not parse."""
    bad = _BAD_ESCAPE.search(base)
    if bad:
        raise ValueError(f'parse "{base}": invalid URL escape "{base[bad.start():bad.start() + 3]}"')
    try:
        parts = urlsplit(base)
    except ValueError as err:
        raise ValueError(f'parse "{base}": {err}') from None
    joined = clean_path("/".join(p for p in (unquote(parts.path), *elements) if p))
    path = "".join(chr(b) if b in _PATH_KEEP else f"%{b:02X}" for b in go_bytes(joined))
    text = parts.scheme + ":" if parts.scheme else ""
    if parts.netloc or (parts.scheme and path):
        text += "//" + parts.netloc
        if path and not path.startswith("/"):
            path = "/" + path
    elif not parts.scheme and ":" in path.split("/", 1)[0]:
        path = "./" + path  # a first segment with a colon would read as a scheme
    text += path
    query = parts.query if query is None else query
    if query:
        text += "?" + query
    if parts.fragment:
        text += "#" + parts.fragment
    return text

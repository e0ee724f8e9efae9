"""Go's net/http and net/url behaviour that decides what a request looks like or whether it can
be made at all."""

from __future__ import annotations

from urllib.parse import urlsplit


def canonical_header_key(key: str) -> str:
    """Go's textproto.CanonicalMIMEHeaderKey: content-type -> Content-Type."""
    if not key or any(c in key for c in " :\t\r\n"):
        return key
    return "-".join(part[:1].upper() + part[1:].lower() for part in key.split("-"))


def url_port_problem(url: str) -> str | None:
    """What is wrong with the URL's port, or None. Go's url.Parse takes any digits; its dialer
    then fails every request with "invalid port", so tickpy says it before the run."""
    port_text = urlsplit(url).netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
    if port_text and not (port_text.isascii() and port_text.isdigit() and 0 < int(port_text) < 65536):
        return f"url {url!r}: invalid port {port_text!r} (1 to 65535)"
    return None

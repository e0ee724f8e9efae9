"""Checks of handler targets that can be done before the run."""

from __future__ import annotations

from tickpy.golang.gohttp import port_number


def split_host_port(address: str) -> tuple[str, int]:
    """(host, port) of `host:port` or `[v6]:port`; ValueError with Go's wording when malformed."""
    if address.startswith("["):
        end = address.find("]")
        if end < 0:
            raise ValueError(f"address {address}: missing ']' in address")
        host, rest = address[1:end], address[end + 1:]
        if not rest.startswith(":"):
            raise ValueError(f"address {address}: missing port in address")
        port_text = rest[1:]
    else:
        host, sep, port_text = address.rpartition(":")
        if not sep:
            raise ValueError(f"address {address}: missing port in address")
        if ":" in host:
            raise ValueError(f"address {address}: too many colons in address")
    port = port_number(port_text)
    if port is None or not 0 < port < 65536:
        raise ValueError(f"address {address}: invalid port {port_text!r}")
    return host or "localhost", port


def check_tcp_address(address: str) -> str | None:
    """The problem with a tcp handler's address, or None."""
    if not address:
        return "missing address (host:port)"
    try:
        split_host_port(address)
    except ValueError as err:
        return str(err)
    return None

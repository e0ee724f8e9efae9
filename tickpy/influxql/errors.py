"""The errors of InfluxQL statements: invalid, or outside what tickpy runs."""

from __future__ import annotations


class InfluxQLError(ValueError):
    """A syntax error, or a statement tickpy does not run; `offset` indexes the query text."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.message} at offset {self.offset}"


class InfluxQLUnsupported(InfluxQLError):
    """Valid InfluxQL that tickpy's engine does not run."""


def unsupported(what: str, offset: int) -> InfluxQLUnsupported:
    return InfluxQLUnsupported(f"not supported by tickpy: {what}", offset)


__all__ = ["InfluxQLError", "InfluxQLUnsupported", "unsupported"]

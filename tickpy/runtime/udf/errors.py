"""The error a UDF fails with (kept apart from the agent code, which the runtime's nodes do not
import unless a run has UDFs: it needs subprocess, sockets and selectors)."""

from __future__ import annotations


class UDFError(Exception):
    """A UDF failed: `udf` (its name), `reason`, `stderr` (an agent's last lines)."""

    def __init__(self, udf: str, reason: str, stderr: list[str] | None = None):
        super().__init__(f"UDF {udf}: {reason}")
        self.udf = udf
        self.reason = reason
        self.stderr = list(stderr or [])


__all__ = ["UDFError"]

"""Requests for monitoring systems."""

from __future__ import annotations

BUILDERS: dict = {}

"""Warnings Kapacitor does not give; they never change the verdict."""

from __future__ import annotations

from tickpy.check.pipeline import Pipeline
from tickpy.diagnostics import Diagnostic
from tickpy.syntax import ast


def lint_program(program: ast.Program, pipeline: Pipeline | None, source: str | None = None) -> list[Diagnostic]:
    return []

"""Errors of lambda compilation and evaluation.

Internally the evaluator raises `GoError` (Kapacitor's `error` values, with its exact text)
and `GoPanic` (a Go runtime panic such as an integer division by zero). The public API
turns them into `LambdaCompileError` and `LambdaRuntimeError`, which carry the stage
Kapacitor would report and the lambda's position in the script.
"""

from __future__ import annotations

from tickpy.diagnostics import Diagnostic, TickpyError


class GoError(Exception):
    """An `error` value of Kapacitor's evaluator; `str(e)` is Kapacitor's message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TypeGuardFailed(GoError):
    """Kapacitor's ErrTypeGuardFailed: a node was asked for a type it does not produce."""

    def __init__(self, requested: str, actual: str):
        super().__init__(f"TypeGuard: expression returned unexpected type {actual}, expected {requested}")
        self.requested = requested
        self.actual = actual


class MissingValueError(GoError):
    """An error that also carries a value, as Go's `(value, err)` pairs can: a reference to a
    missing field asked for `missing` returns the missing value *and* an error."""

    def __init__(self, message: str, value: object = None):
        super().__init__(message)
        self.value = value


class GoPanic(Exception):
    """A Go runtime panic (e.g. "runtime error: integer divide by zero")."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LambdaCompileError(TickpyError):
    """The lambda is rejected before any point is evaluated (Kapacitor: `stateful.NewExpression`)."""

    def __init__(self, kapacitor_message: str, line: int = 0, column: int = 0, end_line: int = 0, end_column: int = 0):
        diagnostic = Diagnostic(
            message=kapacitor_message,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            code="lambda-type",
            kapacitor_message=kapacitor_message,
        )
        super().__init__(diagnostic)
        self.kapacitor_message = kapacitor_message


class LambdaRuntimeError(Exception):
    """Evaluating the lambda on one point failed.

    `stage` is where Kapacitor fails: "scope" (a field and a tag share a name), "type"
    (predicate mode: the type check before evaluation), "eval", or "panic" (predicate
    mode: a Go runtime panic, which stops the task in Kapacitor).
    """

    def __init__(self, message: str, stage: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.stage = stage
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.message

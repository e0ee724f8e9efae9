"""Evaluate lambda cases in the conformance-case JSON format (used by `tickpy eval --jsonl`).

A case is `{"id", "expr", "fields", "tags", "time", "mode", "state_id"?}`; fields use the
typed encoding (`{"int": 5}`, `{"float": 2.5}` or "NaN"/"+Inf"/"-Inf", plain strings and
booleans). The answer is `{"id", "value", "type"}` (durations also get "text") or
`{"id", "error", "stage"}`. Cases sharing a `state_id` share one compiled expression and
one evaluator, in order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator

from tickpy.diagnostics import TickpyError
from tickpy.golang.goformat import not_finite_text
from tickpy.golang.gostrings import go_text
from tickpy.golang.gotime import days_from_civil, format_influx_duration
from tickpy.lang.compiler import CompiledLambda, Evaluator, compile_lambda
from tickpy.lang.errors import LambdaCompileError, LambdaRuntimeError
from tickpy.lang.values import Duration, type_of
from tickpy.syntax.parser import parse_lambda_expression

_RFC3339 = re.compile(
    r"(-?\d{4,9})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d\d):(\d\d))\Z"
)


def parse_time(text: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 timestamp (or an integer of nanoseconds)."""
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        if len(text.lstrip("-").lstrip("0")) > 19:  # past int64 (and past what int() reads)
            raise ValueError(f"invalid time: {len(text)} digits, more nanoseconds than 64 bits hold")
        return int(text)
    match = _RFC3339.match(text)
    if not match:
        raise ValueError(f"invalid time {text!r}: expected RFC 3339, e.g. 2024-01-01T00:00:00Z")
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    fraction = (match.group(7) or "").ljust(9, "0")
    seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    if match.group(9):
        offset = int(match.group(10)) * 3600 + int(match.group(11)) * 60
        seconds -= offset if match.group(9) == "+" else -offset
    return seconds * 1_000_000_000 + int(fraction)


def decode_field(value: object) -> object:
    if isinstance(value, dict):
        if "int" in value:
            return int(value["int"])
        raw = value["float"]
        if isinstance(raw, str):
            return {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf, "Inf": math.inf}[raw]
        return float(raw)
    return value


def encode_float(value: float) -> object:
    """A float as the cases encode it: NaN and infinities as strings, and zero unsigned (the
    cases' encoding writes Go's -0.0 as 0.0, so a negative zero is reported as 0.0 too)."""
    if value == 0:
        return 0.0
    special = not_finite_text(value)
    return value if special is None else special


def encode_value(value: object) -> dict:
    """`{"value", "type"}` as the cases' `expect` encodes a result."""
    kind = type_of(value)
    if type(value) is float:
        return {"value": encode_float(value), "type": kind}
    if type(value) is Duration:
        return {"value": value.nanoseconds, "type": kind, "text": format_influx_duration(value.nanoseconds)}
    if type(value) is str:
        return {"value": go_text(value), "type": kind}
    return {"value": value, "type": kind}


def _parse_error_text(error: TickpyError) -> str:
    diagnostic = error.diagnostics[0]
    return diagnostic.kapacitor_message or diagnostic.message


class CaseRunner:
    """Runs cases in order, keeping one compiled expression and evaluator per `state_id`."""

    def __init__(self) -> None:
        self._sequences: dict[str, tuple[CompiledLambda | None, Evaluator | None, dict | None]] = {}

    def _compile(self, case: dict) -> tuple[CompiledLambda | None, Evaluator | None, dict | None]:
        try:
            expression = parse_lambda_expression(case["expr"])
        except TickpyError as error:
            return None, None, {"error": _parse_error_text(error), "stage": "parse"}
        try:
            compiled = compile_lambda(expression, case.get("mode", "eval"))
        except LambdaCompileError as error:
            return None, None, {"error": error.kapacitor_message, "stage": "compile"}
        return compiled, compiled.new_evaluator(), None

    def run(self, case: dict) -> dict:
        state_id = case.get("state_id")
        if state_id and state_id in self._sequences:
            compiled, evaluator, failure = self._sequences[state_id]
        else:
            compiled, evaluator, failure = self._compile(case)
            if state_id:
                self._sequences[state_id] = (compiled, evaluator, failure)
        answer: dict = {"id": case.get("id")}
        if failure is not None:
            answer.update(failure)
            return answer
        assert evaluator is not None  # _compile gives an evaluator or a failure
        fields = {name: decode_field(value) for name, value in (case.get("fields") or {}).items()}
        tags = dict(case.get("tags") or {})
        time_ns = parse_time(case.get("time") or "1970-01-01T00:00:00Z")
        try:
            value = evaluator.evaluate(fields, tags, time_ns)
        except LambdaRuntimeError as error:
            answer.update({"error": error.message, "stage": error.stage})
            return answer
        answer.update(encode_value(value))
        return answer


def run_cases(cases: Iterable[dict]) -> Iterator[dict]:
    runner = CaseRunner()
    for case in cases:
        yield runner.run(case)

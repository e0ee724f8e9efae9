"""Handler `match` expressions, as Kapacitor evaluates them: a lambda body without `lambda:`.

Bare identifiers are the level constants OK, INFO, WARNING, CRITICAL (ints 0-3); any other
identifier is an error when the handler is built. Functions: `level()` (int), `changed()` (the
level differs from the previous level in the topic), `name()` (measurement), `taskName()`,
`alertDuration()` (Kapacitor's name; tickpy also accepts `duration()`). References (`"host"`)
are the event's tags; a missing tag makes the evaluation fail and the event is not handled.
"""

from __future__ import annotations

from typing import Callable

from tickpy.alerting.event import LEVEL_RANK, AlertEvent

MATCH_CONSTANTS = {"OK": 0, "INFO": 1, "WARNING": 2, "CRITICAL": 3}
MATCH_FUNCTIONS = ("level", "changed", "name", "taskName", "alertDuration", "duration")


class MatchError(ValueError):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def compile_match(text: str) -> Callable[[AlertEvent], bool]:
    raise MatchError("match expressions need tickpy's lambda compiler, which is not available yet")

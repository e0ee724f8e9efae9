"""Lambda expressions with Kapacitor's exact semantics, compiled to Python callables.

Public API (used by the engine, the validator and handler-file `match`):
    compile_lambda(expr, mode="predicate"|"eval", functions=None) -> CompiledLambda
    CompiledLambda.new_evaluator() -> Evaluator; Evaluator.evaluate(fields, tags, time_ns)
    CompiledLambda.references, CompiledLambda.result_type
    LambdaCompileError, LambdaRuntimeError(message, stage), LambdaFunction (extension hook)
"""

from tickpy.lang.compiler import CompiledLambda, Evaluator, compile_lambda
from tickpy.lang.errors import LambdaCompileError, LambdaRuntimeError
from tickpy.lang.functions import BUILTIN_FUNCTIONS, LambdaFunction

__all__ = [
    "BUILTIN_FUNCTIONS",
    "CompiledLambda",
    "Evaluator",
    "LambdaCompileError",
    "LambdaFunction",
    "LambdaRuntimeError",
    "compile_lambda",
]

"""Checking a parsed script the way Kapacitor's `define` does, producing its Pipeline.

- `build_pipeline(program, ...)` evaluates the script and returns the Pipeline, or raises
  TickpyError with the same verdict Kapacitor gives (message in TICKscript words,
  `kapacitor_message` in Kapacitor's).
- `check_program(...)` returns `(pipeline or None, diagnostics)` including lint warnings that
  never change the verdict.
"""

from __future__ import annotations

from typing import Any

from tickpy.check.evaluate import EvalError, Evaluator, UDFInfo, infer_task_type, sorted_nodes, to_pipeline
from tickpy.check.node_kinds import RuleError, node_kind
from tickpy.check.pipeline import HandlerSpec, Pipeline, PipelineNode, PropertyCall, TimeDimension
from tickpy.diagnostics import Diagnostic, TickpyError
from tickpy.syntax import ast

__all__ = [
    "build_pipeline",
    "check_program",
    "infer_task_type",
    "Pipeline",
    "PipelineNode",
    "PropertyCall",
    "HandlerSpec",
    "TimeDimension",
    "UDFInfo",
]


def has_template_vars(program: ast.Program) -> bool:
    return any(type(s) is ast.TypeDeclaration for s in program.statements)


def build_pipeline(
    program: ast.Program,
    *,
    task_type: str | None = None,
    variables: dict[str, Any] | None = None,
    udfs: dict[str, UDFInfo] | None = None,
    template: bool | None = None,
    dbrps: list[tuple[str, str]] | None = None,
) -> Pipeline:
    """Evaluate `program` into its Pipeline as `kapacitor define` would.

    task_type: "stream"/"batch", or None to infer it from the script like Kapacitor.
    variables: values for the script's vars, name -> (type name, value), as `define -vars` gives.
    udfs: the UDFs the server has, name -> UDFInfo; `@name()` fails for any other name.
    template: evaluate as `define-template` (vars without a value get zero values, and a task
    that does nothing is allowed). None: a template when the script declares typed vars and no
    variables are given.
    dbrps: the `-dbrp` values given to define; None skips the server's dbrp rule (a dbrp
    statement or -dbrp is required, not both).
    """
    if template is None:
        template = variables is None and has_template_vars(program)
    inferred = task_type or infer_task_type(program)
    if inferred not in ("stream", "batch"):
        raise TickpyError(
            Diagnostic(
                message="cannot tell whether this is a stream or a batch task: the script must start its chains "
                "from `stream` only or from `batch` only",
                code="task-type",
                hint="start the pipeline with `stream|from()...` or `batch|query(...)...`, or pass --type",
                kapacitor_message="invalid task type: invalid",
                extra={"stage": "type"},
            )
        )
    evaluator = Evaluator(inferred, variables=variables, udfs=udfs, template=template)
    try:
        evaluator.run(program)
    except EvalError as err:
        raise TickpyError(err.diagnostic) from None
    order = sorted_nodes(evaluator.sources)
    for node in order:
        rule = node_kind(node.type).check
        if rule is None:
            continue
        try:
            rule(node)
        except RuleError as err:
            span = err.span or node.span
            end_column = span.end_column if err.span else (span.column + len(node.name.encode()) if span.line else 0)
            raise TickpyError(
                Diagnostic(
                    message=f"{err.message}",
                    line=span.line,
                    column=span.column,
                    end_line=span.line,
                    end_column=end_column,
                    code="invalid-node",
                    hint=err.hint,
                    kapacitor_message=err.kapacitor,
                    extra={"stage": "pipeline", "kapacitor_has_position": False},
                )
            ) from None
    if not template and len(order) <= 1:
        raise TickpyError(
            Diagnostic(
                message="the task does nothing: no node follows the " + inferred + " source",
                code="task-does-nothing",
                hint="add the processing and output nodes, e.g. |from() ... |alert() or |influxDBOut()",
                kapacitor_message="task does nothing",
                extra={"stage": "task"},
            )
        )
    if dbrps is not None and not template:
        _check_dbrps(evaluator.dbrps, dbrps, program)
    return to_pipeline(evaluator)


def _check_dbrps(in_script: list, given: list, program: ast.Program) -> None:
    if not in_script and not given:
        raise TickpyError(
            Diagnostic(
                message="no database and retention policy: the task needs a dbrp statement or --dbrp",
                code="missing-dbrp",
                hint='add a line such as dbrp "telegraf"."autogen" at the top',
                kapacitor_message="must specify dbrp",
                extra={"stage": "dbrp"},
            )
        )
    if in_script and given:
        first = next(s for s in program.statements if type(s) is ast.DBRP)
        raise TickpyError(
            Diagnostic(
                message="the dbrp is given twice: in the script and with --dbrp",
                line=first.span.line,
                column=first.span.column,
                code="dbrp-twice",
                hint="keep one of them",
                kapacitor_message="cannot specify dbrp in both implicitly and explicitly",
                extra={"stage": "dbrp"},
            )
        )


def check_program(
    program: ast.Program,
    *,
    task_type: str | None = None,
    variables: dict[str, Any] | None = None,
    udfs: dict[str, UDFInfo] | None = None,
    template: bool | None = None,
    source: str | None = None,
    dbrps: list[tuple[str, str]] | None = None,
) -> tuple[Pipeline | None, list[Diagnostic]]:
    """The Pipeline (None when Kapacitor would reject the script) and every diagnostic: the
    error, if any, and lint warnings."""
    from tickpy.check.lints import lint_program  # deferred: start-up (a run never lints, ~10 ms)

    diagnostics: list[Diagnostic] = []
    pipeline: Pipeline | None = None
    try:
        pipeline = build_pipeline(
            program, task_type=task_type, variables=variables, udfs=udfs, template=template, dbrps=dbrps
        )
    except TickpyError as err:
        diagnostics.extend(err.diagnostics)
    try:
        diagnostics.extend(lint_program(program, pipeline, source=source))
    except Exception:  # a lint must never turn a verdict into a crash
        pass
    diagnostics.sort(key=lambda d: (d.line or 10**9, d.column, d.severity != "error"))
    return pipeline, diagnostics

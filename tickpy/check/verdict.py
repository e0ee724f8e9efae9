"""The verdict on one script, as `tickpy validate` gives it and `tickpy lsp` publishes it: the
syntax, `kapacitor define`'s checks and tickpy's lints, as diagnostics."""

from __future__ import annotations

from tickpy.check import check_program, has_template_vars, infer_task_type
from tickpy.diagnostics import ERROR, INFO, Diagnostic, TickpyError, diagnostic_at
from tickpy.syntax import ast, check_syntax, parse


def validate_source(
    source: str,
    path: str,
    *,
    task_type: str | None = None,
    variables=None,
    udfs=None,
    syntax_only: bool = False,
    dbrps=None,
):
    """(ok, diagnostics, task_type) for one script."""

    if syntax_only:
        diagnostics = list(check_syntax(source, path))
        return not any(d.severity == ERROR for d in diagnostics), diagnostics, None
    try:
        program = parse(source, path)
    except TickpyError as err:
        return False, list(err.diagnostics), None

    pipeline, diagnostics = check_program(
        program, task_type=task_type, variables=variables, udfs=udfs, source=source, dbrps=dbrps
    )
    if variables is None and has_template_vars(program):
        diagnostics.insert(0, _template_note(program))
    ok = pipeline is not None and not any(d.severity == ERROR for d in diagnostics)
    kind = pipeline.task_type if pipeline is not None else (task_type or infer_task_type(program))
    return ok, diagnostics, kind


def _template_note(program) -> Diagnostic:
    """Says that a script with typed vars (`var x string`) and no --vars is checked as a template."""

    declarations = [s for s in program.statements if type(s) is ast.TypeDeclaration]
    names = ", ".join(f"{d.name.name} {d.type_name.name}" for d in declarations)
    return diagnostic_at(
        declarations[0].span,
        f"a template task (vars: {names}): checked as `kapacitor define-template` would; "
        "a task made from it takes their values from -vars (`kapacitor define -template ... -vars`)",
        severity=INFO,
        code="template",
        hint="to check a task made from it, give the values with --vars FILE (the JSON of `kapacitor define -vars`)",
    )

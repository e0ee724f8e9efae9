"""`tickpy explain SCRIPT`: the pipeline in plain sentences, for teaching and review.

One numbered step per node, in the order the script builds them: what it selects, how it
groups, windows and aggregates, when each alert level fires and where events go. Words come
from the checked Pipeline (tickpy.check), so what is explained is what Kapacitor would run.
"""

from __future__ import annotations

import copy

from tickpy.check.node_kinds import node_kind
from tickpy.check.node_words import Unset, expression, label
from tickpy.check.pipeline import Pipeline, PipelineNode, PropertyCall
from tickpy.diagnostics import ERROR
from tickpy.lang.typecheck import check_lambda
from tickpy.syntax import ast


def _deadman_part(node: PipelineNode) -> str:
    """"Part of deadman() ..." for the derivative and alert nodes a deadman() built."""
    alert = node if node.type == "AlertNode" else next(iter(node.children), None) if node.type == "DerivativeNode" else None
    if alert is None or not alert.extra.get("deadman"):
        return ""
    derivative = alert.parents[0] if alert.parents else None
    stats = derivative.parents[0] if derivative is not None and derivative.parents else None
    return f"Part of deadman() (see {label(stats)}). " if stats is not None else "Part of deadman(). "


def describe(node: PipelineNode, pipeline: Pipeline) -> str:
    return node_kind(node.type).describe(node, pipeline)


def explain(pipeline: Pipeline, program=None, given_vars=()) -> list[str]:
    """One paragraph per node, in the order the script builds them. With the parsed `program`,
    a template var that has no value (not in `given_vars`) is shown by name where it is used."""
    paragraphs = []
    unset = unset_var_uses(program, given_vars) if program is not None else []
    if unset:
        names = ", ".join(dict.fromkeys(name for name, _type, _offset in unset))
        paragraphs.append(f"Template: the vars {names} have no value here (give them with --vars); "
                          "their uses are shown as <var NAME (TYPE), not given>.")
    for number, node in enumerate(pipeline.nodes, 1):
        try:
            shown = with_placeholders(node, unset) if unset else node
            described = describe(shown, pipeline)
        except Exception:  # a placeholder where a number is needed: describe the zero value
            described = describe(node, pipeline)
        text = f"{number}. {label(node)}: {_deadman_part(node)}{described}"
        text += lambda_problems(node)
        if len(node.children) > 1:
            text += f" Its output goes to each of {', '.join(label(c) for c in node.children)}."
        if node.parents and len(node.parents) == 1 and (
                node.parents[0] is not _previous(pipeline, node) or len(node.parents[0].children) > 1):
            # Said of every child of a branching node, not only of those listed out of order.
            text += f" (It reads from {label(node.parents[0])}.)"
        if not node.children and not node_kind(node.type).sink and node.type != "NoOpNode":
            text += " Nothing uses its output."
        paragraphs.append(text)
    return paragraphs


def _previous(pipeline: Pipeline, node: PipelineNode) -> PipelineNode | None:
    index = pipeline.nodes.index(node)
    return pipeline.nodes[index - 1] if index > 0 else None


def explain_text(pipeline: Pipeline, program=None, given_vars=()) -> str:
    return "\n".join(explain(pipeline, program, given_vars))


# --------------------------------------------------------------------------- template vars


def unset_var_uses(program, given_vars) -> list[tuple[str, str, int]]:
    """(name, type, source offset) of each use of a declared var (`var x type`) that has no value."""
    declared = {s.name.name: s.type_name.name for s in program.statements
                if type(s) is ast.TypeDeclaration and s.name.name not in set(given_vars or ())}
    if not declared:
        return []
    declarations = {id(s.name) for s in program.statements if type(s) is ast.TypeDeclaration}
    return [(node.name, declared[node.name], node.span.offset) for node in ast.walk(program)
            if type(node) is ast.Identifier and node.name in declared and id(node) not in declarations]


def with_placeholders(node: PipelineNode, unset: list[tuple[str, str, int]]) -> PipelineNode:
    """A copy of `node` whose arguments that came from a var without a value read
    `<var NAME (TYPE), not given>` (the node itself is left alone)."""
    def placeholder(span):
        for name, type_name, offset in unset:
            if span.offset <= offset < span.end_offset:
                return Unset(f"<var {name} ({type_name}), not given>")
        return None

    properties = []
    changed = False
    for call in node.properties:
        shown = placeholder(call.span) if call.args else None
        if shown is not None:
            call = PropertyCall(call.name, [shown] * len(call.args), call.span)
            changed = True
        properties.append(call)
    args = node.args
    outside = [u for u in unset if not any(c.span.offset <= u[2] < c.span.end_offset for c in node.properties)]
    shown = placeholder(node.span) if node.args and outside else None
    if shown is not None:
        unset_here = [u for u in outside if node.span.offset <= u[2] < node.span.end_offset]
        if unset_here and len(node.args) == 1:
            args = [shown]
            changed = True
    if not changed:
        return node
    copied = copy.copy(node)
    copied.properties = properties
    copied.args = args
    return copied


# --------------------------------------------------------------------------- lambdas that fail


def lambda_problems(node: PipelineNode) -> str:
    """" Note: ..." for each of the node's lambdas that is certain to fail: one that Kapacitor
    refuses when the task starts (`kapacitor define` accepts it: lambdas are compiled only when
    the task is enabled), or one that fails on every point."""
    notes = []
    predicates = {"where", "crit", "warn", "info", "critReset", "warnReset", "infoReset"}
    lambdas = [("predicate" if node.type == "WhereNode" else "eval", a) for a in node.args if isinstance(a, ast.Lambda)]
    lambdas += [("predicate" if call.name in predicates else "eval", a)
                for call in node.properties for a in call.args if isinstance(a, ast.Lambda)]
    for mode, lam in lambdas:
        if lam.expression is None:
            continue
        try:
            problems = check_lambda(lam, mode=mode)
        except Exception:
            continue
        for problem in problems:
            text = f"lambda: {expression(lam)}"
            if problem.severity == ERROR:
                notes.append(f" Note: {text} would stop this task from starting (`kapacitor define` accepts it, "
                             f"`kapacitor enable` and tickpy run refuse it): {problem.message}.")
            else:
                notes.append(f" Note: {text} fails on every point (Kapacitor logs: {problem.message}).")
    return "".join(notes)


__all__ = ["describe", "explain", "explain_text"]

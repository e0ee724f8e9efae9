"""Warnings for mistakes Kapacitor's `define` accepts; they never change the verdict.

- single-quoted names compared in a lambda (`'usage_idle' > 10` compares a string literal);
- int/float arithmetic between operands of known types (fails on every point at run time);
- regexes that RE2 rejects, or that look like shell globs (`/prod*/`);
- alert templates: Go template syntax, unknown fields and functions, a tag used in `.id()`/
  `.message()` that the data no longer has after an aggregation, `.details()` HTML escaping;
- `.stateChangesOnly()` on an alert whose series all share one state (no groupBy, id without tags);
- a query node's InfluxQL that tickpy's embedded InfluxDB does not run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tickpy.check.catalogue import load
from tickpy.check.node_rules import query_error, query_span
from tickpy.check.pipeline import Pipeline, PipelineNode, PropertyCall
from tickpy.diagnostics import WARNING, Diagnostic, diagnostic_at
from tickpy.influxql import InfluxQLUnsupported
from tickpy.lang import LambdaCompileError, compile_lambda
from tickpy.lang.values import StarValue
from tickpy.syntax import ast

COMPARISON = {"==", "!=", "<", "<=", ">", ">="}
ARITHMETIC = {"+", "-", "*", "/", "%"}
NAME_LIKE = re.compile(r"^[A-Za-z_][\w.\-/]*$")


def lint_program(program: ast.Program, pipeline: Pipeline | None, source: str | None = None) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    variables = _variable_types(program)
    for node in ast.walk(program):
        if isinstance(node, ast.Lambda):
            found.extend(_lint_lambda(node, variables))
        elif isinstance(node, ast.RegexLiteral):
            found.extend(_lint_regex(node))
    if pipeline is not None:
        # A lambda lint that explains a start failure gets the failure added, not a second warning.
        explained = {d.line: d for d in found if d.code in ("single-quoted-field", "int-float-arithmetic")}
        for pipeline_node in pipeline.nodes:
            if pipeline_node.type == "AlertNode":
                found.extend(_lint_alert(pipeline_node))
            elif pipeline_node.type == "QueryNode":
                found.extend(_lint_query(pipeline_node))
            for span, error in _lambda_start_failures(pipeline_node):
                lint = explained.get(span.line)
                if lint is not None:
                    lint.message += f"; as written, {_START_FAILURE}: {error}"
                else:
                    found.append(
                        diagnostic_at(span, f"Kapacitor defines this task, but {_START_FAILURE}: {error}", severity=WARNING, code="lambda-error")
                    )
    return found


def _lint_query(node: PipelineNode) -> Iterator[Diagnostic]:
    """A query node's InfluxQL: Kapacitor's define accepts any text, creating the task parses it
    (a syntax error stops the task from starting); a statement tickpy's embedded InfluxDB does
    not run works only with a live InfluxDB."""
    error = query_error(node)
    if error is None:
        return
    span = query_span(node, error.offset)
    if isinstance(error, InfluxQLUnsupported):
        yield diagnostic_at(span, f"tickpy cannot run this query offline: {error.message}", severity=WARNING,
                            code="influxql-unsupported")
        return
    yield diagnostic_at(span, f"Kapacitor defines this task, but {_START_FAILURE}: the InfluxQL query does not "
                        f"parse: {error.message}", severity=WARNING, code="influxql-error",
                        kapacitor_message=f"failed to parse InfluxQL query: {error.message}")


# Kapacitor's define does not compile lambdas; creating the task's nodes does.
_START_FAILURE = "the task would fail to start (`kapacitor enable` fails)"


PREDICATE_CALLS = {"where", "crit", "warn", "info", "critReset", "warnReset", "infoReset"}
PREDICATE_NODES = {"WhereNode", "StateDurationNode", "StateCountNode", "CombineNode"}


def _lambda_start_failures(node: PipelineNode) -> Iterator[tuple[ast.Span, str]]:
    """(span, compile error) of each lambda of `node` that stops the task from starting."""
    if node.extra.get("deadman"):
        return
    calls = [(node.type in PREDICATE_NODES, node.args)]
    calls += [(c.name in PREDICATE_CALLS, c.args) for c in node.properties]
    for predicate, args in calls:
        for arg in args:
            if type(arg) is not ast.Lambda or arg.expression is None:
                continue
            try:
                compile_lambda(arg, mode="predicate" if predicate else "eval")
            except LambdaCompileError as err:
                yield arg.span, str(err)
            except Exception:  # the lambda compiler is another stage; never let it break validate
                continue


# ---------------------------------------------------------------------- lambdas


def _variable_types(program: ast.Program) -> dict[str, str]:
    types: dict[str, str] = {}
    for statement in program.statements:
        if type(statement) is ast.Declaration:
            kind = _literal_type(statement.value, types)
            if kind:
                types[statement.name.name] = kind
        elif type(statement) is ast.TypeDeclaration:
            types[statement.name.name] = statement.type_name.name
    return types


def _literal_type(node: ast.Node, variables: dict[str, str]) -> str | None:
    """The type of an expression when it is known without a point: "int", "float", ..."""
    if isinstance(node, ast.NumberLiteral):
        return "int" if node.is_int else "float"
    if isinstance(node, ast.StringLiteral):
        return "string"
    if isinstance(node, ast.DurationLiteral):
        return "duration"
    if isinstance(node, ast.BoolLiteral):
        return "bool"
    if isinstance(node, ast.Identifier):
        return variables.get(node.name)
    if isinstance(node, ast.Unary):
        return _literal_type(node.operand, variables)
    if isinstance(node, ast.Function) and node.kind == "global" and node.name in ("int", "float", "string", "bool", "duration"):
        return node.name
    if isinstance(node, ast.Binary) and node.operator in ARITHMETIC:
        left = _literal_type(node.left, variables)
        right = _literal_type(node.right, variables)
        return left if left == right else None
    if isinstance(node, ast.Binary) and node.operator in COMPARISON | {"AND", "OR", "=~", "!~"}:
        return "bool"
    return None


def _operator_span(node: ast.Binary) -> ast.Span:
    return getattr(node, "operator_span", None) or node.span


def _lint_lambda(node: ast.Lambda, variables: dict[str, str]) -> Iterator[Diagnostic]:
    expression = node.expression
    if type(expression) is ast.StringLiteral and NAME_LIKE.match(expression.value):
        yield _single_quoted_warning(expression)
    flagged: set[int] = set()
    for inner, parent in _walk_with_parent(expression, None):
        if type(inner) is ast.Binary:
            for literal in _suspicious_literals(inner, parent, variables):
                if id(literal) not in flagged:
                    flagged.add(id(literal))
                    yield _single_quoted_warning(literal)
            if inner.operator in ARITHMETIC:
                left = _literal_type(inner.left, variables)
                right = _literal_type(inner.right, variables)
                if {left, right} == {"int", "float"}:
                    yield diagnostic_at(
                        _operator_span(inner),
                        f"'{inner.operator}' between an int and a float fails on every point: "
                        "Kapacitor does not convert ints to floats",
                        severity=WARNING,
                        code="int-float-arithmetic",
                        hint="write the int with a decimal point (10.0), or convert with float()",
                    )
        elif type(inner) is ast.Function:
            for literal in _suspicious_arguments(inner):
                if id(literal) not in flagged:
                    flagged.add(id(literal))
                    yield _single_quoted_warning(literal)


def _walk_with_parent(node: ast.Node, parent: ast.Node | None):
    stack = [(node, parent)]
    while stack:
        current, up = stack.pop()
        yield current, up
        for child in reversed(list(ast.children(current))):
            stack.append((child, current))


def _single_quoted_warning(literal: ast.StringLiteral) -> Diagnostic:
    return diagnostic_at(
        literal.span,
        f"'{literal.value}' is a string literal, not the field or tag {literal.value}: "
        "in a lambda, fields and tags are written in double quotes",
        severity=WARNING,
        code="single-quoted-field",
        hint=f'write "{literal.value}"',
    )


def _numeric(node: ast.Node, variables: dict[str, str]) -> bool:
    if isinstance(node, (ast.NumberLiteral, ast.DurationLiteral)):
        return True
    if isinstance(node, ast.Unary):
        return _numeric(node.operand, variables)
    if isinstance(node, ast.Identifier):
        return variables.get(node.name, "unknown") not in ("string", "regex", "bool")
    return False


def _suspicious_literals(node: ast.Binary, parent: ast.Node | None, variables: dict[str, str]):
    """String literals that look like a field name used where a value of the point is meant."""
    for this, other in ((node.left, node.right), (node.right, node.left)):
        if type(this) is not ast.StringLiteral or not NAME_LIKE.match(this.value):
            continue
        other_type = type(other)
        if (
            _numeric(other, variables)
            or other_type in (ast.BoolLiteral, ast.RegexLiteral)
            or (other_type is ast.StringLiteral and this is node.left)
            or node.operator in ARITHMETIC - {"+"}
        ):
            yield this
        elif (
            node.operator == "+"
            and type(parent) is ast.Binary
            and parent.operator in COMPARISON
            and any(_numeric(side, variables) for side in (parent.left, parent.right) if side is not node)
        ):
            yield this


def _suspicious_arguments(function: ast.Function):
    """A name-like string given to a lambda function that needs a number (sigma('value'))."""
    signatures = load().lambda_functions.get(function.name)
    if not signatures:
        return
    for index, arg in enumerate(function.args):
        if type(arg) is not ast.StringLiteral or not NAME_LIKE.match(arg.value):
            continue
        accepts = {sig[index] for sig in signatures if index < len(sig)}
        if "string" not in accepts or (function.name in ("int", "float") and not _looks_numeric(arg.value)):
            yield arg


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------- regexes


def _lint_regex(node: ast.RegexLiteral) -> Iterator[Diagnostic]:
    try:
        import re2  # deferred: start-up (only a script with a regex needs it)

        re2.compile(node.pattern)
    except Exception as err:
        yield diagnostic_at(node.span, f"RE2 rejects this regex: {err}", severity=WARNING, code="regex-syntax")
        return
    glob = re.search(r"(?<![\\.\])])([A-Za-z0-9])\*(?=$|[/|)])", node.pattern)
    if glob and not node.pattern.startswith("^"):
        yield diagnostic_at(
            node.span,
            f"/{node.pattern}/ is a regex, not a shell glob: '{glob.group(1)}*' means "
            f"'{glob.group(1)}' repeated zero or more times, and the pattern matches anywhere in the value",
            severity=WARNING,
            code="regex-glob",
            hint=f"to match values starting with the text, write /^{node.pattern[: glob.start(1) + 1]}/",
        )


# ---------------------------------------------------------------------- alert templates

ID_FIELDS = {"Name", "TaskName", "Group", "Tags", "ServerInfo"}
MESSAGE_FIELDS = ID_FIELDS | {"ID", "Fields", "Level", "Time", "Duration"}
DETAILS_FIELDS = MESSAGE_FIELDS | {"Message"}
TEMPLATE_FIELDS = {"id": ID_FIELDS, "message": MESSAGE_FIELDS, "details": DETAILS_FIELDS}
GO_BUILTINS = {
    "and", "call", "eq", "ge", "gt", "html", "index", "js", "le", "len", "lt", "ne", "not", "or",
    "print", "printf", "println", "slice", "urlquery",
}
KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil"}
TAG_USES = re.compile(r'index\s+\.Tags\s+"((?:[^"\\]|\\.)*)"|\.Tags\.([A-Za-z_]\w*)')


def _template_actions(text: str) -> tuple[list[str], str | None]:
    """The `{{ }}` actions of a Go template, or a syntax problem."""
    actions: list[str] = []
    position = 0
    while True:
        start = text.find("{{", position)
        if start < 0:
            break
        end = text.find("}}", start + 2)
        if end < 0:
            return actions, "unclosed action: '{{' without '}}'"
        body = text[start + 2 : end]
        if body.startswith("-"):
            body = body[1:]
        if body.endswith("-"):
            body = body[:-1]
        body = body.strip()
        if not body.startswith("/*"):
            actions.append(body)
        position = end + 2
    depth = 0
    for body in actions:
        word = body.split(None, 1)[0] if body else ""
        if word in ("if", "range", "with", "define", "block"):
            depth += 1
        elif word == "end":
            depth -= 1
            if depth < 0:
                return actions, "unexpected {{end}}"
        elif not body:
            return actions, "missing value for command: empty action {{ }}"
    if depth > 0:
        return actions, "unexpected EOF: an {{if}}, {{range}} or {{with}} has no {{end}}"
    return actions, None


def _go_template_problem(kind: str, text: str) -> str | None:
    """Go's own parse error for the template."""
    # deferred: start-up (the Go template engine, ~0.2 s, only for a script with templates)
    from tickpy.check.alert_templates import compile_template

    try:
        compile_template(kind, text)
    except Exception as err:  # TemplateError: Go's text, e.g. `template: message:1: unexpected EOF`
        return str(err)
    return ""


def _lint_template(kind: str, text: str, call: PropertyCall) -> Iterator[Diagnostic]:
    go_problem = _go_template_problem(kind, text)
    if go_problem:
        hint = "json and jsonCompact exist only in .details()" if '"json' in go_problem else None
        yield diagnostic_at(
            call.span,
            f".{kind}() template does not parse ({go_problem}); the task will fail when it starts",
            severity=WARNING,
            code="template-syntax",
            hint=hint,
        )
        return
    actions, problem = _template_actions(text)
    if problem and go_problem is None:
        yield diagnostic_at(
            call.span,
            f".{kind}() template does not parse: {problem}; the task will fail when it starts",
            severity=WARNING,
            code="template-syntax",
        )
        return
    fields = TEMPLATE_FIELDS[kind]
    functions = GO_BUILTINS | ({"json", "jsonCompact"} if kind == "details" else set())
    depth_changed = 0
    for body in actions:
        words = body.split()
        head = words[0] if words else ""
        if head in ("range", "with"):
            depth_changed += 1
        elif head == "end" and depth_changed:
            depth_changed -= 1
        cleaned = re.sub(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\'(?:[^\'\\]|\\.)*\'', '""', body)
        if depth_changed == 0 or head in ("range", "with"):
            for match in re.finditer(r"(?<![\w$)\]])\.([A-Za-z_]\w*)", cleaned):
                name = match.group(1)
                if name not in fields:
                    allowed = ", ".join(sorted("." + f for f in fields))
                    yield diagnostic_at(
                        call.span,
                        f"{{{{ .{name} }}}} is not available in an .{kind}() template; the alert fails when it "
                        f"renders (fields: {allowed})",
                        severity=WARNING,
                        code="template-field",
                    )
        if go_problem is not None:
            continue  # Go's parser has already checked the function names
        for match in re.finditer(r"(?:^|[\s(|])([A-Za-z_]\w*)(?=[\s)|]|$)", cleaned):
            name = match.group(1)
            if name in KEYWORDS or name in ("true", "false"):
                continue
            if name not in functions:
                hint = "json and jsonCompact exist only in .details()" if name in ("json", "jsonCompact") else None
                yield diagnostic_at(
                    call.span,
                    f'function "{name}" is not defined in .{kind}() templates; the task will fail when it starts',
                    severity=WARNING,
                    code="template-function",
                    hint=hint,
                )


def _upstream(alert: PipelineNode) -> tuple[bool, Any, set[str]]:
    """(aggregated, group-by dimensions or None or "*", tags added after the aggregation)."""
    aggregated = False
    added: set[str] = set()
    node = alert
    while node.parents:
        if len(node.parents) != 1:
            return aggregated, "*", added  # a join: tags come from several parents; do not guess
        node = node.parents[0]
        if node.type == "InfluxQLNode":
            aggregated = True
        elif node.type == "EvalNode" and not aggregated:
            tags = node.last("tags")
            if tags:
                added.update(a for a in tags.args if isinstance(a, str))
        elif node.type == "DefaultNode" and not aggregated:
            added.update(c.args[0] for c in node.all("tag") if c.args)
        elif node.type in ("UDFNode", "JoinNode", "UnionNode", "CombineNode", "FlattenNode"):
            return aggregated, "*", added
        dims = None
        if node.type == "GroupByNode":
            dims = list(node.args)
        elif node.type in ("FromNode", "QueryNode"):
            call = node.last("groupBy")
            if call is not None:
                dims = list(call.args)
        if dims is not None:
            if any(isinstance(d, StarValue) for d in dims):
                return aggregated, "*", added
            return aggregated, [d for d in dims if isinstance(d, str)], added
    return aggregated, None, added


def _lint_alert(alert: PipelineNode) -> Iterator[Diagnostic]:
    aggregated, dims, added = _upstream(alert)
    templates = [(c.name, c) for c in alert.properties if c.name in ("id", "message", "details")]
    for kind, call in templates:
        text = call.args[0] if call.args and isinstance(call.args[0], str) else None
        if text is None:
            continue
        yield from _lint_template(kind, text, call)
        if kind in ("id", "message") and aggregated and dims != "*":
            grouped = set(dims or []) | added
            for match in TAG_USES.finditer(text):
                tag = match.group(1) or match.group(2)
                if tag not in grouped:
                    where = "no groupBy" if not dims else "groupBy(" + ", ".join(repr(d) for d in dims) + ")"
                    yield diagnostic_at(
                        call.span,
                        f"tag {tag!r} is not a group-by dimension here ({where}): after the aggregation the "
                        f"alert data has no {tag!r} tag, so .{kind}() renders it empty",
                        severity=WARNING,
                        code="tag-not-grouped",
                        hint=f"add {tag!r} to the groupBy before the aggregation",
                    )
        if kind == "details" and "{{" in text and not re.search(r"<[A-Za-z/!]", text):
            yield diagnostic_at(
                call.span,
                ".details() is rendered with html/template: values are HTML-escaped "
                "(\" becomes &#34;, ' becomes &#39;, < becomes &lt;), even the output of json, so text or "
                "JSON in .details() comes out altered",
                severity=WARNING,
                code="details-html-escaped",
                hint="that suits HTML e-mails; for text use .message(), and handlers such as .post() and "
                ".log() already send the whole event as JSON",
            )
    sco = alert.last("stateChangesOnly")
    if sco is not None and not alert.extra.get("deadman"):
        _, dims_any, _ = _upstream(alert)
        id_call = alert.last("id")
        id_text = id_call.args[0] if id_call and id_call.args and isinstance(id_call.args[0], str) else ""
        per_series = bool(TAG_USES.search(id_text)) or ".Tags" in id_text
        if dims_any is None and not per_series:
            yield diagnostic_at(
                sco.span,
                ".stateChangesOnly() without a groupBy: all series share one alert state, so a change in one "
                "series hides the others'",
                severity=WARNING,
                code="state-changes-only-shared",
                hint="group the data (.groupBy('host')) or put the series' tags in .id()",
            )

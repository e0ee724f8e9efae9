"""Checks lifted from Kapacitor's own Go test suites (tools/mine_kapacitor_tests.py), run against
tickpy:
- syntax: tickfmt outputs (tick/fmt_test.go), parser verdicts and error texts, parse trees with
  positions and string values (tick/ast/parser_test.go), token streams (tick/ast/lex_test.go);
- define: every script Kapacitor's integration, server and pipeline tests define must validate,
  format idempotently, graph, and build the same pipeline after fmt; pipeline/tick's canonical
  scripts must be fixed points of fmt (and valid where Kapacitor's define would accept them);
  the task type the server infers (services/task_store);
- lambdas: function calls (tick/stateful/functions_test.go), operator tables and type-changing
  sequences (expr_test.go, expr_dynamic_test.go);
- runtime (reported for the runtime and alerting owners): integration recordings replayed
  through `tickpy run`, compared with Kapacitor's httpOut results, posted alerts and requests.

Needs a Kapacitor clone: /work/.mirror/influxdata+kapacitor/repo or the git directory named by
TICKPY_KAPACITOR_SRC; skipped with the reason otherwise. The data stays in Kapacitor's tree.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import pathlib
import re

import pytest

from tests.conformance.conftest import ROOT, report
from tickpy.diagnostics import ERROR, TickpyError
from tickpy.syntax import ast, format_source, parse

DEFAULT_SRC = "/work/.mirror/influxdata+kapacitor/repo"

# Raise as tickpy improves; the goal is every case.
FLOORS = {
    "fmt": 19,
    "parse": 35,
    "lexer": 60,
    "ast": 32,
    "strings": 4,
    "scripts/validate": 334,
    "scripts/fmt-idempotent": 334,
    "scripts/graph": 334,
    "canonical/fmt-fixed-point": 81,  # where_test.go: Kapacitor's expected text nests lambda: in a lambda, which its parser rejects
    "canonical/validate": 75,  # 7 are Go-built pipelines Kapacitor's define rejects too (see the report)
    "functions": 105,
    "task_types": 7,
    "fmt-keeps-pipeline": 459,
    "examples/fmt-idempotent": 51,
    "handler-matches": 2,
    "alert-posts": 9,
    "replays": 81,
    "expressions": 499,
}


@functools.lru_cache(maxsize=1)
def _dataset() -> dict:
    src = os.environ.get("TICKPY_KAPACITOR_SRC", DEFAULT_SRC)
    if not pathlib.Path(src).exists():
        pytest.skip(f"Kapacitor source not found at {src}: set TICKPY_KAPACITOR_SRC to a kapacitor git directory")
    spec = importlib.util.spec_from_file_location("mine_kapacitor_tests", ROOT / "tools" / "mine_kapacitor_tests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.mine(src)


def _check(name: str, results: list[tuple[str, bool, str]]) -> None:
    passed = sum(ok for _, ok, _ in results)
    failures = [f"{case_id}: {why}" for case_id, ok, why in results if not ok]
    report(f"kapacitor-suites/{name}", passed, len(results), failures, show=25)
    assert results, f"no {name} cases extracted: has the Go test layout changed?"
    assert passed >= FLOORS[name]


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:80] if text.strip() else repr(text)


def test_fmt_outputs():
    results = []
    for case in _dataset()["fmt"]:
        try:
            got = format_source(case["script"], case["id"])
        except TickpyError as error:
            results.append((case["id"], False, f"fmt failed: {error.diagnostics[0].message}"))
            continue
        results.append((case["id"], got == case["expected"], f"got {got!r}, Kapacitor {case['expected']!r}"))
    _check("fmt", results)


def test_parse_verdicts_and_error_texts():
    results = []
    for case in _dataset()["parse"]:
        try:
            parse(case["script"], case["id"])
            got = None
        except TickpyError as error:
            got = error.diagnostics[0].kapacitor_message or error.diagnostics[0].message
        ok = got == case["error"]
        results.append((case["id"], ok, f"got {got!r}, Kapacitor {case['error']!r} for {case['script']!r}"))
    _check("parse", results)


def test_string_literal_values():
    results = []
    for case in _dataset()["strings"]:
        program = parse(case["script"], case["id"])
        call = program.statements[0]
        value = call.args[0].value if isinstance(call, ast.Function) and isinstance(call.args[0], ast.StringLiteral) else None
        results.append((case["id"], value == case["literal"], f"got {value!r}, Kapacitor {case['literal']!r}"))
    _check("strings", results)


def _validate(script: str, case_id: str, task_type: str | None, udfs: dict | None = None):
    from tickpy.check import UDFInfo, check_program

    program = parse(script, case_id)
    servers_udfs = {name: UDFInfo(name, **info) for name, info in (udfs or {}).items()}
    pipeline, diagnostics = check_program(program, task_type=task_type, source=script, udfs=servers_udfs or None)
    errors = [d for d in diagnostics if d.severity == ERROR]
    return pipeline, errors


def _describe(errors) -> str:
    d = errors[0]
    return f"{d.line}:{d.column} {d.message}"


def test_scripts_kapacitor_accepts():
    from tickpy.check.dot import to_dot

    validate, idempotent, graph = [], [], []
    for case in _dataset()["scripts"]:
        case_id, script = f"{case['id']} ({case['test']})", case["script"]
        try:
            pipeline, errors = _validate(script, case_id, case["task_type"], case.get("udfs"))
        except TickpyError as error:
            pipeline, errors = None, error.diagnostics
        validate.append((case_id, not errors and pipeline is not None, _describe(errors) if errors else "no pipeline"))
        try:
            once = format_source(script, case_id)
            twice = format_source(once, case_id)
            idempotent.append((case_id, once == twice, "second fmt changes the text"))
        except TickpyError as error:
            idempotent.append((case_id, False, f"fmt failed: {_describe(error.diagnostics)}"))
        try:
            ok = pipeline is not None and to_dot(pipeline, "t").startswith("digraph")
            graph.append((case_id, ok, "no graph"))
        except Exception as error:  # a crash is the failure being measured
            graph.append((case_id, False, f"graph crashed: {error!r}"))
    _check("scripts/validate", validate)
    _check("scripts/fmt-idempotent", idempotent)
    _check("scripts/graph", graph)


def test_canonical_pipeline_scripts():
    fixed, valid = [], []
    for case in _dataset()["canonical"]:
        script = case["script"]
        try:
            formatted = format_source(script, case["id"])
            fixed.append((case["id"], formatted == script, f"fmt changes {_first_line(script)!r}: {formatted!r}"))
        except TickpyError as error:
            fixed.append((case["id"], False, f"fmt failed: {_describe(error.diagnostics)}"))
        try:
            pipeline, errors = _validate(script, case["id"], None)
        except TickpyError as error:
            pipeline, errors = None, error.diagnostics
        valid.append((case["id"], not errors and pipeline is not None, _describe(errors) if errors else "no pipeline"))
    _check("canonical/fmt-fixed-point", fixed)
    _check("canonical/validate", valid)


def _same_value(expect, got: dict) -> bool:
    if isinstance(expect, bool) or isinstance(expect, str):
        kind = "boolean" if isinstance(expect, bool) else "string"
        return got.get("type") == kind and got.get("value") == expect
    (kind, value), = expect.items()
    if got.get("type") != kind:
        return False
    if kind == "float":
        want = {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf}.get(value, value) if isinstance(value, str) else value
        have = {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf}.get(got["value"], got["value"])
        return (want != want and have != have) or want == have
    return got.get("value") == value


_ARITY_OR_TYPE = re.compile(r"expects exactly|cannot pass \w+ as \w+ arg")


def test_function_calls():
    """Each Go call `f.Call(args...)` as a lambda calling the function on a point's fields."""
    from tickpy.lang.cases import CaseRunner

    runner = CaseRunner()
    results = []
    for case in _dataset()["functions"]:
        names = [f"a{index}" for index in range(len(case["args"]))]
        expr = f"{case['function']}({', '.join(chr(34) + n + chr(34) for n in names)})"
        got = runner.run({"id": case["id"], "expr": expr, "fields": dict(zip(names, case["args"])), "tags": {}, "mode": "eval"})
        if "error" in case:
            ok = "error" in got and got["error"].endswith(case["error"])
            if _ARITY_OR_TYPE.search(case["error"]):
                # Go's test calls the function directly; through a lambda Kapacitor checks the
                # call against the function's signatures first and reports that instead.
                ok = "error" in got and got["error"].startswith(f'Cannot call function "{case["function"]}" with args')
            why = f"{expr} with {case['args']}: got {got}, Kapacitor error {case['error']!r}"
        else:
            ok = "error" not in got and _same_value(case["expect"], got)
            why = f"{expr} with {case['args']}: got {got}, Kapacitor {case['expect']!r}"
        results.append((case["id"], ok, why))
    _check("functions", results)


# ------------------------------------------------------------------ lexer and AST shapes

_TOKEN_NAMES = {
    "TokenVar": "VAR", "TokenDBRP": "DBRP", "TokenAsgn": "ASGN", "TokenDot": "DOT", "TokenPipe": "PIPE",
    "TokenAt": "AT", "TokenIdent": "IDENT", "TokenReference": "REFERENCE", "TokenLambda": "LAMBDA",
    "TokenNumber": "NUMBER", "TokenString": "STRING", "TokenDuration": "DURATION", "TokenLParen": "LPAREN",
    "TokenRParen": "RPAREN", "TokenLSBracket": "LSBRACKET", "TokenRSBracket": "RSBRACKET", "TokenComma": "COMMA",
    "TokenNot": "NOT", "TokenTrue": "TRUE", "TokenFalse": "FALSE", "TokenRegex": "REGEX", "TokenStar": "STAR",
    "TokenPlus": "PLUS", "TokenMinus": "MINUS", "TokenMult": "MULT", "TokenDiv": "DIV", "TokenMod": "MOD",
    "TokenAnd": "AND", "TokenOr": "OR", "TokenEqual": "EQ", "TokenNotEqual": "NE", "TokenLess": "LT",
    "TokenGreater": "GT", "TokenLessEqual": "LE", "TokenGreaterEqual": "GE", "TokenRegexEqual": "REQ",
    "TokenRegexNotEqual": "RNE",
}


def test_lexer_tokens():
    """Kapacitor's token stream (type, byte offset, text); comments and EOF are not tokens in
    tickpy (comments are attached to the next token), so they are left out of the comparison."""
    from tickpy.syntax.lexer import lex

    results = []
    for case in _dataset()["lexer"]:
        text = case["input"]
        expected = [
            (_TOKEN_NAMES.get(kind, kind), pos, value)
            for kind, pos, value in case["tokens"]
            if kind not in ("TokenEOF", "TokenComment")
        ]
        lexed = lex(text)
        got = [(t.type, len(text[: t.start_pos].encode()), t.value) for t in lexed.tokens]
        if lexed.error is not None:
            got.append(("TokenError", len(text[: lexed.error.offset].encode()), lexed.error.message))
        results.append((case["id"], got == expected, f"{text!r}: got {got}, Kapacitor {expected}"))
    _check("lexer", results)


def _byte_pos(source: str, span: ast.Span) -> int:
    return len(source[: span.offset].encode())


def _comment_shape(comment, source):
    if comment is None:
        return None
    return {"node": "CommentNode", "pos": _byte_pos(source, comment.span), "line": comment.span.line,
            "char": comment.span.column, "Comments": list(comment.kapacitor_lines)}


def kapacitor_shape(node, source: str):
    """A tickpy AST node in the shape of Kapacitor's tick/ast node literals (see go_ast in
    tools/mine_kapacitor_tests.py): Kapacitor's node and field names, its positions (binary and
    chain nodes sit at their operator)."""
    if node is None:
        return None
    span = node.span
    if isinstance(node, (ast.Binary, ast.Chain)) and node.operator_span is not None:
        span = node.operator_span
    out = {"pos": _byte_pos(source, span), "line": span.line, "char": span.column}
    shape = kapacitor_shape
    match node:
        case ast.Program():
            out.update(node="ProgramNode", Nodes=[shape(n, source) for n in node.statements])
        case ast.Declaration():
            out.update(node="DeclarationNode", Left=shape(node.name, source), Right=shape(node.value, source))
        case ast.TypeDeclaration():
            out.update(node="TypeDeclarationNode", Node=shape(node.name, source), Type=shape(node.type_name, source))
        case ast.DBRP():
            out.update(node="DBRPNode", DB=shape(node.database, source), RP=shape(node.retention_policy, source))
        case ast.Identifier():
            out.update(node="IdentifierNode", Ident=node.name)
        case ast.Reference():
            out.update(node="ReferenceNode", Reference=node.name)
        case ast.StringLiteral():
            out.update(node="StringNode", Literal=node.value, TripleQuotes=node.triple_quoted)
        case ast.NumberLiteral():
            # Kapacitor records a base for integers only
            out.update(node="NumberNode", IsInt=node.is_int, IsFloat=not node.is_int, Base=node.base if node.is_int else 0,
                       Int64=node.int_value if node.is_int else 0, Float64=0 if node.is_int else node.float_value)
        case ast.DurationLiteral():
            out.update(node="DurationNode", Dur=node.nanoseconds, Literal=node.literal)
        case ast.BoolLiteral():
            out.update(node="BoolNode", Bool=node.value)
        case ast.RegexLiteral():
            out.update(node="RegexNode", Regex=node.pattern, Literal=node.literal[1:-1])  # Kapacitor's: between the slashes
        case ast.Star():
            out.update(node="StarNode")
        case ast.ListLiteral():
            out.update(node="ListNode", Nodes=[shape(n, source) for n in node.elements])
        case ast.Unary():
            out.update(node="UnaryNode", Operator=node.operator, Node=shape(node.operand, source))
        case ast.Binary():
            out.update(node="BinaryNode", Operator=node.operator, Left=shape(node.left, source),
                       Right=shape(node.right, source), Parens=node.parens, MultiLine=node.multiline)
        case ast.Lambda():
            out.update(node="LambdaNode", Expression=shape(node.expression, source))
        case ast.Function():
            out.update(node="FunctionNode", Type=node.kind, Func=node.name, Args=[shape(n, source) for n in node.args],
                       MultiLine=node.multiline)
        case ast.Chain():
            out.update(node="ChainNode", Operator=node.operator, Left=shape(node.left, source), Right=shape(node.right, source))
    comment = getattr(node, "comment", None)
    if comment is not None:
        out["Comment"] = _comment_shape(comment, source)
    return out


def _without_zero_values(value):
    """Go's zero values are what a node literal leaves out: drop them on both sides."""
    if isinstance(value, dict):
        return {k: _without_zero_values(v) for k, v in value.items() if v not in (None, False, 0, "", [], {}) or k == "pos"}
    if isinstance(value, list):
        return [_without_zero_values(v) for v in value]
    return value


def test_ast_shapes():
    results = []
    for case in _dataset()["ast"]:
        script = case["script"]
        got = _without_zero_values(kapacitor_shape(parse(script, case["id"]), script))
        expected = _without_zero_values(case["root"])
        results.append((case["id"], got == expected, f"{script!r}:\n got {got}\n exp {expected}"))
    _check("ast", results)


def test_expression_tables_and_sequences():
    """expr_test.go's operator tables (each run literal-literal and field-literal, as the Go
    test runs them) and expr_dynamic_test.go's sequences (one compiled expression per
    sequence). Go's tests do not say at which stage an error comes, so only its text counts."""
    from tickpy.lang.cases import CaseRunner

    runner = CaseRunner()
    results = []
    for case in _dataset()["expressions"]:
        got = runner.run(case)
        expect = case["expect"]
        if "error" in expect:
            ok = got.get("error") == expect["error"]
        else:
            ok = "error" not in got and got.get("type") == expect["type"] and got.get("value") == expect["value"]
        results.append((case["id"], ok, f"[{case['mode']}] {case['expr']} with {case['fields']}: got {got}, Kapacitor {expect}"))
    _check("expressions", results)


def test_task_type_inference():
    from tickpy.check import infer_task_type

    results = []
    for case in _dataset()["task_types"]:
        got = infer_task_type(parse(case["script"], case["id"]))
        results.append((case["id"], got == case["task_type"], f"got {got}, Kapacitor {case['task_type']}"))
    _check("task_types", results)


def _pipeline_summary(pipeline) -> list:
    """What a pipeline means, without source positions: its DOT graph and, per node, its
    arguments, properties and handlers (lambdas as formatted text, nodes by label)."""
    from tickpy.check.dot import to_dot
    from tickpy.check.pipeline import PipelineNode
    from tickpy.syntax import format_expression

    def value(v):
        if isinstance(v, ast.Lambda):  # a template's unset lambda var has no expression
            return "lambda: " + (format_expression(v.expression) if v.expression is not None else "<nil>")
        if isinstance(v, PipelineNode):
            return v.label
        if isinstance(v, list):
            return [value(x) for x in v]
        return repr(v)

    summary: list = [to_dot(pipeline, "t")]
    for node in pipeline.nodes:
        summary.append((
            node.type,
            value(node.args),
            [(p.name, value(p.args)) for p in node.properties],
            [(h.kind, value(h.args), [(p.name, value(p.args)) for p in h.properties]) for h in node.handlers],
        ))
    return summary


def test_fmt_keeps_the_pipeline():
    """Every script Kapacitor accepts builds the same pipeline after `tickpy fmt` (Kapacitor's
    formatter only moves whitespace, comments and redundant parentheses)."""
    from tickpy.check import UDFInfo, build_pipeline

    data = _dataset()
    items = [(c["id"], c["script"], c["task_type"], c.get("udfs")) for c in data["scripts"]]
    items += [(c["id"], c["script"], None, None) for c in data["canonical"] + data["examples"]]
    results = []
    for case_id, script, task_type, udfs in items:
        servers_udfs = {name: UDFInfo(name, **info) for name, info in (udfs or {}).items()} or None
        try:
            before = _pipeline_summary(build_pipeline(parse(script, case_id), task_type=task_type, udfs=servers_udfs))
        except TickpyError:
            continue  # not a script tickpy builds: counted by the tests above
        try:
            formatted = format_source(script, case_id)
            after = _pipeline_summary(build_pipeline(parse(formatted, case_id), task_type=task_type, udfs=servers_udfs))
        except TickpyError as error:
            results.append((case_id, False, f"the formatted script fails: {_describe(error.diagnostics)}"))
            continue
        changed = next((f"{a} became {b}" for a, b in zip(before, after) if a != b), "")
        results.append((case_id, before == after, changed[:400]))
    _check("fmt-keeps-pipeline", results)


# ------------------------------------------------------------------ replays (runtime: report only)

_YEAR_1971_NS = 365 * 86400 * 10**9


def _shifted_srpl(data: str) -> str:
    """The recording as Kapacitor's test replays it: every point moved so that the first one is
    at 1971-01-01T00:00:00Z (its clock's zero), timestamps in nanoseconds."""
    lines = data.splitlines()
    out, first = [], None
    for index in range(0, len(lines) - 2, 3):
        database, retention, point = lines[index : index + 3]
        body, _, stamp = point.rpartition(" ")
        seconds = int(stamp)
        first = seconds if first is None else first
        out += [database, retention, f"{body} {_YEAR_1971_NS + (seconds - first) * 10**9}"]
    return "\n".join(out) + "\n"


def _cell(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return float(value)


def _rows(result: dict, ignore_order: bool) -> list:
    rows = [
        (s.get("name", ""), sorted((s.get("tags") or {}).items()), s.get("columns") or [],
         [[_cell(v) for v in row] for row in s.get("values") or []])
        for s in (result.get("series") or [])
    ]
    return sorted(rows, key=lambda r: (r[0], r[1])) if ignore_order else rows


def _replay(case: dict, workdir: pathlib.Path) -> dict:
    import contextlib
    import io

    from tickpy.cli import main

    script = workdir / f"{case['test']}.tick"
    data = workdir / f"{case['test']}.srpl"
    out = workdir / "out"
    # the test's temporary folder stands where the Go test used its own
    script.write_text(case["script"].replace(_dataset()["stand_in_dir"], str(workdir)), encoding="utf-8")
    data.write_text(_shifted_srpl(case["data"]), encoding="utf-8")
    args = ["run", str(script), str(data), "--input-format", "srpl", "--precision", "ns", "--httpout-dir", str(out), "--dbrp", "dbname.rpname"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as errors:
        try:
            main.main(args, prog_name="tickpy", standalone_mode=False)
        except SystemExit as stop:
            if stop.code not in (0, None, 1):
                said = [line for line in errors.getvalue().splitlines() if "error" in line]
                return {"error": said[0] if said else f"exit {stop.code}"}
    produced = out / f"{case['name']}.json"
    import json

    return json.loads(produced.read_text()) if produced.exists() else {}


def test_integration_replays(tmp_path):
    """integrations/streamer_test.go: each script over its recording (testdata/<name>.srpl,
    replayed from 1971-01-01 as the Go test does) must leave Kapacitor's httpOut result. These
    measure the runtime; disagreements are reported, the floor only guards against regressions."""
    results = []
    for index, case in enumerate(_dataset()["replays"]):
        workdir = tmp_path / str(index)
        workdir.mkdir()
        if _dataset()["stand_in_url"] in case["script"]:
            collector = _Collector()  # what the script posts goes here, never to a real address
            try:
                got = _replay(dict(case, script=case["script"].replace(_dataset()["stand_in_url"], collector.url)), workdir)
            finally:
                collector.close()
        else:
            got = _replay(case, workdir)
        if "error" in got:
            results.append((f"{case['id']} ({case['test']})", False, f"run failed: {got['error']}"))
            continue
        want_rows, got_rows = _rows(case["expected"], case["ignore_order"]), _rows(got, case["ignore_order"])
        why = ""
        if want_rows != got_rows:
            if len(want_rows) != len(got_rows):
                why = f"{len(got_rows)} series, Kapacitor {len(want_rows)}: got {str(got_rows)[:300]}"
            else:
                why = next(f"got {str(g)[:400]}\n    Kapacitor {str(w)[:400]}" for g, w in zip(got_rows, want_rows) if g != w)
        results.append((f"{case['id']} ({case['test']})", want_rows == got_rows, why))
    _check("replays", results)


class _Collector:
    """A local HTTP server that keeps every request body, in arrival order."""

    def __init__(self):
        import http.server
        import threading

        bodies = self.bodies = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length") or 0)
                bodies.append(self.rfile.read(length))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _alert_fields(body: dict) -> dict:
    fields = {k: body.get(k) for k in ("id", "message", "details", "time", "duration", "level", "previousLevel", "recoverable")}
    fields["data"] = _rows(body.get("data") or {}, False)
    return fields


def test_integration_alert_posts(tmp_path):
    """Scripts whose alerts (or httpPost) go to a test server: Kapacitor's request count and,
    where its test lists them, each alert's data in order. Runtime and alerting: reported."""
    import json

    results = []
    for index, case in enumerate(_dataset()["alert_posts"]):
        collector = _Collector()
        try:
            workdir = tmp_path / str(index)
            workdir.mkdir()
            run_case = dict(case, script=case["script"].replace(_dataset()["stand_in_url"], collector.url))
            outcome = _replay(run_case, workdir)
        finally:
            collector.close()
        case_id = f"{case['id']} ({case['test']})"
        if "error" in outcome:
            results.append((case_id, False, f"run failed: {outcome['error']}"))
            continue
        if len(collector.bodies) != case["count"]:
            results.append((case_id, False, f"{len(collector.bodies)} requests, Kapacitor {case['count']}"))
            continue
        if case["posted"]:
            got = [_alert_fields(json.loads(body)) for body in collector.bodies]
            want = [dict(_alert_fields(p)) for p in case["posted"]]
            diff = next((f"request {i + 1}: got {g}\n    Kapacitor {w}" for i, (g, w) in enumerate(zip(got, want)) if g != w), "")
            results.append((case_id, not diff, diff[:700]))
        else:
            results.append((case_id, True, ""))
    _check("alert-posts", results)


def test_handler_match_expressions():
    """services/alert: a topic handler's `match` over an event (alerting: reported)."""
    from tickpy.runtime.alert_event import AlertEvent
    from tickpy.alerting.match import compile_match

    results = []
    for case in _dataset()["handler_matches"]:
        e = case["event"]
        event = AlertEvent(
            id=e["id"], message=e["message"], details=e["details"], time_ns=0, duration_ns=e["duration_ns"],
            level=e["level"], previous_level="OK", name="", task_name="", group="", tags={}, fields={},
            recoverable=True, result={"series": []}, topic=e["topic"],
        )
        got = compile_match(case["match"])(event)
        results.append((case["id"], got == case["should_match"], f"{case['match']!r} gave {got}"))
    _check("handler-matches", results)


def test_example_scripts_format_idempotently():
    """Kapacitor's example .tick files: whatever parses formats to a fixed point of fmt."""
    results = []
    for case in _dataset()["examples"]:
        try:
            once = format_source(case["script"], case["id"])
        except TickpyError:
            continue  # old syntax or placeholders such as {info_level}
        results.append((case["id"], format_source(once, case["id"]) == once, "second fmt changes the text"))
    _check("examples/fmt-idempotent", results)

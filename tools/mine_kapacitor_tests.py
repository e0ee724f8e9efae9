"""Lift checks with known answers out of Kapacitor's own Go test suites into a JSON dataset.

    .venv/bin/python tools/mine_kapacitor_tests.py [--src REPO_GIT_DIR] [--out /tmp/kapacitor_suites.json]

REPO_GIT_DIR is a clone (or bare mirror) of influxdata/kapacitor; files are read with
`git show HEAD:<path>`. The dataset is Kapacitor's test data: write it outside the repository.

Sections of the dataset (each a list of cases with "id" = "<go file>:<line>"):
- fmt:        tick/fmt_test.go             script -> exact tickfmt output
- parse:      tick/ast/parser_test.go      script -> parses, or Kapacitor's error text
- strings:    tick/ast/parser_test.go      string literal script -> its value
- scripts:    integrations/*_test.go, server/server_test.go, pipeline/*_test.go
              scripts Kapacitor accepts (task_type stream/batch, or null to infer)
- canonical:  pipeline/tick/*_test.go      scripts that are Kapacitor's canonical format of a pipeline
- examples:   every .tick file in the repository (no verdict known: fmt properties only)
- task_types: services/task_store/util_test.go  script -> the task type Kapacitor infers
- functions:  tick/stateful/functions_test.go   function name, Go args -> value or error text
- expressions: tick/stateful/expr_test.go, expr_dynamic_test.go  lambda cases (lambda conformance format)
- lexer, ast: tick/ast/lex_test.go, parser_test.go  token streams; parse trees with positions
- replays, alert_posts: integrations/streamer_test.go  recordings (.srpl) through scripts, their results
- batch_replays, batch_start_errors: integrations/batcher_test.go at v1.5.7  batch recordings (.brpl)
              through scripts, their results and requests; the errors of scripts that do not start
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from golit import Call, Composite, Unknown, assignments, evaluate, functions, skip_group, split_top, tokenize  # noqa: E402

DEFAULT_SRC = os.environ.get("TICKPY_KAPACITOR_SRC")  # a Kapacitor git directory

_SCRIPT_START = re.compile(r"\A\s*(?://[^\n]*\n\s*)*(?:var\s|dbrp\s|stream\b|batch\b)")


def looks_like_script(text: object) -> bool:
    return isinstance(text, str) and bool(_SCRIPT_START.match(text)) and ("|" in text or "@" in text)


class Source:
    def __init__(self, src: str, revision: str = "HEAD"):
        self.src = src
        self.revision = revision

    def read(self, path: str) -> str:
        return subprocess.run(
            ["git", "show", f"{self.revision}:{path}"], cwd=self.src, check=True, capture_output=True
        ).stdout.decode("utf-8", "surrogateescape")

    def has_revision(self) -> bool:
        return subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{self.revision}^{{commit}}"],
                              cwd=self.src, capture_output=True).returncode == 0

    def list(self, pattern: str) -> list[str]:
        names = subprocess.run(
            ["git", "ls-tree", "-r", "HEAD", "--name-only"], cwd=self.src, check=True, capture_output=True, text=True
        ).stdout.split()
        return [n for n in names if re.fullmatch(pattern, n)]

    def commit(self) -> str:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=self.src, capture_output=True, text=True).stdout.strip()


def composites(tokens, keys: set[str]):
    """Every brace-delimited composite literal in `tokens` holding all of `keys`, with its line."""
    for i, tok in enumerate(tokens):
        if tok.kind != "op" or tok.text != "{":
            continue
        depth = 0
        for j in range(i, len(tokens)):
            if tokens[j].kind == "op" and tokens[j].text in "([{":
                depth += 1
            elif tokens[j].kind == "op" and tokens[j].text in ")]}":
                depth -= 1
                if depth == 0:
                    break
        value = evaluate(tokens[i : j + 1])
        if isinstance(value, Composite) and keys <= set(value.keyed):
            yield tok.line, value


# ---------------------------------------------------------------- tick/fmt_test.go, parser_test.go


def mine_fmt(source: Source) -> list[dict]:
    path = "tick/fmt_test.go"
    cases = []
    for line, lit in composites(tokenize(source.read(path)), {"script", "exp"}):
        script, exp = lit.keyed["script"], lit.keyed["exp"]
        if isinstance(script, str) and isinstance(exp, str):
            cases.append({"id": f"{path}:{line}", "script": script, "expected": exp})
    return cases


def mine_parse(source: Source) -> tuple[list[dict], list[dict]]:
    path = "tick/ast/parser_test.go"
    tokens = tokenize(source.read(path))
    parse_cases, string_cases = [], []
    for line, lit in composites(tokens, {"Text", "Error"}):
        if isinstance(lit.keyed["Text"], str) and isinstance(lit.keyed["Error"], str):
            parse_cases.append({"id": f"{path}:{line}", "script": lit.keyed["Text"], "error": lit.keyed["Error"]})
    for line, lit in composites(tokens, {"script"}):
        script = lit.keyed["script"]
        if not isinstance(script, str):
            continue
        if "literal" in lit.keyed:
            string_cases.append({"id": f"{path}:{line}", "script": script, "literal": lit.keyed["literal"]})
            continue
        err = lit.keyed.get("err")
        error_text = None
        if isinstance(err, Call) and err.func in ("errors.New", "fmt.Errorf") and err.args and isinstance(err.args[0], str):
            error_text = err.args[0]
        elif err is not None:
            continue  # an error we cannot read: leave the case out
        parse_cases.append({"id": f"{path}:{line}", "script": script, "error": error_text})
    return parse_cases, string_cases


_OPERATORS = {
    "TokenNot": "!", "TokenMinus": "-", "TokenPlus": "+", "TokenMult": "*", "TokenDiv": "/", "TokenMod": "%",
    "TokenAnd": "AND", "TokenOr": "OR", "TokenEqual": "==", "TokenNotEqual": "!=", "TokenLess": "<",
    "TokenLessEqual": "<=", "TokenGreater": ">", "TokenGreaterEqual": ">=", "TokenRegexEqual": "=~",
    "TokenRegexNotEqual": "!~", "TokenDot": ".", "TokenPipe": "|", "TokenAt": "@",
}
_FUNC_TYPES = {"GlobalFunc": "global", "ChainFunc": "chain", "PropertyFunc": "property", "DynamicFunc": "dynamic"}
_GO_DURATIONS = {"Nanosecond": 1, "Microsecond": 10**3, "Millisecond": 10**6, "Second": 10**9, "Minute": 60 * 10**9, "Hour": 3600 * 10**9}


def _go_duration(text: str) -> int | None:
    expr = re.sub(r"time \. (\w+)", lambda m: str(_GO_DURATIONS.get(m.group(1), "x")), text)
    expr = re.sub(r"time \. Duration \( (\d+) \)", r"\1", expr)
    if not re.fullmatch(r"[\d\s*+()-]+", expr):
        return None
    return int(eval(expr))  # digits and arithmetic only (checked above)


def go_ast(value):
    """Kapacitor's tick/ast node literal as plain data: {"node": "BinaryNode", "pos", "line",
    "char", fields...}, operators as their text and function types as tickpy's kinds; fields the
    literal leaves out are Go zero values and are left out here too."""
    if isinstance(value, Composite):
        name = value.type.rsplit(".", 1)[-1].lstrip("&")
        if name.endswith("Node") and not name.startswith("[]"):
            out = {"node": name}
            for key, item in value.items:
                if key == "position" and isinstance(item, Composite):
                    out.update({k: v for k, v in item.keyed.items() if k in ("pos", "line", "char")})
                elif key == "Dur" and isinstance(item, Unknown):
                    out["Dur"] = _go_duration(item.text)
                else:
                    out[key] = go_ast(item)
            return out
        return [go_ast(item) for item in value.items]
    if isinstance(value, Unknown):
        text = value.text
        name = text.split(" . ")[-1]
        return _OPERATORS.get(name, _FUNC_TYPES.get(name, _go_duration(text) if "time" in text else text))
    if isinstance(value, Call):
        if value.func == "regexp.MustCompile" and value.args:
            return value.args[0]
        if value.func in ("int64", "float64") and value.args:
            return value.args[0]
        return {"call": value.func, "args": [go_ast(a) for a in value.args]}
    return value


def mine_ast(source: Source) -> list[dict]:
    path = "tick/ast/parser_test.go"
    cases = []
    for line, lit in composites(tokenize(source.read(path)), {"script", "Root"}):
        if isinstance(lit.keyed["script"], str) and "err" not in lit.keyed:
            cases.append({"id": f"{path}:{line}", "script": lit.keyed["script"], "root": go_ast(lit.keyed["Root"])})
    return cases


def mine_lexer(source: Source) -> list[dict]:
    path = "tick/ast/lex_test.go"
    cases = []
    for line, lit in composites(tokenize(source.read(path)), {"in", "tokens"}):
        if not isinstance(lit.keyed["in"], str) or not isinstance(lit.keyed["tokens"], Composite):
            continue
        tokens = []
        for item in lit.keyed["tokens"].items:
            if not isinstance(item, Composite) or len(item.items) != 3:
                break
            kind, pos, text = item.items
            if not (isinstance(kind, Unknown) and isinstance(pos, int) and isinstance(text, str)):
                break
            tokens.append([kind.text, pos, text])
        else:
            cases.append({"id": f"{path}:{line}", "input": lit.keyed["in"], "tokens": tokens})
    return cases


# ---------------------------------------------------------------- scripts Kapacitor accepts

# What runtime-only Sprintf arguments and concatenated values become (a test server's URL, a
# temporary directory); the checks put their own server or folder in their place.
STAND_IN_URL = "http://127.0.0.1:9092"
STAND_IN_DIR = "/tmp/kapacitor-test"

_PLACEHOLDER = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*\d*(?:\.\d+)?)([sdvqftx%])")


def _sprintf(template: str, args: list) -> str | None:
    """fmt.Sprintf with the arguments this reader could evaluate; None when an argument is
    unknown and no sensible stand-in exists."""
    position = 0
    out = []
    last = 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(template[last : m.start()])
        last = m.end()
        if m.group(3) == "%":
            out.append("%")
            continue
        if m.group(1):
            index = int(m.group(1)) - 1
        else:
            index = position
            position += 1
        if index >= len(args):
            return None
        arg = args[index]
        if isinstance(arg, Unknown) or isinstance(arg, Call):
            arg = _stand_in(arg, m.group(3))
            if arg is None:
                return None
        if m.group(3) == "q":
            out.append(json.dumps(arg))
        else:
            out.append(str(arg).lower() if isinstance(arg, bool) else str(arg))
    out.append(template[last:])
    return "".join(out)


def _stand_in(arg, verb: str):
    """A plausible value for a runtime-only Sprintf argument (server URLs, temp paths)."""
    text = arg.text if isinstance(arg, Unknown) else arg.func
    lowered = text.lower()
    if "url" in lowered or "addr" in lowered:
        return STAND_IN_URL
    if "dir" in lowered or "path" in lowered or "wd" in lowered or "cwd" in lowered:
        return STAND_IN_DIR
    if verb == "d":
        return 1
    return None


def _render_go_template(template: str, case: dict) -> str:
    """Enough of text/template for the scripts built with it: {{ .Field }}, {{ if .F }}..{{ end }}."""
    def cond(m: re.Match) -> str:
        return m.group(2) if case.get(m.group(1)) else ""

    text = re.sub(r"\{\{-?\s*if\s+\.(\w+)\s*-?\}\}(.*?)\{\{-?\s*end\s*-?\}\}", cond, template, flags=re.S)
    return re.sub(r"\{\{-?\s*\.(\w+)\s*-?\}\}", lambda m: str(case.get(m.group(1), "")), text)


def _function_scripts(fn) -> list[tuple[int, str]]:
    """The TICKscripts a test function runs: string values assigned or passed in it, after
    Sprintf and text/template expansion."""
    tokens = fn.tokens
    found: list[tuple[int, str]] = []
    string_vars: dict[str, str] = {}
    script_fields: list[str] = []
    def resolve(unknown: Unknown):
        if unknown.text in string_vars:
            return string_vars[unknown.text]
        stand_in = _stand_in(unknown, "s")
        return unknown if stand_in is None else str(stand_in)

    for a in assignments(tokens):
        value = evaluate(a.value_tokens, resolve)
        if isinstance(value, str):
            string_vars.setdefault(a.name, value)
            if a.name.lower().endswith("script"):
                script_fields.append(value)
    templated = set(re.findall(r"template\s*\.\s*New\s*\([^)]*\)\s*\.\s*Parse\s*\(\s*(\w+)", " ".join(t.text for t in tokens)))
    # defaults the test fills in for empty fields: `tc.Field = "value"`
    defaults = {}
    for i in range(len(tokens) - 4):
        if tokens[i].text == "tc" and tokens[i + 1].text == "." and tokens[i + 3].text == "=" and tokens[i + 4].kind == "str":
            defaults[tokens[i + 2].text] = tokens[i + 4].value
    rows = [lit.keyed for _, lit in composites(tokens, set()) if lit.keyed]
    for a in assignments(tokens):
        value = evaluate(a.value_tokens, resolve)
        if isinstance(value, Call) and value.func == "fmt.Sprintf" and value.args:
            template = value.args[0]
            if isinstance(template, Unknown) and template.text in string_vars:
                template = string_vars[template.text]
            if not isinstance(template, str):
                continue
            value.args[0] = template
            args = list(value.args[1:])
            unknown_scripts = [k for k, v in enumerate(args) if isinstance(v, Unknown) and v.text.endswith("script")]
            if unknown_scripts:
                for field_value in script_fields:
                    filled = list(args)
                    for k in unknown_scripts:
                        filled[k] = field_value
                    text = _sprintf(value.args[0], filled)
                    if looks_like_script(text):
                        found.append((a.line, text))
                continue
            text = _sprintf(value.args[0], args)
            if looks_like_script(text):
                found.append((a.line, text))
        elif isinstance(value, str) and looks_like_script(value):
            if a.name in templated:
                required = set(re.findall(r"\{\{-?\s*\.(\w+)\s*-?\}\}", value))
                for row in rows:
                    case = {**defaults, **{k: v for k, v in row.items() if v not in ("", None)}}
                    if not required <= set(case):
                        continue
                    found.append((a.line, _render_go_template(value, case)))
            elif "%s" in value or "%[1]s" in value or "%v" in value:
                # a Sprintf template filled later with the scripts of the test table
                for field_value in script_fields:
                    if field_value is value:
                        continue
                    text = _sprintf(value, [field_value] * value.count("%"))
                    if text is not None and looks_like_script(text):
                        found.append((a.line, text))
            else:
                found.append((a.line, value))
    # scripts passed directly as call arguments
    for call_index, tok in enumerate(tokens):
        if tok.kind == "str" and looks_like_script(tok.value) and call_index > 0 and tokens[call_index - 1].text in ("(", ","):
            if not (call_index > 2 and tokens[call_index - 2].text == "Sprintf"):
                found.append((tok.line, tok.value))
    unique: dict[str, int] = {}
    for line, text in found:
        unique.setdefault(text, line)
    return [(line, text) for text, line in unique.items()]


_VALUE_TYPES = {"BOOL": "bool", "INT": "int", "DOUBLE": "double", "STRING": "string", "DURATION": "duration"}


def _function_udfs(fn) -> dict:
    """The UDFs a test's fake UDF service describes (`InfoFunc`): name -> {wants, provides,
    options} in tickpy's --udfs form."""
    tokens = fn.tokens
    text = " ".join(t.text for t in tokens)
    if "InfoFunc" not in text:
        return {}
    names = [tokens[i + 2].value for i in range(len(tokens) - 2) if tokens[i].text == "name" and tokens[i + 1].text == "!=" and tokens[i + 2].kind == "str"]
    if not names:
        return {}
    edges = re.findall(r"info \. (Wants|Provides) = agent \. EdgeType_(STREAM|BATCH)", text)
    info = {"wants": "stream", "provides": "stream", "options": {}}
    for which, edge in edges:
        info[which.lower()] = edge.lower()
    for a in assignments(tokens):
        if a.name == "Options":
            options = evaluate(a.value_tokens)
            if isinstance(options, Composite):
                for key, option in options.items:
                    if isinstance(key, str) and isinstance(option, Composite):
                        kinds = option.keyed.get("ValueTypes")
                        items = kinds.items if isinstance(kinds, Composite) else []
                        info["options"][key] = [
                            _VALUE_TYPES.get(item.text.rsplit("_", 1)[-1], "string") for item in items if isinstance(item, Unknown)
                        ]
    return {names[0]: info}


def _top_level_lines(tokens) -> set[int]:
    """Lines of tokens outside every function body (brace depth 0)."""
    lines, depth = set(), 0
    for tok in tokens:
        if tok.kind == "op" and tok.text == "{":
            depth += 1
        elif tok.kind == "op" and tok.text == "}":
            depth -= 1
        elif depth == 0:
            lines.add(tok.line)
    return lines


def mine_integration_scripts(source: Source) -> list[dict]:
    cases = []
    for path, task_type in (
        ("integrations/streamer_test.go", "stream"),
        ("integrations/batcher_test.go", "batch"),
        ("server/server_test.go", None),
        ("integrations/benchmark_test.go", "stream"),
    ):
        tokens = tokenize(source.read(path))
        top_level_lines = _top_level_lines(tokens)
        for a in assignments(tokens):  # package-level constants too (the benchmarks keep theirs there)
            if a.line not in top_level_lines:
                continue
            value = evaluate(a.value_tokens)
            if looks_like_script(value):
                cases.append({"id": f"{path}:{a.line}", "test": a.name, "script": value, "task_type": task_type})
        for fn in functions(tokens):
            if not fn.name.startswith("Test"):
                continue
            udfs = _function_udfs(fn)
            for line, text in _function_scripts(fn):
                case = {"id": f"{path}:{line}", "test": fn.name, "script": text, "task_type": task_type}
                if udfs:
                    case["udfs"] = udfs
                cases.append(case)
    for path in source.list(r"pipeline/[a-z_]+_test\.go"):
        for line, lit in composites(tokenize(source.read(path)), {"script"}):
            script = lit.keyed["script"]
            if isinstance(script, str) and not lit.keyed.get("wantErr"):
                cases.append({"id": f"{path}:{line}", "test": "", "script": script, "task_type": "stream"})
        for fn in functions(tokenize(source.read(path))):
            for a in assignments(fn.tokens):
                value = evaluate(a.value_tokens)
                if a.name.lower().endswith("script") and looks_like_script(value):
                    cases.append({"id": f"{path}:{a.line}", "test": fn.name, "script": value, "task_type": "stream"})
    seen = set()
    unique = []
    for case in cases:
        key = (case["script"], case["task_type"])
        if key not in seen:
            seen.add(key)
            unique.append(case)
    return unique


def _go_time(value, variables: dict):
    """RFC 3339 text of mustParseTime("...") / time.Date(y, m, d, h, mi, s, ns, time.UTC), or None."""
    if isinstance(value, Unknown) and value.text in variables:
        return variables[value.text]
    if isinstance(value, Call) and value.func == "mustParseTime" and value.args and isinstance(value.args[0], str):
        return value.args[0]
    if isinstance(value, Call) and value.func == "time.Date" and len(value.args) >= 7 and all(isinstance(a, int) for a in value.args[:7]):
        y, mo, d, h, mi, sec, ns = value.args[:7]
        fraction = f".{ns:09d}".rstrip("0") if ns else ""
        return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}{fraction}Z"
    return None


_FLOAT_QUOTIENT = re.compile(r"(\d+\.\d*) / (\d+\.\d*)")


class _NotData(Exception):
    pass


def go_result(value, variables: dict) -> dict:
    """A models.Result literal as Kapacitor's result JSON ({"series": [{name, tags, columns,
    values}]}); raises _NotData for parts this reader cannot evaluate."""
    if not isinstance(value, Composite):
        raise _NotData(repr(value))
    series = []
    rows = value.keyed.get("Series")
    for row in (rows.items if isinstance(rows, Composite) else []):
        if not isinstance(row, Composite):
            raise _NotData(repr(row))
        out = {"name": row.keyed.get("Name", "")}
        tags = row.keyed.get("Tags")
        if isinstance(tags, Composite):
            out["tags"] = {k: v for k, v in tags.items}
        columns = row.keyed.get("Columns")
        out["columns"] = list(columns.items) if isinstance(columns, Composite) else []
        values = []
        if "Values" in row.keyed and not isinstance(row.keyed["Values"], Composite):
            raise _NotData("values computed by the test")
        for item in (row.keyed["Values"].items if "Values" in row.keyed else []):
            if not isinstance(item, Composite):
                raise _NotData(repr(item))
            cells = []
            for cell in item.items:
                when = _go_time(cell, variables)
                if when is not None:
                    cells.append(when)
                elif cell is None or isinstance(cell, (bool, int, float, str)):
                    cells.append(cell)
                elif isinstance(cell, Call) and cell.func in ("int64", "float64") and len(cell.args) == 1 and isinstance(cell.args[0], (int, float)):
                    cells.append(float(cell.args[0]) if cell.func == "float64" else cell.args[0])
                elif (isinstance(cell, Call) and cell.func == "float64" and len(cell.args) == 1
                      and isinstance(cell.args[0], Unknown) and _go_duration(cell.args[0].text) is not None):
                    cells.append(float(_go_duration(cell.args[0].text)))  # float64(14 * time.Second)
                elif isinstance(cell, Unknown) and _FLOAT_QUOTIENT.fullmatch(cell.text):
                    # a constant quotient of two float literals, as Go rounds it (once, to float64)
                    numerator, denominator = _FLOAT_QUOTIENT.fullmatch(cell.text).groups()
                    cells.append(float(numerator) / float(denominator))
                else:
                    raise _NotData(repr(cell))
            values.append(cells)
        out["values"] = values
        series.append(out)
    return {"series": series}


def mine_replays(source: Source, udf_tests: bool = False) -> list[dict]:
    """integrations/streamer_test.go tests that replay integrations/testdata/<name>.srpl through
    a script and compare its httpOut result: (script, data, expected result). With `udf_tests`,
    instead the ones whose test wires a fake UDF service in (TestStream_CustomFunctions), each
    with the UDFs it describes ("udfs")."""
    path = "integrations/streamer_test.go"
    cases = []
    for fn in functions(tokenize(source.read(path))):
        if not fn.name.startswith("Test"):
            continue
        toks = fn.tokens
        # (a UDF test assigns fields of its fake service and of its expectations: not a hook)
        if not udf_tests and any(
            toks[i].kind == "ident" and toks[i].text[0].islower() and toks[i + 1].text == "." and toks[i + 2].text[:1].isupper() and toks[i + 3].text == "="
            for i in range(len(toks) - 3)
        ):
            continue  # the test replaces a package-level hook (e.g. a seeded random source)
        scripts = dict(_named_strings_resolved(fn))
        variables = {}
        results = {}
        for a in assignments(fn.tokens):
            value = evaluate(a.value_tokens)
            when = _go_time(value, {})
            if when is not None:
                variables[a.name] = when
            elif isinstance(value, Composite) and value.type.endswith("models.Result"):
                results[a.name] = value
        toks = fn.tokens
        for i, tok in enumerate(toks):
            if tok.text != "testStreamerWithOutput" or toks[i + 1].text != "(":
                continue
            args = split_top(toks[i + 2 : skip_group(toks, i + 1) - 1])
            if len(args) != 7:
                continue
            name = evaluate(args[1])
            script_ref = " ".join(t.text for t in args[2])
            expected_ref = " ".join(t.text for t in args[4])
            if not isinstance(name, str) or script_ref not in scripts or expected_ref not in results:
                continue
            udfs = _function_udfs(fn) if udf_tests else {}
            if udf_tests and not udfs:
                continue
            if not udf_tests and " ".join(t.text for t in args[6]) != "nil":
                continue  # the test wires services in: not a plain replay
            try:
                expected = go_result(results[expected_ref], variables)
            except _NotData:
                continue
            data_path = f"integrations/testdata/{name}.srpl"
            try:
                data = source.read(data_path)
            except subprocess.CalledProcessError:
                continue
            cases.append({
                "id": f"{path}:{tok.line}", "test": fn.name, "name": name, "script": scripts[script_ref],
                "data": data, "expected": expected, "ignore_order": evaluate(args[5]) is True,
            })
            if udfs:
                cases[-1]["udfs"] = udfs
    return cases


_LEVELS = {"alert.OK": "OK", "alert.Info": "INFO", "alert.Warning": "WARNING", "alert.Critical": "CRITICAL"}


def go_alert_data(value, variables: dict) -> dict:
    """An alert.Data literal as the JSON Kapacitor posts (zero values filled in as Go has them)."""
    keyed = value.keyed
    level = keyed.get("Level")
    previous = keyed.get("PreviousLevel")
    duration = keyed.get("Duration", 0)
    if isinstance(duration, Unknown):
        duration = _go_duration(duration.text)
    elif isinstance(duration, Call) and duration.func == "time.Duration" and duration.args:
        duration = duration.args[0]
    when = _go_time(keyed.get("Time"), variables) if "Time" in keyed else "0001-01-01T00:00:00Z"
    if when is None or not isinstance(duration, int):
        raise _NotData("time or duration")
    texts = [keyed.get(k, "") for k in ("ID", "Message", "Details")]
    if not all(isinstance(t, str) for t in texts) or not isinstance(keyed.get("Recoverable", False), bool):
        raise _NotData("texts")
    return {
        "id": texts[0], "message": texts[1], "details": texts[2], "time": when, "duration": duration,
        "level": _LEVELS.get(level.text.replace(" ", "") if isinstance(level, Unknown) else "", "OK"),
        "previousLevel": _LEVELS.get(previous.text.replace(" ", "") if isinstance(previous, Unknown) else "", "OK"),
        "recoverable": keyed.get("Recoverable", False),
        "data": go_result(keyed["Data"], variables) if "Data" in keyed else {"series": []},
    }


def mine_alert_posts(source: Source) -> list[dict]:
    """integrations/streamer_test.go tests whose script posts alerts to a test server: how many
    requests arrive and, where the test says, the alert data of each in order."""
    path = "integrations/streamer_test.go"
    cases = []
    for fn in functions(tokenize(source.read(path))):
        toks = fn.tokens
        text = " ".join(t.text for t in toks)
        if not fn.name.startswith("Test") or "httptest . NewServer" not in text or "requestCount" not in text:
            continue
        count = re.search(r"rc := atomic \. LoadInt32 \( & requestCount \) ; rc != (\d+)", text)
        if not count:
            continue
        scripts = dict(_named_strings_resolved(fn))
        call = None
        for i, tok in enumerate(toks):
            if tok.text in ("testStreamerWithOutput", "testStreamerNoOutput") and toks[i + 1].text == "(":
                args = split_top(toks[i + 2 : skip_group(toks, i + 1) - 1])
                call = (tok.line, args)
                break
        if call is None:
            continue
        line, args = call
        name = evaluate(args[1])
        script_ref = " ".join(t.text for t in args[2])
        if not isinstance(name, str) or script_ref not in scripts or " ".join(t.text for t in args[-1]) != "nil":
            continue
        variables = {}
        posted = []
        try:
            for _, lit in composites(toks, {"ID"}):
                if "Level" in lit.keyed:
                    posted.append(go_alert_data(lit, variables))
        except _NotData:
            posted = None
        expected_count = int(count.group(1))
        if posted and len(posted) == 1:
            posted = posted * expected_count
        if posted is not None and len(posted) != expected_count:
            posted = None  # the test's own bookkeeping is not a plain sequence
        try:
            data = source.read(f"integrations/testdata/{name}.srpl")
        except subprocess.CalledProcessError:
            continue
        cases.append({"id": f"{path}:{line}", "test": fn.name, "name": name, "script": scripts[script_ref],
                      "data": data, "count": expected_count, "posted": posted or None})
    return cases


# The Kapacitor release tickpy's batch runtime follows: its own batch tests are the ones mined.
BATCH_REVISION = "v1.5.7"


def _latest_before(values: dict[str, list[tuple[int, object]]], name: str, line: int):
    """The value last assigned to `name` before `line` (tests reassign `script` and `er`)."""
    earlier = [value for at, value in values.get(name, []) if at < line]
    return earlier[-1] if earlier else None


def _recordings(source: Source, name: str) -> list[str]:
    """integrations/testdata/<name>.<i>.brpl for i = 0, 1, ... while they exist (testBatcher's loop)."""
    data = []
    while True:
        try:
            data.append(source.read(f"integrations/testdata/{name}.{len(data)}.brpl"))
        except subprocess.CalledProcessError:
            return data


def _request_checks(fn) -> tuple[int | None, list | None, list | None]:
    """What a test's HTTP handler expects: the request count it checks (`rc != exp`), the alert
    data of each request, or the result each request posts (`switch rc { case n: er = ... }`)."""
    toks = fn.tokens
    text = " ".join(t.text for t in toks)
    count = re.search(r"if exp , rc := (\d+) , int \( atomic \. LoadInt32 \( & requestCount \) \) ; rc != exp", text)
    alerts: list | None = []
    try:
        for _, lit in composites(toks, {"ID"}):
            if "Level" in lit.keyed:
                alerts.append(go_alert_data(lit, {}))
    except _NotData:
        alerts = None
    results: list | None = []
    starts = [i for i, t in enumerate(toks) if t.text == "case" and toks[i + 1].kind == "num" and toks[i + 2].text == ":"]
    for number, i in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(toks)
        found = [value for value in (evaluate(a.value_tokens) for a in assignments(toks[i:end]))
                 if isinstance(value, Composite) and value.type.endswith("models.Result")]
        try:
            results.append(go_result(found[0] if found else None, {}))
        except _NotData:
            results = None
            break
    return (int(count.group(1)) if count else None), (alerts or None), (results or None)


def mine_batch_replays(source: Source) -> list[dict]:
    """integrations/batcher_test.go at BATCH_REVISION: each run of a script over its recordings
    (testdata/<name>.<i>.brpl, one per query node): the httpOut result it must leave
    (testBatcherWithOutput), and for a script posting to the test's server (testBatcher or
    testBatcherWithOutput with an httptest server) the requests: their count, the alert data or
    the result each one carries, where the test says."""
    path = "integrations/batcher_test.go"
    source = Source(source.src, BATCH_REVISION)
    if not source.has_revision():
        return []
    cases = []
    for fn in functions(tokenize(source.read(path))):
        if not fn.name.startswith("Test"):
            continue
        toks = fn.tokens
        scripts: dict[str, list] = {}
        results: dict[str, list] = {}
        known: dict[str, str] = {}

        def resolve(unknown: Unknown, known: dict[str, str] = known):  # this test's values
            if unknown.text in known:
                return known[unknown.text]
            stand_in = _stand_in(unknown, "s")
            return unknown if stand_in is None else str(stand_in)

        for a in assignments(toks):
            value = evaluate(a.value_tokens, resolve)
            if isinstance(value, str):
                known.setdefault(a.name, value)
                scripts.setdefault(a.name, []).append((a.line, value))
            elif isinstance(value, Composite) and value.type.endswith("models.Result"):
                results.setdefault(a.name, []).append((a.line, value))
        server = "httptest . NewServer" in " ".join(t.text for t in toks)
        count, alerts, posted_results = _request_checks(fn) if server else (None, None, None)
        for i, tok in enumerate(toks):
            if tok.text not in ("testBatcherWithOutput", "testBatcher") or toks[i + 1].text != "(":
                continue
            args = split_top(toks[i + 2 : skip_group(toks, i + 1) - 1])
            name = evaluate(args[1]) if len(args) > 2 else None
            script = _latest_before(scripts, " ".join(t.text for t in args[2]), tok.line) if len(args) > 2 else None
            if not isinstance(name, str) or not isinstance(script, str):
                continue
            case = {"id": f"{path}:{tok.line}", "test": fn.name, "name": name, "script": script,
                    "recordings": _recordings(source, name), "expected": None, "ignore_order": False,
                    "requests": count, "alerts": alerts, "posted_results": posted_results}
            if tok.text == "testBatcherWithOutput":
                if len(args) != 6:
                    continue
                expected = _latest_before(results, " ".join(t.text for t in args[4]), tok.line)
                try:
                    case["expected"] = go_result(expected, {})
                except _NotData:
                    continue
                case["ignore_order"] = evaluate(args[5]) is True
            elif count is None and alerts is None:
                continue  # nothing the test checks of the run but that it ends
            if not case["recordings"]:
                continue
            if posted_results is not None and count is None:
                count = case["requests"] = len(posted_results)
            cases.append(case)
    return cases


def mine_batch_start_errors(source: Source) -> list[dict]:
    """integrations/batcher_test.go at BATCH_REVISION, TestBatch_InvalidQuery: batch scripts
    Kapacitor defines but refuses to start, with its error text."""
    path = "integrations/batcher_test.go"
    source = Source(source.src, BATCH_REVISION)
    if not source.has_revision():
        return []
    cases = []
    for fn in functions(tokenize(source.read(path))):
        if fn.name != "TestBatch_InvalidQuery":
            continue
        for line, lit in composites(fn.tokens, {"script", "err"}):
            script, error = lit.keyed["script"], lit.keyed["err"]
            if isinstance(script, str) and isinstance(error, str):
                cases.append({"id": f"{path}:{line}", "test": fn.name, "script": script, "error": error})
    return cases


def _named_strings_resolved(fn):
    known: dict[str, str] = {}

    def resolve(unknown: Unknown):
        if unknown.text in known:
            return known[unknown.text]
        stand_in = _stand_in(unknown, "s")
        return unknown if stand_in is None else str(stand_in)

    for a in assignments(fn.tokens):
        value = evaluate(a.value_tokens, resolve)
        if isinstance(value, str):
            known.setdefault(a.name, value)
            yield a.name, value


def _named_strings(fn):
    for a in assignments(fn.tokens):
        value = evaluate(a.value_tokens)
        if isinstance(value, str):
            yield a.name, value


def mine_canonical(source: Source) -> list[dict]:
    cases = []
    for path in source.list(r"pipeline/tick/[a-z_0-9]+_test\.go"):
        tokens = tokenize(source.read(path))
        for a in assignments(tokens):
            if a.name not in ("want", "exp", "expected"):
                continue
            value = evaluate(a.value_tokens)
            if looks_like_script(value):
                cases.append({"id": f"{path}:{a.line}", "script": value})
    return cases


# ---------------------------------------------------------------- tick/stateful/functions_test.go

_GO_CONVERSIONS = {"int64": "int", "float64": "float", "int": "int"}


def _typed(value):
    """A Go argument as the lambda cases' typed encoding, or Unknown when it has no point form."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, Call) and value.func in _GO_CONVERSIONS and len(value.args) == 1:
        inner = value.args[0]
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            kind = _GO_CONVERSIONS[value.func]
            return {kind: int(inner) if kind == "int" else float(inner)}
    if isinstance(value, Call) and value.func == "math.NaN":
        return {"float": "NaN"}
    if isinstance(value, Call) and value.func == "math.Inf" and value.args in ([1], [-1]):
        return {"float": "+Inf" if value.args[0] == 1 else "-Inf"}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, int):
        return {"int": value}
    return Unknown(repr(value))


_EXPECT_TYPES = {"int": "int", "float": "float", "bool": "boolean", "str": "string"}


def mine_functions(source: Source) -> list[dict]:
    path = "tick/stateful/functions_test.go"
    cases = []
    for fn in functions(tokenize(source.read(path))):
        if not fn.name.startswith("Test_"):
            continue
        # single-argument conversion tests use the function named in the test
        single_name = {"Test_Bool": "bool", "Test_Int": "int", "Test_Float": "float", "Test_String": "string", "Test_Duration": "duration"}.get(fn.name)
        for line, lit in composites(fn.tokens, set()):
            keyed = lit.keyed
            if "exp" not in keyed and "err" not in keyed:
                continue
            if "name" in keyed and "args" in keyed and isinstance(keyed["args"], Composite):
                name, raw_args = keyed["name"], keyed["args"].items
            elif single_name and "arg" in keyed:
                name, raw_args = single_name, [keyed["arg"]]
            else:
                continue
            if not isinstance(name, str):
                continue
            args = [_typed(a) for a in raw_args]
            if any(isinstance(a, Unknown) for a in args):
                continue
            err = keyed.get("err")
            case = {"id": f"{path}:{line}", "function": name, "args": args}
            if isinstance(err, Call) and err.args and isinstance(err.args[0], str):
                case["error"] = err.args[0]
            elif err is not None:
                continue
            else:
                expected = _typed(keyed.get("exp"))
                if single_name in ("float", "int") and isinstance(expected, dict):
                    # untyped Go constants take the declared type of the `exp` field
                    (number,) = expected.values()
                    expected = {single_name: float(number) if single_name == "float" else int(number)}
                if isinstance(expected, Unknown):
                    continue
                case["expect"] = expected
            cases.append(case)
    return cases


# ---------------------------------------------------------------- tick/stateful expression tests


def _go_value(value, variables: dict):
    """A Go operand as ("int"|"float"|"string"|"boolean"|"duration"|"regex", value), or None."""
    if isinstance(value, Unknown) and value.text in variables:
        return variables[value.text]
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, Call) and len(value.args) == 1:
        arg = value.args[0]
        if value.func == "int64" and isinstance(arg, int):
            return ("int", arg)
        if value.func == "float64" and isinstance(arg, (int, float)):
            return ("float", float(arg))
        if value.func == "time.Duration" and isinstance(arg, int):
            return ("duration", arg)
        if value.func == "regexp.MustCompile" and isinstance(arg, str):
            return ("regex", arg)
    if isinstance(value, Unknown) and "time" in value.text:
        ns = _go_duration(value.text)
        if ns is not None:
            return ("duration", ns)
    return None


_DURATION_UNITS = [("w", 7 * 86400 * 10**9), ("d", 86400 * 10**9), ("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9), ("ms", 10**6), ("u", 10**3)]


def literal_text(kind: str, value) -> str | None:
    """TICKscript literal for a typed value, or None when the language cannot write it."""
    if kind == "int":
        return str(value) if value >= 0 else None
    if kind == "float":
        if value < 0 or value != value or value in (float("inf"),):
            return None
        text = repr(float(value))
        return text if "e" not in text else None
    if kind == "string":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if kind == "boolean":
        return "TRUE" if value else "FALSE"
    if kind == "regex":
        return "/" + value.replace("/", "\\/") + "/"
    if kind == "duration":
        for unit, size in _DURATION_UNITS:
            if value > 0 and value % size == 0:
                return f"{value // size}{unit}"
        return None
    return None


def field_encoding(kind: str, value):
    """A typed value as a point field in the lambda cases' encoding, or None (points carry no
    durations or regexes)."""
    if kind == "int":
        return {"int": value}
    if kind == "float":
        return {"float": value}
    if kind in ("string", "boolean"):
        return value
    return None


def expression_text(node) -> str | None:
    """TICKscript text of a go_ast() expression node (binaries parenthesised), or None."""
    kind = node.get("node") if isinstance(node, dict) else None
    if kind == "BinaryNode":
        left, right = expression_text(node.get("Left")), expression_text(node.get("Right"))
        return None if left is None or right is None else f"({left} {node.get('Operator')} {right})"
    if kind == "UnaryNode":
        inner = expression_text(node.get("Node"))
        return None if inner is None else f"{node.get('Operator')}{inner}"
    if kind == "ReferenceNode":
        return '"' + node.get("Reference", "").replace('"', '\\"') + '"'
    if kind == "NumberNode":
        return literal_text("float", node.get("Float64", 0.0)) if node.get("IsFloat") else literal_text("int", node.get("Int64", 0))
    if kind == "StringNode":
        return literal_text("string", node.get("Literal", ""))
    if kind == "BoolNode":
        return literal_text("boolean", node.get("Bool", False))
    if kind == "DurationNode":
        return literal_text("duration", node.get("Dur") or 0)
    if kind == "RegexNode":
        return literal_text("regex", node.get("Regex", ""))
    if kind == "FunctionNode":
        args = [expression_text(a) for a in node.get("Args") or []]
        return None if any(a is None for a in args) else f"{node.get('Func')}({', '.join(args)})"
    if kind == "LambdaNode":
        return expression_text(node.get("Expression"))
    return None


def _expect(value, variables) -> dict | None:
    typed = _go_value(value, variables)
    if typed is None:
        return None
    kind, raw = typed
    if kind == "regex":
        return None
    return {"type": kind, "value": raw}


def mine_expressions(source: Source) -> list[dict]:
    """The operator tables of expr_test.go (every (left, right, operator) the test runs, as a
    literal-literal and as a field-literal expression) and the sequences of expr_dynamic_test.go."""
    cases: list[dict] = []
    path = "tick/stateful/expr_test.go"
    for fn in functions(tokenize(source.read(path))):
        text = " ".join(t.text for t in fn.tokens)
        if "runCompiledEvalBoolTests" in text:
            mode = "predicate"
        elif "runCompiledNumericTests" in text:
            mode = "eval"
        else:
            continue
        variables = {}
        lists = {}
        for a in assignments(fn.tokens):
            value = evaluate(a.value_tokens)
            if isinstance(value, Call) and value.func == "regexp.MustCompile" and value.args and isinstance(value.args[0], str):
                variables[a.name] = ("regex", value.args[0])
            elif a.name in ("leftValues", "rightValues", "operators") and isinstance(value, Composite):
                lists[a.name] = value.items
        lefts = [_go_value(v, variables) for v in lists.get("leftValues", [])]
        rights = [_go_value(v, variables) for v in lists.get("rightValues", [])]
        operators = [_OPERATORS.get(v.text.split(" . ")[-1]) for v in lists.get("operators", []) if isinstance(v, Unknown)]
        tables = []
        toks = fn.tokens
        for i in range(len(toks) - 4):
            if toks[i].text == "map" and toks[i + 2].text == "keyStruct":
                body = i + 5 if toks[i + 4].text == "error" else i + 7  # the `{` after `error` or `interface{}`
                lit = evaluate(toks[i : skip_group(toks, body)])
                if isinstance(lit, Composite):
                    tables.append(lit)
        outcomes: dict = {}
        for table in tables:
            for item in table.items:
                if not isinstance(item, tuple):
                    continue
                key, value = item
                if not isinstance(key, Composite) or len(key.items) != 3:
                    continue
                left, right = _go_value(key.items[0], variables), _go_value(key.items[1], variables)
                op = _OPERATORS.get(key.items[2].text.split(" . ")[-1]) if isinstance(key.items[2], Unknown) else None
                if left is None or right is None or op is None:
                    continue
                if table.type.endswith("error"):
                    if not (isinstance(value, Call) and value.args and isinstance(value.args[0], str)):
                        continue
                    outcome = {"error": value.args[0]}
                else:
                    outcome = _expect(value, variables)
                    if outcome is None:
                        continue
                outcomes[(left, right, op)] = outcome
        line = fn.line
        for (left, right, op), outcome in outcomes.items():
            if lefts and (left not in lefts or right not in rights or op not in operators):
                continue  # a table entry the test never runs
            right_text = literal_text(*right)
            if right_text is None:
                continue
            left_text = literal_text(*left)
            if left_text is not None and left[0] == "regex":
                left_text = f"({left_text})"  # after a regex the lexer reads no operator: only `)` ends it
            base = {"function": fn.name, "mode": mode, "tags": {}, "expect": outcome}
            if left_text is not None:
                cases.append({**base, "id": f"{path}:{line}:{len(cases)}", "expr": f"{left_text} {op} {right_text}", "fields": {}})
            field = field_encoding(*left)
            if field is not None:
                cases.append({**base, "id": f"{path}:{line}:{len(cases)}", "expr": f'"value" {op} {right_text}', "fields": {"value": field}})
    path = "tick/stateful/expr_dynamic_test.go"
    for line, lit in composites(tokenize(source.read(path)), {"Node", "Expectations"}):
        expr = expression_text(go_ast(lit.keyed["Node"]))
        steps = lit.keyed["Expectations"]
        if expr is None or not isinstance(steps, Composite):
            continue
        sequence = []
        for step in steps.items:
            if not isinstance(step, Composite):
                break
            keyed = step.keyed
            mode = "predicate" if keyed.get("IsEvalBool") else "eval"
            fields = {}
            if "Value" in keyed:
                typed = _go_value(keyed["Value"], {})
                encoded = field_encoding(*typed) if typed else None
                if encoded is None:
                    break
                fields["value"] = encoded
            error = keyed.get("ExpectedError")
            if isinstance(error, Call) and error.args and isinstance(error.args[0], str):
                outcome = {"error": error.args[0]}
            else:
                outcome = _expect(keyed.get("ExpectedResult"), {})
                if outcome is None:
                    break
            sequence.append({"mode": mode, "fields": fields, "expect": outcome})
        else:
            state = f"{path}:{line}"
            for index, step in enumerate(sequence):
                # one compiled expression per sequence, as the Go test compiles it once
                cases.append({"id": f"{state}#{index}", "function": "", "expr": expr, "tags": {}, "state_id": state, **step})
    return cases


def mine_task_types(source: Source) -> list[dict]:
    """services/task_store: the task type the server reads from a script's roots."""
    path = "services/task_store/util_test.go"
    names = {"client.StreamTask": "stream", "client.BatchTask": "batch", "client.InvalidTask": None}
    cases = []
    for line, lit in composites(tokenize(source.read(path)), {"tickscript", "taskType"}):
        kind = lit.keyed["taskType"]
        if isinstance(lit.keyed["tickscript"], str) and isinstance(kind, Unknown) and kind.text.replace(" ", "") in names:
            cases.append({"id": f"{path}:{line}", "script": lit.keyed["tickscript"], "task_type": names[kind.text.replace(" ", "")]})
    return cases


def mine_handler_matches(source: Source) -> list[dict]:
    """services/alert/handlers_test.go: a topic handler's `match` expression over an event."""
    path = "services/alert/handlers_test.go"
    cases = []
    for line, lit in composites(tokenize(source.read(path)), {"event", "shouldMatch", "match"}):
        event, state = lit.keyed["event"], None
        if isinstance(event, Composite) and isinstance(event.keyed.get("State"), Composite):
            state = event.keyed["State"].keyed
        if state is None or not isinstance(lit.keyed["match"], str):
            continue
        duration = state.get("Duration", 0)
        duration = _go_duration(duration.text) if isinstance(duration, Unknown) else duration
        level = state.get("Level")
        cases.append({
            "id": f"{path}:{line}", "match": lit.keyed["match"], "should_match": lit.keyed["shouldMatch"] is True,
            "event": {
                "id": state.get("ID", ""), "message": state.get("Message", ""), "details": state.get("Details", ""),
                "duration_ns": duration, "topic": event.keyed.get("Topic", ""),
                "level": _LEVELS.get(level.text.replace(" ", "") if isinstance(level, Unknown) else "", "OK"),
            },
        })
    return cases


def mine_examples(source: Source) -> list[dict]:
    """Kapacitor's example .tick files (some use old syntax or placeholders: no verdict is known)."""
    return [{"id": path, "script": source.read(path)} for path in source.list(r".*\.tick")]


def mine(src: str) -> dict:
    source = Source(src)
    parse_cases, string_cases = mine_parse(source)
    return {
        "kapacitor_commit": source.commit(),
        "stand_in_url": STAND_IN_URL,
        "stand_in_dir": STAND_IN_DIR,
        "fmt": mine_fmt(source),
        "parse": parse_cases,
        "lexer": mine_lexer(source),
        "ast": mine_ast(source),
        "strings": string_cases,
        "scripts": mine_integration_scripts(source),
        "canonical": mine_canonical(source),
        "task_types": mine_task_types(source),
        "replays": mine_replays(source),
        "alert_posts": mine_alert_posts(source),
        "batch_replays": mine_batch_replays(source),
        "batch_start_errors": mine_batch_start_errors(source),
        "handler_matches": mine_handler_matches(source),
        "examples": mine_examples(source),
        "functions": mine_functions(source),
        "expressions": mine_expressions(source),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=DEFAULT_SRC, required=DEFAULT_SRC is None,
                        help="Kapacitor git directory (default: $TICKPY_KAPACITOR_SRC)")
    parser.add_argument("--out", default="/tmp/kapacitor_suites.json")
    options = parser.parse_args()
    data = mine(options.src)
    pathlib.Path(options.out).write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    counts = ", ".join(f"{key} {len(value)}" for key, value in data.items() if isinstance(value, list))
    print(f"wrote {options.out}: {counts}")


if __name__ == "__main__":
    main()

"""What the language server knows about a script, without any LSP machinery: the diagnostics,
what can follow the cursor, the documentation of the word under it, and where each `var` is.

Offsets are character offsets in the document text. The chain under the cursor is resolved
from the tokens (tickpy's lexer) rather than the AST, so that completion works in a script
that does not parse yet, as it does while it is being typed.
"""

from __future__ import annotations

import difflib
import json
import pathlib
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

from tickpy.alerting.handlerfile import check_handler_files
from tickpy.check import build_pipeline
from tickpy.check.catalogue import load as load_catalogue
from tickpy.check.dot import to_dot
from tickpy.check.inputs import load_vars
from tickpy.check.verdict import validate_source
from tickpy.diagnostics import Diagnostic, TickpyError, render
from tickpy.filenames import is_test_file
from tickpy.influxql import scan_tokens
from tickpy.lang.functions import BUILTIN_FUNCTIONS
from tickpy.observe.explain import explain_text
from tickpy.syntax import format_source, parse
from tickpy.syntax.lexer import Tok, lex
from tickpy.testing import run_test_file
from tickpy.testing.inputs import points as test_points
from tickpy.testing.inputs import series_points
from tickpy.testing.report import render_text
from tickpy.testing.runner import find_test_files
from tickpy.testing.spec import TestFileError, load_test_file

DOCS_PATH = pathlib.Path(__file__).with_name("docs.json")
# Where a member's doc comment lives when its own type has none: handlers and the alert node
# embed AlertNodeData.
_EMBEDDED = "AlertNodeData"
KEYWORDS = ("var", "dbrp", "stream", "batch", "lambda:")
# Words a var cannot be renamed to: the language's keywords and the two roots.
RESERVED = frozenset({"var", "dbrp", "lambda", "TRUE", "FALSE", "AND", "OR", "stream", "batch"})


def vars_file_of(path: str) -> pathlib.Path | None:
    """The template vars beside a script: `NAME.vars.json` (the JSON of `kapacitor define
    -vars`) for `NAME.tick`, when it exists."""
    script = pathlib.Path(path)
    if script.suffix != ".tick":
        return None
    candidate = script.with_name(script.stem + ".vars.json")
    return candidate if candidate.is_file() else None


_HANDLER_KIND = re.compile(r'^kind\s*:|^\s*\{.*"kind"\s*:', re.MULTILINE | re.DOTALL)


def is_handler_file(path: str, text: str) -> bool:
    """A topic handler file (kapacitor define-topic-handler's YAML or JSON, with its `kind`);
    `tickpy test` files are YAML too, but not handler files."""
    return (path.endswith((".yaml", ".yml", ".json")) and not is_test_file(path)
            and _HANDLER_KIND.search(text) is not None)


def handler_diagnostics(text: str) -> list[Diagnostic]:
    """What `tickpy handlers check` says of one handler file (without --config)."""
    return [d for entry in check_handler_files(["-"], None, stdin_text=text) for d in entry.diagnostics]


def diagnostics_of(source: str, path: str) -> list[Diagnostic]:
    """The diagnostics `tickpy validate` gives the script (syntax, define's checks, lints),
    with `--vars` from the script's sibling vars file when it has one (a vars file that cannot
    be read is said at the script's start, as the usage error `tickpy validate` gives)."""
    vars_file = vars_file_of(path)
    variables = None
    if vars_file is not None:
        try:
            variables = load_vars(str(vars_file))
        except TickpyError as error:
            return [Diagnostic(d.message, code=d.code or "bad-input") for d in error.diagnostics]
    return validate_source(source, path, variables=variables)[1]


@lru_cache(maxsize=1)
def docs() -> dict[str, str]:
    return json.loads(DOCS_PATH.read_text())["docs"]


@dataclass(slots=True)
class Kind:
    """What a chain yields at some point: a catalogue type and the edge it provides."""

    type: str
    edge: str | None


@dataclass(slots=True)
class TokenRole:
    """What an identifier token stands for."""

    role: str  # "chain", "property", "root", "var", "declaration", "function", "udf"
    receiver: Kind | None = None  # the chain it applies to (chain, property)
    result: Kind | None = None  # what it yields


@dataclass(slots=True)
class Reading:
    """A script read token by token: the role of each identifier, the vars' kinds and
    declarations, and the state at the end (for completion)."""

    tokens: list[Tok]
    roles: dict[int, TokenRole] = field(default_factory=dict)
    var_kinds: dict[str, Kind | None] = field(default_factory=dict)
    declarations: dict[str, int] = field(default_factory=dict)  # var name -> token index
    current: Kind | None = None
    in_lambda: bool = False
    depth: int = 0  # parentheses open at the end
    complete: bool = True  # False when the lexer stopped early (an unterminated string, ...)


def _chain_result(receiver: Kind | None, name: str) -> Kind | None:
    if receiver is None:
        return None
    catalogue = load_catalogue()
    entry = catalogue.types.get(receiver.type)
    key = entry.chain.get(name) if entry else None
    method = catalogue.methods.get(key) if key else None
    if method is None or not method.creates_node:
        return None
    edge = method.edges.get(receiver.edge or "")
    if not edge or "type" not in edge:
        return None
    return Kind(edge["type"], edge.get("provides"))


def _property_result(receiver: Kind | None, name: str) -> Kind | None:
    if receiver is None:
        return None
    entry = load_catalogue().types.get(receiver.type)
    prop = entry.props.get(name) if entry else None
    if prop is None:
        return None
    return Kind(prop.next, receiver.edge) if prop.next else receiver


def read(source: str) -> Reading:
    lexed = lex(source)
    tokens = lexed.tokens
    reading = Reading(tokens, complete=lexed.error is None)
    roots = load_catalogue().roots
    depth = 0
    lambda_depths: list[int] = []
    declaring: str | None = None
    previous: Tok | None = None
    for index, token in enumerate(tokens):
        kind = token.type
        before = previous.type if previous else None
        if kind == "LPAREN":
            depth += 1
        elif kind == "RPAREN":
            depth -= 1
            while lambda_depths and depth < lambda_depths[-1]:
                lambda_depths.pop()
        elif kind == "LAMBDA":
            lambda_depths.append(depth)
        elif kind == "VAR" and depth == 0:
            if declaring is not None:
                reading.var_kinds[declaring] = reading.current
            declaring = None
            reading.current = None
        elif kind == "IDENT":
            following = tokens[index + 1].type if index + 1 < len(tokens) else None
            if before == "VAR":
                declaring = token.value
                reading.declarations.setdefault(token.value, index)
                reading.roles[index] = TokenRole("declaration")
            elif before == "PIPE":
                result = _chain_result(reading.current, token.value) if depth == 0 else None
                reading.roles[index] = TokenRole("chain", reading.current, result)
                if depth == 0:
                    reading.current = result
            elif before == "DOT":
                result = _property_result(reading.current, token.value) if depth == 0 else None
                reading.roles[index] = TokenRole("property", reading.current, result)
                if depth == 0:
                    reading.current = result
            elif before == "AT":
                reading.roles[index] = TokenRole("udf")
                if depth == 0:
                    reading.current = None
            elif following == "LPAREN":
                reading.roles[index] = TokenRole("function")
            elif token.value in reading.declarations or token.value in roots:
                if depth == 0 and declaring is not None and before != "ASGN":  # a new statement
                    reading.var_kinds[declaring] = reading.current
                    declaring = None
                root = Kind(roots[token.value], token.value) if token.value in roots else None
                result = reading.var_kinds.get(token.value, root)
                reading.roles[index] = TokenRole("root" if root else "var", None, result)
                if depth == 0:
                    reading.current = result
            # A type declaration (`var x string`) names a type, not a chain.
            if before == "IDENT" and index >= 2 and tokens[index - 2].type == "VAR":
                reading.roles.pop(index, None)
        previous = token
    if declaring is not None:
        reading.var_kinds[declaring] = reading.current
    reading.in_lambda = bool(lambda_depths)
    reading.depth = depth
    return reading


@dataclass(slots=True)
class Candidate:
    label: str
    kind: str  # "method", "property", "function", "variable", "keyword", "field"
    detail: str = ""
    documentation: str | None = None


def _chain_candidates(receiver: Kind) -> list[Candidate]:
    catalogue = load_catalogue()
    entry = catalogue.types.get(receiver.type)
    if entry is None:
        return []
    found = []
    for name in sorted(entry.chain):
        result = _chain_result(receiver, name)
        if result is None or receiver.edge in entry.chain_errors.get(name, {}):
            continue
        method = catalogue.methods[entry.chain[name]]
        found.append(Candidate(name, "method", f"|{name}({_params(method.params)}) -> {result.type}",
                               docs().get(entry.chain[name])))
    return found


def _params(params: list[str]) -> str:
    kind_of = load_catalogue().kind_of
    return ", ".join(kind_of(p) for p in params)


def _property_candidates(receiver: Kind) -> list[Candidate]:
    entry = load_catalogue().types.get(receiver.type)
    if entry is None:
        return []
    return [Candidate(name, "property", f".{name}({_params(entry.props[name].params)})",
                      property_doc(receiver.type, name)) for name in sorted(entry.props)]


def function_signatures(name: str) -> list[str]:
    function = BUILTIN_FUNCTIONS.get(name)
    if function is None:
        return []
    return [f"{name}({', '.join(args)}) {result}" for args, result in function.signatures.items()]


def _field_candidates(source: str, path: str | None) -> list[Candidate]:
    """The field and tag references ("name") the script uses anywhere, and the fields and tags
    of the points its test files give it."""
    used = {token.value for token in lex(source).tokens if token.type == "REFERENCE"}
    found = [Candidate(name, "field", "field or tag") for name in sorted(used)]
    if path is not None:
        for key, what in sorted(_test_point_keys(path).items()):
            if f'"{key}"' not in used:
                found.append(Candidate(f'"{key}"', "field", what))
    return found


def _test_point_keys(path: str) -> dict[str, str]:
    """Field and tag names of the points in the test files beside the script that run it:
    name -> "field in test points" or "tag in test points". Read again only when a file in the
    folder changed."""
    folder = pathlib.Path(path).parent
    try:
        stamp = tuple(sorted((entry.name, entry.stat().st_mtime_ns) for entry in folder.iterdir()
                             if is_test_file(entry.name)))
    except OSError:
        return {}
    cached = _POINT_KEYS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    keys: dict[str, str] = {}
    script = pathlib.Path(path).resolve()
    for name, _ in stamp:
        try:
            cases = load_test_file(str(folder / name))
        except TestFileError:
            continue
        for case in cases:
            if case.script_path.startswith(str(folder / name)) or pathlib.Path(case.script_path).resolve() != script:
                continue
            try:
                loaded = test_points(case.points_text, start=case.start_ns, precision=case.precision)
            except ValueError:
                continue
            loaded += series_points(case.input_series, case.start_ns)
            for point in loaded:
                keys.update({tag: "tag in test points" for tag in point.tags})
                keys.update({field: "field in test points" for field in point.fields})
    _POINT_KEYS[path] = (stamp, keys)
    return keys


_POINT_KEYS: dict[str, tuple[tuple, dict[str, str]]] = {}
_TOPIC_ARGUMENT = re.compile(r"\.topic\(\s*'([^'\\\n]*)$")
_TOPIC_IN_SCRIPT = re.compile(r"\.topic\(\s*'([^'\\\n]+)'")
_TOPIC_IN_HANDLER = re.compile(r'^\s*"?topic"?\s*:\s*"?([^"\s,]+)"?', re.MULTILINE)


def _topic_candidates(source: str, path: str | None) -> list[Candidate]:
    """The topics this script publishes to and the topics of the handler files beside it."""
    topics = {name: "topic of this script" for name in _TOPIC_IN_SCRIPT.findall(source)}
    if path is not None:
        folder = pathlib.Path(path).parent
        for entry in sorted(folder.glob("*")):
            if entry.suffix in (".yaml", ".yml", ".json") and not is_test_file(entry.name):
                try:
                    text = entry.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                if is_handler_file(str(entry), text):
                    for name in _TOPIC_IN_HANDLER.findall(text):
                        topics.setdefault(name, f"topic of {entry.name}")
    return [Candidate(name, "variable", what) for name, what in sorted(topics.items())]


def _lambda_candidates() -> list[Candidate]:
    return [Candidate(name, "function", function_signatures(name)[0]) for name in sorted(BUILTIN_FUNCTIONS)]


def completions(source: str, offset: int, path: str | None = None) -> list[Candidate]:
    """What may be written at `offset`: chaining methods after `|`, properties after `.`,
    lambda functions, vars and fields (with those of the test files' points) inside `lambda:`,
    topic names inside `.topic('`, vars and keywords at the start of a statement."""
    before = source[:offset]
    if _TOPIC_ARGUMENT.search(before):
        return _topic_candidates(source, path)
    tokens = lex(before).tokens
    if tokens and tokens[-1].type == "IDENT" and tokens[-1].offset_end == offset:
        before = before[: tokens[-1].start_pos]  # the word being typed
    reading = read(before)
    if not reading.complete:  # inside a string, a field reference or a comment being typed
        return []
    trigger = reading.tokens[-1].type if reading.tokens else None
    if trigger in ("PIPE", "DOT"):
        if reading.depth or reading.current is None:
            return []
        return _chain_candidates(reading.current) if trigger == "PIPE" else _property_candidates(reading.current)
    variables = [Candidate(name, "variable", _kind_text(reading.var_kinds.get(name)))
                 for name in sorted(reading.declarations)]
    if reading.in_lambda:
        return _lambda_candidates() + variables + _field_candidates(source, path)
    if trigger in ("VAR", "AT"):
        return []
    return variables + [Candidate(word, "keyword") for word in KEYWORDS]


def _kind_text(kind: Kind | None) -> str:
    if kind is None:
        return "var"
    return f"var: {kind.type}" + (f" ({kind.edge} edge)" if kind.edge else "")


def property_doc(type_name: str, name: str) -> str | None:
    entry = load_catalogue().types.get(type_name)
    prop = entry.props.get(name) if entry else None
    if prop is None:
        return None
    go_name = prop.field if prop.kind == "field" else prop.go_name
    for owner in (type_name, _EMBEDDED):
        text = docs().get(f"{owner}.{go_name}")
        if text:
            return text
    return None


def token_at(tokens: list[Tok], offset: int) -> int | None:
    for index, token in enumerate(tokens):
        if token.start_pos <= offset < token.offset_end or (token.offset_end == offset and token.type == "IDENT"):
            return index
        if token.start_pos > offset:
            break
    return None


def hover(source: str, offset: int) -> tuple[str, Tok] | None:
    """The Markdown documentation of the identifier at `offset`, with its token."""
    reading = read(source)
    index = token_at(reading.tokens, offset)
    if index is None or reading.tokens[index].type != "IDENT":
        return None
    token = reading.tokens[index]
    role = reading.roles.get(index)
    catalogue = load_catalogue()
    parts: list[str] = []
    if role is None:
        return None
    if role.role == "chain" and role.receiver is not None:
        key = catalogue.types[role.receiver.type].chain.get(token.value) if role.receiver.type in catalogue.types else None
        if key:
            method = catalogue.methods[key]
            result = role.result.type if role.result else method.returns
            parts.append(f"```tickscript\n|{token.value}({_params(method.params)})\n```\n→ `{result}`")
            parts += [text for text in (docs().get(key), docs().get(result or "")) if text]
    elif role.role == "property" and role.receiver is not None:
        entry = catalogue.types.get(role.receiver.type)
        prop = entry.props.get(token.value) if entry else None
        if prop is not None:
            parts.append(f"```tickscript\n.{token.value}({_params(prop.params)})\n```\non `{role.receiver.type}`")
            text = property_doc(role.receiver.type, token.value)
            if text:
                parts.append(text)
    elif role.role == "function":
        signatures = function_signatures(token.value)
        if signatures:
            parts.append("```tickscript\n" + "\n".join(signatures) + "\n```\nlambda function")
    elif role.role == "root" and role.result is not None:
        parts.append(f"`{token.value}`: {role.result.type}")
        text = docs().get(role.result.type)
        if text:
            parts.append(text)
    elif role.role in ("var", "declaration"):
        kind = reading.var_kinds.get(token.value)
        parts.append(f"`var {token.value}`" + (f": {kind.type} ({kind.edge} edge)" if kind and kind.edge else ""))
    if not parts:
        return None
    return "\n\n---\n\n".join(parts), token


def var_occurrences(source: str, offset: int) -> list[Tok]:
    """The declaration and every use of the var at `offset` (declaration first); [] when the
    identifier there is not a declared var."""
    reading = read(source)
    index = token_at(reading.tokens, offset)
    if index is None or reading.roles.get(index, TokenRole("")).role not in ("var", "declaration"):
        return []
    name = reading.tokens[index].value
    return [reading.tokens[i] for i in sorted(reading.roles)
            if reading.tokens[i].value == name and reading.roles[i].role in ("var", "declaration")]


def declarations(source: str) -> list[tuple[str, Tok, Kind | None]]:
    """(name, token, kind) of every var declaration, in order."""
    reading = read(source)
    return [(name, reading.tokens[index], reading.var_kinds.get(name)) for name, index in reading.declarations.items()]


@dataclass(slots=True)
class Signature:
    label: str
    parameters: list[str]
    documentation: str | None = None


def signatures(source: str, offset: int) -> tuple[list[Signature], int] | None:
    """The signatures of the call whose parentheses hold `offset` (a chaining method, a
    property or a lambda function), and the index of the argument being written."""
    reading = read(source[:offset])
    if not reading.complete:
        return None
    tokens = reading.tokens
    depth = commas = 0
    for index in range(len(tokens) - 1, 0, -1):
        kind = tokens[index].type
        if kind == "RPAREN":
            depth += 1
        elif kind == "COMMA" and depth == 0:
            commas += 1
        elif kind == "LPAREN":
            if depth == 0:
                return _call_signatures(reading, index - 1), commas
            depth -= 1
    return None


def _call_signatures(reading: Reading, index: int) -> list[Signature]:
    role = reading.roles.get(index)
    name = reading.tokens[index].value
    catalogue = load_catalogue()
    if role is None:
        return []
    if role.role == "function":
        function = BUILTIN_FUNCTIONS.get(name)
        if function is None:
            return []
        return [Signature(text, list(args)) for text, args in zip(function_signatures(name), function.signatures)]
    entry = catalogue.types.get(role.receiver.type) if role.receiver else None
    if entry is None:
        return []
    if role.role == "chain" and name in entry.chain:
        key = entry.chain[name]
        params = [catalogue.kind_of(p) for p in catalogue.methods[key].params]
        return [Signature(f"|{name}({', '.join(params)})", params, docs().get(key))]
    if role.role == "property" and name in entry.props:
        params = [catalogue.kind_of(p) for p in entry.props[name].params]
        return [Signature(f".{name}({', '.join(params)})", params, property_doc(entry.name, name))]
    return []


# ---------------------------------------------------------------------------- range formatting


def range_format_edits(source: str, path: str, first_line: int, last_line: int) -> list[tuple[int, int, str]] | None:
    """`tickpy fmt` applied to lines first_line..last_line (0-based, both included): the script is
    formatted whole (fmt's layout depends on the whole chain), and of the stretches that change
    only those touching the range are kept, as (first line, end line (excluded), new text). None
    when the script does not parse."""
    try:
        formatted = format_source(source, path)
    except TickpyError:
        return None
    old = source.splitlines(keepends=True)
    new = formatted.splitlines(keepends=True)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        touches = i1 <= last_line and (i2 > first_line if i2 > i1 else i1 >= first_line)
        if tag != "equal" and touches:
            edits.append((i1, i2, "".join(new[j1:j2])))
    return edits


# ---------------------------------------------------------------------------- commands


COMMANDS = {
    "tickpy.explain": "explain",
    "tickpy.graph": "graph",
    "tickpy.runTests": "run tests",
}


def _checked(source: str, path: str):
    """(program, pipeline, vars) of a script, with its sibling vars file; TickpyError otherwise."""
    vars_file = vars_file_of(path)
    variables = load_vars(str(vars_file)) if vars_file is not None else None
    program = parse(source, path)
    return program, build_pipeline(program, variables=variables), variables


def explain_of(source: str, path: str) -> str:
    """What `tickpy explain` says of the script (or why it cannot)."""
    try:
        program, pipeline, variables = _checked(source, path)
    except TickpyError as error:
        return "\n".join(render(d, path, source) for d in error.diagnostics)
    return explain_text(pipeline, program, given_vars=variables or ())


def graph_of(source: str, path: str) -> str:
    """`tickpy graph`'s DOT of the script (or why it cannot be drawn)."""
    try:
        _, pipeline, _ = _checked(source, path)
    except TickpyError as error:
        return "\n".join(render(d, path, source) for d in error.diagnostics)
    return to_dot(pipeline)  # named "task", as `tickpy graph` names it by default


def tests_of(path: str) -> list[str]:
    """The test files in the script's folder (and below) whose cases run this script."""
    script = pathlib.Path(path).resolve()
    found = []
    for test_file in find_test_files([str(script.parent)]):
        try:
            cases = load_test_file(test_file)
        except TestFileError:
            continue
        if any(pathlib.Path(case.script_path).resolve() == script for case in cases
               if not case.script_path.startswith(test_file)):
            found.append(test_file)
    return found


def run_tests_of(path: str) -> str:
    """`tickpy test` on the test files of the script, as its text report."""
    files = tests_of(path)
    if not files:
        return f"no test file under {pathlib.Path(path).parent} runs {pathlib.Path(path).name}"
    started = time.perf_counter()
    results = [result for test_file in files for result in run_test_file(test_file)]
    return render_text(results, [], time.perf_counter() - started)


# ---------------------------------------------------------------------------- semantic tokens

# What the two sub-languages' tokens are, for editors whose grammar (TextMate, vim syntax) sees
# only strings there: lambda expressions and the InfluxQL of query nodes.
SEMANTIC_TYPES = ("keyword", "operator", "number", "string", "regexp", "property", "function", "variable")
_LAMBDA_KINDS = {"REFERENCE": "property", "NUMBER": "number", "DURATION": "number", "STRING": "string",
                 "REGEX": "regexp", "AND": "keyword", "OR": "keyword", "TRUE": "keyword", "FALSE": "keyword",
                 "LAMBDA": "keyword"}
_NOT_OPERATORS = frozenset({"LPAREN", "RPAREN", "COMMA", "DOT", "PIPE", "IDENT", "AT", "ASGN"})
_INFLUXQL_KINDS = {"KEYWORD": "keyword", "NUMBER": "number", "INTEGER": "number", "DURATION": "number",
                   "STRING": "string", "OP": "operator"}


def semantic_tokens(source: str) -> list[tuple[int, int, str]]:
    """(start offset, end offset, type) of the tokens of every lambda expression and of every
    query node's InfluxQL, in document order."""
    tokens = lex(source).tokens
    found: list[tuple[int, int, str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "LAMBDA":
            index = _lambda_tokens(tokens, index, found)
            continue
        if (token.type == "IDENT" and token.value == "query" and index + 2 < len(tokens)
                and tokens[index + 1].type == "LPAREN" and tokens[index + 2].type == "STRING"):
            found.extend(_influxql_tokens(tokens[index + 2]))
        index += 1
    return found


def _lambda_tokens(tokens: list[Tok], index: int, found: list) -> int:
    """Adds the tokens of the lambda starting at `index`; returns the index after it (its end:
    the `,` or `)` that closes the argument it is)."""
    depth = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "LPAREN":
            depth += 1
        elif token.type == "RPAREN":
            if depth == 0:
                return index
            depth -= 1
        elif token.type == "COMMA" and depth == 0:
            return index
        kind = _LAMBDA_KINDS.get(token.type)
        if kind is None and token.type == "IDENT":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            kind = "function" if following is not None and following.type == "LPAREN" else "variable"
        elif kind is None and token.type not in _NOT_OPERATORS:
            kind = "operator"
        if kind is not None:
            found.append((token.start_pos, token.offset_end, kind))
        index += 1
    return index


def _influxql_tokens(string: Tok) -> list[tuple[int, int, str]]:
    """The InfluxQL tokens inside a string literal, at their places in the document (only when
    the literal has no escapes, so that its text is the query's, character for character)."""
    raw = string.value
    quote = 3 if raw.startswith("\'\'\'") else 1
    text = raw[quote:-quote]
    if "\\" in text:
        return []
    base = string.start_pos + quote
    scanned = scan_tokens(text)
    found = []
    for position, (kind, start, end) in enumerate(scanned):
        semantic = _INFLUXQL_KINDS.get(kind)
        if semantic is None and kind == "IDENT":
            following = scanned[position + 1][0] if position + 1 < len(scanned) else None
            semantic = "function" if following == "(" else "variable"
        if semantic is not None:
            found.append((base + start, base + end, semantic))
    return found

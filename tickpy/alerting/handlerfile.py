"""Handler files as `kapacitor define-topic-handler` reads them: YAML (.yaml/.yml) or JSON (.json)
with `id`, `topic`, `kind`, optional `match` and `options`.

Decoding is strict: an unknown top-level key or option is an error, as is a value of the wrong
type. Top-level keys match case-insensitively, like Go's encoding/json does for Kapacitor's
client struct. Every problem is a Diagnostic whose `extra["path"]` names the file and whose
line/column come from the YAML (or JSON) position of the key. YAML and JSON are read within
the bounds of tickpy.datafiles (nesting, go-yaml's alias budget).

`check_handler_files` is the one way handler files are loaded: the alert service of `tickpy
run` (and `tickpy test`) and `tickpy handlers check` both use it, so they refuse the same files.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tickpy.alerting.config import AlertConfig
from tickpy.alerting.kinds import HANDLER_KINDS, HandlerKind
from tickpy.alerting.match import MatchError, compile_match
from tickpy.alerting.options import ANY_MAP, FILE_MODE, OptionProblem, decode_options
from tickpy.datafiles import BoundedComposer, NestingError, check_nesting
from tickpy.diagnostics import ERROR, WARNING, Diagnostic
from tickpy.filenames import is_test_file
from tickpy.golang.gojson import NumberRangeError, json_float, json_int

if TYPE_CHECKING:  # pragma: no cover
    import yaml

TOP_LEVEL_KEYS = ("id", "topic", "kind", "match", "options")
HANDLER_FILE_SUFFIXES = (".yaml", ".yml", ".json")
# Kapacitor's services/alert/dao.go patterns for ids and topics
_VALID_HANDLER_ID = re.compile(r"^[-._\w]+$")
_VALID_TOPIC_ID = re.compile(r"^[-:._\w]+$")


@dataclass(slots=True)
class Position:
    line: int = 0  # 1-based; 0 when unknown
    column: int = 0  # 1-based byte column
    plain_text: str | None = None  # for an unquoted YAML scalar value: its text as written


@dataclass(slots=True)
class TopicHandlerSpec:
    """One handler file, decoded: what Kapacitor's HandlerSpec holds, plus where it came from."""

    id: str
    topic: str
    kind: str
    match: str
    options: dict[str, Any]  # decoded, by canonical option name, with the kind's defaults
    raw_options: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    positions: dict[str, Position] = field(default_factory=dict)  # "id", "options.address", ...
    predicate: Callable | None = field(default=None, repr=False, compare=False)  # the compiled match

    def position(self, key: str) -> Position:
        return self.positions.get(key) or self.positions.get(key.split(".")[0]) or Position(1, 1)

    def option_position(self, name: str) -> Position:
        """Where option `name` is written (its key matches case-insensitively, as it decodes)."""
        for key, where in self.positions.items():
            if key.startswith("options.") and key[len("options."):].casefold() == name.casefold():
                return where
        return self.position("options")


@dataclass(slots=True)
class CheckedFile:
    """One handler file (or a path that holds none), as the alert service loads it."""

    path: str
    spec: TopicHandlerSpec | None  # None when the file does not decode
    diagnostics: list[Diagnostic]
    text: str | None = None  # what was read, for showing source lines

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


def diagnostic(path: str, message: str, position: Position | None = None, code: str = "handler-file",
               hint: str | None = None, severity: str = "error") -> Diagnostic:
    position = position or Position()
    return Diagnostic(message=message, line=position.line, column=position.column, code=code, hint=hint,
                      severity=severity, extra={"path": path})


def expand_paths(paths: list[str | os.PathLike]) -> tuple[list[Path], list[Diagnostic]]:
    """Files named, and the handler files (.yaml/.yml/.json) inside directories named, sorted;
    a directory's `tickpy test` files (*.tickpy.yaml) are not handler files and are left out."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in HANDLER_FILE_SUFFIXES
                           and not is_test_file(p.name))
            if not found:
                problems.append(diagnostic(str(path), "no handler files (.yaml, .yml, .json) in this directory",
                                           severity=WARNING))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(diagnostic(str(path), "no such file or directory", code="handler-file-missing"))
    return files, problems


# --- reading with positions --------------------------------------------------------------------


def _yaml_error_diagnostic(path: str, text: str, err: yaml.YAMLError) -> Diagnostic:
    from yaml.reader import ReaderError  # deferred with yaml: start-up (only handler files need it)

    if isinstance(err, ReaderError):  # a character YAML refuses anywhere: where it is
        return diagnostic(path, f"invalid YAML: unacceptable character #x{err.character:04x}: {err.reason}",
                          _byte_position(text[: err.position].encode(), len(text[: err.position].encode())),
                          code="handler-file-syntax")
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    position = Position(mark.line + 1, mark.column + 1) if mark else Position()
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    hint = None
    if mark is not None:
        line_text = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
        key, _, value = line_text.partition(":")
        if value.strip().startswith('"') and not _whole_quoted(value.strip(), '"'):
            hint = (f"the value of `{key.strip()}` starts with a double quote, so YAML reads only \"...\" as the "
                    "string; quote the whole value with single quotes (doubling any ' inside), e.g. "
                    f"{key.strip()}: '{value.strip().replace(chr(39), chr(39) * 2)}'")
        elif value.strip().startswith("'") and not _whole_quoted(value.strip(), "'"):
            hint = (f"the value of `{key.strip()}` starts with a single quote; quote the whole value with double "
                    "quotes or use a block scalar (`>-`)")
    return diagnostic(path, message, position, code="handler-file-syntax", hint=hint)


def _byte_position(data: bytes, offset: int) -> Position:
    """The line and column (in bytes, as Go counts) of byte `offset` in `data`."""
    return Position(data.count(b"\n", 0, offset) + 1, offset - data.rfind(b"\n", 0, offset))


def _whole_quoted(value: str, quote: str) -> bool:
    return len(value) >= 2 and value.endswith(quote) and value.count(quote) == 2


@functools.cache
def _handler_loader() -> type:
    """PyYAML's safe loader with go-yaml's bounds (tickpy.datafiles), building only what
    Kapacitor's decoding into JSON can hold: a timestamp stays text (go-yaml v2 keeps it a
    string in an interface{}), !!binary is its decoded text, !!set a mapping to nulls, !!omap
    and !!pairs lists of one-key mappings."""
    from tickpy.golang.goyaml import SafeLoader  # deferred with yaml: start-up (only handler files need it)

    class HandlerFileLoader(BoundedComposer, SafeLoader):
        pass

    def text(loader, node):
        return loader.construct_scalar(node)

    def binary(loader, node):
        return loader.construct_yaml_binary(node).decode("utf-8", errors="replace")

    def mapping(loader, node):
        return loader.construct_yaml_map(node)

    def sequence(loader, node):
        return loader.construct_yaml_seq(node)

    for tag, construct in (("timestamp", text), ("binary", binary), ("set", mapping), ("omap", sequence),
                           ("pairs", sequence)):
        HandlerFileLoader.add_constructor(f"tag:yaml.org,2002:{tag}", construct)
    return HandlerFileLoader


def _load_yaml(path: str, text: str):
    """(top-level mapping as list of (key, value, key position, value node), problems)."""
    import yaml  # deferred: start-up (only handler files need it)

    try:
        # the loader reads the text as it is made: a character YAML refuses is an error here
        loader = _handler_loader()(text)
    except yaml.YAMLError as err:
        return None, [_yaml_error_diagnostic(path, text, err)]
    try:
        root = loader.get_single_node()
        if root is None:
            return None, [diagnostic(path, "the handler file is empty", Position(1, 1))]
        if not isinstance(root, yaml.MappingNode):
            return None, [diagnostic(path, "a handler file must be a map with id, topic, kind, options",
                                     Position(root.start_mark.line + 1, root.start_mark.column + 1))]
        entries = []
        problems: list[Diagnostic] = []
        seen: dict[str, Position] = {}
        for key_node, value_node in root.value:
            key = loader.construct_object(key_node, deep=True)
            value = loader.construct_object(value_node, deep=True)
            where = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            sub_positions = {}
            if isinstance(value_node, yaml.MappingNode):
                sub_seen: set = set()
                for sub_key_node, sub_value_node in value_node.value:
                    sub_key = loader.construct_object(sub_key_node, deep=True)
                    sub_where = Position(sub_key_node.start_mark.line + 1, sub_key_node.start_mark.column + 1)
                    if isinstance(sub_value_node, yaml.ScalarNode) and not sub_value_node.style:
                        sub_where.plain_text = sub_value_node.value
                    if sub_key in sub_seen:
                        problems.append(diagnostic(path, f"duplicate key '{key}.{sub_key}'", sub_where,
                                                   code="handler-duplicate-key"))
                    sub_seen.add(sub_key)
                    sub_positions[str(sub_key)] = sub_where
            if key in seen:
                problems.append(diagnostic(path, f"duplicate key '{key}'", where, code="handler-duplicate-key",
                                           hint=f"first given on line {seen[key].line}"))
            seen[key] = where
            value_where = Position(value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            if isinstance(value_node, yaml.ScalarNode):
                value_where.plain_text = value_node.style or "plain"  # how the scalar was written
            entries.append((key, value, where, value_where, sub_positions))
        return entries, problems
    except yaml.YAMLError as err:
        return None, [_yaml_error_diagnostic(path, text, err)]
    finally:
        loader.dispose()


def _json_position(text: str, key: str, after: int = 0) -> tuple[Position, int]:
    match = re.compile(r'"' + re.escape(key) + r'"\s*:').search(text, after)
    if not match:
        return Position(), after
    line = text.count("\n", 0, match.start()) + 1
    line_start = text.rfind("\n", 0, match.start()) + 1
    column = len(text[line_start:match.start()].encode()) + 1
    return Position(line, column), match.end()


def _load_json(path: str, text: str):
    problems: list[Diagnostic] = []

    def pairs(items):
        keys = [k for k, _ in items]
        for k in set(keys):
            if keys.count(k) > 1:
                problems.append(diagnostic(path, f"duplicate key '{k}'", _json_position(text, k)[0],
                                           code="handler-duplicate-key"))
        return dict(items)

    try:
        check_nesting(text)
        root = json.loads(text, object_pairs_hook=pairs, parse_int=json_int, parse_float=json_float)
    except NestingError as err:
        return None, [diagnostic(path, f"invalid JSON: {err}", Position(err.line, err.column),
                                 code="handler-file-syntax")]
    except json.JSONDecodeError as err:
        return None, [diagnostic(path, f"invalid JSON: {err.msg}", Position(err.lineno, err.colno),
                                 code="handler-file-syntax")]
    except NumberRangeError as err:  # Kapacitor's json.Decode refuses it too
        at = text.find(err.text)
        line = text.count("\n", 0, at) + 1
        column = len(text[text.rfind("\n", 0, at) + 1 : at].encode()) + 1
        shown = err.text if len(err.text) <= 40 else f"{err.text[:16]}...{err.text[-8:]} ({len(err.text)} characters)"
        return None, [diagnostic(path, f"invalid JSON: the number {shown} is out of range: Kapacitor reads JSON "
                                       "numbers as 64-bit floats (at most about 1.8e308)", Position(line, column),
                                 code="handler-file-syntax")]
    if not isinstance(root, dict):
        return None, [diagnostic(path, "a handler file must be a JSON object with id, topic, kind, options",
                                 Position(1, 1))]
    entries = []
    for key, value in root.items():
        where, end = _json_position(text, key)
        sub_positions = {}
        if isinstance(value, dict):
            cursor = end
            for sub_key in value:
                sub_where, cursor = _json_position(text, str(sub_key), cursor)
                sub_positions[str(sub_key)] = sub_where
        entries.append((key, value, where, where, sub_positions))
    return entries, problems


# --- decoding ----------------------------------------------------------------------------------


def _type_name(value) -> str:
    return {str: "string", bool: "bool", int: "number", float: "number", list: "list", dict: "map",
            type(None): "null"}.get(type(value), type(value).__name__)


def parse_handler_text(path: str, text: str, syntax: str | None = None) -> tuple[TopicHandlerSpec | None,
                                                                               list[Diagnostic]]:
    """Decode one handler file's text, YAML or JSON by the file's suffix unless `syntax` says;
    the spec is None when there are errors."""
    suffix = f".{syntax}" if syntax else Path(path).suffix.lower()
    if suffix == ".json":
        entries, problems = _load_json(path, text)
    elif suffix in (".yaml", ".yml"):
        entries, problems = _load_yaml(path, text)
    else:
        return None, [diagnostic(path, "a handler file must end in .yaml, .yml or .json (as for "
                                       "kapacitor define-topic-handler)", code="handler-file-type")]
    if entries is None:
        return None, problems

    values: dict[str, Any] = {}
    positions: dict[str, Position] = {}
    value_positions: dict[str, Position] = {}
    option_positions: dict[str, Position] = {}
    for key, value, where, value_where, sub_positions in entries:
        canonical = next((k for k in TOP_LEVEL_KEYS if isinstance(key, str) and k == key.casefold()), None)
        if canonical is None:
            problems.append(diagnostic(path, f"unknown key {key!r}", where, code="handler-unknown-key",
                                       hint=_did_you_mean(str(key), TOP_LEVEL_KEYS)
                                       + "a handler file has: " + ", ".join(TOP_LEVEL_KEYS)))
            continue
        values[canonical] = value
        positions[canonical] = where
        value_positions[canonical] = value_where
        if canonical == "options":
            option_positions = sub_positions

    last_line = Position(max(1, text.count("\n")), 1)
    for key in ("id", "topic", "kind"):
        if key not in values or values[key] in (None, ""):
            where = positions.get(key, Position(1, 1) if key not in values else positions[key])
            problems.append(diagnostic(path, f"missing '{key}'", where if key in positions else last_line,
                                       code="handler-missing-key",
                                       hint={"id": "give the handler an id: id: my-handler",
                                             "topic": "name the topic the handler subscribes to: topic: cpu",
                                             "kind": "say what it does: kind: tcp (or log, post, exec, slack, ...)"}[key]))
        elif type(values[key]) is not str:
            problems.append(diagnostic(path, f"'{key}' must be a string, got {_type_name(values[key])}",
                                       value_positions[key], code="handler-type",
                                       hint="put the value in quotes"))
    for key in ("match",):
        if key in values and values[key] is not None and type(values[key]) is not str:
            problems.append(diagnostic(path, f"'{key}' must be a string, got {_type_name(values[key])}",
                                       value_positions[key], code="handler-type",
                                       hint="quote the whole expression: match: 'level() == CRITICAL'"))
    handler_id: str = values["id"] if type(values.get("id")) is str else ""
    topic: str = values["topic"] if type(values.get("topic")) is str else ""
    if handler_id and not _VALID_HANDLER_ID.match(handler_id):
        problems.append(diagnostic(path, f"handler ID must contain only letters, numbers, '-', '.' and '_'. "
                                         f"{handler_id!r}", value_positions["id"], code="handler-id"))
    if topic and not _VALID_TOPIC_ID.match(topic):
        problems.append(diagnostic(path, f"handler topic must contain only letters, numbers, '-', ':', '.' and "
                                         f"'_'. {topic!r}", value_positions["topic"], code="handler-topic"))

    kind_name: str = values["kind"] if type(values.get("kind")) is str else ""
    raw_options = values.get("options")
    decoded: dict[str, Any] = {}
    if kind_name:
        kind = HANDLER_KINDS.get(kind_name)
        if kind is None:
            unsupported = diagnostic(path, f"unsupported action kind {kind_name!r}", value_positions["kind"],
                                     code="handler-unknown-kind",
                                     hint=_did_you_mean(kind_name, list(HANDLER_KINDS)) + "kinds: "
                                     + ", ".join(sorted(HANDLER_KINDS)))
            problems.append(_with_kapacitor(f'unsupported action kind "{kind_name}"', unsupported))
        else:
            decoded, option_problems = decode_options(kind, raw_options)
            for key, option_type in kind.options.items():
                if option_type == ANY_MAP and key in decoded:
                    try:
                        decoded[key] = _as_json_numbers(decoded[key])
                    except ValueError as err:  # what JSON cannot carry
                        option_problems.append(OptionProblem(key, f"'{key}': {err}"))
            options_where = positions.get("options", Position(1, 1))
            unknown = sorted(p.key for p in option_problems if p.message.startswith("unknown option"))
            for problem in option_problems:
                where = option_positions.get(problem.key, options_where)
                d = _option_diagnostic(path, problem, where)
                if unknown and problem.key in unknown:
                    # mapstructure's ErrorUnused report, as Kapacitor's API answers
                    d.kapacitor_message = (f"failed to decode options into {kind.go_config}: 1 error(s) "
                                           f"decoding:\n\n* '' has invalid keys: {', '.join(unknown)}")
                elif problem.kapacitor_message:  # mapstructure names Go types; the message says it in YAML
                    d.kapacitor_message = (f"failed to decode options into {kind.go_config}: 1 error(s) "
                                           f"decoding:\n\n* {problem.kapacitor_message}")
                problems.append(d)
            bad_keys = {p.key.casefold() for p in option_problems}
            if not unknown:  # with a misspelt option, "missing option" reports would only repeat it
                problems.extend(d for d in _kind_checks(path, kind, decoded, option_positions, options_where)
                                if d.extra.get("key", "").casefold() not in bad_keys)

    match = values.get("match") if type(values.get("match")) is str else ""
    predicate = None
    if match:
        try:
            warnings: list[str] = []
            predicate = compile_match(match, warnings)
            for warning in warnings:
                problems.append(diagnostic(path, warning, value_positions["match"], code="handler-match",
                                           severity=WARNING))
        except MatchError as err:
            problems.append(diagnostic(path, f"invalid match expression: {err}",
                                       _inside_scalar(value_positions["match"], match, err.column),
                                       code="handler-match", hint=err.hint))
    if any(p.severity == "error" for p in problems):
        return None, problems
    all_positions = dict(positions)
    all_positions.update({f"options.{k}": v for k, v in option_positions.items()})
    all_positions.update({f"{k}.value": v for k, v in value_positions.items()})
    spec = TopicHandlerSpec(id=handler_id, topic=topic, kind=kind_name, match=match or "", options=decoded,
                            raw_options=raw_options or {}, path=path, positions=all_positions, predicate=predicate)
    return spec, problems


def _inside_scalar(where: Position, text: str, column: int) -> Position:
    """The position of byte `column` of a one-line scalar's value in the file, when it can be
    known (plain or single-quoted without escapes); else the scalar's start."""
    if not column or "\n" in text:
        return where
    if where.plain_text == "plain":
        return Position(where.line, where.column + column - 1)
    if where.plain_text == "'" and "'" not in text:  # single quotes: only '' is an escape
        return Position(where.line, where.column + column)
    if where.plain_text == '"' and '"' not in text and "\\" not in text:
        return Position(where.line, where.column + column)
    return where


def _did_you_mean(word: str, choices) -> str:
    import difflib  # deferred: start-up (only a misspelt key needs a suggestion)

    close = difflib.get_close_matches(word.casefold(), list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


def _with_kapacitor(kapacitor_message: str, d: Diagnostic) -> Diagnostic:
    d.kapacitor_message = kapacitor_message
    return d


def _option_diagnostic(path: str, problem: OptionProblem, where: Position) -> Diagnostic:
    code = "handler-unknown-option" if problem.message.startswith("unknown option") else "handler-option"
    message = problem.message if problem.message.startswith("unknown option") else f"options: {problem.message}"
    return diagnostic(path, message, where, code=code, hint=problem.hint)


def _position_of(option_positions, name, fallback) -> Position:
    for key, where in option_positions.items():
        if key.casefold() == name.casefold():
            return where
    return fallback


def _as_json_numbers(value):
    """Kapacitor receives a handler file as JSON, so the numbers in its free-form maps (alerta
    attributes, servicenow additional_info, ...) are float64: 1000000 prints as 1e+06. (An
    integer no float64 holds is already text: tickpy.golang.goyaml.) ValueError for .inf and
    .nan, which JSON cannot carry (Kapacitor's conversion to JSON fails on them)."""
    if type(value) is int:
        return float(value)
    if type(value) is float and not math.isfinite(value):
        raise ValueError(f"{value} is not a number JSON can carry")
    if isinstance(value, dict):
        return {key: _as_json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json_numbers(item) for item in value]
    return value


def _kind_checks(path: str, kind: HandlerKind, options: dict, option_positions: dict,
                 fallback: Position) -> list[Diagnostic]:
    """What Kapacitor checks when it builds the handler (and what tickpy needs to deliver), and
    a file mode written as a decimal number (YAML reads 644 as 644, not 0644)."""
    problems = []

    def add(name, message, hint=None, severity="error", kapacitor_message=None):
        d = diagnostic(path, message, _position_of(option_positions, name, fallback), code="handler-option",
                       hint=hint, severity=severity)
        d.extra["key"] = name
        if kapacitor_message:
            d.kapacitor_message = kapacitor_message
        problems.append(d)

    for problem in kind.check(options):
        add(problem.key, problem.message, problem.hint, kapacitor_message=problem.kapacitor_message)
    for name, option_type in kind.options.items():
        written = next((w.plain_text for k, w in option_positions.items() if k.casefold() == name.casefold()), None)
        if option_type == FILE_MODE and written and re.fullmatch(r"[1-7][0-7]{2,3}", written):
            add(name, f"options: {name} {written} is a decimal number (octal {oct(options[name])[2:]})",
                f"YAML reads 0{written} as octal but {written} as decimal; write {name}: 0{written}",
                severity="warning")
    return problems


def load_handler_file(path: str | os.PathLike) -> tuple[TopicHandlerSpec | None, list[Diagnostic]]:
    spec, problems, _text = _read_handler_file(str(path))
    return spec, problems


def _read_handler_file(path: str) -> tuple[TopicHandlerSpec | None, list[Diagnostic], str | None]:
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        return None, [diagnostic(path, f"cannot read handler file: {err.strerror}", code="handler-file-missing")], None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, [diagnostic(path, f"handler file is not UTF-8 (byte {err.start})", _byte_position(raw, err.start),
                                 code="handler-file-syntax")], None
    return (*parse_handler_text(path, text), text)


STDIN_NAME = "<stdin>"


def stdin_syntax(text: str) -> str:
    """A handler file from standard input has no suffix: JSON when it is an object, else YAML."""
    return "json" if text.lstrip().startswith("{") else "yaml"


def check_handler_files(paths: Sequence[str | os.PathLike], config: AlertConfig | None,
                        stdin_text: str | None = None) -> list[CheckedFile]:
    """Every handler file under `paths` checked as the alert service loads it before a run: each
    file decoded and checked (tickpy.alerting.kinds), its match compiled; what building its
    handler refuses under `config` (a post endpoint, a kafka cluster: the kind's
    `setup_problems`), as warnings when there is no config (`tickpy run` without --config
    refuses them); and, as in Kapacitor, an id given twice on one topic. A path `-` is
    `stdin_text`, named <stdin>. One entry per file, and per path that holds none, in order."""
    checked: list[CheckedFile] = []
    for raw in paths:
        if str(raw) == "-":
            text = stdin_text or ""
            spec, problems = parse_handler_text(STDIN_NAME, text, stdin_syntax(text))
            checked.append(CheckedFile(STDIN_NAME, spec, problems, text))
            continue
        files, problems = expand_paths([raw])
        checked.extend(CheckedFile(str(raw), None, [problem]) for problem in problems)
        for file in files:
            spec, problems, read = _read_handler_file(str(file))
            checked.append(CheckedFile(str(file), spec, problems, read))
    seen: dict[tuple[str, str], TopicHandlerSpec] = {}
    for entry in checked:
        spec = entry.spec
        if spec is None:
            continue
        entry.diagnostics.extend(_setup_diagnostics(spec, config))
        previous = seen.get((spec.topic, spec.id))
        if previous is not None:
            entry.diagnostics.append(diagnostic(
                spec.path, f"cannot register handler, handler with ID {spec.id!r} already exists on topic "
                           f"{spec.topic!r}", spec.position("id"), code="handler-duplicate-id",
                hint=f"first defined in {previous.path}"))
        else:
            seen[(spec.topic, spec.id)] = spec
    return checked


def _setup_diagnostics(spec: TopicHandlerSpec, config: AlertConfig | None) -> list[Diagnostic]:
    kind = HANDLER_KINDS[spec.kind]
    found = []
    for problem in kind.setup_problems(spec.options, config or AlertConfig()):
        hint = problem.hint
        if config is None:
            hint = (f"{hint}; " if hint else "") + ("this depends on the configuration: give it with --config "
                                                   "(tickpy run refuses the handler without one)")
        found.append(diagnostic(spec.path, problem.message, spec.option_position(problem.key), code="handler-setup",
                                hint=hint, severity=ERROR if config is not None else WARNING))
    return found


def load_handler_files(paths: Sequence[str | os.PathLike], config: AlertConfig | None = None
                       ) -> tuple[list[TopicHandlerSpec], list[Diagnostic]]:
    """`check_handler_files` for the alert service: the specs of the files without errors, and
    every diagnostic."""
    checked = check_handler_files(paths, config)
    specs = [entry.spec for entry in checked if entry.spec is not None and not entry.errors]
    return specs, [d for entry in checked for d in entry.diagnostics]

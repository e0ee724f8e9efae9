"""Handler options, as Kapacitor's alert service decodes them.

Kapacitor decodes a handler's `options` map into the kind's Go config struct with mapstructure
(`ErrorUnused`: an unknown option is an error; keys match field names case-insensitively; no
weak typing, so a string is not a number). tickpy follows that and, like the issue asks, also
accepts Go duration text (`10s`) where Kapacitor wants nanoseconds.

Each handler kind (tickpy.alerting.kinds) lists its options as name -> option type.
`decode_options` turns a raw options map into checked Python values, or reports every problem
with the option's key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Protocol

from tickpy.golang.gotime import parse_go_duration
from tickpy.golang.gotypes import file_mode_string

# option types
STRING = "string"
BOOL = "bool"
INT = "int"
DURATION = "duration"
STRINGS = "[]string"
STRING_MAP = "map[string]string"
ANY_MAP = "map[string]interface{}"
FILE_MODE = "os.FileMode"
QOS = "mqtt.QoSLevel"
LINKS = "[]pagerduty2.LinkTemplate"
SNMP_DATA = "[]snmptrap.Data"


@dataclass(slots=True)
class OptionProblem:
    key: str  # the option's key as written ("" for the whole map)
    message: str
    hint: str | None = None
    kapacitor_message: str | None = None  # Kapacitor's own words (Go type names), when they differ


# --- decoding ----------------------------------------------------------------------------------

_GO_TYPE_OF = {str: "string", bool: "bool", int: "int", float: "float64", list: "[]interface {}",
               dict: "map[string]interface {}", type(None): "<nil>"}


def _go_type(value) -> str:
    return _GO_TYPE_OF.get(type(value), type(value).__name__)


# What a value is, and what an option wants, in the words of the YAML/JSON the user wrote.
_WORDS_OF = {str: "a string", bool: "true/false", int: "a whole number", float: "a number", list: "a list",
             dict: "a mapping", type(None): "nothing (null)"}
_EXPECTED_WORDS = {
    "string": "a string", "bool": "true or false", "int64": "a whole number",
    "time.Duration": "a duration (10s, 1m30s, 500ms)", "os.FileMode": "a file mode (an octal number: 0644)",
    STRINGS: "a list of strings", STRING_MAP: "a mapping of strings (key: text)", ANY_MAP: "a mapping",
    LINKS: "a list of mappings with href and text", SNMP_DATA: "a list of mappings with oid, type and value",
}


def _words(value) -> str:
    return _WORDS_OF.get(type(value), type(value).__name__)


def _type_problem(key: str, expected: str, value, hint: str | None = None, shown: str = "") -> OptionProblem:
    """'key' must be <YAML words>, got <YAML words>; Kapacitor's mapstructure text kept aside.
    `shown` names an item inside the option (headers[X-A]) where the key alone would not do."""
    shown = shown or key
    return OptionProblem(key, f"'{shown}' must be {_EXPECTED_WORDS.get(expected, expected)}, got {_words(value)}",
                         hint, f"'{shown}' expected type '{expected}', got unconvertible type '{_go_type(value)}'")


def _quote_hint(value) -> str | None:
    if isinstance(value, (bool, int, float)) or value is None:
        return "YAML read this as a non-string value; put it in quotes"
    return None


def _decode_value(key: str, kind: str, value, problems: list[OptionProblem]):
    def bad(expected: str, hint: str | None = None):
        problems.append(_type_problem(key, expected, value, hint))
        return None

    if kind == STRING:
        return value if type(value) is str else bad("string", _quote_hint(value))
    if kind == BOOL:
        return value if type(value) is bool else bad("bool")
    if kind == INT:
        if type(value) is int:
            return value
        if type(value) is float and value.is_integer():
            return int(value)  # JSON numbers are float64 in Kapacitor; mapstructure truncates
        return bad("int64")
    if kind == DURATION:
        if type(value) is int:
            return value
        if type(value) is float and math.isfinite(value):
            return int(value)
        if type(value) is str:
            try:
                return parse_go_duration(value)
            except ValueError:
                problems.append(OptionProblem(key, f"'{key}': time: invalid duration {value!r}",
                                              "write a Go duration like 10s, 1m30s, 500ms"))
                return None
        return bad("time.Duration")
    if kind == FILE_MODE:
        if type(value) is int:
            mode = value
        elif type(value) is str and re.fullmatch(r"0?[0-7]{3,4}", value):
            mode = int(value, 8)  # tickpy also takes the octal text "0644"
        else:
            return bad("os.FileMode", "write the mode as an octal number: mode: 0644")
        if mode & 0o200 == 0:
            problems.append(OptionProblem(key, f"invalid file mode {file_mode_string(mode)}, must be user writable"))
        return mode
    if kind == STRINGS:
        if type(value) is list and all(type(item) is str for item in value):
            return list(value)
        if type(value) is str:
            return bad("[]string", "give a list: [a, b] (a single string is not a list)")
        return bad("[]string", "every item must be a string")
    if kind in (STRING_MAP, ANY_MAP):
        if type(value) is not dict:
            return bad(kind)
        if kind == STRING_MAP:
            for item_key, item in value.items():
                if type(item) is not str:
                    problems.append(_type_problem(key, "string", item, _quote_hint(item), f"{key}[{item_key}]"))
        return {str(k): v for k, v in value.items()}
    if kind == QOS:
        levels = {"at-most-once": 0, "at-least-once": 1, "exactly-one": 2}
        if type(value) is str and value in levels:
            return levels[value]
        if type(value) is int and 0 <= value <= 2:
            return value
        problems.append(OptionProblem(key, f"'{key}': invalid QoS level {value!r}",
                                      "one of at-most-once, at-least-once, exactly-one"))
        return None
    if kind in (LINKS, SNMP_DATA):
        fields = ("href", "text") if kind == LINKS else ("oid", "type", "value")
        if type(value) is not list:
            return bad(kind)
        items = []
        for index, item in enumerate(value):
            if type(item) is not dict:
                problems.append(OptionProblem(key, f"'{key}[{index}]' expected a map with keys {', '.join(fields)}"))
                continue
            out = {}
            for item_key, item_value in item.items():
                name = _match_key(item_key, fields)
                if name is None:
                    problems.append(OptionProblem(key, f"'{key}[{index}]' has invalid keys: {item_key}"))
                elif type(item_value) is not str:
                    problems.append(_type_problem(key, "string", item_value, shown=f"{key}[{index}].{name}"))
                else:
                    out[name] = item_value
            items.append(out)
        return items
    raise AssertionError(kind)


def _match_key(key, names) -> str | None:
    if not isinstance(key, str):
        return None
    if key in names:
        return key
    folded = key.casefold()
    for name in names:
        if name.casefold() == folded:
            return name
    return None


class Decoded(Protocol):
    """What decoding needs of a handler kind."""

    name: str
    options: dict[str, str]  # option name -> option type
    defaults: dict[str, Any]


def decode_options(kind: Decoded, options) -> tuple[dict[str, Any], list[OptionProblem]]:
    """The kind's options from a raw map: (values by canonical option name, problems)."""
    problems: list[OptionProblem] = []
    values = dict(kind.defaults)
    if options is None:
        options = {}
    if not isinstance(options, dict):
        return values, [OptionProblem("", f"options must be a map, got '{_go_type(options)}'")]
    unused = []
    for key, raw in options.items():
        name = _match_key(key, kind.options)
        if name is None:
            unused.append(str(key))
            continue
        decoded = _decode_value(str(key), kind.options[name], raw, problems)
        if decoded is not None:
            values[name] = decoded
    for key in unused:
        import difflib  # deferred: start-up (only a misspelt option needs a suggestion)

        known = ", ".join(sorted(kind.options)) or "none"
        close = difflib.get_close_matches(key.casefold(), list(kind.options), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? {kind.name} takes: {known}" if close else f"{kind.name} takes: {known}"
        problems.append(OptionProblem(key, f"unknown option {key!r} for kind {kind.name!r}", hint))
    return values, problems

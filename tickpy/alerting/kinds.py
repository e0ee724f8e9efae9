"""Handler kinds and their options, as Kapacitor's alert service decodes them.

Kapacitor decodes a handler's `options` map into the kind's Go config struct with mapstructure
(`ErrorUnused`: an unknown option is an error; keys match field names case-insensitively; no
weak typing, so a string is not a number). tickpy follows that and, like the issue asks, also
accepts Go duration text (`10s`) where Kapacitor wants nanoseconds.

Each kind lists its options as name -> option type. `decode_options` turns a raw options map
into checked Python values, or reports every problem with the option's key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    options: dict[str, str]
    # External kinds call out to a service; Kapacitor skips them for events marked NoExternal.
    # Local-but-external kinds (tcp, log, exec, post) are "external" in that sense too.
    external: bool = True
    # Whether tickpy really performs the delivery (else it goes to the capture sink).
    delivered: bool = False
    defaults: dict[str, Any] = field(default_factory=dict)


def _kind(name, options, external=True, delivered=False, defaults=None) -> Kind:
    return Kind(name, options, external, delivered, defaults or {})


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        _kind("aggregate", {"id": STRING, "interval": DURATION, "topic": STRING, "message": STRING},
              external=False, delivered=True,
              defaults={"message": "Received {{ .Count }} events in the last {{.Interval}}."}),
        _kind("publish", {"topics": STRINGS}, external=False, delivered=True),
        _kind("tcp", {"address": STRING}, delivered=True),
        _kind("log", {"path": STRING, "mode": FILE_MODE}, delivered=True, defaults={"mode": 0o600}),
        _kind("exec", {"prog": STRING, "args": STRINGS}, delivered=True),
        _kind("post", {"url": STRING, "endpoint": STRING, "headers": STRING_MAP, "capture-response": BOOL,
                       "timeout": DURATION, "skip-ssl-verification": BOOL}, delivered=True),
        _kind("alerta", {"token": STRING, "token-prefix": STRING, "resource": STRING, "event": STRING,
                         "environment": STRING, "group": STRING, "value": STRING, "origin": STRING,
                         "service": STRINGS, "correlate": STRINGS, "attributes": ANY_MAP, "timeout": DURATION}),
        _kind("bigpanda", {"app-key": STRING, "url": STRING, "host": STRING, "primary-property": STRING,
                           "secondary-property": STRING, "attributes": ANY_MAP}),
        _kind("discord", {"workspace": STRING, "username": STRING, "avatar-url": STRING, "embed-title": STRING}),
        _kind("hipchat", {"room": STRING, "token": STRING}),
        _kind("kafka", {"cluster": STRING, "topic": STRING, "template": STRING, "disablePartitionById": BOOL,
                        "partitionAlgorithm": STRING}),
        _kind("mqtt", {"broker-name": STRING, "topic": STRING, "qos": QOS, "retained": BOOL,
                       "topic-template": STRING}),
        _kind("opsgenie", {"teams-list": STRINGS, "recipients-list": STRINGS}),
        _kind("opsgenie2", {"teams-list": STRINGS, "recipients-list": STRINGS, "recovery_action": STRING}),
        _kind("pagerduty", {"service-key": STRING}),
        _kind("pagerduty2", {"routing-key": STRING, "links": LINKS}),
        _kind("pushover", {"device": STRING, "title": STRING, "url": STRING, "url-title": STRING,
                           "sound": STRING, "user-key": STRING}),
        _kind("sensu", {"source": STRING, "handlers": STRINGS, "metadata": ANY_MAP}),
        # Fields without a mapstructure tag are matched by their Go field name.
        _kind("servicenow", {"url": STRING, "username": STRING, "password": STRING, "source": STRING,
                             "node": STRING, "type": STRING, "resource": STRING, "metricname": STRING,
                             "messagekey": STRING, "additional_info": ANY_MAP}),
        _kind("slack", {"workspace": STRING, "channel": STRING, "username": STRING, "icon-emoji": STRING}),
        _kind("smtp", {"to": STRINGS, "to-field": STRINGS}),
        _kind("snmptrap", {"trap-oid": STRING, "data-list": SNMP_DATA}),
        _kind("talk", {}),
        _kind("teams", {"channel-url": STRING}),
        _kind("telegram", {"chat-id": STRING, "parse-mode": STRING, "disable-web-page-preview": BOOL,
                           "disable-notification": BOOL}),
        _kind("victorops", {"routing-key": STRING}),
        _kind("zenoss", {"action": STRING, "method": STRING, "type": STRING, "tid": INT, "summary": STRING,
                         "device": STRING, "component": STRING, "eventclasskey": STRING, "eventclass": STRING,
                         "collector": STRING, "message": STRING, "customField": ANY_MAP}),
    ]
}

EXTERNAL_SERVICE_KINDS = sorted(name for name, kind in KINDS.items() if not kind.delivered)


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
        if type(value) is float:
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


def decode_options(kind: Kind, options) -> tuple[dict[str, Any], list[OptionProblem]]:
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
        import difflib

        known = ", ".join(sorted(kind.options)) or "none"
        close = difflib.get_close_matches(key.casefold(), list(kind.options), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? {kind.name} takes: {known}" if close else f"{kind.name} takes: {known}"
        problems.append(OptionProblem(key, f"unknown option {key!r} for kind {kind.name!r}", hint))
    return values, problems


# --- TICKscript handler properties -> options --------------------------------------------------

# The alert node's handler property (as a script spells it) -> the service kind.
TICK_HANDLER_KINDS = {
    "tcp": "tcp", "log": "log", "post": "post", "exec": "exec", "email": "smtp", "slack": "slack",
    "alerta": "alerta", "bigPanda": "bigpanda", "discord": "discord", "hipChat": "hipchat",
    "kafka": "kafka", "mqtt": "mqtt", "opsGenie": "opsgenie", "opsGenie2": "opsgenie2",
    "pagerDuty": "pagerduty", "pagerDuty2": "pagerduty2", "pushover": "pushover", "sensu": "sensu",
    "serviceNow": "servicenow", "snmpTrap": "snmptrap", "talk": "talk", "teams": "teams",
    "telegram": "telegram", "victorOps": "victorops", "zenoss": "zenoss",
}

# (kind, property) -> (option name, how the arguments fill it)
# modes: "value" (first arg), "flag" (True), "list" (all args, added to earlier calls'),
# "values" (all args, replacing earlier calls'), "map" (key, value), "append"
_TICK_PROPERTIES: dict[tuple[str, str], tuple[str, str]] = {
    ("post", "endpoint"): ("endpoint", "value"), ("post", "header"): ("headers", "map"),
    ("post", "captureResponse"): ("capture-response", "flag"), ("post", "timeout"): ("timeout", "value"),
    ("post", "skipSSLVerification"): ("skip-ssl-verification", "flag"), ("post", "uRL"): ("url", "value"),
    ("log", "mode"): ("mode", "value"), ("log", "filePath"): ("path", "value"),
    ("tcp", "address"): ("address", "value"),
    ("smtp", "to"): ("to", "list"), ("smtp", "toTemplates"): ("to-field", "list"),
    ("alerta", "services"): ("service", "values"), ("alerta", "correlated"): ("correlate", "values"),
    ("alerta", "attribute"): ("attributes", "map"),
    ("bigpanda", "attribute"): ("attributes", "map"),
    ("discord", "avatarURL"): ("avatar-url", "value"),
    ("kafka", "kafkaTopic"): ("topic", "value"), ("kafka", "disablePartitionById"): ("disablePartitionById", "flag"),
    ("kafka", "partitionHashAlgorithm"): ("partitionAlgorithm", "value"),
    ("opsgenie", "teams"): ("teams-list", "values"), ("opsgenie", "recipients"): ("recipients-list", "values"),
    ("opsgenie2", "teams"): ("teams-list", "values"), ("opsgenie2", "recipients"): ("recipients-list", "values"),
    ("opsgenie2", "recoveryAction"): ("recovery_action", "value"),
    ("pagerduty2", "link"): ("links", "append"),
    ("pushover", "uRL"): ("url", "value"), ("pushover", "uRLTitle"): ("url-title", "value"),
    ("sensu", "handlers"): ("handlers", "values"), ("sensu", "metadata"): ("metadata", "map"),
    ("servicenow", "uRL"): ("url", "value"), ("servicenow", "additionalInfo"): ("additional_info", "map"),
    ("servicenow", "metricName"): ("metricname", "value"), ("servicenow", "messageKey"): ("messagekey", "value"),
    ("snmptrap", "data"): ("data-list", "append"),
    ("teams", "channelURL"): ("channel-url", "value"),
    ("telegram", "disableNotification"): ("disable-notification", "flag"),
    ("telegram", "disableWebPagePreview"): ("disable-web-page-preview", "flag"),
    ("zenoss", "customField"): ("customField", "map"), ("zenoss", "eventClass"): ("eventclass", "value"),
    ("zenoss", "eventClassKey"): ("eventclasskey", "value"),
}

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def tick_property_option(kind: str, prop: str) -> tuple[str, str]:
    """The option a handler sub-property sets: `.iconEmoji('x')` on slack sets `icon-emoji`."""
    known = _TICK_PROPERTIES.get((kind, prop))
    if known:
        return known
    return _CAMEL.sub(r"-\1", prop).lower(), "value"


def _plain(value):
    # Durations from the checked pipeline carry nanoseconds; other values pass as they are.
    nanoseconds = getattr(value, "nanoseconds", None)
    return nanoseconds if isinstance(nanoseconds, int) else value


def options_from_tick(kind: str, args: list, properties: list) -> dict[str, Any]:
    """Raw options for a handler written in a script (`.slack().channel('#x')`)."""
    options: dict[str, Any] = {}
    args = [_plain(a) for a in args]
    if kind == "tcp" and args:
        options["address"] = args[0]
    elif kind == "log" and args:
        options["path"] = args[0]
    elif kind == "post" and args:
        options["url"] = args[0]
    elif kind == "exec" and args:
        options["prog"] = args[0]
        options["args"] = list(args[1:])
    elif kind == "smtp" and args:
        options["to"] = list(args)
    elif kind == "mqtt" and args:
        options["topic"] = args[0]
    elif kind == "snmptrap" and args:
        options["trap-oid"] = args[0]
    for call in properties:
        name, mode = tick_property_option(kind, call.name)
        call_args = [_plain(a) for a in call.args]
        if mode == "flag":
            options[name] = True
        elif mode == "list":
            options.setdefault(name, []).extend(call_args)
        elif mode == "values":
            options[name] = list(call_args)
        elif mode == "map" and len(call_args) >= 2:
            # A free-form map keeps a duration as Go's time.Duration: %v prints 5m0s, JSON the nanoseconds.
            value = call.args[1] if KINDS[kind].options.get(name) == ANY_MAP else call_args[1]
            options.setdefault(name, {})[call_args[0]] = value
        elif mode == "append":
            if kind == "pagerduty2":
                options.setdefault(name, []).append({"href": call_args[0], "text": call_args[1] if len(call_args) > 1 else ""})
            else:
                keys = ("oid", "type", "value")
                options.setdefault(name, []).append(dict(zip(keys, call_args)))
        elif call_args:
            options[name] = call_args[0]
    if kind == "log" and options.get("mode") == 0:
        del options["mode"]  # Kapacitor's alert node: .mode(0) means "not set", the default 0600
    if kind == "alerta":  # Kapacitor's alert node keeps the handler's defaults for empty properties
        options = {name: value for name, value in options.items() if value not in ("", 0, [], {})}
    return options

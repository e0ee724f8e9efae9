"""A small, deterministic fuzz of handler files (the fuzzing issue): valid files of every kind,
mutated in their keys, types, nesting, aliases, numbers and match expressions, go through
`tickpy handlers check` and through the loading path of `tickpy run` (the alert service's
load). Neither may raise anything but the positioned handler-file error, and they must agree:
with a configuration exactly; without one, check's warnings about what depends on the
configuration are what run (whose configuration is then empty) refuses."""

from __future__ import annotations

import copy
import json
import random

import pytest
import yaml

from tickpy.alerting.kinds import HANDLER_KINDS
from tickpy.alerting.service import AlertService, HandlerLoadError
from tickpy.cli.handlers import check_paths

CONFIG = '[[httppost]]\nendpoint = "ep"\nurl = "http://127.0.0.1:9/ep"\n[[kafka]]\nid = "main"\n'
VALID_OPTIONS = {
    "tcp": {"address": "127.0.0.1:9"}, "log": {"path": "/tmp/tickpy-fuzz.log", "mode": 0o644},
    "exec": {"prog": "/bin/cat", "args": ["-u"]},
    "post": {"url": "http://127.0.0.1:9/x", "headers": {"A": "b"}, "timeout": "10s"},
    "publish": {"topics": ["t"]}, "aggregate": {"interval": "10s", "topic": "t"},
    "alerta": {"resource": "r", "event": "e", "attributes": {"a": 1, "b": [1, 2]}},
    "bigpanda": {"app-key": "k"}, "discord": {"workspace": "w"}, "hipchat": {"room": "r"},
    "kafka": {"cluster": "default", "topic": "t", "template": "{{.Message}}"}, "mqtt": {"topic": "t", "qos": 1},
    "opsgenie": {"teams-list": ["a"]}, "opsgenie2": {"recipients-list": ["a"]}, "pagerduty": {"service-key": "k"},
    "pagerduty2": {"routing-key": "k", "links": [{"href": "http://h", "text": "t"}]}, "pushover": {"user-key": "k"},
    "sensu": {"source": "s", "metadata": {"a": "b"}}, "servicenow": {"url": "http://h/x", "additional_info": {"a": 1}},
    "slack": {"channel": "#c"}, "smtp": {"to": ["a@b.c"]},
    "snmptrap": {"trap-oid": "1.2.3", "data-list": [{"oid": "1.2", "type": "i", "value": "1"}]}, "talk": {},
    "teams": {"channel-url": "http://x/y"}, "telegram": {"chat-id": "1"}, "victorops": {"routing-key": "k"},
    "zenoss": {"tid": 1, "customField": {"a": 1}},
}
CONFIG_DEPENDENT = [{"endpoint": "ep"}, {"endpoint": "nope"}, {"endpoint": "nope", "url": "http://h:1/{{.ID}}"}]
VALUES = [None, True, 0, -1, 10**400, 1.5, float("inf"), float("-inf"), float("nan"), "", "x", "10s", "0644", 420,
          [], ["a"], [1], {}, {"a": 1}, {"a": {"b": [None]}}, "2001-12-14", "http://h", "{{ .Bad", "'host' == 1"]
MATCHES = ["level() == CRITICAL", "foo()", "\"host\" == 1", "level()", "changed() AND", "level() >= warning",
           "duration() > 5m", "level(1) == 1", "!changed()", "TRUE", "lambda: TRUE", "\"host\" =~ /a(/",
           " OR ".join(f"\"host\" == 'h{n}'" for n in range(300))]


def valid_documents():
    for kind in HANDLER_KINDS:
        yield {"id": f"h-{kind}", "topic": "cpu", "kind": kind, "options": copy.deepcopy(VALID_OPTIONS[kind])}
    for options in CONFIG_DEPENDENT:
        yield {"id": "post", "topic": "cpu", "kind": "post", "options": dict(options)}
    yield {"id": "kafka", "topic": "cpu", "kind": "kafka", "options": {"cluster": "main"}}


def nest(value, levels: int, rng: random.Random):
    for _ in range(levels):
        value = [value] if rng.random() < 0.5 else {"k": value}
    return value


def mutate(rng: random.Random, doc: dict) -> dict:
    doc = copy.deepcopy(doc)
    options = doc.get("options") if isinstance(doc.get("options"), dict) else None
    how = rng.randrange(8)
    if how == 0:  # a top-level key renamed, dropped or made another type
        key = rng.choice(list(doc))
        value = doc.pop(key)
        if rng.random() < 0.7:
            doc[rng.choice([key.upper(), key + "s", key[:-1], 1, None, True, 2.5])] = value
    elif how == 1 and options:  # an option's key
        key = rng.choice(list(options))
        options[rng.choice([key.upper(), key + "x", key.replace("-", "_"), "zzz", 7])] = options.pop(key)
    elif how == 2 and options:  # an option's type
        options[rng.choice(list(options))] = copy.deepcopy(rng.choice(VALUES))
    elif how == 3:  # a top-level value's type
        doc[rng.choice(["id", "topic", "kind", "match", "options"])] = copy.deepcopy(rng.choice(VALUES))
    elif how == 4:
        doc["match"] = rng.choice(MATCHES)
    elif how == 5 and options:  # nesting around the bound (the file and options are two levels)
        key = rng.choice(list(options))
        options[key] = nest(options[key], rng.choice([1, 97, 98, 99, 150]), rng)
    elif how == 6:
        doc["kind"] = rng.choice([*HANDLER_KINDS, "Slack", "nope"])
    elif how == 7:
        doc["id"] = rng.choice(["a b", "a/b", "é", "-", "x" * 300])
    return doc


def renderings(rng: random.Random, doc: dict) -> list[tuple[str, str]]:
    """(suffix, text): the document as YAML, and as JSON or with a textual mutation."""
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    found = [(".yaml", text)]
    how = rng.randrange(7)
    if how == 0:
        found.append((".json", json.dumps(doc)))
    elif how == 1:  # a billion laughs (or a few levels of it, which go-yaml reads)
        lines = ["id: a", "topic: cpu", "kind: alerta", "options:", "  attributes:", "    l0: &a0 [lol]"]
        lines += [f"    l{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]"
                  for n in range(1, rng.choice([3, 4, 9]) + 1)]
        found.append((".yaml", "\n".join(lines) + "\n"))
    elif how == 2:  # aliases, one of them containing its own anchor
        found.append((".yaml", "id: &i a\ntopic: *i\nkind: tcp\noptions: &o {address: 'h:1', x: *o}\n"))
        found.append((".yaml", text + "extra: &x [1, 2]\nmore: *x\n"))
    elif how == 3:  # a key that is a list
        found.append((".yaml", text.replace("kind:", "? [a]\n: 1\nkind:", 1)))
    elif how == 4:  # far too deep
        found.append((".yaml", text + "deep: " + "[" * 300 + "\n"))
        found.append((".json", '{"id": "a", "options": ' + "{\"a\": " * 5000))
    elif how == 5:  # a duplicate key
        found.append((".yaml", text + text.splitlines()[0] + "\n"))
    else:  # numbers
        found.append((".yaml", text.replace("kind:", "huge: " + "9" * 500 + "\nkind:", 1)))
    return found


def check_verdict(path: str, config: str | None) -> tuple[bool, bool]:
    """(has errors, has warnings about what the configuration decides)."""
    results = check_paths([path], config)
    for entry in results:
        for d in entry.diagnostics:
            assert d.extra["path"] and d.line >= 1 and d.column >= 1, (path, d)
    return (any(entry.errors for entry in results),
            any(d.code == "handler-setup" for entry in results for d in entry.diagnostics))


def run_verdict(path: str, config: str | None) -> bool:
    """Whether the alert service refuses the file before the run."""
    service = AlertService(handler_files=[path], config=config)
    try:
        service.load()
        return False
    except HandlerLoadError as error:
        assert all(d.extra["path"] and d.line >= 1 for d in error.diagnostics), (path, error.diagnostics)
        return True
    finally:
        service.close()


@pytest.mark.parametrize("seed", range(4))
def test_check_and_run_agree_on_mutated_handler_files(tmp_path, seed):
    rng = random.Random(seed)
    config = tmp_path / "kapacitor.conf"
    config.write_text(CONFIG)
    documents = list(valid_documents())
    verdicts = []
    for number in range(30):
        doc = rng.choice(documents)
        for _ in range(rng.randrange(2)):
            doc = mutate(rng, doc)
        for index, (suffix, text) in enumerate(renderings(rng, doc)):
            path = tmp_path / f"h{number}-{index}{suffix}"
            path.write_text(text)
            for config_path in (str(config), None):
                refused_by_check, depends_on_config = check_verdict(str(path), config_path)
                refused_by_run = run_verdict(str(path), config_path)
                if config_path is None:
                    refused_by_check = refused_by_check or depends_on_config
                assert refused_by_check == refused_by_run, (text[:500], config_path)
                verdicts.append(refused_by_run)
    assert verdicts.count(True) > 20 and verdicts.count(False) > 20, verdicts

"""One declaration per handler kind (tickpy.alerting.kinds), complete for every handler an alert
node can have, with one check for handler files and scripts."""

from __future__ import annotations

import pytest

from tickpy import api
from tickpy.alerting.handlerfile import parse_handler_text
from tickpy.alerting.kinds import HANDLER_KINDS, SCRIPT_HANDLER_KINDS, HandlerKind
from tickpy.alerting.service import AlertService
from tickpy.check.catalogue import load
from tickpy.diagnostics import TickpyError

CATALOGUE = load()
HANDLER_PROPERTIES = {name: prop.handler for name, prop in CATALOGUE.types["AlertNode"].props.items() if prop.handler}

# Properties of Kapacitor's handler nodes that its handler configs lack (Kapacitor ignores them),
# and exec's command, which the arguments of .exec() fill.
NOT_OPTIONS = {("opsGenie2", "details"), ("pagerDuty2", "serviceKey"), ("zenoss", "password"), ("zenoss", "uRL"),
               ("zenoss", "username"), ("exec", "command")}


def test_every_alert_handler_property_has_exactly_one_kind():
    assert set(SCRIPT_HANDLER_KINDS) == set(HANDLER_PROPERTIES)
    properties = [kind.alert_property for kind in HANDLER_KINDS.values() if kind.alert_property]
    assert len(properties) == len(set(properties))
    assert all(name == kind.name for name, kind in HANDLER_KINDS.items())


def test_the_sub_properties_of_each_handler_set_options_of_its_kind():
    for prop, handler_type in HANDLER_PROPERTIES.items():
        kind = SCRIPT_HANDLER_KINDS[prop]
        for sub in CATALOGUE.types[handler_type].own_props:
            if (prop, sub) not in NOT_OPTIONS:
                assert kind.script_option(sub)[0] in kind.options, (prop, sub)
        assert set(kind.script_properties) <= CATALOGUE.types[handler_type].own_props, prop


def test_every_kind_builds_and_each_delivering_kind_can_be_retargeted(tmp_path):
    options = {"tcp": {"address": "127.0.0.1:9"}, "log": {"path": str(tmp_path / "a.log"), "mode": 0o600},
               "exec": {"prog": "/bin/cat", "args": []}, "post": {"url": "http://127.0.0.1:9/x"},
               "publish": {"topics": ["t"]}, "aggregate": {"interval": 10**9, "topic": "t", "message": "m"},
               "kafka": {"cluster": "default"}}
    service = AlertService(capture=str(tmp_path / "capture.jsonl"))
    try:
        for name, kind in HANDLER_KINDS.items():
            assert kind.go_config, name
            assert type(kind).build is not HandlerKind.build, name
            handler = service.build_handler(name, f"h-{name}", options.get(name, {}), f"{name} {{target}}",
                                            lambda message, key="", hint=None: message)
            assert handler.kind == name
            if handler.workers:  # it delivers itself: tickpy test must be able to point it at a recorder
                assert type(kind).retarget is not HandlerKind.retarget, name
    finally:
        service.close()


SCRIPT = """stream
    |from().measurement('cpu')
    |alert()
        .crit(lambda: "v" > 1)
        {handler}
"""
FILE = "id: h\ntopic: cpu\nkind: {kind}\noptions:\n{options}"
# (script handler, handler file kind and options, refused?): one check says the same in both.
CASES = [
    (".tcp('nohost')", "tcp", "  address: nohost\n", True),
    (".tcp('127.0.0.1:9')", "tcp", "  address: 127.0.0.1:9\n", False),
    (".log('relative.log')", "log", "  path: relative.log\n", True),
    (".log('/tmp/tickpy-kinds-test.log')", "log", "  path: /tmp/tickpy-kinds-test.log\n", False),
    (".exec('')", "exec", "  prog: ''\n", True),
    (".exec('/bin/cat', '-u')", "exec", "  prog: /bin/cat\n  args: ['-u']\n", False),
    (".post()", "post", "  headers: {a: b}\n", True),
    (".post('http://127.0.0.1:9/x')", "post", "  url: http://127.0.0.1:9/x\n", False),
    (".post('ftp://host/x')", "post", "  url: ftp://host/x\n", True),
]


@pytest.mark.parametrize("handler, kind, options, refused", CASES)
def test_handler_files_and_scripts_refuse_the_same_options(handler, kind, options, refused):
    _spec, problems = parse_handler_text("h.yaml", FILE.format(kind=kind, options=options))
    assert any(p.severity == "error" for p in problems) == refused
    try:
        api.run(SCRIPT.format(handler=handler), [])
        script_refused = False
    except TickpyError:
        script_refused = True
    assert script_refused == refused

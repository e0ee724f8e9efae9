"""Hostile handler files (the fuzzing issue, D5 and D6): each is a positioned handler-file error
where Kapacitor refuses it too, and works where Kapacitor reads it (a 5,000-term allow-list)."""

from __future__ import annotations

import json

import pytest

from tickpy.alerting.handlerfile import load_handler_files, parse_handler_text
from tickpy.alerting.service import AlertService, HandlerLoadError
from tickpy.api import run_task
from tickpy.datafiles import MAX_DEPTH, allowed_alias_ratio, excessive_aliasing
from tickpy.runtime.lineprotocol import read_points

HEAD = "id: h\ntopic: cpu\nkind: {kind}\n"


def errors(text: str, path: str = "h.yaml"):
    spec, diagnostics = parse_handler_text(path, text)
    found = [(d.line, d.column, d.message) for d in diagnostics if d.severity == "error"]
    assert (spec is None) == bool(found)
    return found


def allow_list(hosts: int) -> str:
    return " OR ".join(f"\"host\" == 'h{n}'" for n in range(hosts))


@pytest.mark.parametrize("terms", [990, 5000])
def test_a_long_allow_list_in_match_checks_and_selects_the_events(tmp_path, terms):
    log = tmp_path / "alerts.log"
    handler = tmp_path / "allow.yaml"
    handler.write_text(HEAD.format(kind="log") + f"match: >-\n  {allow_list(terms)}\noptions:\n  path: {log}\n")
    assert errors(handler.read_text()) == []
    script = "stream\n    |from().measurement('cpu').groupBy('host')\n    |alert().crit(lambda: TRUE).topic('cpu')\n"
    points = f"cpu,host=h{terms - 1} v=1 1\ncpu,host=other v=1 2\ncpu,host=h0 v=1 3\n"
    run_task(script, read_points(points), handlers=[str(handler)])
    delivered = [json.loads(line)["id"] for line in log.read_text().splitlines()]
    assert delivered == [f"cpu:host=h{terms - 1}", "cpu:host=h0"]


def test_a_mapping_key_that_is_a_list_or_a_mapping_is_refused_where_it_is_written():
    # go-yaml (Kapacitor's YAML library) fails the same way: "invalid map key"
    assert errors(HEAD.format(kind="log") + "? [a]\n: 1\noptions:\n  path: /x.log\n") == [
        (4, 3, "invalid YAML: invalid map key: a key must be a single value, not a list")]
    assert errors(HEAD.format(kind="alerta") + "options:\n  attributes:\n    ? {a: 1}\n    : x\n") == [
        (6, 7, "invalid YAML: invalid map key: a key must be a single value, not a mapping")]
    assert errors(HEAD.format(kind="log") + "k: &k [a]\n? *k\n: 1\noptions:\n  path: /x.log\n") == [
        (5, 3, "invalid YAML: invalid map key: a key must be a single value, not a list")]


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}")])
def test_nesting_deeper_than_the_bound_is_refused_at_the_first_level_too_many(opener, closer):
    # the file, options and attributes are three levels
    at_bound = HEAD.format(kind="alerta") + "options:\n  attributes:\n    a: " + opener * (MAX_DEPTH - 3) + "1" + \
        closer * (MAX_DEPTH - 3) + "\n"
    assert errors(at_bound) == []
    deep = HEAD.format(kind="log") + "options:\n  path: " + opener * 20000 + "\n"
    column = len("  path: ") + len(opener) * (MAX_DEPTH - 2) + 1  # the file and options are two levels
    assert errors(deep) == [(5, column, f"invalid YAML: too deeply nested: more than {MAX_DEPTH} levels of lists "
                                        "and mappings")]


def test_an_alias_counts_with_the_depth_it_expands_to():
    shallow = "[" * 60 + "]" * 60
    text = HEAD.format(kind="alerta") + f"options:\n  attributes:\n    a: &a {shallow}\n    b: [[[[[[[[[[[[[[[[[[[[" \
        + "[" * 20 + "*a" + "]" * 40 + "\n"
    [(line, _column, message)] = errors(text)
    assert line == 7 and message == (f"invalid YAML: too deeply nested: alias *a makes more than {MAX_DEPTH} levels "
                                      "of lists and mappings")


def test_deep_json_is_refused_where_it_gets_too_deep():
    text = '{"id": "h", "topic": "cpu", "kind": "log", "options": {"path": ' + "[" * 100000 + "]" * 100000 + "}}"
    column = len('{"id": "h", "topic": "cpu", "kind": "log", "options": {"path": ') + MAX_DEPTH - 2 + 1
    assert errors(text, "h.json") == [(1, column, f"invalid JSON: too deeply nested: more than {MAX_DEPTH} levels of "
                                                  "arrays and objects")]
    brackets_in_strings = '{"id": "h", "topic": "cpu", "kind": "log", "options": {"path": "/' + "[" * 500 + '"}}'
    assert errors(brackets_in_strings, "h.json") == []


def laughs(option: str, levels: int, kind: str) -> str:
    """A billion laughs under a free-form option: each level is ten aliases of the one before."""
    lines = [HEAD.format(kind=kind) + "options:", f"  {option}:", "    l0: &a0 [lol]"]
    lines += [f"    l{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_go_yamls_alias_budget():
    # yaml.v2 decode.go: more than 100 aliased and 1000 decoded, and an aliased share above 99%
    # up to 400,000 decoded, falling linearly to 10% at 4,000,000
    assert allowed_alias_ratio(400_000) == 0.99 and allowed_alias_ratio(4_000_000) == 0.10
    assert allowed_alias_ratio(2_200_000) == pytest.approx(0.545)
    assert not excessive_aliasing(1000, 999) and not excessive_aliasing(100_000, 100)
    assert excessive_aliasing(1001, 1000) and excessive_aliasing(5_000_000, 600_000)


@pytest.mark.parametrize("kind, option", [("alerta", "attributes"), ("sensu", "metadata")])
def test_a_billion_laughs_is_refused_as_kapacitor_refuses_it(kind, option):
    # Three levels are 3,540 aliased values among some 3,600 (98%): go-yaml decodes them; a
    # fourth makes it 99.8%, and nine (a billion) stop where the fourth level first passes 99%.
    assert errors(laughs(option, 3, kind)) == []
    spec, _ = parse_handler_text("h.yaml", laughs(option, 3, kind))
    assert len(spec.options[option]["l3"]) == 10 and spec.options[option]["l3"][9][9][9] == ["lol"]
    for levels in (4, 9):
        [(line, column, message)] = errors(laughs(option, levels, kind))
        assert (line, message) == (10, "invalid YAML: document contains excessive aliasing (as Kapacitor's YAML "
                                       "library refuses it)")


def test_anchors_and_merge_keys_of_real_files_read_as_written():
    text = ("id: h\ntopic: cpu\nkind: alerta\noptions:\n  attributes:\n"
            "    base: &base {team: ops, escalate: true}\n    web: {<<: *base, team: web}\n    db: *base\n"
            "  service: &services [web, db]\n  correlate: *services\n")
    spec, diagnostics = parse_handler_text("h.yaml", text)
    assert diagnostics == []
    assert spec.options["attributes"] == {"base": {"team": "ops", "escalate": True},
                                          "web": {"team": "web", "escalate": True},
                                          "db": {"team": "ops", "escalate": True}}
    assert spec.options["service"] == spec.options["correlate"] == ["web", "db"]


def test_an_anchor_that_contains_itself_is_refused():
    assert errors(HEAD.format(kind="alerta") + "options:\n  attributes: &x {a: *x}\n") == [
        (5, 22, "invalid YAML: anchor 'x' value contains itself")]


def test_a_timestamp_is_text_as_go_yaml_keeps_it_in_an_interface():
    spec, diagnostics = parse_handler_text("h.yaml", "id: 2024-01-01\ntopic: cpu\nkind: alerta\noptions:\n"
                                                     "  attributes: {since: 2024-01-01T10:00:00Z}\n")
    assert diagnostics == [] and spec.id == "2024-01-01"
    assert spec.options["attributes"] == {"since": "2024-01-01T10:00:00Z"}


def test_a_kafka_template_nested_beyond_the_parser_is_refused_at_the_option():
    template = "{{if 1}}" * 5000 + "x" + "{{end}}" * 5000
    text = HEAD.format(kind="kafka") + f"options:\n  cluster: default\n  template: '{template}'\n"
    [(line, column, message)] = errors(text)
    assert (line, column) == (6, 3)
    assert message.startswith("kafka: failed to parse template: template: kafka alert template:1: actions nested "
                              "too deeply")


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_a_number_json_cannot_carry_in_a_free_form_option_is_refused(value):
    shown = {".inf": "inf", "-.inf": "-inf", ".nan": "nan"}[value]
    assert errors(HEAD.format(kind="alerta") + f"options:\n  attributes: {{a: {value}}}\n") == [
        (5, 3, f"options: 'attributes': {shown} is not a number JSON can carry")]


def test_an_infinite_duration_is_a_type_error():
    assert errors(HEAD.format(kind="aggregate") + "options:\n  interval: .inf\n  topic: t\n") == [
        (5, 3, "options: 'interval' must be a duration (10s, 1m30s, 500ms), got a number")]


def test_the_alert_service_refuses_each_hostile_file_before_the_run(tmp_path):
    files = {"key.yaml": HEAD.format(kind="log") + "? [a]\n: 1\n",
             "deep.yaml": HEAD.format(kind="log") + "options:\n  path: " + "[" * 20000 + "\n",
             "laughs.yaml": laughs("metadata", 9, "sensu")}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    service = AlertService(handler_files=[tmp_path])
    with pytest.raises(HandlerLoadError) as info:
        service.load()
    assert sorted((d.extra["path"].rsplit("/", 1)[-1], d.line) for d in info.value.diagnostics) == [
        ("deep.yaml", 5), ("key.yaml", 4), ("laughs.yaml", 10)]


def test_load_handler_files_refuses_what_building_refuses_under_the_config(tmp_path):
    (tmp_path / "post.yaml").write_text(HEAD.format(kind="post") + "options:\n  endpoint: missing\n")
    specs, problems = load_handler_files([tmp_path])  # no configuration: a warning
    assert [(p.severity, p.line) for p in problems] == [("warning", 5)] and len(specs) == 1
    service = AlertService(handler_files=[tmp_path])  # the service always has one (empty here)
    with pytest.raises(HandlerLoadError) as info:
        service.load()
    [refused] = info.value.diagnostics
    assert refused.message == "An appropriately formatted url must be specified if an endpoint is not specified"

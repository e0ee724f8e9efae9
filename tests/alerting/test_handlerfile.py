"""Handler files: strict decoding, positions in errors, load errors before the run, `handlers check`."""

from __future__ import annotations

import json

import pytest

from tickpy.alerting.handlerfile import load_handler_files, parse_handler_text
from tickpy.alerting.kinds import HANDLER_KINDS
from tickpy.alerting.service import AlertService, HandlerLoadError
from tickpy.golang.gotime import format_go_duration, parse_go_duration


def errors_of(path, text):
    spec, diagnostics = parse_handler_text(path, text)
    return spec, [d for d in diagnostics if d.severity == "error"], [d for d in diagnostics if d.severity != "error"]


def test_valid_yaml_and_json_decode_the_same():
    yaml_text = "id: to-ops\ntopic: cpu\nkind: post\nmatch: level() >= WARNING\noptions:\n  url: http://127.0.0.1:1/x\n" \
                "  headers:\n    Authorization: secret\n  timeout: 10s\n  capture-response: true\n"
    json_text = json.dumps({"id": "to-ops", "topic": "cpu", "kind": "post", "match": "level() >= WARNING",
                            "options": {"url": "http://127.0.0.1:1/x", "headers": {"Authorization": "secret"},
                                        "timeout": 10_000_000_000, "capture-response": True}})
    yaml_spec, yaml_errors, _ = errors_of("h.yaml", yaml_text)
    json_spec, json_errors, _ = errors_of("h.json", json_text)
    assert yaml_errors == json_errors == []
    assert yaml_spec.options == json_spec.options
    assert yaml_spec.options["timeout"] == 10 * 10**9
    assert (yaml_spec.id, yaml_spec.topic, yaml_spec.kind, yaml_spec.match) == \
        ("to-ops", "cpu", "post", "level() >= WARNING")


@pytest.mark.parametrize("text, key, line, fragment", [
    ("id: a\ntopic: cpu\nkind: tcp\nextra: 1\noptions:\n  address: h:1\n", "extra", 4, "unknown key 'extra'"),
    ("id: a\ntopic: cpu\nkind: tcp\noptions:\n  address: h:1\n  adress: h:2\n", "adress", 6, "unknown option 'adress'"),
    ("topic: cpu\nkind: tcp\noptions:\n  address: h:1\n", "id", 0, "missing 'id'"),
    ("id: a\nkind: tcp\noptions:\n  address: h:1\n", "topic", 0, "missing 'topic'"),
    ("id: a\ntopic: cpu\noptions:\n  address: h:1\n", "kind", 0, "missing 'kind'"),
    ("id: a\ntopic: cpu\nkind: fax\n", "kind", 3, "unsupported action kind 'fax'"),
    ("id: a\ntopic: cpu\nkind: tcp\noptions:\n  address: nohostport\n", "address", 5, "missing port"),
    ("id: a\ntopic: cpu\nkind: log\noptions:\n  path: alerts.log\n", "path", 5, "must be absolute"),
    ("id: a\ntopic: cpu\nkind: log\noptions:\n  path: /tmp/x\n  mode: 0444\n", "mode", 6, "must be user writable"),
    ("id: a\ntopic: cpu\nkind: aggregate\noptions:\n  interval: 10 seconds\n  topic: t\n", "interval", 5,
     "invalid duration"),
    ("id: a\ntopic: cpu\nkind: exec\noptions:\n  prog: /bin/true\n  args: --x\n", "args", 6, "a list of strings"),
    ("id: a\ntopic: cpu\nkind: slack\noptions:\n  channel: '#x'\n  colour: red\n", "colour", 6,
     "unknown option 'colour' for kind 'slack'"),
    ("id: a\ntopic: cpu\nkind: tcp\nmatch: level() == critical\noptions:\n  address: h:1\n", "match", 4,
     "unknown identifier 'critical'"),
    ("id: a\nid: b\ntopic: cpu\nkind: tcp\noptions:\n  address: h:1\n", "id", 2, "duplicate key 'id'"),
])
def test_errors_name_the_key_and_its_line(text, key, line, fragment):
    spec, errors, _ = errors_of("handler.yaml", text)
    assert spec is None
    matching = [d for d in errors if fragment in d.message]
    assert matching, [d.message for d in errors]
    assert matching[0].extra["path"] == "handler.yaml"
    if line:
        assert matching[0].line == line


def test_unquoted_match_starting_with_double_quote_is_explained():
    spec, errors, _ = errors_of("h.yaml", "id: a\ntopic: cpu\nkind: tcp\nmatch: \"host\" == 'a'\noptions:\n  address: h:1\n")
    assert spec is None and errors[0].line == 4
    assert "quote the whole value" in errors[0].hint


def test_numbers_where_strings_belong_say_quote_it():
    # YAML 1.1 reads 10:20 as the sexagesimal number 620
    spec, errors, _ = errors_of("h.yaml", "id: a\ntopic: cpu\nkind: tcp\noptions:\n  address: 10:20\n")
    assert spec is None and "quotes" in errors[0].hint
    assert "'address' must be a string, got a whole number" in errors[0].message
    assert "expected type 'string', got unconvertible type 'int'" in errors[0].kapacitor_message


def test_decimal_mode_warns():
    spec, errors, warnings = errors_of("h.yaml", "id: a\ntopic: cpu\nkind: log\noptions:\n  path: /tmp/a\n  mode: 644\n")
    assert spec is not None and not errors
    assert warnings and "decimal" in warnings[0].message


def test_every_kind_rejects_an_unknown_option():
    for kind in HANDLER_KINDS:
        spec, errors, _ = errors_of("h.yaml", f"id: a\ntopic: cpu\nkind: {kind}\noptions:\n  no-such-option: 1\n")
        assert any("unknown option 'no-such-option'" in d.message for d in errors), kind


def test_go_durations():
    assert parse_go_duration("1m30s") == 90 * 10**9
    assert parse_go_duration("1.5h") == 5400 * 10**9
    assert parse_go_duration("250ms") == 250 * 10**6
    assert format_go_duration(60 * 10**9) == "1m0s"
    assert format_go_duration(10 * 10**9) == "10s"
    assert format_go_duration(1_500_000) == "1.5ms"
    with pytest.raises(ValueError):
        parse_go_duration("10")


def test_directories_and_duplicate_ids_on_a_topic(tmp_path):
    (tmp_path / "a.yaml").write_text("id: same\ntopic: cpu\nkind: tcp\noptions:\n  address: h:1\n")
    (tmp_path / "b.yml").write_text("id: same\ntopic: cpu\nkind: tcp\noptions:\n  address: h:2\n")
    (tmp_path / "c.json").write_text(json.dumps({"id": "same", "topic": "mem", "kind": "tcp",
                                                 "options": {"address": "h:3"}}))
    (tmp_path / "notes.txt").write_text("not a handler")
    specs, problems = load_handler_files([tmp_path])
    assert [(s.topic, s.id) for s in specs] == [("cpu", "same"), ("mem", "same")]
    [duplicate] = [p for p in problems if p.severity == "error"]
    assert "already exists" in duplicate.message and duplicate.extra["path"].endswith("b.yml")


def test_a_directory_of_handlers_leaves_out_the_tickpy_test_files_next_to_them(tmp_path):
    (tmp_path / "ops.yaml").write_text("id: ops\ntopic: cpu\nkind: tcp\noptions:\n  address: h:1\n")
    (tmp_path / "cpu.tickpy.yaml").write_text("script: cpu.tick\ntests: []\n")
    specs, problems = load_handler_files([tmp_path])
    assert [s.id for s in specs] == ["ops"] and problems == []
    named, named_problems = load_handler_files([tmp_path / "cpu.tickpy.yaml"])  # named explicitly: checked
    assert named == [] and any("unknown key 'script'" in p.message for p in named_problems)


def test_service_load_raises_before_the_run_with_every_problem(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: a\ntopic: cpu\nkind: tcp\noptions:\n  adress: h:1\n")
    (tmp_path / "worse.json").write_text('{"topic": "cpu", "kind": "log", "options": {"path": "x"}}')
    service = AlertService(handler_files=[tmp_path])
    with pytest.raises(HandlerLoadError) as info:
        service.load()
    text = info.value.render()
    assert "bad.yaml:5:3" in text and "adress" in text
    assert "worse.json" in text and "missing 'id'" in text


def test_handlers_check_names_a_kafka_cluster_kapacitor_would_not_know(tmp_path, cli):
    handler = tmp_path / "k.yaml"
    handler.write_text("id: k\ntopic: cpu\nkind: kafka\noptions:\n  cluster: main\n  topic: t\n")
    without_config = cli("handlers", "check", str(handler))  # only "default" is known: a warning
    assert without_config.returncode == 0
    assert 'k.yaml:5:3: warning: kafka: unknown cluster "main"' in without_config.stdout
    assert "tickpy run refuses the handler without one" in without_config.stdout
    config = tmp_path / "kapacitor.conf"
    config.write_text('[[kafka]]\nid = "other"\n')
    with_config = cli("handlers", "check", str(handler), "--config", str(config))
    assert with_config.returncode == 1
    assert 'k.yaml:5:3: error: kafka: unknown cluster "main"' in with_config.stdout
    assert "the clusters Kapacitor would know: other" in with_config.stdout
    config.write_text('[[kafka]]\nid = "main"\n')
    assert "unknown cluster" not in cli("handlers", "check", str(handler), "--config", str(config)).stdout


def test_handlers_check_cli(tmp_path, cli):
    good = tmp_path / "good.yaml"
    good.write_text("id: a\ntopic: cpu\nkind: publish\noptions:\n  topics: [ops]\n")
    loop = tmp_path / "loop.yaml"
    loop.write_text("id: b\ntopic: ops\nkind: publish\noptions:\n  topics: [cpu]\n")
    result = cli("handlers", "check", str(good), str(loop))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: handler 'a'" in result.stdout and "publish loop" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: a\ntopic: cpu\nkind: log\nmatch: \"host\" == 'x'\noptions:\n  path: rel.log\n")
    result = cli("handlers", "check", str(bad), "--format", "json")
    assert result.returncode == 1
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["ok"] is False and record["diagnostics"][0]["line"] == 4


def test_match_errors_point_inside_the_expression():
    _, errors, _ = errors_of("h.yaml", "id: a\ntopic: cpu\nkind: tcp\nmatch: level() >= Warning\n"
                                       "options:\n  address: h:1\n")
    assert (errors[0].line, errors[0].column) == (4, 19)
    _, errors, _ = errors_of("h.yaml", "id: a\ntopic: cpu\nkind: tcp\nmatch: 'changed() == TRUE AND \"host\" = 1'\n"
                                       "options:\n  address: h:1\n")
    assert (errors[0].line, errors[0].column) == (4, 38) and "==" in errors[0].hint


@pytest.mark.parametrize("data, line, column, message", [
    # YAML refuses control characters as it starts reading: this escaped as a ReaderError (fuzzing)
    (b"id: a\ntopic: cpu\nkind: log\noptions:\n  path: /tmp/x\x00\n", 5, 15, "unacceptable character #x0000"),
    (b"\x00id: a\n", 1, 1, "unacceptable character #x0000"),
    (b"id: a\ntopic: c\xc3pu\n", 2, 9, "handler file is not UTF-8 (byte 14)"),
])
def test_characters_a_handler_file_cannot_hold_are_positioned_errors(tmp_path, cli, data, line, column, message):
    path = tmp_path / "h.yaml"
    path.write_bytes(data)
    with pytest.raises(HandlerLoadError) as raised:
        AlertService(handler_files=[str(path)]).load()
    (problem,) = raised.value.diagnostics
    assert message in problem.message and (problem.line, problem.column) == (line, column)
    checked = cli("handlers", "check", str(path))
    assert checked.returncode == 1 and f"h.yaml:{line}:{column}" in checked.stderr + checked.stdout, checked

"""External-service handlers whose Kapacitor constructor parses option templates (alerta, discord,
sensu, snmptrap, pagerduty2, mqtt, kafka) are refused when they are built, as
`kapacitor define-topic-handler` refuses them and a task with such a handler does not start:
handler files name the file, line and option; scripts name the handler's position. The messages
carry Go's text/template parse error (`template: <name>:1: ...`). servicenow, zenoss, bigpanda and
smtp parse theirs per event (smtp logs), so they load."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.alerting.capturing import write
from tests.alerting.events import make_event
from tickpy.alerting.payloads import option_problems, service_request
from tickpy.alerting.service import AlertService, HandlerLoadError

HEAD = "id: h\ntopic: cpu\nkind: {kind}\noptions:\n"

# kind, options (YAML lines, the bad one on file line 5 at column 3), good replacement, message
BAD = [
    ("alerta", "  resource: '{{ .Name'\n  event: e\n", "  resource: '{{ .Name }}'\n  event: e\n",
     "alerta: template: resource:1: unclosed action"),
    ("alerta", "  event: '{{ end }}'\n", "  event: '{{ .ID }}'\n", "alerta: template: event:1: unexpected {{end}}"),
    ("alerta", "  environment: '{{ .Tags'\n", "  environment: prod\n",
     "alerta: template: environment:1: unclosed action"),
    ("alerta", "  group: '{{ if .Group }}'\n", "  group: '{{ if .Group }}g{{ end }}'\n",
     "alerta: template: group:1: unexpected EOF"),
    ("alerta", "  value: '{{ .Level '\n", "  value: '{{ .Level }}'\n", "alerta: template: value:1: unclosed action"),
    ("alerta", "  service: [web, '{{ .Name']\n", "  service: [web, '{{ .Name }}']\n",
     "alerta: service[1]: template: service:1: unclosed action"),
    ("alerta", "  correlate: ['{{ nope }}']\n", "  correlate: ['{{ .Name }}']\n",
     'alerta: correlate[0]: template: correlate:1: function "nope" not defined'),
    ("alerta", "  attributes:\n    region: '{{ .Tags.region'\n    weight: 3\n",
     "  attributes:\n    region: '{{ index .Tags \"region\" }}'\n    weight: 3\n",
     "alerta: attributes.region: template: region:1: unclosed action"),
    ("discord", "  embed-title: '{{ .Level'\n", "  embed-title: '{{ .Level }}'\n",
     "discord: template: embedTitle:1: unclosed action"),
    ("sensu", "  source: '{{ .Tags.host'\n", "  source: '{{ .Tags.host }}'\n",
     "sensu: template: source:1: unclosed action"),
    ("snmptrap", "  data-list:\n    - {oid: 1.3.6.1.4.1.1, type: s, value: '{{ .Message'}\n  trap-oid: 1.3.6.1.4.1.2\n",
     "  data-list:\n    - {oid: 1.3.6.1.4.1.1, type: s, value: '{{ .Message }}'}\n  trap-oid: 1.3.6.1.4.1.2\n",
     "snmptrap: data-list[0].value: template: data:1: unclosed action"),
    ("pagerduty2", "  links:\n    - {href: 'http://x/{{ .ID'}\n", "  links:\n    - {href: 'http://x/{{ .ID }}'}\n",
     "pagerduty2: links[0].href: template: href:1: unclosed action"),
    ("pagerduty2", "  links:\n    - {href: 'http://x/', text: '{{ end }}'}\n",
     "  links:\n    - {href: 'http://x/', text: '{{ .Level }}'}\n",
     "pagerduty2: links[0].text: template: text:1: unexpected {{end}}"),
    ("mqtt", "  topic: 'alerts/{{ .Name'\n", "  topic: 'alerts/{{ .Name }}'\n",
     "mqtt: template: topic:1: unclosed action"),
    # Kapacitor's kafka template is plain text/template: json is not one of its functions
    ("kafka", "  template: '{{ json . }}'\n  topic: t\n", "  cluster: default\n  template: '{{ .ID }}'\n  topic: t\n",
     'kafka: failed to parse template: template: kafka alert template:1: function "json" not defined'),
]
IDS = [f"{kind}-{i}" for i, (kind, *_rest) in enumerate(BAD)]


def load(tmp_path: Path, name: str, text: str) -> AlertService:
    service = AlertService(handler_files=[str(write(tmp_path, name, text))], report=lambda line: None)
    service.load()
    return service


@pytest.mark.parametrize("kind, bad, good, message", BAD, ids=IDS)
def test_a_handler_file_with_a_template_that_does_not_parse_is_refused_at_its_option(tmp_path, kind, bad, good,
                                                                                     message):
    with pytest.raises(HandlerLoadError) as info:
        load(tmp_path, "h.yaml", HEAD.format(kind=kind) + bad)
    [problem] = info.value.diagnostics
    assert problem.message == message
    assert (problem.extra["path"], problem.line, problem.column) == (str(tmp_path / "h.yaml"), 5, 3)
    assert f"h.yaml:5:3: error: {message}" in info.value.render()
    service = load(tmp_path, "ok.yaml", HEAD.format(kind=kind) + good)
    assert [spec.kind for spec in service.specs] == [kind]
    service.close()


def test_a_json_handler_file_points_at_the_option(tmp_path):
    text = '{"id": "h", "topic": "cpu", "kind": "mqtt",\n "options": {"broker-name": "b",\n   "topic": "{{ .Name"}}\n'
    with pytest.raises(HandlerLoadError) as info:
        load(tmp_path, "h.json", text)
    [problem] = info.value.diagnostics
    assert (problem.line, problem.column, problem.message) == (3, 4, "mqtt: template: topic:1: unclosed action")


def test_only_the_first_refused_template_is_reported_as_kapacitor_stops_there():
    problems = option_problems("alerta", {"resource": "{{ .Name", "group": "{{ end }}", "service": ["{{"]})
    assert problems == [("resource", "template: resource:1: unclosed action")]


@pytest.mark.parametrize("kind, options", [
    ("servicenow", "  node: '{{ .Name'\n"),  # Kapacitor parses these for each event
    ("zenoss", "  summary: '{{ .Name'\n"),
    ("bigpanda", "  host: '{{ .Tags'\n"),
    ("smtp", "  to: [ops@example.com]\n  to-field: ['{{ .Tags'] \n"),  # Kapacitor logs it and builds the handler
    ("slack", "  channel: '{{ .Name'\n"),  # not a template at all
])
def test_kinds_whose_constructor_accepts_any_text_load(tmp_path, kind, options):
    service = load(tmp_path, "h.yaml", HEAD.format(kind=kind) + options)
    assert [spec.kind for spec in service.specs] == [kind]
    assert option_problems(kind, service.specs[0].options) == []
    service.close()


def test_a_bad_template_for_an_event_is_still_reported_in_the_capture_record():
    # service_request shows what one event would send even for options never checked
    record = service_request("sensu", {"source": "{{ .Name"}, make_event(), None, {})
    assert record == {"error": "template: source:1: unclosed action (nothing would be sent)"}


def test_kafka_template_runs_over_alert_data_and_an_execution_error_writes_an_empty_message():
    event = make_event(event_id="cpu:host=a")
    assert service_request("kafka", {"template": "{{ .ID }}/{{ .Level }}", "topic": "t"}, event, None,
                           {})["value"] == "cpu:host=a/CRITICAL"
    # Kapacitor logs "failed to prepare kafka message body" and still writes the message, without a body
    record = service_request("kafka", {"template": "x{{ .Nope }}", "topic": "t"}, event, None, {})
    assert record["value"] == "" and record["key"] == "cpu:host=a"
    [logged] = record["errors_logged"]
    assert logged.startswith("failed to prepare kafka message body: failed to execute alert template: "
                             "template: kafka alert template:1:4: executing \"kafka alert template\" at <.Nope>: ")


def test_handlers_check_reports_each_refused_template_with_file_line_and_column(tmp_path, cli):
    folder = tmp_path / "handlers"
    folder.mkdir()
    for i, (kind, bad, _good, _message) in enumerate(BAD):
        write(folder, f"bad{i:02d}.yaml", HEAD.format(kind=kind).replace("id: h", f"id: h{i}") + bad)
    result = cli("handlers", "check", folder, "--kapacitor-text")
    assert result.returncode == 1, result.stderr
    for i, (_kind, _bad, _good, message) in enumerate(BAD):
        assert f"{folder / f'bad{i:02d}.yaml'}:5:3: error: {message}\n" in result.stdout
    # --kapacitor-text: the error exactly as Kapacitor's API answers it (without tickpy's kind prefix)
    assert "  kapacitor: template: embedTitle:1: unclosed action\n" in result.stdout
    assert f"{len(BAD)} file(s) checked, {len(BAD)} with errors" in result.stderr


def test_handlers_check_accepts_the_good_templates(tmp_path, cli):
    paths = [str(write(tmp_path, f"good{i:02d}.yaml", HEAD.format(kind=kind).replace("id: h", f"id: h{i}") + good))
             for i, (kind, _bad, good, _message) in enumerate(BAD)]
    result = cli("handlers", "check", *paths)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(": ok: handler ") == len(BAD)


SCRIPT = """stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "value" > 1)
        {handler}
"""

# the handler written on script line 6 from column 10 (after the 8 spaces and the dot)
SCRIPT_HANDLERS = [
    (".alerta().resource('{{ .Name')", "alerta: template: resource:1: unclosed action"),
    (".alerta().services('web', '{{ end }}')", "alerta: service[1]: template: service:1: unexpected {{end}}"),
    (".discord().embedTitle('{{ .Level')", "discord: template: embedTitle:1: unclosed action"),
    (".sensu().source('{{ .Name')", "sensu: template: source:1: unclosed action"),
    (".snmpTrap('1.3.6.1.4.1.2').data('1.3.6.1.4.1.1', 's', '{{ .Message')",
     "snmptrap: data-list[0].value: template: data:1: unclosed action"),
    (".pagerDuty2().link('http://x/{{ .ID')", "pagerduty2: links[0].href: template: href:1: unclosed action"),
    (".mqtt('alerts/{{ .Name')", "mqtt: template: topic:1: unclosed action"),
    (".kafka().kafkaTopic('t').template('{{ .ID')",
     "kafka: failed to parse template: template: kafka alert template:1: unclosed action"),
]


@pytest.mark.parametrize("handler, message", SCRIPT_HANDLERS, ids=[h.split("(")[0][1:] + str(i) for i, (h, _m)
                                                                   in enumerate(SCRIPT_HANDLERS)])
def test_tickpy_run_refuses_the_script_before_reading_any_point(tmp_path, handler, message, cli):
    write(tmp_path, "t.tick", SCRIPT.format(handler=handler))
    write(tmp_path, "p.lp", "this is not line protocol\ncpu value=5 1000000000\n")
    result = cli("run", "t.tick", "p.lp", "--capture", "c.jsonl", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"t.tick:6:10: error: {message}\n" in result.stderr
    assert "p.lp:1" not in result.stderr  # no input line was read
    assert not (tmp_path / "c.jsonl").exists() or (tmp_path / "c.jsonl").read_text() == ""


def test_tickpy_run_with_a_good_template_captures_what_it_renders(tmp_path, cli):
    write(tmp_path, "t.tick", SCRIPT.format(handler=".mqtt('alerts/{{ .Name }}/{{ .Level }}')"))
    write(tmp_path, "p.lp", "cpu value=5 1000000000\n")
    result = cli("run", "t.tick", "p.lp", "--capture", "c.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    import json

    [record] = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert record["request"]["topic"] == "alerts/cpu/CRITICAL"

"""Requests of the opsgenie, opsgenie2, alerta and bigpanda handlers, checked against what
Kapacitor's services send (server_test.go TestServer_AlertHandlers, streamer_test.go
TestStream_Alert*, services/bigpanda/service_test.go)."""

from __future__ import annotations

import base64
import json

from tests.alerting.capturing import STREAMER_HEAD, YEAR_1971, captured, run_capturing, service_for, write
from tests.alerting.events import SECOND, make_event, server_test_event
from tickpy.alerting.payloads import service_request
from tickpy.golang.gojson import GoJSONError
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.alert_wire import alert_data_json

SERVER_TEST_RESULT = {"series": [{"name": "alert", "columns": ["time", "value"],
                                  "values": [["1970-01-01T00:00:00Z", 1]]}]}
STREAM_RESULT = {"series": [{"name": "cpu", "tags": {"host": "serverA"}, "columns": ["time", "count"],
                             "values": [["1971-01-01T00:00:10Z", 10]]}]}


def stream_event(level="CRITICAL", event_id="serverA", message=None, details="", tags=None, fields=None):
    """The alert of the streamer tests: a count of 10 for host serverA at 1971-01-01T00:00:10Z."""
    tags = {"host": "serverA"} if tags is None else tags
    fields = {"count": 10} if fields is None else fields
    time_ns = (YEAR_1971 + 10) * SECOND
    event = AlertEvent(
        id=event_id, message=message or f"kapacitor/cpu/serverA is {level} @1971-01-01 00:00:10 +0000 UTC",
        details=details, time_ns=time_ns, duration_ns=0, level=level, previous_level="OK", name="cpu",
        task_name="TestStream_Alert", group=",".join(f"{k}={v}" for k, v in sorted(tags.items())), tags=tags,
        fields=fields, recoverable=True,
        result={"series": [{"name": "cpu", "tags": dict(tags), "columns": ["time", *fields],
                            "values": [[time_ns, *fields.values()]]}]})
    try:
        event.wire = alert_data_json(event)
    except GoJSONError as err:  # a NaN field: the alert node keeps the reason instead
        event.wire_error = str(err)
    return event


def request(kind, options, event, settings):
    """The request for a --config section that enables the service unless it says otherwise."""
    section = {"enabled": True, **settings} if settings else settings
    return service_request(kind, options, event, None, section)


# --- opsgenie -------------------------------------------------------------------------------------


def test_opsgenie_reproduces_kapacitor_server_test_case():
    settings = {"enabled": True, "url": "http://127.0.0.1:9", "api-key": "api_key"}
    options = {"teams-list": ["A team", "B team"], "recipients-list": ["test_recipient1", "test_recipient2"]}
    got = request("opsgenie", options, server_test_event(), settings)
    assert got["method"] == "POST" and got["url"] == "http://127.0.0.1:9/"
    assert got["content_type"] == "application/json" and "headers" not in got  # v1: the key is in the body
    body = json.loads(got["body"])
    assert json.loads(body.pop("description")) == SERVER_TEST_RESULT
    assert body == {"apiKey": "api_key", "message": "message", "entity": "id", "alias": "id", "note": "",
                    "monitoring_tool": "kapacitor", "details": {"Level": "CRITICAL", "Monitoring Tool": "Kapacitor"},
                    "teams": ["A team", "B team"], "recipients": ["test_recipient1", "test_recipient2"]}


def test_opsgenie_body_is_a_sorted_go_map_with_encoder_newline_and_the_result_as_a_string():
    got = request("opsgenie", {}, stream_event(event_id="kapacitor/cpu/serverA", message="a<b & c"),
                  {"url": "http://o.example", "api-key": "k"})
    body = got["body"]
    assert body.endswith("}\n") and body.count("\n") == 1 and ", " not in body
    keys = list(json.loads(body))
    assert keys == sorted(keys) == ["alias", "apiKey", "description", "details", "entity", "message",
                                    "monitoring_tool", "note"]  # no teams/recipients when both are empty
    assert '"message":"a\\u003cb \\u0026 c"' in body
    description = json.loads(body)["description"]
    assert json.loads(description) == STREAM_RESULT and ", " not in description


def test_opsgenie_recovery_goes_to_the_note_url_and_teams_fall_back_to_the_config():
    settings = {"url": "http://o.example/v1/json/alert", "recovery_url": "http://o.example/v1/json/alert/note",
                "api-key": "k", "teams": ["config team"], "recipients": ["config user"]}
    got = request("opsgenie", {"recipients-list": ["handler user"]}, stream_event(level="OK", message="back"), settings)
    assert got["url"] == "http://o.example/v1/json/alert/note/"
    body = json.loads(got["body"])
    assert body["note"] == "back" and body["message"] == "back"
    assert body["details"] == {"Level": "RECOVERY", "Monitoring Tool": "Kapacitor"}
    assert body["teams"] == ["config team"] and body["recipients"] == ["handler user"]
    defaults = request("opsgenie", {}, stream_event(level="INFO"), {})
    assert defaults["url"] == "https://api.opsgenie.com/v1/json/alert/"
    assert json.loads(defaults["body"])["details"]["Level"] == "INFO"
    assert request("opsgenie", {}, stream_event(level="OK"), {})["url"] == "https://api.opsgenie.com/v1/json/alert/note/"
    assert request("opsgenie", {}, stream_event(), {"enabled": False}) == {
        "error": "service is not enabled ([opsgenie] in --config has no enabled = true) (nothing would be sent)"}


# --- opsgenie2 ------------------------------------------------------------------------------------


def test_opsgenie2_reproduces_kapacitor_server_test_case():
    settings = {"enabled": True, "details": False, "url": "http://127.0.0.1:9", "recovery_action": "notes",
                "api-key": "api_key"}
    options = {"teams-list": ["A team", "B team"], "recipients-list": ["test_recipient1", "test_recipient2"]}
    got = request("opsgenie2", options, server_test_event(), settings)
    assert got["url"] == "http://127.0.0.1:9" and got["headers"] == {"Authorization": "GenieKey api_key"}
    assert got["content_type"] == "application/json"
    body = json.loads(got["body"])
    assert json.loads(body.pop("description")) == SERVER_TEST_RESULT
    assert body == {"message": "message", "entity": "id", "alias": "aWQ=", "note": "", "priority": "P1",
                    "details": {"Level": "CRITICAL", "Monitoring Tool": "Kapacitor", "Kapacitor Task Name": "alert"},
                    "responders": [{"name": "A team", "type": "team"}, {"name": "B team", "type": "team"},
                                   {"username": "test_recipient1", "type": "user"},
                                   {"username": "test_recipient2", "type": "user"}]}


def test_opsgenie2_reproduces_streamer_alert_and_recovery():
    settings = {"enabled": True, "url": "http://127.0.0.1:9", "recovery_action": "notes", "api-key": "api_key"}
    tags = {"host": "serverA", "type": "idle"}
    crit = stream_event(event_id="kapacitor/cpu/serverA", message="kapacitor/cpu/serverA is CRITICAL", tags=tags)
    got = request("opsgenie2", {"teams-list": ["test_team"]}, crit, settings)
    body = json.loads(got["body"])
    assert body["alias"] == "a2FwYWNpdG9yL2NwdS9zZXJ2ZXJB" and body["priority"] == "P1"
    assert body["details"] == {"Level": "CRITICAL", "Monitoring Tool": "Kapacitor", "Kapacitor Task Name": "cpu",
                               "host": "serverA", "type": "idle"}
    assert body["responders"] == [{"name": "test_team", "type": "team"}]
    ok = stream_event(level="OK", event_id="kapacitor/cpu/serverA", message="kapacitor/cpu/serverA is OK", tags=tags)
    recovery = request("opsgenie2", {"teams-list": ["test_team"]}, ok, settings)
    assert recovery["url"] == "http://127.0.0.1:9/a2FwYWNpdG9yL2NwdS9zZXJ2ZXJB/notes?identifierType=alias"
    assert recovery["headers"] == {"Authorization": "GenieKey api_key"}
    assert recovery["body"] == '{"note":"kapacitor/cpu/serverA is OK"}\n'


def test_opsgenie2_recovery_action_option_then_config_then_notes():
    ok = stream_event(level="OK", event_id="a/b?c")
    alias = base64.urlsafe_b64encode(b"a/b?c").decode()
    assert "_" in alias or "-" in alias or "=" in alias  # the URL-safe alphabet, padded
    base = "http://o.example/v2/alerts?ignored=1"
    url = request("opsgenie2", {"recovery_action": "close"}, ok, {"url": base})["url"]
    assert url == f"http://o.example/v2/alerts/{alias}/close?identifierType=alias"
    url = request("opsgenie2", {"recovery_action": "delete"}, ok, {"url": base, "recovery_action": "close"})["url"]
    assert url.endswith(f"/{alias}/close?identifierType=alias")
    url = request("opsgenie2", {"recovery_action": "bogus"}, ok, {"recovery_action": "bogus"})["url"]
    assert url == f"https://api.opsgenie.com/v2/alerts/{alias}/notes?identifierType=alias"


def test_opsgenie2_priority_per_level_and_details_option_uses_event_details():
    settings = {"api-key": "k", "details": True}
    priorities = {level: json.loads(request("opsgenie2", {}, stream_event(level=level), {})["body"])["priority"]
                  for level in ("INFO", "WARNING", "CRITICAL")}
    assert priorities == {"INFO": "P5", "WARNING": "P3", "CRITICAL": "P1"}
    with_details = json.loads(request("opsgenie2", {}, stream_event(details="<b>disk</b>"), settings)["body"])
    assert with_details["description"] == "<b>disk</b>"
    without = json.loads(request("opsgenie2", {}, stream_event(details=""), settings)["body"])
    assert json.loads(without["description"]) == STREAM_RESULT
    body = request("opsgenie2", {}, stream_event(details="<b>"), settings)["body"]
    assert '"description":"\\u003cb\\u003e"' in body and list(json.loads(body)) == sorted(json.loads(body))
    assert "responders" not in json.loads(body)


# --- alerta ---------------------------------------------------------------------------------------


def test_alerta_reproduces_kapacitor_server_test_case():
    options = {"token": "testtoken1234567", "token-prefix": "Bearer", "origin": "kapacitor", "group": "test",
               "environment": "env", "timeout": 24 * 3600 * SECOND}
    got = request("alerta", options, server_test_event(), {"enabled": True, "url": "http://127.0.0.1:9"})
    assert got["url"] == "http://127.0.0.1:9/alert"
    assert got["headers"] == {"Authorization": "Bearer testtoken1234567"}
    assert json.loads(got["body"]) == {
        "resource": "alert", "event": "id", "group": "test", "environment": "env", "text": "message",
        "origin": "kapacitor", "service": ["alert"], "correlate": ["alert"], "timeout": 86400, "value": "",
        "severity": "critical", "rawData": SERVER_TEST_RESULT, "tags": []}


def test_alerta_reproduces_streamer_handlers_with_templates_and_config():
    settings = {"enabled": True, "url": "http://127.0.0.1:9", "origin": "Kapacitor"}
    event = stream_event()
    first = request("alerta", {"token": "testtoken1234567", "environment": "production", "timeout": 3600 * SECOND},
                    event, settings)
    assert first["headers"] == {"Authorization": "Bearer testtoken1234567"}
    body = json.loads(first["body"])
    assert {k: body[k] for k in ("resource", "event", "group", "environment", "text", "origin", "service",
                                 "correlate", "timeout")} == {
        "resource": "cpu", "event": "serverA", "group": "host=serverA", "environment": "production",
        "text": "kapacitor/cpu/serverA is CRITICAL @1971-01-01 00:00:10 +0000 UTC", "origin": "Kapacitor",
        "service": ["cpu"], "correlate": ["cpu"], "timeout": 3600}
    assert "attributes" not in body and body["tags"] == ["host=serverA"]
    second = request("alerta", {
        "token": "anothertesttoken", "resource": 'resource: {{ index .Tags "host" }}',
        "event": "event: {{ .TaskName }}", "environment": '{{ index .Tags "host" }}', "origin": "override",
        "group": "{{ .ID }}", "value": '{{ index .Fields "count" }}',
        "service": ["serviceA", "serviceB", "{{ .Name }}"], "correlate": ["{{ .Name }}"],
        "attributes": {"attributeA": "{{ .Name }}", "attributeB": True, "attributeC": 9001.0}}, event, settings)
    assert second["headers"] == {"Authorization": "Bearer anothertesttoken"}
    body = json.loads(second["body"])
    assert {k: body[k] for k in ("resource", "event", "group", "environment", "origin", "service", "correlate",
                                 "value", "attributes", "timeout")} == {
        "resource": "resource: serverA", "event": "event: TestStream_Alert", "group": "serverA",
        "environment": "serverA", "origin": "override", "service": ["serviceA", "serviceB", "cpu"],
        "correlate": ["cpu"], "value": "10", "attributes": {"attributeA": "cpu", "attributeB": True,
                                                           "attributeC": 9001}, "timeout": 86400}


def test_alerta_body_bytes_sorted_keys_html_escaped_with_newline():
    got = request("alerta", {}, stream_event(message="x<y&z"), {"url": "http://a.example"})
    body = got["body"]
    assert body.endswith("}\n") and body.count("\n") == 1
    keys = list(json.loads(body))
    assert keys == sorted(keys) and keys[:2] == ["correlate", "environment"] and "rawData" in keys
    assert '"text":"x\\u003cy\\u0026z"' in body
    assert '"rawData":{"series":[{"name":"cpu","tags":{"host":"serverA"},"columns":["time","count"]' in body


def test_alerta_severity_per_level_and_every_level_is_sent():
    severities = {level: json.loads(request("alerta", {}, stream_event(level=level), {})["body"])["severity"]
                  for level in ("OK", "INFO", "WARNING", "CRITICAL")}
    assert severities == {"OK": "ok", "INFO": "informational", "WARNING": "warning", "CRITICAL": "critical"}


def test_alerta_token_prefix_url_path_and_config_defaults_vs_options():
    settings = {"url": "http://a.example:8080/api/", "token": "conf-token", "token-prefix": "Key",
                "environment": "conf-env", "origin": "conf-origin", "timeout": "1h"}
    got = request("alerta", {}, stream_event(), settings)
    assert got["url"] == "http://a.example:8080/api/alert"
    assert got["headers"] == {"Authorization": "Key conf-token"}
    body = json.loads(got["body"])
    # the config's timeout is not used by the handler: its own default (24h) is
    assert body["environment"] == "conf-env" and body["origin"] == "conf-origin" and body["timeout"] == 86400
    got = request("alerta", {"token": "t", "token-prefix": "Bearer", "environment": "e", "origin": "o",
                             "timeout": 90 * SECOND}, stream_event(), settings)
    assert got["headers"] == {"Authorization": "Bearer t"}
    body = json.loads(got["body"])
    assert (body["environment"], body["origin"], body["timeout"]) == ("e", "o", 90)
    assert request("alerta", {}, stream_event(), {})["url"] == "alert"  # Kapacitor's default url is empty


def test_alerta_templates_event_data_and_what_sends_nothing():
    event = stream_event()
    got = request("alerta", {"event": "{{ .Message }}"}, event, {})
    assert "can't evaluate field Message in type alerta.eventData" in got["error"]
    assert got["error"].endswith("(nothing would be sent)")
    assert request("alerta", {"resource": ""}, event, {}) == {
        "error": "Resource and Event are required to send an alert (nothing would be sent)"}
    assert "unclosed action" in request("alerta", {"service": ["{{ .Name"]}, event, {})["error"]
    assert request("alerta", {}, event, {"enabled": False}) == {
        "error": "service is not enabled ([alerta] in --config has no enabled = true) (nothing would be sent)"}
    tags = json.loads(request("alerta", {}, stream_event(tags={"b": "2", "a": "1"}), {})["body"])["tags"]
    assert sorted(tags) == ["a=1", "b=2"]


# --- bigpanda -------------------------------------------------------------------------------------


def test_bigpanda_reproduces_kapacitor_server_test_case():
    settings = {"enabled": True, "token": "my-token-123", "app-key": "my-app-key",
                "url": "http://127.0.0.1:9/test/bigpanda/alert", "auto-attributes": ""}
    got = request("bigpanda", {"app-key": "my-app-key-123456"}, server_test_event(), settings)
    assert got["url"] == "http://127.0.0.1:9/test/bigpanda/alert"
    assert got["headers"] == {"Authorization": "Bearer my-token-123"}
    assert json.loads(got["body"]) == {"app_key": "my-app-key-123456", "check": "id", "status": "critical",
                                       "timestamp": 0, "task": "testAlertHandlers:alert", "description": "message",
                                       "details": "details", "host": ""}


def bigpanda_service_test_event(fields):
    event = AlertEvent(id="id", message="message", details="details", time_ns=(YEAR_1971 + 38) * SECOND,
                       duration_ns=0, level="OK", previous_level="CRITICAL", name="test", task_name="", group="",
                       tags={"host": "localhost", "link": "http://localhost/bp"}, fields=fields, recoverable=True,
                       result={"series": []})
    event.wire = alert_data_json(event)
    return event


def test_bigpanda_body_bytes_match_kapacitor_service_test_payloads():
    # services/bigpanda/service_test.go TestService_Payload: compact JSON, no trailing newline.
    event = bigpanda_service_test_event({"count": 10, "load": 0.5})
    attrs = {"host": "example.com", "attributes": {"link": "http://example.com/bp"}}
    got = request("bigpanda", attrs, event, {"enabled": True, "app-key": "key", "auto-attributes": "tags,fields"})
    assert got["body"] == ('{"app_key":"key","check":"id","count":"10","description":"message","details":"details",'
                           '"host":"example.com","link":"http://example.com/bp","load":"0.5","status":"ok",'
                           '"task":":test","timestamp":31536038}')
    got = request("bigpanda", attrs, event, {"enabled": True, "app-key": "key", "auto-attributes": ""})
    assert got["body"] == ('{"app_key":"key","check":"id","description":"message","details":"details",'
                           '"host":"example.com","link":"http://example.com/bp","status":"ok","task":":test",'
                           '"timestamp":31536038}')


def test_bigpanda_fields_and_attributes_become_strings_and_host_always_overrides_the_tag():
    fields = {"i": 10, "s": "string", "b": True, "f": 123.45, "nl": "\n"}
    got = request("bigpanda", {"attributes": {"n": 9001.0, "list": [10, True, "string value"]}},
                  bigpanda_service_test_event(fields), {})
    body = json.loads(got["body"])
    assert {k: body[k] for k in fields} == {"i": "10", "s": "string", "b": "true", "f": "123.45", "nl": "\n"}
    assert body["n"] == "9001" and body["list"] == '[10,true,"string value"]'
    assert body["host"] == "" and body["link"] == "http://localhost/bp"  # default auto-attributes: tags,fields
    assert got["url"] == "https://api.bigpanda.io/data/v2/alerts"


def test_bigpanda_reproduces_streamer_handlers():
    settings = {"enabled": True, "app-key": "012345", "token": "testtoken1231234",
                "url": "http://127.0.0.1:9/test/bigpanda/url", "auto-attributes": ""}
    event = stream_event(event_id="kapacitor/cpu/serverA", details="https://example.org/link")
    common = {"check": "kapacitor/cpu/serverA", "status": "critical", "timestamp": YEAR_1971 + 10,
              "description": "kapacitor/cpu/serverA is CRITICAL @1971-01-01 00:00:10 +0000 UTC",
              "task": "TestStream_Alert:cpu", "details": "https://example.org/link"}
    first = request("bigpanda", {"app-key": "111111", "host": "{{.Tags.host}}", "primary-property": "host"},
                    event, settings)
    assert first["url"] == "http://127.0.0.1:9/test/bigpanda/url"
    assert first["headers"] == {"Authorization": "Bearer testtoken1231234"}
    assert json.loads(first["body"]) == {**common, "app_key": "111111", "host": "serverA", "primary_property": "host"}
    second = request("bigpanda", {"app-key": "222222", "host": "serverA-1", "secondary-property": "application"},
                     event, settings)
    assert json.loads(second["body"]) == {**common, "app_key": "222222", "host": "serverA-1",
                                          "secondary_property": "application"}
    third = request("bigpanda", {"attributes": {"x_host": "{{.Tags.host}}", "x_duration": "{{.Duration}}",
                                                "x_detail": "{{.Details}}", "x_value": "{{.Fields.count}}"}},
                    event, settings)
    assert json.loads(third["body"]) == {**common, "app_key": "012345", "host": "", "x_detail": "https://example.org/link",
                                         "x_duration": "0s", "x_host": "serverA", "x_value": "10"}


def test_bigpanda_status_details_url_override_and_templates():
    statuses = {level: json.loads(request("bigpanda", {}, stream_event(level=level), {})["body"])["status"]
                for level in ("OK", "INFO", "WARNING", "CRITICAL")}
    assert statuses == {"OK": "ok", "INFO": "ok", "WARNING": "warning", "CRITICAL": "critical"}
    # the default details (the alert's JSON, HTML-escaped) are left out; others are unescaped
    json_details = stream_event(details="{&#34;Name&#34;:&#34;cpu&#34;}")
    assert "details" not in json.loads(request("bigpanda", {}, json_details, {})["body"])
    got = request("bigpanda", {"url": "http://b.example/override"}, stream_event(details="&lt;b&gt; &amp; x"),
                  {"url": "http://b.example/config"})
    assert got["url"] == "http://b.example/override"
    assert '"details":"\\u003cb\\u003e \\u0026 x"' in got["body"]
    # a template that fails while running keeps what it wrote before (Kapacitor ignores the error)
    partial = request("bigpanda", {"host": "h-{{ .Nope }}-x"}, stream_event(), {})
    assert json.loads(partial["body"])["host"] == "h-"
    assert "unclosed action" in request("bigpanda", {"host": "{{ .Tags"}, stream_event(), {})["error"]
    assert request("bigpanda", {}, stream_event(), {"enabled": False}) == {
        "error": "service is not enabled ([bigpanda] in --config has no enabled = true) (nothing would be sent)"}


def test_a_nan_field_makes_every_service_send_nothing_as_go_json_refuses_it():
    event = stream_event(fields={"count": float("nan")})
    for kind in ("opsgenie", "opsgenie2", "alerta", "bigpanda"):
        assert request(kind, {}, event, {}) == {"error": "json: unsupported value: NaN (nothing would be sent)"}
    # an OK event to opsgenie2 carries only the note, so the data does not matter there
    assert request("opsgenie2", {}, stream_event(level="OK", fields={"count": float("nan")}), {})["body"].startswith(
        '{"note":')


# --- through the alert service and the CLI --------------------------------------------------------


def test_capture_through_handler_files_and_config_sections(tmp_path):
    capture = tmp_path / "capture.jsonl"
    config = write(tmp_path, "kapacitor.conf",
                   '[opsgenie]\nenabled = true\napi-key = "v1key"\nurl = "http://o.example/v1/json/alert"\n'
                   '[opsgenie2]\nenabled = true\napi-key = "v2key"\nurl = "http://o.example/v2/alerts"\n'
                   'recovery_action = "close"\n'
                   '[alerta]\nenabled = true\nurl = "http://a.example"\ntoken = "tok"\ntoken-prefix = "Key"\n'
                   'environment = "prod"\n'
                   '[bigpanda]\nenabled = true\nurl = "http://b.example/alerts"\napp-key = "app"\ntoken = "bp"\n')
    files = [write(tmp_path, "og.yaml", "id: og\ntopic: cpu\nkind: opsgenie\noptions:\n  teams-list: [ops]\n"),
             write(tmp_path, "og2.yaml", "id: og2\ntopic: cpu\nkind: opsgenie2\n"),
             write(tmp_path, "al.yaml", "id: al\ntopic: cpu\nkind: alerta\noptions:\n  resource: '{{ .TaskName }}'\n"
                                        "  timeout: 10m\n  attributes:\n    team: '{{ index .Tags \"host\" }}'\n"),
             write(tmp_path, "bp.yaml", "id: bp\ntopic: cpu\nkind: bigpanda\noptions:\n  host: '{{ .Tags.host }}'\n")]
    service = service_for(tmp_path, *files, capture=str(capture), config=str(config))
    crit = make_event(event_id="cpu/a", topic="cpu", message="cpu is hot", time_s=100)
    ok = make_event(event_id="cpu/a", topic="cpu", message="cpu is fine", time_s=200, level="OK",
                    previous_level="CRITICAL")
    service.handle(crit, [])
    service.handle(ok, [])
    service.close()
    records: dict[str, list] = {}
    for record in captured(capture):
        records.setdefault(record["handler"], []).append(record["request"])
    og_crit, og_ok = records["og"]
    assert og_crit["url"] == "http://o.example/v1/json/alert/" and json.loads(og_crit["body"])["apiKey"] == "v1key"
    assert json.loads(og_crit["body"])["teams"] == ["ops"]
    assert og_ok["url"] == "https://api.opsgenie.com/v1/json/alert/note/"  # recovery_url not configured
    og2_crit, og2_ok = records["og2"]
    assert og2_crit["url"] == "http://o.example/v2/alerts" and og2_crit["headers"] == {"Authorization": "GenieKey v2key"}
    assert og2_ok["url"] == "http://o.example/v2/alerts/Y3B1L2E=/close?identifierType=alias"
    assert og2_ok["body"] == '{"note":"cpu is fine"}\n'
    al_crit, al_ok = records["al"]
    assert al_crit["url"] == "http://a.example/alert" and al_crit["headers"] == {"Authorization": "Key tok"}
    body = json.loads(al_crit["body"])
    assert (body["resource"], body["environment"], body["timeout"], body["attributes"]) == (
        "task", "prod", 600, {"team": "a"})
    assert json.loads(al_ok["body"])["severity"] == "ok"
    bp_crit, bp_ok = records["bp"]
    assert bp_crit["url"] == "http://b.example/alerts" and bp_crit["headers"] == {"Authorization": "Bearer bp"}
    assert json.loads(bp_crit["body"])["host"] == "a" and json.loads(bp_crit["body"])["app_key"] == "app"
    assert json.loads(bp_ok["body"])["status"] == "ok" and not bp_ok["body"].endswith("\n")


STREAMER_SCRIPT = STREAMER_HEAD + """    |alert()
        .id('{{ index .Tags "host" }}')
        .message('kapacitor/{{ .Name }}/{{ index .Tags "host" }} is {{ .Level }} @{{.Time}}')
        .info(lambda: "count" > 6.0)
        .warn(lambda: "count" > 7.0)
        .crit(lambda: "count" > 8.0)
        .alerta()
            .token('testtoken1234567')
            .environment('production')
            .timeout(1h)
            .resource('')
        .alerta()
            .token('anothertesttoken')
            .resource('resource: {{ index .Tags "host" }}')
            .event('event: {{ .TaskName }}')
            .environment('{{ index .Tags "host" }}')
            .origin('override')
            .group('{{ .ID }}')
            .value('{{ index .Fields "count" }}')
            .services('ignored')
            .services('serviceA', 'serviceB', '{{ .Name }}')
            .correlated('{{ .Name }}')
            .attribute('attributeA', '{{ .Name }}')
            .attribute('attributeB', TRUE)
            .attribute('attributeC', 9001.0)
        .opsGenie2()
            .teams('replaced')
            .teams('test_team', 'another_team')
            .recipients('test_recipient')
            .recoveryAction('close')
            .details()
        .bigPanda()
            .appKey('111111')
            .host('{{.Tags.host}}')
            .primaryProperty('host')
            .attribute('x_value', '{{.Fields.count}}')
"""


def test_capture_through_a_script_maps_handler_properties(tmp_path):
    points = "".join(f"cpu,host=serverA value={i} {YEAR_1971 + i}\n" for i in range(11))
    config = ('[alerta]\nenabled = true\nurl = "http://a.example"\norigin = "Kapacitor"\n'
              '[opsgenie2]\nenabled = true\nurl = "http://o.example"\napi-key = "api_key"\n'
              '[bigpanda]\nenabled = true\nurl = "http://b.example/url"\ntoken = "t"\nauto-attributes = ""\n')
    by_kind: dict[str, list] = {}
    for record in run_capturing(tmp_path, STREAMER_SCRIPT, points, config, "--precision", "s",
                                script_name="TestStream_Alert.tick"):
        by_kind.setdefault(record["kind"], []).append(record["request"])
    text = "kapacitor/cpu/serverA is CRITICAL @1971-01-01 00:00:10 +0000 UTC"
    first, second = sorted(by_kind["alerta"], key=lambda r: r["headers"]["Authorization"])
    assert first["headers"] == {"Authorization": "Bearer anothertesttoken"}
    body = json.loads(second["body"])
    assert second["headers"] == {"Authorization": "Bearer testtoken1234567"} and second["url"] == "http://a.example/alert"
    assert (body["resource"], body["event"], body["group"], body["environment"], body["text"], body["origin"],
            body["timeout"], body["service"]) == ("cpu", "serverA", "host=serverA", "production", text, "Kapacitor",
                                                  3600, ["cpu"])
    body = json.loads(first["body"])
    assert (body["resource"], body["event"], body["group"], body["environment"], body["origin"], body["value"],
            body["service"], body["correlate"], body["attributes"], body["timeout"]) == (
        "resource: serverA", "event: TestStream_Alert", "serverA", "serverA", "override", "10",
        ["serviceA", "serviceB", "cpu"], ["cpu"], {"attributeA": "cpu", "attributeB": True, "attributeC": 9001}, 86400)
    [og2] = by_kind["opsgenie2"]
    body = json.loads(og2["body"])
    assert og2["url"] == "http://o.example" and body["alias"] == base64.urlsafe_b64encode(b"serverA").decode()
    assert body["responders"] == [{"name": "test_team", "type": "team"}, {"name": "another_team", "type": "team"},
                                  {"username": "test_recipient", "type": "user"}]
    assert json.loads(body["description"]) == STREAM_RESULT  # .details() is not passed to the handler
    [bp] = by_kind["bigpanda"]
    assert json.loads(bp["body"]) == {"check": "serverA", "description": text, "app_key": "111111",
                                      "status": "critical", "host": "serverA", "timestamp": YEAR_1971 + 10,
                                      "task": "TestStream_Alert:cpu", "primary_property": "host", "x_value": "10"}

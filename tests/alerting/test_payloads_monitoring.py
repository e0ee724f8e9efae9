"""What the sensu, servicenow, zenoss and snmptrap handlers would send (the capture sink's
"request"), checked against Kapacitor's own expectations: server/server_test.go
TestServer_AlertHandlers and integrations/streamer_test.go TestStream_Alert{Sensu,ServiceNow,
Zenoss,Zenoss_Custom,SNMPTrap}."""

from __future__ import annotations

import base64
import json

from tests.alerting.capturing import captured, run_capturing, service_for, write
from tests.alerting.events import SECOND, make_event
from tickpy.alerting.payloads import service_request
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.alert_wire import alert_data_json

YEAR_1971_S = 365 * 86400  # the streamer tests' points are at 1971-01-01T00:00:00Z + n s


def event_of(event_id="id", message="message", details="details", level="CRITICAL", time_s=0, tags=None,
             fields=None, name="alert", task="testAlertHandlers", duration_s=0):
    """An alert like Kapacitor's test alerts: TestServer_AlertHandlers uses id "id", message
    "message", details "details" at 1970-01-01."""
    tags = {} if tags is None else tags
    fields = {"value": 1.0} if fields is None else fields
    columns = ["time", *fields]
    event = AlertEvent(
        id=event_id, message=message, details=details, time_ns=time_s * SECOND, duration_ns=duration_s * SECOND,
        level=level, previous_level="OK", name=name, task_name=task,
        group=",".join(f"{k}={v}" for k, v in sorted(tags.items())), tags=dict(tags), fields=dict(fields),
        recoverable=True, result={"series": [{"name": name, "tags": dict(tags), "columns": columns,
                                              "values": [[time_s * SECOND, *fields.values()]]}]})
    event.wire = alert_data_json(event)
    return event


def request(kind, options, event=None, settings=None):
    return service_request(kind, options, event or event_of(), None, settings or {})


def not_sent(result) -> str:
    assert set(result) == {"error"}, result
    assert result["error"].endswith("(nothing would be sent)")
    return result["error"]


# --- sensu -------------------------------------------------------------------------------------

SENSU_ON = {"enabled": True, "addr": "sensu.example.com:3030", "source": "Kapacitor"}


def test_sensu_server_test_case():
    got = request("sensu", {"source": "Kapacitor", "metadata": {"k1": "v1", "k2": 5}}, settings=SENSU_ON)
    assert got["network"] == "tcp" and got["address"] == "sensu.example.com:3030"
    assert json.loads(got["body"]) == {"name": "id", "source": "Kapacitor", "output": "message", "status": 2,
                                       "handlers": None, "k1": "v1", "k2": 5}
    # json.NewEncoder(conn).Encode of a Go map: keys sorted, compact, one trailing newline
    assert got["body"] == ('{"handlers":null,"k1":"v1","k2":5,"name":"id","output":"message",'
                           '"source":"Kapacitor","status":2}\n')


def test_sensu_stream_test_case():
    event = event_of("kapacitor.cpu.serverA", "kapacitor.cpu.serverA is CRITICAL", name="cpu",
                     tags={"host": "serverA"}, time_s=YEAR_1971_S + 10)
    got = request("sensu", {"metadata": {"k1": "v1", "k2": 5}}, event, SENSU_ON)
    assert json.loads(got["body"]) == {"name": "kapacitor.cpu.serverA", "source": "Kapacitor",
                                       "output": "kapacitor.cpu.serverA is CRITICAL", "status": 2,
                                       "handlers": None, "k1": "v1", "k2": 5}


def test_sensu_status_follows_the_level():
    statuses = {level: json.loads(request("sensu", {}, event_of(level=level), SENSU_ON)["body"])["status"]
                for level in ("OK", "INFO", "WARNING", "CRITICAL")}
    assert statuses == {"OK": 0, "INFO": 0, "WARNING": 1, "CRITICAL": 2}


def test_sensu_refuses_check_names_outside_its_pattern():
    # ^[\w\.-]+$ in Go: ASCII word characters only, and $ does not match before a final newline
    for bad in ("cpu:host=a", "kapacitor/cpu", "a b", "caf\u00e9", "ok\n", ""):
        error = not_sent(request("sensu", {}, event_of(bad), SENSU_ON))
        assert error.startswith("invalid name ") and "for sensu alert. Must match ^[\\w\\.-]+$" in error
    assert 'invalid name "ok\\n"' in not_sent(request("sensu", {}, event_of("ok\n"), SENSU_ON))
    assert "body" in request("sensu", {}, event_of("Kapacitor_cpu-1.a"), SENSU_ON)


def test_sensu_source_is_a_template_with_the_config_source_as_fallback():
    event = event_of("cpu", tags={"host": "web1"})
    body = json.loads(request("sensu", {"source": '{{ index .Tags "host" }}-{{ .TaskName }}'}, event,
                              SENSU_ON)["body"])
    assert body["source"] == "web1-testAlertHandlers"
    assert json.loads(request("sensu", {}, event, {**SENSU_ON, "source": "from-config"})["body"])["source"] == \
        "from-config"
    # no section in --config: Kapacitor's default source
    assert json.loads(request("sensu", {}, event)["body"])["source"] == "Kapacitor"
    # a template that fails to execute: Kapacitor logs it and sends nothing
    assert "nothing would be sent" in not_sent(request("sensu", {"source": "{{ .Nope }}"}, event, SENSU_ON))


def test_sensu_handlers_and_metadata():
    settings = {**SENSU_ON, "handlers": ["sns", "slack"]}
    assert json.loads(request("sensu", {}, settings=settings)["body"])["handlers"] == ["sns", "slack"]
    assert json.loads(request("sensu", {"handlers": []}, settings=settings)["body"])["handlers"] == ["sns", "slack"]
    assert json.loads(request("sensu", {"handlers": ["pd"]}, settings=settings)["body"])["handlers"] == ["pd"]
    # metadata never replaces the check's own keys
    body = json.loads(request("sensu", {"metadata": {"status": 9, "name": "x", "extra": [1, "a"]}},
                              settings=SENSU_ON)["body"])
    assert body["status"] == 2 and body["name"] == "id" and body["extra"] == [1, "a"]


def test_sensu_body_is_go_json_with_html_escaping():
    got = request("sensu", {}, event_of("a", message="<b>&\u2028</b>"), SENSU_ON)
    assert '"output":"\\u003cb\\u003e\\u0026\\u2028\\u003c/b\\u003e"' in got["body"]


def test_sensu_section_without_enabled_or_address_sends_nothing():
    assert not_sent(request("sensu", {}, settings={"addr": "h:1"})) == (
        "service is not enabled ([sensu] in --config has no enabled = true) (nothing would be sent)")
    assert "must specify client address" in not_sent(request("sensu", {}, settings={"enabled": True}))


# --- servicenow --------------------------------------------------------------------------------

SERVICENOW_ON = {"enabled": True, "url": "http://127.0.0.1:9/api/global/em/jsonv2", "source": "Kapacitor"}


def test_servicenow_server_test_case():
    got = request("servicenow", {"source": "Kapacitor"}, settings=SERVICENOW_ON)
    assert got["method"] == "POST" and got["url"] == "http://127.0.0.1:9/api/global/em/jsonv2"
    assert got["content_type"] == "application/json" and "headers" not in got
    assert json.loads(got["body"]) == {"records": [{"source": "Kapacitor", "severity": "1", "description": "message",
                                                    "message_key": "id"}]}
    # json.Marshal of the Events struct: field order, omitempty, no trailing newline
    assert got["body"] == ('{"records":[{"source":"Kapacitor","message_key":"id","severity":"1",'
                           '"description":"message"}]}')


def test_servicenow_stream_test_case():
    event = event_of("kapacitor/cpu/serverA", "kapacitor/cpu/serverA is CRITICAL", name="cpu",
                     tags={"host": "serverA", "type": "idle"}, fields={"mean": 91.0}, time_s=YEAR_1971_S + 10)
    options = {"node": '{{ index .Tags "host" }}', "type": "CPU", "resource": "CPU-Total",
               "metricname": '{{ index .Tags "type" }}', "messagekey": "Alert: {{ .ID }}",
               "additional_info": {"link": "http://push/alert?id={{ .ID }}", "ticks": 666}}
    [record] = json.loads(request("servicenow", options, event, SERVICENOW_ON)["body"])["records"]
    assert record == {"source": "Kapacitor", "node": "serverA", "type": "CPU", "resource": "CPU-Total",
                      "metric_name": "idle", "message_key": "Alert: kapacitor/cpu/serverA", "severity": "1",
                      "description": "kapacitor/cpu/serverA is CRITICAL",
                      "additional_info": "{\"link\":\"http://push/alert?id=kapacitor/cpu/serverA\",\"ticks\":\"666\"}"}
    [plain] = json.loads(request("servicenow", {}, event, SERVICENOW_ON)["body"])["records"]
    assert plain == {"source": "Kapacitor", "message_key": "kapacitor/cpu/serverA", "severity": "1",
                     "description": "kapacitor/cpu/serverA is CRITICAL"}


def test_servicenow_severity_follows_the_level():
    severities = {level: json.loads(request("servicenow", {}, event_of(level=level), SERVICENOW_ON)["body"])
                  ["records"][0]["severity"] for level in ("OK", "INFO", "WARNING", "CRITICAL")}
    assert severities == {"OK": "5", "INFO": "5", "WARNING": "4", "CRITICAL": "1"}


def test_servicenow_basic_auth_comes_from_the_config_only():
    settings = {**SERVICENOW_ON, "username": "kapa", "password": "s\u00e9cret"}
    got = request("servicenow", {"username": "other", "password": "ignored"}, settings=settings)
    assert got["headers"] == {"Authorization": "Basic " + base64.b64encode("kapa:s\u00e9cret".encode()).decode()}
    # both are needed; the handler's own username/password options are never used by Kapacitor
    assert "headers" not in request("servicenow", {"username": "u", "password": "p"},
                                    settings={**SERVICENOW_ON, "username": "kapa"})


def test_servicenow_url_and_source_options_override_the_config():
    got = request("servicenow", {"url": "https://other.example/api", "source": "mine"}, settings=SERVICENOW_ON)
    assert got["url"] == "https://other.example/api"
    assert json.loads(got["body"])["records"][0]["source"] == "mine"
    defaults = request("servicenow", {})
    assert defaults["url"] == "https://instance.service-now.com/api/global/em/jsonv2"
    assert json.loads(defaults["body"])["records"][0]["source"] == ""  # not omitempty
    assert not_sent(request("servicenow", {}, settings={"url": "x"})).startswith("service is not enabled")
    assert "must specify events URL" in not_sent(request("servicenow", {}, settings={"enabled": True, "url": ""}))
    assert request("servicenow", {}, settings={"enabled": True})["url"] == defaults["url"]


def test_servicenow_templates_keep_the_text_before_an_execution_error():
    # servicenow's templates see {ID, Name, TaskName, Fields, Tags}: .Message is not there, and
    # Kapacitor ignores the execution error, keeping what was written before it
    event = event_of("cpu", fields={"usage": 97.5}, tags={"host": "h"})
    options = {"node": "{{ .ID }}-{{ .Message }}-after", "resource": '{{ index .Fields "usage" }}'}
    [record] = json.loads(request("servicenow", options, event, SERVICENOW_ON)["body"])["records"]
    assert record["node"] == "cpu-" and record["resource"] == "97.5"
    # a template that does not parse: nothing is sent
    assert "nothing would be sent" in not_sent(request("servicenow", {"node": "{{ .ID "}, event, SERVICENOW_ON))


def test_servicenow_cuts_fields_by_bytes_as_go_slices_strings():
    source = "a" * 99 + "\u00e9"  # 101 bytes: the cut at 100 splits the last character
    got = request("servicenow", {"source": source}, event_of(message="m" * 4100), SERVICENOW_ON)
    record = json.loads(got["body"])["records"][0]
    assert record["source"] == "a" * 99 + "\ufffd"  # json.Marshal writes the stray byte as U+FFFD
    assert '"' + "a" * 99 + '\\ufffd"' in got["body"]
    assert record["description"] == "m" * 4000


def test_servicenow_additional_info_is_a_json_string_of_strings():
    info = {"int": 666, "float": 1.5, "big": 1e21, "flag": True, "html": "<a&b>", "list": [1, "x"]}
    got = request("servicenow", {"additional_info": info}, settings=SERVICENOW_ON)
    text = json.loads(got["body"])["records"][0]["additional_info"]
    assert json.loads(text) == {"big": "1e+21", "flag": "true", "float": "1.5", "html": "<a&b>", "int": "666",
                                "list": "[1 x]"}
    # the inner json.Marshal escapes HTML, the outer one then escapes that backslash
    assert '\\"html\\":\\"\\\\u003ca\\\\u0026b\\\\u003e\\"' in got["body"]
    assert list(json.loads(text)) == sorted(info)  # a Go map: keys sorted


# --- zenoss ------------------------------------------------------------------------------------

ZENOSS_ON = {"enabled": True, "url": "http://127.0.0.1:9/zport/dmd/evconsole_router", "collector": ""}


def test_zenoss_server_test_case():
    got = request("zenoss", {"action": "EventsRouter", "method": "add_event", "type": "rpc", "tid": 1},
                  settings=ZENOSS_ON)
    assert got["url"] == "http://127.0.0.1:9/zport/dmd/evconsole_router" and "headers" not in got
    assert json.loads(got["body"]) == {
        "action": "EventsRouter", "method": "add_event", "type": "rpc", "tid": 1,
        "data": [{"component": "", "device": "", "evclass": "", "evclasskey": "", "severity": "Critical",
                  "summary": "message"}]}
    # the Event struct in field order, its data a map (keys sorted), json.Marshal: no newline
    assert got["body"] == ('{"action":"EventsRouter","method":"add_event","data":[{"component":"","device":"",'
                           '"evclass":"","evclasskey":"","severity":"Critical","summary":"message"}],'
                           '"type":"rpc","tid":1}')


def test_zenoss_stream_test_case():
    event = event_of("kapacitor/cpu/serverA", "kapacitor/cpu/serverA is CRITICAL", name="cpu",
                     tags={"host": "serverA", "type": "idle"}, time_s=YEAR_1971_S + 10)
    got = request("zenoss", {"device": "#DEVICE001", "component": "CPU", "eventclass": "/App"}, event, ZENOSS_ON)
    assert json.loads(got["body"]) == {
        "action": "EventsRouter", "method": "add_event", "type": "rpc", "tid": 1,
        "data": [{"summary": "kapacitor/cpu/serverA is CRITICAL", "device": "#DEVICE001", "component": "CPU",
                  "severity": "Critical", "evclasskey": "", "evclass": "/App"}]}


def test_zenoss_custom_stream_test_case():
    event = event_of("kapacitor/cpu/serverA", "kapacitor/cpu/serverA is CRITICAL", name="cpu",
                     tags={"host": "serverA", "type": "idle"}, time_s=YEAR_1971_S + 10)
    data_template = ('{"id":"{{.ID}}","message":"{{.Message}}","time":"{{.Time}}","duration":"{{ .Duration}}",'
                     '"level":"{{.Level}}","recoverable":{{.Recoverable}}}')
    options = {"action": "ScriptsRouter", "method": "kapa_handler", "eventclass": "/App",
               "message": "This is message for alert {{ .ID }}", "collector": '{{ index .Tags "host" }}',
               "customField": {"data": data_template, "ticks": 33}}
    settings = {"enabled": True, "url": "http://127.0.0.1:9/zport/dmd/evconsole_router",
                "severity-map": {"OK": 0, "Info": 2, "Warning": 3, "Critical": 5}}
    got = request("zenoss", options, event, settings)
    assert json.loads(got["body"]) == {
        "action": "ScriptsRouter", "method": "kapa_handler", "type": "rpc", "tid": 1,
        "data": [{"summary": "kapacitor/cpu/serverA is CRITICAL", "device": "", "component": "", "severity": 5,
                  "evclasskey": "", "evclass": "/App", "collector": "serverA",
                  "message": "This is message for alert kapacitor/cpu/serverA",
                  "data": {"id": "kapacitor/cpu/serverA", "level": "CRITICAL",
                           "message": "kapacitor/cpu/serverA is CRITICAL", "time": "1971-01-01 00:00:10 +0000 UTC",
                           "duration": "0s", "recoverable": True},
                  "ticks": 33}]}
    # the parsed custom JSON is re-marshalled as a Go map: keys sorted
    assert '"data":{"duration":"0s","id":"kapacitor/cpu/serverA","level":"CRITICAL",' in got["body"]


def test_zenoss_severity_map_and_defaults():
    severities = {level: json.loads(request("zenoss", {}, event_of(level=level), ZENOSS_ON)["body"])
                  ["data"][0]["severity"] for level in ("OK", "INFO", "WARNING", "CRITICAL")}
    assert severities == {"OK": "Clear", "INFO": "Info", "WARNING": "Warning", "CRITICAL": "Critical"}
    partial = {**ZENOSS_ON, "severity-map": {"warning": 3.5}}  # a partial table keeps the other defaults
    assert json.loads(request("zenoss", {}, event_of(level="WARNING"), partial)["body"])["data"][0]["severity"] == 3.5
    assert json.loads(request("zenoss", {}, event_of(level="OK"), partial)["body"])["data"][0]["severity"] == "Clear"
    defaults = request("zenoss", {})
    assert defaults["url"] == "https://tenant.zenoss.io:8080/zport/dmd/evconsole_router"
    body = json.loads(defaults["body"])
    assert (body["action"], body["method"], body["type"], body["tid"]) == ("EventsRouter", "add_event", "rpc", 1)
    assert body["data"][0]["collector"] == "Kapacitor"


def test_zenoss_options_override_the_config():
    settings = {**ZENOSS_ON, "action": "A", "method": "M", "type": "T", "tid": 9, "collector": "C"}
    body = json.loads(request("zenoss", {}, settings=settings)["body"])
    assert (body["action"], body["method"], body["type"], body["tid"], body["data"][0]["collector"]) == \
        ("A", "M", "T", 9, "C")
    body = json.loads(request("zenoss", {"action": "a", "method": "m", "type": "t", "tid": 2,
                                         "collector": "c"}, settings=settings)["body"])
    assert (body["action"], body["method"], body["type"], body["tid"], body["data"][0]["collector"]) == \
        ("a", "m", "t", 2, "c")


def test_zenoss_basic_auth_and_disabled_section():
    got = request("zenoss", {}, settings={**ZENOSS_ON, "username": "zu", "password": "zp"})
    assert got["headers"] == {"Authorization": "Basic " + base64.b64encode(b"zu:zp").decode()}
    assert not_sent(request("zenoss", {}, settings={"url": "http://z"})).startswith("service is not enabled")
    assert "must specify events URL" in not_sent(request("zenoss", {}, settings={"enabled": True, "url": ""}))


def test_zenoss_custom_fields_parse_json_or_stay_text_and_may_replace_standard_fields():
    custom = {"bad": "{not json", "list": "[1, 2.5, 1e3]", "summary": "custom {{ .ID }}", "html": "<&>",
              "nested": {"a": [True, None]}}
    got = request("zenoss", {"customField": custom}, settings=ZENOSS_ON)
    data = json.loads(got["body"])["data"][0]
    assert data["bad"] == "{not json" and data["list"] == [1, 2.5, 1000] and data["summary"] == "custom id"
    assert data["nested"] == {"a": [True, None]} and data["html"] == "<&>"
    assert '"list":[1,2.5,1000]' in got["body"] and '"html":"\\u003c\\u0026\\u003e"' in got["body"]


def test_zenoss_templates_see_their_own_struct_and_ignore_execution_errors():
    event = event_of("cpu", details="d", tags={"host": "h"}, duration_s=90)
    options = {"summary": "{{ .Level }} {{ .Duration }} {{ .Details }} {{ .Nope }} lost",
               "device": '{{ index .Tags "host" }}', "message": "{{ .Recoverable }}"}
    data = json.loads(request("zenoss", options, event, ZENOSS_ON)["body"])["data"][0]
    assert data["summary"] == "CRITICAL 1m30s d " and data["device"] == "h" and data["message"] == "true"
    assert "nothing would be sent" in not_sent(request("zenoss", {"device": "{{ if }}"}, event, ZENOSS_ON))


def test_zenoss_cuts_summary_at_256_bytes():
    data = json.loads(request("zenoss", {}, event_of(message="x" * 300), ZENOSS_ON)["body"])["data"][0]
    assert data["summary"] == "x" * 256
    # a cut through a character: Kapacitor's JSON round trip of the event data turns the stray
    # byte into a real U+FFFD, written as is (where servicenow's single Marshal writes \ufffd)
    body = request("zenoss", {}, event_of(message="x" * 255 + "\u00e9"), ZENOSS_ON)["body"]
    assert '"summary":"' + "x" * 255 + '\ufffd"' in body and "\\ufffd" not in body


# --- snmptrap ----------------------------------------------------------------------------------

SNMP_ON = {"enabled": True, "addr": "127.0.0.1:9162", "community": "public", "retries": 3}
UPTIME = {"oid": "1.3.6.1.2.1.1.3.0", "type": "TimeTicks", "value": "1000"}


def trap_oid_bind(oid):
    return {"oid": "1.3.6.1.6.3.1.1.4.1.0", "type": "Oid", "value": oid}


def test_snmptrap_server_test_case():
    options = {"trap-oid": "1.1.2", "data-list": [{"oid": "1.1.2.1", "type": "s", "value": "{{.Message}}"},
                                                  {"oid": "1.1.2.2", "type": "s", "value": "{{.Level}}"}]}
    got = request("snmptrap", options, settings=SNMP_ON)
    assert got == {"network": "udp", "address": "127.0.0.1:9162", "version": "2c", "community": "public",
                   "pdu": "SNMPv2-Trap", "trap_oid": "1.1.2",
                   "varbinds": [UPTIME, trap_oid_bind("1.1.2"),
                                {"oid": "1.1.2.1", "type": "OctetString", "value": "message"},
                                {"oid": "1.1.2.2", "type": "OctetString", "value": "CRITICAL"}]}


def test_snmptrap_stream_test_case():
    event = event_of("kapacitor/cpu/serverA", "kapacitor/cpu/serverA is CRITICAL", details="here/cpu",
                     name="cpu", tags={"host": "serverA"}, time_s=YEAR_1971_S + 10)
    first = request("snmptrap", {"trap-oid": "1.1.1", "data-list": [
        {"oid": "1.1.1.2", "type": "c", "value": "1"}, {"oid": "1.1.1.2", "type": "s", "value": "SNMP ALERT"},
        {"oid": "1.1.1.2", "type": "s", "value": "{{.Message}}"}]}, event, SNMP_ON)
    assert first["varbinds"] == [UPTIME, trap_oid_bind("1.1.1"),
                                 {"oid": "1.1.1.2", "type": "Counter64", "value": "1"},
                                 {"oid": "1.1.1.2", "type": "OctetString", "value": "SNMP ALERT"},
                                 {"oid": "1.1.1.2", "type": "OctetString",
                                  "value": "kapacitor/cpu/serverA is CRITICAL"}]
    second = request("snmptrap", {"trap-oid": "1.1.2", "data-list": [
        {"oid": "1.1.2.3", "type": "i", "value": "10"}, {"oid": "1.1.2.3", "type": "n", "value": ""},
        {"oid": "1.1.2.3", "type": "t", "value": "20000"},
        {"oid": "1.1.2.3", "type": "s", "value": "{{ .Details }}"}]}, event, SNMP_ON)
    assert second["varbinds"] == [UPTIME, trap_oid_bind("1.1.2"),
                                  {"oid": "1.1.2.3", "type": "Integer", "value": "10"},
                                  {"oid": "1.1.2.3", "type": "Null", "value": ""},
                                  {"oid": "1.1.2.3", "type": "TimeTicks", "value": "20000"},
                                  {"oid": "1.1.2.3", "type": "OctetString", "value": "here/cpu"}]


def test_snmptrap_defaults_and_disabled_section():
    got = request("snmptrap", {"trap-oid": "1.3.6.1.4.1.1"})
    assert (got["address"], got["community"], got["version"]) == ("localhost:162", "kapacitor", "2c")
    assert got["varbinds"] == [UPTIME, trap_oid_bind("1.3.6.1.4.1.1")]
    assert not_sent(request("snmptrap", {"trap-oid": "1.1"}, settings={"addr": "h:162"})).startswith(
        "service is not enabled")
    assert "must specify addr" in not_sent(request("snmptrap", {"trap-oid": "1.1"},
                                                   settings={"enabled": True, "addr": ""}))
    assert request("snmptrap", {"trap-oid": "1.1"}, settings={"enabled": True})["address"] == "localhost:162"


def test_snmptrap_octets_that_are_not_utf8_are_shown_in_hex_too():
    broken = "ok\udce9"  # the byte 0xe9 alone, as a cut through a character leaves it
    data = [{"oid": "1.1.1", "type": "s", "value": "{{ .Message }}"}]
    got = request("snmptrap", {"trap-oid": "1.1", "data-list": data}, event_of(message=broken), SNMP_ON)
    assert got["varbinds"][2] == {"oid": "1.1.1", "type": "OctetString", "value": "ok\ufffd", "hex": "6f:6b:e9"}
    json.dumps(got, ensure_ascii=False).encode("utf-8")  # the capture file can hold it


def test_snmptrap_integers_wrap_as_go_converts_them():
    got = request("snmptrap", {"trap-oid": "1.1", "data-list": [
        {"oid": "1.1.1", "type": "i", "value": "4294967295"}, {"oid": "1.1.2", "type": "t", "value": "-1"},
        {"oid": "1.1.3", "type": "c", "value": "-1"}, {"oid": "1.1.4", "type": "i", "value": "+7"}]}, settings=SNMP_ON)
    assert [b["value"] for b in got["varbinds"][2:]] == ["-1", "4294967295", "18446744073709551615", "7"]


def test_snmptrap_oids_are_normalised_or_refused_as_snmpgo_does():
    got = request("snmptrap", {"trap-oid": ".1.3.06", "data-list": [{"oid": "+1.3.0", "type": "n"}]},
                  settings=SNMP_ON)
    assert got["trap_oid"] == "1.3.6" and got["varbinds"][2]["oid"] == "1.3.0"
    cases = {"3.1": "The first sub-identifier is range 0..2",
             "1.40": "The second sub-identifier is range 0..39",
             "1": "The first and second sub-identifier is required",
             "": "The first and second sub-identifier is required",
             "1.x": "The sub-identifiers is range 0..4294967295",
             "1.2.": "The sub-identifiers is range 0..4294967295",
             "1.4294967296": "The sub-identifiers is range 0..4294967295",
             "1.1_0": "The sub-identifiers is range 0..4294967295",
             ".".join(["1"] * 129): "The sub-identifiers in an OID is up to 128"}
    for oid, message in cases.items():
        error = not_sent(request("snmptrap", {"trap-oid": oid}, settings=SNMP_ON))
        assert error == f'invalid trap Oid "{oid}": {message}, value `{oid}` (nothing would be sent)'
    error = not_sent(request("snmptrap", {"trap-oid": "1.1", "data-list": [{"oid": "9", "type": "s"}]},
                             settings=SNMP_ON))
    assert error.startswith('invalid data Oid "9": The first sub-identifier is range 0..2')


def test_snmptrap_refused_data_sends_nothing():
    def error_for(item):
        return not_sent(request("snmptrap", {"trap-oid": "1.1", "data-list": [
            {"oid": "1.1.1", "type": "s", "value": "fine"}, item]}, settings=SNMP_ON))

    assert error_for({"oid": "1.1", "type": "a", "value": "10.0.0.1"}).startswith(
        "Snmptrap Datatype 'IP address' not supported")
    assert error_for({"oid": "1.1", "type": "x", "value": "ff"}).startswith(
        "Snmptrap Datatype 'Hexadecimal string' not supported")
    assert error_for({"oid": "1.1", "type": "Z", "value": ""}).startswith("Snmptrap Datatype not known: Z")
    assert error_for({"oid": "1.1", "type": "i", "value": " 1"}).startswith(
        'strconv.ParseInt: parsing " 1": invalid syntax')
    assert error_for({"oid": "1.1", "type": "c", "value": "9223372036854775808"}).startswith(
        'strconv.ParseInt: parsing "9223372036854775808": value out of range')
    assert error_for({"oid": "1.1", "type": "c", "value": "{{ .Nope }}"})  # execution fails first
    # an integer rendered from the event's fields
    event = event_of(fields={"n": 42})
    got = request("snmptrap", {"trap-oid": "1.1", "data-list": [
        {"oid": "1.1.1", "type": "i", "value": '{{ index .Fields "n" }}'}]}, event, SNMP_ON)
    assert got["varbinds"][2] == {"oid": "1.1.1", "type": "Integer", "value": "42"}


# --- through the alert service and the CLI ------------------------------------------------------


def test_capture_of_handler_files_with_config_sections(tmp_path):
    capture = tmp_path / "capture.jsonl"
    config = write(tmp_path, "kapacitor.conf",
                   '[sensu]\nenabled = true\naddr = "sensu.example.com:3030"\nhandlers = ["sns"]\n'
                   '[servicenow]\nenabled = true\nurl = "https://sn.example/api/global/em/jsonv2"\n'
                   'username = "sn"\npassword = "pw"\n'
                   '[zenoss]\nenabled = true\nurl = "https://z.example/zport/dmd/evconsole_router"\n'
                   '[zenoss.severity-map]\nOK = 0\nInfo = 2\nWarning = 3\nCritical = 5\n'
                   '[snmptrap]\nenabled = true\naddr = "traps.example.com:162"\ncommunity = "public"\n')
    files = [
        write(tmp_path, "sensu.yaml", "id: s\ntopic: cpu\nkind: sensu\noptions:\n  source: '{{ .TaskName }}'\n"
                                      "  metadata:\n    team: ops\n"),
        write(tmp_path, "sn.yaml", "id: sn\ntopic: cpu\nkind: servicenow\noptions:\n"
                                   "  node: '{{ index .Tags \"host\" }}'\n"),
        write(tmp_path, "z.yaml", "id: z\ntopic: cpu\nkind: zenoss\noptions:\n  TID: 4\n  device: dev\n"),
        write(tmp_path, "trap.yaml", "id: t\ntopic: cpu\nkind: snmptrap\noptions:\n  trap-oid: 1.3.6.1.4.1.1\n"
                                     "  data-list:\n    - oid: 1.3.6.1.4.1.1.5\n      type: s\n"
                                     "      value: '{{ .Level }}'\n"),
    ]
    service = service_for(tmp_path, *files, capture=str(capture), config=str(config))
    event = make_event(event_id="cpu.a", topic="cpu", level="WARNING", message="cpu is warm", task="load")
    service.handle(event, [])
    service.close()
    records = {r["kind"]: r for r in captured(capture)}
    assert set(records) == {"sensu", "servicenow", "zenoss", "snmptrap"}
    sensu = records["sensu"]["request"]
    assert sensu["address"] == "sensu.example.com:3030"
    assert json.loads(sensu["body"]) == {"name": "cpu.a", "source": "load", "output": "cpu is warm", "status": 1,
                                         "handlers": ["sns"], "team": "ops"}
    servicenow = records["servicenow"]["request"]
    assert servicenow["url"] == "https://sn.example/api/global/em/jsonv2"
    assert servicenow["headers"]["Authorization"] == "Basic " + base64.b64encode(b"sn:pw").decode()
    assert json.loads(servicenow["body"])["records"] == [{"source": "", "node": "a", "message_key": "cpu.a",
                                                          "severity": "4", "description": "cpu is warm"}]
    zenoss = json.loads(records["zenoss"]["request"]["body"])
    assert zenoss["tid"] == 4 and zenoss["data"][0]["severity"] == 3 and zenoss["data"][0]["device"] == "dev"
    trap = records["snmptrap"]["request"]
    assert (trap["address"], trap["community"]) == ("traps.example.com:162", "public")
    assert trap["varbinds"][1:] == [trap_oid_bind("1.3.6.1.4.1.1"),
                                    {"oid": "1.3.6.1.4.1.1.5", "type": "OctetString", "value": "WARNING"}]


SCRIPT = """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |alert()
        .id('kapacitor.{{ .Name }}.{{ index .Tags "host" }}')
        .crit(lambda: "value" > 8.0)
        .details('{{ "here" }}/{{ .Name }}')
        .sensu()
            .handlers('replaced')  // Kapacitor's .handlers() replaces the list of an earlier call
            .handlers('sns', 'slack')
            .metadata('k1', 'v1')
            .metadata('k2', 5)
        .serviceNow()
            .node('{{ index .Tags "host" }}')
            .metricName('m')
            .messageKey('Alert: {{ .ID }}')
            .additionalInfo('ticks', 666)
        .zenoss()
            .eventClass('/App')
            .eventClassKey('key')
            .customField('ticks', 33)
            .tid(7)
        .snmpTrap('1.1.1')
            .data('1.1.1.2', 'c', '1')
            .data('1.1.1.3', 's', '{{ .Details }}')
"""


def test_tick_script_properties_reach_the_captured_requests(tmp_path, cli):
    script = write(tmp_path, "mon.tick", SCRIPT)
    config = write(tmp_path, "k.conf", '[sensu]\nenabled = true\naddr = "sensu:3030"\n')
    capture = tmp_path / "capture.jsonl"
    run = cli("run", script, "--config", config, "--capture", capture, stdin="cpu,host=serverA value=9 10000000000\n")
    assert run.returncode == 0, run.stderr
    records = {r["kind"]: r["request"] for r in captured(capture)}
    assert json.loads(records["sensu"]["body"]) == {
        "name": "kapacitor.cpu.serverA", "source": "Kapacitor", "output": "kapacitor.cpu.serverA is CRITICAL",
        "status": 2, "handlers": ["sns", "slack"], "k1": "v1", "k2": 5}
    assert json.loads(records["servicenow"]["body"])["records"][0] == {
        "source": "", "node": "serverA", "metric_name": "m", "message_key": "Alert: kapacitor.cpu.serverA",
        "severity": "1", "description": "kapacitor.cpu.serverA is CRITICAL", "additional_info": '{"ticks":"666"}'}
    zenoss = json.loads(records["zenoss"]["body"])
    assert zenoss["tid"] == 7 and zenoss["data"][0]["evclass"] == "/App" and zenoss["data"][0]["ticks"] == 33
    assert zenoss["data"][0]["evclasskey"] == "key"
    assert records["snmptrap"]["trap_oid"] == "1.1.1"
    assert records["snmptrap"]["varbinds"][2:] == [{"oid": "1.1.1.2", "type": "Counter64", "value": "1"},
                                                   {"oid": "1.1.1.3", "type": "OctetString", "value": "here/cpu"}]


def test_handler_file_numbers_in_free_form_maps_are_float64_as_kapacitor_decodes_json(tmp_path):
    # A handler file reaches Kapacitor as JSON: its additional_info numbers are float64, which
    # %v prints as 1e+06; the same number from a script is an int64.
    capture = tmp_path / "capture.jsonl"
    config = write(tmp_path, "kapacitor.conf", '[servicenow]\nenabled = true\nurl = "https://sn.example/em"\n')
    handler = write(tmp_path, "sn.yaml", "id: sn\ntopic: cpu\nkind: servicenow\noptions:\n"
                                         "  additional_info:\n    count: 1000000\n    ratio: 0.5\n    list: [1, 2]\n")
    service = service_for(tmp_path, handler, capture=str(capture), config=str(config))
    service.handle(make_event(topic="cpu"), [])
    service.close()
    [record] = captured(capture)
    info = json.loads(json.loads(record["request"]["body"])["records"][0]["additional_info"])
    assert info == {"count": "1e+06", "ratio": "0.5", "list": "[1 2]"}
    from_script = service_request("servicenow", {"additional_info": {"count": 1000000}}, make_event(), None,
                                  {"enabled": True, "url": "https://sn.example/em"})
    assert '\\"count\\":\\"1000000\\"' in from_script["body"]


def test_a_script_duration_in_a_free_form_map_is_a_go_duration(tmp_path):
    # .additionalInfo('window', 5m): %v of a time.Duration is 5m0s; sensu's metadata JSON has nanoseconds.
    script = ("stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .id('cpu')\n"
              "        .crit(lambda: TRUE)\n        .serviceNow()\n            .additionalInfo('window', 5m)\n"
              "        .sensu()\n            .metadata('window', 90s)\n")
    config = ('[servicenow]\nenabled = true\nurl = "https://sn.example/em"\n'
              '[sensu]\nenabled = true\naddr = "sensu.example:3030"\n')
    records = {r["kind"]: r["request"] for r in run_capturing(tmp_path, script, "cpu value=1 1000000000\n", config)}
    info = json.loads(json.loads(records["servicenow"]["body"])["records"][0]["additional_info"])
    assert info == {"window": "5m0s"}
    assert json.loads(records["sensu"]["body"])["window"] == 90_000_000_000

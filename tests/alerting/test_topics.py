"""Topics and handler files: publish chains, aggregate over event time, topic state, capture sink."""

from __future__ import annotations

import json

import pytest

from tests.alerting.capturing import captured, service_for, write
from tests.alerting.events import SECOND, make_event
from tests.alerting.servers import TCPSink
from tickpy.alerting.service import HandlerLoadError


def test_publish_chain_reaches_tcp_and_log(tmp_path):
    sink = TCPSink()
    log_path = tmp_path / "audit.log"
    handlers = tmp_path / "handlers"
    handlers.mkdir()
    write(handlers, "publish.yaml", "id: fan-out\ntopic: cpu\nkind: publish\noptions:\n  topics: [ops, audit]\n")
    write(handlers, "ops.yaml", f"id: to-tcp\ntopic: ops\nkind: tcp\noptions:\n  address: {sink.address}\n")
    write(handlers, "audit.json", json.dumps({"id": "to-log", "topic": "audit", "kind": "log",
                                              "options": {"path": str(log_path)}}))
    service = service_for(tmp_path, handlers)
    events = [make_event(topic="cpu", time_s=1), make_event(topic="cpu", time_s=2, level="OK",
                                                               previous_level="CRITICAL")]
    for event in events:
        service.handle(event, [])
    summary = service.close()
    got = sink.wait_for(2)
    sink.close()
    assert got == [e.wire + b"\n\n" for e in events]
    assert log_path.read_bytes() == b"".join(e.wire + b"\n" for e in events)
    assert summary.delivered == 4
    states = service.topic_states()
    assert states["cpu"] == states["ops"] == states["audit"] == {"cpu:host=a": "OK"}
    table = service.topics_summary()
    assert "ops" in table and "audit" in table and "cpu:host=a" in table


def test_publish_loop_is_cut(tmp_path):
    a = write(tmp_path, "a.yaml", "id: a\ntopic: one\nkind: publish\noptions:\n  topics: [two]\n")
    b = write(tmp_path, "b.yaml", "id: b\ntopic: two\nkind: publish\noptions:\n  topics: [one]\n")
    service = service_for(tmp_path, a, b)
    service.handle(make_event(topic="one"), [])
    summary = service.close()
    assert any("publish loop" in line for line in service.reported)
    assert summary.warnings


def test_aggregate_over_event_time(tmp_path):
    sink = TCPSink()
    agg = write(tmp_path, "agg.yaml", "id: agg\ntopic: cpu\nkind: aggregate\noptions:\n  interval: 10s\n"
                                      "  topic: cpu-agg\n  id: cpu-summary\n")
    out = write(tmp_path, "out.yaml", f"id: out\ntopic: cpu-agg\nkind: tcp\noptions:\n  address: {sink.address}\n")
    service = service_for(tmp_path, agg, out)
    # event times 0, 3, 9 -> first interval [0s, 10s); 12 closes it and opens [10s, 20s); 25 closes that
    plan = [(0, "WARNING", "a"), (3, "CRITICAL", "b"), (9, "INFO", "c"), (12, "WARNING", "a"), (25, "OK", "a")]
    for time_s, level, host in plan:
        service.handle(make_event(event_id=f"cpu:{host}", topic="cpu", time_s=time_s, level=level,
                                  tags={"host": host}, duration_s=time_s), [])
    before_end = sink.wait_for(2)
    assert len(before_end) == 2  # both closed intervals were published by event time, before the end
    service.close()  # the end of the run publishes the last, partial interval
    got = [json.loads(payload) for payload in sink.wait_for(3)]
    sink.close()
    assert [g["message"] for g in got] == ["Received 3 events in the last 10s."] + \
        ["Received 1 events in the last 10s."] * 2
    assert [g["id"] for g in got] == ["cpu-summary"] * 3
    assert [g["level"] for g in got] == ["CRITICAL", "WARNING", "OK"]
    assert got[0]["details"] == "cpu:a is WARNING\ncpu:b is CRITICAL\ncpu:c is INFO"
    assert got[0]["time"] == "1970-01-01T00:00:09Z" and got[0]["duration"] == 9 * SECOND
    assert [s["tags"]["host"] for s in got[0]["data"]["series"]] == ["a", "b", "c"]
    assert [g["previousLevel"] for g in got] == ["OK", "CRITICAL", "WARNING"]


def test_capture_sink_records_external_services_without_sending(tmp_path):
    capture = tmp_path / "capture.jsonl"
    slack = write(tmp_path, "slack.yaml", "id: chat\ntopic: cpu\nkind: slack\noptions:\n  channel: '#ops'\n")
    service = service_for(tmp_path, slack, capture=str(capture))
    event = make_event(topic="cpu")
    service.handle(event, [])
    summary = service.close()
    [record] = captured(capture)
    assert record["sent"] is False and "NOT sent" in record["note"]
    assert record["kind"] == "slack" and record["options"] == {"channel": "#ops"}
    assert record["alert"] == json.loads(event.wire)
    assert summary.captured == 1 and summary.delivered == 0
    assert "not sent" in summary.render()


def test_capture_without_file_goes_to_stderr_summary(tmp_path, capsys):
    pd = write(tmp_path, "pd.yaml", "id: pager\ntopic: cpu\nkind: pagerduty2\noptions:\n  routing-key: abc\n")
    service = service_for(tmp_path, pd)
    service.handle(make_event(topic="cpu"), [])
    service.close()
    err = capsys.readouterr().err
    assert "captured (not sent) pagerduty2" in err and "routing-key=abc" in err
    assert "would send nothing" not in err


def test_capture_stderr_line_says_when_the_service_would_send_nothing(tmp_path, capsys):
    # PagerDuty's v1 service ignores INFO events (Kapacitor logs that and sends nothing).
    pd = write(tmp_path, "pd.yaml", "id: pager\ntopic: cpu\nkind: pagerduty\noptions:\n  service-key: k\n")
    service = service_for(tmp_path, pd)
    service.handle(make_event(topic="cpu", level="INFO"), [])
    service.close()
    err = capsys.readouterr().err
    assert ("[pagerduty would send nothing: AlertLevel 'info' is currently ignored by the PagerDuty service]"
            in err)


def test_match_on_level_changed_and_tags(tmp_path):
    sink_level, sink_changed, sink_tag = TCPSink(), TCPSink(), TCPSink()
    files = [
        write(tmp_path, "level.yaml", f"id: crit\ntopic: cpu\nkind: tcp\nmatch: level() >= WARNING\n"
                                      f"options:\n  address: {sink_level.address}\n"),
        write(tmp_path, "changed.yaml", f"id: changes\ntopic: cpu\nkind: tcp\nmatch: changed() == TRUE\n"
                                        f"options:\n  address: {sink_changed.address}\n"),
        write(tmp_path, "tag.yaml", f"id: web\ntopic: cpu\nkind: tcp\nmatch: '\"host\" =~ /^web/ AND level() != OK'\n"
                                    f"options:\n  address: {sink_tag.address}\n"),
    ]
    service = service_for(tmp_path, *files)
    plan = [("web1", "WARNING"), ("web1", "WARNING"), ("db1", "CRITICAL"), ("web1", "OK"), ("db1", "CRITICAL"),
            ("web1", "INFO")]
    for index, (host, level) in enumerate(plan):
        # the producer's previous level is ignored: the topic's state decides what changed() sees
        service.handle(make_event(event_id=f"cpu:{host}", topic="cpu", tags={"host": host}, level=level,
                                  time_s=index, previous_level="OK"), [])
    summary = service.close()

    def seen(sink, count):
        return [(json.loads(p)["id"], json.loads(p)["level"]) for p in sink.wait_for(count)]

    assert sorted(seen(sink_level, 4)) == sorted([("cpu:web1", "WARNING"), ("cpu:web1", "WARNING"),
                                                  ("cpu:db1", "CRITICAL"), ("cpu:db1", "CRITICAL")])
    assert sorted(seen(sink_changed, 4)) == sorted([("cpu:web1", "WARNING"), ("cpu:db1", "CRITICAL"),
                                                    ("cpu:web1", "OK"), ("cpu:web1", "INFO")])
    assert sorted(seen(sink_tag, 3)) == sorted([("cpu:web1", "WARNING"), ("cpu:web1", "WARNING"),
                                                ("cpu:web1", "INFO")])
    for sink in (sink_level, sink_changed, sink_tag):
        sink.close()
    assert summary.delivered == 11


def test_match_on_a_missing_tag_skips_the_event_and_says_why(tmp_path):
    log_path = tmp_path / "a.log"
    handler = write(tmp_path, "h.yaml", f"id: dc\ntopic: cpu\nkind: log\nmatch: '\"dc\" == ''east'''\n"
                                        f"options:\n  path: {log_path}\n")
    service = service_for(tmp_path, handler)
    service.handle(make_event(topic="cpu", tags={"host": "a"}), [])
    service.close()
    assert not log_path.exists()
    assert any("no tag exists for dc" in line for line in service.reported)


def test_capture_builds_the_service_request_as_kapacitor_would(tmp_path):
    capture = tmp_path / "capture.jsonl"
    config = tmp_path / "kapacitor.conf"
    config.write_text('[slack]\nenabled = true\nurl = "https://hooks.slack.example/T0/B0/X"\nchannel = "#general"\n'
                      '[victorops]\nenabled = true\napi-key = "KEY"\nrouting-key = "fallback"\n')
    files = [write(tmp_path, "slack.yaml", "id: chat\ntopic: cpu\nkind: slack\noptions:\n  channel: '#ops'\n"),
             write(tmp_path, "vo.yaml", "id: vo\ntopic: cpu\nkind: victorops\noptions:\n  routing-key: team-a\n"),
             write(tmp_path, "email.yaml", "id: mail\ntopic: cpu\nkind: smtp\noptions:\n  to: [ops@example.com]\n")]
    service = service_for(tmp_path, *files, capture=str(capture), config=str(config))
    event = make_event(topic="cpu", level="CRITICAL", message="cpu is hot", time_s=100)
    service.handle(event, [])
    service.close()
    records = {r["kind"]: r for r in captured(capture)}
    slack = records["slack"]["request"]
    assert slack["url"] == "https://hooks.slack.example/T0/B0/X"
    assert json.loads(slack["body"]) == {
        "attachments": [{"color": "danger", "fallback": "cpu is hot", "mrkdwn_in": ["text"], "text": "cpu is hot"}],
        "channel": "#ops", "icon_emoji": "", "text": "", "username": "kapacitor"}
    assert slack["body"].endswith("}\n") and ", " not in slack["body"]  # Go's compact encoder output
    victorops = records["victorops"]["request"]
    assert victorops["url"].endswith("/alert/KEY/team-a")
    body = json.loads(victorops["body"])
    assert body["message_type"] == "CRITICAL" and body["entity_id"] == event.id and body["timestamp"] == 100
    assert json.loads(body["data"]) == json.loads(event.wire)["data"]
    assert records["smtp"]["options"] == {"to": ["ops@example.com"]}
    smtp = records["smtp"]["request"]  # more fields (headers, envelope): tests/alerting/test_payloads_messaging.py
    assert {k: smtp[k] for k in ("from", "to", "subject", "content_type", "body")} == {
        "from": "", "to": ["ops@example.com"], "subject": "cpu is hot", "content_type": "text/html", "body": event.details}


def test_aggregate_message_is_a_go_template_checked_before_the_run(tmp_path):
    sink = TCPSink()
    agg = write(tmp_path, "agg.yaml", "id: agg\ntopic: cpu\nkind: aggregate\noptions:\n  interval: 1m30s\n"
                                      "  topic: out\n  message: '{{ .Count }} alerts / {{ .Interval.Minutes }} min"
                                      "{{ if gt .Count 1 }} (several){{ end }}'\n")
    out = write(tmp_path, "out.yaml", f"id: out\ntopic: out\nkind: tcp\noptions:\n  address: {sink.address}\n")
    service = service_for(tmp_path, agg, out)
    for i in range(2):
        service.handle(make_event(topic="cpu", time_s=i), [])
    service.close()
    [payload] = sink.wait_for(1)
    sink.close()
    assert json.loads(payload)["message"] == "2 alerts / 1.5 min (several)"
    bad = write(tmp_path, "bad.yaml", "id: bad\ntopic: cpu\nkind: aggregate\noptions:\n  interval: 1m\n"
                                      "  topic: out\n  message: '{{ .Nope }}'\n")
    with pytest.raises(HandlerLoadError, match="can't evaluate field Nope"):
        service_for(tmp_path, bad)


def test_capture_kafka_message_is_the_alert_json_keyed_by_event_id(tmp_path):
    capture = tmp_path / "capture.jsonl"
    kafka = write(tmp_path, "kafka.yaml", "id: k\ntopic: cpu\nkind: kafka\noptions:\n  cluster: main\n"
                                          "  topic: alerts\n")
    config = write(tmp_path, "kapacitor.conf", '[[kafka]]\nenabled = true\nid = "main"\nbrokers = ["k:9092"]\n')
    service = service_for(tmp_path, kafka, capture=str(capture), config=str(config))
    event = make_event(topic="cpu")
    service.handle(event, [])
    service.close()
    [record] = captured(capture)
    assert record["request"] == {"cluster": "main", "topic": "alerts", "key": event.id,
                                 "value": event.wire.decode() + "\n"}


def test_a_kafka_handler_for_a_cluster_kapacitor_does_not_know_is_refused_before_the_run(tmp_path):
    # Kapacitor's kafka service knows the [[kafka]] ids of its config, or only "default" without one.
    kafka = write(tmp_path, "kafka.yaml", "id: k\ntopic: cpu\nkind: kafka\noptions:\n  cluster: main\n"
                                          "  topic: alerts\n")
    with pytest.raises(HandlerLoadError) as info:
        service_for(tmp_path, kafka)
    assert 'kafka.yaml:5:3: error: kafka: unknown cluster "main"' in info.value.render()
    assert "clusters Kapacitor would know: default" in info.value.render()
    default = write(tmp_path, "default.yaml", "id: k\ntopic: cpu\nkind: kafka\noptions:\n  cluster: default\n"
                                              "  topic: alerts\n")
    service_for(tmp_path, default).close()


def test_republished_event_keeps_the_source_topics_previous_level_for_a_new_id(tmp_path):
    # Kapacitor sets previousState only when the target topic has seen the id before.
    sink = TCPSink()
    service = service_for(
        tmp_path,
        write(tmp_path, "later.yaml", "id: later\ntopic: cpu\nkind: publish\nmatch: level() == OK\n"
                                      "options:\n  topics: [recoveries]\n"),
        write(tmp_path, "out.yaml", f"id: out\ntopic: recoveries\nkind: tcp\noptions:\n  address: {sink.address}\n"))
    service.handle(make_event(topic="cpu", level="CRITICAL", time_s=1), [])
    service.handle(make_event(topic="cpu", level="OK", time_s=2, previous_level="CRITICAL"), [])
    service.handle(make_event(topic="cpu", level="OK", time_s=3, previous_level="OK"), [])
    service.close()
    got = [json.loads(p)["previousLevel"] for p in sink.wait_for(2)]
    sink.close()
    assert got == ["CRITICAL", "OK"]  # first: from topic cpu (new in recoveries); then recoveries' own state


def test_capture_picks_the_kafka_cluster_section_by_id_and_refuses_a_disabled_one(tmp_path):
    capture = tmp_path / "capture.jsonl"
    config = tmp_path / "kapacitor.conf"
    config.write_text('[[kafka]]\nenabled = true\nid = "main"\nbrokers = ["k1:9092"]\n'
                      '[[kafka]]\nid = "other"\nbrokers = ["k2:9092"]\n')
    files = [write(tmp_path, f"{name}.yaml", f"id: {name}\ntopic: cpu\nkind: kafka\noptions:\n  cluster: {name}\n"
                                             "  topic: alerts\n") for name in ("main", "other")]
    service = service_for(tmp_path, *files, capture=str(capture), config=str(config))
    service.handle(make_event(topic="cpu"), [])
    service.close()
    requests = {r["handler"]: r["request"] for r in captured(capture)}
    assert requests["main"]["cluster"] == "main" and "error" not in requests["main"]
    assert requests["other"] == {"error": "service is not enabled ([kafka] in --config has no enabled = true) "
                                          "(nothing would be sent)"}

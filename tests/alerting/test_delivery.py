"""Direct alert-node handlers delivering to real endpoints: tcp, log, exec, post."""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap
import time

import pytest

from tests.alerting.events import make_event
from tests.alerting.servers import HTTPSink, TCPSink, dead_address
from tickpy.alerting.service import AlertService
from tickpy.check.pipeline import HandlerSpec, PropertyCall
from tickpy.diagnostics import TickpyError
from tickpy.syntax.ast import Span


def prop(name, *args):
    return PropertyCall(name, list(args), Span.unknown())


def quiet_service(**kwargs):
    lines = []
    kwargs.setdefault("backoff_s", 0.01)
    service = AlertService(report=lines.append, **kwargs)
    service.reported = lines
    return service


def test_tcp_new_connection_per_event_json_and_two_newlines():
    sink = TCPSink()
    service = quiet_service()
    handler = service.direct_handler(HandlerSpec("tcp", [sink.address]), "task")
    events = [make_event(time_s=10), make_event(level="OK", time_s=20, previous_level="CRITICAL")]
    for event in events:
        service.handle(event, [handler], node="alert2")
    summary = service.close()
    got = sink.wait_for(2)
    sink.close()
    assert got == [events[0].wire + b"\n\n", events[1].wire + b"\n\n"]
    assert summary.delivered == 2 and summary.ok


def test_log_appends_lines_with_default_and_explicit_mode(tmp_path):
    default_path = tmp_path / "alerts.log"
    mode_path = tmp_path / "alerts-644.log"
    service = quiet_service()
    first = service.direct_handler(HandlerSpec("log", [str(default_path)]), "task")
    second = service.direct_handler(HandlerSpec("log", [str(mode_path)], [prop("mode", 0o644)]), "task")
    events = [make_event(time_s=1), make_event(time_s=2, level="WARNING", previous_level="CRITICAL")]
    old_umask = os.umask(0o022)
    try:
        for event in events:
            service.handle(event, [first, second], node="alert2")
        service.close()
    finally:
        os.umask(old_umask)
    expected = b"".join(e.wire + b"\n" for e in events)
    assert default_path.read_bytes() == expected
    assert mode_path.read_bytes() == expected
    assert stat.S_IMODE(default_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(mode_path.stat().st_mode) == 0o644


def test_log_path_must_be_absolute():
    service = quiet_service()
    with pytest.raises(TickpyError, match="log path must be absolute"):
        service.direct_handler(HandlerSpec("log", ["relative.log"]), "task")


def write_recorder(tmp_path):
    """A real program that records its arguments and its stdin."""
    script = tmp_path / "record.py"
    out = tmp_path / "records.jsonl"
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import json, sys
        data = sys.stdin.buffer.read()
        with open({str(out)!r}, "a") as f:
            f.write(json.dumps({{"args": sys.argv[1:], "stdin": data.decode()}}) + "\\n")
        """))
    script.chmod(0o755)
    return script, out


def test_exec_runs_program_without_shell_with_json_on_stdin(tmp_path):
    script, out = write_recorder(tmp_path)
    service = quiet_service()
    handler = service.direct_handler(HandlerSpec("exec", [str(script), "--flag", "two words", "$HOME;ls"]), "task")
    event = make_event()
    service.handle(event, [handler], node="alert2")
    summary = service.close()
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records == [{"args": ["--flag", "two words", "$HOME;ls"], "stdin": event.wire.decode() + "\n"}]
    assert summary.delivered == 1


def test_exec_failure_is_dead_lettered(tmp_path):
    dead = tmp_path / "dead.jsonl"
    service = quiet_service(dead_letter=str(dead))
    handler = service.direct_handler(HandlerSpec("exec", [str(tmp_path / "missing-program")]), "task")
    event = make_event()
    service.handle(event, [handler], node="alert2")
    summary = service.close()
    record = json.loads(dead.read_text())
    assert record["kind"] == "exec" and record["payload"].encode() == event.wire + b"\n"
    assert summary.failed == 1 and not summary.ok


def test_post_url_with_headers_and_content_type():
    server = HTTPSink()
    service = quiet_service()
    spec = HandlerSpec("post", [server.url + "/alerts"], [prop("header", "Authorization", "secret"),
                                                         prop("header", "x-team", "ops")])
    handler = service.direct_handler(spec, "task")
    event = make_event()
    service.handle(event, [handler], node="alert2")
    service.close()
    [(path, headers, body)] = server.wait_for(1)
    server.close()
    assert path == "/alerts"
    assert body == event.wire + b"\n"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "secret"
    assert headers["X-Team"] == "ops"  # Go canonicalises header keys


def test_post_named_endpoint_from_config(tmp_path):
    server = HTTPSink()
    config = tmp_path / "kapacitor.conf"
    config.write_text(f'[[httppost]]\nendpoint = "test"\nurl = "{server.url}"\nheaders = {{ Authorization = "works" }}\n')
    service = quiet_service(config=str(config))
    service.load()
    handler = service.direct_handler(HandlerSpec("post", [], [prop("endpoint", "test")]), "task")
    event = make_event()
    service.handle(event, [handler], node="alert2")
    service.close()
    [(_, headers, body)] = server.wait_for(1)
    server.close()
    assert headers["Authorization"] == "works" and body == event.wire + b"\n"


def test_post_unknown_endpoint_is_an_error_before_the_run():
    service = quiet_service()
    with pytest.raises(TickpyError, match="url must be specified if an endpoint is not specified"):
        service.direct_handler(HandlerSpec("post", [], [prop("endpoint", "nope")]), "task")
    with pytest.raises(TickpyError, match="Either URL or endpoint must be non-empty"):
        service.direct_handler(HandlerSpec("post", []), "task")


def test_bad_tcp_address_is_an_error_before_the_run():
    service = quiet_service()
    with pytest.raises(TickpyError, match="missing port"):
        service.direct_handler(HandlerSpec("tcp", ["localhost"]), "task")


def test_dead_tcp_endpoint_retries_then_dead_letters_exact_payload(tmp_path):
    dead = tmp_path / "dead.jsonl"
    address = dead_address()
    service = quiet_service(dead_letter=str(dead), retries=2)
    handler = service.direct_handler(HandlerSpec("tcp", [address]), "task")
    events = [make_event(time_s=i, event_id=f"cpu:{i}") for i in range(3)]
    for event in events:
        service.handle(event, [handler], node="alert2")
    summary = service.close()
    records = [json.loads(line) for line in dead.read_text().splitlines()]
    assert [r["payload"].encode() for r in records] == [e.wire + b"\n\n" for e in events]
    assert {r["target"] for r in records} == {address}
    assert all(r["error"] and r["handler"] for r in records)
    assert records[0]["attempts"] == 3  # one try and two retries; then no retries while it stays dead
    assert summary.failed == 3 and summary.delivered == 0 and not summary.ok
    assert any(address in line and "cpu:0" in line for line in service.reported)
    assert "NOT delivered" in summary.render()


def test_dead_http_endpoint_dead_letters_with_body(tmp_path):
    dead = tmp_path / "dead.jsonl"
    server = HTTPSink(status=500, reply=b"boom")
    service = quiet_service(dead_letter=str(dead), retries=1)
    handler = service.direct_handler(HandlerSpec("post", [server.url], [prop("captureResponse")]), "task")
    event = make_event()
    service.handle(event, [handler], node="alert2")
    summary = service.close()
    server.close()
    record = json.loads(dead.read_text())
    assert record["payload"].encode() == event.wire + b"\n"
    assert "500" in record["error"] and "boom" in record["error"]
    assert len(server.requests) == 2  # a 5xx is retried
    assert summary.failed == 1


def test_slow_endpoint_does_not_stall_other_handlers():
    import threading

    release = threading.Event()
    slow = HTTPSink(hold=release)  # answers nothing until released
    fast = TCPSink()
    service = quiet_service()
    slow_handler = service.direct_handler(HandlerSpec("post", [slow.url]), "task")
    fast_handler = service.direct_handler(HandlerSpec("tcp", [fast.address]), "task")
    started = time.monotonic()
    for i in range(3):
        service.handle(make_event(time_s=i), [slow_handler, fast_handler], node="alert2")
    handed_over = time.monotonic() - started
    got = fast.wait_for(3)
    assert len(got) == 3 and slow.requests == []  # every tcp delivery done while the post is stuck
    assert handed_over < 1.0  # the pipeline never waited for the slow endpoint
    release.set()
    summary = service.close()
    slow.close()
    fast.close()
    assert summary.delivered == 6 and len(slow.requests) == 3


def test_full_queue_of_a_stuck_endpoint_dead_letters_after_the_patience(tmp_path):
    import threading

    dead = tmp_path / "dead.jsonl"
    release = threading.Event()
    slow = HTTPSink(hold=release)  # takes the first request and answers nothing
    service = quiet_service(dead_letter=str(dead), queue_size=1, full_queue_patience_s=0.5)
    handler = service.direct_handler(HandlerSpec("post", [slow.url]), "task")
    started = time.monotonic()
    for i in range(5):
        service.handle(make_event(time_s=i, event_id=f"e{i}"), [handler], node="alert2")
    handed_over = time.monotonic() - started
    # One wait of the patience, then no more: blocking would have taken the 10 s the server holds.
    assert 0.4 < handed_over < 2.0
    release.set()
    summary = service.close()
    slow.close()
    records = [json.loads(line) for line in dead.read_text().splitlines()]
    assert summary.delivered + summary.failed == 5
    assert summary.failed == len(records) >= 3
    assert all("queue full" in r["error"] for r in records)


def test_full_queue_of_a_slow_but_working_endpoint_waits_and_loses_nothing(tmp_path):
    import socket
    import threading

    # A listener that takes one connection every 20 ms: slower than the producer, never stuck.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    received: list[bytes] = []

    def serve():
        for _ in range(30):
            conn, _ = server.accept()
            with conn:
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
            received.append(b"".join(chunks))
            time.sleep(0.02)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    dead = tmp_path / "dead.jsonl"
    service = quiet_service(dead_letter=str(dead), queue_size=2, full_queue_patience_s=2.0)
    handler = service.direct_handler(HandlerSpec("tcp", [f"127.0.0.1:{server.getsockname()[1]}"]), "task")
    events = [make_event(time_s=i, event_id=f"e{i}") for i in range(30)]
    for event in events:
        service.handle(event, [handler], node="alert2")
    summary = service.close()
    thread.join(10)
    server.close()
    assert summary.failed == 0 and summary.delivered == 30
    assert not dead.exists() or dead.read_text() == ""
    assert received == [event.wire + b"\n\n" for event in events]


def test_previous_level_comes_from_the_topic_state():
    sink = TCPSink()
    service = quiet_service()
    handler = service.direct_handler(HandlerSpec("tcp", [sink.address]), "task")
    # The producer says previousLevel OK each time; the node's topic knows better.
    levels = ["WARNING", "CRITICAL", "OK"]
    for i, level in enumerate(levels):
        service.handle(make_event(level=level, time_s=i, previous_level="OK"), [handler], node="alert2")
    service.close()
    got = sink.wait_for(3)
    sink.close()
    previous = [json.loads(payload)["previousLevel"] for payload in got]
    assert previous == ["OK", "WARNING", "CRITICAL"]


def test_no_external_events_skip_local_delivery(tmp_path):
    path = tmp_path / "a.log"
    service = quiet_service()
    handler = service.direct_handler(HandlerSpec("log", [str(path)]), "task")
    service.handle(make_event(no_external=True), [handler], node="alert2")
    service.close()
    assert not path.exists()


def test_close_with_grace_dead_letters_what_is_left(tmp_path):
    dead = tmp_path / "dead.jsonl"
    slow = HTTPSink(delay_s=0.4)
    service = quiet_service(dead_letter=str(dead))
    handler = service.direct_handler(HandlerSpec("post", [slow.url]), "task")
    for i in range(5):
        service.handle(make_event(time_s=i, event_id=f"e{i}"), [handler], node="alert2")
    started = time.monotonic()
    summary = service.close(grace_s=0.2, interrupted=True)
    slow.close()
    assert time.monotonic() - started < 1.5
    records = [json.loads(line) for line in dead.read_text().splitlines()]
    assert summary.delivered + summary.failed == 5 and summary.failed == len(records) >= 3
    assert any("shutdown" in r["error"] for r in records)


def test_direct_external_handlers_go_to_the_capture_sink(tmp_path):
    capture = tmp_path / "capture.jsonl"
    service = quiet_service(capture=str(capture))
    specs = [HandlerSpec("slack", [], [prop("channel", "#ops"), prop("iconEmoji", ":fire:")]),
             HandlerSpec("email", ["oncall@example.com", "lead@example.com"]),
             HandlerSpec("pagerDuty2", [], [prop("routingKey", "rk"), prop("link", "http://runbook", "runbook")]),
             HandlerSpec("opsGenie2", [], [prop("teams", "a", "b"), prop("details")])]
    handlers = [service.direct_handler(spec, "task") for spec in specs]
    event = make_event()
    service.handle(event, handlers, node="alert2")
    summary = service.close()
    records = {r["kind"]: r for r in map(json.loads, capture.read_text().splitlines())}
    assert records["slack"]["options"] == {"channel": "#ops", "icon-emoji": ":fire:"}
    assert records["smtp"]["options"] == {"to": ["oncall@example.com", "lead@example.com"]}
    assert records["pagerduty2"]["options"]["links"] == [{"href": "http://runbook", "text": "runbook"}]
    assert records["opsgenie2"]["options"] == {"teams-list": ["a", "b"]}
    body = json.loads(records["pagerduty2"]["request"]["body"])
    assert body["routing_key"] == "rk" and body["dedup_key"] == event.id and body["event_action"] == "trigger"
    assert all(r["sent"] is False for r in records.values())
    assert summary.captured == 4 and summary.delivered == 0


def test_unwritable_dead_letter_file_is_an_error_before_the_run(tmp_path):
    from tickpy.alerting.service import HandlerLoadError

    service = quiet_service(dead_letter=str(tmp_path / "missing-folder" / "dead.jsonl"))
    with pytest.raises(HandlerLoadError, match="--dead-letter"):
        service.load()


def test_no_dead_letter_file_when_nothing_failed(tmp_path):
    sink = TCPSink()
    dead = tmp_path / "dead.jsonl"
    service = quiet_service(dead_letter=str(dead))
    service.load()
    handler = service.direct_handler(HandlerSpec("tcp", [sink.address]), "task")
    service.handle(make_event(), [handler], node="alert2")
    assert service.close().ok
    sink.close()
    assert not dead.exists()


def test_post_endpoint_alert_template_and_url_template(tmp_path):
    server = HTTPSink()
    config = tmp_path / "kapacitor.conf"
    config.write_text(
        "[[httppost]]\n"
        'endpoint = "chat"\n'
        f'url = "{server.url}/hooks/{{{{ .ID }}}}"\n'
        "alert-template = '{\"text\": \"{{ .Level }}: {{ .Message }}\", \"was\": \"{{ .PreviousLevel }}\", "
        "\"rows\": {{ len .Data.Series }}, \"first\": {{ jsonCompact (index .Data.Series 0) }}}'\n")
    service = quiet_service(config=str(config))
    service.load()
    handler = service.direct_handler(HandlerSpec("post", [], [prop("endpoint", "chat")]), "task")
    event = make_event(event_id="cpu-a", level="WARNING", message="cpu high")
    service.handle(event, [handler], node="alert2")
    summary = service.close()
    [(path, headers, body)] = server.wait_for(1)
    server.close()
    assert summary.delivered == 1
    assert path == "/hooks/cpu-a"
    assert "Content-Type" not in headers  # Kapacitor sets none for a templated body
    sent = json.loads(body)
    assert sent["text"] == "WARNING: cpu high" and sent["was"] == "OK" and sent["rows"] == 1
    assert sent["first"] == json.loads(event.wire)["data"]["series"][0]


def test_alert_template_that_fails_is_dead_lettered(tmp_path):
    dead = tmp_path / "dead.jsonl"
    config = {"httppost": [{"endpoint": "e", "url": "http://127.0.0.1:9/", "alert-template": "{{ index .Data.Series 5 }}"}]}
    service = quiet_service(config=config, dead_letter=str(dead))
    service.load()
    handler = service.direct_handler(HandlerSpec("post", [], [prop("endpoint", "e")]), "task")
    service.handle(make_event(), [handler], node="alert2")
    summary = service.close()
    record = json.loads(dead.read_text())
    assert summary.failed == 1 and "index out of range" in record["error"]

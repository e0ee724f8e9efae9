"""The Python API: run a script on points, get alerts, deliveries and outputs back as objects.
Handlers deliver for real (TCP, HTTP, files, a subprocess) to recorders on this machine."""

from __future__ import annotations

import pytest

from tickpy.diagnostics import TickpyError
from tickpy.testing import points, run_script, series

S = 1_000_000_000

DIP = """
cpu,host=a usage_idle=50 0s
cpu,host=a usage_idle=5 10s
cpu,host=a usage_idle=60 20s
"""


def _alert(handlers: str) -> str:
    return ("stream\n  |from()\n    .measurement('cpu')\n  |alert()\n    .crit(lambda: \"usage_idle\" < 10)\n"
            "    .message('{{ .Level }} on {{ index .Tags \"host\" }}')\n" + handlers)


def test_alerts_come_back_as_events():
    run = run_script(_alert(""), points(DIP))
    assert [(a.level, a.previous_level, a.time_ns, a.duration_ns) for a in run.alerts] == [
        ("CRITICAL", "OK", 10 * S, 0), ("OK", "CRITICAL", 20 * S, 10 * S)]
    assert run.alerts[0].message == "CRITICAL on a"
    assert run.alerts[0].fields == {"usage_idle": 5.0} and run.alerts[0].tags == {"host": "a"}
    assert run.counts() == {"CRITICAL": 1, "OK": 1}
    assert run.triggered()["crits_triggered"] == 1 and run.triggered()["oks_triggered"] == 1


def test_tcp_target_receives_each_alert_over_a_real_connection():
    run = run_script(_alert("    .tcp('10.255.0.1:9100')\n"), points(DIP))
    received = run.deliveries["tcp 10.255.0.1:9100"]
    assert [d.alert["level"] for d in received] == ["CRITICAL", "OK"]
    assert received[0].alert["message"] == "CRITICAL on a"
    assert received[1].alert["previousLevel"] == "CRITICAL"
    assert received[0].alert["data"]["series"][0]["tags"] == {"host": "a"}
    assert run.delivery_failures == []


def test_post_log_exec_and_captured_services():
    handlers = ("    .post('https://hooks.example.com/alerts?team=ops')\n"
                "    .log('/var/log/never-written.log')\n"
                "    .exec('/usr/local/bin/page', '--now')\n"
                "    .slack()\n        .channel('#ops')\n")
    run = run_script(_alert(handlers), points(DIP), task_name="cpu")
    assert set(run.deliveries) == {"post https://hooks.example.com/alerts?team=ops", "log /var/log/never-written.log",
                                   "exec /usr/local/bin/page --now", "slack cpu.slack"}
    posted = run.deliveries["post https://hooks.example.com/alerts?team=ops"]
    assert [d.alert["level"] for d in posted] == ["CRITICAL", "OK"]
    assert posted[0].path == "/alerts?team=ops"
    assert posted[0].headers["Content-Type"] == "application/json"
    for key in ("log /var/log/never-written.log", "exec /usr/local/bin/page --now"):
        assert [d.alert["id"] for d in run.deliveries[key]] == ["cpu:nil", "cpu:nil"]
    slack = run.deliveries["slack cpu.slack"]
    assert [d.alert["level"] for d in slack] == ["CRITICAL", "OK"]
    assert "#ops" in slack[0].request["body"]


def test_post_endpoint_from_the_config_keeps_its_headers():
    config = {"httppost": [{"endpoint": "hook", "url": "http://alerts.example.com/in", "headers": {"X-Token": "t0k"}}]}
    run = run_script(_alert("    .post()\n        .endpoint('hook')\n"), points(DIP), config=config)
    (key,) = run.deliveries
    assert key == "post http://alerts.example.com/in"
    assert run.deliveries[key][0].headers["X-Token"] == "t0k"
    assert run.deliveries[key][0].path == "/in"


def test_topic_handler_files(tmp_path):
    handler = tmp_path / "ops.yaml"
    handler.write_text("id: to-ops\ntopic: cpu\nkind: tcp\noptions:\n  address: 192.0.2.7:7000\n")
    run = run_script(_alert("    .topic('cpu')\n"), points(DIP), handlers=[str(handler)])
    assert [d.alert["level"] for d in run.deliveries["tcp 192.0.2.7:7000"]] == ["CRITICAL", "OK"]


def test_template_vars_httpout_and_influxdbout():
    script = """
var threshold float
stream
  |from()
    .measurement('cpu')
  |window()
    .period(10s)
    .every(10s)
  |max('usage_idle')
    .as('peak')
  |httpOut('peaks')
  |where(lambda: "peak" > threshold)
  |influxDBOut()
    .database('out')
    .measurement('peaks')
"""
    generated = series("cpu", lambda t: t, stop="25s", every="5s", field="usage_idle")
    run = run_script(script, generated, variables={"threshold": {"type": "float", "value": 6}}, dbrp="db.rp")
    # windows [0s,10s) and [10s,20s) close, with peaks 5 and 15; only 15 passes the threshold
    assert run.influxdb_lines == ["peaks peak=15 20000000000"]
    assert run.httpout["peaks"]["series"][0]["values"] == [["1970-01-01T00:00:20Z", 15]]


def test_script_errors_raise_with_diagnostics():
    with pytest.raises(TickpyError) as caught:
        run_script("stream\n  |from()\n  |nosuchnode()\n", [])
    assert caught.value.diagnostics[0].line == 3


def test_two_handlers_sharing_a_target_deliver_in_the_order_alerts_were_handed_over(tmp_path):
    # The alert node hands each event to its own .tcp() first, then to topic cpu's handler;
    # both target one address, each with its own worker thread.
    handler = tmp_path / "same.yaml"
    handler.write_text("id: same-place\ntopic: cpu\nkind: tcp\noptions:\n  address: 127.0.0.1:7777\n")
    script = _alert("    .tcp('127.0.0.1:7777')\n    .topic('cpu')\n")
    for _ in range(5):
        run = run_script(script, points(DIP), handlers=[str(handler)])
        received = run.deliveries["tcp 127.0.0.1:7777"]
        assert [d.alert["level"] for d in received] == ["CRITICAL", "CRITICAL", "OK", "OK"]


def test_a_bad_target_is_reported_not_hidden_by_the_recorder():
    with pytest.raises(TickpyError) as caught:
        run_script(_alert("    .tcp('no-port-here')\n"), points(DIP))
    assert "missing port" in caught.value.diagnostics[0].message


def test_a_templated_post_host_is_refused_rather_than_contacted():
    with pytest.raises(TickpyError) as caught:
        run_script(_alert("    .post('http://{{ .ID }}.example.com/x')\n"), points(DIP))
    assert "the host is a template" in caught.value.diagnostics[0].message


def test_a_templated_post_path_goes_to_the_recorder():
    run = run_script(_alert("    .post('http://hooks.example.com/{{ .Level }}')\n"), points(DIP))
    received = run.deliveries["post http://hooks.example.com/{{ .Level }}"]
    assert [(d.path, d.alert["level"]) for d in received] == [("/CRITICAL", "CRITICAL"), ("/OK", "OK")]


def test_http_post_nodes_post_to_a_recorder():
    script = "stream\n  |from()\n    .measurement('cpu')\n  |httpPost('http://collector.example.com/in')\n"
    run = run_script(script, points("cpu,host=a usage_idle=50 0s\ncpu,host=a usage_idle=5 10s"))
    posted = run.http_posts["http://collector.example.com/in"]
    assert [d.path for d in posted] == ["/in", "/in"]
    assert posted[1].alert == {"series": [{"name": "cpu", "tags": {"host": "a"}, "columns": ["time", "usage_idle"],
                                           "values": [["1970-01-01T00:00:10Z", 5]]}]}
    assert run.node_errors == [] and run.deliveries == {}

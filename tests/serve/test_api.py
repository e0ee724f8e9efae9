"""Kapacitor 1.5.7's task, template and alert APIs: JSON shapes and status codes as
services/task_store and services/alert answer them."""

from __future__ import annotations

import http.client
import json

from tests.serve.conftest import seed_script

HTTP_OUT = """stream
    |from()
        .measurement('cpu')
    |window()
        .period(10s)
        .every(10s)
    |mean('usage_idle')
    |httpOut('idle')
"""


def create(serve, **fields):
    body = {"id": "seed", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": seed_script(9)}
    body.update(fields)
    return serve.json("POST", "/kapacitor/v1/tasks", body)


def test_a_task_is_defined_disabled_by_default_and_shown_in_kapacitor_s_shape(serve):
    status, task = create(serve)
    assert status == 200
    assert list(task) == ["link", "id", "template-id", "type", "dbrps", "script", "vars", "dot", "status",
                          "executing", "error", "stats", "created", "modified", "last-enabled"]
    assert task["link"] == {"rel": "self", "href": "/kapacitor/v1/tasks/seed"}
    assert (task["type"], task["status"], task["executing"]) == ("stream", "disabled", False)
    assert task["dbrps"] == [{"db": "telegraf", "rp": "autogen"}]
    assert task["dot"] == "digraph seed {\nstream0 -> from1;\nfrom1 -> alert2;\n}"
    assert task["last-enabled"] == "0001-01-01T00:00:00Z"
    status, shown = serve.json("GET", "/kapacitor/v1/tasks/seed")
    assert status == 200 and shown["id"] == "seed"
    status, listed = serve.json("GET", "/kapacitor/v1/tasks?fields=status")
    assert listed == {"tasks": [{"status": "disabled", "id": "seed", "link": task["link"]}]}


def test_enable_shows_live_node_stats_in_the_dot_and_disable_stops(serve):
    create(serve)
    status, task = serve.json("PATCH", "/kapacitor/v1/tasks/seed", {"status": "enabled"})
    assert status == 200 and task["executing"] is True
    serve.write("cpu,host=a usage_idle=50 1\ncpu,host=a usage_idle=60 2\nmem,host=a used=1 3\n")
    serve.wait_processed("seed", 3)
    _, task = serve.json("GET", "/kapacitor/v1/tasks/seed")
    assert 'stream0 -> from1 [processed="2"];' in task["dot"]
    assert task["stats"]["node-stats"]["alert2"]["collected"] == 2
    _, task = serve.json("GET", "/kapacitor/v1/tasks/seed?dot-view=labels")
    assert 'stream0 -> from1 [label="processed=2"];' in task["dot"]
    status, task = serve.json("PATCH", "/kapacitor/v1/tasks/seed", {"status": "disabled"})
    assert (status, task["executing"], task["stats"]) == (200, False, {})


def test_errors_come_in_kapacitor_s_form_with_its_status_codes(serve):
    create(serve)
    assert create(serve) == (400, {"error": "task seed already exists"})
    assert create(serve, id="other", dbrps=[]) == (400, {"error": "must specify dbrp"})
    assert create(serve, id="x y") == (400, {"error": "task ID must contain only letters, numbers, '-', '.' and "
                                                      "'_'. \"x y\""})
    assert create(serve, id="noscript", script="") == (400, {"error": "must provide TICKscript"})
    status, answer = create(serve, id="broken", script="stream|from(")
    assert status == 400 and answer["error"].startswith("invalid TICKscript: ")
    status, answer = create(serve, id="both", script="dbrp \"a\".\"b\"\n" + seed_script(9))
    assert (status, answer) == (400, {"error": "cannot specify dbrp in both implicitly and explicitly"})
    assert serve.json("GET", "/kapacitor/v1/tasks/nope") == (404, {"error": "no task exists"})
    assert serve.json("PATCH", "/kapacitor/v1/tasks/nope", {"status": "enabled"}) == (
        404, {"error": "task does not exist, cannot update"})
    status, _, body = serve.request("POST", "/kapacitor/v1/tasks", b"{not json")
    assert (status, json.loads(body)) == (400, {"error": "invalid JSON"})
    assert serve.json("GET", "/kapacitor/v1/replays") == (
        501, {"error": "GET /kapacitor/v1/replays is not implemented by tickpy serve"})


def test_update_replaces_the_script_and_delete_removes_the_task(serve):
    create(serve, status="enabled")
    new_script = seed_script(9).replace("< 10", "< 20")
    status, task = serve.json("PATCH", "/kapacitor/v1/tasks/seed", {"script": new_script})
    assert status == 200 and "< 20" in task["script"] and task["executing"]
    assert serve.json("GET", "/kapacitor/v1/alerts/topics/main:seed:alert2")[0] == 200
    status, _, body = serve.request("DELETE", "/kapacitor/v1/tasks/seed")
    assert (status, body) == (204, b"")
    assert serve.json("GET", "/kapacitor/v1/tasks") == (200, {"tasks": []})
    assert serve.json("GET", "/kapacitor/v1/alerts/topics/main:seed:alert2")[0] == 404  # gone with its task


def test_a_dbrp_statement_gives_the_task_its_dbrps(serve):
    status, task = create(serve, id="implicit", dbrps=[],
                          script='dbrp "telegraf"."autogen"\n' + seed_script(9))
    assert status == 200 and task["dbrps"] == [{"db": "telegraf", "rp": "autogen"}]


def test_points_reach_only_the_tasks_of_their_dbrp(serve):
    create(serve, status="enabled")
    create(serve, id="other", dbrps=[{"db": "other", "rp": "autogen"}], status="enabled")
    serve.write("cpu,host=a usage_idle=50 1\n")
    serve.wait_processed("seed", 1)
    _, answer = serve.json("GET", "/kapacitor/v1/debug/vars")
    assert answer["kapacitor"]["task:other"]["values"]["points_received"] == 0


def test_http_out_results_are_served_under_the_task(serve):
    create(serve, id="idle", script=HTTP_OUT, status="enabled")
    serve.write("".join(f"cpu,host=a usage_idle={v} {t}000000000\n" for v, t in ((10, 0), (20, 5), (30, 10))))
    serve.wait_processed("idle", 3)
    status, _, body = serve.request("GET", "/kapacitor/v1/tasks/idle/idle")
    assert status == 200
    assert json.loads(body) == {"series": [{"name": "cpu", "columns": ["time", "mean"],
                                            "values": [["1970-01-01T00:00:10Z", 15]]}]}


def test_templates_and_template_tasks(serve):
    template = 'var threshold float\nstream\n    |from()\n        .measurement(\'cpu\')\n    |alert()\n' \
               '        .crit(lambda: "usage_idle" < threshold)\n'
    status, answer = serve.json("POST", "/kapacitor/v1/templates", {"id": "idle", "script": template})
    assert status == 200 and answer["id"] == "idle"
    status, task = create(serve, id="from-template", script="", **{"template-id": "idle"},
                          vars={"threshold": {"type": "float", "value": 5.0}})
    assert status == 200, task
    assert task["template-id"] == "idle" and task["vars"]["threshold"]["value"] == 5.0
    _, listed = serve.json("GET", "/kapacitor/v1/templates/idle")
    assert listed["tasks"] == [{"link": {"rel": "self", "href": "/kapacitor/v1/tasks/from-template"},
                                "id": "from-template"}]
    status, answer = create(serve, id="no-vars", script="", **{"template-id": "idle"})
    assert status == 400 and answer["error"].startswith("invalid TICKscript: ")


def test_topic_handlers_are_defined_listed_shown_and_deleted(serve, tcp_listener):
    handler = {"topic": "cpu", "id": "tcp-cpu-alert", "kind": "tcp",
               "options": {"address": f"127.0.0.1:{tcp_listener.port}"}, "match": ""}
    status, answer = serve.json("POST", "/kapacitor/v1/alerts/topics/cpu/handlers", handler)
    assert status == 200
    assert answer == {"link": {"rel": "self", "href": "/kapacitor/v1/alerts/topics/cpu/handlers/tcp-cpu-alert"},
                      "id": "tcp-cpu-alert", "kind": "tcp", "options": handler["options"], "match": ""}
    _, listed = serve.json("GET", "/kapacitor/v1/alerts/topics/cpu/handlers")
    assert [h["id"] for h in listed["handlers"]] == ["tcp-cpu-alert"]
    status, answer = serve.json("POST", "/kapacitor/v1/alerts/topics/cpu/handlers",
                                dict(handler, id="bad", options={"adress": "x"}))
    assert status == 400 and answer["error"].startswith("invalid handler spec: ")
    # A task publishing to the topic: its events reach the handler, the topic keeps its state.
    script = seed_script(9).replace(".tcp('127.0.0.1:9')", ".topic('cpu')")
    create(serve, script=script, status="enabled")
    serve.write("cpu,host=a usage_idle=5 1700000000000000000\n")
    payload = tcp_listener.wait_for(1)[0]
    assert json.loads(payload)["level"] == "CRITICAL"
    status, topic = serve.json("GET", "/kapacitor/v1/alerts/topics/cpu")
    assert (status, topic["level"], topic["collected"]) == (200, "CRITICAL", 1)
    _, events = serve.json("GET", "/kapacitor/v1/alerts/topics/cpu/events")
    assert [(e["id"], e["state"]["level"]) for e in events["events"]] == [("cpu:nil", "CRITICAL")]
    status, _, _ = serve.request("DELETE", "/kapacitor/v1/alerts/topics/cpu/handlers/tcp-cpu-alert")
    assert status == 204
    assert serve.json("GET", "/kapacitor/v1/alerts/topics/cpu/handlers/tcp-cpu-alert") == (
        404, {"error": 'unknown handler: "tcp-cpu-alert"'})
    assert serve.json("GET", "/kapacitor/v1/alerts/topics/nope") == (404, {"error": 'unknown topic: "nope"'})


def test_a_refused_request_with_a_body_leaves_the_connection_usable(serve):
    connection = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=30)
    try:
        connection.request("PUT", "/kapacitor/v1/tasks/seed", body=b'{"status": "enabled"}' * 100)
        refused = connection.getresponse()
        assert refused.status == 405 and "error" in json.loads(refused.read())
        connection.request("GET", "/kapacitor/v1/tasks")
        answer = connection.getresponse()
        assert (answer.status, json.loads(answer.read())) == (200, {"tasks": []})
    finally:
        connection.close()


def test_influxdb_out_lines_are_counted_not_kept(serve):
    script = "stream\n    |from()\n        .measurement('cpu')\n    |influxDBOut()\n        .database('out')\n"
    create(serve, id="out", script=script, status="enabled")
    serve.write("".join(f"cpu,host=a usage_idle={i} {i}\n" for i in range(100)))
    serve.wait_processed("out", 100)
    _, answer = serve.json("GET", "/kapacitor/v1/debug/vars")
    assert answer["kapacitor"]["tickpy"]["values"]["influxdb_out_lines_dropped"] == 100

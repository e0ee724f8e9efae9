"""Writes as InfluxDB 1.x clients and Telegraf send them, with raw HTTP."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import time

import pytest

from tests.serve.conftest import seed_script

CPU = "cpu,host=a usage_idle=50 1700000000000000000\n"


def define_seed(serve, port=9):
    status, answer = serve.json("POST", "/kapacitor/v1/tasks", {
        "id": "seed", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": seed_script(port),
        "status": "enabled"})
    assert status == 200, answer


def test_ping_answers_204_with_kapacitor_s_version_header(serve):
    for path in ("/ping", "/kapacitor/v1/ping"):
        status, headers, body = serve.request("GET", path)
        assert (status, body) == (204, b"")
        assert headers["X-Kapacitor-Version"]


def test_a_write_is_acknowledged_with_204_and_reaches_the_task(serve):
    define_seed(serve)
    for path in ("/write", "/kapacitor/v1/write"):
        status, _, body = serve.request("POST", f"{path}?db=telegraf&rp=autogen", CPU.encode())
        assert (status, body) == (204, b"")
    serve.wait_processed("seed", 2)


def test_a_gzip_body_is_read_as_what_it_holds(serve):
    define_seed(serve)
    status, _, _ = serve.write(CPU * 3, gzipped=True)
    assert status == 204
    serve.wait_processed("seed", 3)


def test_a_corrupt_gzip_body_is_refused_in_influxdb_s_json_form(serve):
    status, headers, body = serve.request("POST", "/write?db=telegraf", b"\x1f\x8bnot gzip at all",
                                          {"Content-Encoding": "gzip"})
    assert status == 400
    assert "gzip" in json.loads(body)["error"]
    assert headers["X-Influxdb-Error"]


def test_a_write_without_a_database_is_refused(serve):
    status, _, body = serve.request("POST", "/write", CPU.encode())
    assert status == 400
    assert json.loads(body) == {"error": "database is required"}


def test_bad_lines_are_named_in_a_partial_write_error_and_the_good_ones_are_kept(serve):
    define_seed(serve)
    status, _, body = serve.write(CPU + "cpu,host=b usage_idle=\n" + CPU)
    assert status == 400
    error = json.loads(body)["error"]
    assert error.startswith("partial write: unable to parse 'cpu,host=b usage_idle=': ")
    assert error.endswith(" dropped=1")
    serve.wait_processed("seed", 2)
    _, answer = serve.json("GET", "/kapacitor/v1/debug/vars")
    assert answer["kapacitor"]["tickpy"]["values"]["lines_rejected"] == 1


def test_a_write_of_only_bad_lines_says_why_without_partial(serve):
    status, _, body = serve.write("just words\n")
    assert status == 400
    assert json.loads(body)["error"].startswith("unable to parse 'just words': ")


def test_precision_is_applied_to_the_timestamps(serve):
    define_seed(serve)
    status, _, _ = serve.write("cpu,host=a usage_idle=5 1700000000\n", precision="s")
    assert status == 204
    serve.wait_processed("seed", 1)
    _, topic = serve.json("GET", "/kapacitor/v1/alerts/topics/main:seed:alert2/events")
    assert topic["events"][0]["state"]["time"] == "2023-11-14T22:13:20Z"  # 1700000000 s since the epoch
    status, _, body = serve.write(CPU, precision="fortnight")
    assert status == 400 and "precision" in json.loads(body)["error"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(serve_factory, tmp_path):
    config = tmp_path / "kapacitor.conf"
    config.write_text("[http]\n  max-body-size = 1000\n  max-line-size = 100\n")
    serve = serve_factory("--bind", "127.0.0.1:0", "--config", str(config))
    status, _, body = serve.write(CPU * 100)
    assert status == 413
    assert "too large" in json.loads(body)["error"]
    status, _, body = serve.write(CPU + "cpu,host=a usage_idle=1,long=\"" + "x" * 200 + "\" 1\n")
    assert status == 400
    assert "line too long" in json.loads(body)["error"]
    # A gzip body is bounded once decompressed too.
    status, _, body = serve.request("POST", "/write?db=telegraf", gzip.compress(b"#" * 5000),
                                    {"Content-Encoding": "gzip"})
    assert status == 413


def test_telegraf_s_database_queries_are_answered(serve):
    define_seed(serve)
    status, answer = serve.json("POST", "/query?q=CREATE+DATABASE+%22metrics%22")
    assert status == 200 and answer == {"results": [{"statement_id": 0}]}
    status, answer = serve.json("GET", "/query?q=SHOW+DATABASES")
    assert answer["results"][0]["series"][0]["values"] == [["metrics"], ["telegraf"]]


def test_writes_over_one_keep_alive_connection(serve):
    define_seed(serve)
    connection = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=30)
    try:
        for _ in range(20):
            connection.request("POST", "/write?db=telegraf&rp=autogen", body=CPU * 10)
            answer = connection.getresponse()
            assert answer.status == 204
            answer.read()
    finally:
        connection.close()
    serve.wait_processed("seed", 200)


def test_a_full_queue_answers_503_with_retry_after_and_queues_nothing(serve_factory, tmp_path):
    serve = serve_factory("--bind", "127.0.0.1:0", "--queue-points", "10")
    define_seed(serve)
    big = "".join(f"cpu,host=h{i % 50} usage_idle=50 {1700000000000000000 + i}\n" for i in range(200_000))
    connection = http.client.HTTPConnection("127.0.0.1", serve.port, timeout=60)
    try:
        # An empty queue takes any write; while the task works through it, the next does not fit.
        connection.request("POST", "/write?db=telegraf&rp=autogen", body=big)
        first = connection.getresponse()
        first.read()
        connection.request("POST", "/write?db=telegraf&rp=autogen", body=CPU)
        second = connection.getresponse()
        body = second.read()
    finally:
        connection.close()
    assert first.status == 204
    assert second.status == 503
    assert second.getheader("Retry-After") == "1"
    assert "queue of task seed is full" in json.loads(body)["error"]
    serve.wait_processed("seed", 200_000)
    _, answer = serve.json("GET", "/kapacitor/v1/debug/vars")
    values = answer["kapacitor"]["tickpy"]["values"]
    assert values["writes_refused_queue_full"] == 1
    assert answer["kapacitor"]["task:seed"]["values"]["points_received"] == 200_000


def test_the_influxdb_python_client_writes_points(serve):
    influxdb = pytest.importorskip("influxdb", reason="the influxdb client is in the test extra")
    define_seed(serve)
    client = influxdb.InfluxDBClient(host="127.0.0.1", port=serve.port, database="telegraf")
    assert client.write_points([{"measurement": "cpu", "tags": {"host": "a"}, "time": 1700000000000000000,
                                 "fields": {"usage_idle": 5.0}}], retention_policy="autogen")
    serve.wait_processed("seed", 1)


def test_a_write_without_rp_gets_the_configured_default_retention_policy(serve_factory, tmp_path):
    config = tmp_path / "kapacitor.conf"
    config.write_text('default-retention-policy = "autogen"\n')
    serve = serve_factory("--bind", "127.0.0.1:0", "--config", str(config))
    define_seed(serve)
    assert serve.write(CPU, rp="")[0] == 204
    serve.wait_processed("seed", 1)


def test_without_a_default_a_write_without_rp_reaches_no_autogen_task(serve):
    define_seed(serve)
    assert serve.write(CPU, rp="")[0] == 204  # as Kapacitor: its rp is "", no task reads ("telegraf", "")
    _, answer = serve.json("GET", "/kapacitor/v1/debug/vars")
    assert answer["kapacitor"]["task:seed"]["values"]["points_received"] == 0
    assert answer["kapacitor"]["tickpy"]["values"]["points_received"] == 1


def test_connections_beyond_the_limit_are_closed_at_once(serve_factory, tmp_path):
    config = tmp_path / "kapacitor.conf"
    config.write_text("[http]\n  max-connections = 2\n")
    serve = serve_factory("--bind", "127.0.0.1:0", "--config", str(config))
    idle = [socket.create_connection(("127.0.0.1", serve.port)) for _ in range(2)]
    try:
        wait_for_refusal = socket.create_connection(("127.0.0.1", serve.port))
        wait_for_refusal.settimeout(30)
        assert wait_for_refusal.recv(1) == b""  # closed by the server, unanswered
        wait_for_refusal.close()
    finally:
        for connection in idle:
            connection.close()
    # Once the idle ones are gone, requests are served again.
    deadline = time.monotonic() + 30
    while True:
        try:
            if serve.request("GET", "/ping")[0] == 204:
                break
        except OSError:  # refused while the server had not yet seen the idle ones go
            pass
        assert time.monotonic() < deadline
        time.sleep(0.05)
    _, answer = serve.json("GET", "/kapacitor/v1/debug/vars")
    assert answer["kapacitor"]["tickpy"]["values"]["http_connections_refused"] >= 1

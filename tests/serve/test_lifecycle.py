"""What survives: definitions and topic states across a restart and a kill -9; the load directory
at start and on SIGHUP; SIGTERM's orderly stop."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time

from tests.serve.conftest import ROOT, seed_script

TOPIC_SCRIPT = seed_script(9).replace(".tcp('127.0.0.1:9')", ".topic('cpu')")


def wait_until(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} not met in {timeout}s")


def test_definitions_and_topic_states_survive_kill_9(serve_factory, tmp_path, tcp_listener):
    data = str(tmp_path / "data")
    first = serve_factory("--bind", "127.0.0.1:0", "--data-dir", data)
    status, _ = first.json("POST", "/kapacitor/v1/tasks", {
        "id": "seed", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "script": TOPIC_SCRIPT, "status": "enabled"})
    assert status == 200
    status, _ = first.json("POST", "/kapacitor/v1/alerts/topics/cpu/handlers", {
        "id": "to-tcp", "kind": "tcp", "options": {"address": f"127.0.0.1:{tcp_listener.port}"}})
    assert status == 200
    first.write("cpu,host=a usage_idle=5 1700000000000000000\n")
    tcp_listener.wait_for(1)
    # Topic states are written within a second of changing.
    wait_until(lambda: _stored_topic_count(tmp_path / "data" / "tickpy.db") > 0, what="topic state saved")
    first.kill()  # SIGKILL: nothing is flushed on the way out

    second = serve_factory("--bind", "127.0.0.1:0", "--data-dir", data)
    status, task = second.json("GET", "/kapacitor/v1/tasks/seed")
    assert (status, task["status"], task["executing"]) == (200, "enabled", True)
    status, handler = second.json("GET", "/kapacitor/v1/alerts/topics/cpu/handlers/to-tcp")
    assert status == 200 and handler["kind"] == "tcp"
    _, topic = second.json("GET", "/kapacitor/v1/alerts/topics/cpu")
    assert (topic["level"], topic["collected"]) == ("CRITICAL", 1)
    # The restored state is the previous level of the next event, as in Kapacitor.
    second.write("cpu,host=a usage_idle=50 1700000010000000000\n")
    payloads = tcp_listener.wait_for(2)
    assert b'"level":"OK"' in payloads[1] and b'"previousLevel":"CRITICAL"' in payloads[1]


def _stored_topic_count(path) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM records WHERE kind = 'topic_state'").fetchone()[0]


def test_sigterm_delivers_queued_alerts_and_exits_0(serve, tcp_listener):
    script = seed_script(tcp_listener.port)
    serve.json("POST", "/kapacitor/v1/tasks", {"id": "seed", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
                                               "script": script, "status": "enabled"})
    lines = "".join(f"cpu,host=h{i} usage_idle=5 {1700000000000000000 + i}\n" for i in range(50))
    assert serve.write(lines)[0] == 204
    assert serve.stop(signal.SIGTERM) == 0
    assert len(tcp_listener.payloads) == 50  # every acknowledged point's alert was delivered
    assert "tickpy serve: stopped" in serve.stderr


def test_sigterm_dead_letters_what_a_handler_that_never_answers_holds(serve_factory, tmp_path):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never reads, never closes
    try:
        data = tmp_path / "data"
        serve = serve_factory("--bind", "127.0.0.1:0", "--data-dir", str(data))
        serve.json("POST", "/kapacitor/v1/tasks", {
            "id": "seed", "dbrps": [{"db": "telegraf", "rp": "autogen"}], "status": "enabled",
            "script": seed_script(silent.getsockname()[1])})
        serve.write("".join(f"cpu,host=h{i} usage_idle=5 {i}\n" for i in range(3)))
        serve.wait_processed("seed", 3)
        started = time.monotonic()
        assert serve.stop(signal.SIGTERM) == 0
        assert time.monotonic() - started < 25
        assert (data / "dead-letter.jsonl").read_text().count("\n") == 3
    finally:
        silent.close()


def test_the_load_directory_is_loaded_at_start_and_on_sighup(serve_factory, tmp_path):
    load = tmp_path / "load"
    (load / "tasks").mkdir(parents=True)
    (load / "handlers").mkdir()
    (load / "templates").mkdir()
    (load / "tasks" / "first.tick").write_text('dbrp "telegraf"."autogen"\n' + TOPIC_SCRIPT)
    (load / "handlers" / "h.yaml").write_text("id: h\ntopic: cpu\nkind: log\noptions:\n  path: "
                                              f"{tmp_path / 'alerts.log'}\n")
    serve = serve_factory("--bind", "127.0.0.1:0", "--load-dir", str(load))
    _, task = serve.json("GET", "/kapacitor/v1/tasks/first")
    assert (task["status"], task["executing"]) == ("enabled", True)
    assert serve.json("GET", "/kapacitor/v1/alerts/topics/cpu/handlers/h")[0] == 200

    (load / "templates" / "idle.tick").write_text(
        "var threshold float\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n"
        "        .crit(lambda: \"usage_idle\" < threshold)\n        .topic('cpu')\n")
    (load / "tasks" / "second.yaml").write_text(
        "template-id: idle\ndbrps:\n  - db: telegraf\n    rp: autogen\nvars:\n  threshold:\n"
        "    type: float\n    value: 20\n")
    (load / "tasks" / "first.tick").unlink()
    serve.write("cpu,host=a usage_idle=50 1\n")  # queued before the reload: not dropped
    serve.process.send_signal(signal.SIGHUP)
    wait_until(lambda: "load directory reloaded" in serve.stderr, what="reload")
    assert serve.json("GET", "/kapacitor/v1/tasks/first")[0] == 404
    _, task = serve.json("GET", "/kapacitor/v1/tasks/second")
    assert (task["template-id"], task["executing"]) == ("idle", True)
    serve.write("cpu,host=a usage_idle=15 2\n")
    serve.wait_processed("second", 1)
    _, topic = serve.json("GET", "/kapacitor/v1/alerts/topics/cpu")
    assert topic["level"] == "CRITICAL"  # 15 < the vars file's threshold 20


def test_a_reload_swaps_a_changed_task_without_dropping_points(serve_factory, tmp_path, tcp_listener):
    def script(version: str) -> str:
        return ('dbrp "telegraf"."autogen"\nstream\n    |from()\n        .measurement(\'cpu\')\n    |alert()\n'
                f'        .crit(lambda: "usage_idle" < 100)\n        .message(\'{version}\')\n'
                f'        .tcp(\'127.0.0.1:{tcp_listener.port}\')\n')

    load = tmp_path / "load"
    (load / "tasks").mkdir(parents=True)
    task_file = load / "tasks" / "seed.tick"
    task_file.write_text(script("v1"))
    serve = serve_factory("--bind", "127.0.0.1:0", "--load-dir", str(load))
    task_file.write_text(script("v2"))
    serve.process.send_signal(signal.SIGHUP)
    sent = 0
    deadline = time.monotonic() + 60
    while "load directory reloaded" not in serve.stderr or sent < 20:
        assert time.monotonic() < deadline, "no reload within 60 s of SIGHUP"
        assert serve.write(f"cpu,host=h{sent} usage_idle=50 {sent}\n")[0] == 204
        sent += 1
    payloads = tcp_listener.wait_for(sent, timeout=60)
    # Every acknowledged point gave its alert: before the swap from the old task, after it from the
    # new, in order (the old task's handler delivers what it holds before the new one starts).
    messages = [json.loads(payload)["message"] for payload in payloads]
    assert len(messages) == sent, messages
    assert [json.loads(payload)["data"]["series"][0]["tags"]["host"] for payload in payloads] == [
        f"h{number}" for number in range(sent)]
    assert messages == sorted(messages) and messages[-1] == "v2"


def test_a_non_loopback_bind_without_authentication_is_refused(serve_factory, tmp_path):
    result = subprocess.run([sys.executable, "-m", "tickpy", "serve", "--bind", "0.0.0.0:0"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "refusing to listen on 0.0.0.0:0 without authentication" in result.stderr


def test_with_basic_auth_users_requests_must_authenticate(serve_factory, tmp_path):
    config = tmp_path / "kapacitor.conf"
    config.write_text('[http]\n  auth-enabled = true\n  [[http.users]]\n    username = "ops"\n'
                      '    password = "s3cret"\n')
    token = tmp_path / "token"
    token.write_text("t0ken\n")
    serve = serve_factory("--bind", "0.0.0.0:0", "--config", str(config), "--token-file", str(token))
    serve.url = f"http://127.0.0.1:{serve.port}"
    assert serve.request("GET", "/ping")[0] == 204  # ping asks no one
    status, _, body = serve.request("GET", "/kapacitor/v1/tasks")
    assert status == 401
    good = {"Authorization": "Basic " + base64.b64encode(b"ops:s3cret").decode()}
    bad = {"Authorization": "Basic " + base64.b64encode(b"ops:wrong").decode()}
    assert serve.request("GET", "/kapacitor/v1/tasks", headers=good)[0] == 200
    assert serve.request("GET", "/kapacitor/v1/tasks", headers=bad)[0] == 401
    assert serve.request("GET", "/kapacitor/v1/tasks", headers={"Authorization": "Bearer t0ken"})[0] == 200
    assert serve.request("POST", "/write?db=telegraf&u=ops&p=s3cret", b"cpu v=1 1\n")[0] == 204
    status, _, body = serve.request("GET", "/kapacitor/v1/tasks", headers=bad)
    assert json.loads(body) == {"error": "authorization failed"}  # Kapacitor's words


def jwt(secret: str, claims: dict, alg: str = "HS512") -> str:
    def part(value) -> str:
        data = value if isinstance(value, bytes) else json.dumps(value).encode()
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing = f"{part({'alg': alg, 'typ': 'JWT'})}.{part(claims)}"
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    return f"{signing}.{part(hmac.new(secret.encode(), signing.encode(), digest).digest())}"


def test_bearer_jwts_signed_with_the_shared_secret_authenticate_a_user(serve_factory, tmp_path):
    config = tmp_path / "kapacitor.conf"
    config.write_text('[http]\n  auth-enabled = true\n  shared-secret = "sekrit"\n  [[http.users]]\n'
                      '    username = "ops"\n    password = "s3cret"\n')
    serve = serve_factory("--bind", "127.0.0.1:0", "--config", str(config))
    later = time.time() + 600

    def answer(token):
        status, _, body = serve.request("GET", "/kapacitor/v1/tasks", headers={"Authorization": f"Bearer {token}"})
        return status, json.loads(body)

    assert answer(jwt("sekrit", {"username": "ops", "exp": later}))[0] == 200
    assert answer(jwt("sekrit", {"username": "ops", "exp": later}, alg="HS256"))[0] == 200
    assert answer(jwt("wrong", {"username": "ops", "exp": later})) == (
        401, {"error": "invalid token: signature is invalid"})
    assert answer(jwt("sekrit", {"username": "ops"})) == (401, {"error": "token expiration required"})
    assert answer(jwt("sekrit", {"username": "ops", "exp": time.time() - 10})) == (
        401, {"error": "invalid token: Token is expired"})
    assert answer(jwt("sekrit", {"username": "nobody", "exp": later}))[0] == 401


def test_a_handler_that_never_answers_does_not_hold_up_another_task(serve_factory, tcp_listener):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never reads, never closes
    try:
        serve = serve_factory("--bind", "127.0.0.1:0")
        for task_id, port, db in (("stuck", silent.getsockname()[1], "a"), ("healthy", tcp_listener.port, "b")):
            status, _ = serve.json("POST", "/kapacitor/v1/tasks", {
                "id": task_id, "dbrps": [{"db": db, "rp": "autogen"}], "status": "enabled",
                "script": seed_script(port)})
            assert status == 200
        alerting = "".join(f"cpu,host=h{i} usage_idle=5 {i}\n" for i in range(200))
        started = time.monotonic()
        assert serve.write(alerting, db="a")[0] == 204
        assert serve.write(alerting, db="b")[0] == 204
        assert len(tcp_listener.wait_for(200)) == 200
        # Each attempt on the silent endpoint waits 5 s; the healthy task's 200 alerts did not wait for them.
        assert time.monotonic() - started < 5
    finally:
        silent.close()


def test_an_unusable_data_directory_or_configuration_stops_the_start_with_a_message(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    config = tmp_path / "kapacitor.conf"
    config.write_text("[[httppost]]\n  endpoint = 5\n")
    for args, message in ((["--data-dir", str(blocked / "data")], "cannot use the data directory"),
                          (["--config", str(config)], str(config))):
        result = subprocess.run([sys.executable, "-m", "tickpy", "serve", "--bind", "127.0.0.1:0", *args], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_a_restart_after_sigterm_keeps_the_topic_state_of_the_last_points(serve_factory, tmp_path):
    data = str(tmp_path / "data")
    first = serve_factory("--bind", "127.0.0.1:0", "--data-dir", data)
    first.json("POST", "/kapacitor/v1/tasks", {"id": "seed", "dbrps": [{"db": "telegraf", "rp": "autogen"}],
                                               "script": TOPIC_SCRIPT, "status": "enabled"})
    first.write("cpu,host=a usage_idle=5 1700000000000000000\n")
    assert first.stop(signal.SIGTERM) == 0  # at once: the state is written on the way out
    second = serve_factory("--bind", "127.0.0.1:0", "--data-dir", data)
    _, topic = second.json("GET", "/kapacitor/v1/alerts/topics/cpu")
    assert (topic["level"], topic["collected"]) == ("CRITICAL", 1)
    _, events = second.json("GET", "/kapacitor/v1/alerts/topics/cpu/events/cpu:nil")
    assert events["state"]["time"] == "2023-11-14T22:13:20Z"

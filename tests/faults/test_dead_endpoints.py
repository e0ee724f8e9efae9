"""What a dead or stuck endpoint can cost a run is bounded: per-attempt timeouts, and a circuit
breaker per handler that dead-letters without an attempt for a cool-down, says so in one line,
then tries again. Real peers on 127.0.0.1, real `tickpy run`s (and the service for the
cool-down, which the command line does not shorten)."""

from __future__ import annotations

import json
import re
import time

from tests.alerting.events import make_event
from tests.faults.peers import FlappingListener, HTTPPeer, NeverAccepting, SlowReader
from tests.faults.runs import Run, account, dead_lettered, points, script
from tickpy.alerting.service import AlertService
from tickpy.check.pipeline import HandlerSpec


def breaker_lines(run: Run) -> list[str]:
    return [line for line in run.stderr.splitlines() if "circuit breaker opened" in line]


def test_post_to_a_server_that_never_answers(tmp_path):
    # Before: each alert cost up to 4 attempts of 10 s, then 10 s each: 3 alerts took 62 s.
    peer = HTTPPeer(hang=True)
    (tmp_path / "t.tick").write_text(script(f".post('{peer.url}')"))
    (tmp_path / "p.lp").write_text(points(30))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl", "--handler-timeout", "0.5").finish()
    peer.close()
    dead = dead_lettered(tmp_path / "dl.jsonl")
    account([], dead, 30)
    assert run.status == 1
    assert run.seconds < 15  # 4 attempts of 0.5 s, then the breaker: not 30 x 0.5 s more
    assert len(peer.requests) == 4
    [line] = breaker_lines(run)
    assert f"post {peer.url} (t .post())" in line and "29 alerts dead-lettered without an attempt" in line
    assert [r["attempts"] for r in dead] == [4] + [0] * 29


def test_post_to_a_server_answering_500(tmp_path):
    peer = HTTPPeer(status=500)
    (tmp_path / "t.tick").write_text(script(f".post('{peer.url}')"))
    (tmp_path / "p.lp").write_text(points(30))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl").finish()
    peer.close()
    dead = dead_lettered(tmp_path / "dl.jsonl")
    account([], dead, 30)
    assert run.status == 1 and run.seconds < 15
    assert len(peer.requests) == 4  # the first alert's attempts; the next ones are not attempted
    assert "POST returned non 2xx status code 500" in dead[0]["error"]
    [line] = breaker_lines(run)
    assert "29 alerts dead-lettered without an attempt" in line


def test_tcp_to_a_listener_that_never_accepts_with_the_default_timeout(tmp_path):
    # The accept queue is full: the kernel drops the connection attempts. Before: 5 s per
    # attempt, 30 alerts took 159 s.
    peer = NeverAccepting(full=True)
    (tmp_path / "t.tick").write_text(script(f".tcp('{peer.address}')"))
    (tmp_path / "p.lp").write_text(points(30))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl").finish()
    peer.close()
    dead = dead_lettered(tmp_path / "dl.jsonl")
    account([], dead, 30)
    assert run.status == 1
    assert run.seconds < 40  # 4 attempts of 5 s and their backoff, then the breaker
    assert dead[0]["error"] == f"tcp handler failed to connect: dial tcp {peer.address}: i/o timeout"
    [line] = breaker_lines(run)
    assert f"tcp {peer.address} (t .tcp())" in line and "29 alerts" in line


def test_breaker_fails_fast_for_the_cool_down_then_tries_again():
    peer = FlappingListener()
    peer.down()
    reported: list[str] = []
    service = AlertService(report=reported.append, backoff_s=0.01, breaker_cooldown_s=0.5)
    handler = service.direct_handler(HandlerSpec("tcp", [peer.address]), "task")
    second = 0

    def send_one():
        nonlocal second
        service.handle(make_event(time_s=second, event_id=f"e{second}"), [handler], node="alert2")
        second += 1

    while handler.stats.failed < 3:  # the endpoint is down: the breaker opens after the first alert
        send_one()
        time.sleep(0.02)
    opened = time.monotonic()
    peer.up()
    while handler.stats.delivered == 0 and time.monotonic() - opened < 10:
        send_one()  # dead-lettered at once until the cool-down is over, then a probe succeeds
        time.sleep(0.02)
    for _ in range(5):
        send_one()
    summary = service.close()
    peer.close()
    assert summary.delivered >= 6 and summary.delivered + summary.failed == second
    assert handler.stats.skipped >= 2  # not attempted while open
    [line] = [line for line in reported if "circuit breaker opened" in line]
    assert re.search(rf"tcp {peer.address} \(task \.tcp\(\)\): {handler.stats.skipped} alerts dead-lettered "
                     r"without an attempt: the circuit breaker opened after 3 failed attempts in a row "
                     r"\(tcp handler failed to connect: .*Connection refused\) and stays open 0.5s at a time", line)
    assert len(peer.received) == summary.delivered  # each delivered alert arrived, whole
    assert all(json.loads(payload)["id"].startswith("e") for payload in peer.received)


def test_a_stuck_consumer_of_a_large_alert(tmp_path):
    # Before: the whole write had the connect timeout (5 s) and failing it was reported as
    # "failed to connect: i/o timeout", after partial payloads on several connections.
    peer = SlowReader(stop_after=1_000_000)
    big = "x" * 5_000_000  # the alert is larger than what the kernels' buffers on both sides hold
    (tmp_path / "t.tick").write_text(script(f".tcp('{peer.address}')"))
    (tmp_path / "p.lp").write_text(f'cpu v=0,big="{big}" 0\n')
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl", "--handler-timeout", "0.5").finish()
    peer.close()
    [record] = dead_lettered(tmp_path / "dl.jsonl")
    account([], [record], 1)
    total = len(record["payload"].encode())
    assert total > 10_000_000
    assert re.fullmatch(rf"tcp handler failed to write: write tcp {peer.address}: i/o timeout "
                        rf"\(\d+ of {total} bytes written\)", record["error"]), record["error"]
    assert all(len(got) < total for got in peer.received)  # what arrived was never whole
    assert run.status == 1 and run.seconds < 20


def test_a_slow_but_steady_consumer_of_a_large_alert_gets_it_whole(tmp_path):
    # Each wait for the reader is bounded, not the whole write: a reader that keeps taking
    # bytes, however slowly, gets everything.
    peer = SlowReader(chunk=65536, pause_s=0.01)
    big = "y" * 2_000_000
    (tmp_path / "t.tick").write_text(script(f".tcp('{peer.address}')"))
    (tmp_path / "p.lp").write_text(f'cpu v=0,big="{big}" 0\n')
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl", "--handler-timeout", "0.5").finish()
    peer.close()
    assert run.status == 0, run.stderr
    [payload] = peer.received
    assert big in json.loads(payload)["data"]["series"][0]["values"][0]
    assert run.seconds > 0.5  # the reader did take longer than one timeout to read it all

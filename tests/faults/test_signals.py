"""SIGINT and SIGTERM at any moment of `tickpy run`: before the engine is up, while reading,
while the queued alerts are delivered at the end, twice. Each ends with 130 (SIGINT) or 143
(SIGTERM), no traceback, every alert either delivered or dead-lettered, no program left running.
Real `tickpy run` subprocesses, real signals, real peers on 127.0.0.1."""

from __future__ import annotations

import random
import signal
import subprocess
import time

import pytest

from tests.faults.peers import HTTPPeer, Sink
from tests.faults.runs import Run, account, dead_lettered, points, process_alive, script

STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
BOTH = pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
# A program that runs until it is killed, noting its pid first; --exec-timeout 0 (no limit) leaves
# the killing to the shutdown.
HANGS = ".exec('/bin/sh', '-c', 'echo $$ >> pids; exec sleep 1000')"
WAITING = r"3 alerts not delivered yet .* waiting for them"


def start_hanging_run(tmp_path) -> Run:
    (tmp_path / "t.tick").write_text(script(HANGS))
    (tmp_path / "p.lp").write_text(points(3))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl", "--exec-timeout", "0")
    run.wait_for_line(WAITING)  # the input is read; the run waits for the queued alerts
    return run


def assert_stopped_in_order(run: Run, tmp_path, number: int) -> None:
    assert run.status == STATUS[number], run.stderr
    account([], dead_lettered(tmp_path / "dl.jsonl"), 3)
    assert "alert delivery: 0 delivered, 3 NOT delivered, dead-lettered to dl.jsonl" in run.stderr
    assert f"3 alerts (3 CRITICAL), 3 alert deliveries failed, stopped by {signal.Signals(number).name}" in run.stderr
    assert "Traceback" not in run.stderr and "Aborted!" not in run.stderr
    pid = int((tmp_path / "pids").read_text())
    assert not process_alive(pid)


@BOTH
def test_a_signal_while_waiting_for_queued_alerts_drains_in_order(tmp_path, number):
    # Before: SIGTERM killed tickpy at once (no summary, no dead-letter file), SIGINT printed
    # "Aborted!" and exited 1, and the program kept running in both cases.
    run = start_hanging_run(tmp_path)
    signalled = time.monotonic()
    run.process.send_signal(number)
    run.wait_for_line(r"^tickpy: stopping: 3 alerts not delivered yet .*: they get 5s to be delivered, then are dead-lettered")
    run.finish(60)
    assert 4.5 <= run.ended - signalled < 15  # the grace period, then the program is killed
    assert_stopped_in_order(run, tmp_path, number)


def test_a_second_signal_stops_the_drain_at_once(tmp_path):
    run = start_hanging_run(tmp_path)
    run.process.send_signal(signal.SIGTERM)
    run.wait_for_line(r"^tickpy: stopping: 3 alerts")
    second = time.monotonic()
    run.process.send_signal(signal.SIGINT)
    run.finish(60)
    assert run.ended - second < 3
    assert "tickpy: stopping now: 3 alerts not delivered yet" in run.stderr
    assert_stopped_in_order(run, tmp_path, signal.SIGTERM)  # the status of the signal that stopped it


@BOTH
def test_a_signal_before_any_point_is_read(tmp_path, number):
    # Before: a traceback (KeyboardInterrupt), click's "Aborted!" and status 1, or death by
    # the signal (-15), depending on the moment.
    (tmp_path / "t.tick").write_text(script(".log('/dev/null')"))
    (tmp_path / "p.lp").write_text(points(3))
    run = Run.start(tmp_path, "t.tick", "p.lp")
    run.wait_for_signal_handling()
    run.process.send_signal(number)
    run.finish(60)
    assert run.status == STATUS[number], run.stderr
    assert "Traceback" not in run.stderr and "Aborted!" not in run.stderr


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM, signal.SIGINT], ids=["SIGINT", "SIGTERM", "again"])
def test_a_signal_while_reading_loses_no_alert(tmp_path, number):
    # Before: a run stopped while reading lost, about every other time, one alert: counted in
    # the summary, but neither delivered nor dead-lettered (the signal's exception came between
    # counting it and queueing it).
    log = tmp_path / "alerts.log"
    (tmp_path / "t.tick").write_text(script(f".log('{log}')"))
    (tmp_path / "p.lp").write_text(points(60_000))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl")
    while not (log.exists() and log.stat().st_size):  # the first alert is written: reading is under way
        assert run.process.poll() is None, run.stderr
        time.sleep(0.005)
    run.process.send_signal(number)
    run.finish(60)
    assert run.status == STATUS[number], run.stderr
    produced = run.summary_alerts()
    assert 0 < produced < 60_000
    account(log.read_bytes().splitlines(), dead_lettered(tmp_path / "dl.jsonl"), produced)


@pytest.mark.parametrize("seed", range(5))
def test_a_signal_at_a_random_moment(tmp_path, seed):
    # From the moment tickpy handles signals to 3 s on: imports and checks, reading, the drain.
    moment = random.Random(seed).uniform(0.0, 3.0)
    number = (signal.SIGINT, signal.SIGTERM)[seed % 2]
    sink, slow = Sink(), HTTPPeer(delay_s=0.01)
    log = tmp_path / "alerts.log"
    (tmp_path / "t.tick").write_text(script(f".tcp('{sink.address}').log('{log}').post('{slow.url}')"))
    (tmp_path / "p.lp").write_text(points(400))  # the post handler takes 4 s or more to deliver them
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl")
    run.wait_for_signal_handling()
    signalled = time.monotonic() + moment
    while time.monotonic() < signalled:
        assert run.process.poll() is None, run.stderr  # the run outlasts the moment
        time.sleep(0.005)
    run.process.send_signal(number)
    run.finish(60)
    sink.close()
    slow.close()
    assert run.status == STATUS[number], run.stderr
    assert "Traceback" not in run.stderr and "Aborted!" not in run.stderr
    assert run.ended - signalled < 10  # 5 s of grace at most, then everything is dead-lettered
    produced = run.summary_alerts()
    dead = dead_lettered(tmp_path / "dl.jsonl")
    account(sink.received, [r for r in dead if r["kind"] == "tcp"], produced)
    account(log.read_bytes().splitlines() if log.exists() else [], [r for r in dead if r["kind"] == "log"], produced)
    account(slow.requests, [r for r in dead if r["kind"] == "post"], produced)


@BOTH
def test_a_signal_while_waiting_for_input_on_a_pipe(tmp_path, number):
    # The read of standard input is waiting when the signal comes: it ends at once.
    sink = Sink()
    (tmp_path / "t.tick").write_text(script(f".tcp('{sink.address}')"))
    run = Run.start(tmp_path, "t.tick", "-", "--dead-letter", "dl.jsonl", stdin=subprocess.PIPE)
    run.process.stdin.write(points(3))
    run.process.stdin.flush()  # and left open: tickpy waits for more
    while len(sink.received) < 3:
        assert run.process.poll() is None, run.stderr
        time.sleep(0.005)
    run.process.send_signal(number)
    run.finish(30)
    sink.close()
    run.process.stdin.close()
    assert run.status == STATUS[number], run.stderr
    assert run.summary_alerts() == 3
    account(sink.received, dead_lettered(tmp_path / "dl.jsonl"), 3)

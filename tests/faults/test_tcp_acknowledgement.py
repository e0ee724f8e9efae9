"""A tcp alert counts as delivered only when the peer has it (closed its side after reading):
peers that reset unread, never read, or flap lose nothing; well-behaved readers (our sinks,
`tickpy listen`) still count as delivered. Real listeners on 127.0.0.1, real `tickpy run`s."""

from __future__ import annotations

import subprocess
import threading

from tests.faults.peers import FlappingListener, NeverAccepting, ResettingListener, Sink
from tests.faults.runs import TICKPY, Run, account, dead_lettered, points, script


def test_a_peer_that_resets_unread_loses_nothing(tmp_path):
    # Before: `sendall` returning counted as delivered: 200 of 200 lost, exit status 0.
    peer = ResettingListener()
    (tmp_path / "t.tick").write_text(script(f".tcp('{peer.address}')"))
    (tmp_path / "p.lp").write_text(points(200))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl").finish()
    peer.close()
    dead = dead_lettered(tmp_path / "dl.jsonl")
    account([], dead, 200)
    assert run.status == 1, run.stderr
    assert run.seconds < 30
    assert peer.accepted >= 1
    assert "no acknowledgement" in dead[0]["error"] and "Connection reset by peer" in dead[0]["error"]
    assert dead[0]["attempts"] == 4  # each alert gets its retries
    assert "200 NOT delivered" in run.stderr


def test_a_peer_that_never_reads_is_not_counted_as_delivered(tmp_path):
    # Connecting succeeds (the kernel queues the connection) and the write lands in a buffer,
    # but no program ever reads it. Before: 10 of 10 counted as delivered, exit status 0.
    peer = NeverAccepting(full=False)
    (tmp_path / "t.tick").write_text(script(f".tcp('{peer.address}')"))
    (tmp_path / "p.lp").write_text(points(10))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl", "--handler-timeout", "0.5").finish()
    peer.close()
    dead = dead_lettered(tmp_path / "dl.jsonl")
    account([], dead, 10)
    assert run.status == 1
    assert "no acknowledgement" in dead[0]["error"] and "did not close the connection within 0.5s" in dead[0]["error"]
    # 4 attempts of at most 0.5 s for the first alert, then the circuit breaker: a bounded run
    assert run.seconds < 15


def test_readers_that_close_after_reading_count_as_delivered(tmp_path):
    sink = Sink()
    (tmp_path / "t.tick").write_text(script(f".tcp('{sink.address}')"))
    (tmp_path / "p.lp").write_text(points(200))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl").finish()
    sink.close()
    assert run.status == 0, run.stderr
    account(sink.received, [], 200)
    assert not (tmp_path / "dl.jsonl").exists()
    assert sink.received[0].endswith(b"}\n\n")  # Kapacitor's bytes: the JSON and a blank line


def test_tickpy_listen_counts_as_delivered(tmp_path):
    listen = subprocess.Popen([TICKPY, "listen", "127.0.0.1:0", "--raw"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        line = listen.stderr.readline().decode()
        address = line.split("listening on ")[1].split()[0]
        (tmp_path / "t.tick").write_text(script(f".tcp('{address}')"))
        (tmp_path / "p.lp").write_text(points(20))
        run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl").finish()
        assert run.status == 0, run.stderr
        assert "20 delivered" in run.stderr
    finally:
        listen.terminate()
        raw, _ = listen.communicate(timeout=10)
    account([part for part in raw.split(b"\n\n") if part.strip()], [], 20)


def test_a_flapping_listener_loses_nothing_and_duplicates_nothing(tmp_path):
    # Before: a listener going down and up every 3 s lost 37 of 3,000 alerts (those waiting in
    # its accept queue when it closed were reset after the write had returned).
    peer = FlappingListener()
    (tmp_path / "t.tick").write_text(script(f".tcp('{peer.address}')"))
    count = 1200
    run = Run.start(tmp_path, "t.tick", "-", "--dead-letter", "dl.jsonl", "--breaker-failures", "0",
                    stdin=subprocess.PIPE)
    flapping = threading.Event()

    def flap():
        up = True
        while not flapping.wait(0.15):
            (peer.down if up else peer.up)()
            up = not up
        peer.up()

    flapper = threading.Thread(target=flap, daemon=True)
    flapper.start()
    try:
        for start in range(0, count, 40):  # about 3 s of input
            run.process.stdin.write(points(40, start))
            run.process.stdin.flush()
            flapping.wait(0.1)
        run.process.stdin.close()
        run.finish()
    finally:
        flapping.set()
        flapper.join()
    peer.close()
    dead = dead_lettered(tmp_path / "dl.jsonl")
    account(peer.received, dead, count)
    assert run.status == (1 if dead else 0), run.stderr
    assert run.seconds < 60

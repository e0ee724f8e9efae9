"""An exec handler's program that hangs cannot keep a run from ending: it is killed after
--exec-timeout (default 10 s; Kapacitor has no limit), with everything it started (its own
process group), and the alert is dead-lettered. Real programs, real `tickpy run`s."""

from __future__ import annotations

from tests.faults.runs import Run, account, dead_lettered, points, process_alive, script

# Starts a grandchild, notes its pid, and waits for it: killing only the program would leave the
# grandchild running.
HANGS = ".exec('/bin/sh', '-c', 'sleep 1000 & echo $! >> pids; wait')"


def test_a_program_that_hangs_is_killed_with_what_it_started(tmp_path):
    # Before: the run never ended.
    (tmp_path / "t.tick").write_text(script(HANGS))
    (tmp_path / "p.lp").write_text(points(3))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl", "--exec-timeout", "0.5").finish(60)
    dead = dead_lettered(tmp_path / "dl.jsonl")
    account([], dead, 3)
    assert run.status == 1
    assert run.seconds < 15
    assert [r["error"] for r in dead] == ["exec command failed: /bin/sh still running after 0.5s: killed "
                                          "(--exec-timeout sets the limit)"] * 3
    pids = [int(line) for line in (tmp_path / "pids").read_text().split()]
    assert len(pids) == 3 and not any(process_alive(pid) for pid in pids)


def test_the_default_limit_is_ten_seconds(tmp_path):
    (tmp_path / "t.tick").write_text(script(HANGS))
    (tmp_path / "p.lp").write_text(points(1))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl").finish(60)
    [record] = dead_lettered(tmp_path / "dl.jsonl")
    assert "still running after 10s: killed" in record["error"]
    assert run.status == 1 and 10 <= run.seconds < 20
    assert not process_alive(int((tmp_path / "pids").read_text()))


def test_a_program_within_the_limit_delivers(tmp_path):
    (tmp_path / "t.tick").write_text(script(".exec('/bin/sh', '-c', 'sleep 0.2; cat >> got.jsonl')"))
    (tmp_path / "p.lp").write_text(points(3))
    run = Run.start(tmp_path, "t.tick", "p.lp", "--dead-letter", "dl.jsonl", "--exec-timeout", "5").finish(60)
    assert run.status == 0, run.stderr
    account((tmp_path / "got.jsonl").read_bytes().splitlines(), [], 3)

"""`tickpy run` at its edges (QA #4, #17, #25): a closed stdout, the script on stdin, a
configuration file that is not text. A real process where the pipe is the point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TICKPY = str(Path(sys.executable).parent / "tickpy")
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def clean(stderr: str) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr


def test_closed_stdout_exits_quietly_with_the_sigpipe_status(tmp_path):
    (tmp_path / "out.tick").write_text("stream|from().measurement('cpu')|influxDBOut().database('x')\n")
    # far more than a pipe buffer holds, so the writer meets the closed pipe
    (tmp_path / "big.lp").write_text("".join(f"cpu v={i} {i}\n" for i in range(50_000)))
    process = subprocess.Popen([TICKPY, "run", "out.tick", "big.lp"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    process.stdout.close()  # what `| head -1` does after its line
    stderr = process.stderr.read()
    process.wait(timeout=60)
    assert first == "cpu v=0 0\n"
    clean(stderr)
    assert stderr == ""
    assert process.returncode == 141  # 128 + SIGPIPE, as the shell reports `yes | head -1`


def test_script_from_stdin_with_points_from_a_file(cli):
    script = (SAMPLES / "cpu_alert.tick").read_text()
    from_stdin = cli("run", "-", SAMPLES / "cpu.lp", stdin=script)
    from_file = cli("run", SAMPLES / "cpu_alert.tick", SAMPLES / "cpu.lp")
    clean(from_stdin.stderr)
    assert from_stdin.returncode == from_file.returncode == 0
    summary = from_file.stderr.strip().splitlines()[-1].replace("task cpu_alert:", "task task:")
    assert from_stdin.stderr.strip().splitlines()[-1] == summary


def test_script_errors_from_stdin_are_named_stdin(cli):
    result = cli("run", "-", SAMPLES / "cpu.lp", stdin="stream|from(\n")
    assert result.returncode == 2
    assert result.stderr.startswith("<stdin>:")


def test_script_and_points_both_from_stdin_is_refused(cli):
    for args in (["-"], ["-", "-"]):
        result = cli("run", *args, stdin="x")
        assert result.returncode == 2
        assert "the script cannot be read from standard input when the points are" in result.stderr


def test_run_help_says_whether_stdin_works_for_the_script(cli):
    result = cli("run", "--help")
    assert "SCRIPT" in result.stdout and "- for standard input" in result.stdout


def test_config_that_is_not_text_is_a_file_error(tmp_path, cli):
    (tmp_path / "rb.toml").write_bytes(bytes(range(0xe7, 0x100)) + b"\x00\x01[x]")
    result = cli("run", SAMPLES / "cpu_alert.tick", SAMPLES / "cpu.lp", "--config", "rb.toml", cwd=tmp_path)
    clean(result.stderr)
    assert result.returncode == 2
    assert result.stderr.startswith("rb.toml: error: ")
    assert "not UTF-8 text" in result.stderr


def test_influxdb_out_in_a_missing_folder_says_so(tmp_path, cli):
    target = tmp_path / "no-such-folder" / "out.lp"
    result = cli("run", SAMPLES / "cpu_alert.tick", SAMPLES / "cpu.lp", "--influxdb-out", target)
    assert result.returncode == 2
    assert "is a directory" not in result.stderr
    assert f"--influxdb-out {target}: cannot create it: the folder {target.parent} does not exist" in result.stderr
    assert not target.parent.exists()


def test_points_without_timestamps_are_pointed_out_once(tmp_path, cli):
    (tmp_path / "out.tick").write_text("stream|from().measurement('cpu')|influxDBOut().database('x')\n")
    (tmp_path / "p.lp").write_text("cpu v=1 0\ncpu v=2\ncpu v=3\n")
    result = cli("run", "out.tick", "p.lp", cwd=tmp_path)
    assert result.returncode == 0
    notes = [line for line in result.stderr.splitlines() if "without a timestamp" in line]
    assert len(notes) == 1 and notes[0].startswith("tickpy run: p.lp: ")
    stamped = [int(line.rsplit(" ", 1)[1]) for line in result.stdout.splitlines()]
    assert stamped[0] == 0 and stamped[1] == stamped[2] > 0  # the wall clock, as Kapacitor gives it
    (tmp_path / "timed.lp").write_text("cpu v=1 0\ncpu v=2 1\n")
    timed = cli("run", "out.tick", "timed.lp", cwd=tmp_path)
    assert timed.returncode == 0 and "without a timestamp" not in timed.stderr

"""Command-line edge cases shared by validate, fmt, parse, graph, eval and explain:
a folder without scripts is a usage error (QA #8) and a closed standard output ends the
command quietly with status 141, never with a status that means "not formatted" or
"invalid" (QA #16)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TICKPY = str(Path(sys.executable).parent / "tickpy")
SCRIPT = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage\" > 90)\n"


@pytest.mark.parametrize("command", ["validate", "fmt", "parse"])
def test_a_folder_without_scripts_is_a_usage_error(tmp_path, command, cli):
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.txt").write_text("not a script")
    result = cli(command, empty)
    assert result.returncode == 2
    assert f"no .tick files found under {empty}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["validate", "fmt", "parse"])
def test_a_symlink_loop_is_a_folder_without_scripts(tmp_path, command, cli):
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "self").symlink_to(loop)
    result = cli(command, loop)
    assert result.returncode == 2
    assert "no .tick files found under" in result.stderr


def test_folders_with_scripts_still_work(tmp_path, cli):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.tick").write_text(SCRIPT)
    assert cli("validate", tmp_path).returncode == 0
    assert cli("parse", tmp_path).returncode == 0


def run_with_closed_stdout(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    """A real process: what the operating system does to a write on a pipe without a reader
    is the point."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    try:
        return subprocess.run([TICKPY, *args], stdout=write_end, stderr=subprocess.PIPE, input=stdin, text=True, timeout=120)
    finally:
        os.close(write_end)


@pytest.fixture
def scripts(tmp_path):
    folder = tmp_path / "scripts"
    folder.mkdir()
    for index in range(3):
        (folder / f"s{index}.tick").write_text(SCRIPT.replace("    ", "  "))  # not formatted
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ["fmt", "{folder}"],
        ["fmt", "--check", "{folder}"],
        ["parse", "--json", "{folder}"],
        ["parse", "{folder}"],
        ["validate", "--format", "json", "{folder}"],
        ["graph", "{script}"],
        ["explain", "{script}"],
        ["eval", "1 + 1"],
    ],
)
def test_closed_stdout_exits_quietly_with_141(scripts, args):
    script = str(scripts / "s0.tick")
    result = run_with_closed_stdout([arg.format(folder=scripts, script=script) for arg in args])
    assert result.returncode == 141, result.stderr
    assert result.stderr == ""


def test_file_names_that_are_not_utf8(tmp_path, cli):
    """validate --format json/text/github, graph and explain name such a file with U+FFFD
    for the bytes that are not UTF-8 (validate --format json ended in an encoding error)."""
    folder = tmp_path / "scripts"
    folder.mkdir()
    good = os.path.join(os.fsencode(folder), b"good\xff.tick")
    bad = os.path.join(os.fsencode(folder), b"bad\xfe.tick")
    with open(good, "wb") as handle:
        handle.write(SCRIPT.encode())
    with open(bad, "wb") as handle:
        handle.write(b"stream|from().foo()\n")
    result = cli("validate", "--format", "json", folder, text=False)
    assert result.returncode == 1, result.stderr
    records = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert sorted(record["path"] for record in records) == sorted([f"{folder}/bad\ufffd.tick", f"{folder}/good\ufffd.tick"])
    for output_format in ("text", "github"):
        result = cli("validate", "--format", output_format, folder, text=False)
        assert result.returncode == 1 and f"{folder}/bad\ufffd.tick".encode() in result.stdout
    for command in ("graph", "explain"):
        result = cli(command, bad, text=False)
        assert result.returncode == 1 and f"{folder}/bad\ufffd.tick:1:15: error:".encode() in result.stderr


def test_fmt_write_to_an_unwritable_file_is_reported(tmp_path, cli):
    script = tmp_path / "a.tick"
    script.write_text("stream|from()\n")  # not formatted: -w rewrites it
    script.chmod(0o444)
    immutable = False
    if os.access(script, os.W_OK):  # root ignores modes; an immutable file refuses even root
        immutable = subprocess.run(["chattr", "+i", str(script)], capture_output=True).returncode == 0
        if not immutable:
            pytest.skip("cannot make a file unwritable here")
    try:
        result = cli("fmt", "-w", script)
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(script)], capture_output=True)
        script.chmod(0o644)
    assert result.returncode == 2
    assert f"{script}: error: cannot write {script}:" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert script.read_text() == "stream|from()\n"

"""What `tickpy run` does with inputs that are not plain line protocol: Windows line endings, a
byte order mark, gzip data, binary junk, control characters; and how many rejected lines it
prints. Real processes: the exit status and what reaches stderr are the point.

InfluxDB's parser (and so Kapacitor) rejects `m v=1 1\\r` with "bad timestamp" (scanTime accepts
only digits before the end of the line) and keeps a byte order mark as part of the first
measurement name; those verdicts stay, tickpy only says why.
"""

from __future__ import annotations

import gzip
import random
import subprocess
import sys
from pathlib import Path

import pytest

TICKPY = str(Path(sys.executable).parent / "tickpy")  # the installed console script
LOG_SCRIPT = "stream\n    |from()\n        .measurement('m')\n    |log()\n"


def tickpy(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([TICKPY, *map(str, args)], input=stdin, capture_output=True, timeout=120)


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "t.tick"
    path.write_text(LOG_SCRIPT)
    return path


def test_crlf_lines_are_rejected_as_kapacitor_does_with_the_cr_shown_and_a_hint(tmp_path, script):
    points = tmp_path / "win.lp"
    points.write_bytes(b"m v=1 1\r\nm v=2 2\r\n")
    result = tickpy("run", script, points)
    stderr = result.stderr.decode()
    assert result.returncode == 1
    assert "\r" not in stderr
    assert f"{points}:1: unable to parse 'm v=1 1\\x0d': bad timestamp" in stderr
    assert f"{points}:2: unable to parse 'm v=2 2\\x0d': bad timestamp" in stderr
    assert stderr.count("Windows line endings") == 1
    assert "0 points read, 2 input lines rejected" in stderr


def test_a_byte_order_mark_before_line_protocol_is_kept_in_the_name_and_noted(tmp_path, script):
    points = tmp_path / "bom.lp"
    points.write_bytes(b"\xef\xbb\xbfm v=1 1\nm v=2 2\n")
    result = tickpy("run", script, points)
    stderr = result.stderr.decode()
    assert result.returncode == 0
    assert f"tickpy run: {points}: it starts with a UTF-8 byte order mark" in stderr
    assert "field_v=2" in stderr and "field_v=1" not in stderr  # "\ufeffm" is another measurement
    assert "2 points read (1 of measurements no from() selects, ignored)" in stderr


def _logged_values(stderr: str) -> list[str]:
    return [word for line in stderr.splitlines() for word in line.split() if word.startswith("field_v=")]


def test_gzip_files_and_gzip_on_stdin_are_read_as_what_they_hold(tmp_path, script):
    text = b"".join(b"m v=%d %d\n" % (i, i) for i in range(1, 2001))
    plain = tmp_path / "points.lp"
    plain.write_bytes(text)
    packed = tmp_path / "points.lp.gz"
    packed.write_bytes(gzip.compress(text))
    expected = [f"field_v={i}" for i in range(1, 2001)]
    for args, stdin in (((plain,), None), ((packed,), None), (("-",), gzip.compress(text))):
        result = tickpy("run", script, *args, stdin=stdin)
        assert result.returncode == 0, result.stderr.decode()[-500:]
        assert _logged_values(result.stderr.decode()) == expected
        assert "2000 points read, 0 alerts" in result.stderr.decode()


def test_a_gzip_file_cut_short_keeps_the_points_before_and_exits_1(tmp_path, script):
    text = b"".join(b"m v=%d %d\n" % (i, i) for i in range(1, 20001))
    packed = gzip.compress(text)
    cut = tmp_path / "cut.lp.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    result = tickpy("run", script, cut)
    stderr = result.stderr.decode()
    assert result.returncode == 1
    assert f"tickpy run: {cut}: the gzip data is cut short or corrupt" in stderr
    values = _logged_values(stderr)
    assert values and values == [f"field_v={i}" for i in range(1, len(values) + 1)]
    assert "1 gzip input cut short" in stderr


def _junk_line(rng: random.Random) -> bytes:
    # Bytes that are not text, and no newline, quote or backslash: each line is one rejected entry.
    allowed = [b for b in range(256) if b not in (0x0A, 0x22, 0x5C) and (b < 0x20 or b >= 0x80)]
    return bytes(rng.choice(allowed) for _ in range(rng.randrange(20, 80)))


def test_binary_input_is_noted_and_only_the_first_20_rejected_lines_are_printed(tmp_path, script):
    rng = random.Random(7)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\n".join(_junk_line(rng) for _ in range(500)) + b"\n")
    result = tickpy("run", script, junk)
    stderr = result.stderr.decode()
    assert result.returncode == 1
    assert f"tickpy run: {junk}: this does not look like line protocol:" in stderr
    assert [line.split(":")[1] for line in stderr.splitlines() if line.startswith(f"{junk}:")] == \
        [str(n) for n in range(1, 21)]
    assert "tickpy run: ... and 480 more rejected input lines (not shown)" in stderr
    assert "0 points read, 500 input lines rejected" in stderr
    assert len(result.stderr) < 20_000


def test_control_characters_from_data_are_escaped_in_error_lines(tmp_path, script):
    points = tmp_path / "esc.lp"
    points.write_bytes(b"m,host=\x1b[2J v=oops 1\nm v=1 2\n")
    result = tickpy("run", script, points)
    stderr = result.stderr.decode()
    assert result.returncode == 1
    assert "\x1b" not in stderr
    assert f"{points}:1: unable to parse 'm,host=\\x1b[2J v=oops 1': invalid boolean" in stderr


def test_control_characters_from_data_are_escaped_in_the_trace(tmp_path):
    script = tmp_path / "alert.tick"
    script.write_text("stream\n    |from()\n        .measurement('m')\n    |alert()\n        .crit(lambda: \"v\" > 5)\n")
    points = tmp_path / "esc.lp"
    points.write_bytes(b"m,host=a\x1b[2Jb v=1 1000000000\n")
    result = tickpy("run", "--trace", script, points)
    stderr = result.stderr.decode()
    assert result.returncode == 0
    assert "\x1b" not in stderr
    assert "point 1: m,host=a\\x1b[2Jb v=1 1000000000" in stderr


def test_scripts_with_bytes_that_are_not_utf8_get_the_same_answer_from_every_command(tmp_path):
    regex = tmp_path / "regex.tick"
    regex.write_bytes(b"stream\n    |from()\n        .where(lambda: \"host\" =~ /a\xff/)\n    |log()\n")
    message = f"{regex}:3:34: error: invalid regular expression: invalid UTF-8: `a\ufffd`"
    for command, status in (("validate", 1), ("parse", 2), ("fmt", 2), ("run", 2)):
        result = tickpy(command, regex, stdin=b"")
        output = (result.stdout + result.stderr).decode("utf-8", "replace")
        assert result.returncode == status, (command, output)
        assert message in output, (command, output)

    string = tmp_path / "string.tick"
    string.write_bytes(b"stream\n    |from()\n        .measurement('m\xff')\n    |log()\n")
    for command in ("validate", "parse", "fmt", "run"):
        result = tickpy(command, string, stdin=b"")
        assert result.returncode == 0, (command, result.stderr.decode("utf-8", "replace"))


def test_a_byte_order_mark_at_the_start_of_a_script_gets_a_hint(tmp_path):
    script = tmp_path / "bom.tick"
    script.write_bytes(b"\xef\xbb\xbf" + LOG_SCRIPT.encode())
    for command, status in (("validate", 1), ("parse", 2)):
        result = tickpy(command, script)
        output = (result.stdout + result.stderr).decode()
        assert result.returncode == status
        assert f"{script}:1:1: error: unexpected character '\\ufeff'" in output
        assert "hint: U+FEFF is a byte order mark" in output

"""`tickpy fmt` and `tickpy parse` through the command line."""

import json

from tests.conftest import run_cli

UNFORMATTED = "stream|from().measurement('cpu')|alert()\n"
FORMATTED = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n"


def tickpy(*args, stdin: bytes | None = None):
    return run_cli(*args, stdin=stdin, text=False)


def test_fmt_prints_to_stdout(tmp_path):
    script = tmp_path / "task.tick"
    script.write_text(UNFORMATTED)
    result = tickpy("fmt", str(script))
    assert result.returncode == 0
    assert result.stdout.decode() == FORMATTED
    assert script.read_text() == UNFORMATTED


def test_fmt_check_and_diff_exit_one_for_unformatted(tmp_path):
    bad, good = tmp_path / "bad.tick", tmp_path / "good.tick"
    bad.write_text(UNFORMATTED)
    good.write_text(FORMATTED)
    result = tickpy("fmt", "--check", str(bad), str(good))
    assert result.returncode == 1 and result.stdout.decode().splitlines() == [str(bad)]
    assert tickpy("fmt", "--check", str(good)).returncode == 0
    diff = tickpy("fmt", "--diff", str(bad))
    assert diff.returncode == 1
    assert "+    |from()" in diff.stdout.decode() and "-stream|from()" in diff.stdout.decode()


def test_fmt_write_rewrites_in_place(tmp_path):
    script = tmp_path / "task.tick"
    script.write_text(UNFORMATTED)
    (tmp_path / "tidy.tick").write_text(FORMATTED)
    result = tickpy("fmt", "-w", str(tmp_path))  # a directory means its *.tick files
    assert result.returncode == 0 and result.stdout == b""
    assert script.read_text() == FORMATTED
    assert result.stderr.decode() == "tickpy fmt: 1 file reformatted, 1 file left unchanged\n"
    again = tickpy("fmt", "-w", str(tmp_path))
    assert again.stderr.decode() == "tickpy fmt: 0 files reformatted, 2 files left unchanged\n"


def test_fmt_reads_stdin_and_reports_syntax_errors_without_traceback():
    result = tickpy("fmt", "-", stdin=b"stream\n    |from(\n")
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.startswith("<stdin>:3:1: error:")
    assert "Traceback" not in err
    assert "never closed" in err


def test_parse_json_prints_the_tree(tmp_path):
    script = tmp_path / "task.tick"
    script.write_text('var x = 5m\nstream|where(lambda: "a" > 1)\n')
    result = tickpy("parse", "--json", str(script))
    assert result.returncode == 0
    document = json.loads(result.stdout)
    program = document["ast"]
    assert program["type"] == "Program"
    decl, chain = program["statements"]
    assert decl["type"] == "Declaration" and decl["value"]["nanoseconds"] == 300_000_000_000
    where = chain["right"]
    assert where["kind"] == "chain" and where["args"][0]["expression"]["operator"] == ">"
    assert where["span"]["line"] == 2 and where["span"]["column"] == 8


def test_parse_reports_missing_file():
    result = tickpy("parse", "/nonexistent/task.tick")
    assert result.returncode == 2 and "cannot read" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_parse_json_handles_very_deep_trees(tmp_path):
    depth = 3000  # deeper than Python's own json module can read back, so count instead
    script = tmp_path / "deep.tick"
    script.write_text("var x = " + "(1 + " * depth + "1" + ")" * depth)
    result = tickpy("parse", "--json", str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(b'"type": "Binary"') == depth
    assert result.stdout.count(b"{") == result.stdout.count(b"}")

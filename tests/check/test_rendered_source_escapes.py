"""The source line under a diagnostic shows control and escape characters escaped, with the
caret still under what it points at (QA #15: validate and graph echoed raw escape bytes,
so a crafted script could drive the terminal)."""

from __future__ import annotations

import pytest

from tickpy.diagnostics import Diagnostic, render

SCRIPT = b"stream|from().measurement('a\x1b]0;owned\x07\x1b[2Jb').foo()\n"


def caret_lines(text: str) -> tuple[str, str]:
    lines = text.splitlines()
    caret = next(index for index, line in enumerate(lines) if line.strip().startswith("^"))
    return lines[caret - 1], lines[caret]


@pytest.mark.parametrize("command", ["validate", "graph"])
def test_commands_escape_control_bytes_and_keep_the_caret_aligned(tmp_path, command, cli):
    script = tmp_path / "esc.tick"
    script.write_bytes(SCRIPT)
    result = cli(command, script, text=False)
    assert result.returncode == 1
    output = (result.stdout + result.stderr).decode("utf-8")
    assert "\x1b" not in output and "\x07" not in output
    source_line, carets = caret_lines(output)
    assert r"\x1b]0;owned\x07\x1b[2J" in source_line
    start = carets.index("^")
    assert source_line[start : start + len(carets.strip())] == "foo"


def test_caret_spans_an_escaped_character():
    diagnostic = Diagnostic("unexpected character", line=1, column=14, end_line=1, end_column=15)
    source_line, carets = caret_lines(render(diagnostic, "x.tick", "stream|from()\x1b[2J"))
    start = carets.index("^")
    assert source_line[start : start + len(carets.strip())] == r"\x1b"


def test_bidi_overrides_and_undecodable_bytes_are_escaped_printable_text_is_not():
    source = "var x = 'é\u202e漢' + \udcff\n"
    diagnostic = Diagnostic("problem", line=1, column=len("var x = 'é\u202e漢' + ".encode("utf-8", "surrogateescape")) + 1)
    source_line, carets = caret_lines(render(diagnostic, "x.tick", source))
    assert "é" in source_line and "漢" in source_line
    assert r"\u202e" in source_line and r"\xff" in source_line and "\u202e" not in source_line
    assert source_line[carets.index("^") :].startswith(r"\xff")

"""Whatever the input, the user gets a diagnostic or a result, never a Python traceback."""

import random

import pytest

from tickpy.diagnostics import TickpyError
from tickpy.syntax import format_source


def outcome(source: str) -> str:
    try:
        format_source(source)
        return "ok"
    except TickpyError as error:
        diagnostic = error.diagnostics[0]
        assert diagnostic.message and diagnostic.line >= 1
        return "error"


def test_random_bytes_never_raise_anything_else():
    rng = random.Random(20240101)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        outcome(data.decode("utf-8", "surrogateescape"))


def test_random_token_soup_never_raises_anything_else():
    rng = random.Random(7)
    pieces = ["stream", "|", ".", "@", "(", ")", "[", "]", ",", "lambda:", '"f"', "'s'", "5m", "1.5", "010",
              "AND", "OR", "+", "-", "*", "/", "=", "==", "!", "=~", "/x/", "var", "dbrp", "TRUE", "\n", "// c\n", " "]
    for _ in range(500):
        outcome(" ".join(rng.choice(pieces) for _ in range(rng.randrange(1, 30))))


def test_ten_thousand_nested_parentheses():
    depth = 10_000
    assert outcome("var x = " + "(" * depth + "1" + ")" * depth) == "ok"
    assert outcome("var x = " + "(1 + " * depth + "1" + ")" * depth) == "ok"
    assert outcome("var x = " + "(" * depth) == "error"
    assert outcome("stream|where(lambda: " + "-" * depth + "1)") == "ok"


def test_large_file_through_the_cli(tmp_path, cli):
    block = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"x\" > 5)\n\n"
    script = tmp_path / "big.tick"
    script.write_text(block * 10_000 + "|oops(")  # about 1 MB, with an error at the very end
    result = cli("fmt", "--check", script, text=False)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert f"{script}:60001:7: error".encode() in result.stderr


@pytest.mark.parametrize("data", [b"\xff\xfe\x00stream", b"\x00", "stream|from().measurement('\u00e9')".encode()])
def test_odd_encodings_through_the_cli(tmp_path, data, cli):
    script = tmp_path / "odd.tick"
    script.write_bytes(data)
    result = cli("fmt", script, text=False)
    assert result.returncode in (0, 2)
    assert b"Traceback" not in result.stderr

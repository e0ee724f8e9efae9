"""Hints for numbers written with an exponent and durations with a unit TICKscript lacks
(QA #11: `1e400`, `9.3e18` and `1ns` were answered with "is a ',' missing between two
arguments?")."""

from __future__ import annotations

import pytest

from tickpy.diagnostics import TickpyError
from tickpy.syntax import parse
from tickpy.syntax.parser import parse_lambda_expression

UNITS = "u (or µ), ms, s, m, h, d, w"


def hint_of(text: str, as_lambda: bool = True) -> str:
    with pytest.raises(TickpyError) as caught:
        parse_lambda_expression(text) if as_lambda else parse(text)
    return caught.value.diagnostics[0].hint or ""


@pytest.mark.parametrize(
    "expression, literal, digits",
    [
        ("int(9.3e18)", "9.3e18", "9300000000000000000"),
        ("1e5", "1e5", "100000"),
        ('"x" > 1.5e3', "1.5e3", "1500"),
        ("2.5e-3", "2.5e-3", "0.0025"),
        ("1E+6", "1E+6", "1000000"),
    ],
)
def test_exponent_notation_hint_gives_the_digits(expression, literal, digits):
    hint = hint_of(expression)
    assert "no exponent notation" in hint and literal in hint and f"({digits})" in hint
    assert "','" not in hint


def test_huge_exponent_gets_the_hint_without_digits():
    hint = hint_of("int(1e400)")
    assert hint == "TICKscript numbers have no exponent notation: write 1e400 out in digits"


def test_nanoseconds_and_other_units():
    assert hint_of("stream|from()|window().period(1ns)", as_lambda=False) == (
        f"TICKscript durations have no ns unit (the smallest is u, a microsecond); the units are {UNITS}"
    )
    for written, unit in (("5min", "min"), ("10sec", "sec"), ("3y", "y")):
        assert hint_of(written) == f"`{unit}` is not a duration unit: TICKscript's units are {UNITS}"


def test_a_missing_comma_still_gets_its_hint():
    hint = hint_of("stream|from()|eval(lambda: 1 \"x\")", as_lambda=False)
    assert hint == "is a ',' missing between two arguments?"


def test_commands_show_the_hint(tmp_path, cli):
    script = tmp_path / "ns.tick"
    script.write_text("stream|from()|window().period(1ns)\n")
    validated = cli("validate", script)
    assert validated.returncode == 1 and "no ns unit" in validated.stdout
    evaluated = cli("eval", "--", "int(1e400)")
    assert evaluated.returncode == 1 and "no exponent notation" in evaluated.stderr

"""Numbers of thousands of digits, wherever tickpy reads numbers from text (issue D4).

Python's int() and str() refuse decimal numbers past 4,300 digits with a ValueError; Go's
strconv reads any length and says "value out of range". Each entry point must answer as
Kapacitor (or InfluxDB's line-protocol parser) would: the line rejected with InfluxDB's reason,
or a positioned error, never an internal error. The expected reasons are InfluxDB's
models/points.go texts ("unable to parse integer %s: %s", "invalid float") around strconv's
"value out of range", and Go's yaml.v2 resolution of a number no float64 holds (a string).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tickpy.alerting.handlerfile import parse_handler_text
from tickpy.diagnostics import TickpyError
from tickpy.golang.goformat import GoRangeError, atoi, parse_float, parse_int, parse_uint
from tickpy.golang.gohttp import port_number, url_port_problem
from tickpy.golang.gotime import parse_go_duration, parse_influx_duration
from tickpy.runtime.lineprotocol import LineError, parse_line, read_points
from tickpy.syntax import format_source, parse

TICKPY = str(Path(sys.executable).parent / "tickpy")  # the installed console script
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DIGITS = "9" * 5000
ZEROS = "0" * 5000


def tickpy(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([TICKPY, *map(str, args)], input=stdin, capture_output=True, timeout=120)


# --- Go's strconv and time, the functions everything else reads numbers with ----------------


@pytest.mark.parametrize("parse_function", [parse_int, parse_uint, atoi])
def test_strconv_integers_past_any_length_are_out_of_range(parse_function):
    with pytest.raises(GoRangeError, match="value out of range"):
        parse_function(DIGITS)
    assert parse_function(ZEROS + "42") == 42  # leading zeros are not a magnitude


def test_strconv_float_past_float64_is_out_of_range_and_a_long_fraction_is_fine():
    with pytest.raises(GoRangeError, match="value out of range"):
        parse_float(DIGITS)
    assert parse_float("0." + DIGITS) == 1.0


@pytest.mark.parametrize("text", [DIGITS + "s", "1h" + DIGITS + "ms", "-" + DIGITS + "m"])
def test_durations_with_thousands_of_digits_are_invalid(text):
    with pytest.raises(ValueError, match='time: invalid duration "'):
        parse_go_duration(text)
    with pytest.raises(ValueError, match="^invalid duration$"):
        parse_influx_duration(text)
    assert parse_go_duration(ZEROS + "5s") == 5_000_000_000
    assert parse_influx_duration(ZEROS + "5s") == 5_000_000_000


def test_ports_of_thousands_of_digits_are_invalid():
    assert port_number(DIGITS) == 65536 and port_number(ZEROS + "80") == 80
    assert "invalid port" in url_port_problem(f"http://localhost:{DIGITS}/x")


# --- line protocol ---------------------------------------------------------------------------


def _reasons(text: str):
    errors: list[LineError] = []
    points = list(read_points(text, now=0, on_error=errors.append))
    return points, [(error.line, error.reason) for error in errors]


def test_line_protocol_rejects_each_huge_number_with_influxdbs_reason_and_reads_on():
    text = (
        f"m v=1 {DIGITS}\n"
        f"m v={DIGITS}i 1\n"
        f"m v=-{DIGITS}i 1\n"
        f"m v={DIGITS} 1\n"
        f"m v=1e{DIGITS} 1\n"
        f"m v={DIGITS}.5 1\n"
        f"m v=1 {ZEROS}7\n"
        "m v=2 8\n"
    )
    points, errors = _reasons(text)
    assert [(p.fields["v"], p.time) for p in points] == [(1.0, 7), (2.0, 8)]
    assert [line for line, _ in errors] == [1, 2, 3, 4, 5, 6]
    assert errors[0][1].endswith(f': strconv.ParseInt: parsing "{DIGITS}": value out of range')
    assert errors[1][1].endswith(f': unable to parse integer {DIGITS}: strconv.ParseInt: parsing "{DIGITS}": '
                                 "value out of range")
    assert errors[2][1].endswith(f'parsing "-{DIGITS}": value out of range')
    assert [reason.rsplit(": ", 1)[1] for _, reason in errors[3:]] == ["invalid float"] * 3


def test_parse_line_raises_the_line_protocol_error_for_a_huge_timestamp():
    with pytest.raises(ValueError, match="value out of range"):
        parse_line(f"m v=1 {DIGITS}")


def test_tickpy_run_rejects_huge_numbers_and_reads_every_later_line(tmp_path):
    script = tmp_path / "t.tick"
    script.write_text("stream\n    |from()\n        .measurement('m')\n    |log()\n")
    points = tmp_path / "points.lp"
    points.write_text(f"m v=1 {DIGITS}\nm v={DIGITS}i 2\nm v={DIGITS} 3\nm v=4 4\n")
    result = tickpy("run", script, points)
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert "internal error" not in stderr
    assert f"{points}:1: " in stderr and f"{points}:2: " in stderr and f"{points}:3: " in stderr
    assert "field_v=4" in stderr  # the line after them was read
    assert "1 points read, 3 input lines rejected" in stderr


# --- scripts and lambdas ---------------------------------------------------------------------

SCRIPTS = {
    "duration var": (f"var x = {DIGITS}s\n", "is too long: a duration is at most about 292 years"),
    "int in lambda": (f"stream\n    |from()\n    |where(lambda: \"v\" > {DIGITS})\n",
                      "is too large for a 64-bit integer"),
    "float in lambda": (f"stream\n    |from()\n    |where(lambda: \"v\" > {DIGITS}.5)\n",
                        "is too large for a 64-bit float"),
    "duration in lambda": (f"stream\n    |from()\n    |where(lambda: \"v\" > {DIGITS}m)\n",
                           "is too long: a duration is at most about 292 years"),
    "octal": (f"var x = 0{'7' * 5000}\n", "is too large for a 64-bit integer"),
    "exponent": (f"stream\n    |from()\n    |where(lambda: \"v\" > 1e{DIGITS})\n",
                 "TICKscript numbers have no exponent notation"),
    "number glued to exponent": (f"stream\n    |from()\n    |where(lambda: \"v\" > {DIGITS}e5)\n",
                                 "is too large for a 64-bit integer"),
}


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_with_huge_literals_give_a_positioned_error(name):
    source, words = SCRIPTS[name]
    for function in (parse, format_source):
        with pytest.raises(TickpyError) as raised:
            function(source)
        diagnostic = raised.value.diagnostics[0]
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert words in diagnostic.message + " " + (diagnostic.hint or "")


def test_validate_parse_and_fmt_report_a_huge_literal_with_position_and_caret(tmp_path):
    script = tmp_path / "big.tick"
    script.write_text(f"stream\n    |from()\n    |where(lambda: \"v\" > {DIGITS})\n    |log()\n")
    for command, status in (("validate", 1), ("parse", 2), ("fmt", 2)):
        result = tickpy(command, script)
        output = result.stdout.decode() + result.stderr.decode()
        assert result.returncode == status, (command, output[:500])
        assert f"{script}:3:26: error: 9999999999999999...99999999 (5000 characters) is too large for a " \
               "64-bit integer" in output
        assert "^^^^" in output and "internal error" not in output


# --- tickpy eval -----------------------------------------------------------------------------


@pytest.mark.parametrize("value, words", [
    (DIGITS + "i", "is out of range for a 64-bit integer"),
    (DIGITS, "is out of range for a 64-bit float"),
    ("1e400", "is out of range for a 64-bit float"),
])
def test_eval_field_values_out_of_range_are_usage_errors(value, words):
    result = tickpy("eval", '"v"', "--field", f"v={value}")
    assert result.returncode == 2
    assert words in result.stderr.decode()


# --- handler files ---------------------------------------------------------------------------


def test_yaml_handler_file_number_past_float64_is_a_string_as_in_yaml_v2():
    text = f"id: h1\ntopic: t\nkind: alerta\noptions:\n  attributes:\n    big: {DIGITS}\n    small: 5\n"
    spec, problems = parse_handler_text("h.yaml", text)
    assert problems == []
    assert spec.options["attributes"] == {"big": DIGITS, "small": 5.0}


def test_yaml_handler_file_huge_number_where_a_duration_goes_is_a_positioned_error():
    spec, problems = parse_handler_text("h.yaml", f"id: h1\ntopic: t\nkind: alerta\noptions:\n  timeout: {DIGITS}\n")
    assert spec is None
    assert (problems[0].line, problems[0].column) == (5, 3)
    assert "invalid duration" in problems[0].message


@pytest.mark.parametrize("number", [DIGITS, DIGITS + ".5", "1e400"])
def test_json_handler_file_number_past_float64_is_an_error_at_the_number(number):
    text = '{"id": "h1", "topic": "t", "kind": "alerta",\n "options": {"attributes": {"x": ' + number + '}}}'
    spec, problems = parse_handler_text("h.json", text)
    assert spec is None
    assert (problems[0].line, problems[0].column) == (2, 34)
    assert "is out of range" in problems[0].message


def test_handlers_check_and_run_with_huge_numbers_in_handler_files(tmp_path):
    yaml_file = tmp_path / "big.yaml"
    yaml_file.write_text(f"id: h1\ntopic: t\nkind: log\noptions:\n  path: {tmp_path / 'out.log'}\n  mode: {DIGITS}\n")
    json_file = tmp_path / "big.json"
    json_file.write_text(json.dumps({"id": "h2", "topic": "t", "kind": "alerta"})[:-1]
                         + ', "options": {"attributes": {"x": ' + DIGITS + '}}}')
    column = json_file.read_text().index(DIGITS) + 1
    result = tickpy("handlers", "check", yaml_file, json_file)
    stderr = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 1
    assert f"{yaml_file}:6:3: error: options: 'mode' must be a file mode" in stderr
    assert f"{json_file}:1:{column}: error: invalid JSON: the number" in stderr
    assert "internal error" not in stderr and "Traceback" not in stderr

    script = tmp_path / "t.tick"
    script.write_text("stream\n    |from()\n    |alert()\n        .topic('t')\n")
    run = tickpy("run", "--handlers", json_file, script, stdin=b"")
    assert run.returncode == 2
    assert f"{json_file}:1:{column}: error: invalid JSON: the number" in run.stderr.decode()


def test_config_with_an_integer_of_thousands_of_digits_is_a_config_error(tmp_path):
    config = tmp_path / "kapacitor.conf"
    config.write_text(f"[slack]\n  enabled = true\n  timeout = {DIGITS}\n")
    script = tmp_path / "t.tick"
    script.write_text("stream\n    |from()\n    |log()\n")
    run = tickpy("run", "--config", config, script, stdin=b"")
    assert run.returncode == 2
    assert "invalid TOML: an integer is out of the range of 64-bit signed integers" in run.stderr.decode()
    assert f"{config}:3:" in run.stderr.decode()


# --- tickpy test files -----------------------------------------------------------------------


def test_test_file_with_huge_numbers_is_an_unreadable_file_not_a_crash(tmp_path):
    (tmp_path / "t.tick").write_text("stream\n    |from()\n    |alert()\n        .crit(lambda: \"v\" > 1)\n")
    spec = tmp_path / "t.tickpy.yaml"
    spec.write_text(f"script: t.tick\npoints: |\n  m v=2 0s\ntests:\n  - name: one\n    expect:\n"
                    f"      counts: {{crit: {DIGITS}}}\n")
    result = tickpy("test", spec)
    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode != 0
    assert f"{spec.name}:7: tests[0] (one): expect.counts.crit must be a whole number" in output
    assert "Traceback" not in output and "internal error" not in output


def test_snmp_oid_part_of_thousands_of_digits_is_out_of_snmpgos_range():
    from tickpy.alerting.payloads.monitoring import _snmp_oid

    with pytest.raises(ValueError, match="The sub-identifiers is range 0..4294967295"):
        _snmp_oid(f"1.3.{DIGITS}")


# --- every entry point at once, numbers grown at random --------------------------------------


def _grow_numbers(rng: random.Random, text: str) -> str:
    """`text` with about half of its digit runs made thousands of digits long."""
    def grow(match):
        if rng.random() < 0.5:
            return match.group()
        return match.group() + "".join(rng.choices("0123456789", k=rng.randrange(4300, 6000)))
    return re.sub(r"[0-9]+", grow, text)


def test_numbers_grown_anywhere_give_answers_never_exceptions():
    rng = random.Random(4300)
    points = "\n".join((SAMPLES / "cpu.lp").read_text().splitlines()[:40])
    scripts = [path.read_text() for path in sorted(SAMPLES.glob("*.tick"))]
    handler_files = [(path.name, path.read_text()) for path in sorted(SAMPLES.glob("*.yaml"))
                     if not path.name.endswith(".tickpy.yaml")]
    handler_files.append(("h.json", json.dumps({"id": "h", "topic": "t", "kind": "alerta",
                                                 "options": {"timeout": 10, "attributes": {"n": 123}}})))
    for _ in range(25):
        errors: list[LineError] = []
        list(read_points(_grow_numbers(rng, points), now=0, on_error=errors.append))
        assert all("out of range" in e.reason or "invalid float" in e.reason for e in errors)
        for source in scripts:
            try:
                format_source(_grow_numbers(rng, source))
            except TickpyError as error:
                assert error.diagnostics[0].line >= 1
        for name, text in handler_files:
            spec, problems = parse_handler_text(name, _grow_numbers(rng, text))
            assert spec is not None or problems

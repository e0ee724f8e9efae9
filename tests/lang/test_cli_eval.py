"""`tickpy eval`: one point from the command line, or case lines on stdin."""

from __future__ import annotations

import json

from tests.conftest import CliResult, run_cli


def tickpy(*args: str, stdin: str | None = None) -> CliResult:
    return run_cli("eval", *args, stdin=stdin)


def test_prints_value_and_type():
    result = tickpy('"usage_idle" < 10', "--field", "usage_idle=5.5")
    assert result.returncode == 0
    assert result.stdout.strip() == "true (boolean)"


def test_line_protocol_field_values_and_tags():
    result = tickpy('"n" * 2 + strLength("host")', "--field", "n=5i", "--tag", "host=srv1")
    assert result.stdout.strip() == "14 (int)"
    result = tickpy('"s" + \'!\'', "--field", 's="hi"')
    assert result.stdout.strip() == '"hi!" (string)'


def test_time_option_and_duration_output():
    assert tickpy('hour("time")', "--time", "2024-01-01T00:00:00+05:30").stdout.strip() == "18 (int)"
    assert tickpy("5m / 2").stdout.strip() == "150s (150000000000ns) (duration)"


def test_errors_show_kapacitors_message_and_stage():
    result = tickpy('"x" > 1', "--mode", "predicate")
    assert result.returncode == 1
    assert result.stderr.strip() == 'error (eval): left reference value "x" is missing value'
    result = tickpy("'a' + 1")
    assert result.returncode == 1
    assert "mismatched type to binary operator. got string + int." in result.stderr
    result = tickpy("1 +")
    assert result.returncode == 1 and "<lambda>:1:" in result.stderr


def test_jsonl_answers_each_case_in_order_keeping_sequence_state():
    cases = [
        {"id": "a", "expr": '"x" + 1', "fields": {"x": {"int": 41}}, "tags": {}, "time": "1970-01-01T00:00:00Z", "mode": "eval", "state_id": None},
        {"id": "b", "expr": "count()", "fields": {}, "tags": {}, "time": "1970-01-01T00:00:00Z", "mode": "eval", "state_id": "s"},
        {"id": "c", "expr": "count()", "fields": {}, "tags": {}, "time": "1970-01-01T00:00:00Z", "mode": "eval", "state_id": "s"},
        {"id": "d", "expr": '"x"', "fields": {"x": {"float": "NaN"}}, "tags": {}, "time": "1970-01-01T00:00:00Z", "mode": "eval", "state_id": None},
        {"id": "e", "expr": '"x" > 1', "fields": {}, "tags": {}, "time": "1970-01-01T00:00:00Z", "mode": "predicate", "state_id": None},
    ]
    result = tickpy("--jsonl", stdin="".join(json.dumps(case) + "\n" for case in cases))
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert answers[0] == {"id": "a", "value": 42, "type": "int"}
    assert answers[1]["value"] == 1 and answers[2]["value"] == 2
    assert answers[3] == {"id": "d", "value": "NaN", "type": "float"}
    assert answers[4] == {"id": "e", "error": 'left reference value "x" is missing value', "stage": "eval"}

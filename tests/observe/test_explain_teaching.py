"""`tickpy explain` says what Kapacitor does (QA pass 2): derivative's output field, join
rounding and fill, deadman's expansion, per-group windows, template vars without values, and
lambdas that stop a task from starting."""

from __future__ import annotations

import json

from tests.observe.helpers import tickpy


def explain(tmp_path, script: str, *extra) -> list[str]:
    tick = tmp_path / "s.tick"
    tick.write_text(script)
    result = tickpy("explain", tick, *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().splitlines()


def paragraph(lines: list[str], node: str) -> str:
    return next(line for line in lines if line.split(": ", 1)[0].endswith(". " + node))


DERIVATIVE = """stream
    |from()
        .measurement('net')
    |derivative('bytes')
        .unit(1s)
    |log()
"""


def test_derivative_output_field_is_the_input_field(tmp_path):
    # pipeline/derivative.go: As defaults to the field itself; the run agrees.
    text = paragraph(explain(tmp_path, DERIVATIVE), "derivative2")
    assert "as the field 'bytes' (replacing its value)" in text and "'derivative'" not in text
    assert "first point of each group only sets the starting value" in text
    run = tickpy("run", tmp_path / "s.tick", "-", stdin=b"net bytes=10 0\nnet bytes=30 10000000000\n")
    assert run.returncode == 0, run.stderr
    assert " field_bytes=2 " in run.stderr.decode()
    renamed = paragraph(explain(tmp_path, DERIVATIVE.replace(".unit(1s)", ".unit(1s)\n        .as('rate')")), "derivative2")
    assert "as the field 'rate'." in renamed and "replacing" not in renamed


DEADMAN = """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |deadman(1.0, 1m)
        .log('/tmp/dead.log')
"""


def test_deadman_is_named_and_its_parts_explained(tmp_path):
    lines = explain(tmp_path, DEADMAN)
    stats = paragraph(lines, "stats2")
    assert "deadman(threshold, interval)` is shorthand for" in stats
    assert "per 'host'" in stats and "'emitted'" in stats
    noop = paragraph(lines, "noop3")
    assert "Added by Kapacitor, not by the script" in noop and "ignore it" in noop
    assert "Nothing uses its output" not in noop
    derivative = paragraph(lines, "derivative4")
    assert derivative.startswith("5. derivative4: Part of deadman()")
    assert "as the field 'emitted' (replacing its value)" in derivative
    alert = paragraph(lines, "alert5")
    # stats() reports per group of its source, so the alert is per host (#21)
    assert "Part of deadman()" in alert and "Checks each point, per 'host'" in alert
    assert '"emitted" <= 1.0' in alert


JOIN = """var errors = stream
    |from()
        .measurement('errors')
        .groupBy('host')
var requests = stream
    |from()
        .measurement('requests')
        .groupBy('host')
errors
    |join(requests)
        .as('errors', 'requests')
        .tolerance(1s)
        .fill(0.0)
    |log()
"""


def test_join_says_rounding_fill_and_group(tmp_path):
    lines = explain(tmp_path, JOIN)
    join = paragraph(lines, "join4")
    assert "per 'host'" in join
    assert "rounded to the nearest 1s, are equal" in join and "within" not in join
    assert "missing side's fields set to 0.0" in join and ".fill(0.0)" in join
    inner = paragraph(explain(tmp_path, JOIN.replace("        .fill(0.0)\n", "")), "join4")
    assert "is dropped (an inner join" in inner
    # both branches of stream0 say where they read from (#21)
    assert "(It reads from stream0.)" in paragraph(lines, "from1")
    assert "(It reads from stream0.)" in paragraph(lines, "from2")


def test_join_rounding_matches_the_run(tmp_path):
    """10s and 10.5s are 0.5s apart yet round to 10s and 11s: they are not joined, each is
    emitted alone with the other side filled (what explain now says)."""
    explain(tmp_path, JOIN)
    points = (b"errors,host=a value=8 10000000000\nrequests,host=a value=100 10500000000\n"
              b"errors,host=a value=1 20000000000\nrequests,host=a value=1 20000000000\n")
    run = tickpy("run", tmp_path / "s.tick", "-", stdin=points)
    logged = [line for line in run.stderr.decode().splitlines() if "msg=point" in line]
    assert "field_errors.value=8 field_requests.value=0 time=1970-01-01T00:00:10Z" in logged[0]


def test_window_closes_per_group(tmp_path):
    lines = explain(tmp_path, "stream\n  |from()\n    .measurement('cpu')\n    .groupBy('host')\n"
                              "  |window()\n    .period(1m)\n    .every(1m)\n  |count('x')\n")
    assert "a point of that same group at or after its end" in paragraph(lines, "window2")
    ungrouped = explain(tmp_path, "stream\n  |from()\n    .measurement('cpu')\n"
                                  "  |window()\n    .period(1m)\n    .every(1m)\n  |count('x')\n")
    assert "same group" not in paragraph(ungrouped, "window2")


TEMPLATE = """dbrp "telegraf"."autogen"
var measurement string
var field string
var crit lambda
stream
    |from()
        .measurement(measurement)
    |window()
        .period(1m)
        .every(1m)
    |mean(field)
    |alert()
        .crit(crit)
"""


def test_template_without_values_shows_placeholders(tmp_path):
    lines = explain(tmp_path, TEMPLATE)
    assert lines[0].startswith("Template: the vars measurement, field, crit have no value")
    assert "measurement <var measurement (string), not given>" in paragraph(lines, "from1")
    assert "every point" not in paragraph(lines, "from1")
    assert "the mean of <var field (string), not given>" in paragraph(lines, "mean3")
    assert "CRITICAL when <var crit (lambda), not given>" in paragraph(lines, "alert4")
    values = tmp_path / "v.json"
    values.write_text(json.dumps({"measurement": {"type": "string", "value": "cpu"},
                                  "field": {"type": "string", "value": "idle"},
                                  "crit": {"type": "lambda", "value": '"mean" < 10'}}))
    given = explain(tmp_path, TEMPLATE, "--vars", values)
    assert not any("not given" in line or line.startswith("Template") for line in given)
    assert "measurement 'cpu'" in paragraph(given, "from1")


def test_lambda_that_cannot_start_is_flagged(tmp_path):
    script = "stream\n  |from()\n    .measurement('cpu')\n  |alert()\n    .crit(lambda: 'usage' > 90)\n"
    text = paragraph(explain(tmp_path, script), "alert2")
    assert "would stop this task from starting" in text and "got string > int" in text
    # the run agrees: it refuses to start
    run = tickpy("run", tmp_path / "s.tick", "-", stdin=b"cpu usage=95 0\n")
    assert run.returncode == 2 and b"got string > int" in run.stderr
    fine = paragraph(explain(tmp_path, script.replace("'usage'", '"usage"')), "alert2")
    assert "Note:" not in fine

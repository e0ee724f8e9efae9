"""`tickpy run` shows the lint warnings `tickpy validate` shows, before any point is read
(--no-warnings hides them), and exits 1 when node errors dropped points or events
(--allow-node-errors: 0, the count still in the summary)."""

from __future__ import annotations

POINTS = "cpu,host=a usage_idle=5 1\ncpu,host=b usage_idle=50 2\n"

# A string literal where the field was meant: Kapacitor defines it, and its tasks fail to start.
SINGLE_QUOTED = """stream
  |from()
    .measurement('cpu')
  |where(lambda: 'usage_idle' < 10)
  |influxDBOut()
    .database('out')
"""

# All series share one alert state: validate warns, the run goes on.
STATE_CHANGES_WITHOUT_GROUP_BY = """stream
  |from()
    .measurement('cpu')
  |alert()
    .crit(lambda: "usage_idle" < 10)
    .stateChangesOnly()
"""


def _validate_warnings(cli, script) -> str:
    shown = cli("validate", script)
    assert shown.returncode == 0, shown.stderr
    assert ": warning: " in shown.stdout
    return shown.stdout


def test_run_prints_validates_warnings_on_stderr_before_the_run(cli, tmp_path):
    script = tmp_path / "alerting.tick"
    script.write_text(STATE_CHANGES_WITHOUT_GROUP_BY)
    done = cli("run", script, stdin=POINTS)
    assert done.returncode == 0, done.stderr
    warnings = _validate_warnings(cli, script)
    assert ".stateChangesOnly() without a groupBy" in warnings
    assert done.stderr.startswith(warnings)  # the same lines, file:line:col, source, caret, hint
    assert done.stderr.splitlines()[-1].startswith("tickpy run: task alerting: 2 points read")
    assert done.stdout == ""


def test_no_warnings_hides_them_and_changes_nothing_else(cli, tmp_path):
    script = tmp_path / "alerting.tick"
    script.write_text(STATE_CHANGES_WITHOUT_GROUP_BY)
    warned = cli("run", script, stdin=POINTS)
    quiet = cli("run", script, "--no-warnings", stdin=POINTS)
    assert quiet.returncode == warned.returncode == 0
    assert "warning:" not in quiet.stderr
    assert warned.stderr == _validate_warnings(cli, script) + quiet.stderr
    assert quiet.stdout == warned.stdout


def test_a_script_without_lints_prints_no_warning(cli, tmp_path):
    script = tmp_path / "grouped.tick"
    script.write_text(STATE_CHANGES_WITHOUT_GROUP_BY.replace("|alert()", "|groupBy('host')\n  |alert()"))
    assert cli("validate", script).stdout == ""
    done = cli("run", script, stdin=POINTS)
    assert done.returncode == 0, done.stderr
    assert done.stderr == cli("run", script, "--no-warnings", stdin=POINTS).stderr


def test_the_warning_explains_a_task_that_fails_to_start(cli, tmp_path):
    script = tmp_path / "quoted.tick"
    script.write_text(SINGLE_QUOTED)
    warnings = _validate_warnings(cli, script)
    assert "'usage_idle' is a string literal" in warnings and 'hint: write "usage_idle"' in warnings
    done = cli("run", script, stdin=POINTS)
    assert done.returncode == 2
    error = cli("run", script, "--no-warnings", stdin=POINTS)
    assert error.returncode == 2 and "error: mismatched type" in error.stderr
    assert done.stderr == warnings + error.stderr


def test_warnings_take_the_vars_values_the_run_uses(cli, tmp_path):
    script = tmp_path / "template.tick"
    script.write_text("var crit lambda\n" + STATE_CHANGES_WITHOUT_GROUP_BY.replace('lambda: "usage_idle" < 10', "crit"))
    values = tmp_path / "vars.json"
    values.write_text('{"crit": {"type": "lambda", "value": "\\"usage_idle\\" < 10"}}')
    done = cli("run", script, "--vars", values, stdin=POINTS)
    assert done.returncode == 0, done.stderr
    assert ".stateChangesOnly() without a groupBy" in done.stderr
    assert done.stderr.count(": warning: ") == 1


def test_a_script_that_does_not_parse_shows_its_error_once(cli, tmp_path):
    script = tmp_path / "broken.tick"
    script.write_text("stream\n  |from(\n")
    done = cli("run", script, stdin=POINTS)
    assert done.returncode == 2
    assert done.stderr == cli("run", script, "--no-warnings", stdin=POINTS).stderr
    assert done.stderr.count(": error: ") == 1


MISSING_FIELD = """stream
  |from()
    .measurement('cpu')
  |where(lambda: "nope" > 1)
  |influxDBOut()
    .database('out')
"""


def test_node_errors_make_the_exit_status_1_and_are_counted(cli, tmp_path):
    script = tmp_path / "err.tick"
    script.write_text(MISSING_FIELD)
    done = cli("run", script, stdin=POINTS)
    assert done.returncode == 1
    assert done.stderr.count("lvl=error task=err node=where2 err=") == 2
    assert done.stderr.splitlines()[-1] == "tickpy run: task err: 2 points read, 0 alerts, 2 node errors"


def test_allow_node_errors_exits_0_with_the_same_output(cli, tmp_path):
    script = tmp_path / "err.tick"
    script.write_text(MISSING_FIELD)
    strict = cli("run", script, stdin=POINTS)
    allowed = cli("run", script, "--allow-node-errors", stdin=POINTS)
    assert (strict.returncode, allowed.returncode) == (1, 0)
    assert allowed.stderr == strict.stderr and allowed.stdout == strict.stdout
    assert "2 node errors" in allowed.stderr.splitlines()[-1]


def test_a_failing_alert_template_drops_the_event_and_counts(cli, tmp_path):
    script = tmp_path / "tmpl.tick"
    script.write_text(STATE_CHANGES_WITHOUT_GROUP_BY.replace(".stateChangesOnly()", ".message('{{ index .Tags 1 }}')"))
    done = cli("run", script, stdin=POINTS)
    assert "node error" in done.stderr.splitlines()[-1]
    assert done.returncode == 1
    assert cli("run", script, "--allow-node-errors", stdin=POINTS).returncode == 0


def test_a_run_without_node_errors_exits_0(cli, tmp_path):
    script = tmp_path / "fine.tick"
    script.write_text(MISSING_FIELD.replace('"nope"', '"usage_idle"'))
    done = cli("run", script, stdin=POINTS)
    assert done.returncode == 0, done.stderr
    assert "node error" not in done.stderr


def test_help_documents_both_options_and_the_exit_status(cli):
    text = cli("run", "--help").stdout
    assert "--no-warnings" in text and "--allow-node-errors" in text
    assert "--allow-node-errors makes these exit 0" in " ".join(text.split())

"""`tickpy validate` and `tickpy graph` as a user runs them: real files, and a real terminal for
colour."""

import json
import pathlib
import subprocess
import sys

from tests.conftest import run_cli

TICKPY = str(pathlib.Path(sys.executable).parent / "tickpy")

GOOD = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage\" > 90)\n"
BAD = "stream\n    |from()\n        .measurment('cpu')\n    |alert()\n"
TEMPLATE = "var crit lambda\nvar period duration\nstream\n    |from()\n    |window()\n        .period(period)\n    |alert()\n        .crit(crit)\n"


def tickpy(*args, stdin=None):
    return run_cli(*args, stdin=stdin)


def test_valid_and_invalid_files_exit_codes_and_text(tmp_path):
    good = tmp_path / "good.tick"
    good.write_text(GOOD)
    bad = tmp_path / "bad.tick"
    bad.write_text(BAD)
    assert tickpy("validate", str(good)).returncode == 0
    result = tickpy("validate", str(good), str(bad))
    assert result.returncode == 1
    assert f"{bad}:3:10: error:" in result.stdout
    assert "did you mean .measurement()?" in result.stdout
    assert "pipeline." not in result.stdout  # no Go type names
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    caret_line = result.stdout.splitlines()[2]
    assert caret_line.strip().startswith("^")
    with_kapacitor = tickpy("validate", "--kapacitor-text", str(bad)).stdout
    assert 'kapacitor: line 3 char 10: no method or property "measurment" on *pipeline.FromNode' in with_kapacitor


def test_json_format_one_object_per_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.tick").write_text(GOOD)
    (tmp_path / "b.tick").write_text(BAD)
    (tmp_path / "notes.txt").write_text("not a script")
    result = tickpy("validate", "--format", "json", str(tmp_path))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"].split("/")[-1] for r in records] == ["b.tick", "a.tick"]
    bad, good = records
    assert good["ok"] is True and good["task_type"] == "stream" and good["diagnostics"] == []
    assert bad["ok"] is False
    first = bad["diagnostics"][0]
    assert {"severity", "line", "column", "end_line", "end_column", "code", "message"} <= set(first)
    assert (first["line"], first["column"], first["code"]) == (3, 10, "unknown-method")
    assert result.returncode == 1


def test_github_annotations_and_stdin():
    result = tickpy("validate", "--format", "github", "-", stdin=BAD)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=<stdin>,line=3,col=10,")


def test_usage_errors_exit_2(tmp_path):
    assert tickpy("validate", str(tmp_path / "missing.tick")).returncode == 2
    bad_vars = tmp_path / "vars.json"
    bad_vars.write_text("{not json")
    script = tmp_path / "t.tick"
    script.write_text(GOOD)
    assert tickpy("validate", "--vars", str(bad_vars), str(script)).returncode == 2


def test_template_vars_and_type_override(tmp_path):
    script = tmp_path / "template.tick"
    script.write_text(TEMPLATE)
    # without values the script is checked as a template
    assert tickpy("validate", str(script)).returncode == 0
    values = tmp_path / "vars.json"
    values.write_text(json.dumps({"crit": {"type": "lambda", "value": '"usage" > 90'}}))
    result = tickpy("validate", "--format", "json", "--vars", str(values), str(script))
    record = json.loads(result.stdout)
    assert record["ok"] is False
    assert "period" in record["diagnostics"][0]["message"]
    values.write_text(json.dumps({"crit": {"type": "lambda", "value": '"usage" > 90'}, "period": {"type": "duration", "value": "5m"}}))
    assert tickpy("validate", "--vars", str(values), str(script)).returncode == 0
    batch = tmp_path / "batch.tick"
    batch.write_text("var x = 1\n")
    assert tickpy("validate", "--type", "batch", str(batch)).returncode == 1  # task does nothing


def test_udfs_file_declares_dynamic_methods(tmp_path):
    script = tmp_path / "udf.tick"
    script.write_text("stream\n    |from()\n    @movingAverage()\n        .field('value')\n        .size(10)\n")
    assert tickpy("validate", str(script)).returncode == 1
    udfs = tmp_path / "udfs.yaml"
    udfs.write_text("movingAverage:\n  wants: stream\n  provides: stream\n  options:\n    field: [string]\n    size: [int]\n")
    assert tickpy("validate", "--udfs", str(udfs), str(script)).returncode == 0
    graph = tickpy("graph", "--udfs", str(udfs), str(script))
    assert "from1 -> movingAverage2;" in graph.stdout


def test_syntax_only(tmp_path):
    script = tmp_path / "s.tick"
    script.write_text(BAD)
    assert tickpy("validate", "--syntax-only", str(script)).returncode == 0
    script.write_text("stream\n    |from(\n")
    assert tickpy("validate", "--syntax-only", str(script)).returncode == 1


def test_graph_formats(tmp_path):
    script = tmp_path / "g.tick"
    script.write_text(GOOD)
    dot = tickpy("graph", str(script))
    assert dot.returncode == 0
    assert dot.stdout == "digraph task {\nstream0 -> from1;\nfrom1 -> alert2;\n}\n"
    mermaid = tickpy("graph", "--format", "mermaid", str(script)).stdout
    assert mermaid.startswith("flowchart TD") and "from1 --> alert2" in mermaid
    text = tickpy("graph", "--format", "text", str(script)).stdout.splitlines()
    assert text == ["stream0 stream", "  from1 |from().measurement('cpu')", "    alert2 |alert().crit(lambda: \"usage\" > 90)"]
    broken = tmp_path / "broken.tick"
    broken.write_text(BAD)
    result = tickpy("graph", str(broken))
    assert result.returncode == 1 and ":3:10:" in result.stderr


def test_dbrp_rule_is_applied_on_request(tmp_path):
    without = tmp_path / "without.tick"
    without.write_text(GOOD)
    with_dbrp = tmp_path / "with.tick"
    with_dbrp.write_text('dbrp "telegraf"."autogen"\n' + GOOD)
    assert tickpy("validate", str(without), str(with_dbrp)).returncode == 0
    required = tickpy("validate", "--format", "json", "--require-dbrp", str(without), str(with_dbrp))
    assert [json.loads(line)["ok"] for line in required.stdout.splitlines()] == [False, True]
    twice = tickpy("validate", "--format", "json", "--dbrp", "telegraf.autogen", str(without), str(with_dbrp))
    records = [json.loads(line) for line in twice.stdout.splitlines()]
    assert [r["ok"] for r in records] == [True, False]
    assert records[1]["diagnostics"][0]["code"] == "dbrp-twice"
    assert tickpy("validate", "--dbrp", "nodot", str(without)).returncode == 2


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path):
    import os
    import pty

    bad = tmp_path / "bad.tick"
    bad.write_text(BAD)

    def run_on_terminal(extra_env):  # a real process: its stdout is the terminal
        primary, secondary = pty.openpty()
        env = {**os.environ, **extra_env}
        env.pop("NO_COLOR", None) if "NO_COLOR" not in extra_env else None
        process = subprocess.run([TICKPY, "validate", str(bad)], stdout=secondary, stderr=subprocess.DEVNULL, env=env)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(primary)
        return process.returncode, b"".join(chunks).decode()

    code, coloured = run_on_terminal({})
    assert code == 1 and "\x1b[" in coloured
    code, plain = run_on_terminal({"NO_COLOR": "1"})
    assert code == 1 and "\x1b[" not in plain and ":3:10:" in plain


def test_vars_file_types(tmp_path):
    script = tmp_path / "t.tick"
    script.write_text(
        "var hosts list\nvar pattern regex\nvar dims star\nvar limit float\n"
        "stream\n    |from()\n        .groupBy(dims)\n        .where(lambda: \"host\" =~ pattern)\n"
        "    |alert()\n        .crit(lambda: \"v\" > limit)\n        .email(hosts)\n"
    )
    values = {
        "hosts": {"type": "list", "value": [{"type": "string", "value": "a@b.c"}]},
        "pattern": {"type": "regex", "value": "^web"},
        "dims": {"type": "star"},
        "limit": {"type": "float", "value": 2},
    }
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps(values))
    assert tickpy("validate", "--vars", str(vars_file), str(script)).returncode == 0
    values["limit"] = {"type": "int", "value": 2}
    vars_file.write_text(json.dumps(values))
    result = tickpy("validate", "--format", "json", "--vars", str(vars_file), str(script))
    diagnostic = json.loads(result.stdout)["diagnostics"][0]
    assert diagnostic["kapacitor_message"] == "invalid type supplied for limit, got int exp float"


def test_a_template_without_vars_gets_a_note_and_keeps_its_verdict(tmp_path):
    script = tmp_path / "template.tick"
    script.write_text(TEMPLATE)
    result = tickpy("validate", str(script))
    assert result.returncode == 0 and "1 file valid" in result.stderr
    assert f"{script}:1:1: info: a template task (vars: crit lambda, period duration)" in result.stdout
    assert "--vars" in result.stdout
    record = json.loads(tickpy("validate", "--format", "json", str(script)).stdout)
    assert record["ok"] is True
    assert [(d["severity"], d["code"]) for d in record["diagnostics"]] == [("info", "template")]
    assert tickpy("validate", "--format", "github", str(script)).stdout.startswith("::notice ")
    # given values, it is checked as a task: no note
    values = tmp_path / "vars.json"
    values.write_text(json.dumps({"crit": {"type": "lambda", "value": '"usage" > 90'}, "period": {"type": "duration", "value": "5m"}}))
    with_values = tickpy("validate", "--format", "json", "--vars", str(values), str(script))
    assert json.loads(with_values.stdout)["diagnostics"] == []
    # a script without typed vars gets no note either
    plain = tmp_path / "plain.tick"
    plain.write_text(GOOD)
    assert json.loads(tickpy("validate", "--format", "json", str(plain)).stdout)["diagnostics"] == []

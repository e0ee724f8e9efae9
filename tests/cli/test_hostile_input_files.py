"""Hostile data files through the real commands (the fuzzing issue, D5, D6, D9): `handlers check`
and `run --handlers` report each as the same positioned error, never a traceback; `run --vars`,
`tickpy test` and `--config` likewise; `handlers check` loads exactly as `run` does and reads
a handler file from standard input."""

from __future__ import annotations

import json

import pytest

HEAD = "id: h\ntopic: cpu\nkind: {kind}\n"
SCRIPT = "stream\n    |from().measurement('cpu')\n    |alert().crit(lambda: TRUE).topic('cpu')\n"


def laughs(kind: str, option: str) -> str:
    lines = [HEAD.format(kind=kind) + "options:", f"  {option}:", "    l0: &a0 [lol]"]
    lines += [f"    l{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 10)]
    return "\n".join(lines) + "\n"


HOSTILE = {
    "key.yaml": (HEAD.format(kind="log") + "? [a]\n: 1\noptions:\n  path: /tmp/x.log\n", "key.yaml:4:3: error:"),
    "deep.yaml": (HEAD.format(kind="log") + "options:\n  path: " + "[" * 20000 + "\n", "deep.yaml:5:107: error:"),
    "kafka.yaml": (HEAD.format(kind="kafka") + "options:\n  cluster: default\n  template: '"
                   + "{{if 1}}" * 5000 + "x" + "{{end}}" * 5000 + "'\n", "kafka.yaml:6:3: error:"),
    "alerta.yaml": (laughs("alerta", "attributes"), "alerta.yaml:10:14: error: invalid YAML: document contains "
                                                     "excessive aliasing"),
    "sensu.yaml": (laughs("sensu", "metadata"), "sensu.yaml:10:14: error: invalid YAML: document contains "
                                                "excessive aliasing"),
    "deep.json": ('{"id": "h", "topic": "cpu", "kind": "log", "options": {"path": ' + "[" * 100000, "deep.json:1:162:"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_and_run_report_a_hostile_handler_file_where_it_goes_wrong(cli, tmp_path, name):
    text, expected = HOSTILE[name]
    (tmp_path / name).write_text(text)
    (tmp_path / "t.tick").write_text(SCRIPT)
    checked = cli("handlers", "check", name, cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    assert checked.stdout.startswith(expected) and "Traceback" not in checked.stderr
    ran = cli("run", "t.tick", "--handlers", name, cwd=tmp_path, stdin="cpu v=1 1\n")
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.startswith(expected) and "Traceback" not in ran.stderr


def test_a_5000_host_allow_list_passes_check_and_run(cli, tmp_path):
    allow = " OR ".join(f"\"host\" == 'h{n}'" for n in range(5000))
    (tmp_path / "allow.yaml").write_text(HEAD.format(kind="log") + f"match: >-\n  {allow}\noptions:\n"
                                         f"  path: {tmp_path / 'alerts.log'}\n")
    (tmp_path / "t.tick").write_text(SCRIPT)
    checked = cli("handlers", "check", "allow.yaml", cwd=tmp_path)
    assert checked.returncode == 0 and "allow.yaml: ok: handler 'h'" in checked.stdout
    ran = cli("run", "t.tick", "--handlers", "allow.yaml", cwd=tmp_path,
              stdin="cpu,host=h4999 v=1 1\ncpu,host=zz v=1 2\n")
    assert ran.returncode == 0, ran.stderr
    assert [json.loads(line)["data"]["series"][0]["tags"]["host"]
            for line in (tmp_path / "alerts.log").read_text().splitlines()] == ["h4999"]


def test_run_vars_with_deep_json_is_a_positioned_usage_error(cli, tmp_path):
    (tmp_path / "t.tick").write_text(SCRIPT)
    (tmp_path / "deep.json").write_text("[" * 100000 + "]" * 100000)
    ran = cli("run", "t.tick", "--vars", "deep.json", cwd=tmp_path, stdin="cpu v=1 1\n")
    assert ran.returncode == 2
    assert ran.stderr == ("tickpy run: --vars deep.json:1:101: too deeply nested: more than 100 levels of arrays "
                          "and objects\n")


def test_a_deep_test_file_is_a_test_file_error(cli, tmp_path):
    (tmp_path / "deep.tickpy.yaml").write_text("script: t.tick\ntests:\n  - name: " + "[" * 20000 + "\n")
    result = cli("test", "deep.tickpy.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "deep.tickpy.yaml:3: invalid YAML: too deeply nested: more than 100 levels" in result.stdout


def test_a_billion_laughs_in_a_test_file_is_a_test_file_error(cli, tmp_path):
    lines = ["script: t.tick", "vars:", "  l0: &a0 [lol]"]
    lines += [f"  l{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 10)]
    (tmp_path / "laughs.tickpy.yaml").write_text("\n".join(lines) + "\n")
    result = cli("test", "laughs.tickpy.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "laughs.tickpy.yaml:7: invalid YAML: document contains excessive aliasing" in result.stdout


def test_a_deep_config_is_a_positioned_error_for_check_and_run(cli, tmp_path):
    (tmp_path / "t.tick").write_text(SCRIPT)
    (tmp_path / "ok.yaml").write_text(HEAD.format(kind="tcp") + "options:\n  address: 127.0.0.1:9\n")
    (tmp_path / "deep.conf").write_text("a = " + "[" * 100000 + "]" * 100000 + "\n")
    expected = "deep.conf:1:105: error: invalid TOML: too deeply nested: more than 100 levels of arrays and tables"
    checked = cli("handlers", "check", "ok.yaml", "--config", "deep.conf", cwd=tmp_path)
    assert checked.returncode == 1 and checked.stdout.startswith(expected)
    ran = cli("run", "t.tick", "--config", "deep.conf", cwd=tmp_path, stdin="cpu v=1 1\n")
    assert ran.returncode == 2 and ran.stderr.startswith(expected)


def test_handlers_check_reads_standard_input_as_stdin(cli, tmp_path):
    yaml_text = HEAD.format(kind="log") + "options:\n  path: relative.log\n"
    result = cli("handlers", "check", "-", cwd=tmp_path, stdin=yaml_text)
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:5:3: error: options: log path must be absolute: relative.log is not "
                                    "absolute\n    path: relative.log\n")
    json_text = json.dumps({"id": "h", "topic": "cpu", "kind": "tcp", "options": {"address": "127.0.0.1:9"}})
    result = cli("handlers", "check", "-", "--format", "json", cwd=tmp_path, stdin=json_text)
    assert result.returncode == 0
    assert json.loads(result.stdout)["path"] == "<stdin>" and json.loads(result.stdout)["ok"] is True
    twice = cli("handlers", "check", "-", "-", cwd=tmp_path, stdin=json_text)
    assert twice.returncode == 2 and "standard input (-) can be given once" in twice.stderr


def test_a_folder_without_handler_files_is_a_warning_for_check_and_run(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "t.tick").write_text(SCRIPT)
    warning = "empty: warning: no handler files (.yaml, .yml, .json) in this directory"
    checked = cli("handlers", "check", "empty", cwd=tmp_path)
    assert checked.returncode == 0 and checked.stdout == warning + "\n"
    assert checked.stderr == "0 file(s) checked, 0 with errors\n"
    ran = cli("run", "t.tick", "--handlers", "empty", cwd=tmp_path, stdin="cpu v=1 1\n")
    assert ran.returncode == 0 and warning in ran.stderr


def test_with_config_check_refuses_what_run_refuses_under_it(cli, tmp_path):
    (tmp_path / "t.tick").write_text(SCRIPT)
    (tmp_path / "post.yaml").write_text(HEAD.format(kind="post") + "options:\n  endpoint: alerts\n")
    (tmp_path / "other.conf").write_text('[[httppost]]\nendpoint = "other"\nurl = "http://127.0.0.1:9/"\n')
    expected = ("post.yaml:5:3: error: An appropriately formatted url must be specified if an endpoint is not "
                "specified")
    checked = cli("handlers", "check", "post.yaml", "--config", "other.conf", cwd=tmp_path)
    assert checked.returncode == 1 and checked.stdout.startswith(expected)
    ran = cli("run", "t.tick", "--handlers", "post.yaml", "--config", "other.conf", cwd=tmp_path,
              stdin="cpu v=1 1\n")
    assert ran.returncode == 2 and ran.stderr.startswith(expected)
    without_config = cli("handlers", "check", "post.yaml", cwd=tmp_path)
    assert without_config.returncode == 0
    assert without_config.stdout.startswith(expected.replace("error:", "warning:"))
    assert "tickpy run refuses the handler without one" in without_config.stdout

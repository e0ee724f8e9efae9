"""The stable Python API (tickpy.api): parse, check, compile, run with RunOptions."""

from __future__ import annotations

import json

import pytest

from tickpy import api
from tickpy.diagnostics import TickpyError
from tickpy.runtime.lineprotocol import parse_points

SCRIPT = """\
dbrp "telegraf"."autogen"

stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |alert()
        .crit(lambda: "usage_idle" < 10)
        .log('{log}')
"""

POINTS = """\
cpu,host=a usage_idle=50 1000000000
cpu,host=a usage_idle=5 2000000000
cpu,host=b usage_idle=3 3000000000
cpu,host=a usage_idle=70 4000000000
mem,host=a used=1 5000000000
"""


def test_parse_gives_the_typed_ast_and_check_the_pipeline():
    program = api.parse(SCRIPT.format(log="/dev/null"), "cpu.tick")
    assert type(program).__name__ == "Program"
    pipeline = api.check(SCRIPT.format(log="/dev/null"), "cpu.tick")
    assert [node.name for node in pipeline.nodes] == ["stream", "from", "alert"]
    assert [tuple(pair) for pair in pipeline.dbrps] == [("telegraf", "autogen")]


def test_a_script_kapacitor_refuses_raises_a_positioned_error():
    with pytest.raises(TickpyError) as caught:
        api.check("stream\n    |from()\n    |alert()\n        .crit(lambda: 1 +)\n", "bad.tick")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.line == 4 and diagnostic.column > 0


def test_compile_then_run_delivers_what_the_levels_say(tmp_path):
    log = tmp_path / "alerts.log"
    task = api.compile(SCRIPT.format(log=log), api.RunOptions(path="cpu.tick"))
    assert task.name == "cpu" and log.exists() is False  # nothing read or sent yet
    result = task.run(parse_points(POINTS))
    levels = [(event.id, event.level) for event in result.alerts]
    # host a: OK (no event), CRITICAL, OK again; host b: CRITICAL once. mem is not the task's.
    assert levels == [("cpu:host=a", "CRITICAL"), ("cpu:host=b", "CRITICAL"), ("cpu:host=a", "OK")]
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(entry["id"], entry["level"]) for entry in logged] == levels
    assert result.delivery_summary.ok


def test_run_takes_options_and_overrides():
    options = api.RunOptions(path="cpu.tick", keep_alerts=True)
    script = SCRIPT.replace("        .log('{log}')\n", "")
    kept = api.run(script, parse_points(POINTS), options)
    counted = api.run(script, parse_points(POINTS), options, keep_alerts=False)
    assert kept.alert_counts == counted.alert_counts == {"CRITICAL": 2, "OK": 1}
    assert len(kept.alerts) == 3 and counted.alerts == []


def test_run_task_keeps_the_keyword_spelling_and_refuses_unknown_ones():
    script = SCRIPT.replace("        .log('{log}')\n", "")
    result = api.run_task(script, parse_points(POINTS), path="cpu.tick", task_name="named")
    assert result.task_name == "named"
    with pytest.raises(TypeError, match="no_such_option"):
        api.run_task(script, [], no_such_option=1)


def test_the_example_in_docs_api_md_runs(tmp_path, monkeypatch, capsys):
    """docs/api.md's example, as written, over the samples."""
    import pathlib
    import re
    import shutil

    root = pathlib.Path(__file__).resolve().parent.parent
    example = re.search(r"```python\n(.*?)```", (root / "docs" / "api.md").read_text(), re.S).group(1)
    shutil.copy(root / "samples" / "cpu_alert.tick", tmp_path / "cpu_alert.tick")
    shutil.copy(root / "samples" / "cpu.lp", tmp_path / "points.lp")
    (tmp_path / "handlers").mkdir()
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "docs/api.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[0] in ("OK", "INFO", "WARNING", "CRITICAL")
    assert json.loads(printed[0].split(" ", 2)[2])["id"] == printed[0].split()[1]
    assert printed[-1].startswith("alert delivery:")

"""`tickpy test --coverage`: what the cases exercised of each script."""

from __future__ import annotations

import json
import textwrap

from tickpy.testing import run_test_file
from tickpy.testing.coverage import coverage_of

SCRIPT = """\
stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |where(lambda: "host" != 'ignored')
    |alert()
        .warn(lambda: "usage_idle" < 30)
        .crit(lambda: "usage_idle" < 10)
        .critReset(lambda: "usage_idle" > 20)
        .topic('cpu')
        .log('/dev/null')
"""
HANDLER = "id: to-tcp\ntopic: cpu\nkind: tcp\noptions: {address: '127.0.0.1:9'}\n"


def write(tmp_path, cases: str) -> str:
    (tmp_path / "cpu.tick").write_text(SCRIPT)
    (tmp_path / "handler.yaml").write_text(HANDLER)
    path = tmp_path / "cpu.tickpy.yaml"
    path.write_text("script: cpu.tick\nhandlers: [handler.yaml]\ntests:\n" + textwrap.indent(textwrap.dedent(cases), "  "))
    return str(path)


def items(coverage) -> dict[str, bool]:
    return {(f"{item.node} " if item.node else "") + item.what: item.covered for item in coverage.items}


def test_one_case_covers_what_it_reaches_and_names_the_rest(tmp_path):
    path = write(tmp_path, """\
        - name: critical only
          points: |
            cpu,host=a usage_idle=50 0s
            cpu,host=a usage_idle=5 10s
          expect: {counts: {crit: 1}}
        """)
    (coverage,) = coverage_of(run_test_file(path))
    assert items(coverage) == {
        "from1 received data": True,
        "where2 received data": True,
        "where2 lambda true": True,
        "where2 lambda false": False,          # no point of host 'ignored'
        "alert3 received data": True,
        "alert3 level WARNING": False,         # 50 -> 5 jumps past warn
        "alert3 level CRITICAL": True,
        "alert3 recovery (OK)": False,
        "alert3 critReset": False,
        "alert3 topic cpu": True,
        "handler log /dev/null": True,
        "handler tcp 127.0.0.1:9": True,       # the topic's handler file
    }
    assert (coverage.covered, coverage.total) == (8, 12)
    line_of = {item.what: item.line for item in coverage.items if item.node == "alert3"}
    assert line_of["level CRITICAL"] == 8 and line_of["critReset"] == 9


def test_cases_add_up_and_a_reset_counts_only_when_it_brings_the_level_down(tmp_path):
    path = write(tmp_path, """\
        - name: critical only
          points: |
            cpu,host=a usage_idle=50 0s
            cpu,host=a usage_idle=5 10s
          expect: {counts: {crit: 1}}
        - name: stays critical at 15 (critReset false), then resets and recovers
          points: |
            cpu,host=b usage_idle=5 0s
            cpu,host=b usage_idle=15 10s
            cpu,host=b usage_idle=25 20s
            cpu,host=b usage_idle=50 30s
            cpu,host=ignored usage_idle=1 40s
          expect: {counts: {crit: 2, warn: 1, ok: 1}}
        """)
    results = run_test_file(path)
    assert [r.status for r in results] == ["passed", "passed"], [m.render() for r in results for m in r.mismatches]
    (coverage,) = coverage_of(results)
    assert all(items(coverage).values()), items(coverage)
    assert coverage.cases == 2 and coverage.percent == 100.0


def test_cli_table_json_and_floor(cli, tmp_path):
    path = write(tmp_path, """\
        - name: critical only
          points: |
            cpu,host=a usage_idle=50 0s
            cpu,host=a usage_idle=5 10s
          expect: {counts: {crit: 1}}
        """)
    done = cli("test", path, "--coverage")
    assert done.returncode == 0, done.stderr
    assert "coverage " in done.stdout and ": 8/12 (66.7%) over 1 case" in done.stdout
    assert "cpu.tick:9  alert3: critReset never brought CRITICAL down" in done.stdout
    done = cli("test", path, "--format", "json", "--coverage")
    report = json.loads(done.stdout)
    assert (report["coverage"]["covered"], report["coverage"]["total"]) == (8, 12)
    (script,) = report["coverage"]["scripts"]
    assert {"node": "where2", "line": 5, "item": "lambda false", "covered": False} in script["items"]
    below = cli("test", path, "--coverage-min", "70")
    assert below.returncode == 1 and "coverage 66.7% is below --coverage-min 70%" in below.stderr
    assert cli("test", path, "--coverage-min", "60").returncode == 0

"""Test files for batch tasks: the points are the database, `start`/`stop` choose the runs."""

from __future__ import annotations

import textwrap

from tickpy.testing import run_test_file

SCRIPT = """\
dbrp "telegraf"."autogen"

batch
    |query('SELECT mean("usage_idle") AS idle FROM "cpu"')
        .period(1m)
        .every(1m)
        .groupBy('host')
    |alert()
        .crit(lambda: "idle" < 10)
        .id('{{ .Name }}:{{ index .Tags "host" }}')
"""


def test_batch_cases_run_their_queries_over_the_points(tmp_path):
    (tmp_path / "cpu_batch.tick").write_text(SCRIPT)
    path = tmp_path / "cpu_batch.tickpy.yaml"
    path.write_text(textwrap.dedent("""\
        script: cpu_batch.tick
        start: 2024-01-01T00:00:00Z
        points: |
          cpu,host=a usage_idle=50 10s
          cpu,host=a usage_idle=40 40s
          cpu,host=a usage_idle=5 70s
          cpu,host=a usage_idle=3 100s
          cpu,host=b usage_idle=90 100s
        tests:
          # ticks after start: 1m (mean 45), 2m (mean 4: CRITICAL, at the range's start, 1m)
          - name: host a goes critical in the second minute
            expect:
              alerts:
                - {level: CRITICAL, id: "cpu:a", time: 1m}
          - name: the stop comes before the second tick
            stop: 1m30s
            expect:
              no_alerts: true
        """))
    results = run_test_file(str(path))
    assert [(r.case.name, r.status) for r in results] == [
        ("host a goes critical in the second minute", "passed"),
        ("the stop comes before the second tick", "passed"),
    ], [m for r in results for m in r.mismatches]


def test_without_start_the_runs_cover_the_points(tmp_path):
    (tmp_path / "cpu_batch.tick").write_text(SCRIPT)
    path = tmp_path / "cpu_batch.tickpy.yaml"
    path.write_text(textwrap.dedent("""\
        script: cpu_batch.tick
        points: |
          cpu,host=a usage_idle=50 1704067210000000000
          cpu,host=a usage_idle=5 1704067270000000000
        expect:
          alerts:
            # ticks after the first point: 00:01:10 (mean 50), 00:02:10 (mean 5, at its range's start)
            - {level: CRITICAL, time: 2024-01-01T00:01:10Z}
        """))
    [result] = run_test_file(str(path))
    assert result.status == "passed", result.mismatches


def test_coverage_counts_what_the_query_node_received(tmp_path):
    from tickpy.testing.coverage import coverage_of

    (tmp_path / "cpu_batch.tick").write_text(SCRIPT)
    path = tmp_path / "cpu_batch.tickpy.yaml"
    path.write_text("script: cpu_batch.tick\npoints: |\n  cpu,host=a usage_idle=5 1704067210000000000\n"
                    "expect:\n  counts: {CRITICAL: 1}\n")
    [coverage] = coverage_of(run_test_file(str(path)))
    assert [(item.node, item.covered) for item in coverage.items if item.node == "query1"] == [("query1", True)]


def test_kapacitor_unit_batch_cases_write_their_data_to_the_database(tmp_path):
    (tmp_path / "b.tick").write_text(SCRIPT.replace('dbrp "telegraf"."autogen"\n', "").replace('FROM "cpu"',
                                                                                               'FROM "telegraf"."autogen"."cpu"'))
    path = tmp_path / "test_case.yaml"
    path.write_text(textwrap.dedent("""\
        tests:
          - name: batch alert
            task_name: b.tick
            db: telegraf
            rp: autogen
            type: batch
            data:
              - cpu,host=a usage_idle=5 1704067210000000000
            expects:
              ok: 0
              warn: 0
              crit: 1
        """))
    [result] = run_test_file(str(path), scripts_dir=str(tmp_path))
    assert (result.case.format, result.status) == ("kapacitor-unit", "passed"), result.mismatches

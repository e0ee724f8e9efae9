"""`tickpy validate` on a batch query's InfluxQL. Kapacitor's define accepts any query text and
creating the task parses it, so a syntax error is a warning that the task would not start (as
for lambdas), and a statement tickpy's embedded InfluxDB does not run is a warning too; both
point into the query's string literal in the script."""

from tests.conftest import run_cli

TASK = "batch\n    |query({query})\n        .period(1m)\n        .every(1m)\n    |log()\n"
START_FAILURE = "warning: Kapacitor defines this task, but the task would fail to start (`kapacitor enable` fails): "


def validate(tmp_path, query: str):
    path = tmp_path / "task.tick"
    path.write_text(TASK.format(query=query))
    return run_cli("validate", str(path)), str(path)


def test_a_valid_query_passes_quietly(tmp_path):
    result, _ = validate(tmp_path, "'SELECT mean(usage) FROM \"telegraf\".\"autogen\".cpu WHERE host =~ /web/'")
    assert result.returncode == 0
    assert "warning" not in result.stdout


def test_a_syntax_error_points_into_the_literal(tmp_path):
    result, path = validate(tmp_path, "'SELECT mean(usage) FORM cpu'")
    assert result.returncode == 0
    # `    |query('` is 12 bytes: the statement starts at column 13, `FORM` 19 bytes further
    assert f"{path}:2:32: {START_FAILURE}the InfluxQL query does not parse: found FORM, expected FROM" in result.stdout


def test_escaped_quotes_count_as_written(tmp_path):
    result, path = validate(tmp_path, "'SELECT x FROM m WHERE host = \\'a\\' AND'")
    # the end of the 36-character statement, written in 38 bytes (two `\\'`): the closing quote
    assert f"{path}:2:51: {START_FAILURE}" in result.stdout


def test_a_triple_quoted_query_over_lines(tmp_path):
    result, path = validate(tmp_path, "'''SELECT max(x)\n  FROM m\n  GROUP BY time(1m) fill(sideways)'''")
    assert f"{path}:4:21: {START_FAILURE}the InfluxQL query does not parse: expected number argument in fill()" \
        in result.stdout


def test_not_a_select_statement(tmp_path):
    result, path = validate(tmp_path, "'DROP DATABASE _internal'")
    assert f"{path}:2:13: {START_FAILURE}the InfluxQL query does not parse: query is not a select statement" \
        in result.stdout


def test_a_query_tickpy_cannot_run_is_a_warning(tmp_path):
    result, path = validate(tmp_path, "'SELECT mean(x) FROM (SELECT x FROM m)'")
    assert result.returncode == 0
    assert f"{path}:2:33: warning: tickpy cannot run this query offline: not supported by tickpy: subqueries" \
        in result.stdout

"""`tickpy validate` on a batch query's InfluxQL: a syntax error fails (Kapacitor's define fails
to parse it too), a statement outside what tickpy runs is a warning; both point into the query's
string literal in the script."""

from tests.conftest import run_cli

TASK = "batch\n    |query({query})\n        .period(1m)\n        .every(1m)\n    |log()\n"


def validate(tmp_path, query: str):
    path = tmp_path / "task.tick"
    path.write_text(TASK.format(query=query))
    return run_cli("validate", "--kapacitor-text", str(path)), str(path)


def test_a_valid_query_passes(tmp_path):
    result, _ = validate(tmp_path, "'SELECT mean(usage) FROM \"telegraf\".\"autogen\".cpu WHERE host =~ /web/'")
    assert result.returncode == 0
    assert "warning" not in result.stdout


def test_a_syntax_error_points_into_the_literal(tmp_path):
    result, path = validate(tmp_path, "'SELECT mean(usage) FORM cpu'")
    assert result.returncode == 1
    # `    |query('` is 12 bytes: the statement starts at column 13, `FORM` 19 bytes further
    assert f"{path}:2:32: error: the InfluxQL query does not parse: found FORM, expected FROM" in result.stdout
    assert "failed to parse InfluxQL query: found FORM, expected FROM" in result.stdout


def test_escaped_quotes_count_as_written(tmp_path):
    result, path = validate(tmp_path, "'SELECT x FROM m WHERE host = \\'a\\' AND'")
    assert result.returncode == 1
    # the end of the 36-character statement, written in 38 bytes (two `\\'`): the closing quote
    assert f"{path}:2:51: error:" in result.stdout


def test_a_triple_quoted_query_over_lines(tmp_path):
    result, path = validate(tmp_path, "'''SELECT max(x)\n  FROM m\n  GROUP BY time(1m) fill(sideways)'''")
    assert result.returncode == 1
    assert f"{path}:4:21: error: the InfluxQL query does not parse: expected number argument in fill()" in result.stdout


def test_a_query_tickpy_cannot_run_is_a_warning(tmp_path):
    result, path = validate(tmp_path, "'SELECT mean(x) FROM (SELECT x FROM m)'")
    assert result.returncode == 0
    assert f"{path}:2:33: warning: tickpy cannot run this query offline: not supported by tickpy: subqueries" \
        in result.stdout

"""The InfluxQL parser and Kapacitor's query rewrite (expectations read from Kapacitor 1.5.7's
query.go and its vendored influxql String() methods)."""

import pytest

from tickpy.influxql import InfluxQLError, InfluxQLUnsupported, QueryPlan, parse_select, rewrite

MINUTE = 60 * 10**9


@pytest.mark.parametrize(
    "text, printed",
    [
        ("select mean(usage) as m from cpu", "SELECT mean(usage) AS m FROM cpu"),
        ('SELECT "usage" FROM "telegraf"."autogen"."cpu"', "SELECT usage FROM telegraf.autogen.cpu"),
        ("SELECT max(value) FROM /cpu.*/ WHERE x > 0.0001", "SELECT max(value) FROM /cpu.*/ WHERE x > 0.000"),
        ("SELECT a FROM m WHERE host <> 'b'", "SELECT a FROM m WHERE host != 'b'"),
        ("SELECT a FROM m WHERE host =~ /a\\/b/", "SELECT a FROM m WHERE host =~ /a\\/b/"),
        ('SELECT "select" FROM "my cpu"', 'SELECT "select" FROM "my cpu"'),
        ("SELECT a + b * c FROM m", "SELECT a + b * c FROM m"),
        ("SELECT (a + b) * c FROM m", "SELECT (a + b) * c FROM m"),
        ("SELECT DISTINCT host FROM m", "SELECT DISTINCT host FROM m"),
        ("SELECT a FROM m ORDER BY time DESC LIMIT 2 OFFSET 1", "SELECT a FROM m ORDER BY time DESC LIMIT 2 OFFSET 1"),
        ("SELECT a::integer FROM m", "SELECT a::integer FROM m"),
        ("SELECT a FROM db..m", 'SELECT a FROM db..m'),
        ("SELECT mean(a) FROM m GROUP BY time(90s) fill(linear)", "SELECT mean(a) FROM m GROUP BY time(90s) fill(linear)"),
    ],
)
def test_statements_print_as_influxql_does(text, printed):
    assert str(parse_select(text)) == printed


def test_precedence_and_binds_tighter_than_or():
    condition = parse_select("SELECT a FROM m WHERE x = 1 OR y = 2 AND z = 3").condition
    assert condition.op == "OR" and condition.rhs.op == "AND"


@pytest.mark.parametrize(
    "text, offset, words",
    [
        ("SELECT mean(x) FROM (SELECT a FROM b)", 20, "subqueries"),
        ("SELECT a INTO b FROM c", 9, "INTO"),
        ("SHOW DATABASES", 0, "query is not a select statement"),
        ("SELECT a FROM b; SELECT c FROM d", 17, "query must be a single select statement"),
        ("SELECT a FROM", 13, "found EOF, expected identifier"),
        ("SELECT a FROM m WHERE", 21, "found EOF"),
        ("SELECT a FROM m GROUP BY time(1m) tz('Europe/Paris')", 34, "tz()"),
    ],
)
def test_errors_give_the_offset_in_the_query(text, offset, words):
    with pytest.raises(InfluxQLError) as caught:
        parse_select(text)
    assert caught.value.offset == offset
    assert words in caught.value.message


def test_rewrite_adds_the_range_and_the_node_dimensions():
    plan = QueryPlan(
        "SELECT mean(usage) FROM telegraf.autogen.cpu WHERE cpu = 'cpu-total' GROUP BY dc",
        start_ns=MINUTE,
        stop_ns=2 * MINUTE,
        group_by_time=(MINUTE, 0),
        group_by_tags=("host",),
        fill=0,
    )
    assert rewrite(plan) == (
        "SELECT mean(usage) FROM telegraf.autogen.cpu WHERE cpu = 'cpu-total' AND "
        "time >= '1970-01-01T00:01:00Z' AND time < '1970-01-01T00:02:00Z' GROUP BY time(1m, 0s), host fill(0)"
    )


def test_rewrite_keeps_the_query_fill_and_drops_its_group_by_when_the_node_sets_none():
    plan = QueryPlan("SELECT max(x) FROM m WHERE a = 'b' OR c = 'd' GROUP BY host fill(none)", 0, 1500)
    assert rewrite(plan) == (
        "SELECT max(x) FROM m WHERE a = 'b' OR c = 'd' AND time >= '1970-01-01T00:00:00Z' AND "
        "time < '1970-01-01T00:00:00.0000015Z' fill(none)"
    )


def test_rewrite_of_fill_values_and_star():
    plan = QueryPlan("SELECT count(x) FROM m", 0, MINUTE, (MINUTE, 30 * 10**9), group_by_all_tags=True, fill=1.5)
    assert rewrite(plan).endswith("GROUP BY time(1m, 30s), * fill(1.5)")
    assert rewrite(QueryPlan("SELECT count(x) FROM m", 0, 1, fill="previous")).endswith(" fill(previous)")


@pytest.mark.parametrize(
    "text, offset, words",
    [
        ("SELECT holt_winters(mean(x), 10, 4) FROM m", 7, "the function holt_winters()"),
        ("SELECT top(*, 3) FROM m", 7, "top() of a wildcard"),
        ("SELECT derivative(mean(/usage_.*/)) FROM m", 18, "mean() of a wildcard or a regular expression"),
        ("SELECT count(distinct(x)) FROM m", 13, "distinct() inside count()"),
        ("SELECT mean(x), top(y, 3) FROM m", 16, "top() beside other functions"),
        ("SELECT derivative(top(x, 2)) FROM m", 18, "top() inside derivative()"),
    ],
)
def test_statements_outside_the_engine_are_unsupported(text, offset, words):
    with pytest.raises(InfluxQLUnsupported) as caught:
        parse_select(text)
    assert caught.value.offset == offset
    assert caught.value.message.startswith("not supported by tickpy: ")
    assert words in caught.value.message

"""A query node's scheduled runs: the statement Kapacitor would send for each QueryPlan, run by
a real influxd (RemoteInfluxDB) and by the embedded engine (EmbeddedDatabase), compared."""

from __future__ import annotations

import pytest

from tests.influxdb.conftest import Both, same
from tests.influxdb.test_differential import BASE, MINUTE, generated_lines
from tickpy.influxql import QueryPlan

PLANS = [
    QueryPlan("SELECT mean(usage) FROM cpu", BASE, BASE + 60 * MINUTE, (5 * MINUTE, 0), ("host",)),
    QueryPlan("SELECT mean(usage) FROM cpu GROUP BY region", BASE + 7 * MINUTE, BASE + 50 * MINUTE, (10 * MINUTE, 0)),
    QueryPlan("SELECT max(usage) AS peak FROM plans.autogen.cpu", BASE, BASE + 30 * MINUTE, (MINUTE, 30 * 10**9),
              group_by_all_tags=True, fill="none"),
    QueryPlan("SELECT count(usage) FROM cpu WHERE host = 'd'", BASE, BASE + 30 * MINUTE, (MINUTE, 0), fill=0),
    QueryPlan("SELECT mean(usage) FROM cpu WHERE host = 'd'", BASE, BASE + 30 * MINUTE, (MINUTE, 0), fill="linear"),
    QueryPlan("SELECT mean(usage) FROM cpu WHERE host = 'd'", BASE, BASE + 30 * MINUTE, (MINUTE, 0), fill=2.5),
    QueryPlan("SELECT mean(usage) FROM cpu WHERE host = 'd' GROUP BY time(1m) fill(previous)", BASE,
              BASE + 30 * MINUTE, (MINUTE, 0)),
    # Kapacitor appends the range without parentheses: InfluxDB still applies it to both sides
    QueryPlan("SELECT usage FROM cpu WHERE host = 'a' OR host = 'b'", BASE + 50 * MINUTE, BASE + 52 * MINUTE),
    # Kapacitor prints number literals with 3 decimals: 0.0004 becomes 0.000
    QueryPlan("SELECT count(usage) FROM cpu WHERE usage > 0.0004", BASE, BASE + 60 * MINUTE),
    QueryPlan("SELECT derivative(mean(usage), 1s) FROM cpu", BASE + 30 * MINUTE, BASE + 60 * MINUTE,
              (2 * MINUTE, 0), ("host",)),
    QueryPlan("SELECT * FROM cpu WHERE state = 'crit'", BASE + 55 * MINUTE, BASE + 65 * MINUTE, group_by_tags=("host",)),
    QueryPlan("SELECT last(usage), first(state) FROM cpu", BASE, BASE + 120 * MINUTE, group_by_tags=("host", "region")),
    QueryPlan("SELECT top(usage, 2) FROM cpu", BASE, BASE + 120 * MINUTE, (30 * MINUTE, 0)),
    QueryPlan("SELECT mean(usage) FROM cpu", BASE - 60 * MINUTE, BASE + 180 * MINUTE, (60 * MINUTE, 0)),
    QueryPlan("SELECT mean(usage) FROM cpu", BASE + 200 * MINUTE, BASE + 300 * MINUTE, (60 * MINUTE, 0)),
]


@pytest.fixture(scope="module")
def both(influxd):
    return Both(influxd, "plans", generated_lines())


@pytest.mark.parametrize("plan", PLANS, ids=[f"{plan.text} {plan.group_by_time} {plan.fill}" for plan in PLANS])
def test_same_batches_as_influxdb(both, plan):
    real = both.server.remote.select(plan, both.db, "")
    ours = both.embedded.select(plan, both.db, "autogen")
    same(real, ours)

"""The embedded engine against a real InfluxDB 1.6.7 on the same generated data: every query
form batch tasks use, compared exactly (series, tags, columns, values)."""

from __future__ import annotations

import random

import pytest

from tests.influxdb.conftest import Both, same
from tickpy.runtime.influxdb import InfluxDBError

# Two hours around a Monday 00:00 UTC, so the data spans two weekly shards.
BASE = 1578265200 * 10**9  # 2020-01-05T23:00:00Z
MINUTE = 60 * 10**9
START = "'2020-01-05T23:00:00Z'"
STOP = "'2020-01-06T01:00:00Z'"
RANGE = f"time >= {START} AND time < {STOP}"
LATER = f"time >= '2020-01-05T23:31:00Z' AND time < {STOP}"


def generated_lines(seed: int = 7) -> str:
    rng = random.Random(seed)
    lines = []
    for host, region in (("a", "east"), ("b", "west"), ("c", "east"), ("d", None)):
        tags = f",host={host}" + (f",region={region}" if region else "")
        time = BASE + rng.randrange(0, 30) * 10**9
        while time < BASE + 120 * MINUTE:
            if rng.random() < 0.9:  # leave some minutes empty
                usage = round(rng.uniform(0, 100), rng.choice((0, 1, 3, 7)))
                lines.append(
                    f"cpu{tags} usage={usage},idle={100 - usage},n={rng.randrange(-50, 50)}i,"
                    f'state="{rng.choice(("ok", "warn", "crit"))}",up={rng.choice(("t", "f"))} {time}'
                )
            if rng.random() < 0.3:
                lines.append(f"mem{tags} used={rng.randrange(0, 1000)}i,free={rng.random()} {time}")
            time += rng.randrange(5, 50) * 10**9
    lines.append(f"disk,host=a total=5i {BASE + 61 * MINUTE}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def both(influxd):
    return Both(influxd, "diff", generated_lines())


QUERIES = [
    # raw
    f"SELECT usage FROM cpu WHERE {RANGE}",
    f"SELECT * FROM cpu WHERE {RANGE}",
    f"SELECT usage, host, n FROM cpu WHERE {RANGE} AND host = 'b'",
    f"SELECT usage AS u, usage FROM cpu WHERE {RANGE} AND usage > 50",
    f"SELECT usage * 2 + n FROM cpu WHERE {RANGE}",
    f"SELECT * FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT * FROM cpu WHERE {RANGE} GROUP BY *",
    f"SELECT used FROM mem, cpu WHERE {RANGE}",
    f"SELECT * FROM /^(cpu|mem)$/ WHERE {RANGE} AND host = 'a'",
    f"SELECT usage FROM cpu WHERE {RANGE} ORDER BY time DESC LIMIT 5",
    f"SELECT usage FROM cpu WHERE {RANGE} LIMIT 3 OFFSET 2",
    f"SELECT usage FROM cpu WHERE {RANGE} AND state = 'crit' AND up = true",
    f"SELECT usage FROM cpu WHERE {RANGE} AND (host = 'a' OR host = 'd') AND usage <= 30",
    f"SELECT usage FROM cpu WHERE {RANGE} AND region != 'east'",
    f"SELECT usage FROM cpu WHERE {RANGE} AND region <> ''",
    f"SELECT usage FROM cpu WHERE {RANGE} AND host =~ /[ab]/ AND state !~ /^w/",
    f"SELECT usage FROM cpu WHERE {RANGE} AND n >= 0 AND n < 10",
    f"SELECT usage FROM diff.autogen.cpu WHERE {RANGE} AND usage > 99.5",
    # aggregates over the whole range
    f"SELECT mean(usage), count(usage), sum(usage), min(usage), max(usage) FROM cpu WHERE {RANGE}",
    f"SELECT mean(usage), mean(usage), count(n) AS count, sum(n), mean(n) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT first(usage), last(usage) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT max(usage) FROM cpu WHERE {RANGE}",
    f"SELECT max(usage), host, state FROM cpu WHERE {RANGE}",
    f"SELECT min(n) FROM cpu WHERE {RANGE} GROUP BY region",
    f"SELECT median(usage), median(n), spread(usage), spread(n), stddev(usage) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT mode(usage), mode(state), mode(up) FROM cpu WHERE {RANGE} GROUP BY host",
    # many ties: which one mode picks follows Go 1.19's sort.Sort (influxd's Go)
    f"SELECT mode(n) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT mode(n), mode(state) FROM cpu WHERE {RANGE} GROUP BY time(20m), host",
    f"SELECT percentile(n, 50), percentile(n, 10) FROM cpu WHERE {RANGE} GROUP BY time(20m), host",
    f"SELECT percentile(n, 75) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT percentile(usage, 90), percentile(n, 50) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT percentile(usage, 95) FROM cpu WHERE {RANGE}",
    f"SELECT count(state), first(state), last(up), count(up) FROM cpu WHERE {RANGE}",
    f"SELECT mean(usage) * 2, mean(usage) + mean(idle), sum(n) / count(n) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT mean(usage) FROM cpu WHERE time >= '2020-01-05T23:00:30Z' AND time < {STOP}",
    "SELECT count(usage) FROM cpu WHERE time >= '2020-01-07T00:00:00Z' AND time < '2020-01-08T00:00:00Z'",
    # GROUP BY time
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(5m)",
    f"SELECT mean(usage), count(usage) FROM cpu WHERE {RANGE} GROUP BY time(1m), host",
    f"SELECT mean(usage) FROM cpu WHERE time >= '2020-01-05T23:00:30Z' AND time < {STOP} GROUP BY time(7m)",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(10m, 3m), host",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(10m, -3m)",
    f"SELECT count(usage) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m)",
    f"SELECT count(usage) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(none)",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(none)",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(previous)",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(linear)",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(-1)",
    f"SELECT mean(n), sum(n) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(linear)",
    f"SELECT count(usage), mean(usage) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(7)",
    f"SELECT max(usage), min(usage), first(usage), last(usage) FROM cpu WHERE {RANGE} GROUP BY time(10m), host",
    f"SELECT max(usage) FROM cpu WHERE {RANGE} GROUP BY time(10m)",
    f"SELECT max(usage), host FROM cpu WHERE {RANGE} GROUP BY time(10m)",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(10m), * ORDER BY time DESC",
    f"SELECT mean(used) FROM mem, cpu WHERE {RANGE} GROUP BY time(30m)",
    f"SELECT sum(total) FROM /.*/ WHERE {RANGE} GROUP BY time(30m), host",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(10m) LIMIT 2",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(10m), host SLIMIT 2",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} AND usage > 20.5 GROUP BY time(10m), region",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(30m), host SLIMIT 2 SOFFSET 1",
    f"SELECT max(used), mean(free) FROM /^(mem|cpu)$/ WHERE {RANGE} GROUP BY time(30m), host fill(none)",
    f"SELECT mean(usage), max(n) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(linear)",
    f"SELECT usage FROM cpu WHERE {RANGE} AND host = 'a' LIMIT 5 OFFSET 100",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(1h), region, host",
    f"SELECT mean(usage), derivative(mean(usage)) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) LIMIT 5",
    f"SELECT mean(usage), difference(max(n)) FROM cpu WHERE {RANGE} GROUP BY time(5m), host LIMIT 3 OFFSET 2",
    f"SELECT mean(used), max(usage) FROM mem, cpu WHERE {RANGE} GROUP BY time(10m) fill(none) LIMIT 4",
    # functions over every field, casts, raw fields beside a selector
    f"SELECT count(*) FROM cpu WHERE {RANGE}",
    f"SELECT mean(*) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT max(*), min(*) FROM cpu WHERE {RANGE}",
    f"SELECT first(/^(s|u)/) FROM cpu WHERE {RANGE}",
    f"SELECT last(*) FROM cpu WHERE {RANGE} GROUP BY time(1h)",
    f"SELECT count(*) AS c FROM cpu WHERE {RANGE}",
    f"SELECT mode(*) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT count(/./) FROM cpu, mem WHERE {RANGE}",
    f"SELECT usage::integer, n::float FROM cpu WHERE {RANGE} LIMIT 20",
    f"SELECT usage::string, state::string, state::float FROM cpu WHERE {RANGE} LIMIT 20",
    f"SELECT bottom(usage, host, 3), state FROM cpu WHERE {RANGE}",
    f"SELECT first(usage), last(state) FROM cpu WHERE {RANGE} GROUP BY host fill(none)",
    f"SELECT min(usage), host FROM cpu WHERE {RANGE} GROUP BY region",
    f"SELECT usage, idle FROM cpu WHERE {RANGE} AND usage + idle > 100",
    f'SELECT "usage" AS "u u", n AS N FROM "cpu" WHERE {RANGE} AND "host" = \'c\' LIMIT 3',
    f"SELECT sum(n) / 2, -1 * mean(n), mean(n) % 7 FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT n / 3 FROM cpu WHERE {RANGE} AND host = 'a'",
    # several rows per window
    f"SELECT top(usage, 3) FROM cpu WHERE {RANGE}",
    f"SELECT top(usage, 2), host FROM cpu WHERE {RANGE} GROUP BY time(30m)",
    f"SELECT top(usage, host, 2) FROM cpu WHERE {RANGE}",
    f"SELECT bottom(n, 3) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT bottom(usage, region, host, 3) FROM cpu WHERE {RANGE} GROUP BY time(1h)",
    f"SELECT distinct(state) FROM cpu WHERE {RANGE} GROUP BY time(1h)",
    f"SELECT DISTINCT state FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT distinct(n) FROM cpu WHERE {RANGE} AND host = 'c' GROUP BY time(10m)",
    # integral (one series per query: InfluxDB orders integral's series as a Go map iterates)
    f"SELECT integral(usage) FROM cpu WHERE {RANGE} AND host = 'b'",
    f"SELECT integral(usage, 1m), integral(n) FROM cpu WHERE {RANGE} GROUP BY time(30m)",
    f"SELECT integral(used, 10s) FROM mem WHERE {RANGE} AND host = 'a' GROUP BY time(7m, 2m)",
    # transformations
    f"SELECT derivative(usage, 1m) FROM cpu WHERE {RANGE} AND host = 'a'",
    f"SELECT derivative(usage), non_negative_derivative(n, 10s) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT difference(n), non_negative_difference(usage) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT moving_average(usage, 3), cumulative_sum(n) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT elapsed(usage), elapsed(n, 1s) FROM cpu WHERE {RANGE} GROUP BY host",
    f"SELECT derivative(mean(usage)) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m)",
    f"SELECT non_negative_derivative(mean(usage), 1s), difference(max(n)) FROM cpu WHERE {RANGE} GROUP BY time(5m), host",
    f"SELECT moving_average(mean(usage), 4), cumulative_sum(count(n)) FROM cpu WHERE {RANGE} GROUP BY time(5m)",
    f"SELECT derivative(mean(usage)) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(0)",
    f"SELECT difference(sum(n)) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m) fill(previous)",
    f"SELECT elapsed(mean(usage), 1m) FROM cpu WHERE {RANGE} AND host = 'd' GROUP BY time(1m)",
    f"SELECT non_negative_difference(usage) FROM cpu WHERE {RANGE} ORDER BY time DESC",
    # the aggregate under a transformation starts earlier, where there is data
    f"SELECT derivative(mean(usage)), difference(sum(n)) FROM cpu WHERE {LATER} GROUP BY time(3m), host",
    f"SELECT moving_average(max(usage), 3) FROM cpu WHERE {LATER} GROUP BY time(2m)",
    f"SELECT non_negative_derivative(last(n), 1m) FROM cpu WHERE {LATER} GROUP BY time(4m) fill(none)",
    f"SELECT cumulative_sum(mean(usage)), elapsed(count(n), 1s) FROM cpu WHERE {LATER} GROUP BY time(4m)",
    f"SELECT moving_average(mean(n), 2) FROM cpu WHERE {LATER} GROUP BY time(5m), host",
    f"SELECT max(usage), region, nosuch FROM cpu WHERE {RANGE} GROUP BY time(20m)",
    # descending
    f"SELECT mean(usage), sum(n), count(n) FROM cpu WHERE {RANGE} GROUP BY time(20m) ORDER BY time DESC",
    f"SELECT mean(usage) FROM cpu WHERE {RANGE} GROUP BY time(20m), host fill(linear) ORDER BY time DESC",
    f"SELECT * FROM cpu WHERE {LATER} ORDER BY time DESC LIMIT 7",
    f"SELECT max(usage) FROM cpu WHERE {RANGE} ORDER BY time DESC",
    f"SELECT top(usage, 3) FROM cpu WHERE {RANGE} GROUP BY time(30m) ORDER BY time DESC",
    # conditions
    f"SELECT count(usage) FROM cpu WHERE {RANGE} AND (host = 'a' OR region = 'west') GROUP BY host",
    f"SELECT count(usage) FROM cpu WHERE {RANGE} AND host !~ /^[ab]$/ AND usage >= 10 GROUP BY host",
    f"SELECT sum(n) FROM cpu WHERE {RANGE} AND (usage < 10 OR usage > 90) AND up = false GROUP BY host",
    f"SELECT count(usage) FROM cpu WHERE {RANGE} AND nosuchtag = 'x'",
    f"SELECT count(usage) FROM cpu WHERE {RANGE} AND nosuchtag != 'x'",
    f"SELECT count(usage) FROM cpu WHERE {RANGE} AND host::tag = 'a' AND n::field > 0",
    f"SELECT count(n) FROM cpu WHERE {RANGE} AND n > 10.5 AND n < 30",
    f"SELECT count(n) FROM cpu WHERE {RANGE} AND state = 'ok' AND 'ok' = state AND 20 < usage",
    "SELECT mean(usage) FROM cpu WHERE time > '2020-01-05T23:10:00Z' AND time <= '2020-01-05T23:40:00Z' GROUP BY time(10m)",
    f"SELECT mean(usage) FROM cpu WHERE time >= {BASE} AND time < {BASE + 3600 * 10**9} GROUP BY time(15m)",
]


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_influxdb(both, query):
    same(both.real(query), both.ours(query))


ERRORS = [
    f"SELECT mean(state) FROM cpu WHERE {RANGE}",
    f"SELECT median(up) FROM cpu WHERE {RANGE}",
    f"SELECT top(state, 2) FROM cpu WHERE {RANGE}",
    f"SELECT mean(usage) FROM nodb.autogen.cpu WHERE {RANGE}",
    f"SELECT mean(usage) FROM diff.norp.cpu WHERE {RANGE}",
    f"SELECT mean(usage), mean FROM cpu WHERE {RANGE}",
    f"SELECT max(usage), min(usage), host FROM cpu WHERE {RANGE}",
]


@pytest.mark.parametrize("query", ERRORS)
def test_same_error_as_influxdb(both, query):
    with pytest.raises(InfluxDBError) as real:
        both.real(query)
    with pytest.raises(InfluxDBError) as ours:
        both.ours(query)
    assert str(ours.value) == str(real.value)


def many_series_lines(seed: int = 3) -> str:
    """13 series over three weeks (four weekly shards), irregular: sums and means over many
    series and shards, where InfluxDB's merge order decides the floating-point result."""
    rng = random.Random(seed)
    lines = []
    for index in range(13):
        tags = f"host=h{index:02d},dc={'ab'[index % 2]}" + (",rack=r1" if index % 3 == 0 else "")
        time = BASE - 9 * 86400 * 10**9 + rng.randrange(0, 3600) * 10**9
        while time < BASE + 12 * 86400 * 10**9:
            lines.append(f"load,{tags} v={rng.uniform(-1e3, 1e3)!r},i={rng.randrange(-10**6, 10**6)}i {time}")
            time += rng.randrange(600, 7200) * 10**9
    return "\n".join(lines)


WIDE = "time >= '2019-12-27T00:00:00Z' AND time < '2020-01-17T00:00:00Z'"
MANY_QUERIES = [
    f"SELECT mean(v), sum(v), count(v), mean(i), sum(i) FROM load WHERE {WIDE}",
    f"SELECT mean(v), sum(v) FROM load WHERE {WIDE} GROUP BY dc",
    f"SELECT mean(v), sum(v) FROM load WHERE {WIDE} GROUP BY rack",
    f"SELECT mean(v), sum(v), max(v), min(i) FROM load WHERE {WIDE} GROUP BY time(1d)",
    f"SELECT mean(v), sum(v) FROM load WHERE {WIDE} GROUP BY time(1w, 2d), dc",
    f"SELECT mean(v) FROM load WHERE {WIDE} GROUP BY time(10d) ORDER BY time DESC",
    f"SELECT median(v), stddev(v), spread(i), percentile(v, 33) FROM load WHERE {WIDE} GROUP BY time(3d)",
    f"SELECT v FROM load WHERE {WIDE} AND v > 990",
    f"SELECT derivative(mean(v), 1h) FROM load WHERE {WIDE} GROUP BY time(1d), dc",
]


@pytest.fixture(scope="module")
def many(influxd):
    return Both(influxd, "many", many_series_lines())


@pytest.mark.parametrize("query", MANY_QUERIES)
def test_same_answer_over_many_series_and_shards(many, query):
    same(many.real(query), many.ours(query))

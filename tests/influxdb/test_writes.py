"""Writes as InfluxDB 1.6.7 stores them: the same requests to a real influxd and to the
embedded store give the same /write answers and the same data afterwards."""

from __future__ import annotations

import json

import pytest

from tests.influxdb.conftest import same
from tickpy.influxql import parse_select
from tickpy.runtime.influxdb import EmbeddedDatabase
from tickpy.runtime.lineprotocol import parse_points

WEEK = 7 * 86400 * 10**9

REQUESTS = {
    "same time overwrites, fields merge": [
        "m,host=a x=1,y=1 10\nm,host=a x=2 20",
        "m,host=a y=5 10\nm,host=b x=3 10",
        "m,host=a x=7i 30",
    ],
    "a conflicting point is dropped alone": [
        "m v=1 1\nm v=2 2",
        'm v=3i 3\nm v="x" 4\nm v=5 5\nm,host=z v=true 6',
    ],
    "two types in one batch fail the shard's batch": [
        f"m v=1 1\nm v=2i 2\nm,h=x v=5 4\nm v=4i {WEEK * 100}",
        "m v=true 5\nm v=6 6",
    ],
    "types are per shard": [
        f"m v=1 1\nm v=2i {WEEK * 3}",
        f"m v=3i {WEEK * 3 + 1}\nm v=4 {WEEK * 3 + 2}\nm v=5i 5",
    ],
    "new fields beside known ones": [
        "m a=1 1",
        'm a=2,b="s" 2\nm a=3,b=1 3\nm c=true 4',
    ],
}


@pytest.mark.parametrize("case", sorted(REQUESTS))
def test_writes_store_what_influxdb_stores(influxd, case):
    db = "w" + str(sorted(REQUESTS).index(case))
    influxd.create_database(db)
    embedded = EmbeddedDatabase()
    for lines in REQUESTS[case]:
        status, body = influxd.write(db, lines)
        report = embedded.write(db, "autogen", parse_points(lines))
        if status == 204:
            assert report.shard_errors == []
        else:  # influxd writes shards concurrently and answers with one shard's error
            assert json.loads(body)["error"] in report.shard_errors
    query = "SELECT * FROM m GROUP BY *"
    same(influxd.remote.query(query, db, ""), embedded.engine.execute(parse_select(query), db, "autogen", now=0))

"""InfluxDB 1.x for batch tasks: an embedded store with an InfluxQL engine, or a live server.

Both answer `select(plan, db, rp)` with the series InfluxDB's /query returns for the statement
Kapacitor would send for `plan` (tickpy.influxql.rewrite); `db`/`rp` are used where FROM does
not name them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from base64 import b64encode
from collections.abc import Iterable

from tickpy.influxql import QueryPlan, parse_select, rewrite
from tickpy.runtime.influxdb.engine import Engine, Series
from tickpy.runtime.influxdb.errors import InfluxDBError
from tickpy.runtime.influxdb.store import Store, WriteReport

__all__ = ["EmbeddedDatabase", "InfluxDBError", "RemoteInfluxDB", "Series", "WriteReport"]


class EmbeddedDatabase:
    """An in-process InfluxDB 1.x: write points, run a query node's SELECT."""

    def __init__(self) -> None:
        self.store = Store()
        self.engine = Engine(self.store)

    def write(self, db: str, rp: str, points: Iterable) -> WriteReport:
        return self.store.write(db, rp, points)

    def create_database(self, db: str, rp: str = "autogen") -> None:
        """CREATE DATABASE (and its retention policy): a query of a database nothing was written
        to answers "database not found", as InfluxDB does, unless it was created."""
        self.store.retention_policy(db, rp, create=True)

    def select(self, plan: QueryPlan, db: str, rp: str) -> list[Series]:
        statement = parse_select(rewrite(plan))
        # now() in a query is the time the run is scheduled for, the end of its range
        return self.engine.execute(statement, db, rp, now=plan.stop_ns)


class RemoteInfluxDB:
    """A live InfluxDB 1.x /query (or the v1-compatible endpoint of InfluxDB 2 and 3)."""

    def __init__(self, url: str, auth: tuple[str, str] | None = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.auth = auth
        self.timeout = timeout

    def select(self, plan: QueryPlan, db: str, rp: str) -> list[Series]:
        return self.query(rewrite(plan), db, rp)

    def query(self, text: str, db: str, rp: str) -> list[Series]:
        form = {"q": text, "db": db, "epoch": "ns"}
        if rp:
            form["rp"] = rp
        request = urllib.request.Request(
            self.url + "/query", data=urllib.parse.urlencode(form).encode(), method="POST"
        )
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if self.auth is not None:
            token = b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as error:
            try:
                message = json.loads(error.read()).get("error", str(error))
            except ValueError:
                message = str(error)
            raise InfluxDBError(message) from None
        except (urllib.error.URLError, OSError) as error:
            raise InfluxDBError(f"cannot reach InfluxDB at {self.url}: {error}") from None
        return series_of_response(body)


def series_of_response(body: dict) -> list[Series]:
    """The series of the first statement of a /query JSON answer."""
    if "error" in body:
        raise InfluxDBError(body["error"])
    results = body.get("results") or [{}]
    result = results[0]
    if "error" in result:
        raise InfluxDBError(result["error"])
    return [
        Series(series.get("name", ""), dict(series.get("tags") or {}), list(series["columns"]),
               [list(row) for row in series.get("values") or []])
        for series in result.get("series") or []
    ]

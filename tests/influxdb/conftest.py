"""A real InfluxDB 1.x (`influxd`, Debian's 1.6.7) for differential tests of the embedded engine.

The server runs on 127.0.0.1 on free ports with its data in a temporary directory, once per
test session; tests that need it skip, saying why, when influxd is not installed
(TICKPY_INFLUXD overrides the path, default: `influxd` on PATH).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tickpy.influxql import parse_select
from tickpy.runtime.influxdb import EmbeddedDatabase, RemoteInfluxDB
from tickpy.runtime.lineprotocol import parse_points

CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"
[meta]
  dir = "{root}/meta"
[data]
  dir = "{root}/data"
  wal-dir = "{root}/wal"
  query-log-enabled = false
[coordinator]
  log-queries-after = "0s"
[http]
  bind-address = "127.0.0.1:{http_port}"
  log-enabled = false
[logging]
  level = "error"
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
"""


def influxd_path() -> str | None:
    return os.environ.get("TICKPY_INFLUXD") or shutil.which("influxd")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Influxd:
    """A running influxd: its URL, process, and helpers to create databases and write."""

    def __init__(self, path: str, root: str) -> None:
        http_port = free_port()
        config = os.path.join(root, "influxdb.conf")
        with open(config, "w") as out:
            out.write(CONFIG.format(root=root, http_port=http_port, rpc_port=free_port()))
        self.url = f"http://127.0.0.1:{http_port}"
        self.log = open(os.path.join(root, "influxd.log"), "w")
        self.process = subprocess.Popen([path, "-config", config], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"influxd did not start; see {self.log.name}")
            time.sleep(0.05)  # polling /ping until it answers, not a fixed wait
        self.remote = RemoteInfluxDB(self.url)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/ping", timeout=1) as response:
                return response.status == 204
        except (urllib.error.URLError, OSError):
            return False

    def post(self, path: str, data: bytes, **params: str) -> tuple[int, bytes]:
        request = urllib.request.Request(f"{self.url}{path}?{urllib.parse.urlencode(params)}", data=data, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def create_database(self, db: str) -> None:
        status, body = self.post("/query", urllib.parse.urlencode({"q": f'CREATE DATABASE "{db}"'}).encode())
        assert status == 200, body

    def write(self, db: str, lines: str) -> tuple[int, bytes]:
        return self.post("/write", lines.encode(), db=db)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def influxd(tmp_path_factory):
    path = influxd_path()
    if path is None:
        pytest.skip("influxd is not installed (apt-get install influxdb, or set TICKPY_INFLUXD)")
    server = Influxd(path, str(tmp_path_factory.mktemp("influxd")))
    yield server
    server.stop()


class Both:
    """The same data in the real server and in an EmbeddedDatabase, to query both."""

    def __init__(self, server: Influxd, db: str, lines: str) -> None:
        self.server = server
        self.db = db
        server.create_database(db)
        for start in range(0, len(lines.splitlines()), 5000):
            chunk = "\n".join(lines.splitlines()[start : start + 5000])
            status, body = server.write(db, chunk)
            assert status == 204, body
        self.embedded = EmbeddedDatabase()
        self.embedded.write(db, "autogen", parse_points(lines))

    def real(self, text: str):
        return self.server.remote.query(text, self.db, "")

    def ours(self, text: str, now: int = 0):
        return self.embedded.engine.execute(parse_select(text), self.db, "autogen", now=now)


def same(real, ours) -> None:
    """Exactly the same series: names, tags, columns, and values (numbers compared as parsed from
    InfluxDB's JSON, where 3.0 reads as 3)."""
    assert [(s.name, s.tags, s.columns) for s in ours] == [(s.name, s.tags, s.columns) for s in real]
    for real_series, our_series in zip(real, ours):
        assert len(our_series.values) == len(real_series.values), (real_series.values, our_series.values)
        for real_row, our_row in zip(real_series.values, our_series.values):
            assert [_comparable(v) for v in our_row] == [_comparable(v) for v in real_row], (real_row, our_row)


def _comparable(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    return ("number", repr(float(value)) if isinstance(value, float) or abs(value) < 2**53 else value)

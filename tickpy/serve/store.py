"""What `tickpy serve` keeps in its data directory: one sqlite3 database (tickpy.db) holding the
tasks, templates, topic handlers and topic states, each row a JSON record. Every definition is
committed before the request that made it is answered; sqlite's journal makes a commit survive a
kill -9."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

KINDS = ("task", "template", "handler", "topic_state")


class Store:
    def __init__(self, data_dir: str | None):
        """No data directory: an in-memory database (nothing survives the process)."""
        if data_dir:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
            target = str(Path(data_dir) / "tickpy.db")
        else:
            target = ":memory:"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, "
                         "body TEXT NOT NULL, PRIMARY KEY (kind, key))")

    def put(self, kind: str, key: str, record: dict) -> None:
        self.put_many(kind, [(key, record)])

    def put_many(self, kind: str, items: list[tuple[str, dict]]) -> None:
        assert kind in KINDS
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO records (kind, key, body) VALUES (?, ?, ?)",
                                 [(kind, key, json.dumps(record)) for key, record in items])
            self._db.execute("COMMIT")

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))

    def all(self, kind: str) -> list[tuple[str, dict]]:
        with self._lock:
            rows = self._db.execute("SELECT key, body FROM records WHERE kind = ? ORDER BY key", (kind,)).fetchall()
        return [(key, json.loads(body)) for key, body in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

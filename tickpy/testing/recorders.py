"""Where a test's handlers really deliver: real endpoints on 127.0.0.1, private to one run.

A script under test names its handlers' targets (`.tcp('10.0.0.5:9100')`, a handler file's
`address`, `.post('http://hooks.example/x')`, `.log('/var/log/alerts.log')`, `.exec('/bin/page')`).
`RecordingAlertService` is tickpy's alert service with one change: each target is swapped, when
its handler is built, for a recorder of the same kind, so the run goes through the real
delivery path (the same worker threads, framing, retries and JSON bytes) and the test sees what
the target would have received:

    tcp    a TCP listener on an ephemeral port; one alert per connection (Kapacitor dials per event)
    post   an HTTP server on an ephemeral port, same path and query; one alert per request body,
           with the request's headers (endpoints from the config keep their headers and auth)
    log    a file in the run's temporary folder; one alert per line
    exec   `sh -c 'cat >> FILE'`: the payload the program would read on stdin, one alert per line
    other  (slack, pagerDuty2, email, ...) the capture sink, as in `tickpy run`: the alert and
           the request tickpy would send; nothing leaves the machine

Deliveries are keyed `"<kind> <target as written>"`: `tcp 127.0.0.1:7777`,
`post http://hooks.example/x`, `log /var/log/alerts.log`, `exec /bin/page --now`; captured kinds
are keyed by kind and handler id: `slack cpu_alert.slack`, `slack my-handler-id`.

`|httpPost()` nodes are redirected the same way (the harness asks `redirect_http_post` before
the first point); what they sent is kept apart, by URL, in `http_posts()`.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tickpy.alerting.handlers import CaptureHandler
from tickpy.alerting.kinds import HANDLER_KINDS
from tickpy.alerting.service import AlertService

__all__ = ["Delivery", "RecordingAlertService"]

_HTTP_POST = "httpPost"  # recorder keys of httpPost nodes (not handlers)


@dataclass(slots=True)
class Delivery:
    """One alert a handler target received: the alert JSON (`alert`, Kapacitor's alert data),
    plus, per kind, the HTTP `path` and `headers` (post) or the captured `request` (external)."""

    key: str
    alert: Any
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    request: Any = None

    def as_dict(self) -> dict:
        data = dict(self.alert) if isinstance(self.alert, dict) else {"raw": self.alert}
        if self.request is not None:
            data["request"] = self.request
        if self.headers:
            data["headers"] = dict(self.headers)
        return data


def _decode(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")


class _TCPRecorder:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.payloads: list[bytes] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="tickpy-test-tcp")
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            chunks = []
            with conn:
                conn.settimeout(5.0)
                try:
                    while data := conn.recv(65536):
                        chunks.append(data)
                except OSError:
                    pass
            with self._lock:
                self.payloads.append(b"".join(chunks))

    def count(self) -> int:
        with self._lock:
            return len(self.payloads)

    def records(self) -> list[tuple[Any, str, dict]]:
        with self._lock:
            return [(_decode(p.strip()), "", {}) for p in self.payloads]

    def close(self) -> None:
        # shutdown() wakes the blocked accept(); only then may the descriptor be reused.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._thread.join(timeout=2.0)
        self.sock.close()


class _HTTPRecorder:
    def __init__(self):
        recorder = self
        self.requests: list[tuple[str, dict, bytes]] = []
        self._lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with recorder._lock:
                    recorder.requests.append((self.path, dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True,
                         name="tickpy-test-http").start()

    def url_for(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit(("http", self.base[len("http://"):], parts.path or "/", parts.query, ""))

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def records(self) -> list[tuple[Any, str, dict]]:
        skipped = {"Host", "Content-Length", "Accept-Encoding", "Connection", "User-Agent"}
        with self._lock:
            return [(_decode(body), path, {k: v for k, v in headers.items() if k not in skipped})
                    for path, headers, body in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _FileRecorder:
    """log and exec targets: alerts appended to a file, one JSON line each."""

    def __init__(self, path: str):
        self.path = path

    def _lines(self) -> list[bytes]:
        try:
            with open(self.path, "rb") as handle:
                return [line for line in handle.read().split(b"\n") if line.strip()]
        except FileNotFoundError:
            return []

    def count(self) -> int:
        return len(self._lines())

    def records(self) -> list[tuple[Any, str, dict]]:
        return [(_decode(line), "", {}) for line in self._lines()]

    def close(self) -> None:
        pass


class RecordingAlertService(AlertService):
    """The alert service with every handler target swapped for a recorder (see module doc).
    Use as `alert_service=` of `run_task`, then `close()` and `deliveries()`."""

    def __init__(self, handler_files=(), config=None, *, report=None):
        self._folder = tempfile.TemporaryDirectory(prefix="tickpy-test-")
        self._recorders: dict[str, Any] = {}
        self._order: list[str] = []  # keys in the order their handlers were built
        self._built_for: dict[str, list] = {}  # key -> the handlers delivering there
        self._handed: dict[str, list[bytes]] = {}  # key -> alert JSON handed to its handlers, in order
        super().__init__(handler_files=handler_files, config=config, report=report,
                         capture=os.path.join(self._folder.name, "captured.jsonl"),
                         retries=1, backoff_s=0.01, handler_timeout_s=2.0)

    def _recorder(self, key: str, make):
        recorder = self._recorders.get(key)
        if recorder is None:
            recorder = self._recorders[key] = make()
            self._order.append(key)
        return recorder

    def _file(self, key: str) -> str:
        return os.path.join(self._folder.name, f"target{len(self._recorders)}.jsonl")

    def build_handler(self, kind, handler_id, options, label, problem):
        options = dict(options)
        key = HANDLER_KINDS[kind].retarget(options, self, problem)
        handler = super().build_handler(kind, handler_id, options, label, problem)
        if key is not None:
            self._built_for.setdefault(key, []).append(handler)
            return _Sequenced(handler, self._handed.setdefault(key, []))
        return handler

    # The recorders handler kinds are pointed at (tickpy.alerting.kinds.Recorders).

    def tcp_recorder(self, key: str) -> str:
        return self._recorder(key, _TCPRecorder).address

    def file_recorder(self, key: str) -> str:
        return self._recorder(key, lambda: _FileRecorder(self._file(key))).path

    def http_recorder(self, key: str, url: str) -> str:
        return self._recorder(key, _HTTPRecorder).url_for(url)

    def redirect_http_post(self, url: str) -> str:
        """The recorder URL for an httpPost node's `url` (its requests are kept apart from the
        handlers' deliveries: see `http_posts`)."""
        return self.http_recorder(f"{_HTTP_POST} {url}", url)

    def handler_keys(self) -> list[str]:
        """Every handler the run built, named as deliveries() names them, whether or not it
        received anything (for coverage)."""
        keys = [key for key in self._order if not key.startswith(_HTTP_POST + " ")]
        for handler in self._handlers:
            inner = getattr(handler, "inner", handler)  # a topic handler's match wrapper
            if isinstance(inner, CaptureHandler):
                keys.append(f"{inner.kind} {inner.handler_id}")
        return list(dict.fromkeys(keys))

    def http_posts(self) -> dict[str, list[Delivery]]:
        """What each httpPost node's URL received: url -> the request bodies (result JSON)."""
        out = {}
        for key in self._order:
            kind, _, url = key.partition(" ")
            if kind == _HTTP_POST:
                records = self._recorders[key].records()
                if records:
                    out[url] = [Delivery(key, body, path, headers) for body, path, headers in records]
        return out

    def deliveries(self, expected: dict[str, int] | None = None, timeout_s: float = 2.0) -> dict[str, list[Delivery]]:
        """What each target received, after `close()`. Waits (briefly) for the listeners to
        finish reading what the workers have sent."""
        delivered = self._delivered_counts()
        deadline = time.monotonic() + timeout_s
        for key in self._order:
            recorder = self._recorders[key]
            want = delivered.get(key, 0)
            while recorder.count() < want and time.monotonic() < deadline:
                time.sleep(0.002)
        out: dict[str, list[Delivery]] = {}
        for key in self._order:
            if key.startswith(_HTTP_POST + " "):
                continue
            records = self._recorders[key].records()
            if len(self._built_for.get(key, ())) > 1:
                records = _in_handed_order(records, self._handed.get(key, []))
            if records:
                out[key] = [Delivery(key, alert, path, headers) for alert, path, headers in records]
        for key, delivery in self._captured():
            out.setdefault(key, []).append(delivery)
        return out

    def _delivered_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        summary = self._closed
        for stats in (summary.handlers if summary is not None else []):
            for key, recorder in self._recorders.items():
                if key.split(" ", 1)[0] == stats.kind and _targets(recorder, stats.target):
                    counts[key] = counts.get(key, 0) + stats.delivered
        return counts

    def _captured(self) -> list[tuple[str, Delivery]]:
        path = self.capture_path
        if not path or not os.path.exists(path):
            return []
        found = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                key = f"{record.get('kind')} {record.get('handler')}"
                found.append((key, Delivery(key, record.get("alert"), request=record.get("request"))))
        return found

    def cleanup(self) -> None:
        for recorder in self._recorders.values():
            recorder.close()
        self._folder.cleanup()


class _Sequenced:
    """A handler that notes, in the alert node's thread, each alert it is handed: when several
    handlers deliver to one target, their worker threads may arrive in any order; the test
    shows the deliveries in the order the alerts were handed over, so it is deterministic."""

    def __init__(self, inner, handed: list[bytes]):
        self._inner = inner
        self._handed = handed
        self.kind = inner.kind
        self.handler_id = inner.handler_id
        self.stats = inner.stats

    def handle(self, event) -> None:
        if not event.no_external:
            self._handed.append(event.wire)
        self._inner.handle(event)

    def flush(self) -> None:
        self._inner.flush()

    @property
    def workers(self):
        return self._inner.workers


def _in_handed_order(records: list, handed: list[bytes]) -> list:
    """Arrivals reordered to follow `handed` (matched by their JSON); the rest keep arrival order."""
    pending: dict[str, list[int]] = {}
    for index, (alert, _path, _headers) in enumerate(records):
        pending.setdefault(json.dumps(alert, sort_keys=True), []).append(index)
    ordered: list = []
    used: set[int] = set()
    for wire in handed:
        try:
            text = json.dumps(json.loads(wire), sort_keys=True)
        except ValueError:
            continue
        indexes = pending.get(text)
        if indexes:
            index = indexes.pop(0)
            used.add(index)
            ordered.append(records[index])
    ordered.extend(record for index, record in enumerate(records) if index not in used)
    return ordered


def _targets(recorder, target: str) -> bool:
    if isinstance(recorder, _TCPRecorder):
        return recorder.address == target
    if isinstance(recorder, _HTTPRecorder):
        return target.startswith(recorder.base)
    if isinstance(recorder, _FileRecorder):
        return recorder.path in target
    return False

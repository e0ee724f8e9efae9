"""Kapacitor's stream integration cases (../shared/conformance/alerts): every case runs through
the engine with real listeners — an HTTP server and a TCP server on 127.0.0.1, real log files —
and the alert bytes, counts, framing, file modes, headers and httpOut results are compared with
what Kapacitor produced."""

from __future__ import annotations

import http.server
import json
import os
import socketserver
import stat
import threading
from pathlib import Path

import pytest

from tests.conformance.conftest import case_folders, case_params, count, require_set


class _Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.items: list = []

    def add(self, item) -> None:
        with self.lock:
            self.items.append(item)


class HTTPListener:
    """A real HTTP server recording each POST (path, headers, body)."""

    def __init__(self):
        recorder = self.recorder = _Recorder()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                recorder.add({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class TCPListener:
    """A real TCP server recording the bytes of each connection."""

    def __init__(self):
        recorder = self.recorder = _Recorder()

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                chunks = []
                while True:
                    data = self.request.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
                recorder.add(b"".join(chunks))

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _substitute(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def _substitute_data(data, values):
    if isinstance(data, str):
        return _substitute(data, values)
    if isinstance(data, list):
        return [_substitute_data(item, values) for item in data]
    if isinstance(data, dict):
        return {key: _substitute_data(item, values) for key, item in data.items()}
    return data


def _normalize_result(result, ignore_series_order: bool):
    data = json.loads(json.dumps(result)) if not isinstance(result, (str, bytes)) else json.loads(result)
    series = data.get("series")
    if ignore_series_order and series:
        data["series"] = sorted(series, key=lambda s: json.dumps([s.get("name"), s.get("tags")], sort_keys=True))
    return data


def _same_numbers(a, b) -> bool:
    """Equality where 10 == 10.0 (the Go tests decode every number to float64)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b if isinstance(a, bool) and isinstance(b, bool) else False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_numbers(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_numbers(a[k], b[k]) for k in a)
    return a == b


def run_case(case: Path, tmp: Path) -> list[str]:
    """Problems found running one case (empty: it passed)."""
    from tickpy.api import run_task
    from tickpy.golang import gojson
    from tickpy.runtime.lineprotocol import read_points

    expected = json.loads((case / "expected.json").read_text())
    http_listener = HTTPListener()
    tcp_listener = TCPListener()
    try:
        log_paths = [tmp / f"{case.name}-1.log", tmp / f"{case.name}-2.log"]
        values = {
            "{HTTP_PORT}": str(http_listener.port),
            "{TCP_PORT}": str(tcp_listener.port),
            "{LOG_PATH}": str(log_paths[0]),
            "{LOG_PATH_2}": str(log_paths[1]),
        }
        source = _substitute((case / "script.tick").read_text(), values)
        config = _substitute_data(expected.get("config") or {}, values)
        input_errors: list = []
        with open(case / "points.lp", "rb") as handle:
            points = read_points(handle, source_name="points.lp", on_error=input_errors.append,
                                 database="dbname", retention_policy="rpname")
            old_umask = os.umask(0o022)
            try:
                result = run_task(source, points, path=str(case / "script.tick"), task_name=case.name,
                                  dbrp=("dbname", "rpname"), config=config, input_errors=input_errors)
            finally:
                os.umask(old_umask)
        problems: list[str] = []
        if input_errors:
            problems.append(f"{len(input_errors)} input lines rejected: {input_errors[0]}")
        problems += _check_alerts(expected, result, http_listener, tcp_listener, log_paths, values)
        if expected.get("output_endpoint"):
            name = expected["output_endpoint"]
            if name not in result.httpout:
                problems.append(f"no httpOut({name!r}) result")
            else:
                ignore = bool(expected.get("output_ignore_series_order"))
                got = _normalize_result(gojson.dumps(result.httpout[name]), ignore)
                want = _normalize_result(expected["output"], ignore)
                if not _same_numbers(got, want):
                    problems.append(f"httpOut differs:\n    got  {json.dumps(got)[:600]}\n    want {json.dumps(want)[:600]}")
        return problems
    finally:
        http_listener.close()
        tcp_listener.close()


def _check_alerts(expected, result, http_listener, tcp_listener, log_paths, values) -> list[str]:
    problems: list[str] = []
    handler = expected.get("handler")
    if handler is None:
        return problems
    targets = expected.get("targets") or []
    received: list[bytes] = []
    for index, target in enumerate(targets):
        kind = target["type"]
        if kind == "post":
            requests = list(http_listener.recorder.items)
            for request in requests:
                content_type = request["headers"].get("Content-Type")
                if content_type != "application/json":
                    problems.append(f"post Content-Type {content_type!r}")
                for key, value in (target.get("expected_headers") or {}).items():
                    if request["headers"].get(key) != value:
                        problems.append(f"post header {key}: {request['headers'].get(key)!r} != {value!r}")
                if not request["body"].endswith(b"\n") or request["body"].endswith(b"\n\n"):
                    problems.append("post body is not JSON + one newline")
            bodies = [r["body"].removesuffix(b"\n") for r in requests]
        elif kind == "tcp":
            bodies = []
            for data in tcp_listener.recorder.items:
                if not data.endswith(b"\n\n"):
                    problems.append("tcp payload is not JSON + two newlines")
                bodies.append(data.removesuffix(b"\n\n"))
        elif kind == "log":
            path = Path(_substitute(target["path"], values))
            if not path.exists():
                problems.append(f"log file {path.name} not written")
                bodies = []
            else:
                mode = stat.S_IMODE(path.stat().st_mode)
                if f"{mode:04o}" != target.get("file_mode", "0600"):
                    problems.append(f"log file mode {mode:04o} != {target.get('file_mode')}")
                text = path.read_bytes()
                if text and not text.endswith(b"\n"):
                    problems.append("log file does not end with a newline")
                bodies = [line for line in text.split(b"\n") if line]
        else:
            problems.append(f"unknown target type {kind}")
            continue
        if len(bodies) != target.get("alert_count", expected.get("alert_count")):
            problems.append(f"{kind} target {index}: {len(bodies)} alerts, want {target.get('alert_count')}")
        if index == 0:
            received = bodies
    wires = expected.get("alerts_wire")
    unchecked = set(expected.get("alerts_unchecked_fields") or [])
    if expected.get("alerts") is not None and received:
        want = [w.encode() for w in wires] if wires else [json.dumps(a).encode() for a in expected["alerts"]]
        got = list(received)
        if not expected.get("alerts_ordered", True):
            want, got = sorted(want), sorted(got)
        if len(got) != len(want):
            problems.append(f"{len(got)} alerts received, want {len(want)}")
        for position, (g, w) in enumerate(zip(got, want)):
            if unchecked or not wires:
                gd, wd = json.loads(g), json.loads(w)
                for key in unchecked:
                    gd.pop(key, None)
                    wd.pop(key, None)
                if not _same_numbers(gd, wd):
                    problems.append(f"alert {position} differs:\n    got  {g[:400]!r}\n    want {w[:400]!r}")
            elif g != w:
                problems.append(f"alert {position} bytes differ:\n    got  {g[:500]!r}\n    want {w[:500]!r}")
    elif expected.get("alert_count") is not None and received is not None:
        if len(received) != expected["alert_count"]:
            problems.append(f"{len(received)} alerts received, want {expected['alert_count']}")
    if len(result.alerts) < (expected.get("alert_count") or 0):
        problems.append(f"engine produced {len(result.alerts)} alerts, want {expected['alert_count']}")
    return problems


@pytest.mark.parametrize("case", case_params("alerts", lambda folder: ((c.name, c) for c in case_folders(folder))))
def test_stream_case(case, tmp_path):
    try:
        problems = run_case(case, tmp_path)
    except Exception as error:  # a crash is a failed case, reported with its reason
        from tickpy.diagnostics import TickpyError

        if isinstance(error, TickpyError):
            problems = ["; ".join(d.message for d in error.diagnostics)]
        else:
            problems = [f"{type(error).__name__}: {error}"]
    count("alerts", not problems)
    assert not problems, f"{case.name}: " + "\n    ".join(problems)


def test_the_set_holds_every_stream_case():
    assert len(case_folders(require_set("alerts"))) == 58

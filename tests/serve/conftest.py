"""A real `python -m tickpy serve` process per test (signals, sockets and restarts are the point),
real HTTP clients, and a real TCP listener for the alerts."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
START_TIMEOUT_S = 30


class HttpClient:
    """Requests to `self.url` (a tickpy serve, or a kapacitord)."""

    url: str

    def request(self, method: str, path: str, body=None, headers: dict | None = None):
        """(status, headers, body bytes) of one request; a dict body is sent as JSON."""
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def json(self, method: str, path: str, body=None, headers: dict | None = None):
        status, _, data = self.request(method, path, body, headers)
        return status, (json.loads(data) if data else None)

    def write(self, lines: bytes | str, db: str = "telegraf", rp: str = "autogen", gzipped: bool = False, **params):
        data = lines.encode() if isinstance(lines, str) else lines
        headers = {}
        if gzipped:
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        query = "&".join([f"db={db}"] + ([f"rp={rp}"] if rp else []) + [f"{k}={v}" for k, v in params.items()])
        return self.request("POST", f"/write?{query}", data, headers)


class Serve(HttpClient):
    """One server process; `url` is where it said it listens (its first line on stdout)."""

    def __init__(self, args: list[str], env: dict | None = None):
        self.args = args
        self.process = subprocess.Popen([sys.executable, "-m", "tickpy", "serve", *args], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, **(env or {})})
        self.stderr_lines: list[str] = []
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()
        line = self._first_line()
        if not line.startswith("tickpy serve: listening on "):
            self.process.kill()
            self.process.wait()
            self._stderr_reader.join(5)
            raise AssertionError(f"tickpy serve did not start: {line!r}\n{self.stderr}")
        self.url = line.rsplit(" ", 1)[1].strip()
        self.port = int(self.url.rsplit(":", 1)[1])

    def _first_line(self) -> str:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT_S)
        return result[0] if result else ""

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr_lines.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def wait_processed(self, task_id: str, count: int, timeout: float = 30) -> None:
        """Until the task has pushed `count` points through (the debug vars say so)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, answer = self.json("GET", "/kapacitor/v1/debug/vars")
            stat = answer["kapacitor"].get(f"task:{task_id}")
            if stat is not None and stat["values"]["points_processed"] >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"task {task_id} did not process {count} points in {timeout}s")

    def stop(self, sig=signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
        finally:
            self._stderr_reader.join(5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._stderr_reader.join(5)


@pytest.fixture
def serve_factory():
    started: list[Serve] = []

    def start(*args: str, env: dict | None = None) -> Serve:
        server = Serve(list(args), env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture
def serve(serve_factory, tmp_path):
    return serve_factory("--bind", "127.0.0.1:0", "--data-dir", str(tmp_path / "data"))


class TcpListener:
    """Accepts connections and keeps what each sent, in arrival order (as `tickpy listen`)."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.payloads: list[bytes] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            chunks = []
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            with self._lock:  # kept before the sender sees the close (then it counts it delivered)
                self.payloads.append(b"".join(chunks))
            connection.close()

    def wait_for(self, count: int, timeout: float = 30) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.payloads) >= count:
                    return list(self.payloads)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.payloads)} payloads arrived, {count} expected")

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def tcp_listener():
    listener = TcpListener()
    yield listener
    listener.close()


def seed_script(port: int) -> str:
    """The seed task (samples/tcp-cpu-alert.tick) delivering to `port`."""
    return (SAMPLES / "tcp-cpu-alert.tick").read_text().replace("127.0.0.1:7777", f"127.0.0.1:{port}")

"""`tickpy serve` as a process: the HTTP server, the UDP listeners, the load directory, and the
signals (SIGTERM/SIGINT: stop; SIGHUP: reload the load directory)."""

from __future__ import annotations

import signal
import socket
import sqlite3
import sys
import threading
from pathlib import Path

from tickpy.diagnostics import TickpyError
from tickpy.serve.config import ConfigProblem, ServeConfig, UDPListener, split_address
from tickpy.serve.core import Backpressure, Core, ShuttingDown
from tickpy.serve.http import Server
from tickpy.serve.ingest import WriteRefused, parse_write
from tickpy.serve.loaddir import LoadDir

# Queued alerts get this long to be delivered after SIGTERM, then they are dead-lettered.
SHUTDOWN_GRACE_S = 5.0
UDP_MAX_DATAGRAM = 65_536
SIGNAL_CHECK_S = 0.2


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def refuse_open_bind(config: ServeConfig) -> str | None:
    """Why the server must not start: defining a task is running code (an alert's .exec()), so
    anything that listens beyond this machine must ask who is calling."""
    if config.needs_auth and not config.has_credentials:
        host, port = config.host_port
        return (f"refusing to listen on {host}:{port} without authentication: anyone who can reach it could define "
                "tasks, and a task can run programs (.exec()). Set [http] auth-enabled = true with [[http.users]] "
                "(username, password) in --config, or give --token-file, or bind 127.0.0.1")
    if config.auth_enabled and not config.users and not config.token:
        return "[http] auth-enabled = true but no [[http.users]] are configured (and no --token-file)"
    return None


class UDPReceiver:
    """One [[udp]] listener: each datagram is a write of its lines to the listener's db and rp."""

    def __init__(self, listener: UDPListener, core: Core):
        self.listener = listener
        self.core = core
        host, port = split_address(listener.bind)
        self.socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((host, port))
        self.address = self.socket.getsockname()
        self._thread = threading.Thread(target=self._run, name=f"tickpy-udp-{port}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                data, _ = self.socket.recvfrom(UDP_MAX_DATAGRAM)
            except OSError:
                return  # closed
            self.core.count("udp_datagrams")
            retention_policy = self.core.retention_policy(self.listener.retention_policy)
            try:
                parsed = parse_write(data, database=self.listener.database, retention_policy=retention_policy,
                                     precision=self.listener.precision, max_line_bytes=self.core.config.max_line_bytes)
                self.core.count("udp_lines_rejected", len(parsed.errors))
                self.core.write(parsed.points, self.listener.database, retention_policy)
            except (Backpressure, ShuttingDown):
                self.core.count("udp_datagrams_dropped")  # UDP cannot be told to retry
            except WriteRefused:
                self.core.count("udp_datagrams_rejected")

    def close(self) -> None:
        self.socket.close()


def serve(config: ServeConfig) -> int:
    problem = refuse_open_bind(config)
    if problem:
        log(f"tickpy serve: {problem}")
        return 2
    try:
        core = Core(config, log)
    except TickpyError as error:  # the configuration's alert services
        render = getattr(error, "render", None)
        log(render() if callable(render) else str(error))
        return 2
    except (OSError, sqlite3.Error) as error:
        log(f"tickpy serve: cannot use the data directory {config.data_dir}: {error}")
        return 2
    core.restore()
    loader = None
    if config.load_dir:
        loader = LoadDir(Path(config.load_dir), core, log)
        loader.load()
    try:
        host, port = config.host_port
        httpd = Server((host, port), core)
        receivers = [UDPReceiver(listener, core) for listener in config.udp]
    except OSError as error:
        log(f"tickpy serve: cannot listen on {config.bind}: {error.strerror or error}")
        core.shutdown(0)
        return 2
    except ConfigProblem as error:
        log(f"tickpy serve: {error}")
        core.shutdown(0)
        return 2
    stop = threading.Event()
    reload = threading.Event()
    wake = threading.Event()

    def on_stop(number, frame):
        stop.set()
        wake.set()

    def on_hup(number, frame):
        reload.set()
        wake.set()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGHUP, on_hup)
    for receiver in receivers:
        receiver.start()
        log(f"tickpy serve: udp listening on {receiver.address[0]}:{receiver.address[1]} "
            f"(db {receiver.listener.database})")
    bound_host, bound_port = str(httpd.server_address[0]), httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="tickpy-http",
                              daemon=True)
    thread.start()
    # The first line on stdout says where it listens (port 0 picks a free one).
    print(f"tickpy serve: listening on http://{bound_host}:{bound_port}", flush=True)
    while not stop.is_set():
        # Not a bare wait: a signal delivered to another thread runs its Python handler only when
        # the main thread next runs Python code, so the main thread must wake now and then.
        wake.wait(SIGNAL_CHECK_S)
        wake.clear()
        if reload.is_set() and not stop.is_set():
            reload.clear()
            if loader is not None:
                loader.load()
                log("tickpy serve: load directory reloaded")
    httpd.shutdown()
    httpd.server_close()
    for receiver in receivers:
        receiver.close()
    summary = core.shutdown(SHUTDOWN_GRACE_S)
    if summary is not None and (summary.handlers or summary.failures):
        text = summary.render()
        if text:
            log(text)
    log("tickpy serve: stopped")
    return 0

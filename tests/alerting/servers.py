"""Real endpoints on 127.0.0.1 for the alerting tests: a TCP sink and an HTTP server."""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
import time


class TCPSink:
    """Accepts connections and keeps the bytes of each one (one entry per connection), one
    connection at a time so that the order kept is the order of connecting."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections: list[bytes] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._read(conn)

    def _read(self, conn):
        chunks = []
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                chunks.append(data)
        with self._lock:
            self.connections.append(b"".join(chunks))

    def wait_for(self, count: int, timeout: float = 5.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.connections) >= count:
                    return list(self.connections)
            time.sleep(0.01)
        return list(self.connections)

    def received_so_far(self, timeout: float = 5.0) -> list[bytes]:
        """Every connection made before this call, read to its end: connections are read in the
        order they were made, so once an empty one made here is read, all the earlier ones are."""
        with socket.create_connection(self.sock.getsockname()):
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.connections and self.connections[-1] == b"":
                    self.connections.pop()
                    return list(self.connections)
            time.sleep(0.01)
        raise AssertionError(f"the sink did not read a connection within {timeout} s")

    def close(self):
        self.sock.close()


class HTTPSink:
    """Records every POST: (path, headers, body). `delay_s` makes it slow, `status` sets the answer,
    `tls` (a server-side SSLContext) makes it HTTPS."""

    def __init__(self, delay_s: float = 0.0, status: int = 200, reply: bytes = b"", hold: threading.Event | None = None,
                 tls: ssl.SSLContext | None = None):
        self.requests: list[tuple[str, dict, bytes]] = []
        self.arrival_times: list[float] = []
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if sink.hold is not None:
                    sink.hold.wait(10)
                if sink.delay_s:
                    time.sleep(sink.delay_s)
                sink.requests.append((self.path, dict(self.headers.items()), body))
                sink.arrival_times.append(time.monotonic())
                self.send_response(sink.status)
                self.send_header("Content-Length", str(len(sink.reply)))
                self.end_headers()
                self.wfile.write(sink.reply)

            def log_message(self, *args):
                pass

        self.delay_s = delay_s
        self.hold = hold  # when given, each request waits until it is set
        self.status = status
        self.reply = reply
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:  # an HTTPS server: the handshake happens as each connection is accepted
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.requests) < count:
            time.sleep(0.01)
        return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def dead_address() -> str:
    """An address where nothing listens (a port just released)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"127.0.0.1:{port}"

"""Faulty peers on 127.0.0.1 for the fault tests: real sockets and servers, each misbehaving in one
way a real endpoint does. Each keeps what it actually got, so a test can count what arrived."""

from __future__ import annotations

import http.server
import select
import socket
import struct
import threading


def _listening(backlog: int = 64, port: int = 0) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(backlog)
    return sock


def _read_to_eof(conn: socket.socket) -> bytes | None:
    """What the peer sent, once it closed its side; None when the connection broke first."""
    chunks = []
    try:
        while data := conn.recv(65536):
            chunks.append(data)
    except OSError:
        return None
    return b"".join(chunks)


class Sink:
    """A well-behaved tcp endpoint: reads each connection to its end, then closes (one thread per
    connection). `received` holds each complete payload."""

    def __init__(self):
        self.sock = _listening()
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.received: list[bytes] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:  # kept before closing: the sender counts the alert delivered once we close
            data = _read_to_eof(conn)
            if data:
                with self._lock:
                    self.received.append(data)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.sock.close()


class ResettingListener:
    """Accepts each connection, waits until the sender's bytes are there, and resets the
    connection without reading them (SO_LINGER 0: an RST), as a peer that crashes does."""

    def __init__(self):
        self.sock = _listening()
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            select.select([conn], [], [], 5.0)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class NeverAccepting:
    """A listener whose program never calls accept(). With `full=True` its accept queue is filled
    first (listen backlog 0 takes one connection), so the kernel drops further SYNs and connecting
    hangs; otherwise connecting succeeds and writes land in a buffer that nobody reads."""

    def __init__(self, full: bool):
        self.sock = _listening(backlog=0 if full else 16)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self._fillers: list[socket.socket] = []
        if full:
            # Connections until one is not completed: from then on the queue is full.
            while True:
                filler = socket.socket()
                filler.settimeout(0.5)
                try:
                    filler.connect(self.sock.getsockname())
                except OSError:
                    filler.close()
                    break
                self._fillers.append(filler)

    def close(self):
        for filler in self._fillers:
            filler.close()
        self.sock.close()


class FlappingListener:
    """A tcp endpoint that is up (reading each connection to its end, as Sink) and down in turns,
    as a server that crashes and restarts: going down closes its socket (connections refused,
    those waiting in its accept queue reset) and resets the connections it has not finished
    reading. A payload counts as received only if its connection was closed in order. The test
    drives the turns with `down()` and `up()`."""

    def __init__(self):
        self.sock: socket.socket | None = _listening()
        self.port = self.sock.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.received: list[bytes] = []
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._start(self.sock)

    def _start(self, sock):
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, sock):
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with self._lock:
                if self.sock is not sock:  # went down meanwhile
                    _reset(conn)
                    continue
                self._open.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        data = _read_to_eof(conn)
        with self._lock:
            if conn not in self._open:
                return  # reset by down()
            self._open.discard(conn)
            if data:  # kept before closing: the sender counts the alert delivered once we close
                self.received.append(data)
            conn.close()

    def down(self):
        with self._lock:
            sock, self.sock = self.sock, None
            for conn in self._open:
                _reset(conn)
            self._open.clear()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def up(self):
        with self._lock:
            if self.sock is None:
                self.sock = _listening(port=self.port)
                self._start(self.sock)

    def close(self):
        self.down()


def _reset(conn: socket.socket) -> None:
    """Abort the connection with a reset, as a crashing process does: no orderly close (FIN)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    try:
        conn.shutdown(socket.SHUT_RD)  # wakes its reader without sending anything
    except OSError:
        pass
    conn.close()


class HTTPPeer:
    """An HTTP endpoint that reads each POST and then answers `status` (after `delay_s`), or with
    `hang=True` never answers (until closed). `requests` holds the bodies it read (with a delay:
    those it answered)."""

    def __init__(self, status: int = 200, hang: bool = False, delay_s: float = 0.0):
        self.requests: list[bytes] = []
        self._release = threading.Event()
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the client went away mid-request: nothing was sent
                if hang:
                    peer.requests.append(body)
                    peer._release.wait()
                    return
                if peer._release.wait(delay_s):
                    return  # closed meanwhile: no answer
                peer.requests.append(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()


class SlowReader:
    """A tcp endpoint that reads `chunk` bytes at a time with a pause after each, to the end (a
    slow consumer), or, with `stop_after`, stops reading after that many bytes and holds the
    connection open until closed (a stuck one). `received` holds the bytes of each connection."""

    def __init__(self, chunk: int = 65536, pause_s: float = 0.0, stop_after: int | None = None):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)  # inherited: backpressure soon
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.received: list[bytes] = []
        self._chunk, self._pause_s, self._stop_after = chunk, pause_s, stop_after
        self._closed = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        got = bytearray()
        index = len(self.received)
        self.received.append(b"")
        try:
            while self._stop_after is None or len(got) < self._stop_after:
                data = conn.recv(self._chunk)
                if not data:
                    break
                got += data
                self.received[index] = bytes(got)
                if self._closed.wait(self._pause_s):
                    break
        except OSError:
            pass
        if self._stop_after is not None:
            self._held.append(conn)  # stuck: neither reads nor closes
            return
        conn.close()

    def close(self):
        self._closed.set()
        for conn in self._held:
            conn.close()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

"""One attempt at delivering one payload, per local kind. Each raises DeliveryError on failure.

Behaviour follows Kapacitor's handlers: tcp dials a new connection per event, writes, closes;
log opens the file O_APPEND|O_CREATE with the mode per event; exec runs the program (no shell)
with the payload on stdin; post sends one POST per event with the endpoint's and the handler's
headers (the handler's win) and `Content-Type: application/json`. The bytes sent are Kapacitor's.

tickpy's own guarantees on top (Kapacitor has neither): nothing waits without a bound, and a tcp
alert counts as delivered only once the peer has it: after writing, tickpy closes its side and
waits for the peer to close its own (having read everything); a reset, or no close within the
timeout, fails the attempt. Each attempt runs under the worker's Interruption, through which a
shutdown cuts it short: tcp looks at it between short waits and then resets the connection (so
that the peer cannot take a cut payload for a whole one); a post waiting for its answer has its
socket shut down; an exec program has its process group killed.
"""

from __future__ import annotations

import base64
import errno
import os
import select
import signal
import socket
import struct
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tickpy.alerting.addresses import split_host_port
from tickpy.alerting.delivery import Delivery, DeliveryError, Interruption
from tickpy.golang.gohttp import canonical_header_key, url_port_problem

if TYPE_CHECKING:  # pragma: no cover
    import subprocess

DEFAULT_TCP_TIMEOUT_S = 5.0  # connecting, each write, and the peer's close
DEFAULT_HTTP_TIMEOUT_S = 10.0  # Kapacitor has none unless .timeout() is set; tickpy never hangs
# Kapacitor waits for an exec program however long it runs; tickpy kills it (its whole process
# group) after this long, so that a program that hangs cannot keep a run from ending.
DEFAULT_EXEC_TIMEOUT_S = 10.0

Sender = Callable[[Delivery, Interruption], None]

POLL_S = 0.1  # tcp: how often a wait looks whether the shutdown cut the attempt short
_TCP_CLOSE = 7  # Linux's TCP_CLOSE in struct tcp_info: the connection is over, both sides' FINs acknowledged


def connect(host: str, port: int, timeout_s: float, interruption: Interruption) -> socket.socket:
    """A connected socket (as socket.create_connection, with timeout `timeout_s`); OSError
    (TimeoutError) when it cannot connect; DeliveryError when the shutdown cuts it short."""
    last: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            _connect(sock, address, timeout_s, interruption)
        except BaseException as err:
            sock.close()
            if not isinstance(err, OSError):
                raise
            last = err
            continue
        sock.settimeout(timeout_s)
        return sock
    raise last or OSError("no address")


def _connect(sock: socket.socket, address, timeout_s: float, interruption: Interruption) -> None:
    sock.setblocking(False)
    error = sock.connect_ex(address)
    deadline = time.monotonic() + timeout_s
    poller = select.poll()
    poller.register(sock, select.POLLOUT)
    while error in (errno.EINPROGRESS, errno.EAGAIN, errno.EALREADY):
        if interruption.requested:
            raise DeliveryError("not connected before the shutdown")
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        if poller.poll(min(POLL_S, left) * 1000):
            error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if error:
        raise OSError(error, os.strerror(error))


def tcp_sender(address: str, timeout_s: float = DEFAULT_TCP_TIMEOUT_S) -> Sender:
    host, port = split_host_port(address)

    def send(delivery: Delivery, interruption: Interruption) -> None:
        try:
            conn = connect(host, port, timeout_s, interruption)
        except TimeoutError:
            raise DeliveryError(f"tcp handler failed to connect: dial tcp {address}: i/o timeout") from None
        except OSError as err:
            raise DeliveryError(f"tcp handler failed to connect: dial tcp {address}: "
                                f"{err.strerror or err}") from None
        try:
            conn.settimeout(POLL_S)
            _write(conn, delivery.payload, address, timeout_s, interruption)
            _await_close(conn, address, timeout_s, interruption)
        except BaseException:
            # Reset rather than close: after a close the peer would read what was written, then
            # the end, and could take a cut payload for a whole one.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raise
        finally:
            conn.close()

    return send


def _write(conn: socket.socket, payload: bytes, address: str, timeout_s: float, interruption: Interruption) -> None:
    """Write all of `payload`; the timeout bounds each wait for the peer to take more (a slow
    reader gets the whole payload, a stuck one fails the attempt)."""
    view = memoryview(payload)
    written = 0
    deadline = time.monotonic() + timeout_s

    def failed(reason: str) -> DeliveryError:
        return DeliveryError(f"tcp handler failed to write: write tcp {address}: {reason} "
                             f"({written} of {len(view)} bytes written)")

    while written < len(view):
        if interruption.requested:
            raise failed("cut short")
        try:
            written += conn.send(view[written:])
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise failed("i/o timeout") from None
            continue
        except OSError as err:
            raise failed(err.strerror or str(err)) from None
        deadline = time.monotonic() + timeout_s


def _await_close(conn: socket.socket, address: str, timeout_s: float, interruption: Interruption) -> None:
    """Close our side and wait for the peer to close its own: then it has read everything. The
    timeout bounds each wait for the peer to take more of what is still in flight (a slow reader
    of a large alert gets the time it needs), then for its close."""
    deadline = time.monotonic() + timeout_s
    cut = f"tcp handler: no acknowledgement from {address} before the shutdown (the peer may have read the alert)"
    try:
        conn.shutdown(socket.SHUT_WR)
        in_flight = _unacknowledged(conn)
        while True:
            if interruption.requested:
                raise DeliveryError(cut)
            try:
                if not conn.recv(65536):  # what the peer says is not ours to read: only its close is
                    break
            except TimeoutError:
                left = _unacknowledged(conn)
                if left < in_flight:  # the peer is still taking our bytes
                    in_flight = left
                    deadline = time.monotonic() + timeout_s
                elif time.monotonic() >= deadline:
                    raise
        _await_acknowledged(conn, deadline)
    except TimeoutError:
        raise DeliveryError(f"tcp handler: no acknowledgement from {address}: the peer did not close the "
                            f"connection within {timeout_s:g}s (it may not have read the alert)") from None
    except OSError as err:
        # A reset that came before we closed our side makes that fail with "not connected".
        reason = "Connection reset by peer" if err.errno == errno.ENOTCONN else (err.strerror or str(err))
        raise DeliveryError(f"tcp handler: no acknowledgement from {address}: {reason} "
                            "(the peer closed the connection without reading the alert)") from None


def _unacknowledged(conn: socket.socket) -> int:
    """Bytes we sent that the peer has not acknowledged yet (Linux's SIOCOUTQ; elsewhere 0, and
    the timeout bounds the whole wait)."""
    try:
        import fcntl  # deferred: start-up (Linux-only acknowledgement check)
        import termios  # deferred: start-up (Linux-only acknowledgement check)

        return struct.unpack("i", fcntl.ioctl(conn.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except (ImportError, AttributeError, OSError):
        return 0


def _await_acknowledged(conn: socket.socket, deadline: float) -> None:
    """After the peer's close: wait until it has acknowledged our bytes too. A peer that closed
    before they arrived answers them with a reset, which may come after its close (Linux only:
    elsewhere the peer's close is the acknowledgement)."""
    tcp_info = getattr(socket, "TCP_INFO", None)
    if tcp_info is None:
        return
    pause = 0.001
    while conn.getsockopt(socket.IPPROTO_TCP, tcp_info, 8)[0] != _TCP_CLOSE:
        if time.monotonic() >= deadline:
            raise TimeoutError
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    error = conn.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if error:
        raise OSError(error, os.strerror(error))


def _shut(sock: socket.socket) -> None:
    try:
        # Wakes a thread blocked on it; socket.socket's own shutdown, as a TLS socket's would also
        # tear down its TLS state under the reading thread.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def log_sender(path: str, mode: int) -> Sender:
    def send(delivery: Delivery, interruption: Interruption) -> None:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode)
        except OSError as err:
            raise DeliveryError(f"failed to open file for alert logging: {path}: {err.strerror}",
                                retryable=False) from None
        try:
            os.write(fd, delivery.payload)
        except OSError as err:
            raise DeliveryError(f"failed to write alert log {path}: {err.strerror}", retryable=False) from None
        finally:
            os.close(fd)

    return send


def exec_sender(prog: str, args: list[str], timeout_s: float | None = DEFAULT_EXEC_TIMEOUT_S) -> Sender:
    """Run the program with the payload on stdin and wait for it: at most `timeout_s` (None: no
    limit, as Kapacitor). The program runs in a process group of its own, killed as a whole when
    it times out or a shutdown cuts the attempt short, so that nothing it started outlives it."""
    import subprocess  # deferred: start-up (only exec handlers need it)

    def send(delivery: Delivery, interruption: Interruption) -> None:
        try:
            process = subprocess.Popen([prog, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        except FileNotFoundError:
            raise DeliveryError(f"exec command failed: exec: {prog!r}: executable file not found",
                                retryable=False) from None
        except PermissionError:
            raise DeliveryError(f"exec command failed: {prog}: permission denied", retryable=False) from None
        try:
            with interruption.cuttable(lambda: _kill_group(process)):
                output, _ = process.communicate(delivery.payload, timeout=timeout_s)
            if interruption.requested and process.returncode != 0:
                raise DeliveryError(f"exec command failed: {prog} still running at shutdown: killed",
                                    retryable=False)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            _collect(process)
            raise DeliveryError(f"exec command failed: {prog} still running after {timeout_s:g}s: killed "
                                "(--exec-timeout sets the limit)", retryable=False, breaks=True) from None
        except BaseException:
            _kill_group(process)
            _collect(process)
            raise
        if process.returncode != 0:
            output_text = output.decode("utf-8", "replace").strip()
            raise DeliveryError(f"exec command failed: exit status {process.returncode}"
                                + (f": {output_text[:200]}" if output_text else ""), retryable=False)

    return send


def _kill_group(process: subprocess.Popen) -> None:
    if process.returncode is None:  # not reaped yet, so its process group id is still its own
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass


def _collect(process: subprocess.Popen) -> None:
    import subprocess  # deferred: start-up (only exec handlers need it)

    try:
        process.communicate(timeout=5)  # a program that left its group may still hold the pipes
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass


def post_sender(url: str, headers: dict[str, str], timeout_s: float | None = None, capture_response: bool = False,
                skip_ssl_verification: bool = False, basic_auth: tuple[str, str] | None = None,
                content_type: str | None = "application/json",
                default_timeout_s: float = DEFAULT_HTTP_TIMEOUT_S) -> Sender:
    """`url` is the fixed URL; a delivery may carry its own (rendered from a URL template).
    `timeout_s` is the handler's own (Kapacitor's .timeout()), else `default_timeout_s` bounds
    connecting and each wait for the server."""
    import http.client  # deferred: start-up (only http handlers need it, with ssl)
    import ssl  # deferred: start-up

    check_http_url(url)
    send_headers: dict[str, str] = {}
    if basic_auth:
        token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
        send_headers["Authorization"] = f"Basic {token}"
    for key, value in headers.items():
        send_headers[canonical_header_key(key)] = value
    if content_type:  # Kapacitor sets none for a body from an alert template
        send_headers["Content-Type"] = content_type
    timeout = timeout_s if timeout_s else default_timeout_s
    contexts: dict[bool, ssl.SSLContext] = {}

    def send(delivery: Delivery, interruption: Interruption) -> None:
        target = delivery.url or url
        try:
            parts = check_http_url(target)
        except ValueError as err:
            raise DeliveryError(f"failed to create POST request: {err}", retryable=False) from None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        context = None
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            context = contexts.get(skip_ssl_verification)
            if context is None:
                context = contexts[skip_ssl_verification] = ssl.create_default_context()
                if skip_ssl_verification:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout, context=context)
        else:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
        try:
            # Connected here rather than by http.client, so that a shutdown can cut connecting
            # short; TLS as HTTPSConnection.connect does it.
            sock = connect(parts.hostname or "", port, timeout, interruption)
            try:
                conn.sock = context.wrap_socket(sock, server_hostname=parts.hostname) if context else sock
            except BaseException:
                sock.close()
                raise
            conn.request("POST", path, body=delivery.payload, headers=send_headers)
            # Cut short only once the request is whole: a server cannot take a cut request for one.
            with interruption.cuttable(lambda: _shut(conn.sock)):
                response = conn.getresponse()
                body = response.read()
        except ssl.SSLCertVerificationError as err:  # trying again cannot help
            raise DeliveryError(f"failed to POST alert data: Post {target!r}: tls: certificate not trusted: "
                                f"{err.verify_message} (trust its CA with SSL_CERT_FILE, or set "
                                f"skip-ssl-verification / .skipSSLVerification())", retryable=False) from None
        except (OSError, http.client.HTTPException) as err:
            reason = "timeout" if isinstance(err, TimeoutError) else (getattr(err, "strerror", None) or str(err) or type(err).__name__)
            raise DeliveryError(f"failed to POST alert data: Post {target!r}: {reason}") from None
        finally:
            conn.close()
        if response.status // 100 != 2:
            detail = body.decode("utf-8", "replace").strip() if capture_response else \
                "unknown error, use .captureResponse() to capture the HTTP response"
            raise DeliveryError(f"POST returned non 2xx status code {response.status}: {detail}",
                                retryable=response.status >= 500 or response.status == 429)

    return send


def check_http_url(url: str):
    """The URL's parts; ValueError unless it is an http(s) URL with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"url {url!r} is not an http(s) URL")
    problem = url_port_problem(url)
    if problem:
        raise ValueError(problem)
    return parts

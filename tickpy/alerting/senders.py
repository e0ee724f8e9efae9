"""One attempt at delivering one payload, per local kind. Each raises DeliveryError on failure.

Behaviour follows Kapacitor's handlers: tcp dials a new connection per event, writes, closes;
log opens the file O_APPEND|O_CREATE with the mode per event; exec runs the program (no shell)
with the payload on stdin; post sends one POST per event with the endpoint's and the handler's
headers (the handler's win) and `Content-Type: application/json`.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from tickpy.alerting.addresses import split_host_port
from tickpy.alerting.delivery import Delivery, DeliveryError
from tickpy.golang.gohttp import canonical_header_key, url_port_problem

if TYPE_CHECKING:  # pragma: no cover
    import subprocess

DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_HTTP_TIMEOUT_S = 10.0  # Kapacitor has none unless .timeout() is set; tickpy never hangs
# Kapacitor waits for an exec program however long it runs (one at a time per handler); so does
# tickpy, except that a shutdown (SIGINT/SIGTERM past the grace period) kills it.
EXEC_POLL_S = 0.2


def tcp_sender(address: str, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> Callable[[Delivery], None]:
    host, port = split_host_port(address)

    def send(delivery: Delivery) -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout_s) as conn:
                conn.sendall(delivery.payload)
        except socket.timeout:
            raise DeliveryError(f"tcp handler failed to connect: dial tcp {address}: i/o timeout") from None
        except OSError as err:
            raise DeliveryError(f"tcp handler failed to connect: dial tcp {address}: "
                                f"{err.strerror or err}") from None

    return send


def log_sender(path: str, mode: int) -> Callable[[Delivery], None]:
    def send(delivery: Delivery) -> None:
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


def exec_sender(prog: str, args: list[str], timeout_s: float | None = None,
                stop: threading.Event | None = None) -> Callable[[Delivery], None]:
    """Run the program with the payload on stdin and wait for it: without a limit by default
    (as Kapacitor), at most `timeout_s` when given; killed at once when `stop` is set."""
    import subprocess  # deferred: start-up (only exec handlers need it)

    def send(delivery: Delivery) -> None:
        try:
            process = subprocess.Popen([prog, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT)
        except FileNotFoundError:
            raise DeliveryError(f"exec command failed: exec: {prog!r}: executable file not found",
                                retryable=False) from None
        except PermissionError:
            raise DeliveryError(f"exec command failed: {prog}: permission denied", retryable=False) from None
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        payload: bytes | None = delivery.payload
        while True:
            try:
                output, _ = process.communicate(payload, timeout=EXEC_POLL_S)
                break
            except subprocess.TimeoutExpired:
                payload = None  # sent already: communicate() goes on where it was
            if stop is not None and stop.is_set():
                _kill(process)
                raise DeliveryError(f"exec command failed: {prog} still running at shutdown, killed",
                                    retryable=False)
            if deadline is not None and time.monotonic() >= deadline:
                _kill(process)
                raise DeliveryError(f"exec command failed: {prog} still running after {timeout_s:g}s, killed",
                                    retryable=False)
        if process.returncode != 0:
            output_text = output.decode("utf-8", "replace").strip()
            raise DeliveryError(f"exec command failed: exit status {process.returncode}"
                                + (f": {output_text[:200]}" if output_text else ""), retryable=False)

    return send


def _kill(process: subprocess.Popen) -> None:
    import subprocess  # deferred: start-up (only exec handlers need it)

    process.kill()
    try:
        process.communicate(timeout=5)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass


def post_sender(url: str, headers: dict[str, str], timeout_s: float | None = None, capture_response: bool = False,
                skip_ssl_verification: bool = False, basic_auth: tuple[str, str] | None = None,
                content_type: str | None = "application/json") -> Callable[[Delivery], None]:
    """`url` is the fixed URL; a delivery may carry its own (rendered from a URL template)."""
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
    timeout = timeout_s if timeout_s else DEFAULT_HTTP_TIMEOUT_S
    contexts: dict[bool, ssl.SSLContext] = {}

    def send(delivery: Delivery) -> None:
        target = delivery.url or url
        try:
            parts = check_http_url(target)
        except ValueError as err:
            raise DeliveryError(f"failed to create POST request: {err}", retryable=False) from None
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        port = parts.port or (443 if parts.scheme == "https" else 80)
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
            conn.request("POST", path, body=delivery.payload, headers=send_headers)
            response = conn.getresponse()
            body = response.read()
        except ssl.SSLCertVerificationError as err:  # trying again cannot help
            raise DeliveryError(f"failed to POST alert data: Post {target!r}: tls: certificate not trusted: "
                                f"{err.verify_message} (trust its CA with SSL_CERT_FILE, or set "
                                f"skip-ssl-verification / .skipSSLVerification())", retryable=False) from None
        except (OSError, http.client.HTTPException) as err:
            reason = "timeout" if isinstance(err, socket.timeout) else (getattr(err, "strerror", None) or str(err) or type(err).__name__)
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

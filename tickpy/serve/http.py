"""The HTTP side of `tickpy serve`: InfluxDB 1.x's write, ping and query endpoints, and
Kapacitor 1.5.7's task, template and alert APIs, on the standard library's ThreadingHTTPServer
(HTTP/1.1, keep-alive). Nothing read from the network is trusted: bodies are bounded before
they are read (Content-Length or chunks) and once decompressed."""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tickpy.golang import gojson
from tickpy.runtime.alert_event import LEVEL_RANK
from tickpy.serve import shapes
from tickpy.serve.core import ApiError, Backpressure, Core, ShuttingDown, read_live
from tickpy.serve.ingest import WriteRefused, gunzip, parse_write

KAPACITOR_VERSION = "1.5.7"
RETRY_AFTER_S = 1
MAX_API_BODY_BYTES = 4_000_000  # a task's script and vars, a handler: small
IDLE_TIMEOUT_S = 120


class Server(ThreadingHTTPServer):
    """One thread per connection, at most `max_connections` at a time: a connection beyond that
    is closed at once (counted), so idle or slow clients cannot use up the process."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, core: Core):
        self.core = core
        self.databases: set[str] = set()
        self._connection_slots = threading.BoundedSemaphore(core.config.max_connections)
        super().__init__(address, Handler)

    def process_request(self, request, client_address):
        if not self._connection_slots.acquire(blocking=False):
            self.core.count("http_connections_refused")
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connection_slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connection_slots.release()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S  # a connection that sends nothing for this long is closed
    server: Server
    server_version = "tickpy-serve"
    sys_version = ""

    # --- plumbing ---------------------------------------------------------------------------

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass  # one line per request would drown the log; /kapacitor/v1/debug/vars counts them

    def _send(self, status: int, body: bytes = b"", content_type: str = "application/json",
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("X-Kapacitor-Version", KAPACITOR_VERSION)
        self.send_header("Request-Id", str(uuid.uuid1()))
        if body or status not in (204, 304):
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value) -> None:
        self._send(status, shapes.go_json(value))

    def _error(self, status: int, message: str) -> None:
        self._send(status, shapes.error_body(message))

    def _influx_error(self, status: int, message: str, headers: dict | None = None) -> None:
        """InfluxDB 1.x's error answer: compact JSON and the X-Influxdb-Error header."""
        header = {"X-Influxdb-Error": message.replace("\n", " ")[:1024]}
        header.update(headers or {})
        self._send(status, json.dumps({"error": message}, ensure_ascii=False).encode("utf-8") + b"\n",
                   headers=header)

    def _body(self, limit: int) -> bytes:
        """The request body, at most `limit` bytes (WriteRefused 413 otherwise, the connection
        then closed: the rest of the body is not read)."""
        self._body_read = True
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._chunked(limit)
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        if not length_text.isdigit():
            self.close_connection = True
            raise WriteRefused(400, "invalid Content-Length")
        length = int(length_text)
        if length > limit:
            self.close_connection = True
            raise WriteRefused(413, f"request body too large: {length} bytes, the limit is {limit}")
        return self.rfile.read(length)

    def _chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(100)
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise WriteRefused(400, "invalid chunked body") from None
            if size == 0:
                while self.rfile.readline(1000) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > limit:
                self.close_connection = True
                raise WriteRefused(413, f"request body too large: more than {limit} bytes")
            parts.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _authentication_error(self, query: dict) -> str | None:
        """Why the request may not go on (Kapacitor's 401 texts), None when it may: no
        authentication is configured, or InfluxDB's u/p, basic auth, the --token-file token or a
        JWT signed with [http] shared-secret (HS256/384/512, with exp and a known username)."""
        config = self.server.core.config
        if not (config.auth_enabled or config.token):
            return None
        if query.get("u", [""])[0]:
            return _check_password(config, query["u"][0], query.get("p", [""])[0])
        scheme, _, credentials = self.headers.get("Authorization", "").partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return "unable to parse authentication credentials"
            return _check_password(config, user, password)
        if scheme.lower() == "bearer":
            if config.token and hmac.compare_digest(credentials.encode(), config.token.encode()):
                return None
            if config.shared_secret:
                return jwt_error(credentials, config.shared_secret, config.users)
            return "invalid token"
        return "unable to parse authentication credentials"

    # --- dispatch ---------------------------------------------------------------------------

    def do_GET(self):  # noqa: N802 (http.server's names)
        self._dispatch("GET")

    def do_HEAD(self):  # noqa: N802
        self._dispatch("HEAD")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PATCH(self):  # noqa: N802
        self._dispatch("PATCH")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        core = self.server.core
        core.count("http_requests")
        self._body_read = False
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = parse_qs(url.query, keep_blank_values=True)
        try:
            if path in ("/ping", f"{shapes.BASE}/ping"):
                self._send(204)
                return
            refused = self._authentication_error(query)
            if refused is not None:
                core.count("http_unauthorized")
                self._body(MAX_API_BODY_BYTES)  # keeps the connection in step
                self._send(401, json.dumps({"error": refused}).encode(),
                           headers={"WWW-Authenticate": 'Basic realm="tickpy"'})
                return
            if path in ("/write", f"{shapes.BASE}/write"):
                if method != "POST":
                    self._influx_error(405, "method not allowed: use POST")
                    return
                self._write(query)
                return
            if path == "/query":
                self._query(method, query)
                return
            if path.startswith(shapes.BASE + "/"):
                self._api(method, path[len(shapes.BASE) + 1:], query, url)
                return
            raise ApiError(404, "Not Found")
        except WriteRefused as refused:
            self._close_if_body_unread()
            self._influx_error(refused.status, refused.message)
        except ApiError as error:
            self._close_if_body_unread()
            self._error(error.status, error.message)

    def _close_if_body_unread(self) -> None:
        """An answer given before the body was read: the connection cannot go on (the body would
        be read as the next request)."""
        if not self._body_read and (self.headers.get("Content-Length", "0") != "0"
                                    or "Transfer-Encoding" in self.headers):
            self.close_connection = True

    # --- InfluxDB ---------------------------------------------------------------------------

    def _write(self, query: dict) -> None:
        core = self.server.core
        config = core.config
        body = self._body(config.max_body_bytes)
        core.count("write_requests")
        core.count("write_bytes", len(body))
        if self.headers.get("Content-Encoding", "").lower() == "gzip":
            body = gunzip(body, config.max_body_bytes)
        database = query.get("db", [""])[0]
        if not database:
            raise WriteRefused(400, "database is required")
        retention_policy = core.retention_policy(query.get("rp", [""])[0])
        parsed = parse_write(body, database=database, retention_policy=retention_policy,
                             precision=query.get("precision", [""])[0], max_line_bytes=config.max_line_bytes)
        try:
            core.write(parsed.points, database, retention_policy)
        except Backpressure as full:
            self._influx_error(503, f"tickpy serve: the queue of task {', '.join(full.task_ids)} is full: "
                                    "retry later", {"Retry-After": str(RETRY_AFTER_S)})
            return
        except ShuttingDown:
            self._influx_error(503, "tickpy serve is shutting down", {"Retry-After": str(RETRY_AFTER_S)})
            return
        if parsed.errors:
            core.count("lines_rejected", len(parsed.errors))
            self._influx_error(400, parsed.error_text() or "")
            return
        self._send(204)

    def _query(self, method: str, query: dict) -> None:
        text = query.get("q", [""])[0]
        if method == "POST" and not text:
            form = parse_qs(self._body(MAX_API_BODY_BYTES).decode("utf-8", "replace"))
            text = form.get("q", [""])[0]
        results: list[dict[str, Any]] = []
        for number, statement in enumerate(s for s in text.split(";") if s.strip()):
            words = statement.split()
            upper = [word.upper() for word in words]
            if upper[:2] == ["CREATE", "DATABASE"] and len(words) >= 3:
                self.server.databases.add(words[2].strip('"'))
                results.append({"statement_id": number})
            elif upper[:2] == ["SHOW", "DATABASES"]:
                names = sorted(self.server.databases | {db for d in self.server.core.tasks.values()
                                                        for db, _ in d.dbrps})
                series = [{"name": "databases", "columns": ["name"], "values": [[name] for name in names]}]
                results.append({"statement_id": number, "series": series} if names else {"statement_id": number})
            else:
                results.append({"statement_id": number, "error": "tickpy serve answers only CREATE DATABASE "
                                                                 "and SHOW DATABASES"})
        self._send(200, json.dumps({"results": results}).encode() + b"\n")

    # --- Kapacitor --------------------------------------------------------------------------

    def _api_body(self) -> dict:
        try:
            body = self._body(MAX_API_BODY_BYTES)
        except WriteRefused as refused:
            raise ApiError(refused.status, refused.message) from None
        try:
            value = json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, "invalid JSON") from None
        if not isinstance(value, dict):
            raise ApiError(400, "invalid JSON")
        return value

    def _api(self, method: str, rest: str, query: dict, url) -> None:
        parts = [unquote(part) for part in rest.split("/")]
        head = parts[0]
        if head == "tasks":
            self._tasks(method, parts[1:], query)
        elif head == "templates":
            self._templates(method, parts[1:], query)
        elif parts[:2] == ["alerts", "topics"]:
            self._topics(method, parts[2:], query, url)
        elif parts[:2] == ["debug", "vars"] and method == "GET":
            self._json(200, self.server.core.debug_vars())
        else:
            self._body(MAX_API_BODY_BYTES)
            raise ApiError(501, f"{method} {shapes.BASE}/{rest} is not implemented by tickpy serve")

    def _tasks(self, method: str, parts: list[str], query: dict) -> None:
        core = self.server.core
        script_format = query.get("script-format", ["formatted"])[0] or "formatted"
        dot_view = query.get("dot-view", ["attributes"])[0] or "attributes"
        if script_format not in ("formatted", "raw"):
            raise ApiError(400, f"invalid script-format parameter {json.dumps(script_format)}")
        if dot_view not in ("attributes", "labels"):
            raise ApiError(400, f"invalid dot-view parameter {json.dumps(dot_view)}")
        if not parts:
            if method == "POST":
                definition = core.define_task(self._api_body())
                self._json(200, shapes.task_json(core, definition))
            elif method == "GET":
                self._list_tasks(query, script_format, dot_view)
            else:
                raise ApiError(405, f"{method} {shapes.BASE}/tasks is not allowed")
            return
        task_id = parts[0]
        if len(parts) == 2 and method == "GET":
            self._httpout(task_id, parts[1])
            return
        if len(parts) != 1:
            raise ApiError(404, "Not Found")
        if method == "GET":
            shown = core.tasks.get(task_id)
            if shown is None:
                raise ApiError(404, "no task exists")
            self._json(200, shapes.task_json(core, shown, script_format=script_format, dot_view=dot_view))
        elif method == "PATCH":
            definition = core.update_task(task_id, self._api_body())
            self._json(200, shapes.task_json(core, definition))
        elif method == "DELETE":
            core.delete_task(task_id)
            self._send(204)
        else:
            raise ApiError(405, f"{method} {shapes.BASE}/tasks/{task_id} is not allowed")

    def _list_tasks(self, query: dict, script_format: str, dot_view: str) -> None:
        core = self.server.core
        pattern = query.get("pattern", [""])[0]
        fields = query.get("fields") or None
        if fields is not None:
            fields = list(dict.fromkeys(fields + ["id", "link"]))
            unknown = [f for f in fields if f not in _TASK_FIELDS]
            if unknown:
                raise ApiError(400, f"unsupported field {json.dumps(unknown[0])}")
        offset, limit = _int_param(query, "offset", 0), _int_param(query, "limit", 100)
        names = sorted(name for name in core.tasks if not pattern or fnmatch.fnmatchcase(name, pattern))
        chosen = names[offset:offset + limit] if limit >= 0 else names[offset:]
        tasks = []
        for name in chosen:
            definition = core.tasks.get(name)
            if definition is not None:
                tasks.append(shapes.task_json(core, definition, script_format=script_format, dot_view=dot_view,
                                              fields=fields))
        self._json(200, {"tasks": tasks})

    def _httpout(self, task_id: str, name: str) -> None:
        runner = self.server.core.runners.get(task_id)
        if runner is None:
            raise ApiError(404, f"task {task_id} is not running")  # Kapacitor: no such route
        results = read_live(runner.task.compiled.httpout)
        if name not in results:
            raise ApiError(404, "Not Found")
        try:
            text = gojson.dumps(results[name])
        except gojson.GoJSONError as error:
            raise ApiError(500, str(error)) from None
        self._send(200, text.encode("utf-8"))

    def _templates(self, method: str, parts: list[str], query: dict) -> None:
        core = self.server.core
        script_format = query.get("script-format", ["formatted"])[0] or "formatted"
        if not parts:
            if method == "POST":
                record = core.define_template(self._api_body())
                self._json(200, shapes.template_json(core, record))
            elif method == "GET":
                pattern = query.get("pattern", [""])[0]
                records = [core.templates[k] for k in sorted(core.templates)
                           if not pattern or fnmatch.fnmatchcase(k, pattern)]
                self._json(200, {"templates": [shapes.template_json(core, r, script_format) for r in records]})
            else:
                raise ApiError(405, f"{method} {shapes.BASE}/templates is not allowed")
            return
        template_id = parts[0]
        if method == "GET":
            found = core.templates.get(template_id)
            if found is None:
                raise ApiError(404, "no template exists")
            self._json(200, shapes.template_json(core, found, script_format))
        elif method == "PATCH":
            self._json(200, shapes.template_json(core, core.update_template(template_id, self._api_body())))
        elif method == "DELETE":
            core.delete_template(template_id)
            self._send(204)
        else:
            raise ApiError(405, f"{method} {shapes.BASE}/templates/{template_id} is not allowed")

    def _topics(self, method: str, parts: list[str], query: dict, url) -> None:
        core = self.server.core
        href = url.path + (f"?{url.query}" if url.query else "")
        if not parts:
            if method != "GET":
                raise ApiError(405, f"{method} {shapes.BASE}/alerts/topics is not allowed")
            pattern = query.get("pattern", [""])[0]
            floor = query.get("min-level", ["OK"])[0].upper()
            topics = [t for t in core.topics() if (not pattern or fnmatch.fnmatchcase(t.id, pattern))
                      and LEVEL_RANK.get(t.max_level, 0) >= LEVEL_RANK.get(floor, 0)]
            self._json(200, {"link": shapes.link(href), "topics": [shapes.topic_json(t) for t in topics]})
            return
        topic_id = parts[0]
        rest = parts[1:]
        if not rest:
            if method == "GET":
                topic = core.topic(topic_id)
                if topic is None:
                    raise ApiError(404, f"unknown topic: {json.dumps(topic_id)}")
                self._json(200, shapes.topic_json(topic))
            elif method == "DELETE":
                core.delete_topic(topic_id)
                self._send(204)
            else:
                raise ApiError(405, f"{method} on a topic is not allowed")
            return
        if rest[0] == "events" and method == "GET":
            topic = core.topic(topic_id)
            if len(rest) == 1:
                if topic is None:
                    raise ApiError(404, f"unknown topic: {json.dumps(topic_id)}")
                self._json(200, shapes.events_json(topic, query.get("min-level", ["OK"])[0], href))
                return
            state = topic.events.get(rest[1]) if topic is not None else None
            if state is None:
                raise ApiError(404, f"unknown event {json.dumps(rest[1])} in topic {json.dumps(topic_id)}")
            self._json(200, shapes.event_json(topic_id, state))
            return
        if rest[0] == "handlers":
            self._handlers(method, topic_id, rest[1:], query, href)
            return
        raise ApiError(404, "Not Found")

    def _handlers(self, method: str, topic_id: str, rest: list[str], query: dict, href: str) -> None:
        core = self.server.core
        if not rest:
            if method == "GET":
                pattern = query.get("pattern", [""])[0]
                records = [r for (t, h), r in sorted(core.handler_records.items())
                           if t == topic_id and (not pattern or fnmatch.fnmatchcase(h, pattern))]
                self._json(200, {"link": shapes.link(href), "topic": topic_id,
                                 "handlers": [shapes.handler_json(r) for r in records]})
            elif method == "POST":
                options = self._api_body()
                if (topic_id, options.get("id", "")) in core.handler_records:
                    raise ApiError(500, f"failed to create handler: handler {options.get('id')!s} already exists")
                self._json(200, shapes.handler_json(core.define_handler(topic_id, options)))
            else:
                raise ApiError(405, f"{method} on a topic's handlers is not allowed")
            return
        handler_id = rest[0]
        record = core.handler_records.get((topic_id, handler_id))
        if method == "GET":
            if record is None:
                raise ApiError(404, f"unknown handler: {json.dumps(handler_id)}")
            self._json(200, shapes.handler_json(record))
        elif method == "PUT":
            options = self._api_body()
            if record is None:
                raise ApiError(404, f"unknown handler: {json.dumps(handler_id)}")
            options["id"] = handler_id
            self._json(200, shapes.handler_json(core.define_handler(topic_id, options)))
        elif method == "DELETE":
            core.delete_handler(topic_id, handler_id)
            self._send(204)
        else:
            self._body(MAX_API_BODY_BYTES)
            raise ApiError(501, f"{method} {shapes.BASE}/alerts/topics/{topic_id}/handlers/{handler_id} "
                                "is not implemented by tickpy serve")


_TASK_FIELDS = ("link", "id", "template-id", "type", "dbrps", "script", "vars", "dot", "status", "executing",
                "error", "stats", "created", "modified", "last-enabled")


def _int_param(query: dict, name: str, default: int) -> int:
    text = query.get(name, [""])[0]
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ApiError(400, f"invalid {name} parameter {json.dumps(text)} must be an integer") from None


def _check_password(config, user: str, password: str) -> str | None:
    if not user:
        return "username required"
    expected = config.users.get(user)
    if expected is None or not hmac.compare_digest(password.encode(), expected.encode()):
        return "authorization failed"
    return None


_JWT_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_error(token: str, secret: str, users: dict[str, str]) -> str | None:
    """Kapacitor's checks of a bearer JWT: an HMAC signature with the shared secret, a
    non-zero `exp` not past, a `username` that is a configured user."""
    try:
        header_text, claims_text, signature_text = token.split(".")
        header = json.loads(_b64url(header_text))
        claims = json.loads(_b64url(claims_text))
        signature = _b64url(signature_text)
    except (ValueError, UnicodeDecodeError):
        return "invalid token: token contains an invalid number of segments"
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return "invalid token"
    digest = _JWT_HASHES.get(str(header.get("alg")))
    if digest is None:
        return f"invalid token: unexpected signing method: {header.get('alg')}"
    expected = hmac.new(secret.encode(), f"{header_text}.{claims_text}".encode(), digest).digest()
    if not hmac.compare_digest(signature, expected):
        return "invalid token: signature is invalid"
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or isinstance(exp, bool) or exp <= 0:
        return "token expiration required"
    if exp < time.time():
        return "invalid token: Token is expired"
    username = claims.get("username")
    if not isinstance(username, str):
        return "username in token must be a string"
    if not username:
        return "token must contain a username"
    if username not in users:
        return "user not found"
    return None

"""Talking to a UDF agent: a child process over its stdin/stdout, or a unix socket (Kapacitor's
udf_process.go, udf_socket.go, udf/server.go).

tickpy's runtime is synchronous, and an agent answers whenever it likes: after each data request
tickpy sends a keepalive request and takes every response up to the keepalive's answer as what
that request produced (an agent handles its requests in order, as Kapacitor's agent libraries
do). So a run's output does not depend on timing, and a keepalive is due as often as Kapacitor's
would be. Every wait is bounded by the function's `timeout`, reset by each response, as
Kapacitor's keepalive watch is; a crash, an error response, bytes that are not udf.proto or a
silence longer than the timeout raise `AgentError`, with the agent's last stderr lines. The agent's
stderr lines go to `on_stderr` as they come (Kapacitor logs them as "UDF log").
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tickpy.golang.gotime import format_go_duration, parse_go_duration
from tickpy.runtime.udf import wire

STDERR_KEPT = 20  # the agent's last stderr lines an AgentError carries
# Data messages an agent may send for one request before answering its keepalive: each answer
# restarts the timeout, so an agent that only ever sends data would otherwise hold the run (and
# its memory) for good.
MAX_DATA_PER_REQUEST = 1_000_000
_CHUNK = 65536


@dataclass(slots=True)
class FunctionConfig:
    """One `[udf.functions.NAME]` section of kapacitor.conf (services/udf/config.go)."""

    name: str
    prog: str = ""
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    socket: str = ""
    timeout_ns: int = 0
    # tickpy's own: an in-process Python UDF, "module:object" (or "module", whose `udf` it is).
    module: str = ""


class ConfigProblem(ValueError):
    """A `[udf]` section Kapacitor would not start with."""


def function_configs(sections: dict) -> dict[str, FunctionConfig]:
    """The `[udf.functions.*]` of a parsed kapacitor.conf, checked as Kapacitor checks them."""
    udf = sections.get("udf") or {}
    if not isinstance(udf, dict):
        raise ConfigProblem("[udf] must be a table")
    functions = udf.get("functions") or {}
    if not isinstance(functions, dict):
        raise ConfigProblem("[udf.functions] must be a table of [udf.functions.NAME] tables")
    configs = {}
    for name, entry in functions.items():
        if not isinstance(entry, dict):
            raise ConfigProblem(f"UDF {name}: [udf.functions.{name}] must be a table")
        configs[name] = _function_config(name, entry)
    return configs


def _function_config(name: str, entry: dict) -> FunctionConfig:
    known = {"prog", "args", "env", "socket", "timeout", "module"}
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ConfigProblem(f"UDF {name}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    args, env = entry.get("args", []), entry.get("env", {})
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ConfigProblem(f"UDF {name}: args must be a list of strings")
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        raise ConfigProblem(f"UDF {name}: env must be a table of strings")
    for key in ("prog", "socket", "module"):
        if not isinstance(entry.get(key, ""), str):
            raise ConfigProblem(f"UDF {name}: {key} must be a string")
    config = FunctionConfig(name, prog=entry.get("prog", ""), args=list(args), env=dict(env),
                            socket=entry.get("socket", ""), module=entry.get("module", ""))
    if config.module:
        if config.prog or config.socket or args or env:
            raise ConfigProblem(f"UDF {name}: module (an in-process Python UDF) goes without prog, args, env "
                                "and socket")
        return config
    timeout = entry.get("timeout", "")
    if not isinstance(timeout, str):
        raise ConfigProblem(f"UDF {name}: timeout must be a duration string such as \"10s\"")
    try:
        config.timeout_ns = parse_go_duration(timeout) if timeout else 0
    except ValueError as error:
        raise ConfigProblem(f"UDF {name}: timeout: {error}") from None
    # Kapacitor's FunctionConfig.Validate, with its words.
    if config.timeout_ns <= 1_000_000:
        raise ConfigProblem(f"UDF {name}: timeout is too small: {format_go_duration(config.timeout_ns)}")
    if config.socket:
        if config.prog or args or env:
            raise ConfigProblem(f"UDF {name}: both socket and process config provided")
    elif not config.prog:
        raise ConfigProblem(f"UDF {name}: must set either prog or socket")
    return config


class AgentError(Exception):
    """The agent failed: what happened (Kapacitor's words where it has them) and its last stderr lines."""

    def __init__(self, reason: str, stderr: list[str] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.stderr = list(stderr or [])


def _exit_text(code: int) -> str:
    """How Go's os/exec words an exit: "exit status 1", "signal: killed"."""
    if code >= 0:
        return f"exit status {code}"
    try:
        name = signal.strsignal(-code)
    except ValueError:
        name = None
    return f"signal: {name.lower()}" if name else f"signal: {-code}"


class Agent:
    """One connection to an agent: `open()`, then `info()` or `init(...)`, data with `send(...)`,
    and `close()` (always: it ends the process)."""

    def __init__(self, config: FunctionConfig, task_id: str = "", node_id: str = "", *,
                 on_stderr: Callable[[str], None] | None = None,
                 on_message: Callable[[str, str, dict], None] | None = None):
        self.config = config
        self.task_id = task_id
        self.node_id = node_id
        self.on_stderr = on_stderr
        # Called with ("sent" | "received", kind, message) for each message (--trace).
        self.on_message = on_message
        self.timeout_s = config.timeout_ns / 1e9
        self.process: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self._selector = selectors.DefaultSelector()
        self._write_fd: int | None = None
        self._read_fd: int | None = None
        self._stderr_fd: int | None = None
        self._outgoing = bytearray()
        self._reader = wire.FrameReader("Response")
        self._stderr_partial = b""
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_KEPT)
        self._eof = False
        self._frames: deque[dict] = deque()  # decoded, not handled yet
        self._responses: deque[dict] = deque()  # data responses, in order
        self.failed: AgentError | None = None

    # ---- connecting ----

    def open(self) -> None:
        config = self.config
        try:
            if config.socket:
                self._open_socket(config.socket)
            else:
                self._open_process(config)
        except AgentError as error:
            self.failed = error  # closing it then only ends what was started
            raise

    def _open_process(self, config: FunctionConfig) -> None:
        env = dict(os.environ)
        env.update(config.env)
        try:
            self.process = subprocess.Popen([config.prog, *config.args], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                            start_new_session=True)  # a ^C to tickpy does not reach it first
        except OSError as error:
            raise AgentError(f"cannot start {config.prog}: {error.strerror or error}") from None
        assert self.process.stdin and self.process.stdout and self.process.stderr
        self._write_fd = self.process.stdin.fileno()
        self._read_fd = self.process.stdout.fileno()
        self._stderr_fd = self.process.stderr.fileno()
        for fd in (self._write_fd, self._read_fd, self._stderr_fd):
            os.set_blocking(fd, False)
        self._selector.register(self._read_fd, selectors.EVENT_READ)
        self._selector.register(self._stderr_fd, selectors.EVENT_READ)

    def _open_socket(self, path: str) -> None:
        # Kapacitor retries with backoff for five minutes; tickpy for the function's timeout.
        deadline = time.monotonic() + self.timeout_s
        delay = 0.01
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(path)
                break
            except OSError as error:
                sock.close()
                if time.monotonic() + delay > deadline:
                    raise AgentError(f"cannot connect to {path}: {error.strerror or error}") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        sock.setblocking(False)
        self.sock = sock
        self._write_fd = self._read_fd = sock.fileno()
        self._selector.register(self._read_fd, selectors.EVENT_READ)

    # ---- requests ----

    def info(self) -> dict:
        return self._request("info", {}, "info")

    def init(self, options: list[dict]) -> None:
        answer = self._request("init", {"options": options, "taskID": self.task_id, "nodeID": self.node_id}, "init")
        if not answer.get("success", False):
            raise self._fail(f"failed to initialize processes {answer.get('error', '')}")

    def snapshot(self) -> bytes:
        return self._request("snapshot", {}, "snapshot").get("snapshot", b"")

    def restore(self, snapshot: bytes) -> None:
        answer = self._request("restore", {"snapshot": snapshot}, "restore")
        if not answer.get("success", False):
            raise self._fail(f"error restoring snapshot: {answer.get('error', '')}")

    def send(self, messages: list[tuple[str, dict]]) -> list[dict]:
        """Send data requests ("point", "begin", "end"), then a keepalive; the data responses that
        came before its answer, in order."""
        for kind, values in messages:
            self._write(kind, values)
        self._request("keepalive", {"time": time.time_ns()}, "keepalive")
        return self.take_data()

    def take_data(self) -> list[dict]:
        data = list(self._responses)
        self._responses.clear()
        return data

    def _request(self, kind: str, values: dict, answer: str) -> dict:
        self._write(kind, values)
        return self._await(answer)

    def _write(self, kind: str, values: dict) -> None:
        if self.failed is not None:
            raise self.failed
        if self.on_message is not None:
            self.on_message("sent", kind, values)
        self._outgoing += wire.frame("Request", {kind: values})

    # ---- the loop ----

    def _await(self, answer: str) -> dict:
        """Pump bytes both ways until the response `answer` arrives; data responses are kept."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            found = self._handle_frames(answer)
            if found is not None:
                return found
            if self._eof:
                raise self._fail(self._exit_reason(f"the agent closed its output while tickpy waited for the {answer} "
                                                   "response"))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._fail(f"keepalive timedout: no response for {format_go_duration(self.config.timeout_ns)} "
                                 f"(waiting for the {answer} response)", kill=True)
            if self._pump(remaining):
                deadline = time.monotonic() + self.timeout_s

    def _handle_frames(self, answer: str | None) -> dict | None:
        """Handle the decoded responses: data is kept, an error fails; the `answer` if it came."""
        while self._frames:
            response = self._frames.popleft()
            kind = wire.which(response)
            values = response.get(kind, {}) if kind else {}
            if self.on_message is not None:
                self.on_message("received", kind or "?", values)
            if kind == "error":
                raise self._fail(values.get("error", ""))
            if kind is None:
                raise self._fail("malformed response: a Response with no message set", kill=True)
            if kind in ("point", "begin", "end"):
                self._responses.append(response)
                if len(self._responses) > MAX_DATA_PER_REQUEST:
                    raise self._fail(f"the agent sent more than {MAX_DATA_PER_REQUEST} data messages for one request "
                                     "without answering its keepalive", kill=True)
            elif kind == answer:
                return values
            # any other answer was not asked for: Kapacitor logs "received message without requesting it"
        return None

    def _pump(self, wait_s: float) -> bool:
        """Wait up to `wait_s` for the agent; move what can be moved. True when a response came."""
        write_fd = self._write_fd
        if self._outgoing and write_fd is not None:
            self._write_some(write_fd)  # a pipe or socket with room takes it at once: no wait
        if self._outgoing and write_fd is not None:
            if write_fd == self._read_fd:
                self._selector.modify(write_fd, selectors.EVENT_READ | selectors.EVENT_WRITE)
            elif write_fd not in self._selector.get_map():
                self._selector.register(write_fd, selectors.EVENT_WRITE)
        got_response = False
        for key, events in self._selector.select(wait_s):
            fd = key.fd
            if events & selectors.EVENT_WRITE:
                self._write_some(fd)
            if events & selectors.EVENT_READ:
                if fd == self._stderr_fd:
                    self._read_stderr(fd)
                elif fd == self._read_fd:
                    got_response |= self._read_responses(fd)
        if not self._outgoing and write_fd is not None and write_fd in self._selector.get_map():
            if write_fd == self._read_fd:
                if not self._eof:
                    self._selector.modify(write_fd, selectors.EVENT_READ)
            else:
                self._selector.unregister(write_fd)
        return got_response

    def _write_some(self, fd: int) -> None:
        try:
            written = os.write(fd, self._outgoing[:_CHUNK]) if self.sock is None else self.sock.send(self._outgoing[:_CHUNK])
        except BlockingIOError:
            return
        except (BrokenPipeError, ConnectionResetError) as error:
            self._outgoing.clear()
            self._eof = True
            raise self._fail(self._exit_reason(f"write error: {error.strerror or error}")) from None
        del self._outgoing[:written]

    def _read_responses(self, fd: int) -> bool:
        try:
            data = os.read(fd, _CHUNK) if self.sock is None else self.sock.recv(_CHUNK)
        except BlockingIOError:
            return False
        except ConnectionResetError:
            data = b""
        if not data:
            self._eof = True
            self._selector.unregister(fd)
            if self._write_fd == fd:
                self._write_fd = None
            if self._reader.pending:
                raise self._fail(self._exit_reason(f"read error: unexpected EOF, {self._reader.pending} bytes of a "
                                                   "message cut short"))
            return False
        self._reader.feed(data)
        try:
            self._frames.extend(self._reader.frames())
        except wire.WireError as error:
            raise self._fail(f"read error: malformed response: {error}", kill=True) from None
        return True

    def _read_stderr(self, fd: int) -> None:
        try:
            data = os.read(fd, _CHUNK)
        except BlockingIOError:
            return
        if not data:
            self._flush_stderr()
            self._selector.unregister(fd)
            self._stderr_fd = None
            return
        *lines, self._stderr_partial = (self._stderr_partial + data).split(b"\n")
        for line in lines:
            self._stderr_line(line)

    def _flush_stderr(self) -> None:
        if self._stderr_partial:
            self._stderr_line(self._stderr_partial)
            self._stderr_partial = b""

    def _stderr_line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", "replace").rstrip("\r")
        self.stderr_tail.append(line)
        if self.on_stderr is not None:
            self.on_stderr(line)

    # ---- failing and closing ----

    def _exit_reason(self, fallback: str) -> str:
        """Why the agent went away: its exit status when it has exited (within a moment)."""
        if self.process is None:
            return fallback
        try:
            code = self.process.wait(timeout=min(self.timeout_s, 1.0))
        except subprocess.TimeoutExpired:
            return fallback
        return f"process exited unexpectedly: {_exit_text(code)}"

    def _fail(self, reason: str, kill: bool = False) -> AgentError:
        if kill:
            self._kill()
        self._drain_stderr()
        self.failed = AgentError(reason, list(self.stderr_tail))
        return self.failed

    def _drain_stderr(self) -> None:
        """Read what the agent wrote on stderr before it failed (a traceback), for a moment at most."""
        deadline = time.monotonic() + min(self.timeout_s, 1.0)
        while self._stderr_fd is not None:
            fd = self._stderr_fd
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready = selectors.DefaultSelector()
            ready.register(fd, selectors.EVENT_READ)
            try:
                if not ready.select(remaining):
                    break
            finally:
                ready.close()
            self._read_stderr(fd)
        self._flush_stderr()

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        if self.sock is not None:
            self._close_socket()

    def _close_socket(self) -> None:
        if self.sock is not None:
            try:
                self._selector.unregister(self.sock.fileno())
            except (KeyError, ValueError):
                pass
            self.sock.close()
            self.sock = None
            self._write_fd = self._read_fd = None
            self._eof = True

    def close(self) -> list[dict]:
        """Stop as Kapacitor stops a UDF: close the agent's input, take what it still sends until
        it closes its output, and wait for the process. The data responses that came; AgentError
        if it fails on the way (it is ended either way)."""
        if self.failed is not None:
            self._end()
            return []
        try:
            self._finish_input()
            deadline = time.monotonic() + self.timeout_s
            while True:
                self._handle_frames(None)
                if self._eof:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._fail(f"the agent did not close its output within {format_go_duration(self.config.timeout_ns)} "
                                     "of its input being closed", kill=True)
                if self._pump(remaining):
                    deadline = time.monotonic() + self.timeout_s
            if self.process is not None:
                try:
                    code = self.process.wait(timeout=self.timeout_s)
                except subprocess.TimeoutExpired:
                    raise self._fail("the agent did not exit after closing its output", kill=True) from None
                self._drain_stderr()
                if code != 0:
                    raise self._fail(f"process exited unexpectedly: {_exit_text(code)}")
            return self.take_data()
        finally:
            self._end()

    def _finish_input(self) -> None:
        """Write what is queued, then close our side (the agent sees EOF on its input)."""
        deadline = time.monotonic() + self.timeout_s
        while self._outgoing and not self._eof:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._fail("keepalive timedout: the agent stopped reading its input", kill=True)
            self._pump(remaining)
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_WR)  # as Kapacitor: only the write side, the answers still come
            except OSError:
                pass
        elif self.process is not None and self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            self._write_fd = None

    def _end(self) -> None:
        """Nothing of the agent is left running or open."""
        self._kill()
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass
        self._close_socket()
        self._selector.close()


def load_info(config: FunctionConfig, on_stderr: Callable[[str], None] | None = None) -> dict:
    """The agent's InfoResponse, as Kapacitor loads it when it starts (no task, no node, no init)."""
    agent = Agent(config, on_stderr=on_stderr)
    try:
        agent.open()
        return agent.info()
    finally:
        try:
            agent.close()
        except AgentError:
            pass  # only its info was wanted, and that came


__all__ = ["Agent", "AgentError", "ConfigProblem", "FunctionConfig", "function_configs", "load_info"]

"""`@name()`: a user-defined function (Kapacitor's udf.go UDFNode).

The node starts its UDF when the task starts (an agent process or socket connection of its own,
or an instance of a Python UDF) and initialises it with the script's options, in call order;
a UDF that cannot start or refuses its options stops the run before any point is read. Each
point (or batch) goes to the UDF and what comes back is passed on; at the end of input the UDF's
input is closed and what it still sends is passed on too. A UDF that fails (an error response,
a crash, a timeout, bytes that are not udf.proto) stops the task: `TaskFailed`.

Observers: `observe(observer)` makes the node call `observer.exchanged(direction, kind, message)`
for each message that goes to the UDF ("sent") or comes back ("received").
"""

from __future__ import annotations

import sys

from tickpy.runtime.messages import BatchMessage, PointMessage
from tickpy.runtime.nodes.base import RuntimeNode, TaskFailed, logfmt_string, register
from tickpy.runtime.udf.errors import UDFError


def _write_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


@register("UDFNode")
class UDFNode(RuntimeNode):
    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.udf_name = spec.name
        registry = ctx.udfs
        if registry is None or self.udf_name not in registry.names():
            raise self.script_error(f"UDF {self.udf_name} is not configured for this run",
                                    hint="configure it in [udf.functions] of --config, or give --udf-module")
        declared = spec.extra.get("udf_options", {})
        options = [(call.name, list(call.args), declared[call.name]) for call in spec.properties
                   if call.name in declared]
        self.session = None
        try:
            self.session = registry.start(self.udf_name, ctx.task_name, self.label, options,
                                          on_stderr=self._stderr_line, on_message=self._message)
        except UDFError as error:
            raise self.script_error(self._failure_text(error), code="udf") from None
        self.closed = False

    # ---- what the UDF says ----

    def _stderr_line(self, line: str) -> None:
        # As Kapacitor logs an agent's stderr ("UDF log"); read per line, an observer may wrap the sink.
        text = f'lvl=info task={self.ctx.task_name} node={self.label} msg="UDF log" text={logfmt_string(line)}'
        (self.ctx.log_sink or _write_stderr)(text)

    def _message(self, direction: str, kind: str, message) -> None:
        if self.observer is not None:
            self.observer.exchanged(direction, kind, message)

    def _failure_text(self, error: UDFError) -> str:
        text = f"UDF {self.udf_name} (node {self.label}): {error.reason}"
        if error.stderr:
            text += "\n  its last stderr lines:\n" + "\n".join(f"    {line}" for line in error.stderr)
        return text

    def _fail(self, error: UDFError) -> TaskFailed:
        self.closed = True
        return TaskFailed(self.label, f"UDF {self.udf_name} (node {self.label}): {error.reason}", error.stderr)

    # ---- data ----

    def point(self, msg: PointMessage) -> None:
        try:
            produced = self.session.point(msg)
        except UDFError as error:
            raise self._fail(error) from None
        self._forward(produced)

    def batch(self, msg: BatchMessage) -> None:
        try:
            produced = self.session.batch(msg)
        except UDFError as error:
            raise self._fail(error) from None
        self._forward(produced)

    def _forward(self, produced: list) -> None:
        for out in produced:
            if type(out) is PointMessage:
                self.forward_point(out)
            else:
                self.forward_batch(out)

    def finish(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            produced = self.session.close()
        except UDFError as error:
            raise self._fail(error) from None
        self._forward(produced)

    def close(self) -> None:
        """The task ended early (a failure, a signal): end the UDF without waiting for it."""
        if not self.closed and self.session is not None:
            self.closed = True
            self.session.abort()

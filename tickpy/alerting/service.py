"""tickpy's alert service: Kapacitor's topics, handler files and alert-node handlers, offline.

Use from the engine:

    service = AlertService(handler_files=["handlers/"], config="kapacitor.conf",
                           dead_letter="dead.jsonl", capture="capture.jsonl")
    service.load()                       # TickpyError (HandlerLoadError) before any point is read
    handlers = [service.direct_handler(spec, task_name) for spec in alert_node.handlers]
    ...
    service.handle(event, handlers, node="alert2")   # per alert event (from one thread)
    ...
    summary = service.close()            # flush aggregates, drain queues -> DeliverySummary
    print(summary.render(), file=sys.stderr); print(service.topics_summary())

`handle` sends the event to the node's direct handlers (Kapacitor's anonymous topic
"main:<task>:<node>") and, when `event.topic` is set, collects it into that topic, whose
handler files then run. Each topic keeps the state of every event id: the level it had before
is the `previousLevel` its handlers see (rewritten in `wire` when it differs) and what
`changed()` compares to.

Delivery runs on one worker thread per tcp/log/exec/post handler (bounded queue of
`queue_size`; when it is full the engine waits, as Kapacitor's handler buffer blocks, but only
while deliveries keep finishing within `full_queue_patience_s`; `retries` with exponential backoff
from `backoff_s` for tcp and post; a circuit breaker per handler after `breaker_failures` failed
attempts in a row, open `breaker_cooldown_s`; dead-letter file for what fails); publish,
aggregate and match run in the caller's thread, in order. `handler_timeout_s` bounds each wait of
a tcp or post attempt (default: 5 s for tcp, 10 s for post; a post's own .timeout() wins),
`exec_timeout_s` an exec program's run (default 10 s; None: no limit, as Kapacitor).
External services (slack, ...) go to the capture sink (`capture` file, else stderr lines).
Failures are reported through `report` (default: stderr), at most five per handler.

For SIGINT/SIGTERM see tickpy.alerting.shutdown: stop reading, then `close(grace_s=...,
interrupted=True, signals=...)` delivers what it can in `grace_s` seconds and dead-letters the rest.

Other reads: `topic_states()` ({topic: {event id: level}}), `specs` (the loaded handler files),
`warnings` (non-fatal diagnostics from `load()`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from tickpy.alerting.capture import CaptureSink
from tickpy.alerting.config import AlertConfig, load_config
from tickpy.alerting.delivery import (
    DEFAULT_BACKOFF_S,
    DEFAULT_BREAKER_COOLDOWN_S,
    DEFAULT_BREAKER_FAILURES,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_RETRIES,
    FULL_QUEUE_PATIENCE_S,
    DeadLetters,
    DeliverySummary,
    HandlerStats,
    SignalCount,
    Worker,
    stderr_reporter,
    wait_all,
)
from tickpy.alerting.global_handlers import global_handler_specs, state_changes_only_sections
from tickpy.alerting.handlerfile import TopicHandlerSpec, load_handler_files
from tickpy.alerting.handlers import Handler, MatchHandler, event_for_topic
from tickpy.alerting.kinds import HANDLER_KINDS, SCRIPT_HANDLER_KINDS, SetupProblem
from tickpy.alerting.options import decode_options
from tickpy.alerting.senders import DEFAULT_EXEC_TIMEOUT_S
from tickpy.alerting.topics import EventState, Topic, render_topics
from tickpy.diagnostics import Diagnostic, TickpyError, render
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.alert_wire import alert_data_json, event_wire, with_previous_level

__all__ = ["AlertService", "HandlerLoadError", "DeliverySummary", "Handler"]


class HandlerLoadError(TickpyError):
    """Problems in handler files or the config: every diagnostic has `extra["path"]`."""

    def render(self, color: bool = False) -> str:
        out = []
        for d in self.diagnostics:
            path = d.extra.get("path", "")
            source = None
            if path and d.line:
                try:
                    with open(path, encoding="utf-8") as f:
                        source = f.read()
                except OSError:
                    source = None
            out.append(render(d, path, source, color=color))
        return "\n".join(out)


class AlertService:
    def __init__(self, handler_files: Sequence[str | os.PathLike] = (), config=None, dead_letter: str | None = None,
                 capture: str | None = None, *, retries: int = DEFAULT_RETRIES, backoff_s: float = DEFAULT_BACKOFF_S,
                 queue_size: int = DEFAULT_QUEUE_SIZE, handler_timeout_s: float | None = None,
                 exec_timeout_s: float | None = DEFAULT_EXEC_TIMEOUT_S,
                 breaker_failures: int = DEFAULT_BREAKER_FAILURES,
                 breaker_cooldown_s: float = DEFAULT_BREAKER_COOLDOWN_S,
                 report: Callable[[str], None] | None = None, capture_stream=None,
                 full_queue_patience_s: float = FULL_QUEUE_PATIENCE_S):
        self.handler_files = list(handler_files or [])
        self._config_source = config
        self.config = AlertConfig()
        self.dead_letter_path = str(dead_letter) if dead_letter else None
        self.capture_path = str(capture) if capture else None
        self.retries = retries
        self.backoff_s = backoff_s
        self.queue_size = queue_size
        self.full_queue_patience_s = full_queue_patience_s
        self.handler_timeout_s = handler_timeout_s
        self.exec_timeout_s = exec_timeout_s
        self.breaker_failures = breaker_failures
        self.breaker_cooldown_s = breaker_cooldown_s
        self.report = report or stderr_reporter()
        self._capture_stream = capture_stream
        self.topics: dict[str, Topic] = {}  # named topics (handler files, .topic())
        self._anon_topics: dict[str, Topic] = {}  # one per alert node with direct handlers
        self._handlers: list[Handler] = []  # every handler built, for flush and stats
        self._file_workers: dict[str, Worker] = {}  # one writer per file, whichever handlers append to it
        self.specs: list[TopicHandlerSpec] = []
        self.warnings: list[Diagnostic] = []
        self._dead_letters: DeadLetters | None = None
        self._capture: CaptureSink | None = None
        self._collecting: list[str] = []  # topics being collected now, to stop publish loops
        self._loop_warned: set[str] = set()
        self._loaded = False
        self._config_loaded = False
        self._closed: DeliverySummary | None = None

    # --- set-up ----------------------------------------------------------------------------

    def load(self) -> list[Diagnostic]:
        """Read the config and handler files and build their handlers. Raises HandlerLoadError
        with every problem; returns warnings."""
        if self._loaded:
            return self.warnings
        self.config, problems = load_config(self._config_source)
        self._config_loaded = True
        for path, flag in ((self.dead_letter_path, "--dead-letter"), (self.capture_path, "--capture")):
            output_problem = _check_output_file(path, flag) if path else None
            if output_problem is not None:
                problems.append(output_problem)
        specs, file_problems = load_handler_files(self.handler_files, self.config) if self.handler_files else ([], [])
        problems.extend(file_problems)
        errors = [p for p in problems if p.severity == "error"]
        built: list[tuple[TopicHandlerSpec, Handler]] = []
        if not errors:
            for spec in specs:
                try:
                    handler = self._topic_handler(spec)
                except SetupProblem as err:
                    errors.append(err.args[0])
                    continue
                built.append((spec, handler))
        if errors:
            self._shutdown_workers(built)
            raise HandlerLoadError(errors)
        for spec, handler in built:
            self._topic(spec.topic).handlers.append(handler)
        self.specs = specs
        self.warnings = [p for p in problems if p.severity != "error"]
        self._loaded = True
        return self.warnings

    def _ensure_config(self) -> None:
        if not self._config_loaded:
            self.config, problems = load_config(self._config_source)
            self._config_loaded = True
            errors = [p for p in problems if p.severity == "error"]
            if errors:
                raise HandlerLoadError(errors)

    def _shutdown_workers(self, built) -> None:
        for _, handler in built:
            for worker in handler.workers:
                worker.close()
        self._file_workers.clear()

    def _sinks(self) -> tuple[DeadLetters, CaptureSink]:
        if self._dead_letters is None:
            self._dead_letters = DeadLetters(self.dead_letter_path, self.report)
        if self._capture is None:
            self._capture = CaptureSink(self.capture_path, self._capture_stream,
                                        settings=self.config.service_settings)
        return self._dead_letters, self._capture

    def _topic(self, name: str) -> Topic:
        topic = self.topics.get(name)
        if topic is None:
            topic = self.topics[name] = Topic(name)
        return topic

    def _topic_handler(self, spec: TopicHandlerSpec) -> Handler:
        label = f"{spec.kind} {{target}} (topic {spec.topic}, handler {spec.id})"
        handler = self.build_handler(spec.kind, spec.id, spec.options, label,
                                     lambda message, key="kind", hint=None: Diagnostic(
                                         message=message, line=spec.position(key).line,
                                         column=spec.position(key).column, code="handler-option", hint=hint,
                                         extra={"path": spec.path}))
        if spec.predicate is not None:  # the match, compiled when the file was checked
            handler = MatchHandler(handler, spec.match, spec.predicate, self.report)
        return handler

    def add_topic_handler(self, spec: TopicHandlerSpec) -> None:
        """Put the handler of a decoded, checked handler spec on its topic while tasks run (a
        `kapacitor define-topic-handler` sent to `tickpy serve`), replacing the one with its id.
        Raises SetupProblem when it cannot be built."""
        self._ensure_config()
        handler = self._topic_handler(spec)
        self.remove_topic_handler(spec.topic, spec.id)
        self._topic(spec.topic).handlers.append(handler)
        self.specs.append(spec)

    def remove_topic_handler(self, topic_name: str, handler_id: str) -> bool:
        """Take a handler off its topic; its worker still delivers what it has queued."""
        topic = self.topics.get(topic_name)
        if topic is None:
            return False
        found = [h for h in topic.handlers if h.handler_id == handler_id]
        for handler in found:
            topic.handlers.remove(handler)
            self.release_handlers([handler])
        self.specs = [s for s in self.specs if (s.topic, s.id) != (topic_name, handler_id)]
        return bool(found)

    @property
    def built_handlers(self) -> tuple[Handler, ...]:
        """Every handler built so far, in order (a task's direct handlers are those built while
        it was compiled)."""
        return tuple(self._handlers)

    def release_handlers(self, handlers: Sequence[Handler]) -> None:
        """Handlers no longer used (a deleted task's, a replaced topic handler): flushed, their
        workers told to finish what is queued and stop."""
        for handler in handlers:
            handler.flush()
            for worker in handler.workers:
                worker.close()

    def global_handler_specs(self, own_specs, span) -> list:
        """Handler specs for the --config services with `global = true` of whose kind an alert
        node (with handlers `own_specs`, at `span`) has none, as Kapacitor adds them."""
        if self.config is None or not self.config.sections:
            return []
        return list(global_handler_specs(self.config, own_specs, span))

    def state_changes_only_sections(self) -> list[str]:
        """The --config sections (global with state-changes-only) that make every alert node
        stateChangesOnly."""
        if self.config is None or not self.config.sections:
            return []
        return state_changes_only_sections(self.config)

    def direct_handler(self, spec, task_name: str = "") -> Handler:
        """A handler for an alert node's `.tcp()`, `.log()`, `.post()`, `.exec()`, `.slack()`, ...
        Raises TickpyError (positioned at the handler in the script) when it cannot be built."""
        kind = SCRIPT_HANDLER_KINDS.get(spec.kind)
        span = spec.span

        def problem(message, key="", hint=None):
            return Diagnostic(message=message, line=span.line, column=span.column, end_line=span.end_line,
                              end_column=span.end_column, code="alert-handler", hint=hint)

        if kind is None:
            raise TickpyError(problem(f"unknown alert handler .{spec.kind}()"))
        raw = kind.options_from_script(list(spec.args), list(spec.properties))
        options, option_problems = decode_options(kind, raw)
        # The checker has validated the script's properties; a few (zenoss .uRL(), opsGenie2
        # .details(), ...) exist on Kapacitor's pipeline node but not in its handler config,
        # where Kapacitor ignores them. So only type problems count here.
        option_problems = [p for p in option_problems if not p.message.startswith("unknown option")]
        if option_problems:
            raise TickpyError([problem(f".{spec.kind}(): {p.message}", hint=p.hint) for p in option_problems])
        refused = kind.check(options, script=True)
        if refused:  # building the handler stops at the first problem
            raise TickpyError(problem(refused[0].message, hint=refused[0].hint))
        self._ensure_config()
        label = f"{kind.name} {{target}} ({task_name or 'task'} .{spec.kind}())"
        try:
            return self.build_handler(kind.name, f"{task_name}.{spec.kind}" if task_name else spec.kind, options,
                                      label, problem)
        except SetupProblem as err:
            raise TickpyError(err.args[0]) from None

    def build_handler(self, kind: str, handler_id: str, options: dict, label: str, problem) -> Handler:
        """The handler of one kind with decoded and checked options; `problem(message, key, hint)`
        makes the Diagnostic for what cannot be built (SetupProblem). The one hook for
        subclasses: `tickpy test` overrides it to point targets at its recorders."""
        self._sinks()  # opened with the first handler, whatever its kind, as the summary reports them
        handler = HANDLER_KINDS[kind].build(self, handler_id, options, label, problem)
        self._handlers.append(handler)
        return handler

    def file_worker(self, kind: str, handler_id: str, label: str, path: str, send) -> Worker:
        """The one worker appending to `path`: handlers of several alert nodes (or tasks) that write
        one file share it, so the file gets their events in the order the task produced them, not in
        the order their threads happened to run."""
        worker = self._file_workers.get(path)
        if worker is None:
            worker = self._file_workers[path] = self.delivery_worker(kind, handler_id, label, path, send, 0)
        return worker

    def delivery_worker(self, kind: str, handler_id: str, label: str, target: str, send, retries: int) -> Worker:
        """The worker thread and queue of one delivering handler; `label` names it in reports,
        its "{target}" replaced by `target`."""
        dead_letters, _ = self._sinks()
        stats = HandlerStats(label.replace("{target}", target), kind, target)
        return Worker(stats, send, dead_letters, self.report, handler_id=handler_id, retries=retries,
                      backoff_s=self.backoff_s, queue_size=self.queue_size,
                      full_queue_patience_s=self.full_queue_patience_s, breaker_failures=self.breaker_failures,
                      breaker_cooldown_s=self.breaker_cooldown_s)

    def capture_sink(self) -> CaptureSink:
        """Where external services' handlers record what they would send."""
        return self._sinks()[1]

    # --- events ----------------------------------------------------------------------------

    def handle(self, event: AlertEvent, direct_handlers: Sequence[Handler] = (), node: str = "") -> None:
        """Deliver `event` to the alert node's direct handlers and publish it to `event.topic`."""
        wire = event_wire(event)
        if direct_handlers:
            key = anon_topic_id(event.task_name, node) if node else f"main:{event.task_name}:{id(direct_handlers)}"
            topic = self._anon_topic(key)
            previous = topic.update(event)
            seen = event_for_topic(event, key, previous, _rewire(wire, event, previous))
            for handler in direct_handlers:
                handler.handle(seen)
        if event.topic:
            self.collect(event.topic, event)

    def _anon_topic(self, key: str) -> Topic:
        topic = self._anon_topics.get(key)
        if topic is None:
            topic = self._anon_topics[key] = Topic(key)
        return topic

    def open_anon_topic(self, task_name: str, node: str) -> None:
        """An alert node with handlers of its own has its anonymous topic from the start, as
        Kapacitor registers it when the task starts (listed with nothing collected yet)."""
        self._anon_topic(anon_topic_id(task_name, node))

    def last_event(self, task_name: str, node: str, own_handlers: bool, topic_name: str,
                   event_id: str) -> tuple[str, int] | None:
        """The level and time of the last event stored for `event_id`, from which an alert node
        (`node` of task `task_name`) starts a new group's state, as Kapacitor's restoreEvent reads
        them: from the node's anonymous topic when it has handlers of its own, from its
        `.topic()` when it has one, the anonymous one first. When the two disagree, the one read
        is copied into the other (as Kapacitor's UpdateEvent: nothing is collected). None when
        neither holds the id."""
        anon_key = anon_topic_id(task_name, node)
        anon = self._anon_topics.get(anon_key)
        named = self.topics.get(topic_name) if topic_name else None
        anon_state = anon.events.get(event_id) if own_handlers and anon is not None else None
        named_state = named.events.get(event_id) if named is not None else None
        anon_level = anon_state.level if anon_state is not None else "OK"
        named_level = named_state.level if named_state is not None else "OK"
        if anon_level != named_level:
            if anon_state is not None and named_state is not None:
                assert named is not None  # named_state came from it
                named.set_state(anon_state)
            elif named_state is not None and own_handlers:
                self._anon_topic(anon_key).set_state(named_state)
        found = anon_state if anon_state is not None else named_state
        return (found.level, found.time_ns) if found is not None else None

    def collect(self, topic_name: str, event: AlertEvent, previous_if_new: str = "OK") -> None:
        """Collect `event` into a topic: update its state and run the topic's handlers.
        `previous_if_new` is the previous level handlers see when the topic has not seen the
        event id yet: OK for an alert node's event, the source topic's for a re-published one."""
        if topic_name in self._collecting:
            if topic_name not in self._loop_warned:
                self._loop_warned.add(topic_name)
                self.report(f"tickpy: publish loop: topic {topic_name!r} re-published into itself "
                            f"({' -> '.join(self._collecting + [topic_name])}); the loop is cut")
            return
        topic = self._topic(topic_name)
        previous = topic.update(event, previous_if_new)
        seen = event_for_topic(event, topic_name, previous, _rewire(event_wire(event), event, previous))
        self._collecting.append(topic_name)
        try:
            for handler in topic.handlers:
                handler.handle(seen)
        finally:
            self._collecting.pop()

    # --- end of run ------------------------------------------------------------------------

    def close(self, grace_s: float | None = None, interrupted: bool = False,
              signals: SignalCount | None = None) -> DeliverySummary:
        """Publish pending aggregates, deliver what is queued, and summarise. Safe to call twice.
        After an interruption (`interrupted`, or a signal counted by `signals` while this waits)
        what is queued gets `grace_s` seconds (None: no limit), then is dead-lettered; a further
        signal dead-letters it at once. With `signals`, a wait of more than a second says what
        it waits for (through `report`)."""
        if self._closed is not None:
            return self._closed
        for handler in list(self._handlers):
            handler.flush()
        workers = list({id(w): w for h in self._handlers for w in h.workers}.values())  # shared ones once
        wait_all(workers, grace_s, interrupted=interrupted, signals=signals, notice=self.report)
        summary = DeliverySummary(dead_letter_path=self.dead_letter_path, capture_path=self.capture_path,
                                  interrupted=interrupted)
        seen_stats = set()
        for handler in self._handlers:
            stats = handler.stats
            if stats is None or id(stats) in seen_stats:
                continue
            seen_stats.add(id(stats))
            summary.handlers.append(stats)
            summary.delivered += stats.delivered
            summary.failed += stats.failed
            summary.captured += stats.captured
        for worker in workers:
            summary.failures.extend(worker.failures)
        summary.warnings = [f"publish loop cut at topic {t!r}" for t in sorted(self._loop_warned)]
        if self._dead_letters is not None:
            self._dead_letters.close()
            summary.dead_letter_errors = self._dead_letters.errors
            summary.dead_letter_error = self._dead_letters.last_error
        if self._capture is not None:
            self._capture.close()
        self._closed = summary
        return summary

    def topics_summary(self) -> str:
        """A table of each topic's events (for `tickpy run --topics`): the named topics and, as
        `kapacitor list topics` shows them too, the anonymous topic `main:<task>:<node>` of each
        alert node with handlers of its own (Kapacitor collects the node's events there)."""
        anonymous = list(self._anon_topics.values())
        text = render_topics(list(self.topics.values()) + anonymous)
        if anonymous:
            text += ("\n(main:<task>:<node> is the anonymous topic of an alert node's own handlers, .log(), .slack() "
                     "and the like; they run for it but are not topic handlers, so HANDLERS shows -)")
        return text

    def all_topics(self) -> list[Topic]:
        """The named topics and the alert nodes' anonymous ones (`kapacitor list topics` shows both)."""
        return list(self.topics.values()) + list(self._anon_topics.values())

    def drop_topic(self, topic_name: str) -> None:
        """Forget a topic and its state (Kapacitor's DELETE of a topic; an alert node's anonymous
        topic when its task is deleted)."""
        self.topics.pop(topic_name, None)
        self._anon_topics.pop(topic_name, None)

    def restore_topic(self, topic_name: str, collected: int, states: Sequence[EventState]) -> None:
        """Put back a topic's saved state (a restarted `tickpy serve`), before any event."""
        topic = self._anon_topic(topic_name) if topic_name.startswith("main:") else self._topic(topic_name)
        topic.collected = collected
        for state in states:
            topic.events[state.id] = state

    def topic_states(self) -> dict[str, dict[str, str]]:
        """{topic: {event id: level}} for every named topic."""
        return {name: {s.id: s.level for s in topic.sorted_events()} for name, topic in self.topics.items()}


def anon_topic_id(task_name: str, node: str) -> str:
    """The anonymous topic of an alert node's own handlers (Kapacitor's "main:<task>:<node>")."""
    return f"main:{task_name}:{node}"


def _check_output_file(path: str, flag: str) -> Diagnostic | None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        return Diagnostic(message=f"{flag} {path}: is a directory", code="output-file", extra={"path": path})
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        return Diagnostic(message=f"{flag} {path}: cannot write there (no such folder or no permission)",
                          code="output-file", extra={"path": path})
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return Diagnostic(message=f"{flag} {path}: file is not writable", code="output-file", extra={"path": path})
    return None


def _rewire(wire: bytes, event: AlertEvent, previous: str) -> bytes:
    if previous == event.previous_level or event.wire_error:
        return wire
    try:
        return with_previous_level(wire, previous, event.recoverable)
    except ValueError:

        return alert_data_json(event, previous)

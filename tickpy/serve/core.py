"""The state of a running `tickpy serve`: task definitions and their runners, the alert service
(topics and their handlers, shared by every task as in Kapacitor), the store, and the counters.
The HTTP layer (tickpy.serve.http) only translates requests into calls here.

Threads: each HTTP request runs on its own thread; each enabled task on its own. Definitions
change under `_lock`; writes are queued under `_ingest_lock` so that every task sees the writes
in the same order and a write is queued for all its tasks or for none. The alert service was
written for one thread: every call into it goes through `_alerts_lock` (SharedAlertService).
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tickpy import api
from tickpy.alerting.handlerfile import parse_handler_text
from tickpy.alerting.kinds import SetupProblem
from tickpy.alerting.topics import EventState
from tickpy.check import build_pipeline
from tickpy.check.dot import _label, to_dot
from tickpy.diagnostics import TickpyError
from tickpy.observe.stats import EdgeStats, NodeStats, TaskStats, walk_order
from tickpy.observe.stats import to_dot as stats_dot
from tickpy.serve.config import ServeConfig
from tickpy.serve.store import Store
from tickpy.serve.tasks import TaskDefinition, TaskRunner, variables_for_run
from tickpy.syntax import parse

VALID_TASK_ID = re.compile(r"^[-._\w]+$")  # Kapacitor's `^[-\._\p{L}0-9]+$`, near enough
VALID_TOPIC_ID = re.compile(r"^[-:._\w]+$")
TOPIC_STATE_SAVE_EVERY_S = 1.0
FULL_HANDLER_QUEUE_PATIENCE_S = 1.0
LIVE_READ_ATTEMPTS = 5
HANDLER_DRAIN_S = 2.0


class ApiError(Exception):
    """An answer in Kapacitor's error form: `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Backpressure(Exception):
    """A write that does not fit in some task's queue; nothing of it was queued."""

    def __init__(self, task_ids: list[str]):
        super().__init__(", ".join(task_ids))
        self.task_ids = task_ids


class ShuttingDown(Exception):
    """A write that came after the server began to stop: nothing of it was queued."""


class SharedAlertService:
    """The alert service seen through one lock: tasks call it from their own threads."""

    _LOCKED = frozenset({"handle", "collect", "last_event", "open_anon_topic", "direct_handler",
                         "global_handler_specs", "state_changes_only_sections", "build_handler"})

    def __init__(self, service, lock: threading.RLock):
        self._service = service
        self._lock = lock

    def __getattr__(self, name: str):
        value = getattr(self._service, name)
        if name in self._LOCKED:
            lock = self._lock

            def locked(*args, **kwargs):
                with lock:
                    return value(*args, **kwargs)

            return locked
        return value


def _now_ns() -> int:
    return time.time_ns()


class Core:
    def __init__(self, config: ServeConfig, log=None):
        self.config = config
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.store = Store(config.data_dir)
        self._alerts_lock = threading.RLock()
        # What cannot be delivered (after retries, or at shutdown) is kept beside the definitions.
        self.dead_letter = str(Path(config.data_dir) / "dead-letter.jsonl") if config.data_dir else None
        # Tasks share the alert service (behind one lock): an alert waits for room in its handler's
        # full queue only while the endpoint keeps delivering (backpressure, up to the writers);
        # once it has made no progress for this long, the alert is dead-lettered at once, so a
        # stuck endpoint holds the other tasks up for at most that.
        self._service = api.make_alert_service(config.config_path or None, [], report=self.log, dead_letter=self.dead_letter,
                                               full_queue_patience_s=FULL_HANDLER_QUEUE_PATIENCE_S)
        self.alerts = SharedAlertService(self._service, self._alerts_lock)
        self.tasks: dict[str, TaskDefinition] = {}
        self.templates: dict[str, dict] = {}
        self.handler_records: dict[tuple[str, str], dict] = {}  # (topic, id) -> the handler JSON
        self.runners: dict[str, TaskRunner] = {}
        self._task_handlers: dict[str, tuple] = {}  # task id -> its direct handlers
        self._lock = threading.RLock()
        self._ingest_lock = threading.Lock()
        self._closed = False  # shutting down: writes are refused
        self.counters: Counter = Counter()
        self.ingress: Counter = Counter()  # (db, rp, measurement) -> points received
        self._counters_lock = threading.Lock()
        self._saved_collected: dict[str, int] = {}
        self._stop_saving = threading.Event()
        self._saver = threading.Thread(target=self._save_topic_states_loop, name="tickpy-topic-states", daemon=True)
        self.started_ns = _now_ns()

    def count(self, name: str, amount: int = 1) -> None:
        """Add to a counter of /kapacitor/v1/debug/vars (from any thread)."""
        with self._counters_lock:
            self.counters[name] += amount

    # --- start and stop ---------------------------------------------------------------------

    def restore(self) -> None:
        """Load what the data directory holds: topic states first (alert nodes read them when a
        group starts), then handlers, templates, tasks (the enabled ones started)."""
        for topic, record in self.store.all("topic_state"):
            states = [EventState(event_id, s["level"], s["message"], s["time_ns"], s["duration_ns"], s["count"])
                      for event_id, s in record["events"].items()]
            with self._alerts_lock:
                self._service.restore_topic(topic, record["collected"], states)
            self._saved_collected[topic] = record["collected"]
        for _, record in self.store.all("handler"):
            try:
                self.define_handler(record["topic"], record, persist=False)
            except ApiError as error:
                self.log(f"tickpy serve: stored handler {record.get('topic')}/{record.get('id')} not loaded: "
                         f"{error.message}")
        for key, record in self.store.all("template"):
            self.templates[key] = record
        for key, record in self.store.all("task"):
            definition = TaskDefinition.from_record(record)
            self.tasks[key] = definition
            if definition.status == "enabled":
                try:
                    self._start(definition)
                except ApiError as error:
                    definition.error = error.message
                    self.log(f"tickpy serve: task {key} not started: {error.message}")
        self._saver.start()

    def shutdown(self, grace_s: float) -> Any:
        """Stop every task after it has processed what is queued, deliver (or dead-letter after
        `grace_s`) the queued alerts, save the topic states. Returns the delivery summary."""
        with self._lock, self._ingest_lock:
            self._closed = True
            runners = list(self.runners.values())
            self.runners.clear()
        for runner in runners:
            runner.stop()
        for runner in runners:
            runner.join()
        summary = self._service.close(grace_s=grace_s, interrupted=True)
        self._stop_saving.set()
        self.save_topic_states()
        self.store.close()
        return summary

    # --- writes -----------------------------------------------------------------------------

    def retention_policy(self, given: str) -> str:
        """A write's retention policy: the one it names, else the config's default (Kapacitor's)."""
        return given or self.config.default_retention_policy

    def write(self, points: list, database: str, retention_policy: str) -> None:
        """Queue the points (read with this database and retention policy, tickpy.serve.ingest)
        for every enabled task that reads them; Backpressure when one of them has no room, and
        ShuttingDown once the server stops (then nothing is queued)."""
        self.count("points_received", len(points))
        by_measurement = Counter(point.name for point in points)
        with self._counters_lock:
            for measurement, count in by_measurement.items():
                self.ingress[(database, retention_policy, measurement)] += count
        if not points:
            return
        key = (database, retention_policy)
        with self._ingest_lock:
            if self._closed:
                raise ShuttingDown()
            targets = [runner for runner in list(self.runners.values()) if key in runner.definition.dbrps]
            full = [runner.definition.id for runner in targets if not runner.has_room(len(points))]
            if full:
                self.count("writes_refused_queue_full")
                self.count("points_refused_queue_full", len(points))
                raise Backpressure(full)
            for runner in targets:
                runner.put(points)
        self.count("points_queued", len(points) * len(targets))

    # --- tasks ------------------------------------------------------------------------------

    def _check(self, definition: TaskDefinition):
        try:
            variables = variables_for_run(definition.vars)
            return api.check(definition.script, f"{definition.id}.tick", task_type=None, variables=variables)
        except TickpyError as error:
            first = error.diagnostics[0]
            raise ApiError(400, "invalid TICKscript: " + (first.kapacitor_message or first.message)) from None

    def _compile(self, definition: TaskDefinition, on_node_error):
        options = api.RunOptions(path=f"{definition.id}.tick", task_name=definition.id,
                                 dbrps=list(definition.dbrps), alert_service=self.alerts,
                                 variables=variables_for_run(definition.vars), on_node_error=on_node_error,
                                 keep_alerts=False, line_sink=self._influxdb_line, config=self.config.raw or None,
                                 wall_clock_ticks=True)
        try:
            task = api.compile(definition.script, options)
        except TickpyError as error:
            first = error.diagnostics[0]
            raise ApiError(400, f"cannot run task {definition.id}: {first.kapacitor_message or first.message}"
                           ) from None
        # A task that runs for months must not keep every influxDBOut line: the sink counts them.
        task.context.influxdb_lines = _NotKept()
        return task

    def _influxdb_line(self, line: str) -> None:
        # There is no InfluxDB behind tickpy serve: influxDBOut's lines are counted, not written.
        self.count("influxdb_out_lines_dropped")

    def _start(self, definition: TaskDefinition) -> None:
        with self._ingest_lock:
            self._start_locked(definition)

    def _start_locked(self, definition: TaskDefinition) -> None:
        if definition.type == "batch":
            raise ApiError(400, f"task {definition.id}: batch tasks are not implemented by tickpy serve "
                                "(it runs stream tasks)")
        with self._alerts_lock:
            before = len(self._service.built_handlers)
            runner = TaskRunner(definition, lambda on_error: self._compile(definition, on_error),
                                self.config.queue_points, self.log)
            self._task_handlers[definition.id] = self._service.built_handlers[before:]
        self.runners[definition.id] = runner
        runner.start()

    def _stop(self, task_id: str) -> None:
        with self._ingest_lock:
            self._stop_locked(task_id)

    def _stop_locked(self, task_id: str) -> None:
        """Writes wait meanwhile: the task processes everything queued before it stops."""
        runner = self.runners.pop(task_id, None)
        if runner is None:
            return
        runner.stop()
        runner.join()
        handlers = self._task_handlers.pop(task_id, ())
        self._service.release_handlers(handlers)
        # Its handlers deliver what they hold before a new version of the task sends anything
        # (so alerts keep their order across a reload), as long as their endpoints answer.
        deadline = time.monotonic() + HANDLER_DRAIN_S
        for worker in (worker for handler in handlers for worker in handler.workers):
            worker.join(max(0.0, deadline - time.monotonic()))

    def _restart(self, original: TaskDefinition, updated: TaskDefinition) -> None:
        """Swap a task's runner without a write in between: none is dropped, none goes to both."""
        with self._ingest_lock:
            was_running = original.id in self.runners
            self._stop_locked(original.id)
            if updated.status != "enabled":
                return
            try:
                self._start_locked(updated)
            except ApiError:
                if was_running:
                    self._start_locked(original)
                raise

    def define_task(self, options: dict) -> TaskDefinition:
        with self._lock:
            task_id = options.get("id") or ""
            if not isinstance(task_id, str) or not task_id:
                raise ApiError(400, "task ID is required (tickpy serve makes up no ids)")
            if not VALID_TASK_ID.match(task_id):
                raise ApiError(400, f"task ID must contain only letters, numbers, '-', '.' and '_'. {_go_quote(task_id)}")
            if task_id in self.tasks:
                raise ApiError(400, f"task {task_id} already exists")
            template_id = options.get("template-id") or ""
            script = options.get("script") or ""
            if template_id:
                template = self.templates.get(template_id)
                if template is None:
                    raise ApiError(400, f"unknown template {template_id}: err: no template exists")
                script = template["script"]
            elif not script:
                raise ApiError(400, "must provide TICKscript")
            definition = TaskDefinition(id=task_id, type=options.get("type") or "stream", dbrps=[],
                                        script=script, vars=_client_vars(options.get("vars")),
                                        status=options.get("status") or "disabled", template_id=template_id)
            if definition.status not in ("enabled", "disabled"):
                definition.status = "disabled"
            pipeline = self._check(definition)
            definition.type = pipeline.task_type
            definition.dbrps = self._dbrps(pipeline, options.get("dbrps"), required=True)
            now = _now_ns()
            definition.created_ns = definition.modified_ns = now
            if definition.status == "enabled":
                definition.last_enabled_ns = now
                self._start(definition)
            self.tasks[task_id] = definition
            self.store.put("task", task_id, definition.to_record())
            return definition

    def _dbrps(self, pipeline, given, required: bool) -> list[tuple[str, str]]:
        given = _client_dbrps(given)
        implicit = [tuple(pair) for pair in pipeline.dbrps]
        if implicit and given:
            raise ApiError(400, "cannot specify dbrp in both implicitly and explicitly")
        if required and not implicit and not given:
            raise ApiError(400, "must specify dbrp")
        return implicit or given

    def update_task(self, task_id: str, options: dict) -> TaskDefinition:
        with self._lock:
            original = self.tasks.get(task_id)
            if original is None:
                raise ApiError(404, "task does not exist, cannot update")
            updated = TaskDefinition.from_record(original.to_record())
            new_id = options.get("id") or task_id
            if new_id != task_id:
                raise ApiError(400, "renaming a task is not implemented by tickpy serve")
            template_id = options.get("template-id") or updated.template_id
            if template_id:
                template = self.templates.get(template_id)
                if template is None:
                    raise ApiError(400, f"unknown template {template_id}: err: no template exists")
                updated.script = template["script"]
                updated.template_id = template_id
            elif options.get("script"):
                updated.script = options["script"]
            if options.get("vars"):
                updated.vars = _client_vars(options["vars"])
            status = options.get("status")
            if status in ("enabled", "disabled"):
                updated.status = status
            pipeline = self._check(updated)
            updated.type = pipeline.task_type
            implicit = [tuple(pair) for pair in pipeline.dbrps]
            given = _client_dbrps(options.get("dbrps"))
            if implicit and given:
                raise ApiError(400, "cannot specify dbrp in implicitly and explicitly")
            updated.dbrps = implicit or given or updated.dbrps
            if not updated.dbrps:
                raise ApiError(400, "must specify dbrp")
            now = _now_ns()
            updated.modified_ns = now
            if updated.status == "enabled" and original.status != "enabled":
                updated.last_enabled_ns = now
            self._restart(original, updated)
            updated.error = ""
            self.tasks[task_id] = updated
            self.store.put("task", task_id, updated.to_record())
            return updated

    def delete_task(self, task_id: str) -> None:
        with self._lock:
            self._stop(task_id)
            if self.tasks.pop(task_id, None) is not None:
                self.store.delete("task", task_id)
            # As Kapacitor, the anonymous topics of the task's alert nodes go with it.
            for topic in self.topics():
                if topic.id.startswith(f"main:{task_id}:"):
                    self.delete_topic(topic.id)

    def task_dot(self, definition: TaskDefinition, labels: bool = False) -> str:
        runner = self.runners.get(definition.id)
        if runner is None:
            try:
                return to_dot(self._check(definition), definition.id)
            except ApiError:
                return ""
        return stats_dot(self.task_stats(runner), labels=labels)

    def task_stats(self, runner: TaskRunner) -> TaskStats:
        """Kapacitor's execution stats of a running task, from the nodes' own counters: a node
        hands every message it emits to each of its children, so each child edge carries them all."""
        compiled = runner.task.compiled
        counters = read_live(compiled.stats)
        by_label = dict(counters)
        nodes = []
        for spec in walk_order(compiled.specs):
            label = _label(spec)
            entry = by_label.get(label)
            if entry is None:
                continue
            emitted_each = entry["points_out"] + entry["batches_out"]
            node_counters = {"errors": entry["errors"], "working_cardinality": 0}
            node_counters.update({key: value for key, value in entry.items()
                                  if key not in ("type", "points_in", "points_out", "batches_in", "batches_out",
                                                 "errors", "ignored_other_dbrps", "ignored_other_measurements",
                                                 "events_dropped")})
            edges = [EdgeStats(_label(child), emitted_each) for child in spec.children]
            nodes.append(NodeStats(label, spec.name, entry["points_in"] + entry["batches_in"],
                                   emitted_each * len(edges), node_counters, edges))
        elapsed = max(time.monotonic() - runner.started, 1e-9)
        return TaskStats(runner.definition.id, runner.points_processed, elapsed, nodes)

    # --- templates --------------------------------------------------------------------------

    def define_template(self, options: dict) -> dict:
        with self._lock:
            template_id = options.get("id") or ""
            if not isinstance(template_id, str) or not VALID_TASK_ID.match(template_id):
                raise ApiError(400, "template ID must contain only letters, numbers, '-', '.' and '_'. "
                                    f"{_go_quote(str(template_id))}")
            if template_id in self.templates:
                raise ApiError(400, f"template {template_id} already exists")
            script = options.get("script") or ""
            if not script:
                raise ApiError(400, "must provide TICKscript")
            pipeline = self._check_template(script, template_id)
            now = _now_ns()
            record = {"id": template_id, "type": pipeline.task_type, "script": script,
                      "created_ns": now, "modified_ns": now}
            self.templates[template_id] = record
            self.store.put("template", template_id, record)
            return record

    def _check_template(self, script: str, template_id: str):
        try:  # a template may leave vars without values: checked as a template, not a task
            return build_pipeline(parse(script, f"{template_id}.tick"), template=True)
        except TickpyError as error:
            first = error.diagnostics[0]
            raise ApiError(400, "invalid TICKscript: " + (first.kapacitor_message or first.message)) from None

    def update_template(self, template_id: str, options: dict) -> dict:
        with self._lock:
            record = self.templates.get(template_id)
            if record is None:
                raise ApiError(404, "template does not exist, cannot update")
            if options.get("script"):
                pipeline = self._check_template(options["script"], template_id)
                record = dict(record, script=options["script"], type=pipeline.task_type, modified_ns=_now_ns())
                users = [d for d in self.tasks.values() if d.template_id == template_id]
                for definition in users:  # Kapacitor re-checks every task of the template
                    self._check(TaskDefinition.from_record(dict(definition.to_record(), script=record["script"])))
                self.templates[template_id] = record
                self.store.put("template", template_id, record)
                for definition in users:
                    self.update_task(definition.id, {"template-id": template_id})
            return record

    def delete_template(self, template_id: str) -> None:
        with self._lock:
            if self.templates.pop(template_id, None) is not None:
                self.store.delete("template", template_id)

    # --- topics and handlers ----------------------------------------------------------------

    def define_handler(self, topic: str, options: dict, persist: bool = True) -> dict:
        """Create or replace a topic handler from the JSON `kapacitor define-topic-handler` sends."""
        if not VALID_TOPIC_ID.match(topic):
            raise ApiError(400, f"invalid handler spec: invalid topic ID {_go_quote(topic)}")
        record = {"topic": topic, "id": options.get("id", ""), "kind": options.get("kind", ""),
                  "match": options.get("match") or "", "options": options.get("options") or {}}
        spec, problems = parse_handler_text(f"{topic}/{record['id']}.json", json.dumps(record), "json")
        errors = [p for p in problems if p.severity == "error"]
        if spec is None or errors:
            first = errors[0] if errors else problems[0]
            raise ApiError(400, "invalid handler spec: " + (first.kapacitor_message or first.message))
        with self._alerts_lock:
            try:
                self._service.add_topic_handler(spec)
            except SetupProblem as problem:
                raise ApiError(400, "invalid handler spec: " + problem.args[0].message) from None
            except TickpyError as error:
                raise ApiError(400, "invalid handler spec: " + error.diagnostics[0].message) from None
        self.handler_records[(topic, record["id"])] = record
        if persist:
            self.store.put("handler", f"{topic}\0{record['id']}", record)
        return record

    def delete_handler(self, topic: str, handler_id: str) -> None:
        with self._alerts_lock:
            self._service.remove_topic_handler(topic, handler_id)
        self.handler_records.pop((topic, handler_id), None)
        self.store.delete("handler", f"{topic}\0{handler_id}")

    def delete_topic(self, topic: str) -> None:
        with self._alerts_lock:
            for handler_id in [h for (t, h) in self.handler_records if t == topic]:
                self.delete_handler(topic, handler_id)
            self._service.drop_topic(topic)
        self.store.delete("topic_state", topic)
        self._saved_collected.pop(topic, None)

    def topics(self) -> list:
        with self._alerts_lock:
            return sorted(self._service.all_topics(), key=lambda topic: topic.id)

    def topic(self, topic_id: str):
        for topic in self.topics():
            if topic.id == topic_id:
                return topic
        return None

    def save_topic_states(self) -> None:
        """Write the topics whose state changed since they were last written."""
        changed = []
        with self._alerts_lock:
            for topic in self._service.all_topics():
                if self._saved_collected.get(topic.id) == topic.collected:
                    continue
                events = {state.id: {"level": state.level, "message": state.message, "time_ns": state.time_ns,
                                     "duration_ns": state.duration_ns, "count": state.count}
                          for state in topic.events.values()}
                changed.append((topic.id, {"collected": topic.collected, "events": events}))
                self._saved_collected[topic.id] = topic.collected
        if changed:
            self.store.put_many("topic_state", changed)

    def _save_topic_states_loop(self) -> None:
        while not self._stop_saving.wait(TOPIC_STATE_SAVE_EVERY_S):
            try:
                self.save_topic_states()
            except Exception as error:  # the database went away (shutdown): say so, keep serving
                self.log(f"tickpy serve: saving topic states failed: {error}")

    # --- counters ---------------------------------------------------------------------------

    def debug_vars(self) -> dict:
        """Kapacitor's /kapacitor/v1/debug/vars shape (client.DebugVars): `kapacitor` holds one
        stat per part: the server's ingest counters, and each running task's."""
        with self._counters_lock:
            values = dict(self.counters)
            ingress = dict(self.ingress)
        stats = {"tickpy": {"name": "tickpy", "tags": {}, "values": values}}
        for (database, retention_policy, measurement), count in sorted(ingress.items()):
            # Kapacitor's ingress stat, as `kapacitor stats ingress` reads it.
            stats[f"ingress:{database}:{retention_policy}:{measurement}"] = {
                "name": "ingress", "tags": {"task_master": "main", "database": database,
                                            "retention_policy": retention_policy, "measurement": measurement},
                "values": {"points_received": count}}
        for task_id, runner in list(self.runners.items()):
            stats[f"task:{task_id}"] = {"name": "task", "tags": {"task": task_id}, "values": {
                "points_received": runner.points_received, "points_processed": runner.points_processed,
                "queue_depth": runner.queued, "queue_capacity": runner.capacity,
                "node_errors": runner.node_errors, "failed": runner.failed or ""}}
        return {"cluster_id": "", "server_id": "", "host": socket.gethostname(), "kapacitor": stats,
                "cmdline": list(sys.argv), "num_enabled_tasks": len(self.runners), "num_subscriptions": 0,
                "num_tasks": len(self.tasks), "memstats": {}, "version": "1.5.7", "platform": "tickpy serve"}


class _NotKept(list):
    """A list that keeps nothing appended to it."""

    def append(self, item) -> None:
        pass


def read_live(read):
    """`read()` of a running task's state from another thread: a dict the task grows meanwhile
    ("changed size during iteration") is read again."""
    for _ in range(LIVE_READ_ATTEMPTS - 1):
        try:
            return read()
        except RuntimeError:
            continue
    return read()


def _client_vars(value) -> dict:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "invalid JSON")
    return {name: dict(entry) for name, entry in value.items() if isinstance(entry, dict)}


def _client_dbrps(value) -> list[tuple[str, str]]:
    if not value:
        return []
    try:
        return [(str(entry["db"]), str(entry["rp"])) for entry in value]
    except (TypeError, KeyError):
        raise ApiError(400, "invalid JSON") from None


def _go_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)

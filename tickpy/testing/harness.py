"""Run a script on points for a test and get everything it produced back as objects.

    from tickpy.testing import run_script, points, series

    run = run_script(open("cpu.tick").read(), points('''
        cpu,host=a usage_idle=50 0s
        cpu,host=a usage_idle=5 10s
    '''))
    assert [a.level for a in run.alerts] == ["CRITICAL"]
    assert run.deliveries["tcp 127.0.0.1:7777"][0].alert["level"] == "CRITICAL"

`run_script` runs the task with `tickpy.api.run_task`, its handlers delivering to
recorders (see `tickpy.testing.recorders`), and returns a `ScriptRun`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tickpy.api import run_task
from tickpy.check.inputs import load_vars, var_value
from tickpy.golang.gojson import GoJSONError, http_error_body
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.nodes.outputs import HTTPPostNode
from tickpy.testing.recorders import Delivery, RecordingAlertService

__all__ = ["ScriptRun", "run_script", "load_variables"]


@dataclass(slots=True, eq=False)
class ScriptRun:
    """What one run produced: `alerts` (AlertEvent, in order), `deliveries` (target key ->
    list of Delivery), `httpout` (endpoint -> result data), `influxdb_lines`, `stats` (node
    label -> counters), `node_errors`, `delivery_failures`, `problems` (delivery reports),
    `http_posts` (httpPost node URL -> list of Delivery, `.alert` holding the posted result)."""

    alerts: list[AlertEvent] = field(default_factory=list)
    deliveries: dict[str, list[Delivery]] = field(default_factory=dict)
    http_posts: dict[str, list[Delivery]] = field(default_factory=dict)  # httpPost node URL -> bodies
    httpout: dict[str, Any] = field(default_factory=dict)
    influxdb_lines: list[str] = field(default_factory=list)
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    node_errors: list = field(default_factory=list)
    delivery_failures: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)
    points_read: int = 0
    task_name: str = ""
    handler_keys: list[str] = field(default_factory=list)  # every handler built, as `deliveries` names them

    def counts(self) -> dict[str, int]:
        """Alert events per level, e.g. {"CRITICAL": 2, "OK": 1}."""
        counts: dict[str, int] = {}
        for event in self.alerts:
            counts[event.level] = counts.get(event.level, 0) + 1
        return counts

    def triggered(self) -> dict[str, int]:
        """Kapacitor's alert-node counters summed over the task's alert nodes (what
        `kapacitor show` reports and kapacitor-unit checks): oks_triggered, warns_triggered, ..."""
        totals: dict[str, int] = {}
        for label, stats in self.stats.items():
            if stats.get("type") == "AlertNode" or label.startswith("alert"):
                for key, value in stats.items():
                    if key.endswith("_triggered") and isinstance(value, int):
                        totals[key] = totals.get(key, 0) + value
        return totals


def load_variables(variables) -> dict | None:
    """Template-task vars in `define -vars` shape ({name: {type, value}}) or a JSON file path."""
    if variables is None:
        return None
    if isinstance(variables, (str, Path)):
        return load_vars(str(variables))
    return {name: (raw if isinstance(raw, tuple) else var_value(name, raw, "<vars>"))
            for name, raw in variables.items()}


def _compiled(task, service: RecordingAlertService, observer) -> None:
    _redirect_http_post_nodes(task, service)
    if observer is not None:
        observer.attach(task)


def _redirect_http_post_nodes(task, service: RecordingAlertService) -> None:
    """httpPost nodes post to recorders too: a test never contacts the URL a script names."""
    for node in task.nodes:
        if isinstance(node, HTTPPostNode):
            node.url = service.redirect_http_post(node.url)


def run_script(source: str, points: Iterable[Any], *, path: str = "<script>", task_name: str | None = None,
               dbrp=None, handlers: Iterable[str] = (), config=None, variables=None, flush: bool = False,
               task_type: str | None = None, clock_start: int | None = None,
               clock_until: int | None = None, observer=None) -> ScriptRun:
    """Run `source` on `points`; see the module docstring. Raises TickpyError for script,
    handler-file and configuration errors."""
    problems: list[str] = []
    if observer is not None:  # a tickpy.observe RunObserver (the state dump of a failed case)
        points = observer.wrap_points(points)
    service = RecordingAlertService(handler_files=list(handlers), config=config, report=problems.append)
    outcome = ScriptRun()
    try:
        service.load()
        result = run_task(source, points, path=path, task_name=task_name, dbrp=dbrp, alert_service=service,
                          config=config, flush=flush, task_type=task_type,
                          variables=load_variables(variables), log_sink=outcome.log_lines.append, report=problems.append,
                          clock_start=clock_start, clock_until=clock_until,
                          on_compiled=lambda task: _compiled(task, service, observer))
        summary = service.close()
        outcome.deliveries = service.deliveries()
        outcome.http_posts = service.http_posts()
        outcome.handler_keys = service.handler_keys()
    finally:
        service.close()
        service.cleanup()
    outcome.alerts = result.alerts
    # As a client of the endpoint would read it: plain JSON data (times as RFC3339 text).
    outcome.httpout = {name: _httpout_answer(result, name, problems) for name in result.httpout}
    outcome.influxdb_lines = result.influxdb_lines
    outcome.stats = result.stats
    outcome.node_errors = result.node_errors
    outcome.delivery_failures = list(summary.failures)
    outcome.problems = problems
    outcome.points_read = result.points_read
    outcome.task_name = result.task_name
    return outcome


def _httpout_answer(result, name: str, problems: list[str]):
    """What a GET of the endpoint answers: the result, or (when it holds NaN or an infinity,
    which json.Marshal refuses) Kapacitor's HTTP 500 error body."""
    try:
        return json.loads(result.httpout_json(name))
    except GoJSONError as error:
        problems.append(f"httpOut('{name}'): cannot encode the result: {error} (Kapacitor answers HTTP 500)")
        return json.loads(http_error_body(str(error)))

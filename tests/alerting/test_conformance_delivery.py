"""Delivery conformance against Kapacitor's stream integration cases (conformance/alerts).

The engine's conformance test runs the whole task. This one checks the alert service's part on
its own: the script's handlers (built from the checked pipeline) receive Kapacitor's alert
events, with a producer that claims previousLevel OK every time, and real endpoints must get
exactly Kapacitor's bytes: the framing, the headers, the file modes, the counts, and the
previousLevel the anonymous topic's state gives.
"""

from __future__ import annotations

import json
import os
import stat

from tests.alerting.servers import HTTPSink
from tests.conformance.conftest import report, require_set
from tickpy.alerting.service import AlertService
from tickpy.check import build_pipeline
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.alert_wire import with_previous_level
from tickpy.syntax import parse


def _cases(folder):
    for case in sorted(p for p in folder.iterdir() if p.is_dir()):
        expected = json.loads((case / "expected.json").read_text())
        if expected.get("handler") and expected.get("alerts_wire") and expected.get("alerts"):
            yield case, expected


def _event(alert: dict, wire: str) -> AlertEvent:
    event = AlertEvent(id=alert["id"], message=alert["message"], details=alert["details"], time_ns=0,
                       duration_ns=alert["duration"], level=alert["level"], previous_level="OK", name="",
                       task_name="task", group="", tags={}, fields={}, recoverable=alert["recoverable"],
                       result=alert["data"])
    event.wire = with_previous_level(wire.encode(), "OK", alert["recoverable"])
    return event


def _run_case(case, expected, tmp_path) -> list[str]:
    server = HTTPSink()
    port = server.url.rsplit(":", 1)[1]
    paths = {"{LOG_PATH}": str(tmp_path / f"{case.name}.log"), "{LOG_PATH_2}": str(tmp_path / f"{case.name}-2.log")}
    script = (case / "script.tick").read_text().replace("{HTTP_PORT}", port)
    for placeholder, path in paths.items():
        script = script.replace(placeholder, path)
    config = None
    if expected.get("config"):
        config = json.loads(json.dumps(expected["config"]).replace("{HTTP_PORT}", port))
    pipeline = build_pipeline(parse(script))
    service = AlertService(config=config, report=lambda line: None)
    service.load()
    [alert_node] = [n for n in pipeline.nodes if n.handlers]
    handlers = [service.direct_handler(spec, "task") for spec in alert_node.handlers]
    old_umask = os.umask(0o022)
    try:
        for alert, wire in zip(expected["alerts"], expected["alerts_wire"]):
            service.handle(_event(alert, wire), handlers, node=alert_node.label)
        summary = service.close()
    finally:
        os.umask(old_umask)
    server.close()
    problems = []
    wires = [w.encode() for w in expected["alerts_wire"]]
    if not summary.ok:
        problems.append(f"delivery failed: {summary.render()}")
    for target in expected["targets"]:
        if target["type"] == "post":
            bodies = [body for _, _, body in server.requests]
            want = [w + b"\n" for w in wires]
            if (bodies if expected.get("alerts_ordered", True) else sorted(bodies)) != \
                    (want if expected.get("alerts_ordered", True) else sorted(want)):
                problems.append("POST bodies differ from Kapacitor's")
            for _, headers, _ in server.requests:
                if headers.get("Content-Type") != "application/json":
                    problems.append(f"Content-Type {headers.get('Content-Type')!r}")
                for key, value in (target.get("expected_headers") or {}).items():
                    if headers.get(key) != value:
                        problems.append(f"header {key}: {headers.get(key)!r} != {value!r}")
            if len(server.requests) != target["alert_count"]:
                problems.append(f"{len(server.requests)} POSTs, Kapacitor sent {target['alert_count']}")
        elif target["type"] == "log":
            path = paths[target["path"]]
            content = open(path, "rb").read() if os.path.exists(path) else b""
            if content != b"".join(w + b"\n" for w in wires):
                problems.append(f"log {target['path']} content differs")
            mode = oct(stat.S_IMODE(os.stat(path).st_mode))[2:].zfill(4) if os.path.exists(path) else "none"
            if mode != target["file_mode"]:
                problems.append(f"log {target['path']} mode {mode} != {target['file_mode']}")
    return problems


def test_alert_delivery_conformance(tmp_path):
    folder = require_set("alerts")
    passed, total, failures = 0, 0, []
    for case, expected in _cases(folder):
        total += 1
        problems = _run_case(case, expected, tmp_path)
        if problems:
            failures.append(f"{case.name}: {'; '.join(problems[:3])}")
        else:
            passed += 1
    report("alerts-delivery", passed, total, failures)
    assert total >= 6
    assert passed == total, failures

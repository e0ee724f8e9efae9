"""Kapacitor 1.5.7's JSON for what the task and alert APIs answer (client/v1's structs, in their
field order), and its `MarshalIndent(v, "", "    ")` text."""

from __future__ import annotations

import json
from typing import Any

from tickpy.golang.gotime import format_go_duration, format_time_rfc3339nano
from tickpy.runtime.alert_event import LEVEL_RANK
from tickpy.syntax import format_source

BASE = "/kapacitor/v1"
ZERO_TIME = "0001-01-01T00:00:00Z"
_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value: Any) -> bytes:
    """Go's json.MarshalIndent with four spaces (HTML characters escaped as Go does)."""
    text = json.dumps(value, indent=4, ensure_ascii=False)
    if any(character in text for character in _GO_ESCAPES):
        text = "".join(_GO_ESCAPES.get(character, character) for character in text)
    return text.encode("utf-8")


def error_body(message: str) -> bytes:
    return go_json({"error": message})


def link(href: str, relation: str = "self") -> dict:
    return {"rel": relation, "href": href}


def go_time(ns: int) -> str:
    return format_time_rfc3339nano(ns) if ns else ZERO_TIME


def formatted_script(script: str, script_format: str) -> str:
    if script_format == "raw":
        return script
    try:
        return format_source(script)
    except Exception:  # as Kapacitor: a script that does not format is shown as written
        return script


def task_json(core, definition, *, script_format: str = "formatted", dot_view: str = "attributes",
              fields: list[str] | None = None) -> dict:
    runner = core.runners.get(definition.id)
    stats: dict = {}
    if runner is not None:
        stats = core.task_stats(runner).as_dict()
    whole = {
        "link": link(f"{BASE}/tasks/{definition.id}"),
        "id": definition.id,
        "template-id": definition.template_id,
        "type": definition.type,
        "dbrps": [{"db": db, "rp": rp} for db, rp in definition.dbrps],
        "script": formatted_script(definition.script, script_format),
        "vars": {name: {"value": entry.get("value"), "type": entry.get("type"),
                        "description": entry.get("description", "")} for name, entry in definition.vars.items()},
        "dot": core.task_dot(definition, labels=dot_view == "labels"),
        "status": definition.status,
        "executing": runner is not None,
        "error": (runner.failed if runner is not None and runner.failed else definition.error),
        "stats": stats,
        "created": go_time(definition.created_ns),
        "modified": go_time(definition.modified_ns),
        "last-enabled": go_time(definition.last_enabled_ns),
    }
    if fields is None:
        return whole
    return {name: whole[name] for name in fields if name in whole}


def template_json(core, record: dict, script_format: str = "formatted") -> dict:
    template_id = record["id"]
    return {
        "link": link(f"{BASE}/templates/{template_id}"),
        "id": template_id,
        "type": record["type"],
        "script": formatted_script(record["script"], script_format),
        "vars": {},
        "dot": "",
        "error": "",
        "created": go_time(record["created_ns"]),
        "modified": go_time(record["modified_ns"]),
        "tasks": [{"link": link(f"{BASE}/tasks/{d.id}"), "id": d.id} for d in core.tasks.values()
                  if d.template_id == template_id],
    }


def topic_json(topic) -> dict:
    base = f"{BASE}/alerts/topics/{topic.id}"
    return {"link": link(base), "id": topic.id, "level": topic.max_level, "collected": topic.collected,
            "events-link": link(f"{base}/events", "events"), "handlers-link": link(f"{base}/handlers", "handlers")}


def event_json(topic_id: str, state) -> dict:
    return {"link": link(f"{BASE}/alerts/topics/{topic_id}/events/{state.id}"), "id": state.id,
            "state": {"message": state.message, "details": "", "time": go_time(state.time_ns),
                      "duration": format_go_duration(state.duration_ns), "level": state.level}}


def events_json(topic, min_level: str, href: str) -> dict:
    floor = LEVEL_RANK.get(min_level.upper(), 0)
    return {"link": link(href), "topic": topic.id,
            "events": [event_json(topic.id, state) for state in topic.sorted_events()
                       if LEVEL_RANK[state.level] >= floor]}


def handler_json(record: dict) -> dict:
    return {"link": link(f"{BASE}/alerts/topics/{record['topic']}/handlers/{record['id']}"), "id": record["id"],
            "kind": record["kind"], "options": record["options"], "match": record["match"]}

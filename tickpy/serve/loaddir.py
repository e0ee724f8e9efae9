"""Kapacitor's load directory (services/load): tasks/*.tick (task id: the file's stem; enabled),
templates/*.tick, tasks/*.yaml|.yml|.json (a template task's vars file: template-id, dbrps, vars),
handlers/*.yaml|.yml|.json (topic handler files). Loaded at start and on SIGHUP; what was loaded
from a file that is gone is deleted, as Kapacitor does. A task whose definition did not change
keeps running untouched; one that changed is swapped without dropping a point (core._restart)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tickpy.serve.core import ApiError, Core

VARS_SUFFIXES = (".yaml", ".yml", ".json")


class LoadDir:
    def __init__(self, root: Path, core: Core, log):
        self.root = root
        self.core = core
        self.log = log
        self.loaded_tasks: set[str] = set()
        self.loaded_templates: set[str] = set()
        self.loaded_handlers: set[tuple[str, str]] = set()

    def load(self) -> None:
        templates = {path.stem: path for path in self._files("templates", (".tick",))}
        tasks = {path.stem: path for path in self._files("tasks", (".tick",) + VARS_SUFFIXES)}
        handler_files = self._files("handlers", VARS_SUFFIXES)
        for template_id, path in templates.items():
            self._guarded(path, self._template, template_id, path)
        for task_id, path in tasks.items():
            self._guarded(path, self._task, task_id, path)
        handlers = set()
        for path in handler_files:
            record = self._guarded(path, _read_data, path)
            if isinstance(record, dict):
                topic, handler_id = str(record.get("topic", "")), str(record.get("id", ""))
                if self._guarded(path, self.core.define_handler, topic, record) is not None:
                    handlers.add((topic, handler_id))
        for task_id in self.loaded_tasks - set(tasks):
            self.core.delete_task(task_id)
        for template_id in self.loaded_templates - set(templates):
            self.core.delete_template(template_id)
        for topic, handler_id in self.loaded_handlers - handlers:
            self.core.delete_handler(topic, handler_id)
        self.loaded_tasks = set(tasks) & set(self.core.tasks)
        self.loaded_templates = set(templates) & set(self.core.templates)
        self.loaded_handlers = handlers

    def _files(self, folder: str, suffixes: tuple[str, ...]) -> list[Path]:
        directory = self.root / folder
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in suffixes)

    def _guarded(self, path: Path, load, *args):
        """load(*args), or None with the reason logged: one bad file does not stop the others."""
        try:
            return load(*args)
        except ApiError as error:
            self.log(f"tickpy serve: {path}: not loaded: {error.message}")
        except (OSError, ValueError, yaml.YAMLError) as error:
            self.log(f"tickpy serve: {path}: not loaded: {error}")
        return None

    def _template(self, template_id: str, path: Path) -> None:
        script = path.read_text(encoding="utf-8")
        existing = self.core.templates.get(template_id)
        if existing is None:
            self.core.define_template({"id": template_id, "script": script})
        elif existing["script"] != script:
            self.core.update_template(template_id, {"script": script})

    def _task(self, task_id: str, path: Path) -> None:
        options: dict[str, Any]
        if path.suffix == ".tick":
            options = {"id": task_id, "script": path.read_text(encoding="utf-8"), "status": "enabled"}
        else:
            data = _read_data(path)
            if not isinstance(data, dict):
                raise ValueError("a task vars file holds a mapping: template-id, dbrps, vars")
            options = {"id": task_id, "template-id": data.get("template-id") or data.get("templateid") or "",
                       "dbrps": data.get("dbrps") or [], "vars": data.get("vars") or {}, "status": "enabled"}
        existing = self.core.tasks.get(task_id)
        if existing is None:
            self.core.define_task(options)
            return
        unchanged = (existing.status == "enabled" and existing.script == options.get("script", existing.script)
                     and existing.template_id == options.get("template-id", existing.template_id)
                     and existing.vars == options.get("vars", existing.vars)
                     and (not options.get("dbrps") or [(d["db"], d["rp"]) for d in options["dbrps"]] == existing.dbrps))
        if not unchanged:
            if path.suffix == ".tick":
                options.pop("dbrps", None)
            self.core.update_task(task_id, options)


def _read_data(path: Path):
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    return yaml.safe_load(text)

"""The part of a Kapacitor configuration file (TOML) the alert service uses: `[[httppost]]`
endpoints, each with `endpoint`, `url`, `headers`, `basic-auth`, and alert templates.
Other sections of a kapacitor.conf are accepted and ignored."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tickpy.datafiles import NestingError, check_nesting
from tickpy.diagnostics import Diagnostic

_HTTPPOST_KEYS = ("endpoint", "url", "headers", "basic-auth", "alert-template", "alert-template-file",
                  "row-template", "row-template-file")


# kind -> (the key naming a section of a [[kind]] list, the handler option that picks it)
_SECTION_CHOSEN_BY = {"kafka": ("id", "cluster"), "mqtt": ("name", "broker-name")}


@dataclass(slots=True)
class HTTPPostEndpoint:
    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    basic_auth: tuple[str, str] | None = None
    alert_template: str = ""
    alert_template_funcs: bool = True  # Kapacitor gives json/jsonCompact to inline templates only


@dataclass(slots=True)
class AlertConfig:
    httppost: dict[str, HTTPPostEndpoint] = field(default_factory=dict)
    path: str = ""
    sections: dict[str, Any] = field(default_factory=dict)  # the raw TOML, for service settings

    def service_settings(self, kind: str, options: dict | None = None) -> dict:
        """A service's section ([slack], or the [[slack]] of the handler's workspace, the [[kafka]]
        of its cluster, the [[mqtt]] of its broker; else the one marked default), or {}."""
        section = self.sections.get(kind)
        if isinstance(section, list):
            config_key, option_key = _SECTION_CHOSEN_BY.get(kind, ("workspace", "workspace"))
            wanted = (options or {}).get(option_key, "")
            chosen = [s for s in section if isinstance(s, dict) and s.get(config_key, "") == wanted]
            chosen = chosen or [s for s in section if isinstance(s, dict) and s.get("default")]
            section = chosen[0] if chosen else (section[0] if section else {})
        return section if isinstance(section, dict) else {}


    def kafka_clusters(self) -> list[str]:
        """The cluster ids Kapacitor's kafka service knows, enabled or not: each [[kafka]] id, or
        without a section its one default cluster."""
        sections = self.sections.get("kafka")
        if sections is None:
            return ["default"]
        if isinstance(sections, dict):
            sections = [sections]
        return [str(s.get("id", "default")) for s in sections if isinstance(s, dict)]


def _line_of(text: str, needle: str, occurrence: int = 0) -> int:
    starts = [m.start() for m in re.finditer(re.escape(needle), text)]
    if len(starts) > occurrence:
        return text.count("\n", 0, starts[occurrence]) + 1
    return 0


def load_config(source: str | os.PathLike | dict | AlertConfig | None) -> tuple[AlertConfig, list[Diagnostic]]:
    """The alert settings from a TOML file path, an already parsed dict, or nothing."""
    if source is None:
        return AlertConfig(), []
    if isinstance(source, AlertConfig):
        return source, []
    text = ""
    path = ""
    if isinstance(source, dict):
        data = source
    else:
        import tomllib  # deferred: start-up (only a configuration file needs it)

        path = str(source)
        try:
            text = Path(path).read_text(encoding="utf-8")
            check_nesting(text, toml=True)
            data = tomllib.loads(text)
        except NestingError as err:
            return AlertConfig(path=path), [_diag(path, f"invalid TOML: {err}", err.line, err.column)]
        except OSError as err:
            return AlertConfig(path=path), [_diag(path, f"cannot read config file: {err.strerror}")]
        except UnicodeDecodeError as err:
            return AlertConfig(path=path), [_diag(path, f"not a TOML configuration: byte 0x{err.object[err.start]:02x} "
                                                        f"at offset {err.start} is not UTF-8 text")]
        except tomllib.TOMLDecodeError as err:
            line = getattr(err, "lineno", 0) or 0
            column = getattr(err, "colno", 0) or 0
            return AlertConfig(path=path), [_diag(path, f"invalid TOML: {err}", line, column)]
        except ValueError:  # an integer past the 4,300 digits int() reads (past int64, which Kapacitor refuses)
            long_number = re.search(r"[0-9][0-9_]{4300}", text)
            line = text.count("\n", 0, long_number.start()) + 1 if long_number else 0
            return AlertConfig(path=path), [_diag(path, "invalid TOML: an integer is out of the range of "
                                                        "64-bit signed integers", line)]
    config = AlertConfig(path=path, sections=dict(data))
    problems: list[Diagnostic] = []
    for kind in _WORKSPACE_KINDS:
        problem = _workspace_problem(kind, data.get(kind))
        if problem:
            problems.append(_diag(path, f"[{kind}]: {problem} (Kapacitor would not start with this configuration)",
                                  _line_of(text, kind)))
    entries = data.get("httppost", [])
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return config, [_diag(path, "httppost must be an array of tables: [[httppost]]", _line_of(text, "httppost"))]
    for index, entry in enumerate(entries):
        line = _line_of(text, "[[httppost]]", index)
        if not isinstance(entry, dict):
            problems.append(_diag(path, "each [[httppost]] must be a table", line))
            continue
        for key in entry:
            if key not in _HTTPPOST_KEYS:
                problems.append(_diag(path, f"unknown key {key!r} in [[httppost]]", line,
                                      hint="[[httppost]] takes: " + ", ".join(_HTTPPOST_KEYS)))
        name = entry.get("endpoint", "")
        url = entry.get("url", "")
        if not isinstance(name, str) or not name:
            problems.append(_diag(path, "must specify endpoint name", line, hint='endpoint = "example"'))
            continue
        if not isinstance(url, str) or not url:
            problems.append(_diag(path, f"must specify url for endpoint {name!r}", line))
            continue
        headers = entry.get("headers", {}) or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            problems.append(_diag(path, f"headers of endpoint {name!r} must be a table of strings", line))
            headers = {}
        auth = entry.get("basic-auth")
        basic_auth = None
        if isinstance(auth, dict) and auth.get("username") and auth.get("password"):
            basic_auth = (str(auth["username"]), str(auth["password"]))
        template = entry.get("alert-template", "") or ""
        template_file = entry.get("alert-template-file", "") or ""
        if template and template_file:
            problems.append(_diag(path, "must specify only one of alert-template and alert-template-file", line))
        if template_file:
            if not os.path.isabs(template_file):
                problems.append(_diag(path, "must use an absolute path for alert-template-file", line))
            else:
                try:
                    template = Path(template_file).read_text(encoding="utf-8")
                except OSError as err:
                    problems.append(_diag(path, f"failed to read template file {template_file!r}: {err.strerror}", line))
        if name in config.httppost:
            problems.append(_diag(path, f"endpoint {name!r} is defined twice", line))
        if template or "{{" in url:
            from tickpy.runtime.alert_data_template import (
                AlertDataTemplate,  # deferred: start-up (the Go template engine; only [[httppost]] templates need it)
            )

            for text, what, funcs in ((template, "alert-template", not template_file), (url, "url", True)):
                if text and (what == "alert-template" or "{{" in text):
                    try:
                        AlertDataTemplate(text, with_funcs=funcs)
                    except ValueError as err:
                        problems.append(_diag(path, f"endpoint {name!r}: invalid {what}: {err}", line))
        config.httppost[name] = HTTPPostEndpoint(name, url, dict(headers), basic_auth, template,
                                                 alert_template_funcs=not template_file)
    return config, problems


_WORKSPACE_KINDS = {"slack": "Slack", "discord": "Discord"}  # services with [[kind]] sections by workspace


def _workspace_problem(kind: str, sections) -> str | None:
    """Kapacitor's check of the [[slack]] / [[discord]] workspaces: one is the default, and only
    the default may be global (and only a global default may be state-changes-only)."""
    if isinstance(sections, dict):
        sections = [sections]
    if not isinstance(sections, list) or not sections:
        return None
    has_default = len(sections) == 1
    for section in sections:
        if not isinstance(section, dict):
            continue
        if len(sections) > 1 and not section.get("workspace"):
            return "id must not be empty"
        is_default, is_global = bool(section.get("default")), bool(section.get("global"))
        has_default = has_default or is_default
        if is_global and not is_default:
            return "only the default config may be assigned as global"
        if section.get("state-changes-only") and not (is_default and is_global):
            return "stateChangesOnly may only be assigned when the config is both default and global"
    if not has_default:
        return f"at least one {_WORKSPACE_KINDS[kind]} config must be set as default"
    return None


def _diag(path: str, message: str, line: int = 0, column: int = 0, hint: str | None = None) -> Diagnostic:
    return Diagnostic(message=message, line=line, column=column or (1 if line else 0), code="config", hint=hint,
                      extra={"path": path})


def config_summary(config: AlertConfig) -> dict[str, Any]:
    return {name: {"url": e.url, "headers": e.headers} for name, e in config.httppost.items()}

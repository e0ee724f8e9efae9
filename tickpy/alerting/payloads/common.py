"""Helpers shared by the request builders of each external service."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from tickpy.golang import gojson
from tickpy.runtime.alert_event import AlertEvent

KAPACITOR_URL = "http://localhost:9092"  # Kapacitor's own address in client_url fields (httpd default)


def encode(value) -> str:
    return gojson.encoder_encode(value)  # json.NewEncoder(...).Encode: compact JSON + newline


def result_json(event: AlertEvent):
    """The event's models.Result as the Go struct marshals it (field order, omitempty)."""
    from tickpy.runtime.alert_wire import result_struct

    return result_struct(event.result)


@dataclass(slots=True)
class HTTPRequest:
    """An HTTP request a service handler would make; `body` is the exact bytes as text."""

    url: str
    body: str
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"


class NotSent(Exception):
    """Kapacitor's handler would send nothing for this event; the message says why."""


# --- Go's net/url: a service URL with path elements joined and the query replaced ----------------

_PATH_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~$&+,/:;=@")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _go_clean_path(path: str) -> str:
    """path.Clean: single slashes, no "." elements, ".." resolved (never above the root)."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    return "/" + cleaned if rooted else cleaned or "."


def go_url_join(base: str, elements: tuple, query: str | None = None) -> str:
    """url.Parse(base), Path = path.Join(Path, elements...), RawQuery replaced when `query` is
    given, then url.URL.String(): the joined path re-escaped as EscapedPath does."""
    bad = _BAD_ESCAPE.search(base)
    if bad:
        raise NotSent(f'parse "{base}": invalid URL escape "{base[bad.start():bad.start() + 3]}"')
    try:
        parts = urlsplit(base)
    except ValueError as err:
        raise NotSent(f'parse "{base}": {err}') from None
    joined = _go_clean_path("/".join(p for p in (unquote(parts.path), *elements) if p))
    path = "".join(chr(b) if b in _PATH_KEEP else f"%{b:02X}" for b in joined.encode("utf-8", "surrogateescape"))
    text = parts.scheme + ":" if parts.scheme else ""
    if parts.netloc or (parts.scheme and path):
        text += "//" + parts.netloc
        if path and not path.startswith("/"):
            path = "/" + path
    elif not parts.scheme and ":" in path.split("/", 1)[0]:
        path = "./" + path  # a first segment with a colon would read as a scheme
    text += path
    query = parts.query if query is None else query
    if query:
        text += "?" + query
    if parts.fragment:
        text += "#" + parts.fragment
    return text


# --- option templates: parsed when the handler is built, as Kapacitor's Handler(c) constructors do -


class OptionTemplateError(ValueError):
    """A handler option's Go template that does not parse: str() is Go's text, `option` the option
    key, `item` which entry of a list or map option ("service[1]") when it is one."""

    def __init__(self, option: str, message: str, item: str = ""):
        super().__init__(message)
        self.option = option
        self.item = item


def parse_option_template(option: str, name: str, text: str, funcs=None, item: str = ""):
    """text/template.New(name).Parse(text), raising OptionTemplateError with Go's message."""
    from tickpy.golang.gotemplate_exec import TextTemplate
    from tickpy.golang.gotemplate_parse import TemplateParseError

    try:
        return TextTemplate(name, text, funcs)
    except TemplateParseError as err:
        raise OptionTemplateError(option, str(err), item) from None


def execute_template(template, data) -> str:
    """The template's text over `data`; ValueError with Go's message when execution fails."""
    from tickpy.golang.gotemplate_exec import ExecError

    try:
        return template.execute(data)
    except ExecError as err:
        raise ValueError(str(err)) from None


def creation_check(parse_templates):
    """A CHECKS entry from the function that parses a kind's option templates (the builder's own):
    the first template that does not parse, as Kapacitor's constructor stops at it."""

    def check(options: dict) -> list[tuple[str, str]]:
        try:
            parse_templates(options)
        except OptionTemplateError as err:
            return [(err.option, f"{err.item}: {err}" if err.item else str(err))]
        return []

    return check

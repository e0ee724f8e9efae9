"""Helpers shared by the request builders of each external service."""

from __future__ import annotations

from dataclasses import dataclass, field

from tickpy.golang import gojson
from tickpy.golang.gohttp import join_url
from tickpy.golang.gotemplate_exec import ExecError, TextTemplate
from tickpy.golang.gotemplate_parse import TemplateParseError
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.alert_wire import result_struct

KAPACITOR_URL = "http://localhost:9092"  # Kapacitor's own address in client_url fields (httpd default)


def encode(value) -> str:
    return gojson.encoder_encode(value)  # json.NewEncoder(...).Encode: compact JSON + newline


def result_json(event: AlertEvent):
    """The event's models.Result as the Go struct marshals it (field order, omitempty)."""
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


def service_url(base: str, elements: tuple, query: str | None = None) -> str:
    """A service URL with path elements joined and the query replaced (gohttp.join_url); a base
    that does not parse refuses the event."""
    try:
        return join_url(base, elements, query)
    except ValueError as err:
        raise NotSent(str(err)) from None


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
    try:
        return TextTemplate(name, text, funcs)
    except TemplateParseError as err:
        raise OptionTemplateError(option, str(err), item) from None


def execute_template(template, data) -> str:
    """The template's text over `data`; ValueError with Go's message when execution fails."""
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

"""Alert handler kinds: one class per kind the alert service runs itself (tcp, log, exec and post
deliver; publish and aggregate pass events to topics), and one `ExternalKind` per external
service (slack, pagerduty, ...), whose handlers are captured, never contacted.

A kind says, in one place:
- `options`, `defaults`: its options as Kapacitor's config struct decodes them (option name ->
  type, tickpy.alerting.options), and `go_config`, the struct's Go type (named in Kapacitor's
  decode errors);
- `alert_property`: the alert node property that adds one in a script (`.tcp()`, `.email()`; None:
  handler files only), `script_args` (the options its arguments fill) and `script_properties`
  (what its sub-properties set): `options_from_script` turns them into raw options;
- `check(options, script)`: what is refused in decoded options, by Kapacitor or because tickpy
  could not deliver, for a handler file (`script=False`) and for an alert node's handler, which
  Kapacitor words differently (`script=True`; building stops at the first problem);
- `setup_problems(options, config)`: what building the handler refuses because of the
  configuration (`--config`): a post endpoint it lacks, a kafka cluster it does not know. The
  handler files' check (tickpy.alerting.handlerfile) and `build` both ask it;
- `build(service, handler_id, options, label, problem)`: the handler, with its sender and
  worker, from checked options (refusing, as a SetupProblem, what `setup_problems` names);
- `retarget(options, recorders, problem)`: for `tickpy test`, the options pointed at a recorder
  and the key its deliveries are listed under, or None when the kind is not redirected.

`HANDLER_KINDS` holds every kind by name, `SCRIPT_HANDLER_KINDS` by alert node property.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from tickpy.alerting.addresses import check_tcp_address
from tickpy.alerting.config import AlertConfig
from tickpy.alerting.delivery import HandlerStats
from tickpy.alerting.handlers import (
    AggregateHandler,
    CaptureHandler,
    DeliveringHandler,
    Handler,
    PublishHandler,
    check_aggregate_message,
)
from tickpy.alerting.options import (
    ANY_MAP,
    BOOL,
    DURATION,
    FILE_MODE,
    INT,
    LINKS,
    QOS,
    SNMP_DATA,
    STRING,
    STRING_MAP,
    STRINGS,
    OptionProblem,
)
from tickpy.alerting.payloads import TEMPLATE_HINT, option_problems
from tickpy.alerting.senders import (
    DEFAULT_HTTP_TIMEOUT_S,
    DEFAULT_TCP_TIMEOUT_S,
    check_http_url,
    exec_sender,
    log_sender,
    post_sender,
    tcp_sender,
)
from tickpy.diagnostics import TickpyError
from tickpy.golang.goformat import go_quote
from tickpy.runtime.alert_data_template import AlertDataTemplate
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.alert_wire import line_payload, tcp_payload

if TYPE_CHECKING:  # pragma: no cover
    from tickpy.alerting.service import AlertService


class SetupProblem(Exception):
    """A handler that cannot be built; args[0] is the Diagnostic (made by the caller's `problem`)."""


class Recorders(Protocol):
    """Where `tickpy test` points handlers (tickpy.testing.recorders.RecordingAlertService)."""

    config: AlertConfig

    def tcp_recorder(self, key: str) -> str:
        """host:port of a listener recording what is sent to it."""

    def file_recorder(self, key: str) -> str:
        """The path of a file recording the lines appended to it."""

    def http_recorder(self, key: str, url: str) -> str:
        """`url` with the scheme and host of a server recording the requests."""


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def _plain(value):
    # Durations from the checked pipeline carry nanoseconds; other values pass as they are.
    nanoseconds = getattr(value, "nanoseconds", None)
    return nanoseconds if isinstance(nanoseconds, int) else value


class HandlerKind:
    name: str = ""
    options: dict[str, str] = {}
    defaults: dict[str, Any] = {}
    go_config: str = ""
    alert_property: str | None = None
    script_args: tuple[str, ...] = ()  # in argument order; "*name": the remaining arguments, as a list
    # sub-property -> (option, how its arguments fill it): "value" (the first), "flag" (True),
    # "list" (all, added to earlier calls'), "values" (all, replacing earlier calls'), "map" (key,
    # value), "link" (a pagerduty2 link: href, text), "trap-data" (an SNMP trap's oid, type, value).
    # Unlisted sub-properties set the option named like them: `.iconEmoji()` sets icon-emoji.
    script_properties: dict[str, tuple[str, str]] = {}

    def script_option(self, prop: str) -> tuple[str, str]:
        """The option a handler sub-property sets, and how."""
        known = self.script_properties.get(prop)
        if known:
            return known
        return _CAMEL.sub(r"-\1", prop).lower(), "value"

    def options_from_script(self, args: list, properties: list) -> dict[str, Any]:
        """Raw options for a handler written in a script (`.slack().channel('#x')`)."""
        options: dict[str, Any] = {}
        args = [_plain(a) for a in args]
        if args:
            for index, name in enumerate(self.script_args):
                if name.startswith("*"):
                    options[name[1:]] = list(args[index:])
                    break
                if index < len(args):
                    options[name] = args[index]
        for call in properties:
            name, mode = self.script_option(call.name)
            call_args = [_plain(a) for a in call.args]
            if mode == "flag":
                options[name] = True
            elif mode == "list":
                options.setdefault(name, []).extend(call_args)
            elif mode == "values":
                options[name] = list(call_args)
            elif mode == "map" and len(call_args) >= 2:
                # A free-form map keeps a duration as Go's time.Duration: %v prints 5m0s, JSON the nanoseconds.
                value = call.args[1] if self.options.get(name) == ANY_MAP else call_args[1]
                options.setdefault(name, {})[call_args[0]] = value
            elif mode == "link":
                options.setdefault(name, []).append({"href": call_args[0], "text": call_args[1] if len(call_args) > 1 else ""})
            elif mode == "trap-data":
                options.setdefault(name, []).append(dict(zip(("oid", "type", "value"), call_args)))
            elif call_args:
                options[name] = call_args[0]
        return options

    def check(self, options: dict[str, Any], script: bool = False) -> list[OptionProblem]:
        return []

    def setup_problems(self, options: dict[str, Any], config: AlertConfig) -> list[OptionProblem]:
        return []

    def refuse_setup_problems(self, options: dict[str, Any], config: AlertConfig, problem: Callable) -> None:
        """For `build`: the first of `setup_problems`, as a SetupProblem (Kapacitor's constructor
        stops there)."""
        refused = self.setup_problems(options, config)
        if refused:
            raise SetupProblem(problem(refused[0].message, f"options.{refused[0].key}", refused[0].hint))

    def build(self, service: AlertService, handler_id: str, options: dict[str, Any], label: str,
              problem: Callable) -> Handler:
        raise NotImplementedError

    def retarget(self, options: dict[str, Any], recorders: Recorders, problem: Callable) -> str | None:
        """Point `options` (the caller's copy) at a recorder; the deliveries' key, or None."""
        return None


# --------------------------------------------------------------------------- delivering kinds


class TCP(HandlerKind):
    """A new connection per event: the alert JSON and two newlines."""

    name = "tcp"
    options = {"address": STRING}
    go_config = "*alert.TCPHandlerConfig"
    alert_property = "tcp"
    script_args = ("address",)
    script_properties = {"address": ("address", "value")}

    def check(self, options, script=False):
        error = check_tcp_address(options.get("address", ""))
        if not error:
            return []
        if script:
            return [OptionProblem("address", f"tcp: {error}", "write host:port, e.g. 127.0.0.1:9100")]
        return [OptionProblem("address", f"options: address: {error}", "write host:port, e.g. address: 127.0.0.1:9100")]

    def build(self, service, handler_id, options, label, problem):
        address = options.get("address", "")
        send = tcp_sender(address, service.handler_timeout_s or DEFAULT_TCP_TIMEOUT_S)
        worker = service.delivery_worker(self.name, handler_id, label, address, send, service.retries)
        return DeliveringHandler(self.name, handler_id, worker, tcp_payload)

    def retarget(self, options, recorders, problem):
        if check_tcp_address(options.get("address", "")):
            return None
        key = f"tcp {options['address']}"
        options["address"] = recorders.tcp_recorder(key)
        return key


class Log(HandlerKind):
    """The alert JSON and a newline, appended to a file (created with `mode`)."""

    name = "log"
    options = {"path": STRING, "mode": FILE_MODE}
    defaults = {"mode": 0o600}
    go_config = "*alert.LogHandlerConfig"
    alert_property = "log"
    script_args = ("path",)
    script_properties = {"mode": ("mode", "value"), "filePath": ("path", "value")}

    def options_from_script(self, args, properties):
        options = super().options_from_script(args, properties)
        if options.get("mode") == 0:
            del options["mode"]  # Kapacitor's alert node: .mode(0) means "not set", the default 0600
        return options

    def check(self, options, script=False):
        path = options.get("path", "")
        if os.path.isabs(path):
            return []
        if script:
            return [OptionProblem("path", f"failed to create log alert handler: log path must be absolute: "
                                          f"{path} is not absolute")]
        if not path:
            return [OptionProblem("path", "options: log path must be absolute:  is not absolute",
                                  "set path: /var/log/alerts.log")]
        return [OptionProblem("path", f"options: log path must be absolute: {path} is not absolute")]

    def build(self, service, handler_id, options, label, problem):
        path = options["path"]
        worker = service.file_worker(self.name, handler_id, label, path, log_sender(path, options.get("mode", 0o600)))
        return DeliveringHandler(self.name, handler_id, worker, line_payload)

    def retarget(self, options, recorders, problem):
        if not options.get("path"):
            return None
        key = f"log {options['path']}"
        options["path"] = recorders.file_recorder(key)
        return key


class Exec(HandlerKind):
    """A program run per event, the alert JSON and a newline on its stdin."""

    name = "exec"
    options = {"prog": STRING, "args": STRINGS}
    go_config = "*alert.ExecHandlerConfig"
    alert_property = "exec"
    script_args = ("prog", "*args")

    def check(self, options, script=False):
        if options.get("prog"):
            return []
        if script:
            return [OptionProblem("prog", "exec: missing the program to run")]
        return [OptionProblem("prog", "options: exec needs 'prog', the program to run", "prog: /usr/local/bin/notify")]

    def build(self, service, handler_id, options, label, problem):
        prog, args = options["prog"], options.get("args", [])
        send = exec_sender(prog, args, service.exec_timeout_s)
        worker = service.delivery_worker(self.name, handler_id, label, " ".join([prog, *args]), send, 0)
        return DeliveringHandler(self.name, handler_id, worker, line_payload)

    def retarget(self, options, recorders, problem):
        if not options.get("prog"):
            return None
        key = "exec " + " ".join([options["prog"], *options.get("args", [])])
        options["prog"] = "/bin/sh"
        options["args"] = ["-c", 'cat >> "$0"', recorders.file_recorder(key)]
        return key


class Post(HandlerKind):
    """An HTTP POST per event: the alert JSON and a newline, or the body of the endpoint's alert
    template; the URL given, or the [[httppost]] endpoint's from --config."""

    name = "post"
    options = {"url": STRING, "endpoint": STRING, "headers": STRING_MAP, "capture-response": BOOL,
               "timeout": DURATION, "skip-ssl-verification": BOOL}
    go_config = "*httppost.HandlerConfig"
    alert_property = "post"
    script_args = ("url",)
    script_properties = {"endpoint": ("endpoint", "value"), "header": ("headers", "map"),
                         "captureResponse": ("capture-response", "flag"), "timeout": ("timeout", "value"),
                         "skipSSLVerification": ("skip-ssl-verification", "flag"), "uRL": ("url", "value")}

    def check(self, options, script=False):
        url = options.get("url")
        if script:
            # The alert node's own check; the URL is checked when the handler is built, once
            # --config tells whether an endpoint replaces it.
            if not url and not options.get("endpoint"):
                return [OptionProblem("url", "Either URL or endpoint must be non-empty",
                                      ".post('http://host:port/path') or .post().endpoint('name') with a "
                                      "[[httppost]] endpoint in --config")]
            return []
        if not url and not options.get("endpoint"):
            return [OptionProblem("url", "options: An appropriately formatted url must be specified if an endpoint "
                                         "is not specified")]
        if url and "{{" in url:
            try:
                AlertDataTemplate(url)
            except ValueError as err:
                return [OptionProblem("url", f"options: url: {err}")]
        elif url:
            try:
                check_http_url(url)
            except ValueError as err:
                return [OptionProblem("url", f"options: {err}", "url: http://127.0.0.1:8080/alerts")]
        return []

    @staticmethod
    def _endpoint(options, config: AlertConfig):
        return config.httppost.get(options.get("endpoint", "")) if options.get("endpoint") else None

    def setup_problems(self, options, config):
        # Kapacitor's httppost Handler(): an endpoint it does not know counts only without a url
        endpoint = self._endpoint(options, config)
        if endpoint is not None:
            url = endpoint.url
            if endpoint.alert_template:
                try:
                    AlertDataTemplate(endpoint.alert_template, endpoint.alert_template_funcs)
                except ValueError as err:
                    return [OptionProblem("endpoint", f"endpoint {endpoint.name!r}: alert-template: {err}")]
        else:
            url = options.get("url", "")
            if not url:
                known = ", ".join(sorted(config.httppost)) or "none (pass --config with [[httppost]])"
                return [OptionProblem("endpoint", "An appropriately formatted url must be specified if an endpoint is "
                                                  "not specified",
                                      f"endpoint {options.get('endpoint')!r} is not configured; endpoints: {known}")]
        try:
            if "{{" in url:
                AlertDataTemplate(url)
            else:
                check_http_url(url)
        except ValueError as err:
            return [OptionProblem("url", f"post: url: {err}" if "{{" in url else f"post: {err}")]
        return []

    def build(self, service, handler_id, options, label, problem):
        self.refuse_setup_problems(options, service.config, problem)
        endpoint = self._endpoint(options, service.config)
        headers: dict[str, str] = {}
        basic_auth = None
        body_template = None
        if endpoint is not None:
            url = endpoint.url
            headers.update(endpoint.headers)
            basic_auth = endpoint.basic_auth
            if endpoint.alert_template:
                body_template = AlertDataTemplate(endpoint.alert_template, endpoint.alert_template_funcs)
        else:
            url = options["url"]
        url_template = AlertDataTemplate(url) if "{{" in url else None
        headers.update(options.get("headers", {}))
        try:
            send = post_sender(url if url_template is None else "http://url-template.invalid/", headers,
                               options.get("timeout", 0) / 1e9 or None, options.get("capture-response", False),
                               options.get("skip-ssl-verification", False), basic_auth,
                               content_type=None if body_template else "application/json",
                               default_timeout_s=service.handler_timeout_s or DEFAULT_HTTP_TIMEOUT_S)
        except ValueError as err:
            raise SetupProblem(problem(f"post: {err}", "options.url")) from None
        prepare = None
        if body_template is not None or url_template is not None:
            def prepare(event: AlertEvent) -> tuple[bytes, str | None]:
                body = (body_template.render(event, event.wire).encode() if body_template is not None
                        else line_payload(event.wire))
                target = url_template.render(event, event.wire) if url_template is not None else None
                return body, target
        worker = service.delivery_worker(self.name, handler_id, label, url, send, service.retries)
        return DeliveringHandler(self.name, handler_id, worker, line_payload, prepare)

    def retarget(self, options, recorders, problem):
        endpoint = recorders.config.httppost.get(options.get("endpoint", "")) if options.get("endpoint") else None
        url = endpoint.url if endpoint is not None else options.get("url", "")
        if "{{" in urlsplit(url).netloc:
            # Rendered per alert, the host could not be redirected: refuse rather than send.
            raise TickpyError(problem(f"post: tickpy test cannot redirect {url!r} to its recorder: "
                                      "the host is a template", "options.url"))
        try:
            check_http_url(url)
        except ValueError:
            return None  # not redirected: the service reports what is wrong with it
        key = f"post {url}"
        recorded = recorders.http_recorder(key, url)
        if endpoint is not None:
            # A private copy of the config's endpoint: its headers and auth still apply.
            recorders.config.httppost = dict(recorders.config.httppost)
            recorders.config.httppost[endpoint.name] = replace(endpoint, url=recorded)
        else:
            options["url"] = recorded
        return key


# --------------------------------------------------------------------------- topic kinds


class Publish(HandlerKind):
    """Collects the event into other topics (in the caller's thread)."""

    name = "publish"
    options = {"topics": STRINGS}
    go_config = "*alert.PublishHandlerConfig"

    def check(self, options, script=False):
        if options.get("topics"):
            return []
        return [OptionProblem("topics", "options: publish needs 'topics', a list of topics", "topics: [other-topic]")]

    def build(self, service, handler_id, options, label, problem):
        return PublishHandler(handler_id, options.get("topics", []),
                              lambda topic, event: service.collect(topic, event, event.previous_level))


class Aggregate(HandlerKind):
    """Collects the events of an interval (of event time) into one, published to `topic`."""

    name = "aggregate"
    options = {"id": STRING, "interval": DURATION, "topic": STRING, "message": STRING}
    defaults = {"message": "Received {{ .Count }} events in the last {{.Interval}}."}
    go_config = "*alert.AggregateHandlerConfig"

    def check(self, options, script=False):
        problems = []
        if options.get("interval", 0) <= 0:
            problems.append(OptionProblem("interval", "options: aggregate needs a positive 'interval'", "interval: 1m"))
        if not options.get("topic"):
            problems.append(OptionProblem("topic", "options: aggregate needs 'topic', where it publishes the "
                                                   "aggregated event", "topic: aggregated"))
        message_problem = check_aggregate_message(options.get("message", ""))
        if message_problem:
            problems.append(OptionProblem("message", f"options: message: {message_problem}",
                                          "the data are {{ .Count }} and {{ .Interval }}"))
        return problems

    def build(self, service, handler_id, options, label, problem):
        return AggregateHandler(handler_id, options["interval"], options["topic"], options.get("id", ""),
                                options.get("message", ""), service.collect)


# --------------------------------------------------------------------------- external services


class ExternalKind(HandlerKind):
    """An external service: what its handler would send goes to the capture sink."""

    def __init__(self, name: str, options: dict[str, str], alert_property: str, script_args: tuple[str, ...] = (),
                 script_properties: dict[str, tuple[str, str]] | None = None):
        self.name = name
        self.options = options
        self.go_config = f"*{name}.HandlerConfig"
        self.alert_property = alert_property
        self.script_args = script_args
        self.script_properties = script_properties or {}

    def check(self, options, script=False):
        # Kapacitor's constructor for the service parses the option templates: one that does not
        # parse refuses the handler (define-topic-handler fails, the task does not start).
        return [OptionProblem(key, f"{self.name}: {message}", TEMPLATE_HINT, kapacitor_message=message)
                for key, message in option_problems(self.name, options)]

    def build(self, service, handler_id, options, label, problem):
        # An external service has no target of its own: the label names the kind once.
        stats = HandlerStats(label.replace(" {target}", ""), self.name, self.name)
        return CaptureHandler(self.name, handler_id, options, service.capture_sink(), stats)


class Alerta(ExternalKind):
    def options_from_script(self, args, properties):
        options = super().options_from_script(args, properties)
        # Kapacitor's alert node keeps the handler's defaults for empty properties.
        return {name: value for name, value in options.items() if value not in ("", 0, [], {})}


class Kafka(ExternalKind):
    def setup_problems(self, options, config):
        if options.get("cluster", "") in config.kafka_clusters():
            return []
        known = ", ".join(config.kafka_clusters()) or "none"
        return [OptionProblem("cluster", f"kafka: unknown cluster {go_quote(options.get('cluster', ''))}",
                              f"the clusters Kapacitor would know: {known} (a [[kafka]] section with that id in "
                              "--config adds one)")]

    def build(self, service, handler_id, options, label, problem):
        self.refuse_setup_problems(options, service.config, problem)
        return super().build(service, handler_id, options, label, problem)


_EXTERNAL_KINDS = (
    Alerta("alerta", {"token": STRING, "token-prefix": STRING, "resource": STRING, "event": STRING,
                      "environment": STRING, "group": STRING, "value": STRING, "origin": STRING,
                      "service": STRINGS, "correlate": STRINGS, "attributes": ANY_MAP, "timeout": DURATION},
           "alerta", script_properties={"services": ("service", "values"), "correlated": ("correlate", "values"),
                                        "attribute": ("attributes", "map")}),
    ExternalKind("bigpanda", {"app-key": STRING, "url": STRING, "host": STRING, "primary-property": STRING,
                              "secondary-property": STRING, "attributes": ANY_MAP},
                 "bigPanda", script_properties={"attribute": ("attributes", "map")}),
    ExternalKind("discord", {"workspace": STRING, "username": STRING, "avatar-url": STRING, "embed-title": STRING},
                 "discord", script_properties={"avatarURL": ("avatar-url", "value")}),
    ExternalKind("hipchat", {"room": STRING, "token": STRING}, "hipChat"),
    Kafka("kafka", {"cluster": STRING, "topic": STRING, "template": STRING, "disablePartitionById": BOOL,
                    "partitionAlgorithm": STRING},
          "kafka", script_properties={"kafkaTopic": ("topic", "value"),
                                      "disablePartitionById": ("disablePartitionById", "flag"),
                                      "partitionHashAlgorithm": ("partitionAlgorithm", "value")}),
    ExternalKind("mqtt", {"broker-name": STRING, "topic": STRING, "qos": QOS, "retained": BOOL,
                          "topic-template": STRING}, "mqtt", script_args=("topic",)),
    ExternalKind("opsgenie", {"teams-list": STRINGS, "recipients-list": STRINGS},
                 "opsGenie", script_properties={"teams": ("teams-list", "values"),
                                                "recipients": ("recipients-list", "values")}),
    ExternalKind("opsgenie2", {"teams-list": STRINGS, "recipients-list": STRINGS, "recovery_action": STRING},
                 "opsGenie2", script_properties={"teams": ("teams-list", "values"),
                                                 "recipients": ("recipients-list", "values"),
                                                 "recoveryAction": ("recovery_action", "value")}),
    ExternalKind("pagerduty", {"service-key": STRING}, "pagerDuty"),
    ExternalKind("pagerduty2", {"routing-key": STRING, "links": LINKS},
                 "pagerDuty2", script_properties={"link": ("links", "link")}),
    ExternalKind("pushover", {"device": STRING, "title": STRING, "url": STRING, "url-title": STRING,
                              "sound": STRING, "user-key": STRING},
                 "pushover", script_properties={"uRL": ("url", "value"), "uRLTitle": ("url-title", "value")}),
    ExternalKind("sensu", {"source": STRING, "handlers": STRINGS, "metadata": ANY_MAP},
                 "sensu", script_properties={"handlers": ("handlers", "values"), "metadata": ("metadata", "map")}),
    # Fields without a mapstructure tag are matched by their Go field name.
    ExternalKind("servicenow", {"url": STRING, "username": STRING, "password": STRING, "source": STRING,
                                "node": STRING, "type": STRING, "resource": STRING, "metricname": STRING,
                                "messagekey": STRING, "additional_info": ANY_MAP},
                 "serviceNow", script_properties={"uRL": ("url", "value"), "additionalInfo": ("additional_info", "map"),
                                                  "metricName": ("metricname", "value"),
                                                  "messageKey": ("messagekey", "value")}),
    ExternalKind("slack", {"workspace": STRING, "channel": STRING, "username": STRING, "icon-emoji": STRING}, "slack"),
    ExternalKind("smtp", {"to": STRINGS, "to-field": STRINGS},
                 "email", script_args=("*to",), script_properties={"to": ("to", "list"),
                                                                    "toTemplates": ("to-field", "list")}),
    ExternalKind("snmptrap", {"trap-oid": STRING, "data-list": SNMP_DATA},
                 "snmpTrap", script_args=("trap-oid",), script_properties={"data": ("data-list", "trap-data")}),
    ExternalKind("talk", {}, "talk"),
    ExternalKind("teams", {"channel-url": STRING}, "teams", script_properties={"channelURL": ("channel-url", "value")}),
    ExternalKind("telegram", {"chat-id": STRING, "parse-mode": STRING, "disable-web-page-preview": BOOL,
                              "disable-notification": BOOL},
                 "telegram", script_properties={"disableNotification": ("disable-notification", "flag"),
                                                "disableWebPagePreview": ("disable-web-page-preview", "flag")}),
    ExternalKind("victorops", {"routing-key": STRING}, "victorOps"),
    ExternalKind("zenoss", {"action": STRING, "method": STRING, "type": STRING, "tid": INT, "summary": STRING,
                            "device": STRING, "component": STRING, "eventclasskey": STRING, "eventclass": STRING,
                            "collector": STRING, "message": STRING, "customField": ANY_MAP},
                 "zenoss", script_properties={"customField": ("customField", "map"), "eventClass": ("eventclass", "value"),
                                              "eventClassKey": ("eventclasskey", "value")}),
)

HANDLER_KINDS: dict[str, HandlerKind] = {
    kind.name: kind for kind in (Aggregate(), Publish(), TCP(), Log(), Exec(), Post(), *_EXTERNAL_KINDS)
}
SCRIPT_HANDLER_KINDS: dict[str, HandlerKind] = {
    kind.alert_property: kind for kind in HANDLER_KINDS.values() if kind.alert_property is not None
}


__all__ = ["HANDLER_KINDS", "SCRIPT_HANDLER_KINDS", "ExternalKind", "HandlerKind", "Recorders", "SetupProblem"]

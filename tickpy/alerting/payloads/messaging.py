"""Messages for brokers, push and mail: kafka, mqtt, pushover, smtp.

kafka: the value is the alert JSON, or the handler's `template` (plain text/template over
alert.Data, no json functions; parsed when the handler is built). A template that fails to execute
is logged by Kapacitor, which still writes the message, with an empty value.
mqtt: the topic is a template over the event's TemplateData, parsed when the handler is built.

pushover: the form Kapacitor's pushover service posts (http.PostForm: the body is Go's
url.Values.Encode(), keys sorted, values query-escaped), with the priority taken from the level.

smtp: the mail Kapacitor's smtp service hands to gomail: the recipients (the handler's `to`, then
each `to-field` template rendered over the event's alert.EventData; the [smtp] `to` only when
both give none), the headers gomail writes (values as it encodes them; the Date header is the
sending time and is left out), the body as given and as its quoted-printable text on the wire,
and the SMTP envelope (addresses as net/mail parses them). Kapacitor logs a to-field template
that fails and still sends the mail; those logged errors are listed.
"""

from __future__ import annotations

from functools import cache

from tickpy.alerting.payloads.common import (
    HTTPRequest,
    NotSent,
    OptionTemplateError,
    creation_check,
    execute_template,
    parse_option_template,
)
from tickpy.golang.goformat import go_quote
from tickpy.golang.gohttp import values_encode
from tickpy.golang.gomail import AddressError, parse_address, q_encode, quoted_printable
from tickpy.golang.gotemplate_exec import ExecError
from tickpy.golang.gotemplate_types import BOOL, GV, MAP_STRING_ANY, MAP_STRING_STRING, STRING, GoType, StructField
from tickpy.runtime.alert_data_template import RESULT, alert_data_value, template_data_value


def _kafka_template(options):
    """The handler's template (plain text/template over alert.Data, no extra functions), or None."""
    text = options.get("template", "")
    if not text:
        return None
    try:
        return parse_option_template("template", "kafka alert template", text)
    except OptionTemplateError as err:
        raise OptionTemplateError("template", f"failed to parse template: {err}") from None


def _kafka(options, event, settings):
    template = _kafka_template(options)
    message = {"cluster": options.get("cluster", ""), "topic": options.get("topic", ""), "key": event.id}
    if template is None:
        message["value"] = event.wire.decode("utf-8", "replace") + "\n"
        return message

    try:
        message["value"] = execute_template(template, alert_data_value(event, event.wire))
    except ValueError as err:
        # Kapacitor logs the error and still writes the message, with an empty value.
        message["value"] = ""
        message["errors_logged"] = [f"failed to prepare kafka message body: failed to execute alert template: {err}"]
    return message


def _mqtt_topic(options):
    return parse_option_template("topic", "topic", options.get("topic", ""))


def _mqtt(options, event, settings):
    topic_template = _mqtt_topic(options)

    return {"broker": options.get("broker-name", "") or settings.get("name", ""),
            "topic": execute_template(topic_template, template_data_value(event)),
            "qos": options.get("qos", 0), "retained": options.get("retained", False), "message": event.message}


def _check_required(settings: dict, section: str, required: tuple[tuple[str, str], ...],
                    defaults: dict | None = None) -> None:
    """Kapacitor refuses to start an enabled service without its required settings. No section:
    Kapacitor's defaults are shown as they are."""
    if not settings:
        return
    for key, message in required:
        if not settings.get(key, (defaults or {}).get(key, "")):
            raise NotSent(f"[{section}] in --config is invalid: {message}")


# --- pushover ----------------------------------------------------------------------------------

PUSHOVER_URL = "https://api.pushover.net/1/messages.json"
# Pushover's priorities: -2 no notification, -1 quiet, 0 normal, 1 high (bypasses quiet hours)
_PUSHOVER_PRIORITY = {"OK": -2, "INFO": -1, "WARNING": 0, "CRITICAL": 1}
# handler option -> form field, sent only when not empty
_PUSHOVER_OPTIONAL = (("device", "device"), ("title", "title"), ("url", "url"), ("url-title", "url_title"),
                      ("sound", "sound"))


def _pushover(options, event, settings):
    _check_required(settings, "pushover", (("token", "must specify token"), ("user-key", "must specify user key"),
                                          ("url", "must specify url")), defaults={"url": PUSHOVER_URL})
    form = {"token": settings.get("token", ""), "user": options.get("user-key") or settings.get("user-key", ""),
            "message": event.message, "priority": str(_PUSHOVER_PRIORITY.get(event.level, 0))}
    for option, field in _PUSHOVER_OPTIONAL:
        if options.get(option):
            form[field] = options[option]
    return HTTPRequest(settings.get("url", PUSHOVER_URL), values_encode(form),
                       content_type="application/x-www-form-urlencoded")


# --- smtp --------------------------------------------------------------------------------------


def _smtp(options, event, settings):
    _check_required(settings, "smtp", (("from", "must provide a 'from' address"),))
    logged: list[str] = []
    to = list(options.get("to") or [])
    to += _rendered_recipients(options.get("to-field") or [], event, logged)
    to = to or list(settings.get("to") or [])
    if not to:
        raise NotSent("not sending email, no recipients defined" + "".join(f"; logged: {e}" for e in logged))
    sender = settings.get("from", "")
    subject, body = event.message, event.details
    mail = {"server": f"{settings.get('host', 'localhost')}:{settings.get('port', 25)}",
            "from": sender, "to": to, "subject": subject, "content_type": "text/html", "body": body,
            "headers": {"Mime-Version": "1.0", "From": q_encode(sender),
                        "To": ", ".join(q_encode(address) for address in to),
                        "Subject": q_encode(subject), "Content-Type": "text/html; charset=UTF-8",
                        "Content-Transfer-Encoding": "quoted-printable"},
            "body_quoted_printable": quoted_printable(body)}
    if logged:
        mail["errors_logged"] = logged
    try:
        envelope_from = parse_mail_address(q_encode(sender))
        recipients: list[str] = []
        for address in to:
            parsed = parse_mail_address(q_encode(address))
            if parsed not in recipients:
                recipients.append(parsed)
    except AddressError as err:  # gomail refuses the message before talking to the server
        mail["error"] = f"error sending: gomail: could not send email 1: {err} (nothing would be sent)"
        return mail
    mail["envelope"] = {"mail_from": envelope_from, "rcpt_to": recipients}
    return mail


def _rendered_recipients(templates: list[str], event, logged: list[str]) -> list[str]:
    """Each to-field template over the event's alert.EventData. A template that does not parse
    drops itself and those after it; one that fails to execute keeps what it wrote before failing;
    an empty result adds nobody."""
    if not templates:
        return []

    parsed = []
    for index, text in enumerate(templates):
        try:
            parsed.append(parse_option_template("to-field", str(index), text))
        except OptionTemplateError as err:
            logged.append(f"bad template in email address template: {err}")
            break
    addresses = []
    data = event_data_value(event) if parsed else None
    for template in parsed:
        try:
            text = template.execute(data)
        except ExecError as err:
            logged.append(f"error in email template: {err}")
            text = "".join(template.out)
        if text:
            addresses.append(text)
    return addresses


@cache
def _event_data_type():
    return GoType("alert.EventData", "struct", fields=[
        StructField("Name", STRING), StructField("TaskName", STRING), StructField("Category", STRING),
        StructField("Group", STRING), StructField("Tags", MAP_STRING_STRING), StructField("Fields", MAP_STRING_ANY),
        StructField("Recoverable", BOOL), StructField("Result", RESULT)])


def event_data_value(event):
    """`event.Data` (alert.EventData) as a typed Go value: what smtp's to-field templates see."""
    # the same tag, field and result values TemplateData and alert.Data templates see
    template_data = template_data_value(event).v
    tags, fields = template_data[9], GV(MAP_STRING_ANY, template_data[10].v)
    result = alert_data_value(event, event.wire).v[6]
    return GV(_event_data_type(), [GV(STRING, event.name), GV(STRING, event.task_name), GV(STRING, event.category),
                                   GV(STRING, event.group), tags, fields, GV(BOOL, event.recoverable), result])


def parse_mail_address(text: str) -> str:
    """The addr-spec of one address, as gomail takes it from net/mail.ParseAddress; AddressError
    with gomail's text."""
    try:
        return parse_address(text)
    except AddressError as err:
        raise AddressError(f"gomail: invalid address {go_quote(text)}: {err}") from None


BUILDERS = {
    "kafka": _kafka,
    "mqtt": _mqtt,
    "pushover": _pushover,
    "smtp": _smtp,
}

# The kinds whose Kapacitor handler constructor refuses options (a template that does not parse).
# smtp is not one: Kapacitor logs a to-field template that does not parse and builds the handler.
CHECKS = {
    "kafka": creation_check(_kafka_template),
    "mqtt": creation_check(_mqtt_topic),
}

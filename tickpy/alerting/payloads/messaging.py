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
from urllib.parse import quote_plus

from tickpy.alerting.payloads.common import (HTTPRequest, NotSent, OptionTemplateError, creation_check,
                                             execute_template, parse_option_template)
from tickpy.golang.goformat import go_quote


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
    from tickpy.runtime.alert_data_template import alert_data_value

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
    from tickpy.runtime.alert_data_template import template_data_value

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


def go_form_encode(values: dict[str, str]) -> str:
    """Go's url.Values.Encode() of single values: sorted keys, QueryEscape (space as '+')."""
    return "&".join(f"{quote_plus(_utf8(key), safe='')}={quote_plus(_utf8(values[key]), safe='')}"
                    for key in sorted(values, key=lambda k: k.encode("utf-8", "surrogateescape")))


def _pushover(options, event, settings):
    _check_required(settings, "pushover", (("token", "must specify token"), ("user-key", "must specify user key"),
                                          ("url", "must specify url")), defaults={"url": PUSHOVER_URL})
    form = {"token": settings.get("token", ""), "user": options.get("user-key") or settings.get("user-key", ""),
            "message": event.message, "priority": str(_PUSHOVER_PRIORITY.get(event.level, 0))}
    for option, field in _PUSHOVER_OPTIONAL:
        if options.get(option):
            form[field] = options[option]
    return HTTPRequest(settings.get("url", PUSHOVER_URL), go_form_encode(form),
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
            "headers": {"Mime-Version": "1.0", "From": mime_q_encode(sender),
                        "To": ", ".join(mime_q_encode(address) for address in to),
                        "Subject": mime_q_encode(subject), "Content-Type": "text/html; charset=UTF-8",
                        "Content-Transfer-Encoding": "quoted-printable"},
            "body_quoted_printable": quoted_printable(body)}
    if logged:
        mail["errors_logged"] = logged
    try:
        envelope_from = parse_mail_address(mime_q_encode(sender))
        recipients: list[str] = []
        for address in to:
            parsed = parse_mail_address(mime_q_encode(address))
            if parsed not in recipients:
                recipients.append(parsed)
    except _AddressError as err:  # gomail refuses the message before talking to the server
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
    from tickpy.golang.gotemplate_exec import ExecError

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
    from tickpy.runtime.alert_data_template import RESULT
    from tickpy.golang.gotemplate_types import BOOL, MAP_STRING_ANY, MAP_STRING_STRING, STRING, GoType, StructField

    return GoType("alert.EventData", "struct", fields=[
        StructField("Name", STRING), StructField("TaskName", STRING), StructField("Category", STRING),
        StructField("Group", STRING), StructField("Tags", MAP_STRING_STRING), StructField("Fields", MAP_STRING_ANY),
        StructField("Recoverable", BOOL), StructField("Result", RESULT)])


def event_data_value(event):
    """`event.Data` (alert.EventData) as a typed Go value: what smtp's to-field templates see."""
    from tickpy.runtime.alert_data_template import alert_data_value, template_data_value
    from tickpy.golang.gotemplate_types import BOOL, GV, MAP_STRING_ANY, STRING

    # the same tag, field and result values TemplateData and alert.Data templates see
    template_data = template_data_value(event).v
    tags, fields = template_data[9], GV(MAP_STRING_ANY, template_data[10].v)
    result = alert_data_value(event, event.wire).v[6]
    return GV(_event_data_type(), [GV(STRING, event.name), GV(STRING, event.task_name), GV(STRING, event.category),
                                   GV(STRING, event.group), tags, fields, GV(BOOL, event.recoverable), result])


# --- mail encodings (Go's mime and mime/quotedprintable, as gomail uses them) -------------------

_HEX = "0123456789ABCDEF"
_Q_WORD_CONTENT = 75 - len("=?UTF-8?q?") - len("?=")  # RFC 2047 limit on one encoded-word


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def mime_q_encode(text: str) -> str:
    """mime.QEncoding.Encode("UTF-8", text): unchanged unless it has a control or non-ASCII
    character; then RFC 2047 encoded-words, split so none exceeds 75 bytes or cuts a character."""
    data = _utf8(text)
    if all(32 <= b <= 126 or b == 9 for b in data):
        return text
    words, current, length = [], [], 0
    i = 0
    while i < len(data):
        b = data[i]
        if 32 <= b <= 126 and b not in b"=?_":
            size, encoded_length = 1, 1
        else:
            size = _utf8_sequence_length(data, i)
            encoded_length = 3 * size
        if length + encoded_length > _Q_WORD_CONTENT:
            words.append("".join(current))
            current, length = [], 0
        for c in data[i:i + size]:
            if c == 32:
                current.append("_")
            elif 33 <= c <= 126 and c not in b"=?_":
                current.append(chr(c))
            else:
                current.append(f"={_HEX[c >> 4]}{_HEX[c & 15]}")
        length += encoded_length
        i += size
    words.append("".join(current))
    return " ".join(f"=?UTF-8?q?{word}?=" for word in words)


def _utf8_sequence_length(data: bytes, i: int) -> int:
    """Bytes of the UTF-8 character at i, as utf8.DecodeRune counts them (1 for an invalid byte)."""
    lead = data[i]
    size = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 1
    try:
        data[i:i + size].decode("utf-8")
    except UnicodeDecodeError:
        return 1
    return size


def quoted_printable(text: str) -> str:
    """mime/quotedprintable.Writer in text mode: lines end in CRLF, '=' and non-ASCII bytes as =XX,
    a space or tab before a line end encoded, soft line breaks keep lines within 76 characters."""
    out: list[str] = []
    line: list[str] = []  # the current line's characters, as the writer buffers them
    after_cr = False

    def flush_with(ending: str):
        out.append("".join(line) + ending)
        line.clear()

    def encode(b: int):
        if 76 - 1 - len(line) < 3:
            flush_with("=\r\n")
        line.extend(f"={_HEX[b >> 4]}{_HEX[b & 15]}")

    def encode_trailing_space():
        if line and line[-1] in " \t":
            encode(ord(line.pop()))

    for b in _utf8(text):
        if (33 <= b <= 126 and b != 61) or b in (32, 9):
            if len(line) == 76 - 1:
                flush_with("=\r\n")
            line.append(chr(b))
            after_cr = False
        elif b in (10, 13):
            if after_cr and b == 10:
                after_cr = False
                continue
            after_cr = b == 13
            encode_trailing_space()
            flush_with("\r\n")
        else:
            encode(b)
    encode_trailing_space()
    out.append("".join(line))
    return "".join(out)


# --- net/mail.ParseAddress, as gomail checks each address ----------------------------------------


class _AddressError(ValueError):
    pass


_ATEXT_SPECIALS = set("!#$%&'*+-/=?^_`{|}~")


def _is_atext(c: str, dot: bool, permissive: bool) -> bool:
    if c == ".":
        return dot
    if c in "()<>[]:;@\\,\"":
        return permissive and c not in '<>:"'
    if c.isascii():
        return c.isalnum() or c in _ATEXT_SPECIALS
    return True  # any non-ASCII rune is atext (RFC 6532)


class _AddressParser:
    def __init__(self, text: str):
        self.s = text

    def skip_space(self):
        self.s = self.s.lstrip(" \t")

    def consume(self, c: str) -> bool:
        if self.s.startswith(c):
            self.s = self.s[1:]
            return True
        return False

    def atom(self, dot: bool, permissive: bool) -> str:
        i = 0
        while i < len(self.s) and _is_atext(self.s[i], dot, permissive):
            if "\udc80" <= self.s[i] <= "\udcff":
                raise _AddressError(f"mail: invalid utf-8 in address: {go_quote(self.s)}")
            i += 1
        if i == 0:
            raise _AddressError("mail: invalid string")
        atom, self.s = self.s[:i], self.s[i:]
        if not permissive:
            if atom.startswith("."):
                raise _AddressError("mail: leading dot in atom")
            if ".." in atom:
                raise _AddressError("mail: double dot in atom")
            if atom.endswith("."):
                raise _AddressError("mail: trailing dot in atom")
        return atom

    def quoted_string(self) -> str:
        i, chars, escaped = 1, [], False
        while True:
            if i >= len(self.s):
                raise _AddressError("mail: unclosed quoted-string")
            c = self.s[i]
            if "\udc80" <= c <= "\udcff":
                raise _AddressError(f"mail: invalid utf-8 in quoted-string: {go_quote(self.s)}")
            visible = "!" <= c <= "~" or ord(c) >= 0x80
            if escaped:
                if not visible and c not in " \t":
                    raise _AddressError(f"mail: bad character in quoted-string: {_go_rune_quote(c)}")
                chars.append(c)
                escaped = False
            elif c == '"':
                break
            elif c == "\\":
                escaped = True
            elif visible or c in " \t":
                chars.append(c)
            else:
                raise _AddressError(f"mail: bad character in quoted-string: {_go_rune_quote(c)}")
            i += 1
        self.s = self.s[i + 1:]
        return "".join(chars)

    def addr_spec(self) -> str:
        saved = self.s
        try:
            self.skip_space()
            if not self.s:
                raise _AddressError("mail: no addr-spec")
            if self.s.startswith('"'):
                local = self.quoted_string()
                if not local:
                    raise _AddressError("mail: empty quoted string in addr-spec")
            else:
                local = self.atom(True, False)
            if not self.consume("@"):
                raise _AddressError("mail: missing @ in addr-spec")
            self.skip_space()
            if not self.s:
                raise _AddressError("mail: no domain in addr-spec")
            if self.s.startswith("["):
                end = self.s.find("]")
                if end < 0:
                    raise _AddressError("mail: unclosed domain-literal")
                domain, self.s = self.s[:end + 1], self.s[end + 1:]
            else:
                domain = self.atom(True, False)
            return f"{local}@{domain}"
        except _AddressError:
            self.s = saved
            raise

    def phrase(self) -> str:
        words = []
        while True:
            self.skip_space()
            if not self.s:
                break
            try:
                words.append(self.quoted_string() if self.s.startswith('"') else self.atom(True, True))
            except _AddressError as err:
                if not words:
                    raise _AddressError(f"mail: missing word in phrase: {err}") from None
                break
        return " ".join(words)

    def single_address(self) -> str:
        self.skip_space()
        if not self.s:
            raise _AddressError("mail: no address")
        try:
            spec = self.addr_spec()
        except _AddressError:
            spec = None
        if spec is None:
            name = "" if self.s.startswith("<") else self.phrase()
            self.skip_space()
            if not self.consume("<"):
                if all(_is_atext(c, True, False) for c in name):
                    raise _AddressError("mail: missing '@' or angle-addr")
                raise _AddressError("mail: no angle-addr")
            spec = self.addr_spec()
            if not self.consume(">"):
                raise _AddressError("mail: unclosed angle-addr")
        self.skip_space()
        if self.s:
            raise _AddressError(f"mail: expected single address, got {go_quote(self.s)}")
        return spec


def _go_rune_quote(c: str) -> str:
    """strconv.QuoteRune (Go's %q of a rune)."""
    inner = {"'": "\\'", '"': '"'}.get(c) or go_quote(c)[1:-1]
    return f"'{inner}'"


def parse_mail_address(text: str) -> str:
    """The addr-spec of one address, as gomail takes it from net/mail.ParseAddress (display names,
    quoted strings and domain literals; not comments or groups). _AddressError with gomail's text."""
    try:
        return _AddressParser(text).single_address()
    except _AddressError as err:
        raise _AddressError(f"gomail: invalid address {go_quote(text)}: {err}") from None


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

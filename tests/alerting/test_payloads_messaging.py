"""What the pushover and smtp handlers would send, checked against Kapacitor's services
(server_test.go TestServer_AlertHandlers, streamer_test.go TestStream_AlertPushover and
TestStream_AlertEmail) and the Go encoders they use (url.Values.Encode, gomail's headers,
mime's Q encoding, mime/quotedprintable)."""

from __future__ import annotations

from urllib.parse import parse_qs

from tests.alerting.capturing import STREAMER_HEAD, YEAR_1971, captured, run_capturing, service_for, write
from tests.alerting.events import SECOND, make_event, server_test_event
from tickpy.alerting.payloads import service_request
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.alert_wire import alert_data_json

FORM = "application/x-www-form-urlencoded"
STREAM_MESSAGE = "kapacitor/cpu/serverA is CRITICAL @1971-01-01 00:00:10 +0000 UTC"
STREAM_DETAILS_HTML = ('\n<b>kapacitor.cpu.serverA is CRITICAL</b>\n\nValue: 10\n'
                       '<a href="http://graphs.example.com/host/serverA">Details</a>\n')
# The body Kapacitor's smtptest server read for those details: quoted-printable ('=' as =3D)
STREAM_EXPECTED_BODY = ('\n<b>kapacitor.cpu.serverA is CRITICAL</b>\n\nValue: 10\n'
                        '<a href=3D"http://graphs.example.com/host/serverA">Details</a>\n')
SMTP_HEADERS = {"Mime-Version": "1.0", "Content-Type": "text/html; charset=UTF-8",
                "Content-Transfer-Encoding": "quoted-printable"}


def stream_event(message=STREAM_MESSAGE, details="", tags=None, fields=None, level="CRITICAL"):
    """The alert of the streamer tests: a count of 10 for host serverA at 1971-01-01T00:00:10Z."""
    tags = {"host": "serverA"} if tags is None else tags
    fields = {"count": 10} if fields is None else fields
    time_ns = (YEAR_1971 + 10) * SECOND
    event = AlertEvent(
        id="serverA", message=message, details=details, time_ns=time_ns, duration_ns=0, level=level,
        previous_level="OK", name="cpu", task_name="TestStream_Alert",
        group=",".join(f"{k}={v}" for k, v in sorted(tags.items())), tags=tags, fields=fields, recoverable=True,
        result={"series": [{"name": "cpu", "tags": dict(tags), "columns": ["time", *fields],
                            "values": [[time_ns, *fields.values()]]}]})
    event.wire = alert_data_json(event)
    return event


def request(kind, options, event, settings):
    return service_request(kind, options, event, None, settings)


def form(body: str) -> dict[str, str]:
    """The form as Kapacitor's pushovertest server decodes it (url.ParseQuery)."""
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True, strict_parsing=True).items()}


def received_body(quoted_printable: str) -> str:
    """The body text smtptest reads back: SMTP DATA ends a last line without newline with CRLF,
    and textproto's dot reader turns CRLF into LF."""
    data = quoted_printable if quoted_printable.endswith("\n") else quoted_printable + "\r\n"
    return data.replace("\r\n", "\n")


PUSHOVER_CONFIG = {"enabled": True, "url": "http://pushover.test", "token": "api_key", "user-key": "user"}
SMTP_CONFIG = {"enabled": True, "host": "smtp.test", "port": 2525, "from": "test@example.com"}


# --- pushover ----------------------------------------------------------------------------------


def test_pushover_server_test_case():
    sent = request("pushover", {}, server_test_event(), PUSHOVER_CONFIG)
    assert (sent["method"], sent["url"], sent["content_type"]) == ("POST", "http://pushover.test", FORM)
    assert form(sent["body"]) == {"token": "api_key", "user": "user", "message": "message", "priority": "1"}
    # url.Values.Encode: keys in byte order, empty optional fields left out
    assert sent["body"] == "message=message&priority=1&token=api_key&user=user"


def test_pushover_streamer_case_with_every_option():
    options = {"sound": "siren", "device": "mydev", "title": "mytitle", "url": "http://example.com",
               "url-title": "myurltitle"}
    config = dict(PUSHOVER_CONFIG, token="KzGDORePKggMaC0QOYAMyEEuzJnyUi")
    sent = request("pushover", options, stream_event(), config)
    assert form(sent["body"]) == {"token": "KzGDORePKggMaC0QOYAMyEEuzJnyUi", "user": "user",
                                  "message": STREAM_MESSAGE, "device": "mydev", "sound": "siren",
                                  "title": "mytitle", "url": "http://example.com", "url_title": "myurltitle",
                                  "priority": "1"}
    other = request("pushover", {"title": "othertitle", "device": "otherdev"}, stream_event(), config)
    assert form(other["body"]) == {"token": "KzGDORePKggMaC0QOYAMyEEuzJnyUi", "user": "user",
                                   "message": STREAM_MESSAGE, "device": "otherdev", "title": "othertitle",
                                   "priority": "1"}


def test_pushover_body_is_query_escaped_as_go_does():
    options = {"title": "a b&c=d/é~*", "url": "http://e.example/?q=1+2", "url-title": "x_y.z-w"}
    sent = request("pushover", options, server_test_event(), PUSHOVER_CONFIG)
    # QueryEscape: space as '+', only A-Z a-z 0-9 - _ . ~ kept, UTF-8 bytes as upper-case %XX
    assert sent["body"] == ("message=message&priority=1&title=a+b%26c%3Dd%2F%C3%A9~%2A&token=api_key"
                            "&url=http%3A%2F%2Fe.example%2F%3Fq%3D1%2B2&url_title=x_y.z-w&user=user")


def test_pushover_priority_follows_the_level():
    priorities = {level: form(request("pushover", {}, server_test_event(level), PUSHOVER_CONFIG)["body"])["priority"]
                  for level in ("OK", "INFO", "WARNING", "CRITICAL")}
    assert priorities == {"OK": "-2", "INFO": "-1", "WARNING": "0", "CRITICAL": "1"}


def test_pushover_user_key_option_overrides_the_config_and_url_defaults():
    sent = request("pushover", {"user-key": "group-key"}, server_test_event(),
                   {"enabled": True, "token": "t", "user-key": "user"})
    assert sent["url"] == "https://api.pushover.net/1/messages.json"  # [pushover] without url: the default
    assert form(sent["body"])["user"] == "group-key"
    defaults = request("pushover", {}, server_test_event(), {})
    assert defaults["url"] == "https://api.pushover.net/1/messages.json"
    assert defaults["body"] == "message=message&priority=1&token=&user="  # required fields go even when empty


def test_pushover_section_must_enable_the_service_and_be_valid():
    disabled = request("pushover", {}, server_test_event(), {"token": "t", "user-key": "u"})
    assert "service is not enabled" in disabled["error"] and "nothing would be sent" in disabled["error"]
    no_token = request("pushover", {}, server_test_event(), {"enabled": True, "user-key": "u"})
    assert "must specify token" in no_token["error"]
    no_url = request("pushover", {}, server_test_event(), {"enabled": True, "token": "t", "user-key": "u", "url": ""})
    assert "must specify url" in no_url["error"]


# --- smtp --------------------------------------------------------------------------------------


def test_smtp_server_test_case():
    mail = request("smtp", {"to": ["oncall@example.com", "backup@example.com"]}, server_test_event(), SMTP_CONFIG)
    assert mail["headers"] == {**SMTP_HEADERS, "To": "oncall@example.com, backup@example.com",
                               "From": "test@example.com", "Subject": "message"}
    assert received_body(mail["body_quoted_printable"]) == "details\n"
    assert (mail["from"], mail["to"], mail["subject"], mail["body"]) == (
        "test@example.com", ["oncall@example.com", "backup@example.com"], "message", "details")
    assert mail["content_type"] == "text/html" and mail["server"] == "smtp.test:2525"
    assert mail["envelope"] == {"mail_from": "test@example.com", "rcpt_to": ["oncall@example.com", "backup@example.com"]}
    assert "error" not in mail and "errors_logged" not in mail


def test_smtp_streamer_cases_with_to_field_templates():
    event = stream_event(message="kapacitor.cpu.serverA is CRITICAL", details=STREAM_DETAILS_HTML,
                         tags={"host": "serverA", "tagemail": "bob2@example.com"},
                         fields={"count": 10, "extraemail": "bob@example.com"})
    to = ["user1@example.com", "user2@example.com"]
    cases = {"": "user1@example.com, user2@example.com",
             '{{ index .Fields "extraemail" }}': "user1@example.com, user2@example.com, bob@example.com",
             '{{ index .Tags "tagemail" }}': "user1@example.com, user2@example.com, bob2@example.com"}
    for template, expected_to in cases.items():
        options = {"to": to, "to-field": [template]} if template else {"to": to}
        mail = request("smtp", options, event, SMTP_CONFIG)
        assert mail["headers"] == {**SMTP_HEADERS, "To": expected_to, "From": "test@example.com",
                                   "Subject": "kapacitor.cpu.serverA is CRITICAL"}
        assert received_body(mail["body_quoted_printable"]) == STREAM_EXPECTED_BODY
        assert mail["body"] == STREAM_DETAILS_HTML


def test_smtp_to_field_templates_see_the_event_data():
    event = make_event(name="cpu", task="task", tags={"host": "a"})
    event.category = "ops"
    template = "{{ .Name }}.{{ .TaskName }}.{{ .Category }}.{{ .Recoverable }}.{{ .Tags.host }}@x.example"
    mail = request("smtp", {"to-field": [template, "{{ (index .Result.Series 0).Name }}@x.example"]}, event,
                   SMTP_CONFIG)
    assert mail["to"] == ["cpu.task.ops.true.a@x.example", "cpu@x.example"]
    # alert.EventData has no ID (that is alert.Data's and TemplateData's); Kapacitor logs it and
    # sends to the others. Templates are named by their index.
    mail = request("smtp", {"to": ["a@x.example"], "to-field": ["b@x.example", "{{ .ID }}@x.example"]}, event,
                   SMTP_CONFIG)
    assert mail["to"] == ["a@x.example", "b@x.example"]
    assert mail["errors_logged"] == ['error in email template: template: 1:1:3: executing "1" at <.ID>: '
                                     "can't evaluate field ID in type alert.EventData"]
    assert mail["envelope"]["rcpt_to"] == ["a@x.example", "b@x.example"]


def test_smtp_failed_templates_keep_what_kapacitor_keeps():
    event = make_event()
    # executing stops at the error; what was written before it is still an address
    partial = request("smtp", {"to-field": ["first@x.example{{ .Nope }}tail"]}, event, SMTP_CONFIG)
    assert partial["to"] == ["first@x.example"] and "can't evaluate field Nope" in partial["errors_logged"][0]
    # a template that does not parse drops itself and the templates after it
    bad = request("smtp", {"to-field": ["one@x.example", "{{ .Bad ", "three@x.example"]}, event, SMTP_CONFIG)
    assert bad["to"] == ["one@x.example"]
    assert bad["errors_logged"][0].startswith("bad template in email address template: template: 1:")
    # an empty result adds nobody, so the [smtp] `to` is used
    empty = request("smtp", {"to-field": ["{{ if false }}x@x.example{{ end }}"]}, event,
                    dict(SMTP_CONFIG, to=["fallback@x.example"]))
    assert empty["to"] == ["fallback@x.example"] and "errors_logged" not in empty


def test_smtp_config_to_only_without_handler_recipients():
    config = dict(SMTP_CONFIG, to=["fallback@x.example"])
    assert request("smtp", {}, make_event(), config)["to"] == ["fallback@x.example"]
    assert request("smtp", {"to": ["a@x.example"]}, make_event(), config)["to"] == ["a@x.example"]
    none = request("smtp", {}, make_event(), SMTP_CONFIG)
    assert none == {"error": "not sending email, no recipients defined (nothing would be sent)"}


def test_smtp_missing_tag_renders_no_value_which_gomail_refuses():
    mail = request("smtp", {"to-field": ["{{ .Tags.email }}"]}, make_event(), SMTP_CONFIG)
    assert mail["to"] == ["<no value>"]
    assert mail["error"] == ('error sending: gomail: could not send email 1: gomail: invalid address '
                             '"<no value>": mail: missing @ in addr-spec (nothing would be sent)')
    assert "envelope" not in mail


def test_smtp_envelope_takes_the_addresses_out_of_display_names_once():
    config = dict(SMTP_CONFIG, **{"from": "Kapacitor <k@x.example>"})
    to = ["Bob <bob@x.example>", "bob@x.example", '"Ops, Team" <ops@x.example>']
    mail = request("smtp", {"to": to}, make_event(), config)
    assert mail["headers"]["To"] == 'Bob <bob@x.example>, bob@x.example, "Ops, Team" <ops@x.example>'
    assert mail["envelope"] == {"mail_from": "k@x.example", "rcpt_to": ["bob@x.example", "ops@x.example"]}
    for address, reason in [("bob", "missing '@' or angle-addr"), ("Full Name", "no angle-addr"),
                            ("a@b c", 'expected single address, got "c"'), ("a..b@x.example", "no angle-addr")]:
        refused = request("smtp", {"to": [address]}, make_event(), SMTP_CONFIG)
        assert refused["error"].endswith(f'invalid address "{address}": mail: {reason} (nothing would be sent)')


def test_smtp_without_from_sends_nothing():
    no_section = request("smtp", {"to": ["a@x.example"]}, make_event(), {})
    assert no_section["from"] == "" and no_section["to"] == ["a@x.example"]
    assert no_section["error"].endswith('invalid address "": mail: no address (nothing would be sent)')
    enabled = request("smtp", {"to": ["a@x.example"]}, make_event(), {"enabled": True})
    assert "must provide a 'from' address" in enabled["error"]
    disabled = request("smtp", {"to": ["a@x.example"]}, make_event(), {"from": "k@x.example"})
    assert "service is not enabled" in disabled["error"]


def test_smtp_headers_are_q_encoded_when_not_plain_ascii():
    plain = request("smtp", {"to": ["a@x.example"]}, make_event(message="a=b? c_d"), SMTP_CONFIG)
    assert plain["headers"]["Subject"] == "a=b? c_d"  # printable ASCII stays as it is
    accented = request("smtp", {"to": ["a@x.example"]}, make_event(message="Température élevée"), SMTP_CONFIG)
    assert accented["headers"]["Subject"] == "=?UTF-8?q?Temp=C3=A9rature_=C3=A9lev=C3=A9e?="
    assert accented["subject"] == "Température élevée"
    # encoded-words are at most 75 bytes: 10 two-byte characters (60 bytes of =XX) each
    long = request("smtp", {"to": ["a@x.example"]}, make_event(message="é" * 22), SMTP_CONFIG)
    word = "=C3=A9"
    assert long["headers"]["Subject"] == (f"=?UTF-8?q?{word * 10}?= =?UTF-8?q?{word * 10}?= "
                                          f"=?UTF-8?q?{word * 2}?=")


def test_smtp_body_is_quoted_printable_as_go_writes_it():
    def body_of(details):
        event = make_event()
        event.details = details
        return request("smtp", {"to": ["a@x.example"]}, event, SMTP_CONFIG)["body_quoted_printable"]

    # '=' and tab/space before a line end are encoded; LF and CRLF both become CRLF
    assert body_of("a=b \nc\t\r\nd") == "a=3Db=20\r\nc=09\r\nd"
    assert body_of("end ") == "end=20"
    # soft line breaks keep lines within 76 characters, never inside =XX
    assert body_of("x" * 100) == "x" * 75 + "=\r\n" + "x" * 25
    assert body_of("x" * 74 + "=") == "x" * 74 + "=\r\n=3D"
    assert body_of("é") == "=C3=A9"


# --- through the alert service and the CLI -----------------------------------------------------


def test_capture_through_handler_files(tmp_path):
    capture = tmp_path / "capture.jsonl"
    config = write(tmp_path, "kapacitor.conf",
                   '[pushover]\nenabled = true\ntoken = "tok"\nuser-key = "user"\n'
                   '[smtp]\nenabled = true\nfrom = "kapacitor@x.example"\nto = ["fallback@x.example"]\n')
    files = [write(tmp_path, "push.yaml", "id: push\ntopic: cpu\nkind: pushover\noptions:\n"
                                          "  user-key: group\n  sound: siren\n  url-title: graphs\n"),
             write(tmp_path, "mail.yaml", "id: mail\ntopic: cpu\nkind: smtp\noptions:\n"
                                          "  to-field: ['{{ .Tags.host }}-owner@x.example']\n")]
    service = service_for(tmp_path, *files, capture=str(capture), config=str(config))
    service.handle(make_event(topic="cpu", level="WARNING", message="cpu is high"), [])
    service.close()
    records = {r["kind"]: r["request"] for r in captured(capture)}
    push = records["pushover"]
    assert push["url"] == "https://api.pushover.net/1/messages.json" and push["content_type"] == FORM
    assert form(push["body"]) == {"token": "tok", "user": "group", "message": "cpu is high", "priority": "0",
                                  "sound": "siren", "url_title": "graphs"}
    mail = records["smtp"]
    assert mail["to"] == ["a-owner@x.example"] and mail["headers"]["From"] == "kapacitor@x.example"
    assert mail["envelope"] == {"mail_from": "kapacitor@x.example", "rcpt_to": ["a-owner@x.example"]}


STREAMER_SCRIPT = STREAMER_HEAD + """    |default()
        .field('extraemail', 'bob@example.com')
        .tag('tagemail', 'bob2@example.com')
    |alert()
        .id('kapacitor.{{ .Name }}.{{ index .Tags "host" }}')
        .details('''
<b>{{.Message}}</b>

Value: {{ index .Fields "count" }}
<a href="http://graphs.example.com/host/{{index .Tags "host"}}">Details</a>
''')
        .info(lambda: "count" > 6.0)
        .warn(lambda: "count" > 7.0)
        .crit(lambda: "count" > 8.0)
        .email('user1@example.com')
            .to('user2@example.com')
            .toTemplates('{{ index .Fields "extraemail" }}', '{{ index .Tags "tagemail" }}')
        .pushover()
            .userKey('group')
            .sound('siren')
            .device('mydev')
            .title('mytitle')
            .URL('http://example.com')
            .URLTitle('myurltitle')
"""


def test_capture_through_a_script_maps_handler_properties(tmp_path):
    points = "".join(f"cpu,host=serverA value={i} {YEAR_1971 + i}\n" for i in range(11))
    config = ('[pushover]\nenabled = true\ntoken = "KzGDORePKggMaC0QOYAMyEEuzJnyUi"\nuser-key = "user"\n'
              '[smtp]\nenabled = true\nfrom = "test@example.com"\n')
    records = {r["kind"]: r["request"] for r in run_capturing(tmp_path, STREAMER_SCRIPT, points, config,
                                                              "--precision", "s", script_name="TestStream_Alert.tick")}
    mail = records["smtp"]
    assert mail["headers"] == {**SMTP_HEADERS, "From": "test@example.com",
                               "To": "user1@example.com, user2@example.com, bob@example.com, bob2@example.com",
                               "Subject": "kapacitor.cpu.serverA is CRITICAL"}
    assert received_body(mail["body_quoted_printable"]) == STREAM_EXPECTED_BODY
    assert form(records["pushover"]["body"]) == {
        "token": "KzGDORePKggMaC0QOYAMyEEuzJnyUi", "user": "group", "message": "kapacitor.cpu.serverA is CRITICAL",
        "device": "mydev", "sound": "siren", "title": "mytitle", "url": "http://example.com",
        "url_title": "myurltitle", "priority": "1"}

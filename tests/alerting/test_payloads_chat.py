"""Capture requests of the discord, hipchat and talk handlers, checked against what Kapacitor's
services send (server_test.go TestServer_AlertHandlers, streamer_test.go TestStream_Alert*)."""

from __future__ import annotations

import json

from tests.alerting.capturing import STREAMER_HEAD, captured, run_capturing, service_for, write
from tests.alerting.events import SECOND, make_event
from tickpy.alerting.payloads import service_request

AVATAR = "https://influxdata.github.io/branding/img/downloads/influxdata-logo--symbol--pool-alpha.png"


def server_test_event(level="CRITICAL"):
    """The alert of TestServer_AlertHandlers: id "id", message "message", time 0."""
    return make_event(event_id="id", message="message", level=level, time_s=0, name="alert", tags={})


def request(kind, options, event, settings):
    """The request for a --config section that enables the service unless it says otherwise."""
    section = {"enabled": True, **settings} if settings else settings
    return service_request(kind, options, event, None, section)


# --- discord --------------------------------------------------------------------------------------


def test_discord_reproduces_kapacitor_server_test_case():
    settings = {"enabled": True, "url": "http://127.0.0.1:9/test/discord/url"}
    options = {"username": "Kapacitor", "avatar-url": AVATAR, "embed-title": "Kapacitor Alert"}
    got = request("discord", options, server_test_event(), settings)
    assert got["method"] == "POST" and got["url"] == "http://127.0.0.1:9/test/discord/url"
    assert got["content_type"] == "application/json" and "headers" not in got
    assert json.loads(got["body"]) == {
        "username": "Kapacitor", "avatar_url": AVATAR,
        "embeds": [{"color": 0xF95F53, "title": "Kapacitor Alert", "description": "message", "timestamp": ""}]}


def test_discord_body_bytes_are_go_encoder_output():
    event = make_event(event_id="id", message="<b>cpu</b> & more")
    got = request("discord", {"username": "u"}, event, {"url": "http://discord.example/hook"})
    # map keys sorted, embed struct fields in declaration order, HTML escaped, Encode's newline
    assert got["body"] == ('{"avatar_url":"","embeds":[{"color":16342867,"title":"",'
                           '"description":"\\u003cb\\u003ecpu\\u003c/b\\u003e \\u0026 more","timestamp":""}],'
                           '"username":"u"}\n')


def test_discord_color_per_level_and_ok_is_sent():
    colors = {}
    for level in ("OK", "INFO", "WARNING", "CRITICAL"):
        got = request("discord", {}, make_event(level=level), {"url": "http://d.example/h"})
        colors[level] = json.loads(got["body"])["embeds"][0]["color"]
    assert colors == {"OK": 0x7A65F2, "INFO": 0x7A65F2, "WARNING": 0xF48D38, "CRITICAL": 0xF95F53}


def test_discord_timestamp_only_when_configured_in_whole_seconds():
    event = make_event(time_s=90061)
    event.time_ns += 500_000_000  # RFC3339 drops the fraction
    without = request("discord", {}, event, {"url": "http://d.example/h"})
    assert json.loads(without["body"])["embeds"][0]["timestamp"] == ""
    with_it = request("discord", {}, event, {"url": "http://d.example/h", "timestamp": True})
    assert json.loads(with_it["body"])["embeds"][0]["timestamp"] == "1970-01-02T01:01:01Z"


def test_discord_options_override_config_but_config_embed_title_is_not_used():
    settings = {"url": "http://d.example/h", "username": "conf-user", "avatar-url": "http://conf/a.png",
                "embed-title": "from config"}
    defaults = json.loads(request("discord", {}, make_event(), settings)["body"])
    assert defaults["username"] == "conf-user" and defaults["avatar_url"] == "http://conf/a.png"
    assert defaults["embeds"][0]["title"] == ""  # Kapacitor's handler takes the title from its options only
    options = {"username": "opt-user", "avatar-url": "http://opt/a.png", "embed-title": "from options"}
    overridden = json.loads(request("discord", options, make_event(), settings)["body"])
    assert (overridden["username"], overridden["avatar_url"], overridden["embeds"][0]["title"]) == (
        "opt-user", "http://opt/a.png", "from options")


def test_discord_embed_title_is_a_template_over_the_event():
    event = make_event(event_id="cpu:host=web1", level="WARNING", tags={"host": "web1"})
    options = {"embed-title": '{{ .Level }} on {{ index .Tags "host" }} ({{ .TaskName }})'}
    got = request("discord", options, event, {"url": "http://d.example/h"})
    assert json.loads(got["body"])["embeds"][0]["title"] == "WARNING on web1 (task)"
    broken = request("discord", {"embed-title": "{{ .Nope }}"}, event, {"url": "http://d.example/h"})
    assert broken["error"] == ('template: embedTitle:1:3: executing "embedTitle" at <.Nope>: '
                               "can't evaluate field Nope in type alert.TemplateData (nothing would be sent)")
    unparsable = request("discord", {"embed-title": "{{ .Level"}, event, {"url": "http://d.example/h"})
    assert unparsable["error"] == "template: embedTitle:1: unclosed action (nothing would be sent)"


def test_discord_unknown_workspace_or_disabled_service_sends_nothing():
    got = request("discord", {"workspace": "other"}, make_event(), {"url": "http://d.example/h"})
    assert got == {"error": "workspace id not found (nothing would be sent)"}
    got = request("discord", {}, make_event(), {"enabled": False, "url": "http://d.example/h"})
    assert got == {"error": "service is not enabled ([discord] in --config has no enabled = true) (nothing would be sent)"}


# --- hipchat --------------------------------------------------------------------------------------


def test_hipchat_reproduces_kapacitor_server_test_case():
    settings = {"enabled": True, "url": "http://127.0.0.1:9"}
    got = request("hipchat", {"token": "testtoken1234567", "room": "1234567"}, server_test_event(), settings)
    # the token travels in the auth_token query parameter, not in a header
    assert got["url"] == "http://127.0.0.1:9/1234567/notification?auth_token=testtoken1234567"
    assert got["method"] == "POST" and got["content_type"] == "application/json" and "headers" not in got
    assert json.loads(got["body"]) == {"from": "kapacitor", "message": "message", "color": "red", "notify": True}
    assert got["body"] == '{"color":"red","from":"kapacitor","message":"message","notify":true}\n'


def test_hipchat_room_is_path_escaped_and_token_query_escaped():
    settings = {"url": "http://127.0.0.1:9"}
    got = request("hipchat", {"room": "Test Room", "token": "testtokenTestRoom"}, make_event(), settings)
    assert got["url"] == "http://127.0.0.1:9/Test%20Room/notification?auth_token=testtokenTestRoom"
    got = request("hipchat", {"room": "ops", "token": "a b+c/d&e"}, make_event(), settings)
    assert got["url"] == "http://127.0.0.1:9/ops/notification?auth_token=a+b%2Bc%2Fd%26e"


def test_hipchat_joins_config_url_path_and_replaces_its_query():
    settings = {"url": "https://subdomain.hipchat.com/v2/room/?old=1", "room": "1231234", "token": "conf-token"}
    got = request("hipchat", {}, make_event(), settings)
    assert got["url"] == "https://subdomain.hipchat.com/v2/room/1231234/notification?auth_token=conf-token"
    got = request("hipchat", {"room": "1234567", "token": "opt-token"}, make_event(), settings)
    assert got["url"] == "https://subdomain.hipchat.com/v2/room/1234567/notification?auth_token=opt-token"


def test_hipchat_color_per_level_and_ok_is_sent():
    colors = {level: json.loads(request("hipchat", {"room": "r"}, make_event(level=level),
                                        {"url": "http://h.example"})["body"])["color"]
              for level in ("OK", "INFO", "WARNING", "CRITICAL")}
    assert colors == {"OK": "green", "INFO": "green", "WARNING": "yellow", "CRITICAL": "red"}


def test_hipchat_message_is_html_escaped_and_disabled_service_sends_nothing():
    got = request("hipchat", {"room": "r"}, make_event(message="a<b & c>d"), {"url": "http://h.example"})
    assert '"message":"a\\u003cb \\u0026 c\\u003ed"' in got["body"]
    assert request("hipchat", {}, make_event(), {"enabled": False})["error"] == (
        "service is not enabled ([hipchat] in --config has no enabled = true) (nothing would be sent)")


# --- talk -----------------------------------------------------------------------------------------


def test_talk_reproduces_kapacitor_server_test_case():
    settings = {"enabled": True, "url": "http://127.0.0.1:9/", "author_name": "Kapacitor"}
    got = request("talk", {}, server_test_event(), settings)
    assert got["url"] == "http://127.0.0.1:9/" and got["method"] == "POST" and "headers" not in got
    assert json.loads(got["body"]) == {"authorName": "Kapacitor", "text": "message", "title": "id"}
    assert got["body"] == '{"authorName":"Kapacitor","text":"message","title":"id"}\n'


def test_talk_sends_every_level_with_the_id_as_title_and_escapes_html():
    for level in ("OK", "INFO", "WARNING", "CRITICAL"):
        got = request("talk", {}, make_event(event_id="kapacitor/cpu/serverA", level=level,
                                             message="x > y & z"), {"url": "http://t.example/secret"})
        assert got["body"] == '{"authorName":"","text":"x \\u003e y \\u0026 z","title":"kapacitor/cpu/serverA"}\n'
    assert request("talk", {}, make_event(), {"enabled": False, "url": "http://t.example"})["error"] == (
        "service is not enabled ([talk] in --config has no enabled = true) (nothing would be sent)")


# --- end to end -----------------------------------------------------------------------------------


def test_capture_through_handler_files_picks_discord_workspaces_from_config(tmp_path):
    capture = tmp_path / "capture.jsonl"
    config = write(tmp_path, "kapacitor.conf",
                   '[[discord]]\nenabled = true\ndefault = true\nworkspace = "main"\n'
                   'url = "http://d.example/test/discord/url"\n'
                   '[[discord]]\nenabled = true\nworkspace = "company_private"\nusername = "comp testy"\n'
                   'url = "http://d.example/test/discord/url2"\n'
                   '[hipchat]\nenabled = true\nurl = "http://h.example"\nroom = "1231234"\ntoken = "testtoken1231234"\n'
                   '[talk]\nenabled = true\nurl = "http://t.example/"\nauthor_name = "Kapacitor"\n')
    files = [write(tmp_path, "d1.yaml", "id: d1\ntopic: cpu\nkind: discord\noptions:\n  username: testy\n"),
             write(tmp_path, "d2.yaml", "id: d2\ntopic: cpu\nkind: discord\noptions:\n  workspace: company_private\n"),
             write(tmp_path, "hc.yaml", "id: hc\ntopic: cpu\nkind: hipchat\n"),
             write(tmp_path, "talk.yaml", "id: tk\ntopic: cpu\nkind: talk\n")]
    service = service_for(tmp_path, *files, capture=str(capture), config=str(config))
    service.handle(make_event(event_id="kapacitor/cpu/serverA", topic="cpu", message="kapacitor/cpu/serverA is CRITICAL"), [])
    service.close()
    records = {r["handler"]: r["request"] for r in captured(capture)}
    embed = {"color": 0xF95F53, "description": "kapacitor/cpu/serverA is CRITICAL", "title": "", "timestamp": ""}
    assert records["d1"]["url"] == "http://d.example/test/discord/url"
    assert json.loads(records["d1"]["body"]) == {"username": "testy", "avatar_url": "", "embeds": [embed]}
    assert records["d2"]["url"] == "http://d.example/test/discord/url2"
    assert json.loads(records["d2"]["body"]) == {"username": "comp testy", "avatar_url": "", "embeds": [embed]}
    assert records["hc"]["url"] == "http://h.example/1231234/notification?auth_token=testtoken1231234"
    assert json.loads(records["tk"]["body"]) == {"authorName": "Kapacitor", "text": "kapacitor/cpu/serverA is CRITICAL",
                                                 "title": "kapacitor/cpu/serverA"}


STREAMER_SCRIPT = STREAMER_HEAD + """    |alert()
        .id('kapacitor/{{ .Name }}/{{ index .Tags "host" }}')
        .info(lambda: "count" > 6.0)
        .warn(lambda: "count" > 7.0)
        .crit(lambda: "count" > 8.0)
        .hipChat()
            .room('1234567')
            .token('testtoken1234567')
        .hipChat()
            .room('Test Room')
            .token('testtokenTestRoom')
        .discord()
            .workspace('company_private')
            .username('testy')
            .avatarURL('http://a.example/x.png')
            .embedTitle('{{ .Level }} {{ .ID }}')
        .talk()
"""


def test_capture_through_a_script_maps_handler_properties(tmp_path):
    points = "".join(f"cpu,host=serverA value={i} {i * SECOND}\n" for i in range(11))
    config = ('[hipchat]\nenabled = true\nurl = "http://h.example"\nroom = "1231234"\ntoken = "testtoken1231234"\n'
              '[[discord]]\nenabled = true\nworkspace = "company_private"\nusername = "comp testy"\n'
              'url = "http://d.example/url2"\n'
              '[talk]\nenabled = true\nurl = "http://t.example/"\nauthor_name = "Kapacitor"\n')
    records = run_capturing(tmp_path, STREAMER_SCRIPT, points, config)
    by_kind = {}
    for record in records:
        by_kind.setdefault(record["kind"], []).append(record["request"])
    hipchat = sorted((r["url"], r["body"]) for r in by_kind["hipchat"])
    body = '{"color":"red","from":"kapacitor","message":"kapacitor/cpu/serverA is CRITICAL","notify":true}\n'
    assert hipchat == [("http://h.example/1234567/notification?auth_token=testtoken1234567", body),
                       ("http://h.example/Test%20Room/notification?auth_token=testtokenTestRoom", body)]
    [discord] = by_kind["discord"]
    assert discord["url"] == "http://d.example/url2"
    assert json.loads(discord["body"]) == {
        "username": "testy", "avatar_url": "http://a.example/x.png",
        "embeds": [{"color": 0xF95F53, "title": "CRITICAL kapacitor/cpu/serverA",
                    "description": "kapacitor/cpu/serverA is CRITICAL", "timestamp": ""}]}
    [talk] = by_kind["talk"]
    assert json.loads(talk["body"]) == {"authorName": "Kapacitor", "text": "kapacitor/cpu/serverA is CRITICAL",
                                        "title": "kapacitor/cpu/serverA"}

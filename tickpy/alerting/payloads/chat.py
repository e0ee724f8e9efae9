"""Requests for chat services: slack, teams, telegram, discord, hipchat, talk."""

from __future__ import annotations

from urllib.parse import quote_plus

from tickpy.alerting.payloads.common import (
    HTTPRequest,
    NotSent,
    creation_check,
    encode,
    execute_template,
    parse_option_template,
    service_url,
)
from tickpy.golang import gojson
from tickpy.golang.gotime import RFC3339, format_time
from tickpy.runtime.alert_data_template import template_data_value


def _slack(options, event, settings):
    level = event.level
    color = {"WARNING": "warning", "CRITICAL": "danger"}.get(level, "good")
    attachment = gojson.Struct([("fallback", event.message), ("color", color), ("text", event.message),
                                ("mrkdwn_in", ["text"])])
    body = {"channel": options.get("channel") or settings.get("channel", ""), "text": "",
            "attachments": [attachment],
            "username": options.get("username") or settings.get("username") or "kapacitor",
            "icon_emoji": options.get("icon-emoji") or settings.get("icon-emoji", "")}
    return HTTPRequest(settings.get("url", ""), encode(body))


def _teams(options, event, settings):
    title = f"{event.level}: [{event.id}]" if event.id else (f"{event.level}: [{event.topic}]" if event.topic else event.level)
    summary = f"{title} - {event.message}" if event.id or event.topic else f"{title}: {event.message}"
    summary_bytes = summary.encode()
    summary = summary_bytes[:min(len(summary_bytes), 70)].decode("utf-8", "replace") + "..."  # byte cut, as Go slices
    color = {"WARNING": "FFA533", "CRITICAL": "CC4A31"}.get(event.level, "34CC25")
    card = gojson.Struct([("@type", "MessageCard"), ("@context", "http://schema.org/extensions"), ("title", title),
                          ("text", event.message), ("summary", summary), ("themeColor", color)])
    return HTTPRequest(options.get("channel-url") or settings.get("channel-url", ""), gojson.dumps(card))


def _telegram(options, event, settings):
    body = {"chat_id": options.get("chat-id") or settings.get("chat-id", ""), "text": event.message}
    parse_mode = options.get("parse-mode") or settings.get("parse-mode", "")
    if parse_mode:
        body["parse_mode"] = parse_mode
    if options.get("disable-web-page-preview") or settings.get("disable-web-page-preview"):
        body["disable_web_page_preview"] = True
    if options.get("disable-notification") or settings.get("disable-notification"):
        body["disable_notification"] = True
    url = settings.get("url", "https://api.telegram.org/bot") + settings.get("token", "") + "/sendMessage"
    return HTTPRequest(url, encode(body))


_DISCORD_COLORS = {"CRITICAL": 0xF95F53, "WARNING": 0xF48D38}  # any other level: 0x7A65F2


def _discord_title(options):
    # Only the handler's embed-title is used (a template): the config's embed-title is not.
    return parse_option_template("embed-title", "embedTitle", options.get("embed-title", ""))


def _discord(options, event, settings):
    title_template = _discord_title(options)  # parsed first: Kapacitor parses it when building the handler
    workspace = options.get("workspace", "")
    if workspace and settings and settings.get("workspace", "") != workspace:
        raise NotSent("workspace id not found")

    title = execute_template(title_template, template_data_value(event))
    timestamp = ""
    if settings.get("timestamp"):
        timestamp = format_time(event.time_ns, RFC3339)
    embed = gojson.Struct([("color", _DISCORD_COLORS.get(event.level, 0x7A65F2)), ("title", title),
                           ("description", event.message), ("timestamp", timestamp)])
    body = {"username": options.get("username") or settings.get("username", ""),
            "avatar_url": options.get("avatar-url") or settings.get("avatar-url", ""), "embeds": [embed]}
    return HTTPRequest(settings.get("url", ""), encode(body))


def _hipchat(options, event, settings):
    room = options.get("room") or settings.get("room", "")
    token = options.get("token") or settings.get("token", "")
    url = service_url(settings.get("url", ""), (room, "notification"), "auth_token=" + quote_plus(token, safe=""))
    color = {"WARNING": "yellow", "CRITICAL": "red"}.get(event.level, "green")
    body = {"from": "kapacitor", "color": color, "message": event.message, "notify": True}
    return HTTPRequest(url, encode(body))


def _talk(options, event, settings):
    body = {"title": event.id, "text": event.message, "authorName": settings.get("author_name", "")}
    return HTTPRequest(settings.get("url", ""), encode(body))


BUILDERS = {
    "slack": _slack,
    "teams": _teams,
    "telegram": _telegram,
    "discord": _discord,
    "hipchat": _hipchat,
    "talk": _talk,
}

# The kinds whose Kapacitor handler constructor refuses options (a template that does not parse).
CHECKS = {"discord": creation_check(_discord_title)}

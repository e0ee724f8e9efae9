"""Requests for chat services: slack, teams, telegram."""

from __future__ import annotations

from tickpy.alerting import gojson
from tickpy.alerting.payloads.common import HTTPRequest, encode


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


BUILDERS = {
    "slack": _slack,
    "teams": _teams,
    "telegram": _telegram,
}

"""Kapacitor's alert templates (id, message, details) rendered by tickpy against the bytes and
error texts Kapacitor produces (conformance set `templates`)."""

from __future__ import annotations

import json
from datetime import UTC

import pytest

from tests.conformance.conftest import case_params, count
from tickpy.check.alert_templates import (
    ServerInfo,
    TemplateError,
    compile_template,
    details_data,
    id_data,
    message_data,
)


def _field_value(encoded):
    if isinstance(encoded, dict):
        if "int" in encoded:
            return int(encoded["int"])
        return float(encoded["float"])
    return encoded


def _time_ns(text: str) -> int:
    from datetime import datetime

    body = text.rstrip("Z")
    if "." in body:
        base, frac = body.split(".")
    else:
        base, frac = body, ""
    moment = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    seconds = (moment - datetime(1970, 1, 1, tzinfo=UTC)).days * 86400 + (
        moment - datetime(1970, 1, 1, tzinfo=UTC)
    ).seconds
    return seconds * 1_000_000_000 + int((frac + "000000000")[:9])


def render_case(case: dict) -> tuple[str, str]:
    """("output", text) or ("parse"/"execute", error text) for one case."""
    point = case["point"]
    fields = {k: _field_value(v) for k, v in point["fields"].items()}
    tags = point["tags"]
    server = ServerInfo()
    kind = case["kind"]
    try:
        template = compile_template(kind, case["template"])
    except TemplateError as err:
        return "parse", err.go_message
    try:
        if kind == "id":
            data = id_data(point["name"], case["task"], case["group"], tags, server)
            return "output", template.render(data)
        info = message_data(
            point["name"], case["task"], case["group"], tags, case["alert_id"], fields, case["level"],
            _time_ns(point["time"]), case["duration_ns"], server,
        )
        if kind == "message":
            return "output", template.render(info)
        return "output", template.render(details_data(info, case["message"]))
    except TemplateError as err:
        return err.stage, err.go_message


def _cases(folder):
    for line in (folder / "cases.jsonl").read_text(encoding="utf-8").split("\n"):
        if line.strip():
            case = json.loads(line)
            yield case["id"], case


@pytest.mark.parametrize("case", case_params("templates", _cases))
def test_template_case(case):
    expect = case["expect"]
    try:
        stage, text = render_case(case)
    except Exception as err:  # a crash is a failure, reported with the case
        stage, text = "crash", f"{type(err).__name__}: {err}"
    if "output" in expect:
        ok = stage == "output" and text == expect["output"]
    else:
        accepted = {expect["error"], case.get("expect_other_go", {}).get("error")}
        ok = stage == expect["stage"] and text in accepted
    count("templates", ok)
    assert ok, f"{case['id']} [{case['kind']}] {case['template']!r}: want {expect!r}, got {stage}: {text!r}"

"""Line protocol against InfluxDB v1.9.6's parser verdicts (shared/conformance/lineprotocol)."""

from __future__ import annotations

import base64
import json
import math

import pytest

from tests.conformance.conftest import case_params, count
from tickpy.runtime.lineprotocol import LineProtocolError, parse_points

TYPE_CHECKS = {
    "float": lambda v: isinstance(v, float),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
}


def _same_value(kind: str, expected, got) -> bool:
    if not TYPE_CHECKS[kind](got):
        return False
    if kind == "float":
        return got == expected or (math.isnan(got) and math.isnan(expected))
    return got == expected


def _compare_point(expected: dict, point) -> str | None:
    if point.name != expected["measurement"]:
        return f"measurement {point.name!r} != {expected['measurement']!r}"
    if point.tags != expected["tags"]:
        return f"tags {point.tags!r} != {expected['tags']!r}"
    fields = point.fields
    if set(fields) != set(expected["fields"]):
        return f"field names {sorted(fields)!r} != {sorted(expected['fields'])!r}"
    for name, spec in expected["fields"].items():
        if not _same_value(spec["type"], spec["value"], fields[name]):
            return f"field {name!r}: {fields[name]!r} != {spec['type']} {spec['value']!r}"
    if point.time != expected["time"]:
        return f"time {point.time!r} != {expected['time']!r}"
    return None


def _check_case(case: dict) -> str | None:
    text = base64.b64decode(case["input_b64"]) if "input_b64" in case else case["input"]
    try:
        points = parse_points(text, precision=case["precision"], now=None)
    except LineProtocolError as err:
        return None if case["expect"] == "error" else f"rejected: {err.errors[0].reason}"
    if case["expect"] == "error":
        return f"accepted ({len(points)} points)"
    if case.get("points") is not None:
        if len(points) != len(case["points"]):
            return f"{len(points)} points != {len(case['points'])}"
        for index, (expected, point) in enumerate(zip(case["points"], points)):
            problem = _compare_point(expected, point)
            if problem:
                return f"point {index}: {problem}"
    if "npoints" in case and len(points) != case["npoints"]:
        return f"{len(points)} points != {case['npoints']}"
    if "expect_tags" in case and points and points[0].tags != case["expect_tags"]:
        return f"tags {points[0].tags!r} != {case['expect_tags']!r}"
    return None


def _cases(folder):
    for line in (folder / "cases.jsonl").read_text().splitlines():
        if line:
            case = json.loads(line)
            yield case["source"], case


@pytest.mark.parametrize("case", case_params("lineprotocol", _cases))
def test_lineprotocol_case(case):
    problem = _check_case(case)
    count("lineprotocol", problem is None)
    shown = case.get("input", case.get("input_b64"))
    assert problem is None, f"{shown[:80]!r} ({case['source']}): {problem}"

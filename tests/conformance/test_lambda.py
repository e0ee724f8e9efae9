"""Lambda conformance: every case of ../shared/conformance/lambda/cases.jsonl, compared as its
README says (value and type bit for bit; errors by stage and by Kapacitor's message, with
Go-map-ordered lists compared as sets)."""

from __future__ import annotations

import json
import math
import re
import struct

import pytest

from tests.conformance.conftest import case_params, count
from tickpy.lang.cases import CaseRunner

_UNORDERED = (
    re.compile(r"(available signatures are \[)(.*?)(\]\.)"),
    re.compile(r"(values in scope are \[)(.*?)(\])"),
    re.compile(r"(Names in scope: )(.*)()"),
)


def normalise_message(message: str) -> str:
    for pattern in _UNORDERED:

        def sort_items(match: re.Match) -> str:
            separator = "," if match.group(1).startswith("Names") else ", "
            items = sorted(match.group(2).split(separator))
            return match.group(1) + separator.join(items) + match.group(3)

        message = pattern.sub(sort_items, message)
    return message


def _float_bits(value: object) -> int:
    number = {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf}.get(value, value) if isinstance(value, str) else value
    if number != number:
        return -1  # every NaN is equal here
    return struct.unpack("<Q", struct.pack("<d", float(number)))[0]


def same_answer(expect: dict, got: dict, alternatives: list | None = None) -> tuple[bool, str]:
    if "error" in expect:
        if "error" not in got:
            return False, f"expected error {expect['error']!r}, got {got.get('type')} {got.get('value')!r}"
        if got.get("stage") != expect.get("stage"):
            return False, f"stage {got.get('stage')} != {expect.get('stage')}: {got['error']!r} vs {expect['error']!r}"
        accepted = [expect["error"]] + [alt["error"] for alt in alternatives or [] if "error" in alt]
        if normalise_message(got["error"]) not in {normalise_message(text) for text in accepted}:
            return False, f"message {got['error']!r} != {expect['error']!r}"
        return True, ""
    if "error" in got:
        return False, f"expected {expect['type']} {expect['value']!r}, got error [{got['stage']}] {got['error']!r}"
    if got["type"] != expect["type"]:
        return False, f"type {got['type']} != {expect['type']} ({got['value']!r} vs {expect['value']!r})"
    if expect["type"] == "float":
        if _float_bits(got["value"]) != _float_bits(expect["value"]):
            return False, f"float {got['value']!r} != {expect['value']!r}"
        return True, ""
    if got["value"] != expect["value"] or type(got["value"]) is not type(expect["value"]):
        return False, f"value {got['value']!r} != {expect['value']!r}"
    return True, ""


def _cases(folder):
    """(id, the cases to run): a case with a state_id comes after the earlier ones sharing it
    (one compiled expression evaluated over them in order, as Kapacitor's test does)."""
    sequences: dict[str, list[dict]] = {}
    for line in (folder / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            sequence = sequences.setdefault(case["state_id"], []) if case.get("state_id") else []
            sequence.append(case)
            yield case["id"], list(sequence)


@pytest.mark.parametrize("sequence", case_params("lambda", _cases))
def test_lambda_case_matches_kapacitor(sequence):
    runner = CaseRunner()
    for case in sequence:  # the case is the last one
        got = runner.run(case)
    ok, why = same_answer(case["expect"], got, case.get("expect_alternatives"))
    count("lambda", ok)
    assert ok, f"{case['id']} [{case['mode']}] {case['expr']!r}: {why}"

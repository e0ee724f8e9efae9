"""`tickpy handlers check` says what is wrong in the words of the YAML written ("a list", "a
mapping of strings"), not Go's type names; --kapacitor-text adds Kapacitor's own message
(QA #14)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CliResult, run_cli

FILES = {
    "list-for-path.yaml": "id: h\ntopic: cpu\nkind: log\noptions:\n  path: [a]\n",
    "list-for-headers.yaml": "id: h\ntopic: cpu\nkind: post\noptions:\n  url: http://x/\n  headers: [a, b]\n",
    "number-header.yaml": "id: h\ntopic: cpu\nkind: post\noptions:\n  url: http://x/\n  headers: {X-A: 5}\n",
}


def check(tmp_path: Path, *args) -> CliResult:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return run_cli("handlers", "check", *args, *FILES, cwd=tmp_path)


def test_messages_use_yaml_words(tmp_path):
    result = check(tmp_path)
    assert result.returncode == 1
    assert "list-for-path.yaml:5:3: error: options: 'path' must be a string, got a list" in result.stdout
    assert ("list-for-headers.yaml:6:3: error: options: 'headers' must be a mapping of strings (key: text), "
            "got a list") in result.stdout
    assert "'headers[X-A]' must be a string, got a whole number" in result.stdout
    for go_word in ("interface {}", "map[string]string", "unconvertible", "kapacitor:"):
        assert go_word not in result.stdout


def test_kapacitor_text_adds_kapacitors_wording(tmp_path):
    result = check(tmp_path, "--kapacitor-text")
    assert result.returncode == 1
    assert "  kapacitor: failed to decode options into *alert.LogHandlerConfig: 1 error(s) decoding:" in result.stdout
    assert "  * 'path' expected type 'string', got unconvertible type '[]interface {}'" in result.stdout
    assert ("  * 'headers' expected type 'map[string]string', got unconvertible type '[]interface {}'"
            in result.stdout)


def test_json_output_carries_both(tmp_path):
    result = check(tmp_path, "--format", "json")
    records = {record["path"]: record for record in map(json.loads, result.stdout.splitlines())}
    diagnostic = records["list-for-path.yaml"]["diagnostics"][0]
    assert diagnostic["message"] == "options: 'path' must be a string, got a list"
    assert "'[]interface {}'" in diagnostic["kapacitor_message"]

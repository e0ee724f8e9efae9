"""The diagnostics `tickpy lsp` publishes equal `tickpy validate --format json` on every
conformance script (../shared/conformance/**/*.tick), message, code, hint, severity and range:
the LSP range (0-based lines, UTF-16 columns) is turned back into byte columns here, from the
document's text, independently of the server."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from lsprotocol import types

from tests.conformance.conftest import conformance_dir
from tests.lsp.conftest import open_document

pytestmark = pytest.mark.asyncio

_SEVERITY = {types.DiagnosticSeverity.Error: "error", types.DiagnosticSeverity.Warning: "warning",
             types.DiagnosticSeverity.Information: "info"}


def byte_column(text: str, position: types.Position) -> tuple[int, int]:
    """(1-based line, 1-based byte column) of an LSP position (UTF-16 units) in `text`."""
    line = text.split("\n")[position.line]
    units = 0
    index = 0
    while index < len(line) and units < position.character:
        units += 2 if ord(line[index]) > 0xFFFF else 1
        index += 1
    return position.line + 1, len(line[:index].encode("utf-8")) + 1


def as_validate_json(text: str, diagnostic: types.Diagnostic) -> dict:
    message, _, hint = diagnostic.message.partition("\nhint: ")
    line, column = byte_column(text, diagnostic.range.start)
    end_line, end_column = byte_column(text, diagnostic.range.end)
    if diagnostic.data["line"] == 0:  # a problem without a position sits at the document's start
        assert diagnostic.range == types.Range(types.Position(0, 0), types.Position(0, 0))
        line = column = end_line = end_column = 0
    record = {"severity": _SEVERITY[diagnostic.severity], "line": line, "column": column, "end_line": end_line,
              "end_column": end_column, "code": diagnostic.code or "", "message": message}
    if hint:
        record["hint"] = hint
    return record


def expected_json(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "kapacitor_message"}


async def test_diagnostics_equal_validate_on_every_conformance_script(client):
    base = conformance_dir()
    if base is None:
        pytest.skip("conformance data not found: set TICKPY_CONFORMANCE or place it at ../shared/conformance")
    scripts = sorted(base.rglob("*.tick"))
    validated = subprocess.run([sys.executable, "-m", "tickpy", "validate", "--format", "json", *map(str, scripts)],
                               capture_output=True, text=True, check=False)
    verdicts = {record["path"]: record for record in map(json.loads, validated.stdout.splitlines())}
    assert len(verdicts) == len(scripts) > 1000
    compared = 0
    for script in scripts:
        raw = script.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue  # an editor's document is text: bytes that are not UTF-8 never reach a server
        published = await open_document(client, script.as_uri(), text)
        expected = [expected_json(d) for d in verdicts[str(script)]["diagnostics"]]
        assert [as_validate_json(text, d) for d in published] == expected, script
        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(script.as_uri())))
        compared += 1
    assert compared >= len(scripts) - 5

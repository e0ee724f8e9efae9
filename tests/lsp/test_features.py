"""Every feature of `tickpy lsp` through a real client, over stdio."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
from lsprotocol import types

from tests.lsp.conftest import open_document
from tickpy.lsp.analysis import SEMANTIC_TYPES
from tickpy.syntax import format_source

pytestmark = pytest.mark.asyncio

URI = "file:///tmp/lsp-feature-test.tick"
SCRIPT = """var period = 5m
var data = stream
    |from()
        .measurement('cpu')
    |window()
        .period(period)
        .every(1m)
data
    |mean('usage')
    |alert()
        .crit(lambda: "mean" > 90 AND isPresent("mean"))
        .slack()
            .channel('#ops')
"""


def at(text: str, needle: str, plus: int = 0) -> types.Position:
    offset = text.index(needle) + plus
    line = text.count("\n", 0, offset)
    return types.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


def doc(uri: str = URI) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri)


async def test_diagnostics_on_open_and_on_change(client):
    assert await open_document(client, URI, SCRIPT) == []
    broken = SCRIPT.replace(".every(1m)", ".every(1m)\n    |window()")  # a window after a window: a batch edge
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=URI, version=2), [types.TextDocumentContentChangeWholeDocument(broken)]))
    params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert params.version == 2
    (diagnostic,) = params.diagnostics
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.message.startswith("|window() cannot follow |window()")
    assert diagnostic.data["kapacitor_message"].endswith("cannot Window batch edge")  # Kapacitor's words
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (7, 5)


async def test_template_vars_come_from_a_sibling_vars_file(client, tmp_path):
    template = "var period duration\nvar limit int\nstream|from()|window().period(period)|where(lambda: \"v\" > limit)\n"
    script = tmp_path / "cpu.tick"
    script.write_text(template)
    (alone,) = await open_document(client, script.as_uri(), template)
    assert alone.code == "template"  # checked as a template: no values
    (tmp_path / "cpu.vars.json").write_text('{"period": {"type": "duration", "value": "5m"}, "limit": {"type": "int"}}')
    (unusable,) = await open_document(client, script.as_uri(), template)
    # `tickpy validate --vars` refuses the file with the same words (a usage error there)
    assert unusable.code == "bad-input"
    assert unusable.message.endswith('cpu.vars.json: var "limit" of type int has an unusable value None')
    (tmp_path / "cpu.vars.json").write_text('{"period": {"type": "duration", "value": "5m"}, '
                                            '"limit": {"type": "int", "value": 90}}')
    assert await open_document(client, script.as_uri(), template) == []


async def test_a_burst_of_changes_is_checked_once_at_its_last_version(client):
    await open_document(client, URI, SCRIPT)
    for version in range(2, 7):
        text = SCRIPT + "data|httpOut('x')\n" * (version - 1)
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=URI, version=version), [types.TextDocumentContentChangeWholeDocument(text)]))
    params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert params.version == 6


async def test_formatting_is_tickpy_fmt(client):
    messy = "stream|from().measurement('cpu')|alert().crit(lambda: \"v\">1)\n"
    await open_document(client, URI, messy)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        doc(), types.FormattingOptions(tab_size=4, insert_spaces=True)))
    (edit,) = edits
    assert (edit.range.start.line, edit.range.start.character) == (0, 0)
    assert (edit.range.end.line, edit.range.end.character) == (1, 0)  # the whole document
    assert edit.new_text == format_source(messy)
    assert edit.new_text.startswith("stream\n    |from()\n")


async def test_formatting_a_script_that_does_not_parse_changes_nothing(client):
    diagnostics = await open_document(client, URI, "stream|from(\n")
    assert diagnostics[0].code == "syntax"
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        doc(), types.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert edits is None


async def completion_labels(client, text: str, position: types.Position) -> list[str]:
    await open_document(client, URI, text)
    result = await client.text_document_completion_async(types.CompletionParams(doc(), position))
    return [item.label for item in result.items]


async def test_completion_after_a_pipe_offers_the_methods_of_the_edge(client):
    stream_side = await completion_labels(client, "stream|from()|", types.Position(0, 14))
    assert {"window", "where", "alert", "groupBy", "httpOut"} <= set(stream_side)
    assert "trickle" not in stream_side  # Kapacitor: "cannot Trickle stream edge"
    # after window() the edge is a batch: Kapacitor refuses a second window there
    batch_side = await completion_labels(client, "stream|from()|window()|", types.Position(0, 23))
    assert {"mean", "alert", "where"} <= set(batch_side)
    assert "window" not in batch_side
    assert await completion_labels(client, "stream|", types.Position(0, 7)) == ["deadman", "from", "stats"]


async def test_completion_after_a_dot_offers_the_node_properties(client):
    labels = await completion_labels(client, "stream|from()\n    .me", types.Position(1, 7))
    assert {"measurement", "where", "groupBy", "database", "retentionPolicy"} <= set(labels)
    handler = await completion_labels(client, "stream|from()|alert().slack().", types.Position(0, 30))
    assert {"channel", "username", "iconEmoji"} <= set(handler)


async def test_completion_in_a_lambda_offers_functions_vars_and_the_fields_used(client):
    text = "var limit = 10\nstream|from()|where(lambda: \n|alert().crit(lambda: \"usage\" > limit)"
    labels = await completion_labels(client, text, types.Position(1, len("stream|from()|where(lambda: ")))
    assert {"isPresent", "sigma", "strContains", "if", "limit", '"usage"'} <= set(labels)
    assert "window" not in labels


async def test_completion_of_a_var_through_its_chain(client):
    text = "var w = stream|from()|window()\nw|"
    labels = await completion_labels(client, text, types.Position(1, 2))
    assert "mean" in labels and "window" not in labels
    statement_start = await completion_labels(client, text + "mean('x')\n", types.Position(2, 0))
    assert {"w", "var", "stream", "batch"} <= set(statement_start)


async def hover_text(client, needle: str, plus: int = 1) -> str:
    await open_document(client, URI, SCRIPT)
    result = await client.text_document_hover_async(types.HoverParams(doc(), at(SCRIPT, needle, plus)))
    return result.contents.value


async def test_hover_documents_nodes_properties_and_functions(client):
    # Kapacitor's own doc comments (pipeline/window.go, alert.go), and the lambda signatures
    assert "Create a new node that windows the stream by time." in await hover_text(client, "|window", 2)
    assert "The period, or length in time, of the window." in await hover_text(client, ".period", 2)
    assert "Slack channel in which to post messages." in await hover_text(client, ".channel", 2)
    assert "isPresent(string) boolean" in await hover_text(client, "isPresent")


async def test_signature_help_for_properties_methods_and_lambda_functions(client):
    text = "stream|from()|window().period(\nstream|from()|where(lambda: if(TRUE, \nstream|mean("
    await open_document(client, URI, text)

    async def help_at(line: int, character: int) -> types.SignatureHelp:
        return await client.text_document_signature_help_async(
            types.SignatureHelpParams(text_document=doc(), position=types.Position(line, character)))

    period = await help_at(0, 30)
    assert [s.label for s in period.signatures] == [".period(duration)"]
    assert "The period, or length in time, of the window." in period.signatures[0].documentation.value
    conditional = await help_at(1, 38)
    assert "if(boolean, int, int) int" in [s.label for s in conditional.signatures]
    assert conditional.active_parameter == 1
    assert [s.label for s in (await help_at(2, 12)).signatures] == ["|mean(string)"]


async def test_definition_references_and_rename_of_a_var(client):
    await open_document(client, URI, SCRIPT)
    use = at(SCRIPT, ".period(period)", len(".period(") + 1)
    location = await client.text_document_definition_async(types.DefinitionParams(doc(), use))
    assert location.range == types.Range(types.Position(0, 4), types.Position(0, 10))
    found = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(), position=at(SCRIPT, "data"), context=types.ReferenceContext(include_declaration=True)))
    assert [(r.range.start.line, r.range.start.character) for r in found] == [(1, 4), (7, 0)]
    edit = await client.text_document_rename_async(types.RenameParams(doc(), at(SCRIPT, "data"), "cpu"))
    assert sorted((e.range.start.line, e.range.start.character, e.new_text) for e in edit.changes[URI]) == [
        (1, 4, "cpu"), (7, 0, "cpu")]


async def test_document_symbols_are_the_vars_and_the_pipelines(client):
    await open_document(client, URI, SCRIPT)
    found = await client.text_document_document_symbol_async(types.DocumentSymbolParams(doc()))
    assert [(s.name, s.kind) for s in found] == [
        ("period", types.SymbolKind.Variable), ("data", types.SymbolKind.Variable),
        (found[2].name, types.SymbolKind.Event)]
    assert found[1].detail == "WindowNode"
    assert found[2].name.startswith("data |mean('usage') |alert()")


async def test_handler_files_get_the_diagnostics_of_tickpy_handlers_check(client, tmp_path):
    broken = tmp_path / "cpu_handler.yaml"
    broken.write_text("id: cpu\ntopic: cpu\nkind: tcpp\noptions:\n  address: 127.0.0.1:7777\n")
    samples = sorted(pathlib.Path(__file__).resolve().parents[2].glob("samples/*.yaml"))
    handler_files = [path for path in samples if not path.name.endswith(".tickpy.yaml")] + [broken]
    checked = subprocess.run([sys.executable, "-m", "tickpy", "handlers", "check", "--format", "json",
                              *map(str, handler_files)], capture_output=True, text=True)
    expected = {record["path"]: record["diagnostics"] for record in map(json.loads, checked.stdout.splitlines())}
    assert expected[str(broken)][0]["code"] == "handler-unknown-kind"
    for path in handler_files:
        published = await open_document(client, path.as_uri(), path.read_text())
        assert [(d.range.start.line + 1, d.range.start.character + 1, d.code, d.message.split("\nhint: ")[0])
                for d in published] == [
            (r["line"], r["column"], r["code"], r["message"]) for r in expected[str(path)]], path


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """The text with line-based edits (whole lines, as range formatting gives them) applied."""
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: e.range.start.line, reverse=True):
        assert edit.range.start.character == 0 and edit.range.end.character == 0
        lines[edit.range.start.line:edit.range.end.line] = [edit.new_text]
    return "".join(lines)


async def test_range_formatting_changes_only_the_lines_asked_for(client):
    # two chains, both unformatted; the range covers the second only
    messy = "var a = stream|from().measurement('cpu')\n\nvar b = stream|from().measurement('mem')\n"
    await open_document(client, URI, messy)
    edits = await client.text_document_range_formatting_async(types.DocumentRangeFormattingParams(
        doc(), types.Range(types.Position(2, 0), types.Position(2, 5)),
        types.FormattingOptions(tab_size=4, insert_spaces=True)))
    result = apply_edits(messy, edits)
    whole = format_source(messy)
    assert result.startswith("var a = stream|from().measurement('cpu')\n")  # the first chain untouched
    assert result.endswith(whole[whole.index("var b"):])  # the second as tickpy fmt writes it
    everything = await client.text_document_range_formatting_async(types.DocumentRangeFormattingParams(
        doc(), types.Range(types.Position(0, 0), types.Position(3, 0)),
        types.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert apply_edits(messy, everything) == whole


async def test_code_lenses_and_their_commands(client, tmp_path):
    script = tmp_path / "cpu.tick"
    text = "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage\" > 90)\n"
    script.write_text(text)
    uri = script.as_uri()
    await open_document(client, uri, text)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(doc(uri)))
    assert [lens.command.command for lens in lenses] == ["tickpy.explain", "tickpy.graph"]  # no test file yet
    (tmp_path / "cpu.tickpy.yaml").write_text("script: cpu.tick\npoints: |\n  cpu usage=95 0s\n"
                                             "expect: {counts: {crit: 1}}\n")
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(doc(uri)))
    assert [lens.command.title for lens in lenses] == ["explain", "graph", "run tests"]
    explained = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        "tickpy.explain", [uri]))
    graph = await client.workspace_execute_command_async(types.ExecuteCommandParams("tickpy.graph", [uri]))
    tested = await client.workspace_execute_command_async(types.ExecuteCommandParams("tickpy.runTests", [uri]))
    for command, answer in (("explain", explained), ("graph", graph)):
        done = subprocess.run([sys.executable, "-m", "tickpy", command, str(script)], capture_output=True, text=True)
        assert answer == done.stdout.rstrip("\n")  # what the CLI prints
    assert "PASS" in tested and "cpu.tickpy.yaml" in tested and "1 passed" in tested


def decode_semantic_tokens(text: str, data: list[int], legend: list[str]) -> list[tuple[str, str]]:
    """(text, type) of each token of LSP's relative encoding (columns in UTF-16 units = chars here)."""
    lines = text.split("\n")
    out, line, column = [], 0, 0
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, _ = data[index:index + 5]
        column = delta_start if delta_line else column + delta_start
        line += delta_line
        out.append((lines[line][column:column + length], legend[kind]))
    return out


async def test_semantic_tokens_of_lambdas_and_influxql(client):
    text = ("stream\n    |from()\n        .where(lambda: \"host\" =~ /web.*/ AND sigma(\"v\") > 3.0)\n"
            "    |alert()\n\nbatch\n    |query('SELECT mean(usage) FROM cpu WHERE time > now() - 1h')\n")
    await open_document(client, URI, text)
    legend = list(SEMANTIC_TYPES)  # the legend the server declares in its capabilities
    result = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(doc()))
    tokens = decode_semantic_tokens(text, result.data, legend)
    assert tokens == [
        ("lambda:", "keyword"), ('"host"', "property"), ("=~", "operator"), ("/web.*/", "regexp"),
        ("AND", "keyword"), ("sigma", "function"), ('"v"', "property"), (">", "operator"), ("3.0", "number"),
        ("SELECT", "keyword"), ("mean", "function"), ("usage", "variable"), ("FROM", "keyword"),
        ("cpu", "variable"), ("WHERE", "keyword"), ("time", "variable"), (">", "operator"),
        ("now", "function"), ("-", "operator"), ("1h", "number"),
    ]


async def test_completion_offers_test_point_fields_and_topic_names(client, tmp_path):
    script = tmp_path / "cpu.tick"
    text = "stream\n    |from()\n    |alert()\n        .crit(lambda: )\n        .topic('')\n"
    script.write_text(text)
    (tmp_path / "cpu.tickpy.yaml").write_text(
        "script: cpu.tick\npoints: |\n  cpu,host=a usage=95,load=2i 0s\n"
        "input_series:\n  - {measurement: cpu, tags: {dc: x}, field: iowait, values: '1 2'}\n"
        "expect: {counts: {}}\n")
    (tmp_path / "ops.yaml").write_text("id: ops\ntopic: ops_pager\nkind: log\noptions: {path: /tmp/x}\n")
    uri = script.as_uri()
    await open_document(client, uri, text)
    inside_lambda = await client.text_document_completion_async(types.CompletionParams(
        doc(uri), at(text, "lambda: ", len("lambda: "))))
    fields = {item.label: item.detail for item in inside_lambda.items if item.kind == types.CompletionItemKind.Field}
    assert fields == {'"dc"': "tag in test points", '"host"': "tag in test points",
                      '"iowait"': "field in test points", '"load"': "field in test points",
                      '"usage"': "field in test points"}
    topics = await client.text_document_completion_async(types.CompletionParams(
        doc(uri), at(text, ".topic('", len(".topic('"))))
    assert [(item.label, item.detail) for item in topics.items] == [("ops_pager", "topic of ops.yaml")]

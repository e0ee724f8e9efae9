"""`tickpy lsp`: the Language Server Protocol over pygls, wiring tickpy.lsp.analysis to editors.

Diagnostics are `tickpy validate`'s (published on open at once, on change after a short quiet
spell, so that a burst of keystrokes is checked once); formatting is `tickpy fmt`'s.
"""

from __future__ import annotations

import asyncio
import bisect
import re
import time

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from tickpy import __version__
from tickpy.diagnostics import ERROR, INFO, Diagnostic, TickpyError, byte_column_to_char_index
from tickpy.lsp import analysis
from tickpy.syntax import ast, format_source, parse

# A change is checked once no other change came for this long (the 200-line target is 50 ms),
# or for as long as the document's last check took, whichever is longer: while a long document
# is typed in, the server stays free to answer completion and hover between keystrokes.
DEBOUNCE_S = 0.01

_SEVERITY = {ERROR: lsp.DiagnosticSeverity.Error, INFO: lsp.DiagnosticSeverity.Information}
_COMPLETION_KIND = {
    "method": lsp.CompletionItemKind.Method,
    "property": lsp.CompletionItemKind.Property,
    "function": lsp.CompletionItemKind.Function,
    "variable": lsp.CompletionItemKind.Variable,
    "keyword": lsp.CompletionItemKind.Keyword,
    "field": lsp.CompletionItemKind.Field,
}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Positions:
    """Converts between tickpy's positions (1-based lines counted by "\\n", byte columns;
    character offsets) and the client's (0-based lines, columns in the negotiated units)."""

    def __init__(self, document: TextDocument):
        self.codec = document.position_codec
        self.source = document.source
        self.lines = self.source.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def from_byte_column(self, line: int, column: int) -> lsp.Position:
        if line < 1 or line > len(self.lines):
            return lsp.Position(0, 0) if line < 1 else self.from_offset(len(self.source))
        text = self.lines[line - 1]
        index = byte_column_to_char_index(text, column)
        return lsp.Position(line - 1, self.codec.client_num_units(text[:index]))

    def from_offset(self, offset: int) -> lsp.Position:
        line = bisect.bisect_right(self.starts, offset) - 1
        return lsp.Position(line, self.codec.client_num_units(self.lines[line][: offset - self.starts[line]]))

    def to_offset(self, position: lsp.Position) -> int:
        if position.line >= len(self.lines):
            return len(self.source)
        text = self.lines[position.line]
        units = 0
        for index, char in enumerate(text):
            if units >= position.character:
                return self.starts[position.line] + index
            units += self.codec.client_num_units(char)
        return self.starts[position.line] + len(text)

    def token_range(self, token) -> lsp.Range:
        return lsp.Range(self.from_offset(token.start_pos), self.from_offset(token.offset_end))

    def whole(self) -> lsp.Range:
        return lsp.Range(lsp.Position(0, 0), self.from_offset(len(self.source)))


def to_lsp(diagnostic: Diagnostic, positions: Positions) -> lsp.Diagnostic:
    start = positions.from_byte_column(diagnostic.line, diagnostic.column)
    end = positions.from_byte_column(diagnostic.end_line or diagnostic.line, diagnostic.end_column or diagnostic.column)
    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    return lsp.Diagnostic(
        range=lsp.Range(start, end),
        message=message,
        severity=_SEVERITY.get(diagnostic.severity, lsp.DiagnosticSeverity.Warning),
        code=diagnostic.code or None,
        source="tickpy",
        # The diagnostic as `tickpy validate --format json` gives it (byte columns, hint apart).
        data=diagnostic.to_json(),
    )


def document_path(uri: str) -> str:
    return to_fs_path(uri) or uri


def make_server() -> LanguageServer:
    server = LanguageServer("tickpy", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
    pending: dict[str, asyncio.TimerHandle] = {}
    check_seconds: dict[str, float] = {}

    def publish(uri: str) -> None:
        pending.pop(uri, None)
        started = time.perf_counter()
        document = server.workspace.get_text_document(uri)
        positions = Positions(document)
        path = document_path(uri)
        if analysis.is_handler_file(path, document.source):
            found = analysis.handler_diagnostics(document.source)
        elif path.endswith((".yaml", ".yml", ".json")):
            return  # not a handler file: nothing of ours
        else:
            found = analysis.diagnostics_of(document.source, path)
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=[to_lsp(d, positions) for d in found]))
        check_seconds[uri] = time.perf_counter() - started

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in pending:
            pending[uri].cancel()
        delay = max(DEBOUNCE_S, check_seconds.get(uri, 0.0))
        pending[uri] = asyncio.get_running_loop().call_later(delay, publish, uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in pending:
            pending.pop(uri).cancel()
        check_seconds.pop(uri, None)
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def formatting(params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        try:
            formatted = format_source(document.source, document_path(document.uri))
        except TickpyError:
            return None  # a script that does not parse is left as it is; its diagnostics say why
        if formatted == document.source:
            return []
        return [lsp.TextEdit(range=Positions(document).whole(), new_text=formatted)]

    @server.feature(lsp.TEXT_DOCUMENT_RANGE_FORMATTING)
    def range_formatting(params: lsp.DocumentRangeFormattingParams) -> list[lsp.TextEdit] | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        edits = analysis.range_format_edits(document.source, document_path(document.uri),
                                            params.range.start.line, params.range.end.line)
        if edits is None:
            return None  # a script that does not parse is left as it is; its diagnostics say why
        return [lsp.TextEdit(range=lsp.Range(lsp.Position(first, 0), lsp.Position(end, 0)), new_text=text)
                for first, end, text in edits]

    @server.feature(lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
                    lsp.SemanticTokensLegend(token_types=list(analysis.SEMANTIC_TYPES), token_modifiers=[]))
    def semantic_tokens(params: lsp.SemanticTokensParams) -> lsp.SemanticTokens:
        document = server.workspace.get_text_document(params.text_document.uri)
        return lsp.SemanticTokens(data=encode_semantic_tokens(analysis.semantic_tokens(document.source),
                                                              Positions(document)))

    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
        """Explain, graph and (when a test file runs the script) run its tests, above line 1."""
        uri = params.text_document.uri
        if not document_path(uri).endswith(".tick"):
            return []
        top = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
        wanted = [name for name in analysis.COMMANDS
                  if name != "tickpy.runTests" or analysis.tests_of(document_path(uri))]
        return [lsp.CodeLens(range=top, command=lsp.Command(title=analysis.COMMANDS[name], command=name, arguments=[uri]))
                for name in wanted]

    def _shown(text: str) -> str:
        """The command's answer, also shown to the user (a client may do nothing with a result)."""
        server.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Info, message=text))
        return text

    @server.command("tickpy.explain")
    def explain_command(ls: LanguageServer, uri: str) -> str:
        document = server.workspace.get_text_document(uri)
        return _shown(analysis.explain_of(document.source, document_path(uri)))

    @server.command("tickpy.graph")
    def graph_command(ls: LanguageServer, uri: str) -> str:
        document = server.workspace.get_text_document(uri)
        return _shown(analysis.graph_of(document.source, document_path(uri)))

    @server.command("tickpy.runTests")
    def run_tests_command(ls: LanguageServer, uri: str) -> str:
        return _shown(analysis.run_tests_of(document_path(uri)))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["|", "."]))
    def completion(params: lsp.CompletionParams) -> lsp.CompletionList:
        document = server.workspace.get_text_document(params.text_document.uri)
        offset = Positions(document).to_offset(params.position)
        items = [
            lsp.CompletionItem(
                label=candidate.label,
                kind=_COMPLETION_KIND[candidate.kind],
                detail=candidate.detail or None,
                documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, candidate.documentation)
                if candidate.documentation else None,
            )
            for candidate in analysis.completions(document.source, offset, document_path(document.uri))
        ]
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        positions = Positions(document)
        found = analysis.hover(document.source, positions.to_offset(params.position))
        if found is None:
            return None
        text, token = found
        return lsp.Hover(contents=lsp.MarkupContent(lsp.MarkupKind.Markdown, text), range=positions.token_range(token))

    @server.feature(lsp.TEXT_DOCUMENT_SIGNATURE_HELP, lsp.SignatureHelpOptions(trigger_characters=["(", ","]))
    def signature_help(params: lsp.SignatureHelpParams) -> lsp.SignatureHelp | None:
        document = server.workspace.get_text_document(params.text_document.uri)
        found = analysis.signatures(document.source, Positions(document).to_offset(params.position))
        if not found or not found[0]:
            return None
        candidates, argument = found
        return lsp.SignatureHelp(
            signatures=[
                lsp.SignatureInformation(
                    label=candidate.label,
                    documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, candidate.documentation)
                    if candidate.documentation else None,
                    parameters=[lsp.ParameterInformation(label=name) for name in candidate.parameters],
                )
                for candidate in candidates
            ],
            active_signature=0,
            active_parameter=argument,
        )

    def occurrences(uri: str, position: lsp.Position):
        document = server.workspace.get_text_document(uri)
        positions = Positions(document)
        return positions, analysis.var_occurrences(document.source, positions.to_offset(position))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(params: lsp.DefinitionParams) -> lsp.Location | None:
        positions, tokens = occurrences(params.text_document.uri, params.position)
        if not tokens:
            return None
        return lsp.Location(params.text_document.uri, positions.token_range(tokens[0]))

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(params: lsp.ReferenceParams) -> list[lsp.Location]:
        positions, tokens = occurrences(params.text_document.uri, params.position)
        if not params.context.include_declaration:
            tokens = tokens[1:]
        return [lsp.Location(params.text_document.uri, positions.token_range(token)) for token in tokens]

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(params: lsp.PrepareRenameParams) -> lsp.Range | None:
        positions, tokens = occurrences(params.text_document.uri, params.position)
        offset = positions.to_offset(params.position)
        here = [t for t in tokens if t.start_pos <= offset <= t.offset_end]
        return positions.token_range(here[0]) if here else None

    @server.feature(lsp.TEXT_DOCUMENT_RENAME)
    def rename(params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        if not _WORD.fullmatch(params.new_name) or params.new_name in analysis.RESERVED:
            raise ValueError(f"{params.new_name!r} cannot name a var")
        positions, tokens = occurrences(params.text_document.uri, params.position)
        if not tokens:
            return None
        edits = [lsp.TextEdit(positions.token_range(token), params.new_name) for token in tokens]
        return lsp.WorkspaceEdit(changes={params.text_document.uri: edits})

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        document = server.workspace.get_text_document(params.text_document.uri)
        return symbols(document.source, Positions(document))

    return server


def encode_semantic_tokens(tokens: list[tuple[int, int, str]], positions: Positions) -> list[int]:
    """LSP's relative encoding (line delta, start delta, length, type, modifiers) of tokens
    given by character offsets; a token that spans lines (a multi-line string) is left out."""
    data: list[int] = []
    line = column = 0
    for start, end, kind in tokens:
        first, last = positions.from_offset(start), positions.from_offset(end)
        if first.line != last.line:
            continue
        data += [first.line - line, first.character - (column if first.line == line else 0),
                 last.character - first.character, analysis.SEMANTIC_TYPES.index(kind), 0]
        line, column = first.line, first.character
    return data


def symbols(source: str, positions: Positions) -> list[lsp.DocumentSymbol]:
    """A symbol per var and per pipeline (a statement that is not a declaration); vars only,
    from the tokens, when the script does not parse."""
    try:
        program = parse(source)
    except TickpyError:
        return [_var_symbol(name, kind, positions.token_range(token), positions.token_range(token))
                for name, token, kind in analysis.declarations(source)]
    kinds = {name: kind for name, _token, kind in analysis.declarations(source)}
    found = []
    for statement in program.statements:
        span = statement.span
        whole = lsp.Range(positions.from_offset(span.offset), positions.from_offset(span.end_offset))
        if isinstance(statement, (ast.Declaration, ast.TypeDeclaration)):
            name_span = statement.name.span
            selection = lsp.Range(positions.from_offset(name_span.offset), positions.from_offset(name_span.end_offset))
            found.append(_var_symbol(statement.name.name, kinds.get(statement.name.name), whole, selection))
        elif not isinstance(statement, ast.DBRP):
            text = source[span.offset:span.end_offset]
            title = " ".join(text.split())
            found.append(lsp.DocumentSymbol(name=title if len(title) <= 60 else title[:59] + "…", detail="pipeline",
                                            kind=lsp.SymbolKind.Event, range=whole, selection_range=whole))
    return found


def _var_symbol(name: str, kind, whole: lsp.Range, selection: lsp.Range) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(name=name, detail=kind.type if kind else None, kind=lsp.SymbolKind.Variable,
                              range=whole, selection_range=selection)


def serve(port: int | None = None) -> None:
    server = make_server()
    if port is None:
        server.start_io()
    else:
        server.start_tcp("127.0.0.1", port)

"""A real LSP client (pytest-lsp) driving `tickpy lsp` over stdio in a subprocess."""

from __future__ import annotations

import sys

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="the LSP tests need pytest-lsp (the `test` extra)")
from lsprotocol import types  # noqa: E402 (after the skip above)
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "tickpy", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=client_capabilities("neovim")))
    yield
    await lsp_client.shutdown_session()


async def open_document(client: LanguageClient, uri: str, text: str) -> list[types.Diagnostic]:
    """Opens a document and returns the diagnostics the server publishes for it."""
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="tickscript", version=1, text=text)))
    # The client keeps every publication in `diagnostics`; one that came while another woke
    # this loop is found there.
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])

"""`tickpy lsp --tcp PORT` (for debugging) serves the same protocol on a TCP port."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

pytestmark = pytest.mark.asyncio


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def connected(port: int, server: subprocess.Popen) -> LanguageClient:
    """A client connected to the server once it listens (polled until then: the server takes
    one connection, so the client's own attempt is the probe)."""
    deadline = time.monotonic() + 60
    while True:
        client = LanguageClient("tcp-test", "1")
        try:
            await client.start_tcp("127.0.0.1", port)
            return client
        except ConnectionRefusedError:
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "tickpy lsp --tcp did not listen within 60 s"
            await asyncio.sleep(0.05)


async def test_tcp_serves_diagnostics():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tickpy", "lsp", "--tcp", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        client = await connected(port, server)
        published: asyncio.Queue = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            published.put_nowait(params)

        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        client.initialized(types.InitializedParams())
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri="file:///tmp/tcp.tick", language_id="tickscript", version=1, text="stream|from(\n")))
        params = await asyncio.wait_for(published.get(), 60)
        assert [d.code for d in params.diagnostics] == ["syntax"]
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    finally:
        server.terminate()
        server.wait(30)

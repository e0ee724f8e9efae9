"""Benchmark: how long after a change `tickpy lsp` publishes the diagnostics of a 200-line
script (issue 19's target: 50 ms), measured from a real LSP client (pygls's) over stdio:
the time from sending didChange to receiving publishDiagnostics, the debounce included.

    python bench/bench_lsp.py [--lines 200] [--changes 30] [--budget 0.05]

Prints the median and worst latency, and the server's CPU time per change (from /proc: the
fairer figure on a shared machine); exits 1 when the median exceeds the budget.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

from lsprotocol import types
from pygls.lsp.client import LanguageClient

PIPELINE = """// pipeline {n}
var data{n} = stream
    |from()
        .measurement('cpu{n}')
        .groupBy('host')
    |window()
        .period(5m)
        .every(1m)
data{n}
    |mean('usage_idle')
    |alert()
        .crit(lambda: "mean" < {n} AND isPresent("mean"))
        .message('{{{{ .ID }}}} is {{{{ .Level }}}}')
        .log('/tmp/alerts{n}.log')
"""


def script(lines: int) -> str:
    text, n = "", 0
    while text.count("\n") < lines:
        text += PIPELINE.format(n=n)
        n += 1
    return "\n".join(text.split("\n")[:lines]) + "\n"


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(lines: int, changes: int) -> tuple[list[float], float]:
    client = LanguageClient("bench", "1")
    published: asyncio.Queue = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait((time.perf_counter(), params))

    await client.start_io(sys.executable, "-m", "tickpy", "lsp")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = "file:///tmp/bench-lsp.tick"
    text = script(lines)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="tickscript", version=1, text=text)))
    await published.get()
    latencies = []
    cpu_before = cpu_seconds(client._server.pid)
    for version in range(2, changes + 2):
        # one keystroke on the last alert's threshold (incremental sync)
        line = text.split("\n").index(next(x for x in reversed(text.split("\n")) if "crit(" in x))
        column = text.split("\n")[line].index("<") + 2
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, column), types.Position(line, column + 1)), text=str(version % 10))
        sent = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]))
        received, params = await published.get()
        assert params.version == version and params.diagnostics is not None
        latencies.append(received - sent)
    cpu_per_change = (cpu_seconds(client._server.pid) - cpu_before) / changes
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return latencies, cpu_per_change


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--budget", type=float, default=0.05)
    options = parser.parse_args()
    latencies, cpu_per_change = asyncio.run(measure(options.lines, options.changes))
    median = statistics.median(latencies)
    print(f"{options.lines}-line script, {len(latencies)} changes: diagnostics after a change in "
          f"{median * 1000:.1f} ms median, {max(latencies) * 1000:.1f} ms worst (budget {options.budget * 1000:.0f} ms); "
          f"server CPU {cpu_per_change * 1000:.1f} ms per change")
    return 0 if median <= options.budget else 1


if __name__ == "__main__":
    sys.exit(main())

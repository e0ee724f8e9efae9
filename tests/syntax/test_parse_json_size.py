"""`tickpy parse --json` writes one line per document, its size linear in the script's (QA #27:
indentation made an 800-link chain 12 MB and a 20,000-link chain ran out of memory)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def parse_json(path: Path, *options: str) -> bytes:
    result = run_cli("parse", "--json", *options, path, text=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_output_grows_linearly_with_chain_length(tmp_path):
    sizes = {}
    for links in (2_000, 20_000):
        script = tmp_path / f"chain{links}.tick"
        script.write_text("stream" + "|from()" * links + "\n")
        output = parse_json(script)
        assert output.count(b"\n") == 1  # one document, one line
        assert output.count(b'"type": "Chain"') == links
        sizes[links] = len(output)
    assert sizes[20_000] < 10.5 * sizes[2_000]


def test_indent_option_gives_the_same_document_readably(tmp_path):
    script = tmp_path / "task.tick"
    script.write_text("stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: \"usage\" > 90)\n")
    compact = parse_json(script)
    indented = parse_json(script, "--indent", "2")
    assert json.loads(compact) == json.loads(indented)
    assert b'\n  "ast": {\n    "type": "Program"' in indented

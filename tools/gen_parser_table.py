"""Write grammar/tickscript.table.json, the LALR table of grammar/tickscript.lark.

Usage: python tools/gen_parser_table.py

Run it after every change to the grammar: tickpy parses with this table (Lark is needed only
to compute it), and tests/syntax/test_parser_table.py fails while it is stale.
"""

from __future__ import annotations

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def dumps(table: dict) -> str:
    """JSON with one line per rule and per state, so that a grammar change reads as a diff."""
    lines = ["{"]
    for key, value in table.items():
        if isinstance(value, list):
            items = ",\n".join(f"  {json.dumps(item, sort_keys=True)}" for item in value)
            lines.append(f" {json.dumps(key)}: [\n{items}\n ],")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, sort_keys=True)},")
    lines[-1] = lines[-1].rstrip(",")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    # The checkout's tickpy, whatever is installed: the table is written beside its grammar.
    sys.path.insert(0, str(ROOT))
    from tickpy.syntax.parser import GRAMMAR_PATH, TABLE_PATH, build_table

    grammar = pathlib.Path(GRAMMAR_PATH).read_text(encoding="utf-8")
    pathlib.Path(TABLE_PATH).write_text(dumps(build_table(grammar)), encoding="utf-8")
    print(f"wrote {TABLE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

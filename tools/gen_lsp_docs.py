"""Generate tickpy/lsp/docs.json, the hover documentation of `tickpy lsp`, from the doc comments
of Kapacitor's pipeline package (the same commit as tickpy/check/catalogue.json).

    python tools/gen_lsp_docs.py [KAPACITOR_GIT_DIR]    (default: $TICKPY_KAPACITOR_SRC)

Keys: a type name (`WindowNode`) for the comment on its struct, and `Receiver.GoName`
(`chainnode.Window`, `WindowNode.Period`, `AlertNodeData.Slack`) for the comment on a method or
a struct field, the names tickpy/check/catalogue.json uses. Comments marked `tick:ignore` are
left out; `tick:...` marker lines are dropped; indented example blocks become fenced code.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

COMMIT = "7702d12d3565322d70a8b88273b218e6f11f8ab6"
OUT = pathlib.Path(__file__).resolve().parent.parent / "tickpy" / "lsp" / "docs.json"

_TYPE = re.compile(r"^type (\w+) struct\b")
_METHOD = re.compile(r"^func \(\w+ \*?(\w+)\) ([A-Z]\w*)\(")
_FIELD = re.compile(r"^\t([A-Z]\w*)\s+[^\s(]")


def _git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def _markdown(comment: list[str]) -> str | None:
    """A Go doc comment as Markdown, or None when it is marked tick:ignore."""
    if any(line.strip() == "tick:ignore" for line in comment):
        return None
    out: list[str] = []
    in_code = False
    for line in comment:
        if line.strip().startswith("tick:"):
            continue
        code = line.startswith(("\t", "    ")) and line.strip()
        if code and not in_code:
            out.append("```tickscript")
            in_code = True
        elif not code and in_code and line.strip():
            _close_code(out)
            in_code = False
        out.append(line[1:] if code and line.startswith("\t") else line[4:] if code else line)
    if in_code:
        _close_code(out)
    return "\n".join(out).strip() or None


def _close_code(out: list[str]) -> None:
    blank = 0
    while out and not out[-1].strip():
        out.pop()
        blank += 1
    out.append("```")
    out.extend([""] * blank)


def extract(source: str) -> dict[str, str]:
    docs: dict[str, str] = {}
    comment: list[str] = []
    struct: str | None = None
    for raw in source.splitlines():
        stripped = raw.strip()
        if stripped.startswith("//"):
            text = stripped[2:]
            comment.append(text[1:] if text.startswith(" ") else text)
            continue
        key = None
        if struct is not None and raw.startswith("}"):
            struct = None
        elif struct is not None and (match := _FIELD.match(raw)):
            key = f"{struct}.{match.group(1)}"
        elif match := _TYPE.match(raw):
            key = match.group(1)
            struct = None if raw.rstrip().endswith("}") else key
        elif match := _METHOD.match(raw):
            key = f"{match.group(1)}.{match.group(2)}"
        if key and comment:
            text = _markdown(comment)
            if text:
                docs[key] = text
        comment = []
    return docs


def main() -> None:
    repo = sys.argv[1] if len(sys.argv) > 1 else os.environ["TICKPY_KAPACITOR_SRC"]
    names = _git(repo, "ls-tree", "--name-only", COMMIT, "pipeline/").split()
    docs: dict[str, str] = {}
    for name in sorted(names):
        if name.endswith(".go") and not name.endswith("_test.go"):
            docs.update(extract(_git(repo, "show", f"{COMMIT}:{name}")))
    license_text = _git(repo, "show", f"{COMMIT}:LICENSE")
    data = {
        "source": f"the doc comments of Kapacitor's pipeline/*.go at commit {COMMIT}, under Kapacitor's license",
        "license": license_text.strip().splitlines(),
        "docs": dict(sorted(docs.items())),
    }
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(docs)} entries -> {OUT}")


if __name__ == "__main__":
    main()

"""`--update`: write what the runs produced into the test file as the new expectations.

Only the `expect:` block of each updated case is rewritten (or added at the end of the case);
the rest of the file, comments included, stays as it was."""

from __future__ import annotations

import re

import yaml

from tickpy.testing.runner import FlowMapping
from tickpy.testing.spec import TestFileError

__all__ = ["update_file", "dump_expect"]


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        # A list under a key is indented below it (`alerts:` then `  - level: ...`), as people
        # write it, not at the key's own column (PyYAML's default).
        return super().increase_indent(flow, False)


def _scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _represent_dict(dumper, data):
    # Small mappings of plain values (tags, fields, one delivery) fit on one line.
    flow = isinstance(data, FlowMapping) or (len(data) <= 8 and all(_scalar(v) for v in data.values()))
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper, data):
    flow = bool(data) and all(_scalar(v) for v in data) and sum(len(str(v)) + 2 for v in data) <= 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(FlowMapping, _represent_dict)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump_expect(expect: dict, indent: int) -> str:
    """The YAML block of an `expect:` mapping, each line indented by `indent` spaces."""
    text = yaml.dump(expect, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=4096)
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in text.rstrip("\n").split("\n"))


def _last_end(node) -> int:
    """Where the node's last character ends (not the next token, so comments after it stay)."""
    if isinstance(node, yaml.ScalarNode):
        return node.end_mark.index
    if node.flow_style:
        return node.end_mark.index
    children = node.value if isinstance(node, yaml.SequenceNode) else [part for pair in node.value for part in pair]
    return max((_last_end(child) for child in children), default=node.start_mark.index)


def _trim(text: str, end: int) -> int:
    """Back over the line breaks a block scalar's end includes."""
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _case_nodes(root, path: str) -> list:
    if not isinstance(root, yaml.MappingNode):
        raise TestFileError(path, "not a mapping")
    for key, value in root.value:
        if key.value == "tests":
            if not isinstance(value, yaml.SequenceNode):
                raise TestFileError(path, "`tests` is not a list")
            return list(value.value)
    return [root]


def update_file(path: str, new_expects: dict[int, dict]) -> bool:
    """Rewrite the `expect:` of the cases given by index (-1: the file is the case). True when
    the file changed."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    nodes = _case_nodes(root, path)
    edits: list[tuple[int, int, str]] = []
    for index, expect in new_expects.items():
        node = nodes[0] if index < 0 else nodes[index]
        if not isinstance(node, yaml.MappingNode) or node.flow_style:
            raise TestFileError(path, f"cannot update case {index}: write it as a block mapping",
                                node.start_mark.line + 1)
        column = node.value[0][0].start_mark.column if node.value else node.start_mark.column
        entry = next(((k, v) for k, v in node.value if k.value == "expect"), None)
        if entry is not None:
            key, value = entry
            start = key.end_mark.index
            end = max(_trim(text, _last_end(value)), start)
            # Comments on the `expect:` line and after the old value stay, on the `expect:` line.
            comments = []
            head = re.match(r"[ \t]*:[ \t]*(#[^\n]*)?", text[start:])
            if head and head.group(1):
                comments.append(head.group(1))
            tail = re.match(r"[ \t]*(#[^\n]*)", text[end:])
            if tail and end > value.start_mark.index:
                comments.append(tail.group(1))
                end += tail.end()
            edits.append((start, end, _with_comment("  ".join(comments) or None, expect, column)))
        else:
            end = _trim(text, _last_end(node))
            block = "\n" + " " * column + "expect:" + ("\n" + dump_expect(expect, column + 2) if expect else " {}")
            edits.append((end, end, block))
    new_text = text
    for start, end, replacement in sorted(edits, reverse=True):
        new_text = new_text[:start] + replacement + new_text[end:]
    if not new_text.endswith("\n"):
        new_text += "\n"
    if new_text == text:
        return False
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(new_text)
    return True


def _with_comment(comment: str | None, expect: dict, column: int) -> str:
    head = ":" + (f"  {comment}" if comment else "")
    if not expect:
        return ": {}" + (f"  {comment}" if comment else "")
    return head + "\n" + dump_expect(expect, column + 2)

"""Go's regexp package over RE2 (Go's regexp is RE2's syntax): the compile errors in Go's
words, and ReplaceAllString with Go's `$` expansion."""

from __future__ import annotations

import re

_RE2_OPTIONS = None

# RE2's wording -> Go regexp's.
_GO_REGEX_MESSAGES = [
    ("missing ): ", "missing closing ): "),
    ("missing ]: ", "missing closing ]: "),
    ("unexpected ): ", "unexpected ): "),
    ("bad repetition operator: ", "invalid nested repetition operator: "),
    ("no argument for repetition operator: ", "missing argument to repetition operator: "),
    ("invalid repetition size: ", "invalid repeat count: "),
    ("invalid character class range: ", "invalid character class range: "),
    ("invalid character class: ", "invalid character class: "),
    ("invalid escape sequence: ", "invalid escape sequence: "),
    ("invalid perl operator: ", "invalid or unsupported Perl syntax: "),
    ("invalid named capture group: ", "invalid named capture: "),
    ("bad named capture group: ", "invalid named capture: "),
    ("duplicate capture group name: ", "duplicate capture group name: "),
    ("invalid UTF-8: ", "invalid UTF-8: "),
]


_UNDECODABLE_BYTE = re.compile("[\udc80-\udcff]").search


def compile_error(pattern: str) -> str | None:
    """Why Go's regexp.Compile refuses `pattern`, as its *syntax.Error says it after
    "error parsing regexp: " (e.g. "missing closing ): `(a`"); None when it compiles."""
    global _RE2_OPTIONS
    import re2  # local: the extension loads only when a script has a regex literal

    if _RE2_OPTIONS is None:
        _RE2_OPTIONS = re2.Options()
        _RE2_OPTIONS.log_errors = False
    if _UNDECODABLE_BYTE(pattern):  # a byte that is not UTF-8 (kept as a surrogate escape)
        return f"invalid UTF-8: `{pattern}`"
    # RE2 takes `\C` (any byte); Go's regexp does not.
    index = pattern.find("\\")
    while index != -1 and index + 1 < len(pattern):
        if pattern[index + 1] == "C":
            return "invalid escape sequence: `\\C`"
        index = pattern.find("\\", index + 2)
    try:
        re2.compile(pattern, options=_RE2_OPTIONS)
        return None
    except Exception as error:  # re2.error carries bytes
        reason = error.args[0] if error.args else str(error)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        reason = str(reason)
        if reason.startswith("trailing \\"):
            return "trailing backslash at end of expression: ``"
        for prefix, go_prefix in _GO_REGEX_MESSAGES:
            if reason.startswith(prefix):
                return f"{go_prefix}`{reason[len(prefix):]}`"
        return reason


def _extract_name(text: str) -> tuple[str | None, str]:
    """Go's extract: the name after a `$` (`1`, `name`, `{name}`) and what follows it."""
    brace = text.startswith("{")
    body = text[1:] if brace else text
    length = 0
    for char in body:
        if char == "_" or char.isalpha() or char.isdigit():
            length += 1
        else:
            break
    if length == 0:
        return None, text
    name = body[:length]
    if brace:
        if body[length : length + 1] != "}":
            return None, text
        return name, body[length + 1 :]
    return name, body[length:]


def _group_number(name: str) -> int:
    number = 0
    for char in name:
        if not ("0" <= char <= "9") or number >= 100000000:
            return -1
        number = number * 10 + ord(char) - 48
    if name[0] == "0" and len(name) > 1:
        return -1
    return number


def expand(template: str, match, group_names: dict[str, int]) -> str:
    """Go's Regexp.Expand of `$1`, `${name}`, `$$` in a replacement, for one match."""
    out = []
    rest = template
    while rest:
        before, sep, after = rest.partition("$")
        if not sep:
            break
        out.append(before)
        rest = after
        if rest.startswith("$"):
            out.append("$")
            rest = rest[1:]
            continue
        name, tail = _extract_name(rest)
        if name is None:
            out.append("$")
            continue
        rest = tail
        number = _group_number(name)
        group = number if number >= 0 else group_names.get(name, -1)
        if 0 <= group <= match.re.groups:
            value = match.group(group)
            if value is not None:
                out.append(value)
    out.append(rest)
    return "".join(out)


def replace_all_string(compiled, source: str, replacement: str) -> str:
    """Go's Regexp.ReplaceAllString (with `$` expansion) for a compiled RE2 pattern."""
    group_names = dict(getattr(compiled, "groupindex", {}) or {})
    out = []
    last_end = 0
    position = 0
    while position <= len(source):
        match = compiled.search(source, position)
        if match is None:
            break
        start, end = match.span()
        out.append(source[last_end:start])
        if end > last_end or start == 0:
            out.append(expand(replacement, match, group_names))
        last_end = end
        if position + 1 > end:
            position += 1
        else:
            position = end
    out.append(source[last_end:])
    return "".join(out)

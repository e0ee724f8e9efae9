"""Fuzz target: Go templates as an alert node's .id(), .message() and .details() use them
(text/template, and html/template with json/jsonCompact for details), parsed and executed
over alert data.

Only TemplateError (Go's parse or execution error, Kapacitor's exact text) may come out, never
another exception, a RecursionError or a hang; and the compiled fast renderers give the typed
reference's bytes. Inputs: templates built from real fragments (actions, pipelines, every
builtin function, variables, if/range/with/else/define/template/block, comments, trim markers,
literals of each kind, deep nesting) and byte mutations of the conformance templates."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from tests.alerting.test_alert_fast_paths import INPUT_ALPHABET, fast_render, typed_render
from tests.fuzz.support import as_text, bounded_time, corpus_files, fuzz_settings, mutated
from tickpy.check import alert_templates as template_data

DOTS = [".", ".ID", ".Name", ".TaskName", ".Group", ".Tags", ".Fields", ".Level", ".Time", ".Duration", ".Message",
        ".Tags.host", ".Fields.value", ".Time.Unix", ".Time.Format", ".Duration.Seconds", ".Nope", ".ID.x",
        "$", "$x", "$.Name", "$x.y", "nil"]
LITERALS = ['"s"', '"a\\"b"', '"\\u00e9"', "`raw`", "'a'", "'\\n'", "1", "-1", "0x1F", "0o17", "1e3", "1.5",
            "1_000", "9223372036854775808", "1i", "true", "false", '"%s"', '"%v %d %q"', '"2006-01-02"']
FUNCTIONS = ["printf", "print", "println", "len", "index", "slice", "eq", "ne", "lt", "le", "gt", "ge", "and", "or",
             "not", "html", "js", "urlquery", "call", "json", "jsonCompact", "nope"]
TEXTS = ["", "x", " ", "\n", "<b>", "&", "{", "}", "é", "\x00", "{{", "}}"]


def operand(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(DOTS + LITERALS)
    if depth >= 2:
        return leaf
    return st.one_of(leaf, pipeline(depth + 1).map(lambda p: f"({p})"))


def pipeline(depth: int = 0) -> st.SearchStrategy[str]:
    command = st.one_of(
        operand(depth),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(operand(depth), max_size=3)).map(
            lambda t: " ".join([t[0], *t[1]])),
    )
    chain = st.lists(command, min_size=1, max_size=3).map(" | ".join)
    return st.tuples(st.sampled_from(["", "$x := ", "$x = ", "$i, $v := "]), chain).map("".join)


def action() -> st.SearchStrategy[str]:
    trim = st.sampled_from([("{{", "}}"), ("{{- ", " -}}"), ("{{-", "}}")])
    return st.tuples(trim, pipeline()).map(lambda t: f"{t[0][0]}{t[1]}{t[0][1]}")


def body(depth: int = 0) -> st.SearchStrategy[str]:
    simple = st.one_of(st.sampled_from(TEXTS), action(), st.sampled_from(["{{/* c */}}", "{{- /* c */ -}}",
                                                                           "{{ break }}", "{{ continue }}"]))
    if depth >= 3:
        return simple
    inner = st.deferred(lambda: body(depth + 1))
    block = st.tuples(st.sampled_from(["if", "range", "with"]), pipeline(), inner,
                      st.sampled_from(["", "{{ else }}x", "{{ else if .Name }}y", "{{ else with .ID }}z"])).map(
        lambda t: f"{{{{ {t[0]} {t[1]} }}}}{t[2]}{t[3]}{{{{ end }}}}")
    named = st.tuples(st.sampled_from(["define", "block"]), inner).map(
        lambda t: f'{{{{ {t[0]} "n" {"." if t[0] == "block" else ""}}}}}{t[1]}{{{{ end }}}}{{{{ template "n" . }}}}')
    # Nested ranges are left out: html/template escapes a range's body twice (the context after
    # one and after two iterations must agree), in Go as here, so the time doubles per level.
    deep = st.tuples(st.sampled_from([10, 100, 200, 1000, 5000]), st.sampled_from(["if", "with", "("])).map(
        lambda t: ("{{ " + "(" * t[0] + ".Name" + ")" * t[0] + " }}") if t[1] == "(" else
        (f"{{{{ {t[1]} .Name }}}}" * t[0] + "x" + "{{ end }}" * t[0]))
    parts = st.lists(st.one_of(simple, block, named), max_size=4).map("".join)
    return st.one_of(parts, deep) if depth == 0 else parts


TEXT = st.lists(st.sampled_from(INPUT_ALPHABET), max_size=6).map("".join)
FIELD_VALUE = st.one_of(st.floats(), st.sampled_from([math.nan, math.inf, 1.5]), st.integers(-(2**63), 2**63 - 1),
                        TEXT, st.booleans(), st.none())
EVENT = st.fixed_dictionaries({
    "name": TEXT, "task_name": TEXT, "group": st.sampled_from(["nil", "host=a"]) | TEXT,
    "tags": st.dictionaries(TEXT, TEXT, max_size=3), "fields": st.dictionaries(TEXT, FIELD_VALUE, max_size=4),
    "level": st.sampled_from(["OK", "INFO", "WARNING", "CRITICAL"]),
    "time_ns": st.integers(-70_000_000_000_000_000_000, 260_000_000_000_000_000_000) | st.just(1_700_000_000 * 10**9),
    "duration_ns": st.integers(0, 1 << 62),
})

_CASES = [json.loads(line) for path in corpus_files("templates/cases.jsonl")
          for line in path.read_text(encoding="utf-8").split("\n") if line]
SEEDS = sorted({case["template"].encode() for case in _CASES} | {b"{{ .ID }} is {{ .Level }}"})
FRAGMENTS = [text.encode() for text in ["{{", "}}", "{{-", "-}}", "|", "$x", ":=", "(", ")", '"', "`", "end", "else",
                                        "if ", "range ", "with ", "define ", "template ", "/*", "*/", " ", "."]
             + DOTS + FUNCTIONS + LITERALS]


def render(texts: dict, event: dict) -> None:
    with bounded_time():
        try:
            fast = template_data.compile_alert_templates(texts["id"], texts["message"], texts["details"])
            typed = template_data.compile_alert_templates(texts["id"], texts["message"], texts["details"])
        except template_data.TemplateError:
            return
        expected = typed_render(typed, event)
        got = fast_render(fast, event)
    if got[2] is None and got[1].startswith("error: "):
        # the message or the details failed: one error, the first the reference met
        failed = expected[1] if expected[1].startswith("error: ") else expected[2]
        assert (got[0], got[1]) == (expected[0], failed)
    else:
        assert got == expected


@fuzz_settings(80)
@given(st.sampled_from(["id", "message", "details"]), body(), EVENT)
def test_structured_templates(kind, text, event):
    texts = {"id": None, "message": None, "details": None, kind: text}
    render(texts, event)


@fuzz_settings(80)
@given(st.sampled_from(["id", "message", "details"]), mutated(SEEDS, FRAGMENTS).map(as_text), EVENT)
def test_mutated_corpus_templates(kind, text, event):
    texts = {"id": None, "message": None, "details": None, kind: text}
    render(texts, event)

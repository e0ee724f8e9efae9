"""Fuzz target: topic handler files (YAML and JSON), as `tickpy handlers check` and
`tickpy run --handlers` load them, match expressions included.

Neither may raise anything but the positioned handler-file error (HandlerLoadError for run;
check reports diagnostics with a path, line and column), and with a configuration both give
the same verdict. Inputs: handler documents of every kind built from valid options with
values, keys, nesting and match expressions drawn from real fragments, rendered as YAML or
JSON, and byte mutations of those renderings and of the samples' handler files."""

from __future__ import annotations

import json
import pathlib
import tempfile

import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.alerting.test_handler_files_fuzz import CONFIG, MATCHES, VALID_OPTIONS, VALUES, check_verdict
from tests.fuzz.grammar import expression
from tests.fuzz.support import ROOT, as_text, bounded_time, fuzz_settings, mutated
from tickpy.alerting.kinds import HANDLER_KINDS
from tickpy.alerting.service import AlertService, HandlerLoadError

_TEMPORARY = tempfile.TemporaryDirectory(prefix="tickpy-fuzz-handlers-")  # removed when the run ends
FOLDER = pathlib.Path(_TEMPORARY.name)
CONFIG_PATH = FOLDER / "kapacitor.conf"
CONFIG_PATH.write_text(CONFIG)

SCALARS = st.sampled_from(VALUES) | st.text(max_size=6) | st.integers() | st.floats()
KEYS = st.sampled_from(["id", "topic", "kind", "match", "options", "Kind", "option", "url", "address", "x"])


def nested(levels: int, value):
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


@st.composite
def documents(draw):
    kind = draw(st.sampled_from(sorted(HANDLER_KINDS)))
    options = dict(VALID_OPTIONS[kind])
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(sorted(options) + ["zzz", "url", "template", "headers"]))
        options[key] = draw(SCALARS | st.lists(SCALARS, max_size=3) | st.dictionaries(st.text(max_size=3), SCALARS,
                                                                                        max_size=2))
    if draw(st.integers(0, 9)) == 0 and options:
        key = draw(st.sampled_from(sorted(options)))
        options[key] = nested(draw(st.sampled_from([2, 97, 98, 99, 300])), options[key])
    doc = {"id": draw(st.sampled_from(["h", "a b", "é", "", "x" * 300])), "topic": "cpu", "kind": kind,
           "options": options}
    match = draw(st.none() | st.sampled_from(MATCHES) | expression())
    if match is not None:
        doc["match"] = match
    for _ in range(draw(st.integers(0, 2))):
        doc[draw(KEYS)] = draw(SCALARS)
    if draw(st.booleans()):
        return json.dumps(doc).encode()
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()


SAMPLES = [path.read_bytes() for path in sorted((ROOT / "samples").glob("*.yaml"))
           if not path.name.endswith(".tickpy.yaml")]
FRAGMENTS = [text.encode() for text in ["&a ", "*a", "? [a]\n: 1\n", "[", "{", "- ", ": ", "\n  ", "'", '"',
                                        "!!binary ", "!!python/object ", "9" * 400, "match: ", "kind: tcp",
                                        "options:\n  ", "\t", "%YAML 1.1\n", "---\n", "...\n", "\x00", "\ufeff"]]


def verdicts(data: bytes, suffix: str) -> None:
    path = FOLDER / ("handler" + suffix)
    path.write_bytes(data)
    with bounded_time():
        refused_by_check, _ = check_verdict(str(path), str(CONFIG_PATH))
        service = AlertService(handler_files=[str(path)], config=str(CONFIG_PATH))
        try:
            service.load()
            refused_by_run = False
        except HandlerLoadError as error:
            assert all(d.extra["path"] and d.line >= 1 for d in error.diagnostics), error.diagnostics
            refused_by_run = True
        finally:
            service.close()
    assert refused_by_check == refused_by_run, as_text(data)[:500]


@fuzz_settings(60)
@given(documents())
def test_structured_handler_files(data):
    verdicts(data, ".json" if data.startswith(b"{") else ".yaml")


@fuzz_settings(60)
@given(st.data())
def test_mutated_handler_files(data):
    seeds = SAMPLES + [data.draw(documents())]
    text = data.draw(mutated(seeds, FRAGMENTS))
    verdicts(text, data.draw(st.sampled_from([".yaml", ".json"])))

"""Typos inside an expected event or delivery are test-file errors (exit 2, FILE:LINE), not case
failures (QA pass 2, item 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tickpy.testing.spec import TestFileError, load_test_file

SCRIPT = "stream|from().measurement('cpu')|alert().crit(lambda: \"v\" > 0).tcp('127.0.0.1:7')\n"


def write(tmp_path: Path, expect_lines: str) -> Path:
    (tmp_path / "t.tick").write_text(SCRIPT)
    path = tmp_path / "t.tickpy.yaml"
    path.write_text("script: t.tick\n"                          # 1
                    "points: \"cpu v=5 0s\"\n"                  # 2
                    "expect:\n"                                 # 3
                    + "".join(f"  {line}\n" for line in expect_lines.splitlines()))  # from 4
    return path


@pytest.mark.parametrize("expect, line, fragment", [
    ("alerts: [{levle: CRITICAL}]", 4, "expect.alerts[0]: unknown event field 'levle' (known: level, id,"),
    ("alerts: [{time: 10x}]", 4, "expect.alerts[0].time: invalid time '10x'"),
    ("alerts: [{level: BAD}]", 4, "expect.alerts[0].level: unknown level 'BAD' (OK, INFO, WARNING, CRITICAL)"),
    ("alerts: [{previousLevel: crit}, {previousLevel: nope}]", 4, "expect.alerts[1].previousLevel: unknown level"),
    ("alerts:\n  - level: CRITICAL\n    duration: 5x", 6, "expect.alerts[0].duration: invalid duration '5x'"),
    ("alerts:\n  - level: CRITICAL\n    tags: host=a", 6, "expect.alerts[0].tags maps names to values"),
    ("counts: {crit: 1, critical: 2}", 4, "expect.counts: crit and critical both given (both mean CRITICAL)"),
    ("counts:\n  warn: 1\n  WARNING: 1", 6, "expect.counts: warn and WARNING both given"),
    ("handlers:\n  tcp 127.0.0.1:7:\n    - {level: CRTICAL}", 6,
     "expect.handlers['tcp 127.0.0.1:7'][0].level: unknown level 'CRTICAL'"),
    ("handlers:\n  tcp 127.0.0.1:7:\n    - {time: soon}", 6,
     "expect.handlers['tcp 127.0.0.1:7'][0].time: invalid time"),
])
def test_typos_in_expected_events_are_file_errors(tmp_path, expect, line, fragment):
    path = write(tmp_path, expect)
    with pytest.raises(TestFileError) as raised:
        load_test_file(str(path))
    assert raised.value.line == line, str(raised.value)
    assert fragment in str(raised.value)


def test_well_formed_events_load(tmp_path):
    path = write(tmp_path, "alerts: [{level: crit, time: 0s, duration: 0s, tags: {}, previousLevel: OK}]\n"
                           "counts: {crit: 1}\n"
                           "handlers: {tcp 127.0.0.1:7: [{level: CRITICAL, time: 1970-01-01T00:00:00Z}]}")
    [case] = load_test_file(str(path))
    assert case.expect["counts"] == {"crit": 1}


def test_cli_exits_2_with_file_and_line(tmp_path, cli):
    write(tmp_path, "alerts: [{levle: CRITICAL}]")
    done = cli("test", "t.tickpy.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert "t.tickpy.yaml:4: expect.alerts[0]: unknown event field 'levle'" in done.stdout

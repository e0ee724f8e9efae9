"""Helpers for tests of the capture sink: handler files, an alert service over them, and
`tickpy run --capture`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tickpy.alerting.service import AlertService

YEAR_1971 = 31536000  # 1971-01-01T00:00:00Z in Unix seconds, where Kapacitor's streamer tests start
# How Kapacitor's TestStream_Alert* scripts (integrations/streamer_test.go) begin, before their alert node
STREAMER_HEAD = """stream
    |from()
        .measurement('cpu')
        .where(lambda: "host" == 'serverA')
        .groupBy('host')
    |window()
        .period(10s)
        .every(10s)
    |count('value')
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def service_for(tmp_path, *files, **kwargs) -> AlertService:
    """A loaded AlertService over the handler files; what it reports is kept in `.reported`."""
    lines: list[str] = []
    service = AlertService(handler_files=[str(f) for f in files], report=lines.append, backoff_s=0.01, **kwargs)
    service.reported = lines
    service.load()
    return service


def captured(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def run_capturing(folder: Path, script: str, points: str, config: str, *options: str,
                  script_name: str = "t.tick") -> list[dict]:
    """Runs `tickpy run` on the script (the task is named after `script_name`) and points, with
    the config as --config; the capture records."""
    write(folder, script_name, script)
    write(folder, "p.lp", points)
    write(folder, "kapacitor.conf", config)
    result = run_cli("run", script_name, "p.lp", "--config", "kapacitor.conf", "--capture", "c.jsonl", *options,
                     cwd=folder)
    assert result.returncode == 0, result.stderr
    return captured(folder / "c.jsonl")

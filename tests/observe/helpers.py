"""Shared by the observe tests: the CLI, the sample data read independently."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.alerting.servers import TCPSink  # noqa: F401  (test_stats imports it from here)
from tests.conftest import CliResult, run_cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
TICKPY = [str(Path(sys.executable).parent / "tickpy")]  # the installed console script, for a real terminal


def tickpy(*args, stdin: bytes | None = None) -> CliResult:
    return run_cli(*args, stdin=stdin, text=False)


def sample_points(path: Path = SAMPLES / "cpu.lp") -> list[tuple[str, dict, dict, int]]:
    """(measurement, tags, float fields, time) of each line of a simple line-protocol file,
    read here without tickpy so that expectations do not come from the code under test."""
    points = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, field_text, time_text = line.split(" ")
        name, *tag_items = head.split(",")
        tags = dict(item.split("=", 1) for item in tag_items)
        fields = {}
        for item in field_text.split(","):
            key, value = item.split("=", 1)
            fields[key] = int(value[:-1]) if value.endswith("i") else float(value)
        points.append((name, tags, fields, int(time_text)))
    return points
